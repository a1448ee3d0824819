"""A task's 行政行为码: pre-check, issue, revoke, use.

"无码不查、无码无效" (路桥方案): a code is issued only when every pre-check in ``rules`` passes.
Issuing locks the subject's on-site count row for the enterprise and year (A5) and the code
sequence row before it reads them, so two requests racing for the last slot under the cap are
serialised: ``INSERT … ON CONFLICT DO NOTHING`` then ``SELECT … FOR UPDATE`` on PostgreSQL;
on SQLite a write session already holds the database's write lock (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import AGENCY_ROLES, Permission
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.db import insert_for
from wurao.core.errors import Conflict, Forbidden, InvalidInput, RuleViolation, Violation
from wurao.core.events import Event, emit
from wurao.core.time import LOCAL_TZ, local_today, utcnow
from wurao.inspections import codes, cross_region, observers, rules, rules_frequency
from wurao.inspections.models import (
    ActionCode,
    CodeSequence,
    CrossRegionApproval,
    InspectionTask,
    OnsiteCount,
)
from wurao.inspections.precheck import PrecheckResult, TaskFacts
from wurao.inspections.service import TaskBundle, bundle
from wurao.inspections.statuses import CODE_STATUSES


def _facts(session: Session, b: TaskBundle, today: dt.date) -> TaskFacts:
    return TaskFacts(
        task=b.task,
        enterprise=b.enterprise,
        subjects=b.subjects,
        task_subjects=b.task_subjects,
        items=b.items,
        officers=b.officers,
        today=today,
    )


def _read_counts(session: Session, b: TaskBundle) -> dict[int, tuple[int, int]]:
    rows = session.scalars(
        select(OnsiteCount).where(
            OnsiteCount.enterprise_id == b.task.enterprise_id,
            OnsiteCount.year == b.task.year,
            OnsiteCount.subject_id.in_(list(b.task_subjects)),
        )
    )
    return {r.subject_id: (r.counted, r.exempt) for r in rows}


def _takes_part(actor: Actor, b: TaskBundle) -> bool:
    """Agency roles act only on tasks their subject takes part in; the others by region."""
    return actor.role not in AGENCY_ROLES or actor.subject_id in b.task_subjects


def may_issue_code(actor: Actor, b: TaskBundle) -> bool:
    """Whether the actor may ask for this task's code now (the task page shows the button by
    this; ``issue_code`` still runs every pre-check)."""
    return (
        actor.can(Permission.TASKS_MANAGE)
        and _takes_part(actor, b)
        and b.code is None
        and b.task.status == "draft"
    )


def may_revoke_code(actor: Actor, b: TaskBundle) -> bool:
    """Whether the actor may revoke this task's code (a valid one, of a task it takes part in)."""
    return (
        actor.can(Permission.CODES_REVOKE)
        and _takes_part(actor, b)
        and b.code is not None
        and b.code.status == "valid"
    )


def _require_manage(actor: Actor, b: TaskBundle) -> None:
    actor.require(Permission.TASKS_MANAGE)
    if not _takes_part(actor, b):
        raise Forbidden("只能为本单位参与的检查任务操作。")


def precheck(
    session: Session, *, actor: Actor, task: InspectionTask, today: dt.date | None = None
) -> PrecheckResult:
    """Every pre-check's outcome for a task (read only; the cap count is read unlocked)."""
    actor.require(Permission.TASKS_VIEW)
    b = bundle(session, task)
    facts = _facts(session, b, today or local_today())
    facts.counts = _read_counts(session, b)
    return rules.run(session, facts)


def _insert_ignore(session: Session, table: Any, values: dict[str, Any]) -> None:
    session.execute(insert_for(session, table).values(**values).on_conflict_do_nothing())


def _lock_counts(session: Session, b: TaskBundle) -> dict[int, OnsiteCount]:
    """Insert-if-missing then lock each subject's count row, in subject order (no deadlock)."""
    out: dict[int, OnsiteCount] = {}
    for sid in sorted(b.task_subjects):
        key = {"enterprise_id": b.task.enterprise_id, "subject_id": sid, "year": b.task.year}
        _insert_ignore(session, OnsiteCount, {**key, "counted": 0, "exempt": 0})
        out[sid] = session.scalars(
            select(OnsiteCount)
            .filter_by(**key)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
    return out


def _next_number(session: Session, region: str, year: int) -> str:
    _insert_ignore(session, CodeSequence, {"region_code": region, "year": year, "last": 0})
    seq = session.scalars(
        select(CodeSequence)
        .filter_by(region_code=region, year=year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    seq.last += 1
    return f"{region}-{year}-{seq.last:06d}"


def _epoch(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(0), LOCAL_TZ).timestamp())


def claims_for(
    b: TaskBundle,
    *,
    jti: str,
    number: str,
    now: dt.datetime,
    late: bool,
    valid_from: dt.date,
    observers: list[list[object]] | None = None,
) -> dict[str, Any]:
    """The token's claims (short names, see ``codes.CLAIM_LABELS``)."""
    claims: dict[str, Any] = {
        "jti": jti,
        "no": number,
        "s": [s.uscc for s in b.subjects],
        "e": b.enterprise.uscc,
        "o": [o.cert_no or "" for _, o in b.officers],
        "i": [i.code for _, i in b.items],
        "m": b.task.method,
        "nbf": _epoch(valid_from),
        "exp": _epoch(b.task.window_end + dt.timedelta(days=1)),
        "iat": int(now.timestamp()),
    }
    if late:
        claims["late"] = True
    if observers:  # 伴随式监督 (F8 OBSERVER): who had joined when the code was signed
        claims["ob"] = observers
    return claims


@dataclass(frozen=True)
class Issued:
    """A newly issued code and the WARN findings that travel with it."""

    code: ActionCode
    warnings: list[Violation]


def _warning_text(warnings: list[Violation]) -> str:
    return "\n".join(f"{v.rule_id}｜{v.title}｜{v.detail}" for v in warnings)


def parse_warnings(text: str) -> list[tuple[str, str, str]]:
    """Stored ``ActionCode.warnings`` as (rule id, title, detail) lines."""
    out = []
    for line in text.splitlines():
        parts = line.split("｜", 2)
        if len(parts) == 3:
            out.append((parts[0], parts[1], parts[2]))
    return out


def issue_code(
    session: Session,
    *,
    actor: Actor,
    task: InspectionTask,
    late_reason: str = "",
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Issued:
    """Run every pre-check under lock and, if all BLOCK rules pass, sign and store the code.

    Raises RuleViolation listing every failed rule. ``today``/``now`` are for tests.
    """
    now = now or utcnow()
    today = today or now.astimezone(LOCAL_TZ).date()
    locked = session.scalars(
        select(InspectionTask)
        .where(InspectionTask.id == task.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    b = bundle(session, locked)
    _require_manage(actor, b)
    if b.code is not None or locked.status != "draft":
        raise Conflict("该任务已赋码或已不在待赋码状态。")
    counts = _lock_counts(session, b)
    facts = _facts(session, b, today)
    facts.counts = {sid: (c.counted, c.exempt) for sid, c in counts.items()}
    result = rules.run(session, facts)
    if not result.ok:
        raise RuleViolation(
            result.blocking,
            "不予赋码："
            + "；".join(f"{v.title}（{v.rule_id}）：{v.detail}" for v in result.blocking),
        )
    late = locked.started_without_code_on is not None
    if late and not late_reason.strip():
        raise InvalidInput("事后补码须写明无法事前报批的特殊原因。", field="late_reason")
    for s in b.subjects:
        _cap, counted, exempt = rules_frequency.cap_terms(s, locked)
        if counted:
            row = counts[s.id]
            if exempt:
                row.exempt += 1
            else:
                row.counted += 1
    key = codes.current_key(session, actor=actor)
    number = _next_number(session, b.lead.region_code[:6], locked.year)
    jti = secrets.token_urlsafe(9)
    valid_from = min(locked.window_start, locked.started_without_code_on or locked.window_start)
    joined = observers.claim(observers.observers_of(session, [locked.id]).get(locked.id, []))
    claims = claims_for(
        b, jti=jti, number=number, now=now, late=late, valid_from=valid_from, observers=joined
    )
    token = codes.sign(claims, kid=key.kid, private=codes.load_private(key.kid))
    code = ActionCode(
        task_id=locked.id,
        number=number,
        jti=jti,
        kid=key.kid,
        token=token,
        issued_at=now,
        valid_from=valid_from,
        valid_to=locked.window_end,
        late=late,
        late_reason=late_reason.strip(),
        status="valid",
        issued_by_id=actor.user_id,
        warnings=_warning_text(result.warnings),
    )
    session.add(code)
    before = audit.snapshot(locked)
    locked.status = "coded"
    audit.record(
        session,
        actor=actor,
        action="task.code",
        obj=locked,
        before=before,
        region_code=locked.region_code,
        summary=f"赋码 {number}",
    )
    _bind_cross_region(session, b, facts.cross_region, actor=actor)
    audit.record(
        session,
        actor=actor,
        action="code.issue",
        obj=code,
        region_code=locked.region_code,
        summary=f"签发行政行为码 {number}{'（补码）' if late else ''}",
    )
    for sid, approval in facts.cross_region.items():
        subject = next(s for s in b.subjects if s.id == sid)
        cross_region.notify_counterparts(
            session,
            actor=actor,
            subject=subject,
            enterprise=b.enterprise,
            approval=approval,
            window=(valid_from, locked.window_end),
            items=[i for t, i in b.items if t.subject_id == sid],
            code_number=number,
        )
    emit(session, Event.TASK_CODED, task=locked)
    return Issued(code, result.warnings)


def _bind_cross_region(
    session: Session, b: TaskBundle, used: dict[int, CrossRegionApproval], *, actor: Actor
) -> None:
    """Record on the task which 异地检查 approval each subject's code rests on (A8)."""
    for sid, approval in used.items():
        row = b.task_subjects[sid]
        if row.cross_region_approval_id == approval.id:
            continue
        before = audit.snapshot(row)
        row.cross_region_approval_id = approval.id
        audit.record(
            session,
            actor=actor,
            action="task.cross_region",
            obj=row,
            before=before,
            region_code=b.task.region_code,
            summary=f"异地检查依据：{approval.organ_name}批准（{approval.doc_no}）",
        )


def revoke_code(session: Session, *, actor: Actor, code: ActionCode, reason: str) -> ActionCode:
    """Revoke a valid code; an unused on-site count it took is given back."""
    actor.require(Permission.CODES_REVOKE)
    if not reason.strip():
        raise InvalidInput("请写明撤销理由。", field="reason")
    task = session.get(InspectionTask, code.task_id)
    assert task is not None
    b = bundle(session, task)
    if not _takes_part(actor, b):
        raise Forbidden("只能撤销本单位参与的检查任务的行政行为码。")
    if code.status != "valid":
        raise Conflict(f"该码当前状态为“{CODE_STATUSES.get(code.status, code.status)}”，不能撤销。")
    counts = _lock_counts(session, b)
    for s in b.subjects:
        _cap, counted, exempt = rules_frequency.cap_terms(s, task)
        if counted:
            row = counts[s.id]
            if exempt:
                row.exempt = max(0, row.exempt - 1)
            else:
                row.counted = max(0, row.counted - 1)
    before = audit.snapshot(code)
    code.status, code.revoked_at, code.revoked_reason = "revoked", utcnow(), reason.strip()
    audit.record(
        session,
        actor=actor,
        action="code.revoke",
        obj=code,
        before=before,
        region_code=task.region_code,
        summary=f"撤销行政行为码 {code.number}",
    )
    tb = audit.snapshot(task)
    task.status = "cancelled"
    audit.record(
        session,
        actor=actor,
        action="task.cancel",
        obj=task,
        before=tb,
        region_code=task.region_code,
        summary="行政行为码撤销，任务取消",
    )
    return code


def mark_code_used(session: Session, *, task: InspectionTask, actor: Actor) -> ActionCode:
    """Close a task's code when its record is finished (part B calls this); task → done."""
    code = session.scalars(
        select(ActionCode).where(ActionCode.task_id == task.id).with_for_update()
    ).one_or_none()
    if code is None:
        raise Conflict("该任务没有行政行为码：无码不查，检查记录无效。")
    if code.status != "valid":
        raise Conflict(
            f"该码当前状态为“{CODE_STATUSES.get(code.status, code.status)}”，不能再使用。"
        )
    before = audit.snapshot(code)
    code.status, code.used_at = "used", utcnow()
    audit.record(
        session,
        actor=actor,
        action="code.use",
        obj=code,
        before=before,
        region_code=task.region_code,
        summary=f"行政行为码 {code.number} 已使用",
    )
    if task.status in ("coded", "in_progress"):
        tb = audit.snapshot(task)
        task.status = "done"
        audit.record(
            session,
            actor=actor,
            action="task.done",
            obj=task,
            before=tb,
            region_code=task.region_code,
            summary="检查完成",
        )
    return code
