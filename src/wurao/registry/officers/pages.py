"""Officer pages (执法人员): registry, certificates, annual review. The 居民身份证号 is only
ever shown masked; the edit form leaves it blank and keeps the stored number."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.time import local_today
from wurao.registry import service as registry
from wurao.registry.officers import service
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm, form_date, form_int
from wurao.web.params import MAX_ID, MAX_YEAR, MIN_YEAR, Id, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


def _labels() -> dict[str, object]:
    return {
        "kinds": service.OFFICER_KINDS,
        "aux_kinds": {a: a for a in service.AUX_KINDS},
        "cert_states": service.CERT_STATES,
        "review_results": service.REVIEW_RESULTS,
    }


class OfficerForm(PageForm):
    """登记人员 / 修改人员信息; an empty 居民身份证号 on the edit form keeps the stored one."""

    name: Annotated[str, Text(60, "姓名")] = ""
    ric: Annotated[str, Text(40, "居民身份证号")] = ""
    subject_id: int = Field(ge=1, le=MAX_ID, title="执法主体")
    kind: Annotated[str, Text(20, "人员类别")] = "officer"
    aux_kind: Annotated[str, Text(20, "辅助人员类别")] = ""
    cert_no: Annotated[str, Text(40, "行政执法证号")] = ""
    cert_valid_from: dt.date | None = Field(None, title="执法证有效期自")
    cert_valid_to: dt.date | None = Field(None, title="执法证有效期至")
    legal_qualified: bool = False
    supervision_cert_no: Annotated[str, Text(40, "执法监督证号")] = ""
    active: bool = True

    def data(self, *, keep_ric: bool) -> service.OfficerData:
        return service.OfficerData(
            name=self.name,
            ric=None if keep_ric and not self.ric else self.ric,
            subject_id=self.subject_id,
            kind=self.kind,
            aux_kind=self.aux_kind,
            cert_no=self.cert_no,
            cert_valid_from=self.cert_valid_from,
            cert_valid_to=self.cert_valid_to,
            legal_qualified=self.legal_qualified,
            supervision_cert_no=self.supervision_cert_no,
            active=self.active,
        )


class ReviewForm(PageForm):
    """记录年度审验结果."""

    year: int = Field(ge=MIN_YEAR, le=MAX_YEAR, title="年度")
    result: Annotated[str, Text(10, "结果")] = ""


@router.get("/registry/officers", response_class=HTMLResponse)
def officers_page(
    request: Request,
    q: str = "",
    kind: str = "",
    cert: str = "",
    subject_id: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Officers the caller may see, filterable and paginated."""
    sid = form_int(subject_id, "subject_id")
    today = local_today()
    found = service.list_officers(
        db, actor=actor, q=q, kind=kind, cert=cert, subject_id=sid, on=today, page=page
    )
    return render(
        request,
        "registry/officers.html",
        {
            **found.context("officers"),
            "subject_names": registry.subject_names(db, {o.subject_id for o in found.items}),
            "masked": service.masked_ric,
            "today": today,
            "q": q,
            "kind": kind,
            "cert": cert,
            "subject_id": subject_id.strip(),
            **_labels(),
        },
    )


@router.get("/registry/officers/new", response_class=HTMLResponse)
def new_officer_page(
    request: Request,
    actor: Actor = Depends(require(Permission.OFFICERS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The form to add an officer or auxiliary."""
    return render(
        request,
        "registry/officers_form.html",
        {"officer": None, "subjects": service.subject_choices(db, actor=actor), **_labels()},
    )


@router.post("/registry/officers", response_class=HTMLResponse)
def create_officer(
    request: Request,
    form: Annotated[OfficerForm, Form()],
    actor: Actor = Depends(require(Permission.OFFICERS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Add an officer from the form (refused: the form again, input kept)."""
    officer = service.create_officer(db, actor=actor, data=form.data(keep_ric=False))
    flash(request, f"已登记{officer.name}。")
    return RedirectResponse(f"/registry/officers/{officer.id}", status_code=303)


@router.get("/registry/officers/{officer_id}", response_class=HTMLResponse)
def officer_page(
    request: Request,
    officer_id: Id,
    on: str = "",
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One officer, with whether they may inspect on a date (A2)."""
    officer = service.get_officer(db, actor=actor, officer_id=officer_id)
    day = form_date(on, "on") or local_today()
    subject = service.get_officer_subject(db, actor=actor, subject_id=officer.subject_id)
    return render(
        request,
        "registry/officers_detail.html",
        {
            "officer": officer,
            "ric_masked": service.masked_ric(officer),
            "subject": subject,
            "on": day,
            "today": local_today(),
            "problems": service.officer_problems(officer, day, region_code=subject.region_code),
            **_labels(),
        },
    )


@router.get("/registry/officers/{officer_id}/edit", response_class=HTMLResponse)
def edit_officer_page(
    request: Request,
    officer_id: Id,
    actor: Actor = Depends(require(Permission.OFFICERS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The form to edit an officer (the 居民身份证号 is not shown; blank keeps it)."""
    officer = service.get_officer(db, actor=actor, officer_id=officer_id)
    return render(
        request,
        "registry/officers_form.html",
        {
            "officer": officer,
            "ric_masked": service.masked_ric(officer),
            "subjects": service.subject_choices(db, actor=actor),
            **_labels(),
        },
    )


@router.post("/registry/officers/{officer_id}", response_class=HTMLResponse)
def update_officer(
    request: Request,
    officer_id: Id,
    form: Annotated[OfficerForm, Form()],
    actor: Actor = Depends(require(Permission.OFFICERS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Save an edited officer (refused: the form again, input kept)."""
    officer = service.get_officer(db, actor=actor, officer_id=officer_id)
    service.update_officer(db, officer=officer, data=form.data(keep_ric=True), actor=actor)
    flash(request, "已保存。")
    return RedirectResponse(f"/registry/officers/{officer.id}", status_code=303)


@router.post("/registry/officers/{officer_id}/review", response_class=HTMLResponse)
def record_review(
    request: Request,
    officer_id: Id,
    form: Annotated[ReviewForm, Form()],
    actor: Actor = Depends(require(Permission.OFFICERS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Record an annual review result from the form."""
    officer = service.get_officer(db, actor=actor, officer_id=officer_id)
    service.record_review(db, officer=officer, year=form.year, result=form.result, actor=actor)
    flash(request, "已记录年度审验结果。")
    return RedirectResponse(f"/registry/officers/{officer.id}", status_code=303)
