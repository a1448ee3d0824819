"""综合查一次 proposals: gather a period's demands, solve, store; decide; apply; delegate.

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

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import AGENCY_ROLES, Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.core import audit
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.policy import get_policy
from wurao.core.text import NOTE, text_problem
from wurao.core.time import utcnow
from wurao.core.workdays import is_working_day
from wurao.inspections import creation
from wurao.inspections.models import (
    ActionCode,
    InspectionTask,
    TaskDelegation,
    TaskItem,
    TaskOfficer,
    TaskSubject,
)
from wurao.joint import solver
from wurao.joint.models import JointLeftover, JointMerge, JointPart, JointProposal
from wurao.planning.models import InspectionPlan, PlanEntry, PlanTarget
from wurao.planning.service import LIVE_PUBLIC, months_of
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem
from wurao.registry.officers.service import who_may_inspect

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


# --- reads ---------------------------------------------------------------------------------


def proposals_visible_to(actor: Actor) -> Select[JointProposal]:
    """Proposals of the actor's region (an agency sees its region's: its merges are there)."""
    actor.require(Permission.PLANS_VIEW)
    return select(JointProposal).where(region_filter(actor, JointProposal.region_code))


def list_proposals(session: Session, *, actor: Actor, limit: int = 50) -> list[JointProposal]:
    """The newest proposals visible to the actor."""
    return list(
        session.scalars(proposals_visible_to(actor).order_by(JointProposal.id.desc()).limit(limit))
    )


def get_proposal(session: Session, *, actor: Actor, proposal_id: int) -> JointProposal:
    """One proposal, if visible to the actor."""
    found = session.scalar(proposals_visible_to(actor).where(JointProposal.id == proposal_id))
    if found is None:
        raise NotFound("综合查一次方案不存在，或不在您的权限范围内。")
    return found


def get_merge(session: Session, *, actor: Actor, merge_id: int) -> JointMerge:
    """One merge, if its proposal is visible to the actor."""
    found = session.scalar(
        select(JointMerge).where(
            JointMerge.id == merge_id,
            JointMerge.proposal_id.in_(
                proposals_visible_to(actor).with_only_columns(JointProposal.id)
            ),
        )
    )
    if found is None:
        raise NotFound("联合检查建议不存在，或不在您的权限范围内。")
    return found


@dataclass
class MergeView:
    """A merge with its enterprise, subjects and parts, for pages and the API."""

    merge: JointMerge
    enterprise: Enterprise
    lead: EnforcementSubject
    parts: list[tuple[JointPart, EnforcementSubject]]
    items: list[tuple[EnforcementSubject, InspectionItem]]

    @property
    def subject_ids(self) -> list[int]:
        """Subjects of the merge, lead first."""
        ids = [self.lead.id]
        for _, s in self.parts:
            if s.id not in ids:
                ids.append(s.id)
        return ids

    def pending_for(self, subject_id: int | None) -> bool:
        """Whether ``subject_id`` still has to decide."""
        return self.merge.status == "proposed" and any(
            p.subject_id == subject_id and not p.decision for p, _ in self.parts
        )


def merge_views(session: Session, merges: list[JointMerge]) -> list[MergeView]:
    """Load what the merges show in a fixed number of queries."""
    if not merges:
        return []
    ids = [m.id for m in merges]
    parts: dict[int, list[JointPart]] = defaultdict(list)
    for p in session.scalars(
        select(JointPart).where(JointPart.merge_id.in_(ids)).order_by(JointPart.id)
    ):
        parts[p.merge_id].append(p)
    all_parts = [p for ps in parts.values() for p in ps]
    subject_ids = {p.subject_id for p in all_parts} | {m.lead_subject_id for m in merges}
    subjects = {
        s.id: s
        for s in session.scalars(
            select(EnforcementSubject).where(EnforcementSubject.id.in_(subject_ids))
        )
    }
    enterprises = {
        e.id: e
        for e in session.scalars(
            select(Enterprise).where(Enterprise.id.in_({m.enterprise_id for m in merges}))
        )
    }
    task_items: dict[int, list[tuple[int, InspectionItem]]] = defaultdict(list)
    for ti, item in session.execute(
        select(TaskItem, InspectionItem)
        .join(InspectionItem, InspectionItem.id == TaskItem.item_id)
        .where(TaskItem.task_id.in_({p.task_id for p in all_parts if p.task_id}))
        .order_by(InspectionItem.code)
    ):
        task_items[ti.task_id].append((ti.subject_id, item))
    entry_items = dict(
        session.execute(
            select(PlanEntry.id, InspectionItem)
            .join(InspectionItem, InspectionItem.id == PlanEntry.item_id)
            .where(PlanEntry.id.in_({p.plan_entry_id for p in all_parts if p.plan_entry_id}))
        ).all()
    )
    out = []
    for m in merges:
        items: list[tuple[EnforcementSubject, InspectionItem]] = []
        for p in parts[m.id]:
            if p.task_id is not None:
                items += [
                    (subjects.get(sid, subjects[p.subject_id]), i)
                    for sid, i in task_items[p.task_id]
                ]
            elif p.plan_entry_id is not None and p.plan_entry_id in entry_items:
                items.append((subjects[p.subject_id], entry_items[p.plan_entry_id]))
        out.append(
            MergeView(
                merge=m,
                enterprise=enterprises[m.enterprise_id],
                lead=subjects[m.lead_subject_id],
                parts=[(p, subjects[p.subject_id]) for p in parts[m.id]],
                items=items,
            )
        )
    return out


def merges_of(session: Session, proposal: JointProposal) -> list[MergeView]:
    """A proposal's merges, by date."""
    return merges_page(session, proposal, per_page=ALL_MERGES).items


def merges_page(
    session: Session, proposal: JointProposal, page: int = 1, per_page: int = PER_PAGE
) -> Page[MergeView]:
    """One page of a proposal's merges, by date."""
    stmt = (
        select(JointMerge)
        .where(JointMerge.proposal_id == proposal.id)
        .order_by(JointMerge.visit_date, JointMerge.id)
    )
    found = paginate(session, stmt, page, per_page)
    return found.with_items(merge_views(session, found.items))


def merge_counts(session: Session, proposal: JointProposal) -> dict[str, int]:
    """How many merges of the proposal are in each status."""
    rows = session.execute(
        select(JointMerge.status, func.count())
        .where(JointMerge.proposal_id == proposal.id)
        .group_by(JointMerge.status)
    ).all()
    return {status: int(n) for status, n in rows}


def leftovers_of(
    session: Session, proposal: JointProposal, *, limit: int | None = None
) -> list[tuple[JointLeftover, Enterprise, EnforcementSubject]]:
    """The tasks and plan targets left on their own, with why (the first ``limit``)."""
    return [
        (a, b, c)
        for a, b, c in session.execute(
            select(JointLeftover, Enterprise, EnforcementSubject)
            .join(Enterprise, Enterprise.id == JointLeftover.enterprise_id)
            .join(EnforcementSubject, EnforcementSubject.id == JointLeftover.subject_id)
            .where(JointLeftover.proposal_id == proposal.id)
            .order_by(JointLeftover.enterprise_id, JointLeftover.id)
            .limit(limit)
        )
    ]


def leftover_counts(session: Session, proposal: JointProposal) -> dict[str, int]:
    """How many tasks and plan targets were left alone, by reason."""
    rows = session.execute(
        select(JointLeftover.reason, func.count())
        .where(JointLeftover.proposal_id == proposal.id)
        .group_by(JointLeftover.reason)
    ).all()
    return {reason: int(n) for reason, n in rows}


# --- decisions -----------------------------------------------------------------------------


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
