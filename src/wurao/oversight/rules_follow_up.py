"""Supervision rules on what surrounds and follows inspections: unplanned inspections not
filed (L1), special inspections over quota (A7), 双随机 results not published in time (C6),
enterprise evaluations and reports of code-less inspections (F2), and indicators moving the
wrong way (F8). Registered in ``wurao.oversight.rules``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from wurao.core import clock, workdays
from wurao.core.time import LOCAL_TZ, local_date
from wurao.inspections.evaluations import misconduct_labels
from wurao.inspections.models import Evaluation, InspectionRecord, InspectionTask
from wurao.oversight.indicators import LOW_RATING_POLICY
from wurao.oversight.models import Clue
from wurao.oversight.rule_base import (
    Context,
    Finding,
    PerRegion,
    cite,
    lead_subjects,
    loosest,
    policy_value,
)
from wurao.planning.models import SpecialInspection, UnplannedApproval
from wurao.planning.special import QUOTA_COUNTED
from wurao.registry.models import EnforcementSubject

# --- 路桥: unplanned inspections without filing; A7: 专项检查 over quota ----------------------


def unplanned(session: Session, ctx: Context) -> Iterator[Finding]:
    rows = session.execute(
        select(UnplannedApproval, EnforcementSubject.region_code)
        .join(EnforcementSubject, EnforcementSubject.id == UnplannedApproval.subject_id)
        .where(UnplannedApproval.status == "approved", UnplannedApproval.filed_at.is_(None))
    ).all()
    for ua, region in rows:
        yield Finding(
            dedup_key=f"UNPLANNED:{ua.id}",
            region_code=region,
            subject_id=ua.subject_id,
            enterprise_id=ua.enterprise_id,
            detail=f"计划外检查审批 {ua.id} 已批准，未向执法监督机构报备。",
            evidence=[cite("unplanned", ua.id, f"计划外检查审批 {ua.id}")],
        )


def special(session: Session, ctx: Context) -> Iterator[Finding]:
    # the quota counts what planning.special counts: approved, published or filed
    n = func.count(SpecialInspection.id)
    rows = session.execute(
        select(SpecialInspection.subject_id, EnforcementSubject.region_code, n)
        .join(EnforcementSubject, EnforcementSubject.id == SpecialInspection.subject_id)
        .where(
            SpecialInspection.year == ctx.year,
            SpecialInspection.status.in_(QUOTA_COUNTED),
        )
        .group_by(SpecialInspection.subject_id, EnforcementSubject.region_code)
    ).all()
    for subj, region, count in rows:
        quota = int(policy_value("special.annual_quota", region, ctx.today))
        if count <= quota:
            continue
        ids = session.scalars(
            select(SpecialInspection.id).where(
                SpecialInspection.subject_id == subj,
                SpecialInspection.year == ctx.year,
                SpecialInspection.status.in_(QUOTA_COUNTED),
            )
        ).all()
        yield Finding(
            dedup_key=f"A7:{ctx.year}:{subj}:{count}",
            region_code=region,
            subject_id=subj,
            detail=f"{ctx.year}年本主体专项检查{count}项，超过年度数量上限{quota}项。",
            evidence=[cite("special", i, f"专项检查 {i}") for i in ids],
        )


# --- C6: 双随机 results not published in time --------------------------------------------


def dss_late(session: Session, ctx: Context) -> Iterator[Finding]:
    # The one C6 clock (core.clock), as the draw's results page shows it: nothing finished
    # after the shortest period ever in force can be late yet; each task is then held to the
    # period in force for its region on its finishing day.
    floor = clock.C6_PUBLISH.shortest(ctx.today)
    cutoff = dt.datetime.combine(ctx.today - dt.timedelta(days=floor), dt.time(), LOCAL_TZ)
    rows = session.execute(
        select(InspectionTask.id, InspectionTask.region_code, InspectionRecord.finished_at)
        .join(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
        .where(
            ctx.tasks(InspectionTask.id),
            InspectionTask.origin == "draw",
            InspectionRecord.finished_at.is_not(None),
            InspectionRecord.finished_at < cutoff,
            InspectionRecord.published_at.is_(None),
        )
    ).all()
    leads = lead_subjects(session, [r[0] for r in rows])
    unknown: dict[int, int] = {}  # a deadline in a year whose holidays are not imported yet
    for task, region, finished in rows:
        assert finished is not None
        try:
            deadline = clock.C6_PUBLISH.deadline(local_date(finished), region)
        except workdays.UnknownCalendarYear as exc:
            unknown[exc.year] = unknown.get(exc.year, 0) + 1
            continue
        if ctx.today <= deadline:
            continue
        yield Finding(
            dedup_key=f"C6:{task}",
            region_code=region,
            subject_id=leads.get(task),
            task_id=task,
            detail=f"双随机抽查结果应于{deadline.isoformat()}前公示，至今未公示。",
            evidence=[cite("task", task, f"检查任务 {task}")],
        )
    for year, n in sorted(unknown.items()):  # judged by a later sweep, once imported
        ctx.notes.append(
            f"C6：{n} 项双随机结果的公示期限须按 {year} 年节假日安排计算，"
            "该年安排尚未导入，暂不判断；请用 wurao calendar import 导入。"
        )


# --- enterprise evaluations and reports of code-less inspections ------------------------


def evaluations(session: Session, ctx: Context) -> Iterator[Finding]:
    low_max = PerRegion(LOW_RATING_POLICY, ctx.today)
    rows = session.execute(
        select(Evaluation, InspectionTask.region_code, InspectionTask.enterprise_id)
        .join(InspectionTask, InspectionTask.id == Evaluation.task_id)
        .where(
            ctx.tasks(InspectionTask.id),
            Evaluation.submitted_at.is_not(None),
            or_(
                Evaluation.rating <= int(loosest(LOW_RATING_POLICY, ctx.today, max)),
                Evaluation.misconduct != "",
            ),
        )
    ).all()
    leads = lead_subjects(session, [e.task_id for e, _, _ in rows])
    for ev, region, ent in rows:
        parts = []
        if ev.rating is not None and ev.rating <= int(low_max(region)):
            parts.append(f"企业评分{ev.rating}分")
        if ev.misconduct:
            parts.append(f"反映问题：{'、'.join(misconduct_labels(ev.misconduct))}")
        if not parts:  # a low rating only by another region's measure
            continue
        yield Finding(
            dedup_key=f"EVAL:{ev.id}",
            region_code=region,
            subject_id=leads.get(ev.task_id),
            enterprise_id=ent,
            task_id=ev.task_id,
            detail="；".join(parts) + (f"。意见：{ev.comment}" if ev.comment else "。"),
            evidence=[
                cite("evaluation", ev.id, f"企业评价 {ev.id}"),
                cite("task", ev.task_id, f"检查任务 {ev.task_id}"),
            ],
        )


def codeless_reports(session: Session, ctx: Context) -> Iterator[Finding]:
    if ctx.clue_ids is not None:  # the clue just reported: in the session already, no query
        found = (session.get(Clue, clue_id) for clue_id in sorted(ctx.clue_ids))
        rows = [c for c in found if c and c.source == "codeless_report" and c.status != "closed"]
    else:
        stmt = select(Clue).where(Clue.source == "codeless_report", Clue.status != "closed")
        rows = list(session.scalars(stmt))
    for clue in rows:
        yield Finding(
            dedup_key=f"CLUE:{clue.id}",
            region_code=clue.region_code,
            subject_id=clue.subject_id,
            task_id=clue.task_id,
            detail=f"举报未亮码检查：{clue.enterprise_name}，{clue.subject_text or '单位不详'}。",
            evidence=[cite("clue", clue.id, f"监督线索 {clue.id}")],
        )


# --- F8: indicators moving the wrong way -------------------------------------------------


def _fell(now: float, before: float, least: float) -> bool:
    """A rate fell by at least ``least`` (a difference of rates; float noise aside)."""
    return before - now >= least - 1e-9


def trends(session: Session, ctx: Context) -> Iterator[Finding]:
    from wurao.oversight import dashboard  # the indicator definitions live there

    this = dashboard.subject_rates(session, ctx.today.replace(month=1, day=1), ctx.today)
    last_day = dashboard.same_day_last_year(ctx.today)
    last = dashboard.subject_rates(session, last_day.replace(month=1, day=1), last_day)
    floor = PerRegion("oversight.trend_min_inspections", ctx.today)
    drop = PerRegion("oversight.trend_min_drop", ctx.today)
    for subj, (region, now) in this.items():
        before = last.get(subj)
        if before is None or min(now.inspections, before[1].inspections) < int(floor(region)):
            continue
        target = float(policy_value("joint.target_rate", region, ctx.today))
        least = float(drop(region))
        moves = []
        if now.joint_rate < target and _fell(now.joint_rate, before[1].joint_rate, least):
            moves.append(
                f"联合检查率{now.joint_rate:.1%}低于目标{target:.0%}且低于上年同期"
                f"{before[1].joint_rate:.1%}"
            )
        if _fell(now.nonsite_share, before[1].nonsite_share, least):
            moves.append(
                f"非现场检查占比{now.nonsite_share:.1%}低于上年同期{before[1].nonsite_share:.1%}"
            )
        if _fell(now.problem_rate, before[1].problem_rate, least):
            moves.append(
                f"问题发现率{now.problem_rate:.1%}低于上年同期{before[1].problem_rate:.1%}"
            )
        if moves:
            yield Finding(
                dedup_key=f"F8:{ctx.year}:{subj}:{len(moves)}",
                region_code=region,
                subject_id=subj,
                detail="；".join(moves) + "。",
                evidence=[cite("indicator", subj, "本主体指标（见监督看板）")],
            )
