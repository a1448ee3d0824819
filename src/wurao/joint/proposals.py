"""综合查一次 proposals: gather a period's demands, solve, store (the reads are in
``proposal_reads``, the decisions and 委托查 in ``decisions``).

Demands: the open tasks (draft, no code yet) of every subject whose enterprise lies in the
region, and the enterprises named by targeted entries of the subjects' current plans that have
no task yet for that entry, each with its window clipped to the period. The supervisor or an
agency (as the lead subject) runs a proposal; each subject of a merge accepts or declines it;
when all have accepted, one joint task with one code replaces the merged tasks (A6: 能合并不
重复、能联合不多头; 衢政办发〔2025〕16号 第5项 “进一次门、查多项事”).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import AGENCY_ROLES, Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.core import audit
from wurao.core.errors import Forbidden, InvalidInput
from wurao.core.policy import get_policy
from wurao.core.time import utcnow
from wurao.core.workdays import is_working_day
from wurao.inspections.models import (
    ActionCode,
    InspectionTask,
    TaskOfficer,
    TaskSubject,
)
from wurao.joint import solver
from wurao.joint.models import JointLeftover, JointMerge, JointPart, JointProposal
from wurao.planning.models import InspectionPlan, PlanEntry, PlanTarget
from wurao.planning.service import LIVE_PUBLIC, months_of
from wurao.registry.models import EnforcementSubject, Enterprise

CAPACITY = "joint.officer_daily_capacity"  # officers per subject per day (A6, unconfirmed)
MAX_PERIOD_DAYS = 92
DEFAULT_TEAM = 2
ALL_MERGES = 10_000  # every merge of a proposal at once (its accept-all path)
MERGE_STATUSES = {"proposed": "待确认", "accepted": "已联合", "declined": "已拒绝"}
DECISIONS = {"": "待确认", "accepted": "同意", "declined": "拒绝"}


@dataclass
class Gathered:
    """A period's demands with what the proposal needs to store them."""

    demands: list[solver.Demand] = field(default_factory=list)
    task_of: dict[str, int] = field(default_factory=dict)
    entry_of: dict[str, int] = field(default_factory=dict)
    days: list[dt.date] = field(default_factory=list)
    capacity: dict[int, int] = field(default_factory=dict)


def may_propose(actor: Actor) -> bool:
    """The supervisor, or an agency that manages tasks (the lead subject), runs proposals."""
    return actor.role in (Role.SUPERVISOR, Role.SYSADMIN) or (
        actor.role in AGENCY_ROLES and actor.can(Permission.TASKS_MANAGE)
    )


def _clip(a: dt.date, b: dt.date, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    return max(a, start), min(b, end)


def _month_span(
    months: list[int], year: int, start: dt.date, end: dt.date
) -> list[tuple[dt.date, dt.date]]:
    out = []
    for m in months:
        first = dt.date(year, m, 1)
        last = (dt.date(year + m // 12, m % 12 + 1, 1)) - dt.timedelta(days=1)
        if first <= end and last >= start:
            out.append(_clip(first, last, start, end))
    return out


def gather(session: Session, *, actor: Actor, start: dt.date, end: dt.date) -> Gathered:
    """The region's open tasks and untasked plan targets of the period, with the calendar."""
    out = Gathered()
    tasks = list(
        session.scalars(
            select(InspectionTask).where(
                region_filter(actor, InspectionTask.region_code),
                InspectionTask.status == "draft",
                ~exists().where(ActionCode.task_id == InspectionTask.id),
                InspectionTask.window_start <= end,
                InspectionTask.window_end >= start,
            )
        )
    )
    ids = [t.id for t in tasks]
    lead: dict[int, int] = {}
    subjects_of: dict[int, list[int]] = defaultdict(list)
    for ts in session.scalars(select(TaskSubject).where(TaskSubject.task_id.in_(ids))):
        subjects_of[ts.task_id].append(ts.subject_id)
        if ts.lead:
            lead[ts.task_id] = ts.subject_id
    officers: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for to in session.scalars(select(TaskOfficer).where(TaskOfficer.task_id.in_(ids))):
        officers[to.task_id][to.subject_id] += 1
    for t in tasks:
        subs = subjects_of.get(t.id) or []
        if not subs:
            continue
        head = lead.get(t.id, subs[0])
        order = [head, *sorted(s for s in subs if s != head)]
        teams = tuple((s, officers[t.id].get(s) or DEFAULT_TEAM) for s in order)
        a, b = _clip(t.window_start, t.window_end, start, end)
        key = f"t{t.id}"
        out.demands.append(solver.Demand(key, t.enterprise_id, head, t.method, a, b, teams))
        out.task_of[key] = t.id
    _gather_plan_targets(session, actor, start, end, out)
    _keep_declined_apart(session, actor, out)
    out.days = [
        start + dt.timedelta(days=i)
        for i in range((end - start).days + 1)
        if is_working_day(start + dt.timedelta(days=i))
    ]
    regions = dict(
        session.execute(
            select(EnforcementSubject.id, EnforcementSubject.region_code).where(
                EnforcementSubject.id.in_({s for d in out.demands for s, _ in d.teams})
            )
        ).all()
    )
    policy = get_policy()
    out.capacity = {s: int(policy.value(CAPACITY, r, start)) for s, r in regions.items()}
    return out


def _gather_plan_targets(
    session: Session, actor: Actor, start: dt.date, end: dt.date, out: Gathered
) -> None:
    years = list(range(start.year, end.year + 1))
    tasked = exists().where(
        InspectionTask.plan_entry_id == PlanEntry.id,
        InspectionTask.enterprise_id == PlanTarget.enterprise_id,
        InspectionTask.status != "cancelled",
    )
    merged = exists().where(  # a joint task carries it (its plan_entry_id is the lead's)
        JointPart.plan_entry_id == PlanEntry.id,
        JointMerge.id == JointPart.merge_id,
        JointMerge.enterprise_id == PlanTarget.enterprise_id,
        JointMerge.status == "accepted",
    )
    rows = session.execute(
        select(PlanEntry, InspectionPlan.year, InspectionPlan.subject_id, PlanTarget.enterprise_id)
        .join(InspectionPlan, InspectionPlan.id == PlanEntry.plan_id)
        .join(EnforcementSubject, EnforcementSubject.id == InspectionPlan.subject_id)
        .join(PlanTarget, PlanTarget.entry_id == PlanEntry.id)
        .join(Enterprise, Enterprise.id == PlanTarget.enterprise_id)
        .where(
            region_filter(actor, Enterprise.region_code),
            InspectionPlan.year.in_(years),
            InspectionPlan.status.in_(("approved", *LIVE_PUBLIC)),
            PlanEntry.selection == "targeted",
            ~tasked,
            ~merged,
        )
    ).all()
    for entry, year, subject_id, enterprise_id in rows:
        for a, b in _month_span(months_of(entry), year, start, end):
            key = f"p{entry.id}:{enterprise_id}:{a:%m}"
            team = ((subject_id, entry.officers_per_team or DEFAULT_TEAM),)
            out.demands.append(
                solver.Demand(key, enterprise_id, subject_id, entry.method, a, b, team)
            )
            out.entry_of[key] = entry.id


def _part_key(part: JointPart, enterprise_id: int) -> str:
    """The demand key a stored part was proposed under (as ``gather`` builds them)."""
    if part.task_id is not None:
        return f"t{part.task_id}"
    return f"p{part.plan_entry_id}:{enterprise_id}:{part.window_start:%m}"


def _keep_declined_apart(session: Session, actor: Actor, out: Gathered) -> None:
    """A merge a subject declined is not proposed again: when every task or plan target of a
    declined merge is a demand again, those demands are each visited alone (A6 decides with
    the subjects, not over them; reason ``declined``)."""
    rows = session.execute(
        select(JointPart, JointMerge.enterprise_id)
        .join(JointMerge, JointMerge.id == JointPart.merge_id)
        .join(Enterprise, Enterprise.id == JointMerge.enterprise_id)
        .where(region_filter(actor, Enterprise.region_code), JointMerge.status == "declined")
    ).all()
    sets: dict[int, set[str]] = defaultdict(set)
    for part, enterprise_id in rows:
        sets[part.merge_id].add(_part_key(part, enterprise_id))
    present = {d.key for d in out.demands}
    apart = {k for keys in sets.values() if len(keys) > 1 and keys <= present for k in keys}
    if apart:
        out.demands = [replace(d, alone=True) if d.key in apart else d for d in out.demands]


def _lead(parts: list[solver.Demand]) -> int:
    count: dict[int, int] = defaultdict(int)
    for d in parts:
        count[d.subject_id] += 1
    return min(count, key=lambda s: (-count[s], s))


def run_proposal(
    session: Session,
    *,
    actor: Actor,
    start: dt.date,
    end: dt.date,
    time_limit: float = 20.0,
) -> JointProposal:
    """Compute and store a proposal of joint visits for the actor's region and the period."""
    actor.require(Permission.PLANS_VIEW)
    if not may_propose(actor):
        raise Forbidden("只有司法行政（监督）机关或执法主体可以生成综合查一次方案。")
    if end < start:
        raise InvalidInput("结束日期早于开始日期。", field="period_end")
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(f"方案期间不得超过{MAX_PERIOD_DAYS}天。", field="period_end")
    g = gather(session, actor=actor, start=start, end=end)
    sol = solver.solve(g.demands, g.days, g.capacity, time_limit=time_limit)
    proposal = JointProposal(
        region_code=actor.region_code,
        period_start=start,
        period_end=end,
        demands=sol.demands,
        visits=sol.visit_count,
        lower_bound=sol.lower_bound,
        window_bound=sol.window_bound,
        officer_days_before=sol.officer_days_before,
        officer_days=sol.officer_days,
        solver=sol.solver,
        solver_status=sol.status,
        seconds=round(sol.seconds, 3),
        created_by_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(proposal)
    session.flush()
    by_key = {d.key: d for d in g.demands}
    rows: list[JointMerge | JointPart | JointLeftover] = []
    for visit in sol.visits:
        if len(visit.keys) < 2:
            continue
        parts = [by_key[k] for k in visit.keys]
        lead = _lead(parts)
        merge = JointMerge(
            proposal_id=proposal.id,
            enterprise_id=visit.group[0],
            visit_date=visit.day,
            window_start=max(d.start for d in parts),
            window_end=min(d.end for d in parts),
            method=next(d.method for d in parts if d.subject_id == lead),
            lead_subject_id=lead,
            status="proposed",
        )
        session.add(merge)
        session.flush()
        rows.append(merge)
        for d in parts:
            rows.append(
                JointPart(
                    merge_id=merge.id,
                    subject_id=d.subject_id,
                    task_id=g.task_of.get(d.key),
                    plan_entry_id=g.entry_of.get(d.key),
                    window_start=d.start,
                    window_end=d.end,
                )
            )
    for key, reason in sorted(sol.reasons.items()):
        d = by_key[key]
        rows.append(
            JointLeftover(
                proposal_id=proposal.id,
                enterprise_id=d.enterprise_id,
                subject_id=d.subject_id,
                task_id=g.task_of.get(key),
                plan_entry_id=g.entry_of.get(key),
                reason=reason,
            )
        )
    session.add_all(rows)
    audit.record(
        session,
        actor=actor,
        action="joint.propose",
        obj=proposal,
        covers=rows,
        region_code=proposal.region_code,
        summary=f"生成综合查一次方案：{start}至{end}，入企{sol.demands}次→{sol.visit_count}次"
        f"（下界{sol.lower_bound}）",
    )
    return proposal
