"""A task's 行政行为码: pre-check, issue, revoke, use.

"无码不查、无码无效" (路桥方案): a code is issued only when every pre-check in ``rules`` passes.
Issuing locks the subject's on-site count row for the enterprise and year (A5) and the code
sequence row before it reads them, so two requests racing for the last slot under the cap are
serialised: one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` each creates the row if missing,
locks it and returns its latest committed values on PostgreSQL; on SQLite a write session
already holds the database's write lock (``BEGIN IMMEDIATE``).

Round trips are the cost on the request path (#18): the pre-check reads the task's people with
the A5 counts, its items, and the enterprise's other tasks for A6 and F9, in three statements;
the issue re-reads all of it after locking the task (the rule that stops two codes for one
enterprise), with the current signing key and whether observers joined in the same statement.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, select, update
from sqlalchemy.orm import Session

from wurao.auth.permissions import AGENCY_ROLES, Permission
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.db import insert_for
from wurao.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    RuleViolation,
    Violation,
)
from wurao.core.events import Event, emit
from wurao.core.time import LOCAL_TZ, local_today, utcnow
from wurao.inspections import (
    codes,
    cross_region_notice,
    observers,
    rules,
    rules_frequency,
)
from wurao.inspections.models import (
    ActionCode,
    CodeSequence,
    CrossRegionApproval,
    InspectionTask,
    OnsiteCount,
    SigningKey,
    TaskObserver,
    TaskSubject,
)
from wurao.inspections.precheck import PrecheckResult, TaskFacts
from wurao.inspections.service import TaskBundle, assemble_bundle, with_people
from wurao.registry.models import EnforcementSubject, Enterprise


def _facts(b: TaskBundle, today: dt.date, counts: dict[int, tuple[int, int]]) -> TaskFacts:
    return TaskFacts(
        task=b.task,
        enterprise=b.enterprise,
        subjects=b.subjects,
        task_subjects=b.task_subjects,
        items=b.items,
        officers=b.officers,
        today=today,
        counts=counts,
    )


# Statements of the request path are built once, with the task id as a parameter: building
# one costs about as much as running it (#18).
def _around(*extra: Any) -> Select[Any]:
    """``service.bundle``'s first statement (enterprise, code, subjects, officers) with
    ``extra`` columns after the code: one row per (subject, officer) pair."""
    return with_people(
        select(Enterprise, ActionCode, *extra)
        .select_from(InspectionTask)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .outerjoin(ActionCode, ActionCode.task_id == InspectionTask.id)
        .where(InspectionTask.id == bindparam("task_id"))
    )


# The bundle with each subject's A5 count row (unlocked), joined to its ``task_subject`` row.
_WITH_COUNTS = (
    _around()
    .add_columns(OnsiteCount.counted, OnsiteCount.exempt)
    .outerjoin(
        OnsiteCount,
        and_(
            OnsiteCount.enterprise_id == InspectionTask.enterprise_id,
            OnsiteCount.subject_id == TaskSubject.subject_id,
            OnsiteCount.year == InspectionTask.year,
        ),
    )
)
# The bundle with the key that signs new codes, as ``codes.current_key`` chooses it (the newest
# not retired), and whether observers joined the task.
_FOR_ISSUE = _around(
    select(SigningKey.kid)
    .where(SigningKey.retired_at.is_(None))
    .order_by(SigningKey.created_at.desc(), SigningKey.kid.desc())
    .limit(1)
    .scalar_subquery(),
    exists().where(TaskObserver.task_id == InspectionTask.id),
)
_LOCK_TASK = (
    select(InspectionTask)
    .where(InspectionTask.id == bindparam("task_id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)


def _bundle_and_counts(
    session: Session, task: InspectionTask
) -> tuple[TaskBundle, dict[int, tuple[int, int]]]:
    """``service.bundle`` (two statements) with each subject's A5 count row, read unlocked:
    (counted, exempt) by subject, missing rows left out."""
    rows = session.execute(_WITH_COUNTS, {"task_id": task.id}).all()
    assert rows, f"task {task.id} is not in the database"
    b = assemble_bundle(session, task, rows[0][0], rows[0][1], [r[2:6] for r in rows], False)
    counts = {r[2].subject_id: (r[6], r[7]) for r in rows if r[2] is not None and r[6] is not None}
    return b, counts


def _bundle_for_issue(
    session: Session, task: InspectionTask
) -> tuple[TaskBundle, str | None, bool]:
    """``service.bundle`` of the locked task (two statements, read after the lock so they see
    every change committed before it), the kid of the current signing key (None when there is
    none yet) and whether observers have joined the task."""
    rows = session.execute(_FOR_ISSUE, {"task_id": task.id}).all()
    assert rows, f"task {task.id} is not in the database"
    b = assemble_bundle(session, task, rows[0][0], rows[0][1], [r[4:] for r in rows], False)
    return b, rows[0][2], bool(rows[0][3])


def takes_part(actor: Actor, b: TaskBundle) -> bool:
    """Agency roles act only on tasks their subject takes part in; the others by region."""
    return actor.role not in AGENCY_ROLES or actor.subject_id in b.task_subjects


def may_issue_code(actor: Actor, b: TaskBundle) -> bool:
    """Whether the actor may ask for this task's code now (the task page shows the button by
    this; ``issue_code`` still runs every pre-check)."""
    return (
        actor.can(Permission.TASKS_MANAGE)
        and takes_part(actor, b)
        and b.code is None
        and b.task.status == "draft"
    )


def may_revoke_code(actor: Actor, b: TaskBundle) -> bool:
    """Whether the actor may revoke this task's code (a valid one, of a task it takes part in)."""
    return (
        actor.can(Permission.CODES_REVOKE)
        and takes_part(actor, b)
        and b.code is not None
        and b.code.status == "valid"
    )


def _require_manage(actor: Actor, b: TaskBundle) -> None:
    actor.require(Permission.TASKS_MANAGE)
    if not takes_part(actor, b):
        raise Forbidden("只能为本单位参与的检查任务操作。")


def precheck(
    session: Session, *, actor: Actor, task: InspectionTask, today: dt.date | None = None
) -> PrecheckResult:
    """Every pre-check's outcome for a task (read only; the cap count is read unlocked)."""
    actor.require(Permission.TASKS_VIEW)
    b, counts = _bundle_and_counts(session, task)
    return rules.run(session, _facts(b, today or local_today(), counts))


# The upserts differ by dialect (``insert_for``): built once per dialect and shape.
_UPSERTS: dict[tuple[str, str, int], Any] = {}


def _count_upsert(session: Session, subjects: int) -> Any:
    """The A5 count rows' upsert for ``subjects`` subjects: parameters p_enterprise, p_year
    and p_subject_i, p_counted_i, p_exempt_i in subject order; a new row starts at the
    increments, an existing one adds them (zero: a no-op that still locks the row); each row
    returned after the change. One subject (the usual task) is a single-row ``VALUES``, which
    SQLAlchemy caches compiled; several rows are compiled each time (#18)."""
    key = (session.get_bind().dialect.name, "onsite_count", subjects)
    stmt = _UPSERTS.get(key)
    if stmt is None:
        rows: list[dict[str, Any]] = [
            {"enterprise_id": bindparam("p_enterprise"), "subject_id": bindparam(f"p_subject_{i}"),
             "year": bindparam("p_year"), "counted": bindparam(f"p_counted_{i}"),
             "exempt": bindparam(f"p_exempt_{i}")}
            for i in range(subjects)
        ]  # fmt: skip
        upsert = insert_for(session, OnsiteCount.__table__)  # Core: the parameters are binds
        upsert = upsert.values(rows[0] if subjects == 1 else rows)
        stmt = _UPSERTS[key] = upsert.on_conflict_do_update(
            index_elements=["enterprise_id", "subject_id", "year"],
            set_={
                "counted": OnsiteCount.counted + upsert.excluded.counted,
                "exempt": OnsiteCount.exempt + upsert.excluded.exempt,
            },
        ).returning(OnsiteCount.subject_id, OnsiteCount.counted, OnsiteCount.exempt)
    return stmt


def lock_counts(
    session: Session, b: TaskBundle, add: dict[int, tuple[int, int]] | None = None
) -> dict[int, tuple[int, int]]:
    """Each subject's (counted, exempt) count row, created if missing and locked, in one
    statement: ``INSERT … ON CONFLICT DO UPDATE`` takes the row lock and returns the latest
    committed values, rows in subject order (no deadlock). ``add`` (subject → increments)
    is written in the same statement; the values returned are those before it. SQLite's write
    session already holds the database's write lock."""
    if not b.task_subjects:
        return {}
    add = add or {}
    params: dict[str, Any] = {"p_enterprise": b.task.enterprise_id, "p_year": b.task.year}
    for i, sid in enumerate(sorted(b.task_subjects)):
        plus_counted, plus_exempt = add.get(sid, (0, 0))
        params.update(
            {f"p_subject_{i}": sid, f"p_counted_{i}": plus_counted, f"p_exempt_{i}": plus_exempt}
        )
    rows = session.execute(_count_upsert(session, len(b.task_subjects)), params)
    return {
        sid: (counted - add.get(sid, (0, 0))[0], exempt - add.get(sid, (0, 0))[1])
        for sid, counted, exempt in rows
    }


def set_count(session: Session, b: TaskBundle, sid: int, counted: int, exempt: int) -> None:
    """Write a subject's locked count row (the ORM copy in the session, if any, follows)."""
    session.execute(
        update(OnsiteCount)
        .where(
            OnsiteCount.enterprise_id == b.task.enterprise_id,
            OnsiteCount.subject_id == sid,
            OnsiteCount.year == b.task.year,
        )
        .values(counted=counted, exempt=exempt)
    )


def _next_number(session: Session, region: str, year: int) -> str:
    """The next code number of the region and year: one ``INSERT … ON CONFLICT DO UPDATE …
    RETURNING`` that creates, locks and advances the sequence row."""
    key = (session.get_bind().dialect.name, "code_sequence", 1)
    stmt = _UPSERTS.get(key)
    if stmt is None:
        stmt = _UPSERTS[key] = (
            insert_for(session, CodeSequence.__table__)
            .values(region_code=bindparam("p_region"), year=bindparam("p_year"), last=1)
            .on_conflict_do_update(
                index_elements=["region_code", "year"], set_={"last": CodeSequence.last + 1}
            )
            .returning(CodeSequence.last)
        )
    last = int(session.execute(stmt, {"p_region": region, "p_year": year}).scalar_one())
    return f"{region}-{year}-{last:06d}"


def _cap_increment(subject: EnforcementSubject, task: InspectionTask) -> tuple[int, int]:
    """What this task's code adds to the subject's (counted, exempt) A5 row."""
    _cap, counted, exempt = rules_frequency.cap_terms(subject, task)
    if not counted:
        return (0, 0)
    return (0, 1) if exempt else (1, 0)


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
    locked: bool = False,
) -> Issued:
    """Run every pre-check under lock and, if all BLOCK rules pass, sign and store the code.

    ``locked``: the caller read ``task`` with ``service.get_task(..., lock=True)`` in this
    transaction (the routes do: one statement fewer); otherwise the task is locked here.
    Raises RuleViolation listing every failed rule. ``today``/``now`` are for tests.
    """
    now = now or utcnow()
    today = today or now.astimezone(LOCAL_TZ).date()
    if not locked:
        task = session.scalars(_LOCK_TASK, {"task_id": task.id}).one()
    b, kid, has_observers = _bundle_for_issue(session, task)
    _require_manage(actor, b)
    if b.code is not None or task.status != "draft":
        raise Conflict("该任务已赋码或已不在待赋码状态。")
    # this code's own count, added in the statement that locks the rows (A5's verdict reads
    # the counts before it; a refusal takes it back)
    plus = {s.id: _cap_increment(s, task) for s in b.subjects}
    counts = lock_counts(session, b, plus)
    facts = _facts(b, today, counts)
    result = rules.run(session, facts)
    late = task.started_without_code_on is not None
    refusal: DomainError | None = None
    if not result.ok:
        refusal = RuleViolation(
            result.blocking,
            "不予赋码："
            + "；".join(f"{v.title}（{v.rule_id}）：{v.detail}" for v in result.blocking),
        )
    elif late and not late_reason.strip():
        refusal = InvalidInput("事后补码须写明无法事前报批的特殊原因。", field="late_reason")
    if refusal is not None:
        for sid, (done, exempted) in counts.items():
            if plus.get(sid, (0, 0)) != (0, 0):
                set_count(session, b, sid, done, exempted)
        raise refusal
    if kid is None:  # the first code of the platform: create the key
        kid = codes.current_key(session, actor=actor).kid
    number = _next_number(session, b.lead.region_code[:6], task.year)
    jti = secrets.token_urlsafe(9)
    valid_from = min(task.window_start, task.started_without_code_on or task.window_start)
    joined = (
        observers.claim(observers.observers_of(session, [task.id]).get(task.id, []))
        if has_observers
        else []
    )
    claims = claims_for(
        b, jti=jti, number=number, now=now, late=late, valid_from=valid_from, observers=joined
    )
    token = codes.sign(claims, kid=kid, private=codes.load_private(kid))
    code = ActionCode(
        task_id=task.id,
        number=number,
        jti=jti,
        kid=kid,
        token=token,
        issued_at=now,
        valid_from=valid_from,
        valid_to=task.window_end,
        late=late,
        late_reason=late_reason.strip(),
        status="valid",
        issued_by_id=actor.user_id,
        warnings=_warning_text(result.warnings),
    )
    session.add(code)
    before = audit.snapshot(task)
    task.status = "coded"
    audit.record(
        session,
        actor=actor,
        action="task.code",
        obj=task,
        before=before,
        region_code=task.region_code,
        summary=f"赋码 {number}",
    )
    _bind_cross_region(session, b, facts.cross_region, actor=actor)
    audit.record(
        session,
        actor=actor,
        action="code.issue",
        obj=code,
        region_code=task.region_code,
        summary=f"签发行政行为码 {number}{'（补码）' if late else ''}",
    )
    for sid, approval in facts.cross_region.items():
        subject = next(s for s in b.subjects if s.id == sid)
        cross_region_notice.notify_counterparts(
            session,
            actor=actor,
            subject=subject,
            enterprise=b.enterprise,
            approval=approval,
            window=(valid_from, task.window_end),
            items=[i for t, i in b.items if t.subject_id == sid],
            code_number=number,
        )
    warned = frozenset(v.rule_id for v in result.warnings)
    emit(session, Event.TASK_CODED, task=task, warned=warned)
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
