"""Supervision rules on how one inspection is carried out: uncertified or auxiliary staff
(A2), late or missing codes (A4) and inspections outside the subject's area without approval
(A8). Registered in ``wurao.oversight.rules``.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from wurao.inspections import cross_region
from wurao.inspections.models import (
    ActionCode,
    InspectionRecord,
    InspectionTask,
    TaskItem,
    TaskOfficer,
    TaskSubject,
)
from wurao.oversight.rule_base import STARTED_TASK, Context, Finding, cite, lead_subjects
from wurao.registry.models import EnforcementSubject, Enterprise, Officer
from wurao.registry.officers.service import officer_problems

# --- A2: uncertified or auxiliary staff ---------------------------------------------------


def uncertified(session: Session, ctx: Context) -> Iterator[Finding]:
    on = InspectionTask.window_start
    bad = or_(
        Officer.kind != "officer",
        Officer.cert_no.is_(None),
        Officer.cert_valid_from.is_(None),
        Officer.cert_valid_to.is_(None),
        Officer.cert_valid_from > on,
        Officer.cert_valid_to < on,
    )
    rows = session.execute(
        select(InspectionTask, Officer)
        .join(TaskOfficer, TaskOfficer.task_id == InspectionTask.id)
        .join(Officer, Officer.id == TaskOfficer.officer_id)
        .where(ctx.tasks(InspectionTask.id), InspectionTask.status != "cancelled", bad)
    ).all()
    for task, officer in rows:
        problems = [p.detail for p in officer_problems(officer, task.window_start)]
        yield Finding(
            dedup_key=f"A2:{task.id}:{officer.id}",
            region_code=task.region_code,
            subject_id=officer.subject_id,
            enterprise_id=task.enterprise_id,
            task_id=task.id,
            detail="；".join(problems) or f"{officer.name}在检查日无有效执法资格。",
            evidence=[
                cite("task", task.id, f"检查任务 {task.id}"),
                cite("officer", officer.id, officer.name),
            ],
        )


# --- A4: late or missing codes ------------------------------------------------------------


def codes(session: Session, ctx: Context) -> Iterator[Finding]:
    late = session.execute(
        select(InspectionTask.id, InspectionTask.region_code, ActionCode.id, ActionCode.number)
        .join(ActionCode, ActionCode.task_id == InspectionTask.id)
        .where(ctx.tasks(InspectionTask.id), ActionCode.late.is_(True))
    ).all()
    missing = session.execute(
        select(InspectionTask.id, InspectionTask.region_code)
        .outerjoin(ActionCode, ActionCode.task_id == InspectionTask.id)
        .outerjoin(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
        .where(
            ctx.tasks(InspectionTask.id),
            ActionCode.id.is_(None),
            or_(
                InspectionTask.status.in_(STARTED_TASK),
                InspectionRecord.finished_at.is_not(None),
            ),
        )
    ).all()
    leads = lead_subjects(session, [r[0] for r in late] + [r[0] for r in missing])
    for task, region, code, number in late:
        yield Finding(
            dedup_key=f"A4L:{task}",
            region_code=region,
            subject_id=leads.get(task),
            task_id=task,
            detail=f"检查任务 {task} 的行政行为码 {number} 为事后补码。",
            evidence=[cite("task", task, f"检查任务 {task}"), cite("code", code, number)],
        )
    for task, region in missing:
        yield Finding(
            dedup_key=f"A4M:{task}",
            region_code=region,
            subject_id=leads.get(task),
            task_id=task,
            detail=f"检查任务 {task} 已实施或已办结，但没有行政行为码（无码不查、无码无效）。",
            evidence=[cite("task", task, f"检查任务 {task}")],
        )


# --- A8: 异地检查 without approval --------------------------------------------------------


def remote(session: Session, ctx: Context) -> Iterator[Finding]:
    # The subject's scope prefix as wurao.core.ids.region_scope_prefix draws it: a province
    # (xx0000) 2 digits, a prefecture (xxxx00) 4, a county or town its whole code. The few
    # remote pairs are then checked one by one against the recorded approvals, as pre-check
    # A8 checks them (inspections.cross_region: one definition of a covering approval).
    rc = EnforcementSubject.region_code
    plen = case(
        (and_(func.length(rc) == 6, func.substr(rc, 3, 4) == "0000"), 2),
        (and_(func.length(rc) == 6, func.substr(rc, 5, 2) == "00"), 4),
        else_=func.length(rc),
    )
    rows = session.execute(
        select(InspectionTask, TaskSubject.cross_region_approval_id, EnforcementSubject)
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .join(EnforcementSubject, EnforcementSubject.id == TaskSubject.subject_id)
        .where(
            ctx.tasks(InspectionTask.id),
            InspectionTask.status != "cancelled",
            func.substr(InspectionTask.region_code, 1, plen) != func.substr(rc, 1, plen),
            # an approval bound at the code was checked then (issue_code); drafts and codes
            # without one are checked here
            or_(
                InspectionTask.status == "draft",
                TaskSubject.cross_region_approval_id.is_(None),
            ),
        )
    ).all()
    for task, approval_id, subject in rows:
        enterprise = session.get(Enterprise, task.enterprise_id)
        assert enterprise is not None
        items = session.scalars(
            select(TaskItem.item_id).where(
                TaskItem.task_id == task.id, TaskItem.subject_id == subject.id
            )
        ).all()
        start = task.started_without_code_on or task.window_start
        visit = cross_region.Visit(
            subject=subject,
            enterprise=enterprise,
            item_ids=tuple(items),
            start=start,
            end=task.window_end,
            approved_by=ctx.today if task.started_without_code_on else start,
        )
        approval, problems = cross_region.covering(session, visit, approval_id=approval_id)
        if approval is not None:
            continue
        yield Finding(
            dedup_key=f"A8:{task.id}:{subject.id}",
            region_code=task.region_code,
            subject_id=subject.id,
            enterprise_id=task.enterprise_id,
            task_id=task.id,
            detail=f"检查对象所在地 {task.region_code} 不在本主体管辖范围内，且无有效的异地检查"
            "批准：" + "；".join(v.detail for v in problems),
            evidence=[cite("task", task.id, f"检查任务 {task.id}")]
            + [
                cite("cross_region_approval", int(str(v.evidence["approval_id"])), "异地检查批准")
                for v in problems[:1]
                if "approval_id" in v.evidence
            ],
        )
