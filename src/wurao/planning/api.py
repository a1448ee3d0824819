"""Planning API: /api/v1/plans, /api/v1/special-inspections and /api/v1/unplanned."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.planning import lines, service, steps
from wurao.planning import special as special_service
from wurao.planning import unplanned as unplanned_service
from wurao.planning.models import InspectionPlan
from wurao.planning.schemas import (
    AmendIn,
    ApproveIn,
    CommentIn,
    DecisionIn,
    DiscussionIn,
    EntryIn,
    EntryOut,
    LegalReviewIn,
    PlanIn,
    PlanOut,
    PlanPage,
    PublishIn,
    ReviewIn,
    SpecialApprovalIn,
    SpecialIn,
    SpecialOut,
    SpecialPage,
    UnplannedIn,
    UnplannedOut,
    UnplannedPage,
)
from wurao.registry.enterprises.service import get_by_uscc
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import Id, OptYear, PageNo

router = APIRouter(prefix="/api/v1", route_class=TxRoute, tags=["plans"], responses=API_ERRORS)


def _out(db: Session, plan: InspectionPlan) -> PlanOut:
    entries = service.entries_of(db, plan)
    counts = service.target_counts(db, entries)
    return PlanOut.of(plan, [EntryOut.of(e, counts.get(e.id, 0)) for e in entries])


@router.get("/plans", response_model=PlanPage)
def list_plans(
    year: OptYear = None,
    status: str = "",
    q: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> PlanPage:
    """Plans the caller may see."""
    found = service.list_plans(db, actor=actor, year=year, status=status, q=q, page=page)
    return PlanPage(items=[PlanOut.of(p) for p in found.items], total=found.total, page=page)


@router.post("/plans", response_model=PlanOut, status_code=201)
def create_plan(
    body: PlanIn,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> PlanOut:
    """Start a draft plan for the caller's subject."""
    return _out(db, steps.create_plan(db, actor=actor, year=body.year, title=body.title))


@router.get("/plans/{plan_id}", response_model=PlanOut)
def get_plan(
    plan_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> PlanOut:
    """One plan with its entries."""
    return _out(db, service.get_plan(db, actor=actor, plan_id=plan_id))


@router.post("/plans/{plan_id}/entries", response_model=PlanOut, status_code=201)
def add_entry(
    plan_id: Id,
    body: EntryIn,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> PlanOut:
    """Add a line to a draft plan."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    lines.add_entry(db, plan=plan, data=lines.EntryData(**body.model_dump()), actor=actor)
    return _out(db, plan)


@router.delete("/plans/{plan_id}/entries/{entry_id}", response_model=PlanOut)
def remove_entry(
    plan_id: Id,
    entry_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> PlanOut:
    """Delete a line of a draft plan."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    lines.remove_entry(db, plan=plan, entry_id=entry_id, actor=actor)
    return _out(db, plan)


@router.post("/plans/{plan_id}/submit", response_model=PlanOut)
def submit_plan(
    plan_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> PlanOut:
    """Submit a draft for the head's approval."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    return _out(db, steps.submit_plan(db, plan=plan, actor=actor))


@router.post("/plans/{plan_id}/approve", response_model=PlanOut)
def approve_plan(
    plan_id: Id,
    body: ApproveIn,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> PlanOut:
    """Record the head's approval."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    steps.approve_plan(db, plan=plan, actor=actor, head_name=body.head_name, comment=body.comment)
    return _out(db, plan)


@router.post("/plans/{plan_id}/send-back", response_model=PlanOut)
def send_back(
    plan_id: Id,
    body: CommentIn,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> PlanOut:
    """The head did not approve: back to draft with comments."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    return _out(db, steps.send_back(db, plan=plan, actor=actor, comment=body.comment))


@router.post("/plans/{plan_id}/publish", response_model=PlanOut)
def publish_plan(
    plan_id: Id,
    body: PublishIn | None = None,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> PlanOut:
    """Publish an approved plan."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    on = body.on if body else None
    return _out(db, steps.publish_plan(db, plan=plan, actor=actor, on=on))


@router.post("/plans/{plan_id}/file", response_model=PlanOut)
def file_plan(
    plan_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> PlanOut:
    """File a published plan with the supervisor."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    return _out(db, steps.file_plan(db, plan=plan, actor=actor))


@router.post("/plans/{plan_id}/filing-review", response_model=PlanOut)
def review_filing(
    plan_id: Id,
    body: ReviewIn,
    actor: Actor = Depends(require(Permission.PLANS_REVIEW_FILING)),
    db: Session = Depends(get_db),
) -> PlanOut:
    """The supervisor accepts or returns a filing."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    steps.review_filing(db, plan=plan, actor=actor, accept=body.accept, comment=body.comment)
    return _out(db, plan)


@router.post("/plans/{plan_id}/amend", response_model=PlanOut, status_code=201)
def amend_plan(
    plan_id: Id,
    body: AmendIn,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> PlanOut:
    """Start a new version of a published plan."""
    plan = service.get_plan(db, actor=actor, plan_id=plan_id)
    return _out(db, steps.amend_plan(db, plan=plan, actor=actor, reason=body.reason))


# --- special inspections ----------------------------------------------------------------


@router.get("/special-inspections", response_model=SpecialPage)
def list_specials(
    year: OptYear = None,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> SpecialPage:
    """Special inspections the caller may see."""
    found = special_service.list_specials(db, actor=actor, year=year, page=page)
    return SpecialPage(items=[SpecialOut.of(s) for s in found.items], total=found.total, page=page)


@router.post("/special-inspections", response_model=SpecialOut, status_code=201)
def create_special(
    body: SpecialIn,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> SpecialOut:
    """Draft a special inspection (refused over the annual quota)."""
    special = special_service.create_special(
        db, actor=actor, data=special_service.SpecialData(**body.model_dump())
    )
    return SpecialOut.of(special)


@router.get("/special-inspections/{special_id}", response_model=SpecialOut)
def get_special(
    special_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> SpecialOut:
    """One special inspection."""
    return SpecialOut.of(special_service.get_special(db, actor=actor, special_id=special_id))


@router.post("/special-inspections/{special_id}/legal-review", response_model=SpecialOut)
def legal_review(
    special_id: Id,
    body: LegalReviewIn,
    actor: Actor = Depends(require(Permission.SPECIAL_LEGAL_REVIEW)),
    db: Session = Depends(get_db),
) -> SpecialOut:
    """法制审核."""
    special = special_service.get_special(db, actor=actor, special_id=special_id)
    special_service.legal_review_special(
        db, special=special, actor=actor, passed=body.passed, opinion=body.opinion
    )
    return SpecialOut.of(special)


@router.post("/special-inspections/{special_id}/discussion", response_model=SpecialOut)
def discussion(
    special_id: Id,
    body: DiscussionIn,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> SpecialOut:
    """Record the collective discussion."""
    special = special_service.get_special(db, actor=actor, special_id=special_id)
    special_service.record_discussion(
        db, special=special, actor=actor, on=body.on, record=body.record
    )
    return SpecialOut.of(special)


@router.post("/special-inspections/{special_id}/approval", response_model=SpecialOut)
def approval(
    special_id: Id,
    body: SpecialApprovalIn,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> SpecialOut:
    """Record the government's (or the superior organ's) approval."""
    special = special_service.get_special(db, actor=actor, special_id=special_id)
    special_service.record_special_approval(
        db, special=special, actor=actor, organ=body.organ, ref=body.ref, on=body.on
    )
    return SpecialOut.of(special)


@router.post("/special-inspections/{special_id}/publish", response_model=SpecialOut)
def publish_special(
    special_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> SpecialOut:
    """Publish an approved special inspection."""
    special = special_service.get_special(db, actor=actor, special_id=special_id)
    return SpecialOut.of(special_service.publish_special(db, special=special, actor=actor))


@router.post("/special-inspections/{special_id}/file", response_model=SpecialOut)
def file_special(
    special_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_EDIT)),
    db: Session = Depends(get_db),
) -> SpecialOut:
    """File a published special inspection with the supervisor."""
    special = special_service.get_special(db, actor=actor, special_id=special_id)
    return SpecialOut.of(special_service.file_special(db, special=special, actor=actor))


# --- unplanned inspections --------------------------------------------------------------


@router.get("/unplanned", response_model=UnplannedPage)
def list_unplanned(
    status: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> UnplannedPage:
    """Unplanned-inspection approvals the caller may see."""
    found = unplanned_service.list_unplanned(db, actor=actor, status=status, page=page)
    return UnplannedPage(
        items=[UnplannedOut.of(r) for r in found.items], total=found.total, page=page
    )


@router.post("/unplanned", response_model=UnplannedOut, status_code=201)
def request_unplanned(
    body: UnplannedIn,
    actor: Actor = Depends(require(Permission.UNPLANNED_REQUEST)),
    db: Session = Depends(get_db),
) -> UnplannedOut:
    """Ask the head to approve an inspection outside any plan."""
    enterprise = get_by_uscc(db, actor=actor, uscc=body.enterprise_uscc)
    row = unplanned_service.request_unplanned(
        db,
        actor=actor,
        enterprise=enterprise,
        reason=body.reason,
        key_area=body.key_area,
        valid_until=body.valid_until,
    )
    return UnplannedOut.of(row)


@router.post("/unplanned/{approval_id}/decision", response_model=UnplannedOut)
def decide_unplanned(
    approval_id: Id,
    body: DecisionIn,
    actor: Actor = Depends(require(Permission.UNPLANNED_APPROVE)),
    db: Session = Depends(get_db),
) -> UnplannedOut:
    """Record the head's decision (an approval is filed at once)."""
    row = unplanned_service.get_unplanned(db, actor=actor, approval_id=approval_id)
    unplanned_service.decide_unplanned(
        db,
        approval=row,
        actor=actor,
        approve=body.approve,
        head_name=body.head_name,
        comment=body.comment,
    )
    return UnplannedOut.of(row)
