"""Supervision rules on how often and by how many an enterprise is inspected: the on-site cap
(A5), multi-agency inspections (F3) and their early warning (A6), repeated inspections that
found nothing (F3), triggered inspections beyond a reasonable frequency (F9) and inspections
of deregistered enterprises (F2). Registered in ``wurao.oversight.rules``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.orm import Session

from wurao.inspections.models import InspectionRecord, InspectionTask, TaskSubject
from wurao.inspections.precheck import TRIGGERED_POLICY
from wurao.inspections.rules_frequency import triggered_conditions
from wurao.oversight.rule_base import (
    OPEN_TASK,
    STARTED_TASK,
    Context,
    Finding,
    PerRegion,
    cite,
    common,
    lead_subjects,
    loosest,
    union,
)
from wurao.planning.models import InspectionPlan, PlanEntry, PlanTarget
from wurao.registry.models import Enterprise

# --- A5: on-site cap ---------------------------------------------------------------------


_PAIR = (InspectionTask.enterprise_id, TaskSubject.subject_id, InspectionTask.region_code)


def _pair_tasks(
    session: Session,
    where: Sequence[ColumnElement[bool]],
    least: int,
    *cols: Any,
    records: bool = False,
) -> Any:
    """(enterprise, subject, region, *cols, task id) for every task matching ``where`` of each
    (enterprise, subject, region) with at least ``least`` of them, oldest task first: the
    counts and their evidence in one read (``records``: join each task's record)."""

    def joined(stmt: Any) -> Any:
        stmt = stmt.join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        if records:
            stmt = stmt.join(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
        return stmt

    candidates = (
        joined(select(*_PAIR))
        .where(*where)
        .group_by(*_PAIR)
        .having(func.count(InspectionTask.id) >= least)
        .subquery()
    )
    on = and_(*(candidates.c[column.key] == column for column in _PAIR))
    stmt = joined(select(*_PAIR, *cols, InspectionTask.id)).join(candidates, on)
    return session.execute(stmt.where(*where).order_by(InspectionTask.id))


def cap(session: Session, ctx: Context) -> Iterator[Finding]:
    caps = PerRegion("inspection.onsite_cap_per_year", ctx.today)
    counted = PerRegion("inspection.cap_counted_methods", ctx.today)
    exempted = PerRegion("inspection.cap_exempt_origins", ctx.today)
    # One query over every region: the methods counted anywhere, the origins exempt everywhere,
    # pairs reaching the lowest cap; each task read with its method and origin so that each
    # region's own lists can be applied below.
    loose = and_(
        InspectionTask.year == ctx.year,
        InspectionTask.status != "cancelled",
        InspectionTask.method.in_(loosest("inspection.cap_counted_methods", ctx.today, union)),
        InspectionTask.origin.not_in(loosest("inspection.cap_exempt_origins", ctx.today, common)),
    )
    scope: ColumnElement[bool] = true()
    if ctx.task_ids is not None:
        pairs = select(InspectionTask.enterprise_id).where(ctx.tasks(InspectionTask.id))
        scope = InspectionTask.enterprise_id.in_(pairs)
    least = int(loosest("inspection.onsite_cap_per_year", ctx.today))
    rows = _pair_tasks(session, (scope, loose), least, InspectionTask.method, InspectionTask.origin)
    # each candidate pair's tasks under its own region's lists: the count and the evidence
    found: dict[tuple[int, int, str], list[int]] = defaultdict(list)
    for ent_id, subj_id, region, method, origin, task_id in rows:
        if method in counted(region) and origin not in exempted(region):
            found[ent_id, subj_id, region].append(task_id)
    for (ent_id, subj_id, region), tasks in sorted(found.items()):
        cap, count = int(caps(region)), len(tasks)
        if count < cap:
            continue
        state = "已超过" if count > cap else "已达到"
        yield Finding(
            dedup_key=f"A5:{ctx.year}:{ent_id}:{subj_id}:{count}",
            region_code=region,
            subject_id=subj_id,
            enterprise_id=ent_id,
            detail=f"{ctx.year}年本主体对该企业计入上限的检查{count}次，{state}年度上限{cap}次。",
            evidence=[cite("enterprise", ent_id, "企业")]
            + [cite("task", t, f"检查任务 {t}") for t in tasks],
        )


# --- F3 / A6: multi-agency inspections and the early warning -----------------------------


@dataclass
class _Visits:
    """The inspections of one enterprise in the window."""

    region: str
    by_lead: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    participants: set[int] = field(default_factory=set)  # leads and joint partners


def _inspected_by_many(session: Session, ctx: Context) -> dict[int, _Visits]:
    """Enterprise → its separate inspections done or under way in the window, by lead subject.

    多头检查 is separate visits by different subjects: a joint inspection is one visit, counted
    for its lead (joint partners are not counted again; they are participants). The query
    uses the widest window and the lowest subject count in force anywhere; each enterprise is
    then held to its own region's window and count (``_many``).
    """
    days = int(loosest("oversight.multi_agency_window_days", ctx.today, max))
    least = int(loosest("oversight.multi_agency_min_subjects", ctx.today, min))
    start = ctx.today - dt.timedelta(days=days)
    scope: ColumnElement[bool] = true()
    if ctx.task_ids is not None:
        scope = InspectionTask.enterprise_id.in_(
            select(InspectionTask.enterprise_id).where(ctx.tasks(InspectionTask.id))
        )
    in_window = (
        InspectionTask.status.in_(STARTED_TASK),
        InspectionTask.window_start >= start,
        InspectionTask.window_start <= ctx.today,
    )
    base = (
        select(InspectionTask.enterprise_id)
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .where(scope, TaskSubject.lead.is_(True), *in_window)
        .group_by(InspectionTask.enterprise_id)
        .having(func.count(func.distinct(TaskSubject.subject_id)) >= max(2, least))
    )
    rows = session.execute(
        select(
            InspectionTask.enterprise_id,
            Enterprise.region_code,
            TaskSubject.subject_id,
            TaskSubject.lead,
            InspectionTask.id,
            InspectionTask.window_start,
        )
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .where(InspectionTask.enterprise_id.in_(base), *in_window)
    )
    window = PerRegion("oversight.multi_agency_window_days", ctx.today)
    found: dict[int, _Visits] = {}
    for ent, region, subj, lead, task, begun in rows:
        if begun >= ctx.today - dt.timedelta(days=int(window(region))):
            visits = found.setdefault(ent, _Visits(region))
            visits.participants.add(subj)
            if lead:
                visits.by_lead[subj].append(task)
    return found


def _many(session: Session, ctx: Context) -> Iterator[tuple[int, _Visits]]:
    """Enterprises inspected separately by enough subjects for their region."""
    need = PerRegion("oversight.multi_agency_min_subjects", ctx.today)
    for ent, visits in _inspected_by_many(session, ctx).items():
        if len(visits.by_lead) >= int(need(visits.region)):
            yield ent, visits


def multi(session: Session, ctx: Context) -> Iterator[Finding]:
    for ent, visits in _many(session, ctx):
        tasks = sorted(t for ts in visits.by_lead.values() for t in ts)
        n = len(visits.by_lead)
        yield Finding(
            dedup_key=f"F3M:{ent}:{tasks[-1]}:{n}",
            region_code=visits.region,
            enterprise_id=ent,
            detail=f"该企业近期被{n}个执法主体分别检查（联合检查计一次），存在多头检查。",
            evidence=[cite("enterprise", ent, "企业")]
            + [cite("task", t, f"检查任务 {t}") for t in tasks],
        )


def early_warning(session: Session, ctx: Context) -> Iterator[Finding]:
    for ent, visits in _many(session, ctx):
        region, went = visits.region, visits.participants
        planned: dict[int, list[dict[str, object]]] = defaultdict(list)
        for task_id, subj in session.execute(
            select(InspectionTask.id, TaskSubject.subject_id)
            .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
            .where(InspectionTask.enterprise_id == ent, InspectionTask.status.in_(OPEN_TASK))
        ):
            planned[subj].append(cite("task", task_id, f"待实施的检查任务 {task_id}"))
        for target_id, subj in session.execute(
            select(PlanTarget.id, InspectionPlan.subject_id)
            .join(PlanEntry, PlanEntry.id == PlanTarget.entry_id)
            .join(InspectionPlan, InspectionPlan.id == PlanEntry.plan_id)
            .where(
                PlanTarget.enterprise_id == ent,
                InspectionPlan.year == ctx.year,
                InspectionPlan.status.not_in(("draft", "superseded", "withdrawn")),
            )
        ):
            planned[subj].append(cite("plan_target", target_id, f"年度计划检查对象 {target_id}"))
        for subj, evidence in planned.items():
            if subj in went:
                continue
            yield Finding(
                dedup_key=f"A6W:{ent}:{subj}:{ctx.year}:{min(int(str(e['id'])) for e in evidence)}",
                region_code=region,
                subject_id=subj,
                enterprise_id=ent,
                detail=(
                    f"该企业近期已被{len(went)}个执法主体检查，本主体仍计划检查：请优先合并、"
                    "联合或改为非现场检查（能合并不得重复检查，能联合不得多头检查）。"
                ),
                evidence=[cite("enterprise", ent, "企业"), *evidence],
            )


# --- 路桥 二(三): repeated inspections without a finding, and deregistered enterprises -----


def repeat_none(session: Session, ctx: Context) -> Iterator[Finding]:
    scope: ColumnElement[bool] = true()
    if ctx.task_ids is not None:
        scope = InspectionTask.enterprise_id.in_(
            select(InspectionTask.enterprise_id).where(ctx.tasks(InspectionTask.id))
        )
    empty = (
        scope,
        InspectionTask.year == ctx.year,
        InspectionRecord.outcome == "none",
        InspectionRecord.finished_at.is_not(None),
    )
    least = int(loosest("oversight.repeat_none_min", ctx.today))
    rows = _pair_tasks(session, empty, least, records=True)
    found: dict[tuple[int, int, str], list[int]] = defaultdict(list)
    for ent, subj, region, task_id in rows:
        found[ent, subj, region].append(task_id)
    need = PerRegion("oversight.repeat_none_min", ctx.today)
    for (ent, subj, region), tasks in sorted(found.items()):
        count = len(tasks)
        if count < int(need(region)):
            continue
        yield Finding(
            dedup_key=f"REPEAT:{ctx.year}:{ent}:{subj}:{count}",
            region_code=region,
            subject_id=subj,
            enterprise_id=ent,
            detail=f"{ctx.year}年本主体对该企业检查{count}次均未发现问题，疑为冲量重复检查。",
            evidence=[cite("enterprise", ent, "企业")]
            + [cite("task", t, f"无问题检查 {t}") for t in tasks],
        )


# --- F9: triggered inspections beyond a reasonable frequency (衢政办发〔2025〕16号 第9项) -------


def triggered(session: Session, ctx: Context) -> Iterator[Finding]:
    # Exempt from the cap (A5) but "不得明显超过合理频次": triggered on-site inspections of one
    # enterprise this year by every subject together, above the policy's reasonable number.
    # One query at the lowest number in force anywhere; each enterprise is then held to its
    # own region's number (the region of its latest such inspection).
    scope: ColumnElement[bool] = true()
    if ctx.task_ids is not None:
        scope = InspectionTask.enterprise_id.in_(
            select(InspectionTask.enterprise_id).where(ctx.tasks(InspectionTask.id))
        )
    where = (scope, InspectionTask.year == ctx.year, *triggered_conditions())
    least = int(loosest(TRIGGERED_POLICY, ctx.today, min))
    many = (
        select(InspectionTask.enterprise_id)
        .where(*where)
        .group_by(InspectionTask.enterprise_id)
        .having(func.count(InspectionTask.id) > least)
    )
    rows = session.execute(
        select(InspectionTask.enterprise_id, InspectionTask.region_code, InspectionTask.id)
        .where(InspectionTask.enterprise_id.in_(many), *where)
        .order_by(InspectionTask.id)
    ).all()
    found: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for ent, region, task in rows:
        found[ent].append((region, task))
    limit = PerRegion(TRIGGERED_POLICY, ctx.today)
    leads = lead_subjects(session, [t for _, _, t in rows])
    for ent, tasks in sorted(found.items()):
        region, latest = tasks[-1]
        count, most = len(tasks), int(limit(region))
        if count <= most:
            continue
        subjects = len({leads.get(t) for _, t in tasks})
        yield Finding(
            dedup_key=f"F9:{ctx.year}:{ent}:{count}",
            region_code=region,
            subject_id=leads.get(latest),
            enterprise_id=ent,
            detail=f"{ctx.year}年该企业已接受触发式现场检查{count}次（{subjects}个执法主体），"
            f"超过合理频次{most}次（触发式检查不受年度频次上限限制，但不得明显超过合理频次）。",
            evidence=[cite("enterprise", ent, "企业")]
            + [cite("task", t, f"触发式检查 {t}") for _, t in tasks],
        )


def deregistered(session: Session, ctx: Context) -> Iterator[Finding]:
    rows = session.execute(
        select(InspectionTask.id, InspectionTask.region_code, Enterprise.id, Enterprise.status)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .where(
            ctx.tasks(InspectionTask.id),
            Enterprise.status.in_(("deregistered", "revoked")),
            InspectionTask.status != "cancelled",
        )
    ).all()
    leads = lead_subjects(session, [r[0] for r in rows])
    label = {"deregistered": "已注销", "revoked": "已吊销"}
    for task, region, ent, status in rows:
        yield Finding(
            dedup_key=f"DEREG:{task}",
            region_code=region,
            subject_id=leads.get(task),
            enterprise_id=ent,
            task_id=task,
            detail=f"检查对象{label[status]}，仍安排检查任务 {task}。",
            evidence=[cite("task", task, f"检查任务 {task}"), cite("enterprise", ent, "企业")],
        )
