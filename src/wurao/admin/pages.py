"""Administration pages: accounts, audit log, holiday schedule, policy parameters."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field, StringConstraints
from sqlalchemy.orm import Session

from wurao.admin import service
from wurao.auth import service as auth_service
from wurao.auth.permissions import ROLE_LABELS, Permission, Role
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput
from wurao.core.holidays import parse_schedule
from wurao.core.policy import get_policy
from wurao.core.text import LONG_TEXT
from wurao.core.time import local_today
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm
from wurao.web.params import MAX_ID, MAX_YEAR, MIN_YEAR, OptYear, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


class UserForm(PageForm):
    """新建账号."""

    username: Annotated[str, Text(60, "用户名")] = ""
    display_name: Annotated[str, Text(60, "姓名")] = ""
    # a password is kept as typed (the form strips every other text)
    password: Annotated[str, StringConstraints(strip_whitespace=False), Text(200, "初始密码")] = ""
    role: Annotated[str, Text(20, "角色")] = ""
    region_code: Annotated[str, Text(12, "行政区划代码")] = ""
    subject_id: int | None = Field(None, ge=1, le=MAX_ID, title="执法主体编号")
    enterprise_uscc: Annotated[str, Text(40, "统一社会信用代码")] = ""


class CalendarForm(PageForm):
    """导入节假日安排: the notice pasted, or a file; the year when the notice has none."""

    text: Annotated[str, Text(LONG_TEXT, "通知全文")] = ""
    file: UploadFile | None = None
    year: int | None = Field(None, ge=MIN_YEAR, le=MAX_YEAR, title="年份")


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    q: str = "",
    role: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.USERS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Accounts in the caller's region, filterable and paginated."""
    found = auth_service.list_users(db, actor=actor, q=q, role=role, page=page)
    return render(
        request,
        "users.html",
        {
            **found.context("users"),
            "q": q,
            "role": role,
            "roles": ROLE_LABELS,
        },
    )


@router.post("/admin/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    form: Annotated[UserForm, Form()],
    actor: Actor = Depends(require(Permission.USERS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Create an account from the form."""
    try:
        role_value = Role(form.role)
    except ValueError:
        raise InvalidInput("请选择角色。", field="role") from None
    user = auth_service.create_user(
        db,
        actor=actor,
        data=auth_service.NewUser(
            username=form.username,
            display_name=form.display_name,
            password=form.password,
            role=role_value,
            region_code=form.region_code,
            subject_id=form.subject_id,
            enterprise_uscc=form.enterprise_uscc or None,
        ),
    )
    flash(request, f"已创建账号 {user.username}。")
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    action: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.AUDIT_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The audit log of the caller's region, newest first."""
    found = service.list_audit(db, actor=actor, action=action, page=page)
    return render(
        request,
        "audit.html",
        {
            **found.context("entries"),
            "action": action,
        },
    )


@router.post("/admin/audit/verify", response_class=HTMLResponse)
def audit_verify(
    request: Request,
    actor: Actor = Depends(require(Permission.AUDIT_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Verify the whole hash chain and show the result."""
    result = service.verify_audit(db, actor=actor)
    return render(request, "audit_verify.html", {"result": result}, block="verify_result")


@router.get("/admin/calendar", response_class=HTMLResponse)
def calendar_page(
    request: Request,
    year: OptYear = None,
    actor: Actor = Depends(require(Permission.CALENDAR_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Known years, the imported schedule of a year, and the import form."""
    from wurao.core import workdays

    cal = workdays.current()
    today = local_today()
    shown = year or today.year + 1
    return render(
        request,
        "calendar.html",
        {
            "years": service.list_years(db),
            "known_years": cal.known_years(),
            "shown_year": shown,
            "shown_known": cal.knows(shown),
            "days": service.list_days(db, shown),
            "today": today,
        },
    )


@router.post("/admin/calendar", response_class=HTMLResponse)
def calendar_import(
    request: Request,
    form: Annotated[CalendarForm, Form()],
    actor: Actor = Depends(require(Permission.CALENDAR_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Import a schedule from pasted notice text or an uploaded CSV/text file."""
    filename, text = "", form.text
    if form.file is not None and form.file.filename:
        filename = form.file.filename
        text = form.file.file.read().decode("utf-8-sig")  # spooled: read in the thread pool
    if not text.strip():
        raise InvalidInput("请粘贴通知全文或上传文件。", field="text")
    try:
        parsed_year, days = parse_schedule(text, filename=filename, year=form.year)
    except InvalidInput as exc:  # what the notice or the file lacks: beside what was given
        if exc.field:
            raise
        raise InvalidInput(exc.message, field="file" if filename else "text") from exc
    source = f"上传文件 {filename}" if filename else "粘贴的国务院办公厅通知"
    service.import_schedule(db, actor=actor, year=parsed_year, days=days, source=source)
    holidays = sum(1 for d in days if not d.is_working)
    flash(
        request, f"已导入{parsed_year}年安排：放假{holidays}天，调休上班{len(days) - holidays}天。"
    )
    return RedirectResponse(f"/admin/calendar?year={parsed_year}", status_code=303)


@router.get("/policy", response_class=HTMLResponse)
def policy_page(
    request: Request,
    region: str = "",
    on: str = "",
    actor: Actor = Depends(require(Permission.POLICY_VIEW)),
) -> Response:
    """Policy parameters in force for a region and date, with their sources."""
    region_code = region.strip() or actor.region_code
    try:
        day = dt.date.fromisoformat(on) if on else local_today()
    except ValueError:
        raise InvalidInput("日期格式应为 YYYY-MM-DD。", field="on") from None
    return render(
        request,
        "policy.html",
        {"rows": get_policy().in_force(region_code, day), "region": region_code, "on": day},
    )
