"""Supervision document API: the visible list (with the 风险提示函) and one document."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.time import local_today
from wurao.oversight.documents import queries, service
from wurao.oversight.documents.schemas import DocumentOut, DocumentSourceOut, ListedDocumentOut
from wurao.oversight.documents.statuses import DOCUMENT_LIFECYCLE, DocumentKind
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import Id, OptIdQuery, PageNo, Text

router = APIRouter(route_class=TxRoute, tags=["documents"], responses=API_ERRORS)


@router.get("/api/v1/oversight/documents", response_model=list[ListedDocumentOut])
def list_documents(
    kind: Annotated[str, Text(20, "文书种类")] = "",
    status: Annotated[str, Text(12, "状态")] = "",
    overdue: bool = False,
    subject: OptIdQuery = None,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> list[ListedDocumentOut]:
    """One page of the documents the caller may read, newest first."""
    filters = queries.DocumentFilters(kind=kind, status=status, overdue=overdue, subject_id=subject)
    found = queries.list_documents(db, actor=actor, filters=filters, page=page)
    return [
        ListedDocumentOut(
            kind=d.kind,
            id=d.id,
            number=d.number,
            subject_id=d.subject_id,
            title=d.title,
            issued_at=d.issued_at,
            status=d.status,
            reply_due_on=d.reply_due_on,
            overdue=d.overdue,
        )
        for d in found.items
    ]


@router.get("/api/v1/oversight/documents/{document_id}", response_model=DocumentOut)
def get_document(
    document_id: Id,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> DocumentOut:
    """One document with its text, sources, SHA-256 and reply."""
    d = queries.get_document(db, actor=actor, document_id=document_id)
    return DocumentOut(
        id=d.id,
        kind=d.kind,
        kind_label=DocumentKind(d.kind).label,
        number=d.number,
        subject_id=d.subject_id,
        title=d.title,
        body=d.body,
        sources=[DocumentSourceOut(**s.as_dict()) for s in service.sources_of(d)],
        issued_at=d.issued_at,
        docx_sha256=d.docx_sha256,
        template_version=d.template_version,
        reply_due_on=d.reply_due_on,
        status=d.status,
        status_label=DOCUMENT_LIFECYCLE.label(d.status),
        overdue=service.is_overdue(d, local_today()),
        reply=d.reply,
        replied_at=d.replied_at,
        closed_at=d.closed_at,
    )
