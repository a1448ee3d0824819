"""综合查一次 proposals, the decisions: each subject of a merge accepts or declines it; when all
have accepted, one joint task with one code replaces the merged tasks (A6: 能合并不重复、能联合不
多头; 衢政办发〔2025〕16号 第5项); and 委托查, one subject asking another to inspect for it.
"""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import AGENCY_ROLES, Permission
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.errors import Conflict, Forbidden, InvalidInput
from wurao.core.text import NOTE, text_problem
from wurao.core.time import utcnow
from wurao.inspections import creation
from wurao.inspections.models import (
    ActionCode,
    InspectionTask,
    TaskDelegation,
    TaskItem,
    TaskOfficer,
    TaskSubject,
)
from wurao.joint.models import JointMerge, JointPart
from wurao.joint.proposal_reads import merge_views
from wurao.joint.proposals import DEFAULT_TEAM
from wurao.planning.models import PlanEntry
from wurao.registry.officers.service import who_may_inspect


def decide(
    session: Session,
    *,
    actor: Actor,
    merge: JointMerge,
    accept: bool,
    reason: str = "",
) -> JointMerge:
    """The actor's subject accepts or declines a merge; the last acceptance applies it."""
    actor.require(Permission.TASKS_MANAGE)
    if actor.role not in AGENCY_ROLES or actor.subject_id is None:
        raise Forbidden("由参与联合检查的执法主体确认或拒绝。")
    # Two subjects accepting at once: the second waits, then sees the first's decision.
    merge = session.scalars(
        select(JointMerge)
        .where(JointMerge.id == merge.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if merge.status != "proposed":
        raise Conflict("该联合检查建议已处理完毕。")
    reason = reason.strip()
    problem = text_problem(reason, "理由", NOTE)
    if problem:
        raise InvalidInput(problem, field="reason")
    if not accept and not reason:
        raise InvalidInput("拒绝联合检查须写明理由。", field="reason")
    parts = list(session.scalars(select(JointPart).where(JointPart.merge_id == merge.id)))
    mine = [p for p in parts if p.subject_id == actor.subject_id]
    if not mine:
        raise Forbidden("本单位不在该联合检查建议中。")
    if all(p.decision for p in mine):
        raise Conflict("本单位已对该建议作出决定。")
    now = utcnow()
    befores = [(p, audit.snapshot(p)) for p in mine]
    for p in mine:
        p.decision = "accepted" if accept else "declined"
        p.reason, p.decided_by_id, p.decided_at = reason, actor.user_id, now
    merge_before = audit.snapshot(merge)
    if not accept:
        merge.status = "declined"
    for p, before in befores:
        audit.record(
            session,
            actor=actor,
            action="joint.decide",
            obj=p,
            before=before,
            summary=f"{'同意' if accept else '拒绝'}联合检查建议 #{merge.id}"
            + (f"：{reason}" if reason else ""),
        )
    if not accept:
        audit.record(
            session,
            actor=actor,
            action="joint.decline",
            obj=merge,
            before=merge_before,
            summary=f"联合检查建议 #{merge.id} 被拒绝",
        )
    elif all(p.decision == "accepted" for p in parts):
        apply_merge(session, actor=actor, merge=merge, parts=parts)
    return merge


def apply_merge(
    session: Session, *, actor: Actor, merge: JointMerge, parts: list[JointPart]
) -> InspectionTask:
    """Create the one joint task of an accepted merge and cancel the tasks it replaces."""
    view = merge_views(session, [merge])[0]
    originals = {
        t.id: t
        for t in session.scalars(
            select(InspectionTask)
            .where(InspectionTask.id.in_([p.task_id for p in parts if p.task_id]))
            .with_for_update()
        )
    }
    for t in originals.values():
        if t.status != "draft" or session.scalar(
            select(ActionCode.id).where(ActionCode.task_id == t.id)
        ):
            raise Conflict(f"检查任务 #{t.id} 已赋码或已不在待赋码状态，不能再并入联合检查。")
    officer_ids: list[int] = []
    if originals:
        officer_ids = list(
            session.scalars(
                select(TaskOfficer.officer_id).where(TaskOfficer.task_id.in_(list(originals)))
            )
        )
    planned_only = {p.subject_id for p in parts} - {
        p.subject_id for p in parts if p.task_id is not None
    }
    entries = {
        e.id: e
        for e in session.scalars(
            select(PlanEntry).where(
                PlanEntry.id.in_([p.plan_entry_id for p in parts if p.plan_entry_id])
            )
        )
    }
    for sid in sorted(planned_only):
        team = max(
            (
                entries[p.plan_entry_id].officers_per_team
                for p in parts
                if p.subject_id == sid and p.plan_entry_id in entries
            ),
            default=DEFAULT_TEAM,
        )
        chosen = who_may_inspect(session, subject_id=sid, on=merge.visit_date)[: max(team, 2)]
        officer_ids += [o.id for o in chosen]
    lead_task = next(
        (
            originals[p.task_id]
            for p in parts
            if p.subject_id == merge.lead_subject_id and p.task_id in originals
        ),
        next(iter(originals.values()), None),
    )
    lead_entry = next(
        (p.plan_entry_id for p in parts if p.subject_id == merge.lead_subject_id), None
    )
    data = creation.TaskData(
        enterprise_uscc=view.enterprise.uscc,
        subject_ids=view.subject_ids,
        item_codes=sorted({i.code for _, i in view.items}),
        officer_ids=list(dict.fromkeys(officer_ids)),
        method=merge.method,
        origin=lead_task.origin if lead_task is not None else "plan",
        window_start=merge.window_start,
        window_end=merge.window_end,
        plan_entry_id=lead_task.plan_entry_id if lead_task is not None else lead_entry,
        special_id=lead_task.special_id if lead_task is not None else None,
        unplanned_id=lead_task.unplanned_id if lead_task is not None else None,
        draw_id=lead_task.draw_id if lead_task is not None else None,
        trigger_ref=lead_task.trigger_ref if lead_task is not None else "",
        trigger_reason=lead_task.trigger_reason if lead_task is not None else "",
    )
    task = creation.create_task(session, data=data, actor=actor)
    for t in originals.values():
        before = audit.snapshot(t)
        t.status = "cancelled"
        audit.record(
            session,
            actor=actor,
            action="task.cancel",
            obj=t,
            before=before,
            region_code=t.region_code,
            summary=f"并入联合检查任务 #{task.id}（综合查一次建议 #{merge.id}）",
        )
    before = audit.snapshot(merge)
    merge.status, merge.joint_task_id = "accepted", task.id
    audit.record(
        session,
        actor=actor,
        action="joint.apply",
        obj=merge,
        before=before,
        region_code=task.region_code,
        summary=f"各主体均同意：联合检查任务 #{task.id}，{len(originals)} 个任务并入",
    )
    return task


# --- 委托查 ---------------------------------------------------------------------------------


def delegate(
    session: Session,
    *,
    actor: Actor,
    merge: JointMerge,
    to_subject_id: int,
    item_ids: list[int],
    note: str = "",
) -> TaskDelegation:
    """委托查: the actor's subject asks another subject of the joint task to check its items."""
    actor.require(Permission.TASKS_MANAGE)
    if merge.status != "accepted" or merge.joint_task_id is None:
        raise Conflict("联合检查任务生成后才能委托查。")
    problem = text_problem(note, "委托说明", NOTE)
    if problem:
        raise InvalidInput(problem, field="note")
    task_id = merge.joint_task_id
    subjects = set(
        session.scalars(select(TaskSubject.subject_id).where(TaskSubject.task_id == task_id))
    )
    if actor.subject_id not in subjects:
        raise Forbidden("只有联合检查的参与主体可以委托查。")
    if to_subject_id not in subjects or to_subject_id == actor.subject_id:
        raise InvalidInput("受托主体须是本次联合检查的其他参与主体。", field="to_subject_id")
    own = set(
        session.scalars(
            select(TaskItem.item_id).where(
                and_(TaskItem.task_id == task_id, TaskItem.subject_id == actor.subject_id)
            )
        )
    )
    if not item_ids or not set(item_ids) <= own:
        raise InvalidInput("请选择本单位在本次检查中的检查事项。", field="item_ids")
    row = TaskDelegation(
        task_id=task_id,
        from_subject_id=actor.subject_id,
        to_subject_id=to_subject_id,
        item_ids=",".join(str(i) for i in sorted(set(item_ids))),
        note=note.strip(),
        created_by_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(row)
    audit.record(
        session,
        actor=actor,
        action="joint.delegate",
        obj=row,
        summary=f"委托查：联合检查任务 #{task_id}，{len(set(item_ids))} 项事项委托其他主体代为检查",
    )
    return row


def delegations_of(session: Session, task_id: int) -> list[TaskDelegation]:
    """委托查 entries of a joint task."""
    return list(
        session.scalars(
            select(TaskDelegation)
            .where(TaskDelegation.task_id == task_id)
            .order_by(TaskDelegation.id)
        )
    )
