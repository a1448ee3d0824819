"""Inspection tasks and their 行政行为码: create, pre-check, issue, revoke, use, verify.

"无码不查、无码无效" (路桥方案): a code is issued only when every pre-check in ``rules`` passes.
Issuing locks the subject's on-site count row for the enterprise and year (A5) and the code
sequence row before it reads them, so two requests racing for the last slot under the cap are
serialised: ``INSERT … ON CONFLICT DO NOTHING`` then ``SELECT … FOR UPDATE`` on PostgreSQL;
on SQLite a write session already holds the database's write lock (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, exists, false, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import AGENCY_ROLES, Permission
from wurao.auth.scope import Actor, region_filter
from wurao.core import audit
from wurao.core.db import insert_for
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation, Violation
from wurao.core.events import Event, emit
from wurao.core.ids import IdentifierError, normalize_uscc
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.time import LOCAL_TZ, format_local, local_today, utcnow
from wurao.inspections import codes, cross_region, rules
from wurao.inspections.models import (
    ActionCode,
    CodeSequence,
    CrossRegionApproval,
    InspectionTask,
    OnsiteCount,
    TaskItem,
    TaskOfficer,
    TaskSubject,
)
from wurao.inspections.statuses import CODE_STATUSES, TASK_STATUSES
from wurao.planning.models import PlanEntry, SpecialInspection, UnplannedApproval
from wurao.registry.items.methods import CHOICE_TEXT as METHOD_CHOICES
from wurao.registry.items.methods import METHODS
from wurao.registry.items.service import checklists_of
from wurao.registry.models import (
    ChecklistLine,
    EnforcementSubject,
    Enterprise,
    InspectionItem,
    Officer,
)
from wurao.sampling.models import Draw

STATUSES = TASK_STATUSES  # the task list's filter and labels


# --- input ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskData:
    """Input for a task. ``subject_ids`` lead first; items by code; officers by id."""

    enterprise_uscc: str
    subject_ids: list[int]
    item_codes: list[str]
    officer_ids: list[int]
    method: str
    origin: str
    window_start: dt.date
    window_end: dt.date
    plan_entry_id: int | None = None
    special_id: int | None = None
    unplanned_id: int | None = None
    draw_id: int | None = None
    trigger_ref: str = ""
    trigger_reason: str = ""
    started_without_code_on: dt.date | None = None
    finished_without_code_on: dt.date | None = None
    legal_rep_required: bool = False
    # subject id → the 异地检查 approval it relies on (A8); without one, A8 looks it up
    cross_region_approval_ids: dict[int, int] = field(default_factory=dict)


@dataclass
class TaskBundle:
    """A task with everything around it, loaded in a handful of queries (no lazy loading)."""

    task: InspectionTask
    enterprise: Enterprise
    subjects: list[EnforcementSubject]  # lead first
    task_subjects: dict[int, TaskSubject]
    items: list[tuple[TaskItem, InspectionItem]]
    officers: list[tuple[TaskOfficer, Officer]]
    code: ActionCode | None
    checklists: dict[int, list[ChecklistLine]] = field(default_factory=dict)

    @property
    def lead(self) -> EnforcementSubject:
        """The lead subject."""
        return self.subjects[0]


# --- reads ----------------------------------------------------------------------------------


def tasks_visible_to(actor: Actor) -> Select[InspectionTask]:
    """Tasks the actor may see: agency roles those of their subject, others their region."""
    actor.require(Permission.TASKS_VIEW)
    stmt = select(InspectionTask)
    if actor.role in AGENCY_ROLES:
        own = exists().where(
            TaskSubject.task_id == InspectionTask.id, TaskSubject.subject_id == actor.subject_id
        )
        return stmt.where(own) if actor.subject_id is not None else stmt.where(false())
    return stmt.where(region_filter(actor, InspectionTask.region_code))


def list_tasks(
    session: Session,
    *,
    actor: Actor,
    status: str = "",
    q: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[tuple[InspectionTask, Enterprise, ActionCode | None]]:
    """Visible tasks, newest first, filterable by status and enterprise name or USCC."""
    stmt = tasks_visible_to(actor)
    if status:
        if status not in STATUSES:
            raise InvalidInput("任务状态不正确。", field="status")
        stmt = stmt.where(InspectionTask.status == status)
    if q.strip():
        ent = select(Enterprise.id).where(
            (Enterprise.name.contains(q.strip(), autoescape=True))
            | (Enterprise.uscc == q.strip().upper())
        )
        stmt = stmt.where(InspectionTask.enterprise_id.in_(ent))
    found = paginate(session, stmt.order_by(InspectionTask.id.desc()), page, per_page)
    tasks = found.items
    ents = {
        e.id: e
        for e in session.scalars(
            select(Enterprise).where(Enterprise.id.in_({t.enterprise_id for t in tasks}))
        )
    }
    code_of = {
        c.task_id: c
        for c in session.scalars(
            select(ActionCode).where(ActionCode.task_id.in_([t.id for t in tasks]))
        )
    }
    return found.map(lambda t: (t, ents[t.enterprise_id], code_of.get(t.id)))


def bundle(session: Session, task: InspectionTask, *, checklists: bool = False) -> TaskBundle:
    """Load everything around a task already loaded (no visibility check: callers do that)."""
    enterprise = session.get(Enterprise, task.enterprise_id)
    assert enterprise is not None
    ts_rows = [
        (a, b)
        for a, b in session.execute(
            select(TaskSubject, EnforcementSubject)
            .join(EnforcementSubject, EnforcementSubject.id == TaskSubject.subject_id)
            .where(TaskSubject.task_id == task.id)
            .order_by(TaskSubject.lead.desc(), EnforcementSubject.id)
        )
    ]
    items = [
        (a, b)
        for a, b in session.execute(
            select(TaskItem, InspectionItem)
            .join(InspectionItem, InspectionItem.id == TaskItem.item_id)
            .where(TaskItem.task_id == task.id)
            .order_by(InspectionItem.code)
        )
    ]
    officers = [
        (a, b)
        for a, b in session.execute(
            select(TaskOfficer, Officer)
            .join(Officer, Officer.id == TaskOfficer.officer_id)
            .where(TaskOfficer.task_id == task.id)
            .order_by(Officer.name, Officer.id)
        )
    ]
    code = session.scalar(select(ActionCode).where(ActionCode.task_id == task.id))
    out = TaskBundle(
        task=task,
        enterprise=enterprise,
        subjects=[s for _, s in ts_rows],
        task_subjects={t.subject_id: t for t, _ in ts_rows},
        items=items,
        officers=officers,
        code=code,
    )
    if checklists:
        out.checklists = checklists_of(session, [i for _, i in items])
    return out


def get_task(session: Session, *, actor: Actor, task_id: int) -> InspectionTask:
    """One task, if visible to the actor."""
    task = session.scalar(tasks_visible_to(actor).where(InspectionTask.id == task_id))
    if task is None:
        raise NotFound("检查任务不存在，或不在您的权限范围内。")
    return task


def load_task(
    session: Session, *, actor: Actor, task_id: int, checklists: bool = False
) -> TaskBundle:
    """A visible task with its enterprise, subjects, items, officers and code."""
    return bundle(session, get_task(session, actor=actor, task_id=task_id), checklists=checklists)


# --- create -----------------------------------------------------------------------------------


def _clean(data: TaskData) -> None:
    if data.method not in METHODS:
        raise InvalidInput(f"检查方式应为{METHOD_CHOICES}。", field="method")
    if data.origin not in rules.ORIGINS:
        raise InvalidInput("检查来源不正确。", field="origin")
    if data.window_end < data.window_start:
        raise InvalidInput("检查时间窗口的结束日期早于开始日期。", field="window_end")
    if (data.window_end - data.window_start).days > 366:
        raise InvalidInput("检查时间窗口不得超过一年。", field="window_end")
    if data.window_start.year != data.window_end.year:
        raise InvalidInput("检查时间窗口不得跨年度（频次按年度计算）。", field="window_end")
    if not data.subject_ids:
        raise InvalidInput("请至少选择一个执法主体。", field="subject_ids")
    if len(set(data.subject_ids)) != len(data.subject_ids):
        raise InvalidInput("执法主体重复。", field="subject_ids")
    if not data.item_codes:
        raise InvalidInput("请至少选择一项检查事项。", field="item_codes")
    if not data.officer_ids:
        raise InvalidInput("请至少指派两名执法人员。", field="officer_ids")
    started, finished = data.started_without_code_on, data.finished_without_code_on
    if finished is not None and started is None:
        raise InvalidInput(
            "只有已先行检查（事后补码）的任务才填写检查完成日期。", field="finished_without_code_on"
        )
    if finished is not None and started is not None and finished < started:
        raise InvalidInput("先行检查的完成日期早于开始日期。", field="finished_without_code_on")


# A task's references, each checked before the insert so that a wrong number is a field
# error in Chinese, never a foreign-key failure (a 500).
_REFERENCES: tuple[tuple[str, type[Any], str], ...] = (
    ("plan_entry_id", PlanEntry, "计划条目"),
    ("special_id", SpecialInspection, "专项检查"),
    ("unplanned_id", UnplannedApproval, "计划外检查审批"),
    ("draw_id", Draw, "双随机抽查"),
)
_MAX_ID = 2**31 - 1  # the key columns are 32-bit integers


def _check_reference(
    session: Session, model: type[Any], value: int, field: str, label: str
) -> None:
    if not 1 <= value <= _MAX_ID or session.get(model, value) is None:
        raise InvalidInput(f"{label}编号 {value} 不存在。", field=field)


def _check_references(session: Session, data: TaskData) -> None:
    for field_name, model, label in _REFERENCES:
        value = getattr(data, field_name)
        if value is not None:
            _check_reference(session, model, value, field_name, label)
    for sid, approval_id in data.cross_region_approval_ids.items():
        if sid not in data.subject_ids:
            raise InvalidInput(
                "异地检查批准所属的执法主体不在本任务中。", field="cross_region_approval_ids"
            )
        _check_reference(
            session,
            CrossRegionApproval,
            approval_id,
            "cross_region_approval_ids",
            "异地检查批准",
        )


def create_task(session: Session, *, data: TaskData, actor: Actor) -> InspectionTask:
    """Create a draft task; the pre-checks run when the code is requested, not here."""
    actor.require(Permission.TASKS_MANAGE)
    _clean(data)
    if actor.role in AGENCY_ROLES and actor.subject_id not in data.subject_ids:
        raise Forbidden("只能为本单位参与的检查创建任务。")
    try:
        uscc = normalize_uscc(data.enterprise_uscc)
    except IdentifierError as exc:
        raise InvalidInput(exc.reason, field="enterprise_uscc") from exc
    enterprise = session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    if enterprise is None:
        raise InvalidInput(
            f"检查对象名录库中没有统一社会信用代码为 {uscc} 的企业。", field="enterprise_uscc"
        )
    subjects = {
        s.id: s
        for s in session.scalars(
            select(EnforcementSubject).where(EnforcementSubject.id.in_(data.subject_ids))
        )
    }
    if len(subjects) != len(data.subject_ids):
        raise InvalidInput("所选执法主体不存在。", field="subject_ids")
    _check_references(session, data)
    codes_wanted = sorted({c.strip() for c in data.item_codes if c.strip()})
    items = list(
        session.scalars(select(InspectionItem).where(InspectionItem.code.in_(codes_wanted)))
    )
    missing = set(codes_wanted) - {i.code for i in items}
    if missing:
        raise InvalidInput(f"检查事项不存在：{'、'.join(sorted(missing))}。", field="item_codes")
    officers = list(session.scalars(select(Officer).where(Officer.id.in_(set(data.officer_ids)))))
    if len(officers) != len(set(data.officer_ids)):
        raise InvalidInput("所选执法人员不存在。", field="officer_ids")
    lead_id = data.subject_ids[0]
    task = InspectionTask(
        enterprise_id=enterprise.id,
        region_code=enterprise.region_code,
        year=data.window_start.year,
        origin=data.origin,
        plan_entry_id=data.plan_entry_id,
        special_id=data.special_id,
        unplanned_id=data.unplanned_id,
        draw_id=data.draw_id,
        trigger_ref=data.trigger_ref.strip()[:80],
        trigger_reason=data.trigger_reason.strip(),
        method=data.method,
        window_start=data.window_start,
        window_end=data.window_end,
        started_without_code_on=data.started_without_code_on,
        finished_without_code_on=data.finished_without_code_on,
        legal_rep_required=data.legal_rep_required,
        status="draft",
        created_by_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(task)
    session.flush()
    rows: list[Any] = []
    for sid in data.subject_ids:
        rows.append(
            TaskSubject(
                task_id=task.id,
                subject_id=sid,
                lead=sid == lead_id,
                cross_region_approval_id=data.cross_region_approval_ids.get(sid),
            )
        )
    by_field: dict[str, int] = {}
    for sid in data.subject_ids:
        by_field.setdefault(subjects[sid].field, sid)
    for item in items:
        rows.append(
            TaskItem(task_id=task.id, item_id=item.id, subject_id=by_field.get(item.field, lead_id))
        )
    for officer in officers:
        sid = officer.subject_id if officer.subject_id in subjects else lead_id
        rows.append(TaskOfficer(task_id=task.id, officer_id=officer.id, subject_id=sid))
    session.add_all(rows)
    audit.record(
        session,
        actor=actor,
        action="task.create",
        obj=task,
        covers=rows,
        region_code=task.region_code,
        summary=f"创建检查任务：{enterprise.name}，{METHODS[task.method]}，"
        f"{rules.ORIGINS[task.origin]}",
    )
    emit(session, Event.TASK_CREATED, task=task)
    return task


# --- pre-checks and issue ---------------------------------------------------------------------


def _facts(session: Session, b: TaskBundle, today: dt.date) -> rules.TaskFacts:
    return rules.TaskFacts(
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
) -> rules.PrecheckResult:
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
    b: TaskBundle, *, jti: str, number: str, now: dt.datetime, late: bool, valid_from: dt.date
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
        _cap, counted, exempt = rules.cap_terms(s, locked)
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
    claims = claims_for(b, jti=jti, number=number, now=now, late=late, valid_from=valid_from)
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


def get_code(session: Session, *, actor: Actor, number: str) -> tuple[ActionCode, InspectionTask]:
    """A code by its number, if its task is visible to the actor."""
    row = session.execute(
        select(ActionCode, InspectionTask)
        .join(InspectionTask, InspectionTask.id == ActionCode.task_id)
        .where(
            ActionCode.number == number.strip(),
            InspectionTask.id.in_(tasks_visible_to(actor).with_only_columns(InspectionTask.id)),
        )
    ).first()
    if row is None:
        raise NotFound("行政行为码不存在，或不在您的权限范围内。")
    code, task = row
    return code, task


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
        _cap, counted, exempt = rules.cap_terms(s, task)
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


# --- verification (public) --------------------------------------------------------------------


@dataclass
class ScanResult:
    """What the enterprise's scan shows: the offline verdict, the online record, the task."""

    verified: codes.Verified
    code: ActionCode | None = None
    bundle: TaskBundle | None = None

    @property
    def status(self) -> codes.CodeState:
        """The one state of the code: a forged or unknown code first, then the record
        (revoked, used), then the window; only a genuine, recorded, unused code inside its
        window is ``VALID``."""
        if not self.verified.genuine:
            return codes.CodeState.INVALID
        if self.code is None:
            return codes.CodeState.UNKNOWN
        if self.code.status == "revoked":
            return codes.CodeState.REVOKED
        if self.code.status == "used":
            return codes.CodeState.USED
        return self.verified.state

    @property
    def may_enter(self) -> bool:
        """Whether the officers may inspect on this code now."""
        return self.status.may_enter

    @property
    def message(self) -> str:
        """The state and what it means at the door, in one sentence (Chinese)."""
        return f"{self.status.label}：{self.status.advice}"

    @property
    def detail(self) -> str:
        """The fact behind the state (when revoked, used, the window), never another verdict."""
        state, code = self.status, self.code
        if state is codes.CodeState.INVALID:
            return self.verified.reason
        if code is None:
            return "签名真实，但平台没有此码的记录（码标识不存在）。"
        window = f"{code.valid_from:%Y-%m-%d} 至 {code.valid_to:%Y-%m-%d}"
        if state is codes.CodeState.REVOKED:
            return f"此码已于 {format_local(code.revoked_at)} 被撤销。"
        if state is codes.CodeState.USED:
            return f"本次检查已于 {format_local(code.used_at)} 完成，此码已使用。"
        if state is codes.CodeState.EXPIRED:
            return f"检查时间窗口（{window}）已经结束。"
        if state is codes.CodeState.NOT_YET:
            return f"检查时间窗口为 {window}，尚未开始。"
        return f"签名真实，且在检查时间窗口内（{window}）。"


def verify_token(
    session: Session, token: str, *, now: dt.datetime | None = None, details: bool = True
) -> ScanResult:
    """Verify a token: signature and window offline, then use/revocation online."""
    verified = codes.verify(token, codes.keys_from_db(session), at=now or utcnow())
    result = ScanResult(verified)
    if not verified.genuine:
        return result
    result.code = session.scalar(
        select(ActionCode).where(ActionCode.jti == verified.claims.get("jti"))
    )
    if result.code is not None and details:
        task = session.get(InspectionTask, result.code.task_id)
        assert task is not None
        result.bundle = bundle(session, task, checklists=True)
    return result


def scan_url(base: str, token: str) -> str:
    """The URL a code's QR encodes."""
    return f"{base.rstrip('/')}/v/{token}"


# --- form choices ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FormChoices:
    """What the task form offers an agency user: their subject's officers and items."""

    subject: EnforcementSubject
    officers: list[Officer]
    qualified_ids: set[int]
    items: list[InspectionItem]


def form_choices(session: Session, *, actor: Actor, on: dt.date | None = None) -> FormChoices:
    """Officers (with who may inspect on ``on``) and published items of the actor's subject."""
    from wurao.registry.items.service import items_visible_to
    from wurao.registry.officers.service import who_may_inspect

    actor.require(Permission.TASKS_MANAGE)
    if actor.subject_id is None:
        raise Forbidden("只有执法主体的用户可以创建检查任务。")
    subject = session.get(EnforcementSubject, actor.subject_id)
    if subject is None:
        raise NotFound("执法主体不存在。")
    officers = list(
        session.scalars(
            select(Officer)
            .where(Officer.subject_id == subject.id, Officer.active.is_(True))
            .order_by(Officer.kind.desc(), Officer.name)
            .limit(300)
        )
    )
    qualified = {
        o.id for o in who_may_inspect(session, subject_id=subject.id, on=on or local_today())
    }
    items = list(
        session.scalars(
            items_visible_to(actor)
            .where(InspectionItem.field == subject.field, InspectionItem.status == "published")
            .order_by(InspectionItem.code)
            .limit(300)
        )
    )
    return FormChoices(subject, officers, qualified, items)
