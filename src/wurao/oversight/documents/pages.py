"""Supervision document pages: the list (filters in the URL; a subject sees those addressed to
it), the new form prefilled from ``?clue=`` / ``?alert=`` / ``?review=``, one document with
its download, the subject's reply and the supervisor's acknowledgement."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.time import local_today
from wurao.oversight import engine
from wurao.oversight.clues import queries as clue_queries
from wurao.oversight.documents import drafts, queries, service
from wurao.oversight.documents.statuses import (
    DOCUMENT_LIFECYCLE,
    DocumentKind,
    DocumentStatus,
    SourceKind,
)
from wurao.oversight.rectification import service as rectification
from wurao.oversight.rectification.statuses import RECT_LIFECYCLE
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm, form_int
from wurao.web.params import MAX_ID, Id, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
MAX_TOKENS = 400  # "clue:123," × 20 and some


class DocumentForm(PageForm):
    """制发监督文书: the draft as the supervisor corrected it."""

    kind: Annotated[str, Text(20, "文书种类")] = ""
    subject_id: int | None = Field(None, ge=1, le=MAX_ID, title="主送执法主体")
    title: Annotated[str, Text(200, "标题")] = ""
    body: Annotated[str, Text(20000, "正文")] = ""
    sources: Annotated[str, Text(MAX_TOKENS, "文书依据")] = ""
    rectify: bool = False


class ReplyForm(PageForm):
    """答复: the subject's written reply."""

    text: Annotated[str, Text(8000, "答复内容")] = ""


class CloseForm(PageForm):
    """确认办结: the supervisor's note."""

    note: Annotated[str, Text(4000, "说明")] = ""


def _labels() -> dict[str, Any]:
    return {
        "kinds": DocumentKind.labels(),
        "all_kinds": queries.KIND_LABELS,
        "statuses": DocumentStatus.labels(),
        "source_kinds": SourceKind.labels(),
        "today": local_today(),
    }


@router.get("/oversight/documents", response_class=HTMLResponse)
def documents_page(
    request: Request,
    kind: Annotated[str, Text(20, "文书种类")] = "",
    status: Annotated[str, Text(12, "状态")] = "",
    overdue: Annotated[str, Text(1, "超期")] = "",
    subject: Annotated[str, Text(12, "执法主体")] = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The region's documents (supervisor) or those addressed to the viewer's subject."""
    filters = queries.DocumentFilters(
        kind=kind, status=status, overdue=overdue == "1", subject_id=form_int(subject, "subject")
    )
    found = queries.list_documents(db, actor=actor, filters=filters, page=page)
    context = {
        **found.context("documents"),
        "kind": kind,
        "status": status,
        "overdue": overdue,
        "subject": subject,
        "issuer": actor.can(Permission.DOCUMENTS_ISSUE),
        "names": engine.subject_names(db, (d.subject_id for d in found.items)),
        **_labels(),
    }
    return render(request, "supervision_documents/list.html", context)


def _ids(raw: str, field: str) -> list[int]:
    out = []
    for part in raw.split(","):
        value = form_int(part, field)
        if value is not None:
            out.append(value)
    return out


@router.get("/oversight/documents/new", response_class=HTMLResponse)
def new_page(
    request: Request,
    clue: Annotated[str, Text(200, "线索")] = "",
    alert: Annotated[str, Text(200, "预警")] = "",
    review: Annotated[str, Text(200, "评查计划")] = "",
    kind: Annotated[str, Text(20, "文书种类")] = "",
    actor: Actor = Depends(require(Permission.DOCUMENTS_ISSUE)),
    db: Session = Depends(get_db),
) -> Response:
    """The form, prefilled with a draft built from the sources named in the URL."""
    sources = [
        *((SourceKind.CLUE.value, i) for i in _ids(clue, "clue")),
        *((SourceKind.ALERT.value, i) for i in _ids(alert, "alert")),
        *((SourceKind.REVIEW.value, i) for i in _ids(review, "review")),
    ][: drafts.MAX_SOURCES]
    draft = drafts.build(db, actor=actor, sources=sources, kind=kind)
    form = {
        "kind": draft.kind,
        "subject_id": draft.subject_id or "",
        "title": draft.title,
        "body": draft.body,
        "sources": ",".join(draft.tokens),
        "source_list": draft.sources,
    }
    context = {
        "form": form,
        "subjects": clue_queries.routable_subjects(db, actor=actor),
        **_labels(),
    }
    return render(request, "supervision_documents/new.html", context)


@router.post("/oversight/documents/new", response_class=HTMLResponse)
def create(
    request: Request,
    form: Annotated[DocumentForm, Form()],
    actor: Actor = Depends(require(Permission.DOCUMENTS_ISSUE)),
    db: Session = Depends(get_db),
) -> Response:
    """Issue the document (refused: the form again, input kept, the error beside its field)."""
    tokens = [t for t in form.sources.split(",") if t.strip()]
    draft = drafts.build(db, actor=actor, sources=drafts.parse_tokens(tokens), kind=form.kind)
    subject = clue_queries.get_subject(db, actor=actor, subject_id=form.subject_id)
    document = service.issue(
        db, actor=actor, kind=form.kind, subject=subject, title=form.title, body=form.body,
        sources=draft.sources, rectify=form.rectify,
    )  # fmt: skip
    flash(
        request,
        f"已制发{DocumentKind(document.kind).label}（{document.number}），已送达执法主体收件箱。",
    )
    return RedirectResponse(f"/oversight/documents/{document.id}", status_code=303)


def _detail(request: Request, db: Session, actor: Actor, document: Any) -> Response:
    today = local_today()
    items = rectification.items_of(db, source_kind="document", source_ids=[document.id])
    context = {
        "document": document,
        "kind_label": DocumentKind(document.kind).label,
        "status_label": DOCUMENT_LIFECYCLE.label(document.status),
        "overdue": service.is_overdue(document, today),
        "sources": service.sources_of(document),
        "allowed": service.allowed_actions(actor, document),
        "subject_name": engine.subject_names(db, [document.subject_id]).get(
            document.subject_id, ""
        ),
        "items": items.get(document.id, []),
        "item_label": RECT_LIFECYCLE.label,
        **_labels(),
    }
    return render(request, "supervision_documents/detail.html", context)


@router.get("/oversight/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request,
    document_id: Id,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One document: its text, sources, SHA-256, reply and the actions open to the viewer."""
    document = queries.get_document(db, actor=actor, document_id=document_id)
    return _detail(request, db, actor, document)


@router.get("/oversight/documents/{document_id}/docx")
def download(
    document_id: Id,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The .docx as issued (the download is on the audit record)."""
    document = queries.get_document(db, actor=actor, document_id=document_id)
    data = service.download(db, actor=actor, document=document)
    name = f"{DocumentKind(document.kind).label}-{document.number}.docx"
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.post("/oversight/documents/{document_id}/reply", response_class=HTMLResponse)
def reply(
    request: Request,
    document_id: Id,
    form: Annotated[ReplyForm, Form()],
    actor: Actor = Depends(require(Permission.ALERTS_RESPOND)),
    db: Session = Depends(get_db),
) -> Response:
    """The subject's written reply."""
    document = queries.get_document(db, actor=actor, document_id=document_id)
    service.reply(db, actor=actor, document=document, text=form.text)
    flash(request, "已答复，待执法监督机构确认。")
    return RedirectResponse(f"/oversight/documents/{document.id}", status_code=303)


@router.post("/oversight/documents/{document_id}/close", response_class=HTMLResponse)
def close(
    request: Request,
    document_id: Id,
    form: Annotated[CloseForm, Form()],
    actor: Actor = Depends(require(Permission.DOCUMENTS_ISSUE)),
    db: Session = Depends(get_db),
) -> Response:
    """The supervisor acknowledges the reply and closes the document."""
    document = queries.get_document(db, actor=actor, document_id=document_id)
    service.close(db, actor=actor, document=document, note=form.note)
    flash(request, "已办结。")
    return RedirectResponse(f"/oversight/documents/{document.id}", status_code=303)
