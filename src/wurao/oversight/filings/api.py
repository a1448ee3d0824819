"""JSON routes of major-decision filings (D25): the caller's filings, one filing with its
attached case file, the subject's filing and the supervisor's acceptance or return — the same
service calls as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.time import local_today
from wurao.oversight.filings import queries, service
from wurao.oversight.filings.models import MajorFiling, MajorFilingDocument
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import Id, PageNo, Text

router = APIRouter(route_class=TxRoute, tags=["filings"], responses=API_ERRORS)


class DocumentOut(BaseModel):
    """A document or evidence file of the case as attached (by SHA-256)."""

    source: str
    name: str
    number: str
    sha256: str

    @classmethod
    def of(cls, row: MajorFilingDocument) -> DocumentOut:
        return cls(source=row.source, name=row.name, number=row.number, sha256=row.sha256)


class FilingOut(BaseModel):
    """A filing as the API shows it (status and kind as codes; see docs/api.md)."""

    id: int
    kind: str
    source_id: int
    case_id: int | None
    subject_id: int
    region_code: str
    title: str
    grounds: str
    decided_on: dt.date
    due_on: dt.date | None
    status: str
    filed_on: dt.date | None
    late: bool
    report: str
    opinion: str
    returned_times: int
    documents: list[DocumentOut] | None = None

    @classmethod
    def of(
        cls,
        filing: MajorFiling,
        today: dt.date,
        documents: list[MajorFilingDocument] | None = None,
    ) -> FilingOut:
        return cls(
            id=filing.id,
            kind=filing.kind,
            source_id=filing.source_id,
            case_id=filing.case_id,
            subject_id=filing.subject_id,
            region_code=filing.region_code,
            title=filing.title,
            grounds=filing.grounds,
            decided_on=filing.decided_on,
            due_on=filing.due_on,
            status=filing.status,
            filed_on=filing.filed_on,
            late=service.is_late(filing, today),
            report=filing.report,
            opinion=filing.opinion,
            returned_times=filing.returned_times,
            documents=None if documents is None else [DocumentOut.of(d) for d in documents],
        )


class FilingPage(BaseModel):
    """One page of filings."""

    items: list[FilingOut]
    total: int
    page: int
    pages: int


class ReportIn(BaseModel):
    """The subject's filing report."""

    report: str = Field(max_length=4000)


class ReviewIn(BaseModel):
    """The supervisor's note: optional on acceptance, the required 监督意见 on return."""

    note: str = Field(default="", max_length=4000)


def _full(db: Session, filing: MajorFiling) -> FilingOut:
    return FilingOut.of(filing, local_today(), queries.documents(db, filing=filing))


@router.get("/api/v1/filings", response_model=FilingPage)
def list_filings(
    status: Annotated[str, Text(12, "状态")] = "",
    kind: Annotated[str, Text(12, "类别")] = "",
    late: bool = False,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> FilingPage:
    """The caller's filings: the region's for a supervisor, its own for a subject."""
    filters = queries.FilingFilters(status=status, kind=kind, late=late)
    found = queries.list_filings(db, actor=actor, filters=filters, page=page)
    today = local_today()
    return FilingPage(
        items=[FilingOut.of(f, today) for f in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


@router.get("/api/v1/filings/{filing_id}", response_model=FilingOut)
def get_filing(
    filing_id: Id,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> FilingOut:
    """One filing the caller may read, with the case file as last attached."""
    return _full(db, queries.get_filing(db, actor=actor, filing_id=filing_id))


@router.post("/api/v1/filings/{filing_id}/file", response_model=FilingOut)
def file_filing(
    filing_id: Id,
    body: ReportIn,
    actor: Actor = Depends(require(Permission.CASES_HANDLE)),
    db: Session = Depends(get_db),
) -> FilingOut:
    """The subject files, or files again once returned (409 in any other state)."""
    filing = queries.get_filing(db, actor=actor, filing_id=filing_id)
    return _full(db, service.file(db, filing=filing, actor=actor, report=body.report))


@router.post("/api/v1/filings/{filing_id}/accept", response_model=FilingOut)
def accept(
    filing_id: Id,
    body: ReviewIn,
    actor: Actor = Depends(require(Permission.ALERTS_MANAGE)),
    db: Session = Depends(get_db),
) -> FilingOut:
    """The supervisor of the region accepts a filed filing (审查通过)."""
    filing = queries.get_filing(db, actor=actor, filing_id=filing_id)
    return _full(db, service.accept(db, filing=filing, actor=actor, note=body.note))


@router.post("/api/v1/filings/{filing_id}/return", response_model=FilingOut)
def send_back(
    filing_id: Id,
    body: ReviewIn,
    actor: Actor = Depends(require(Permission.ALERTS_MANAGE)),
    db: Session = Depends(get_db),
) -> FilingOut:
    """The supervisor of the region returns a filed filing with its 监督意见 (required)."""
    filing = queries.get_filing(db, actor=actor, filing_id=filing_id)
    return _full(db, service.send_back(db, filing=filing, actor=actor, opinion=body.note))
