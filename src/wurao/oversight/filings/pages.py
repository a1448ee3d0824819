"""Major-decision filing pages: the supervisor's filing inbox (due, late, waiting for review,
returned — filters in the URL, counts above), the subject's own list, and one filing with the
case summary, the attached case file, the history and the step open to the viewer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.cases.service import party_label
from wurao.cases.statuses import CaseStatus, kinds_label
from wurao.core.errors import NotFound
from wurao.core.text import NOTE
from wurao.core.time import local_today
from wurao.oversight.clues.queries import routable_subjects
from wurao.oversight.filings import queries, service
from wurao.oversight.filings.models import MajorFiling
from wurao.oversight.filings.statuses import (
    ACTION_LABELS,
    FILING_LIFECYCLE,
    FilingKind,
    FilingStatus,
)
from wurao.registry.models import EnforcementSubject
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm, form_int
from wurao.web.params import Id, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


def labels() -> dict[str, Any]:
    """The Chinese labels every filing template reads."""
    return {
        "filing_statuses": FilingStatus.labels(),
        "filing_kinds": FilingKind.labels(),
        "action_labels": ACTION_LABELS,
        "today": local_today(),
        "is_late": service.is_late,
    }


@router.get("/oversight/filings", response_class=HTMLResponse)
def list_page(
    request: Request,
    status: Annotated[str, Text(12, "状态")] = "",
    kind: Annotated[str, Text(12, "类别")] = "",
    subject: Annotated[str, Text(12, "执法主体")] = "",
    late: Annotated[str, Text(1, "逾期")] = "",
    q: Annotated[str, Text(100, "检索")] = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The supervisor's inbox, or the subject's own filings: those waiting first."""
    supervisor = actor.can(Permission.ALERTS_MANAGE)
    filters = queries.FilingFilters(
        status=status,
        kind=kind,
        subject_id=form_int(subject, "subject") if supervisor else None,
        late=late == "1",
        q=q,
    )
    found = queries.list_filings(db, actor=actor, filters=filters, page=page)
    subjects = routable_subjects(db, actor=actor) if supervisor else []
    context = {
        **found.context("filings"),
        "counts": queries.counts(db, actor=actor),
        "status": status,
        "kind": kind,
        "subject": subject,
        "late": late,
        "q": q,
        "supervisor": supervisor,
        "subjects": subjects,
        "names": queries.subject_names(db, {f.subject_id for f in found.items}),
        **labels(),
    }
    return render(request, "oversight/filings/list.html", context)


class FileForm(PageForm):
    """报备: the subject's filing report."""

    report: Annotated[str, Text(4000, "备案报告")] = ""


class ReviewForm(PageForm):
    """审查通过 or 退回: the supervisor's note (监督意见 when returning)."""

    note: Annotated[str, Text(NOTE * 2, "意见")] = ""


def _detail(
    request: Request,
    db: Session,
    actor: Actor,
    filing: MajorFiling,
) -> Response:
    case = queries.case_of(db, filing)
    subject = db.get(EnforcementSubject, filing.subject_id)
    context = {
        "filing": filing,
        "case": case,
        "party": party_label(case) if case is not None else "",
        "decision_kinds": kinds_label(case.decision_kinds) if case is not None else "",
        "case_status": CaseStatus.labels().get(case.status, case.status) if case else "",
        "events": queries.history(db, filing=filing),
        "documents": queries.documents(db, filing=filing),
        "allowed": service.allowed_actions(actor, filing),
        "status_label": FILING_LIFECYCLE.label(filing.status),
        "late": service.is_late(filing, local_today()),
        "subject_name": subject.name if subject is not None else "",
        **labels(),
    }
    return render(request, "oversight/filings/detail.html", context)


@router.get("/oversight/filings/case/{case_id}", response_class=HTMLResponse)
def case_line(
    request: Request,
    case_id: Id,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The case page's line (htmx): the case's filing and its status, or that none is due;
    without htmx, the filing itself."""
    filing = queries.filing_for_case(db, actor=actor, case_id=case_id)
    if request.headers.get("HX-Request") != "true":
        if filing is None:
            raise NotFound("本案的决定无须备案，或备案不在您的管辖范围内。")
        return RedirectResponse(f"/oversight/filings/{filing.id}", status_code=303)
    context = {
        "filing": filing,
        "late": filing is not None and service.is_late(filing, local_today()),
        **labels(),
    }
    return render(request, "oversight/filings/_case_line.html", context)


@router.get("/oversight/filings/{filing_id}", response_class=HTMLResponse)
def filing_page(
    request: Request,
    filing_id: Id,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One filing: the decision, why it is filed, the case file, its history, the next step."""
    return _detail(request, db, actor, queries.get_filing(db, actor=actor, filing_id=filing_id))


@router.post("/oversight/filings/{filing_id}/file", response_class=HTMLResponse)
def file_filing(
    request: Request,
    filing_id: Id,
    form: Annotated[FileForm, Form()],
    actor: Actor = Depends(require(Permission.CASES_HANDLE)),
    db: Session = Depends(get_db),
) -> Response:
    """The subject files (or files again after a return) with its report."""
    filing = queries.get_filing(db, actor=actor, filing_id=filing_id)
    service.file(db, filing=filing, actor=actor, report=form.report)
    flash(request, "已报备，待执法监督机构审查。")
    return RedirectResponse(f"/oversight/filings/{filing.id}", status_code=303)


@router.post("/oversight/filings/{filing_id}/{action}", response_class=HTMLResponse)
def review(
    request: Request,
    filing_id: Id,
    action: Annotated[str, Text(10, "操作")],
    form: Annotated[ReviewForm, Form()],
    actor: Actor = Depends(require(Permission.ALERTS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The supervisor accepts (审查通过) or returns the filing with a 监督意见."""
    filing = queries.get_filing(db, actor=actor, filing_id=filing_id)
    if action == "accept":
        service.accept(db, filing=filing, actor=actor, note=form.note)
    elif action == "return":
        service.send_back(db, filing=filing, actor=actor, opinion=form.note)
    else:
        raise NotFound("未知的操作。")
    flash(
        request, f"已{ACTION_LABELS[action]}，当前状态：{FILING_LIFECYCLE.label(filing.status)}。"
    )
    return RedirectResponse(f"/oversight/filings/{filing.id}", status_code=303)
