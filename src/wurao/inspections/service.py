"""Inspection tasks: the scoped reads and the bundle every later step loads.

A task is created in ``creation``; its 行政行为码 is pre-checked, issued, revoked and used in
``issuing``; the enterprise's scan checks it in ``verification``. Each step starts from a task
read here, through ``tasks_visible_to`` (the actor's scope) and ``bundle`` (the task with
everything around it, loaded in two statements).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Select, exists, false, select
from sqlalchemy.orm import QueryableAttribute, Session

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
from wurao.registry.models import (
    ChecklistLine,
    EnforcementSubject,
    Enterprise,
    InspectionItem,
    Officer,
)

STATUSES = TASK_STATUSES  # the task list's filter and labels
Ts = TypeVarTuple("Ts")


@dataclass
class TaskBundle:
    """A task with everything around it, loaded in two statements (no lazy loading)."""

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


def with_people(stmt: Select[*Ts]) -> Select[*tuple[Any, ...]]:
    """Add a task's subjects and officers to a statement over ``inspection_task``: one row per
    (subject, officer) pair, subjects lead first, officers by name within each subject."""
    return (
        stmt.add_columns(TaskSubject, EnforcementSubject, TaskOfficer, Officer)
        .outerjoin(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .outerjoin(EnforcementSubject, EnforcementSubject.id == TaskSubject.subject_id)
        .outerjoin(TaskOfficer, TaskOfficer.task_id == InspectionTask.id)
        .outerjoin(Officer, Officer.id == TaskOfficer.officer_id)
        .order_by(TaskSubject.lead.desc(), EnforcementSubject.id, Officer.name, Officer.id)
    )


def assemble_bundle(
    session: Session,
    task: InspectionTask,
    enterprise: Enterprise,
    code: ActionCode | None,
    people: Sequence[Sequence[Any]],
    checklists: bool,
) -> TaskBundle:
    """The bundle from the (subject, officer) rows of ``with_people``, plus one statement for
    the items (with their checklist lines when asked, ordered as ``checklists_of`` does)."""
    subjects: dict[int, tuple[TaskSubject, EnforcementSubject]] = {}
    officers: dict[int, tuple[TaskOfficer, Officer]] = {}
    for ts, s, to, o in people:  # the product repeats each: keep first sightings, in order
        if ts is not None:
            subjects.setdefault(s.id, (ts, s))
        if to is not None:
            officers.setdefault(o.id, (to, o))
    out = TaskBundle(
        task=task,
        enterprise=enterprise,
        subjects=[s for _, s in subjects.values()],
        task_subjects={t.subject_id: t for t, _ in subjects.values()},
        items=[],
        officers=list(officers.values()),
        code=code,
    )
    stmt = (
        select(TaskItem, InspectionItem)
        .join(InspectionItem, InspectionItem.id == TaskItem.item_id)
        .where(TaskItem.task_id == task.id)
        .order_by(InspectionItem.code, InspectionItem.id)
    )
    if not checklists:
        out.items = [(a, b) for a, b in session.execute(stmt)]
        return out
    with_lines = (
        stmt.add_columns(ChecklistLine)
        .outerjoin(ChecklistLine, ChecklistLine.item_id == InspectionItem.id)
        .order_by(ChecklistLine.seq)
    )
    for ti, item, line in session.execute(with_lines):
        lines = out.checklists.get(item.id)
        if lines is None:
            out.items.append((ti, item))
            lines = out.checklists[item.id] = []
        if line is not None:
            lines.append(line)
    return out


def bundle(session: Session, task: InspectionTask, *, checklists: bool = False) -> TaskBundle:
    """Load everything around a task already loaded (no visibility check: callers do that),
    in two statements: enterprise, code, subjects and officers; then the items."""
    rows = session.execute(
        with_people(
            select(Enterprise, ActionCode)
            .select_from(InspectionTask)
            .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
            .outerjoin(ActionCode, ActionCode.task_id == InspectionTask.id)
            .where(InspectionTask.id == task.id)
        )
    ).all()
    assert rows, f"task {task.id} is not in the database"
    enterprise, code = rows[0][0], rows[0][1]
    return assemble_bundle(session, task, enterprise, code, [r[2:] for r in rows], checklists)


def bundle_of_code(
    session: Session,
    where: ColumnElement[bool],
    *,
    columns: Sequence[QueryableAttribute[Any]] = (),
    checklists: bool = False,
) -> tuple[tuple[Any, ...], TaskBundle] | None:
    """The bundle of the task of the code matching ``where`` (no visibility check), in two
    statements; ``columns`` of ``action_code`` are read fresh in the first and returned."""
    n = len(columns)
    rows = session.execute(
        with_people(
            select(*columns, ActionCode, InspectionTask, Enterprise)
            .join_from(ActionCode, InspectionTask, InspectionTask.id == ActionCode.task_id)
            .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
            .where(where)
        )
    ).all()
    if not rows:
        return None
    first = tuple(rows[0])
    code, task, enterprise = first[n : n + 3]
    people = [tuple(r)[n + 3 :] for r in rows]
    return first[:n], assemble_bundle(session, task, enterprise, code, people, checklists)


def get_task(session: Session, *, actor: Actor, task_id: int, lock: bool = False) -> InspectionTask:
    """One task, if visible to the actor; ``lock``: read afresh and locked for the rest of the
    transaction (``issuing.issue_code(..., locked=True)``: one statement, not a read then a
    lock)."""
    stmt = tasks_visible_to(actor).where(InspectionTask.id == task_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    task = session.scalar(stmt)
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
