"""Joint-inspection API: /api/v1/plans/joint-candidates and /api/v1/joint/… (proposals of
merged visits, decisions, the merged checklist).

Registered before the planning API so that the path is not read as a plan id.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.joint import decisions, proposal_reads, proposals, service
from wurao.joint.checklist import merged_checklist
from wurao.joint.models import JointProposal
from wurao.joint.schemas import (
    CandidateOut,
    ChecklistLineOut,
    DecisionIn,
    LeftoverOut,
    MergeOut,
    PartOut,
    ProposalIn,
    ProposalOut,
)
from wurao.joint.solver import REASONS
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import Id, Year

router = APIRouter(prefix="/api/v1", route_class=TxRoute, tags=["plans"], responses=API_ERRORS)


@router.get("/plans/joint-candidates", response_model=list[CandidateOut])
def joint_candidates(
    year: Year,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> list[CandidateOut]:
    """Entries of different subjects reaching the same enterprises in shared months."""
    found = service.joint_candidates(db, actor=actor, year=year)
    return [CandidateOut(**{**c.__dict__, "months": list(c.months)}) for c in found]


def _merge_out(v: proposal_reads.MergeView) -> MergeOut:
    m = v.merge
    return MergeOut(
        id=m.id,
        enterprise_id=v.enterprise.id,
        enterprise_name=v.enterprise.name,
        visit_date=m.visit_date,
        window_start=m.window_start,
        window_end=m.window_end,
        method=m.method,
        lead_subject_id=m.lead_subject_id,
        status=m.status,
        joint_task_id=m.joint_task_id,
        parts=[
            PartOut(
                subject_id=s.id,
                subject_name=s.name,
                task_id=p.task_id,
                plan_entry_id=p.plan_entry_id,
                window_start=p.window_start,
                window_end=p.window_end,
                decision=p.decision,
                reason=p.reason,
            )
            for p, s in v.parts
        ],
    )


def _proposal_out(db: Session, proposal: JointProposal, *, detail: bool) -> ProposalOut:
    p = proposal
    return ProposalOut(
        id=p.id,
        region_code=p.region_code,
        period_start=p.period_start,
        period_end=p.period_end,
        visits_before=p.demands,
        visits=p.visits,
        lower_bound=p.lower_bound,
        window_bound=p.window_bound,
        ratio_to_bound=round(p.visits / p.lower_bound, 4) if p.lower_bound else 1.0,
        officer_days_before=p.officer_days_before,
        officer_days=p.officer_days,
        solver=p.solver,
        solver_status=p.solver_status,
        seconds=p.seconds,
        merges=[_merge_out(v) for v in proposal_reads.merges_of(db, p)] if detail else [],
        leftovers=[
            LeftoverOut(
                enterprise_id=row.enterprise_id,
                subject_id=row.subject_id,
                task_id=row.task_id,
                plan_entry_id=row.plan_entry_id,
                reason=row.reason,
                reason_text=REASONS[row.reason],
            )
            for row, _, _ in proposal_reads.leftovers_of(db, p)
        ]
        if detail
        else [],
    )


@router.post("/joint/proposals", response_model=ProposalOut, status_code=201)
def create_proposal(
    body: ProposalIn,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> ProposalOut:
    """Run the joint-visit optimiser for the caller's region and period; store the proposal."""
    proposal = proposals.run_proposal(
        db, actor=actor, start=body.period_start, end=body.period_end, time_limit=body.time_limit
    )
    return _proposal_out(db, proposal, detail=True)


@router.get("/joint/proposals", response_model=list[ProposalOut])
def list_proposals(
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> list[ProposalOut]:
    """The newest proposals of the caller's region (totals only)."""
    return [
        _proposal_out(db, p, detail=False) for p in proposal_reads.list_proposals(db, actor=actor)
    ]


@router.get("/joint/proposals/{proposal_id}", response_model=ProposalOut)
def get_proposal(
    proposal_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> ProposalOut:
    """A proposal with its merges, their parts and decisions, and the tasks left alone."""
    proposal = proposal_reads.get_proposal(db, actor=actor, proposal_id=proposal_id)
    return _proposal_out(db, proposal, detail=True)


@router.post("/joint/merges/{merge_id}/decision", response_model=MergeOut)
def decide(
    merge_id: Id,
    body: DecisionIn,
    actor: Actor = Depends(require(Permission.TASKS_MANAGE)),
    db: Session = Depends(get_db),
) -> MergeOut:
    """The caller's subject accepts or declines a merge; the last acceptance makes the task."""
    merge = proposal_reads.get_merge(db, actor=actor, merge_id=merge_id)
    decisions.decide(db, actor=actor, merge=merge, accept=body.accept, reason=body.reason)
    return _merge_out(proposal_reads.merge_views(db, [merge])[0])


@router.get("/joint/merges/{merge_id}/checklist", response_model=list[ChecklistLineOut])
def checklist(
    merge_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> list[ChecklistLineOut]:
    """一表通查: the merged checklist of a proposed joint visit, duplicate lines once."""
    merge = proposal_reads.get_merge(db, actor=actor, merge_id=merge_id)
    view = proposal_reads.merge_views(db, [merge])[0]
    return [
        ChecklistLineOut(text=x.text, basis=x.basis, subjects=x.subjects, items=x.items)
        for x in merged_checklist(db, view.items)
    ]
