"""Inspection tasks: the scoped reads and the bundle every later step loads.

A task is created in ``creation``; its 行政行为码 is pre-checked, issued, revoked and used in
``issuing``; the enterprise's scan checks it in ``verification``. Each step starts from a task
read here, through ``tasks_visible_to`` (the actor's scope) and ``bundle`` (the task with
everything around it, loaded in a handful of queries).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, exists, false, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import AGENCY_ROLES, Permission
from wurao.auth.scope import Actor, region_filter
from wurao.core.errors import InvalidInput, NotFound
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.inspections.models import (
    ActionCode,
    InspectionTask,
    TaskItem,
    TaskOfficer,
    TaskSubject,
)
from wurao.inspections.statuses import TASK_STATUSES
from wurao.registry.items.service import checklists_of
from wurao.registry.models import (
    ChecklistLine,
    EnforcementSubject,
    Enterprise,
    InspectionItem,
    Officer,
)

STATUSES = TASK_STATUSES  # the task list's filter and labels


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
