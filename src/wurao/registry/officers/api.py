"""Officers API (执法人员): registry, annual review, who may inspect on a date."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.time import local_today
from wurao.registry.officers import service
from wurao.registry.officers.schemas import (
    MayInspectOut,
    OfficerIn,
    OfficerOut,
    OfficerPage,
    ReviewIn,
)
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import Id, OptIdQuery, PageNo

router = APIRouter(prefix="/api/v1", route_class=TxRoute, tags=["officers"], responses=API_ERRORS)


@router.get("/officers", response_model=OfficerPage)
def list_officers(
    q: str = "",
    kind: str = "",
    cert: str = "",
    subject_id: OptIdQuery = None,
    on: dt.date | None = None,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> OfficerPage:
    """Officers the caller may see."""
    found = service.list_officers(
        db, actor=actor, q=q, kind=kind, cert=cert, subject_id=subject_id, on=on, page=page
    )
    return OfficerPage(items=[OfficerOut.of(o) for o in found.items], total=found.total, page=page)


@router.get("/officers/{officer_id}", response_model=OfficerOut)
def get_officer(
    officer_id: Id,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> OfficerOut:
    """One officer, if the caller may see them."""
    return OfficerOut.of(service.get_officer(db, actor=actor, officer_id=officer_id))


@router.post("/officers", response_model=OfficerOut, status_code=201)
def create_officer(
    body: OfficerIn,
    actor: Actor = Depends(require(Permission.OFFICERS_MANAGE)),
    db: Session = Depends(get_db),
) -> OfficerOut:
    """Add an officer or auxiliary to a subject the caller manages."""
    officer = service.create_officer(db, actor=actor, data=service.OfficerData(**body.model_dump()))
    return OfficerOut.of(officer)


@router.post("/officers/{officer_id}/review", response_model=OfficerOut)
def record_review(
    officer_id: Id,
    body: ReviewIn,
    actor: Actor = Depends(require(Permission.OFFICERS_MANAGE)),
    db: Session = Depends(get_db),
) -> OfficerOut:
    """Record an annual review result."""
    officer = service.get_officer(db, actor=actor, officer_id=officer_id)
    service.record_review(db, officer=officer, year=body.year, result=body.result, actor=actor)
    return OfficerOut.of(officer)


@router.get("/subjects/{subject_id}/may-inspect", response_model=MayInspectOut)
def may_inspect(
    subject_id: Id,
    on: dt.date | None = None,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> MayInspectOut:
    """The subject's officers who may inspect on a date (A2); default today."""
    subject = service.get_officer_subject(db, actor=actor, subject_id=subject_id)
    day = on or local_today()
    officers = service.who_may_inspect(db, subject_id=subject.id, on=day)
    return MayInspectOut(
        subject_id=subject.id, on=day, officers=[OfficerOut.of(o) for o in officers]
    )
