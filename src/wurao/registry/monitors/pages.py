"""Pages of the 执法监督员 and 企业联系点 registries: lists with search, detail, add and edit forms
(a refused form comes back with what was typed and each error beside its field, web/form_state.py).
Import and export go through /registry/imports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.time import local_today
from wurao.registry.monitors import service
from wurao.registry.monitors.models import EnforcementMonitor, EnterpriseContactPoint
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm
from wurao.web.params import Id, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


class MonitorForm(PageForm):
    """聘任 / 修改执法监督员; an empty 居民身份证号 on the edit form keeps the stored one."""

    name: Annotated[str, Text(60, "姓名")] = ""
    ric: Annotated[str, Text(40, "居民身份证号")] = ""
    region_code: Annotated[str, Text(12, "行政区划")] = ""
    organ: Annotated[str, Text(120, "工作单位")] = ""
    appointed_by: Annotated[str, Text(120, "聘任机关")] = ""
    appointment_no: Annotated[str, Text(80, "聘任文号")] = ""
    valid_from: dt.date | None = Field(None, title="聘期自")
    valid_to: dt.date | None = Field(None, title="聘期至")
    phone: Annotated[str, Text(30, "联系电话")] = ""
    username: Annotated[str, Text(60, "关联账号")] = ""
    status: Annotated[str, Text(10, "状态")] = "active"

    def data(self, *, keep_ric: bool) -> service.MonitorData:
        return service.MonitorData(
            name=self.name,
            ric=None if keep_ric and not self.ric else self.ric,
            region_code=self.region_code,
            organ=self.organ,
            appointed_by=self.appointed_by,
            appointment_no=self.appointment_no,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            phone=self.phone,
            username=self.username,
            status=self.status,
        )


class ContactPointForm(PageForm):
    """设立 / 修改企业联系点."""

    enterprise_uscc: Annotated[str, Text(30, "企业统一社会信用代码")] = ""
    contact_name: Annotated[str, Text(60, "联系人")] = ""
    phone: Annotated[str, Text(30, "联系电话")] = ""
    since: dt.date | None = Field(None, title="设立日期")
    status: Annotated[str, Text(10, "状态")] = "active"

    def data(self) -> service.ContactPointData:
        return service.ContactPointData(
            enterprise_uscc=self.enterprise_uscc,
            contact_name=self.contact_name,
            phone=self.phone,
            since=self.since,
            status=self.status,
        )


def _labels() -> dict[str, Any]:
    return {
        "monitor_states": service.MONITOR_STATES,
        "stored_statuses": service.STORED_MONITOR_STATUSES,
        "contact_statuses": service.CONTACT_STATUSES,
        "today": local_today(),
    }


# --- 执法监督员 ------------------------------------------------------------------------------


@router.get("/registry/monitors", response_class=HTMLResponse)
def monitors_page(
    request: Request,
    q: Annotated[str, Text(60, "检索")] = "",
    state: Annotated[str, Text(10, "状态")] = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The region's 执法监督员, searchable by name or unit and filterable by state."""
    today = local_today()
    found = service.list_monitors(db, actor=actor, q=q, state=state, on=today, page=page)
    return render(
        request,
        "monitors/monitors.html",
        {
            **found.context("monitors"),
            "q": q,
            "state": state,
            "masked": service.masked_ric,
            "state_of": lambda m: service.monitor_state(m, today),
            **_labels(),
        },
    )


def _monitor_form(
    request: Request, db: Session, actor: Actor, monitor: EnforcementMonitor | None
) -> Response:
    ids = {monitor.user_id} if monitor and monitor.user_id is not None else set()
    context = {
        "monitor": monitor,
        "ric_masked": service.masked_ric(monitor) if monitor else "",
        "username": service.usernames(db, ids).get(monitor.user_id or 0, "") if monitor else "",
        "regions": service.region_choices(db, actor=actor),
        **_labels(),
    }
    return render(request, "monitors/monitor_form.html", context)


@router.get("/registry/monitors/new", response_class=HTMLResponse)
def new_monitor_page(
    request: Request,
    actor: Actor = Depends(require(Permission.MONITORS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The form to appoint a 执法监督员."""
    return _monitor_form(request, db, actor, None)


@router.post("/registry/monitors", response_class=HTMLResponse)
def create_monitor(
    request: Request,
    form: Annotated[MonitorForm, Form()],
    actor: Actor = Depends(require(Permission.MONITORS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Appoint a monitor (refused: the form again, input kept but the 居民身份证号)."""
    monitor = service.create_monitor(db, data=form.data(keep_ric=False), actor=actor)
    flash(request, f"已登记执法监督员{monitor.name}。")
    return RedirectResponse(f"/registry/monitors/{monitor.id}", status_code=303)


@router.get("/registry/monitors/{monitor_id}", response_class=HTMLResponse)
def monitor_page(
    request: Request,
    monitor_id: Id,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One 执法监督员 with the term and state."""
    monitor = service.get_monitor(db, actor=actor, monitor_id=monitor_id)
    ids = {monitor.user_id} if monitor.user_id is not None else set()
    return render(
        request,
        "monitors/monitor_detail.html",
        {
            "monitor": monitor,
            "ric_masked": service.masked_ric(monitor),
            "state": service.monitor_state(monitor, local_today()),
            "username": service.usernames(db, ids).get(monitor.user_id or 0, ""),
            **_labels(),
        },
    )


@router.get("/registry/monitors/{monitor_id}/edit", response_class=HTMLResponse)
def edit_monitor_page(
    request: Request,
    monitor_id: Id,
    actor: Actor = Depends(require(Permission.MONITORS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The form to edit a monitor (the 居民身份证号 is not shown; blank keeps it)."""
    monitor = service.get_monitor(db, actor=actor, monitor_id=monitor_id)
    return _monitor_form(request, db, actor, monitor)


@router.post("/registry/monitors/{monitor_id}", response_class=HTMLResponse)
def update_monitor(
    request: Request,
    monitor_id: Id,
    form: Annotated[MonitorForm, Form()],
    actor: Actor = Depends(require(Permission.MONITORS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Save an edited monitor (refused: the form again, input kept but the 居民身份证号)."""
    monitor = service.get_monitor(db, actor=actor, monitor_id=monitor_id)
    service.update_monitor(db, monitor=monitor, data=form.data(keep_ric=True), actor=actor)
    flash(request, "已保存。")
    return RedirectResponse(f"/registry/monitors/{monitor.id}", status_code=303)


# --- 企业联系点 ------------------------------------------------------------------------------


@router.get("/registry/contact-points", response_class=HTMLResponse)
def contact_points_page(
    request: Request,
    q: Annotated[str, Text(100, "检索")] = "",
    status: Annotated[str, Text(10, "状态")] = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The region's 企业联系点, searchable by enterprise or contact person."""
    found = service.list_contact_points(db, actor=actor, q=q, status=status, page=page)
    context = {**found.context("points"), "q": q, "status": status, **_labels()}
    return render(request, "monitors/contact_points.html", context)


def _point_form(request: Request, point: EnterpriseContactPoint | None, uscc: str = "") -> Response:
    context = {"point": point, "uscc": uscc, **_labels()}
    return render(request, "monitors/contact_point_form.html", context)


@router.get("/registry/contact-points/new", response_class=HTMLResponse)
def new_contact_point_page(
    request: Request,
    actor: Actor = Depends(require(Permission.MONITORS_MANAGE)),
) -> Response:
    """The form to register a contact-point enterprise."""
    return _point_form(request, None)


@router.post("/registry/contact-points", response_class=HTMLResponse)
def create_contact_point(
    request: Request,
    form: Annotated[ContactPointForm, Form()],
    actor: Actor = Depends(require(Permission.MONITORS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Register a contact point (refused: the form again, input kept)."""
    point = service.create_contact_point(db, data=form.data(), actor=actor)
    flash(request, "已设立企业联系点。")
    return RedirectResponse(f"/registry/contact-points/{point.id}", status_code=303)


@router.get("/registry/contact-points/{point_id}", response_class=HTMLResponse)
def contact_point_page(
    request: Request,
    point_id: Id,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One 企业联系点 with its enterprise."""
    point, enterprise = service.get_contact_point(db, actor=actor, point_id=point_id)
    context = {"point": point, "enterprise": enterprise, **_labels()}
    return render(request, "monitors/contact_point_detail.html", context)


@router.get("/registry/contact-points/{point_id}/edit", response_class=HTMLResponse)
def edit_contact_point_page(
    request: Request,
    point_id: Id,
    actor: Actor = Depends(require(Permission.MONITORS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The form to edit a contact point."""
    point, enterprise = service.get_contact_point(db, actor=actor, point_id=point_id)
    return _point_form(request, point, enterprise.uscc)


@router.post("/registry/contact-points/{point_id}", response_class=HTMLResponse)
def update_contact_point(
    request: Request,
    point_id: Id,
    form: Annotated[ContactPointForm, Form()],
    actor: Actor = Depends(require(Permission.MONITORS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Save an edited contact point (refused: the form again, input kept)."""
    point, _enterprise = service.get_contact_point(db, actor=actor, point_id=point_id)
    service.update_contact_point(db, point=point, data=form.data(), actor=actor)
    flash(request, "已保存。")
    return RedirectResponse(f"/registry/contact-points/{point.id}", status_code=303)
