"""Changing a task before its code: edit a draft's window, officers and reason, or cancel it.

Only a draft (待赋码) changes: once coded, the code's signed claims name the window and the
officers, so the task is frozen and is cancelled by revoking its code
(``code_changes.revoke_code``).
Who may change a draft is who may ask for its code (``issuing.may_issue_code``: the task
permission of creation, and an agency user only for a task of their subject); the values are
checked by the creation's own checks (``creation.check_values``), and the officers' qualification
(A2, B1) by the pre-checks, as for a new task.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import AGENCY_ROLES, Permission
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.errors import Conflict, Forbidden, InvalidInput
from wurao.core.events import Event, emit
from wurao.core.models import AuditEntry
from wurao.core.text import NOTE, text_problem
from wurao.inspections import creation
from wurao.inspections.models import InspectionTask, TaskOfficer
from wurao.inspections.service import TaskBundle, bundle
from wurao.inspections.statuses import TASK_STATUSES, TaskStatus
from wurao.registry.models import Officer
from wurao.registry.officers.service import who_may_inspect

CANCEL_SUMMARY = "取消检查任务（未赋码）："


@dataclass(frozen=True)
class TaskEdit:
    """What a draft's edit may change."""

    window_start: dt.date
    window_end: dt.date
    officer_ids: list[int]
    trigger_reason: str = ""


def may_change(actor: Actor, b: TaskBundle) -> bool:
    """Whether the actor may edit or cancel this task now (a draft without a code)."""
    return (
        actor.can(Permission.TASKS_MANAGE)
        and (actor.role not in AGENCY_ROLES or actor.subject_id in b.task_subjects)
        and b.code is None
        and b.task.status == TaskStatus.DRAFT.value
    )


def _require_change(actor: Actor, b: TaskBundle, verb: str) -> None:
    actor.require(Permission.TASKS_MANAGE)
    if actor.role in AGENCY_ROLES and actor.subject_id not in b.task_subjects:
        raise Forbidden(f"只能{verb}本单位参与的检查任务。")
    status = b.task.status
    if status == TaskStatus.DRAFT.value and b.code is None:
        return
    if status == TaskStatus.CODED.value:
        raise Conflict(
            f"该任务已赋码，不能{verb}：行政行为码已签发，任务内容随码固定。"
            f"如需取消，请在任务页（/tasks/{b.task.id}）“行政行为码”一栏撤销此码，"
            "撤销后任务即取消。"
        )
    label = TASK_STATUSES.get(status, status)
    raise Conflict(f"该任务当前状态为“{label}”，不能{verb}。")


def _officers(session: Session, ids: list[int]) -> list[Officer]:
    officers = list(session.scalars(select(Officer).where(Officer.id.in_(set(ids)))))
    if len(officers) != len(set(ids)):
        raise InvalidInput("所选执法人员不存在。", field="officer_ids")
    return officers


def edit_task(
    session: Session, *, actor: Actor, task: InspectionTask, edit: TaskEdit
) -> InspectionTask:
    """Change a draft's window, officers and reason (the creation's checks apply)."""
    b = bundle(session, task)
    _require_change(actor, b, "修改")
    data = creation.TaskData(
        enterprise_uscc=b.enterprise.uscc,
        subject_ids=[s.id for s in b.subjects],
        item_codes=[i.code for _, i in b.items],
        officer_ids=edit.officer_ids,
        method=task.method,
        origin=task.origin,
        window_start=edit.window_start,
        window_end=edit.window_end,
        trigger_ref=task.trigger_ref,
        trigger_reason=edit.trigger_reason,
        started_without_code_on=task.started_without_code_on,
        finished_without_code_on=task.finished_without_code_on,
    )
    creation.check_values(data)  # the very checks of a new task's values
    officers = _officers(session, data.officer_ids)
    before = audit.snapshot(task)
    task.window_start, task.window_end = data.window_start, data.window_end
    task.year = data.window_start.year
    task.trigger_reason = data.trigger_reason.strip()
    wanted = {o.id: o for o in officers}
    kept = {to.officer_id for to, _ in b.officers}
    gone = [to for to, _ in b.officers if to.officer_id not in wanted]
    for to in gone:
        session.delete(to)
    lead_id = b.lead.id
    added = [
        TaskOfficer(
            task_id=task.id,
            officer_id=o.id,
            subject_id=o.subject_id if o.subject_id in b.task_subjects else lead_id,
        )
        for oid, o in wanted.items()
        if oid not in kept
    ]
    session.add_all(added)
    audit.record(
        session,
        actor=actor,
        action="task.edit",
        obj=task,
        before=before,
        covers=[*gone, *added],
        region_code=task.region_code,
        summary=f"修改检查任务：时间窗口 {task.window_start} 至 {task.window_end}，"
        f"执法人员 {'、'.join(o.name for o in officers)}",
    )
    emit(session, Event.TASK_EDITED, task=task)  # the supervision rules a new task meets
    return task


def cancel_task(session: Session, *, actor: Actor, task: InspectionTask, reason: str) -> None:
    """Cancel a draft task, with its reason (a coded one: revoke its code instead)."""
    problem = text_problem(reason, "取消理由", NOTE)
    if problem:
        raise InvalidInput(problem, field="reason")
    if not reason.strip():
        raise InvalidInput("请写明取消理由。", field="reason")
    b = bundle(session, task)
    _require_change(actor, b, "取消")
    before = audit.snapshot(task)
    task.status = TaskStatus.CANCELLED.value
    audit.record(
        session,
        actor=actor,
        action="task.cancel",
        obj=task,
        before=before,
        region_code=task.region_code,
        summary=f"{CANCEL_SUMMARY}{reason.strip()}",
    )


@dataclass(frozen=True)
class Cancellation:
    """Who cancelled a draft task, when, and why — read from the audit entry of the cancel,
    the one place the reason is kept."""

    by: str
    at: dt.datetime
    reason: str


def cancellation(session: Session, task: InspectionTask) -> Cancellation | None:
    """The cancel of ``task``, if it was cancelled as a draft (a coded task is cancelled by
    revoking its code, whose reason the code keeps)."""
    if task.status != TaskStatus.CANCELLED.value:
        return None
    entry = session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.action == "task.cancel",  # indexed; few entries
            AuditEntry.object_type == InspectionTask.__tablename__,
            AuditEntry.object_id == str(task.id),
        )
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()
    if entry is None:
        return None
    return Cancellation(entry.actor_name, entry.at, entry.summary.removeprefix(CANCEL_SUMMARY))


@dataclass(frozen=True)
class EditChoices:
    """The officers the edit form offers: those of the task's subjects, and who may inspect
    on the window's first day."""

    officers: list[Officer]
    qualified_ids: set[int]


def edit_choices(session: Session, *, actor: Actor, b: TaskBundle) -> EditChoices:
    """The edit form's officers (the actor must be allowed to change the task)."""
    _require_change(actor, b, "修改")
    ids = list(b.task_subjects)
    officers = list(
        session.scalars(
            select(Officer)
            .where(Officer.subject_id.in_(ids), Officer.active.is_(True))
            .order_by(Officer.kind.desc(), Officer.name)
            .limit(300)
        )
    )
    qualified = {
        o.id
        for sid in ids
        for o in who_may_inspect(session, subject_id=sid, on=b.task.window_start)
    }
    return EditChoices(officers, qualified)
