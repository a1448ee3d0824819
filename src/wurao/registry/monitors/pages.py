"""Pages of the 执法监督员 and 企业联系点 registries: lists with search, detail, add and edit forms
(errors beside the field, the form refilled). Import and export go through /registry/imports."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import Conflict, InvalidInput
from wurao.core.time import local_today
from wurao.registry.monitors import service
from wurao.registry.monitors.models import EnforcementMonitor, EnterpriseContactPoint
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import form_date
from wurao.web.params import Id, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)

MONITOR_FIELDS = (
    "name", "ric", "region_code", "organ", "appointed_by", "appointment_no", "valid_from",
    "valid_to", "phone", "username", "status",
)  # fmt: skip
POINT_FIELDS = ("enterprise_uscc", "contact_name", "phone", "since", "status")


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
    request: Request,
    db: Session,
    actor: Actor,
    monitor: EnforcementMonitor | None,
    form: dict[str, str],
    error: Exception | None = None,
) -> Response:
    context = {
        "monitor": monitor,
        "ric_masked": service.masked_ric(monitor) if monitor else "",
        "regions": service.region_choices(db, actor=actor),
        "form": form,
        "error": error,
        "fields": MONITOR_FIELDS,
        **_labels(),
    }
    return render(request, "monitors/monitor_form.html", context, status_code=422 if error else 200)


def _monitor_data(form: dict[str, str], *, keep_ric: bool) -> service.MonitorData:
    return service.MonitorData(
        name=form["name"],
        ric=None if keep_ric and not form["ric"].strip() else form["ric"],
        region_code=form["region_code"],
        organ=form["organ"],
        appointed_by=form["appointed_by"],
        appointment_no=form["appointment_no"],
        valid_from=form_date(form["valid_from"], "valid_from"),
        valid_to=form_date(form["valid_to"], "valid_to"),
        phone=form["phone"],
        username=form["username"],
        status=form["status"] or "active",
    )


@router.get("/registry/monitors/new", response_class=HTMLResponse)
def new_monitor_page(
    request: Request,
    actor: Actor = Depends(require(Permission.MONITORS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The form to appoint a 执法监督员."""
    form = dict.fromkeys(MONITOR_FIELDS, "") | {"status": "active"}
    return _monitor_form(request, db, actor, None, form)


@router.post("/registry/monitors", response_class=HTMLResponse)
def create_monitor(
    request: Request,
    name: Annotated[str, Form(), Text(60, "姓名")] = "",
    ric: Annotated[str, Form(), Text(40, "居民身份证号")] = "",
    region_code: Annotated[str, Form(), Text(12, "行政区划")] = "",
    organ: Annotated[str, Form(), Text(120, "工作单位")] = "",
    appointed_by: Annotated[str, Form(), Text(120, "聘任机关")] = "",
    appointment_no: Annotated[str, Form(), Text(80, "聘任文号")] = "",
    valid_from: Annotated[str, Form(), Text(20, "聘期起")] = "",
    valid_to: Annotated[str, Form(), Text(20, "聘期止")] = "",
    phone: Annotated[str, Form(), Text(30, "联系电话")] = "",
    username: Annotated[str, Form(), Text(60, "关联账号")] = "",
    status: Annotated[str, Form(), Text(10, "状态")] = "active",
    actor: Actor = Depends(require(Permission.MONITORS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Appoint a monitor; on bad input the form comes back with the error beside the field."""
    form = {
        "name": name, "ric": ric, "region_code": region_code, "organ": organ,
        "appointed_by": appointed_by, "appointment_no": appointment_no,
        "valid_from": valid_from, "valid_to": valid_to, "phone": phone, "username": username,
        "status": status,
    }  # fmt: skip
    try:
        with db.begin_nested():
            data = _monitor_data(form, keep_ric=False)
            monitor = service.create_monitor(db, data=data, actor=actor)
    except (InvalidInput, Conflict) as exc:
        return _monitor_form(request, db, actor, None, form | {"ric": ""}, exc)
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
    m = service.get_monitor(db, actor=actor, monitor_id=monitor_id)
    ids = {m.user_id} if m.user_id is not None else set()
    form = {
        "name": m.name, "ric": "", "region_code": m.region_code, "organ": m.organ,
        "appointed_by": m.appointed_by, "appointment_no": m.appointment_no,
        "valid_from": m.valid_from.isoformat(), "valid_to": m.valid_to.isoformat(),
        "phone": m.phone, "username": service.usernames(db, ids).get(m.user_id or 0, ""),
        "status": m.status,
    }  # fmt: skip
    return _monitor_form(request, db, actor, m, form)


@router.post("/registry/monitors/{monitor_id}", response_class=HTMLResponse)
def update_monitor(
    request: Request,
    monitor_id: Id,
    name: Annotated[str, Form(), Text(60, "姓名")] = "",
    ric: Annotated[str, Form(), Text(40, "居民身份证号")] = "",
    region_code: Annotated[str, Form(), Text(12, "行政区划")] = "",
    organ: Annotated[str, Form(), Text(120, "工作单位")] = "",
    appointed_by: Annotated[str, Form(), Text(120, "聘任机关")] = "",
    appointment_no: Annotated[str, Form(), Text(80, "聘任文号")] = "",
    valid_from: Annotated[str, Form(), Text(20, "聘期起")] = "",
    valid_to: Annotated[str, Form(), Text(20, "聘期止")] = "",
    phone: Annotated[str, Form(), Text(30, "联系电话")] = "",
    username: Annotated[str, Form(), Text(60, "关联账号")] = "",
    status: Annotated[str, Form(), Text(10, "状态")] = "active",
    actor: Actor = Depends(require(Permission.MONITORS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Save an edited monitor; errors come back beside the field."""
    monitor = service.get_monitor(db, actor=actor, monitor_id=monitor_id)
    form = {
        "name": name, "ric": ric, "region_code": region_code, "organ": organ,
        "appointed_by": appointed_by, "appointment_no": appointment_no,
        "valid_from": valid_from, "valid_to": valid_to, "phone": phone, "username": username,
        "status": status,
    }  # fmt: skip
    try:
        with db.begin_nested():
            data = _monitor_data(form, keep_ric=True)
            service.update_monitor(db, monitor=monitor, data=data, actor=actor)
    except (InvalidInput, Conflict) as exc:
        db.refresh(monitor)
        return _monitor_form(request, db, actor, monitor, form | {"ric": ""}, exc)
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


def _point_form(
    request: Request,
    point: EnterpriseContactPoint | None,
    form: dict[str, str],
    error: Exception | None = None,
) -> Response:
    context = {"point": point, "form": form, "error": error, "fields": POINT_FIELDS, **_labels()}
    return render(
        request, "monitors/contact_point_form.html", context, status_code=422 if error else 200
    )


def _point_data(form: dict[str, str]) -> service.ContactPointData:
    return service.ContactPointData(
        enterprise_uscc=form["enterprise_uscc"],
        contact_name=form["contact_name"],
        phone=form["phone"],
        since=form_date(form["since"], "since"),
        status=form["status"] or "active",
    )


@router.get("/registry/contact-points/new", response_class=HTMLResponse)
def new_contact_point_page(
    request: Request,
    actor: Actor = Depends(require(Permission.MONITORS_MANAGE)),
) -> Response:
    """The form to register a contact-point enterprise."""
    form = dict.fromkeys(POINT_FIELDS, "") | {"status": "active"}
    return _point_form(request, None, form)


@router.post("/registry/contact-points", response_class=HTMLResponse)
def create_contact_point(
    request: Request,
    enterprise_uscc: Annotated[str, Form(), Text(30, "统一社会信用代码")] = "",
    contact_name: Annotated[str, Form(), Text(60, "联系人")] = "",
    phone: Annotated[str, Form(), Text(30, "联系电话")] = "",
    since: Annotated[str, Form(), Text(20, "设立日期")] = "",
    status: Annotated[str, Form(), Text(10, "状态")] = "active",
    actor: Actor = Depends(require(Permission.MONITORS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Register a contact point; errors come back beside the field."""
    form = {
        "enterprise_uscc": enterprise_uscc, "contact_name": contact_name, "phone": phone,
        "since": since, "status": status,
    }  # fmt: skip
    try:
        with db.begin_nested():
            point = service.create_contact_point(db, data=_point_data(form), actor=actor)
    except (InvalidInput, Conflict) as exc:
        return _point_form(request, None, form, exc)
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
    form = {
        "enterprise_uscc": enterprise.uscc, "contact_name": point.contact_name,
        "phone": point.phone, "since": point.since.isoformat(), "status": point.status,
    }  # fmt: skip
    return _point_form(request, point, form)


@router.post("/registry/contact-points/{point_id}", response_class=HTMLResponse)
def update_contact_point(
    request: Request,
    point_id: Id,
    enterprise_uscc: Annotated[str, Form(), Text(30, "统一社会信用代码")] = "",
    contact_name: Annotated[str, Form(), Text(60, "联系人")] = "",
    phone: Annotated[str, Form(), Text(30, "联系电话")] = "",
    since: Annotated[str, Form(), Text(20, "设立日期")] = "",
    status: Annotated[str, Form(), Text(10, "状态")] = "active",
    actor: Actor = Depends(require(Permission.MONITORS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Save an edited contact point; errors come back beside the field."""
    point, _enterprise = service.get_contact_point(db, actor=actor, point_id=point_id)
    form = {
        "enterprise_uscc": enterprise_uscc, "contact_name": contact_name, "phone": phone,
        "since": since, "status": status,
    }  # fmt: skip
    try:
        with db.begin_nested():
            service.update_contact_point(db, point=point, data=_point_data(form), actor=actor)
    except (InvalidInput, Conflict) as exc:
        db.refresh(point)
        return _point_form(request, point, form, exc)
    flash(request, "已保存。")
    return RedirectResponse(f"/registry/contact-points/{point.id}", status_code=303)
