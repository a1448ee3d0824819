"""Enforcement subjects API (执法主体)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.registry.subjects import service
from wurao.registry.subjects.schemas import (
    AnnounceIn,
    ConfirmIn,
    SubjectIn,
    SubjectOut,
    SubjectPage,
)
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import Id, PageNo

router = APIRouter(prefix="/api/v1", route_class=TxRoute, tags=["subjects"], responses=API_ERRORS)


@router.get("/subjects", response_model=SubjectPage)
def list_subjects(
    q: str = "",
    field: str = "",
    state: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> SubjectPage:
    """Subjects in the caller's region."""
    found = service.list_subjects(db, actor=actor, q=q, field=field, state=state, page=page)
    return SubjectPage(items=[SubjectOut.of(s) for s in found.items], total=found.total, page=page)


@router.get("/subjects/{subject_id}", response_model=SubjectOut)
def get_subject(
    subject_id: Id,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> SubjectOut:
    """One subject, if within the caller's region."""
    return SubjectOut.of(service.get_subject(db, actor=actor, subject_id=subject_id))


@router.post("/subjects", response_model=SubjectOut, status_code=201)
def create_subject(
    body: SubjectIn,
    actor: Actor = Depends(require(Permission.SUBJECTS_MANAGE)),
    db: Session = Depends(get_db),
) -> SubjectOut:
    """Register a subject (unconfirmed)."""
    subject = service.create_subject(db, actor=actor, data=service.SubjectData(**body.model_dump()))
    return SubjectOut.of(subject)


@router.post("/subjects/{subject_id}/confirm", response_model=SubjectOut)
def confirm_subject(
    subject_id: Id,
    body: ConfirmIn,
    actor: Actor = Depends(require(Permission.SUBJECTS_MANAGE)),
    db: Session = Depends(get_db),
) -> SubjectOut:
    """Record the confirmation of the subject's 行政检查主体资格."""
    subject = service.get_subject(db, actor=actor, subject_id=subject_id)
    service.confirm_subject(
        db, subject=subject, confirmed_by=body.confirmed_by, on=body.on, actor=actor
    )
    return SubjectOut.of(subject)


@router.post("/subjects/{subject_id}/announce", response_model=SubjectOut)
def announce_subject(
    subject_id: Id,
    body: AnnounceIn,
    actor: Actor = Depends(require(Permission.SUBJECTS_MANAGE)),
    db: Session = Depends(get_db),
) -> SubjectOut:
    """Record the public announcement of a confirmed subject."""
    subject = service.get_subject(db, actor=actor, subject_id=subject_id)
    service.announce_subject(
        db, subject=subject, announcement_ref=body.announcement_ref, on=body.on, actor=actor
    )
    return SubjectOut.of(subject)
