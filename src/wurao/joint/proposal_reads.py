"""综合查一次 proposals, the reads: which proposals an actor sees, one proposal or merge by id
(refused outside the actor's scope), each merge with its parts and decisions for the pages, and
the leftovers (demands no merge took), paged and counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor, region_filter
from wurao.core.errors import NotFound
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.inspections.models import (
    TaskItem,
)
from wurao.joint.models import JointLeftover, JointMerge, JointPart, JointProposal
from wurao.joint.proposals import ALL_MERGES
from wurao.planning.models import PlanEntry
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem


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
