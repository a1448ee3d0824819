"""一公开: a draw's results, their publication within the C6 deadline, and the late list.

C6: results are published within 20 working days of the inspection, warned at 15 (both from
the policy file, as in force on the finishing day). Both periods are the clocks of
``wurao.core.clock`` that the supervision sweep also uses, so the page, the late list and the
alert cannot disagree. The public portal lists drawn draws and their published results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter, region_in_scope
from wurao.core import audit, clock, workdays
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.core.ids import IdentifierError, region_scope_prefix
from wurao.core.paging import PER_PAGE, Page, paginate, paginate_list, paginate_rows
from wurao.core.time import LOCAL_TZ, local_date, utcnow
from wurao.inspections.models import InspectionRecord, InspectionTask, TaskSubject
from wurao.registry.models import Enterprise
from wurao.sampling.models import Draw

OUTCOMES = {"none": "未发现问题", "rectify": "责令整改", "case": "移送立案"}


@dataclass(frozen=True)
class Deadline:
    """When a finished result must be published (C6): the warning day and the last day."""

    finished_on: dt.date
    warn_on: dt.date
    due_on: dt.date


def publish_deadline(region_code: str, finished_on: dt.date) -> Deadline:
    """The C6 deadline for a result finished on ``finished_on`` (raises UnknownCalendarYear)."""
    return Deadline(
        finished_on,
        clock.C6_WARN.deadline(finished_on, region_code),
        clock.C6_PUBLISH.deadline(finished_on, region_code),
    )


# --- public --------------------------------------------------------------------------------


def _public() -> Select[Draw]:
    # a draft cancelled before its freeze committed nothing and published nothing
    return select(Draw).where(Draw.frozen_at.is_not(None))


def list_public_draws(
    session: Session, *, region: str = "", page: int = 1, per_page: int = PER_PAGE
) -> Page[Draw]:
    """Frozen, drawn and cancelled draws, for everyone."""
    stmt = _public()
    if region.strip():
        try:
            prefix = region_scope_prefix(region.strip())
        except IdentifierError as exc:
            raise InvalidInput(str(exc), field="region") from None
        stmt = stmt.where(region_in_scope(Draw.region_code, prefix))
    return paginate(session, stmt.order_by(Draw.id.desc()), page, per_page)


def get_public_draw(session: Session, *, draw_id: int) -> Draw:
    """One public draw."""
    draw = session.scalar(_public().where(Draw.id == draw_id))
    if draw is None:
        raise NotFound("抽查不存在或尚未公开。")
    return draw


# --- results (一公开) ------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    """A drawn enterprise's task, its record and its C6 state."""

    task: InspectionTask
    enterprise: Enterprise
    record: InspectionRecord | None
    state: str  # open / pending / warn / overdue / published / error
    deadline: Deadline | None = None
    overdue_days: int = 0
    error: str = ""


def _result_state(
    task: InspectionTask, record: InspectionRecord | None, today: dt.date
) -> tuple[str, Deadline | None, int, str]:
    if record is None or record.finished_at is None:
        return "open", None, 0, ""
    try:
        deadline = publish_deadline(task.region_code, local_date(record.finished_at))
    except workdays.UnknownCalendarYear as exc:
        return ("published" if record.published_at else "error"), None, 0, exc.message
    if record.published_at is not None:
        return "published", deadline, 0, ""
    if today > deadline.due_on:
        overdue = clock.C6_PUBLISH.overdue_by(deadline.finished_on, task.region_code, today)
        return "overdue", deadline, overdue, ""
    return ("warn" if today > deadline.warn_on else "pending"), deadline, 0, ""


def draw_results(
    session: Session,
    *,
    draw: Draw,
    today: dt.date,
    published_only: bool = False,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[ResultRow]:
    """A page of the draw's tasks with their records and publication state."""
    stmt = (
        select(InspectionTask, Enterprise, InspectionRecord)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .outerjoin(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
        .where(InspectionTask.draw_id == draw.id)
    )
    if published_only:
        stmt = stmt.where(InspectionRecord.published_at.is_not(None))
    found = paginate_rows(session, stmt.order_by(Enterprise.uscc), page, per_page)
    out = []
    for task, ent, rec in found.items:
        state, deadline, days, error = _result_state(task, rec, today)
        out.append(ResultRow(task, ent, rec, state, deadline, days, error))
    return found.with_items(out)


def publish_result(session: Session, *, task: InspectionTask, actor: Actor) -> InspectionRecord:
    """Publish a finished draw task's result (谁检查、谁录入、谁公开, C6)."""
    actor.require(Permission.DRAWS_MANAGE)
    if task.draw_id is None:
        raise Conflict("只有双随机抽查任务的结果在此公示。")
    ours = session.scalar(
        select(TaskSubject.subject_id).where(
            TaskSubject.task_id == task.id, TaskSubject.subject_id == actor.subject_id
        )
    )
    if ours is None and actor.role is not Role.SYSADMIN:
        raise Forbidden("只有参与检查的执法主体可以公示检查结果。")
    record = session.scalar(select(InspectionRecord).where(InspectionRecord.task_id == task.id))
    if record is None or record.finished_at is None:
        raise Conflict("检查笔录尚未完成，不能公示结果。")
    if record.outcome not in OUTCOMES:
        raise Conflict("检查笔录没有检查结论（未发现问题、责令整改或移送立案），不能公示。")
    if record.published_at is not None:
        raise Conflict("该检查结果已公示。")
    before = audit.snapshot(record)
    record.published_at = utcnow()
    audit.record(session, actor=actor, action="draw.result_publish", obj=record, before=before,
                 region_code=task.region_code,
                 summary=f"公示双随机抽查结果：{OUTCOMES[record.outcome]}")  # fmt: skip
    return record


def get_draw_task(session: Session, *, draw: Draw, task_id: int) -> InspectionTask:
    """A task of the draw."""
    task = session.get(InspectionTask, task_id)
    if task is None or task.draw_id != draw.id:
        raise NotFound("该抽查没有这个检查任务。")
    return task


def late_results(
    session: Session, *, actor: Actor, today: dt.date, page: int = 1, per_page: int = PER_PAGE
) -> Page[ResultRow]:
    """Finished draw results in the supervisor's region not published by the deadline (C6)."""
    actor.require(Permission.DRAWS_SUPERVISE)
    # nothing finished after the shortest period ever in force can be late yet (as the sweep)
    days = clock.C6_PUBLISH.shortest(today)
    cutoff = dt.datetime.combine(today - dt.timedelta(days=days), dt.time(), LOCAL_TZ)
    rows = session.execute(
        select(InspectionTask, Enterprise, InspectionRecord)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .join(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
        .where(
            region_filter(actor, InspectionTask.region_code),
            InspectionTask.origin == "draw",
            InspectionRecord.finished_at.is_not(None),
            InspectionRecord.finished_at < cutoff,
            InspectionRecord.published_at.is_(None),
        )
        .order_by(InspectionRecord.finished_at, InspectionTask.id)
    )
    late = []
    for task, ent, rec in rows:
        state, deadline, overdue, error = _result_state(task, rec, today)
        if state in ("overdue", "error"):
            late.append(ResultRow(task, ent, rec, state, deadline, overdue, error))
    # the state depends on each region's working-day calendar: filtered here, paged in memory
    return paginate_list(late, page, per_page)
