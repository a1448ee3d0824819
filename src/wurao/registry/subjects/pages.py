"""Enforcement subject pages (执法主体) and their public listing (公示)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.text import LONG_TEXT
from wurao.core.time import local_today
from wurao.registry import service as registry
from wurao.registry.models import EnforcementSubject
from wurao.registry.subjects import service
from wurao.web.deps import TxRoute, get_db, public, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm
from wurao.web.params import MAX_ID, Id, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


def _labels() -> dict[str, object]:
    return {
        "kinds": service.SUBJECT_KINDS,
        "levels": {level: level for level in service.LEVELS},
        "fields": service.FIELDS,
        "states": service.STATES,
    }


class SubjectForm(PageForm):
    """登记 / 修改执法主体."""

    name: Annotated[str, Text(120, "名称")] = ""
    uscc: Annotated[str, Text(40, "统一社会信用代码")] = ""
    region_code: Annotated[str, Text(12, "所在行政区划代码")] = ""
    field: Annotated[str, Text(30, "执法领域")] = ""
    level: Annotated[str, Text(12, "层级")] = ""
    kind: Annotated[str, Text(20, "主体类别")] = "organ"
    entrusted_by_id: int | None = Field(None, ge=1, le=MAX_ID, title="委托机关")
    vertical: bool = False
    legal_basis: Annotated[str, Text(LONG_TEXT, "法定依据")] = ""

    def data(self) -> service.SubjectData:
        return service.SubjectData(
            name=self.name,
            uscc=self.uscc,
            region_code=self.region_code,
            field=self.field,
            level=self.level,
            kind=self.kind,
            entrusted_by_id=self.entrusted_by_id,
            vertical=self.vertical,
            legal_basis=self.legal_basis,
        )


class ConfirmForm(PageForm):
    """记录主体资格确认."""

    confirmed_by: Annotated[str, Text(120, "确认机关")] = ""
    confirmed_on: dt.date | None = Field(None, title="确认日期")


class AnnounceForm(PageForm):
    """记录公告."""

    announcement_ref: Annotated[str, Text(200, "公告文号或链接")] = ""
    announced_on: dt.date | None = Field(None, title="公告日期")


@router.get("/registry/subjects", response_class=HTMLResponse)
def subjects_page(
    request: Request,
    q: str = "",
    field: str = "",
    state: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Subjects in the caller's region, filterable and paginated."""
    found = service.list_subjects(db, actor=actor, q=q, field=field, state=state, page=page)
    return render(
        request,
        "registry/subjects.html",
        {
            **found.context("subjects"),
            "state_of": service.subject_state,
            "q": q,
            "field": field,
            "state": state,
            **_labels(),
        },
    )


@router.get("/registry/subjects/new", response_class=HTMLResponse)
def new_subject_page(
    request: Request,
    actor: Actor = Depends(require(Permission.SUBJECTS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The form to register a subject."""
    return render(
        request,
        "registry/subjects_form.html",
        {
            "subject": None,
            "organs": service.entrusting_choices(db, actor=actor),
            "default_region": actor.region_code if actor.region_code != "000000" else "",
            **_labels(),
        },
    )


@router.post("/registry/subjects", response_class=HTMLResponse)
def create_subject(
    request: Request,
    form: Annotated[SubjectForm, Form()],
    actor: Actor = Depends(require(Permission.SUBJECTS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Register a subject from the form (refused: the form again, input kept)."""
    subject = service.create_subject(db, actor=actor, data=form.data())
    flash(request, f"已登记执法主体“{subject.name}”，待确认和公告。")
    return RedirectResponse(f"/registry/subjects/{subject.id}", status_code=303)


@router.get("/registry/subjects/{subject_id}", response_class=HTMLResponse)
def subject_page(
    request: Request,
    subject_id: Id,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One subject: its data, its A1 state and, for supervisors, confirmation and announcement."""
    subject = service.get_subject(db, actor=actor, subject_id=subject_id)
    return render(
        request,
        "registry/subjects_detail.html",
        {
            "subject": subject,
            "state": service.subject_state(subject),
            "problems": service.subject_problems(subject),
            "entrusting": service.entrusting_subject(db, subject),
            "region_path": registry.region_path(db, subject.region_code),
            "today": local_today(),
            **_labels(),
        },
    )


@router.get("/registry/subjects/{subject_id}/edit", response_class=HTMLResponse)
def edit_subject_page(
    request: Request,
    subject_id: Id,
    actor: Actor = Depends(require(Permission.SUBJECTS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The form to edit a subject."""
    subject = service.get_subject(db, actor=actor, subject_id=subject_id)
    return render(
        request,
        "registry/subjects_form.html",
        {
            "subject": subject,
            "organs": [
                o for o in service.entrusting_choices(db, actor=actor) if o.id != subject.id
            ],
            "default_region": subject.region_code,
            **_labels(),
        },
    )


@router.post("/registry/subjects/{subject_id}", response_class=HTMLResponse)
def update_subject(
    request: Request,
    subject_id: Id,
    form: Annotated[SubjectForm, Form()],
    actor: Actor = Depends(require(Permission.SUBJECTS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Save an edited subject (refused: the form again, input kept)."""
    subject = service.get_subject(db, actor=actor, subject_id=subject_id)
    was_confirmed = subject.confirmed_on is not None
    service.update_subject(db, subject=subject, data=form.data(), actor=actor)
    message = "已保存。"
    if was_confirmed and subject.confirmed_on is None:
        message = "已保存。主体资格相关信息已变更，原确认和公告失效，须重新确认和公告。"
    flash(request, message, "warn" if subject.confirmed_on is None and was_confirmed else "success")
    return RedirectResponse(f"/registry/subjects/{subject.id}", status_code=303)


@router.post("/registry/subjects/{subject_id}/confirm", response_class=HTMLResponse)
def confirm_subject(
    request: Request,
    subject_id: Id,
    form: Annotated[ConfirmForm, Form()],
    actor: Actor = Depends(require(Permission.SUBJECTS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Record the confirmation of the subject's 行政检查主体资格."""
    subject = service.get_subject(db, actor=actor, subject_id=subject_id)
    service.confirm_subject(
        db, subject=subject, confirmed_by=form.confirmed_by, on=form.confirmed_on, actor=actor
    )
    flash(request, "已记录主体资格确认。")
    return RedirectResponse(f"/registry/subjects/{subject.id}", status_code=303)


@router.post("/registry/subjects/{subject_id}/announce", response_class=HTMLResponse)
def announce_subject(
    request: Request,
    subject_id: Id,
    form: Annotated[AnnounceForm, Form()],
    actor: Actor = Depends(require(Permission.SUBJECTS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Record the public announcement of a confirmed subject."""
    subject = service.get_subject(db, actor=actor, subject_id=subject_id)
    service.announce_subject(
        db,
        subject=subject,
        announcement_ref=form.announcement_ref,
        on=form.announced_on,
        actor=actor,
    )
    flash(request, "已记录公告，该主体已在公示页面公开。")
    return RedirectResponse(f"/registry/subjects/{subject.id}", status_code=303)


# ---------------------------------------------------------------------------------------
# 公示 (no sign-in)
# ---------------------------------------------------------------------------------------


@router.get("/public/subjects", response_class=HTMLResponse)
def public_subjects_page(
    request: Request,
    region: str = "",
    q: str = "",
    field: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Announced subjects of a region and below, for everyone."""
    found = service.list_public_subjects(db, region=region, q=q, field=field, page=page)
    region_name = registry.region_path(db, region.strip()) if region.strip() else ""
    return render(
        request,
        "registry/public_subjects.html",
        {
            **found.context("subjects"),
            "region": region.strip(),
            "region_name": region_name,
            "q": q,
            "field": field,
            **_labels(),
        },
    )


@router.get("/public/subjects/{subject_id}", response_class=HTMLResponse)
def public_subject_page(
    request: Request,
    subject_id: Id,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """One announced subject, for everyone."""
    subject = service.get_public_subject(db, subject_id=subject_id)
    entrusting: EnforcementSubject | None = service.entrusting_subject(db, subject)
    return render(
        request,
        "registry/public_subjects_detail.html",
        {
            "subject": subject,
            "entrusting": entrusting,
            "region_path": registry.region_path(db, subject.region_code),
            **_labels(),
        },
    )
