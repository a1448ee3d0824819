"""The documents of a case (.docx) and the publication of its decision (D20).

The list is a fragment (``cases/_documents.html``) that the case page includes; its forms post
here and, from htmx, get the fragment back — with the error beside its field and what was typed
when the input is refused.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.cases import document_service, publication
from wurao.cases.access import get_case
from wurao.cases.documents import filename
from wurao.cases.models import PenaltyCase
from wurao.core.errors import InvalidInput
from wurao.core.text import NOTE
from wurao.core.time import local_today
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import form_date
from wurao.web.params import LongId, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FRAGMENT = "cases/_documents.html"
Kind = Annotated[str, Text(20, "文书种类")]


def _docx(case: PenaltyCase, kind: str, data: bytes) -> Response:
    name = quote(filename(case, document_service.kind_of(kind)))
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{name}",
        "Cache-Control": "no-store",  # may carry a person's full ID number
    }
    return Response(data, media_type=DOCX, headers=headers)


def _fragment(
    request: Request,
    db: Session,
    actor: Actor,
    case: PenaltyCase,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    notice: str = "",
) -> Response:
    ctx = document_service.documents_context(db, actor=actor, case=case, errors=errors)
    return render(request, FRAGMENT, {**ctx, "typed": typed or {}, "notice": notice})


def _refused(
    request: Request,
    db: Session,
    actor: Actor,
    case: PenaltyCase,
    exc: InvalidInput,
    typed: dict[str, str],
) -> Response:
    """htmx: the fragment again, the error beside its field and the typed values kept (a 200,
    which htmx swaps in); a plain form post gets the error page."""
    if request.headers.get("hx-request") != "true":
        raise exc
    errors = {exc.field or "reason": exc.message}
    return _fragment(request, db, actor, case, errors=errors, typed=typed)


def _done(request: Request, db: Session, actor: Actor, case: PenaltyCase, message: str) -> Response:
    if request.headers.get("hx-request") == "true":
        return _fragment(request, db, actor, case, notice=message)
    flash(request, message)
    return RedirectResponse(f"/cases/{case.id}#documents", status_code=303)


@router.get("/cases/{case_id}/documents", response_class=HTMLResponse)
def documents_fragment(
    request: Request,
    case_id: LongId,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The case's documents and publication, as the fragment the case page includes."""
    case = get_case(db, actor=actor, case_id=case_id)
    return _fragment(request, db, actor, case)


@router.get("/cases/{case_id}/documents/{kind}.docx")
def document_download(
    case_id: LongId,
    kind: Kind,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """A generated document as issued (.docx); the download is audited."""
    return _download(db, actor, case_id, kind)


@router.get("/enterprise/cases/{case_id}/documents/{kind}.docx")
def enterprise_document(
    case_id: LongId,
    kind: Kind,
    actor: Actor = Depends(require(Permission.ENTERPRISE_PORTAL)),
    db: Session = Depends(get_db),
) -> Response:
    """The enterprise's own decision, once served (.docx); the download is audited."""
    return _download(db, actor, case_id, kind)


def _download(db: Session, actor: Actor, case_id: int, kind: str) -> Response:
    case = get_case(db, actor=actor, case_id=case_id)
    _, data = document_service.download(
        db, actor=actor, case=case, kind=document_service.kind_of(kind)
    )
    return _docx(case, kind, data)


@router.post("/cases/{case_id}/documents/{kind}", response_class=HTMLResponse)
def document_generate(
    request: Request,
    case_id: LongId,
    kind: Kind,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """出具 (or regenerate, keeping its number) a document the case's stage allows."""
    case = get_case(db, actor=actor, case_id=case_id)
    row, _ = document_service.generate(
        db, actor=actor, case=case, kind=document_service.kind_of(kind)
    )
    return _done(request, db, actor, case, f"已出具{row.number}。")


@router.post("/cases/{case_id}/publication/publish", response_class=HTMLResponse)
def publish(
    request: Request,
    case_id: LongId,
    on: Annotated[str, Form(), Text(10, "公开日期")] = "",
    actor: Actor = Depends(require(Permission.CASES_HANDLE)),
    db: Session = Depends(get_db),
) -> Response:
    """公开: put the decision on the public portal."""
    case = get_case(db, actor=actor, case_id=case_id)
    try:
        day = form_date(on, "on") or local_today()
        done = publication.publish(db, actor=actor, case=case, on=day)
    except InvalidInput as exc:
        return _refused(request, db, actor, case, exc, {"on": on})
    late = "".join(f"（{w.detail}）" for w in done.warnings)
    return _done(request, db, actor, case, "处罚决定已公开。" + late)


@router.post("/cases/{case_id}/publication/withdraw", response_class=HTMLResponse)
def withdraw(
    request: Request,
    case_id: LongId,
    reason: Annotated[str, Form(), Text(NOTE, "撤回理由")] = "",
    changed_on: Annotated[str, Form(), Text(10, "变更、撤销日期")] = "",
    on: Annotated[str, Form(), Text(10, "撤回日期")] = "",
    actor: Actor = Depends(require(Permission.CASES_HANDLE)),
    db: Session = Depends(get_db),
) -> Response:
    """撤回: the decision was changed or revoked; take it off the portal, reason stated."""
    case = get_case(db, actor=actor, case_id=case_id)
    typed = {"reason": reason, "changed_on": changed_on, "on": on}
    try:
        day = form_date(on, "on") or local_today()
        done = publication.withdraw_publication(
            db, actor=actor, case=case, reason=reason, on=day,
            changed_on=form_date(changed_on, "changed_on"),
        )  # fmt: skip
    except InvalidInput as exc:
        return _refused(request, db, actor, case, exc, typed)
    late = "".join(f"（{w.detail}）" for w in done.warnings)
    return _done(request, db, actor, case, "已撤回公开的处罚决定。" + late)
