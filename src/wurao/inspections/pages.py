"""Inspections: task pages, the officer's code page, the printable sheet and the public scan."""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import RuleViolation
from wurao.core.text import NOTE
from wurao.core.time import local_today
from wurao.inspections import (
    codes,
    creation,
    cross_region,
    issuing,
    observer_pages,
    observers,
    origin_choices,
    precheck,
    service,
    verification,
)
from wurao.inspections.statuses import CODE_STATUSES, TASK_STATUSES
from wurao.registry.items.methods import METHODS
from wurao.web.deps import TxRoute, form_fields, get_db, public, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import form_date, form_int
from wurao.web.params import LongId, OptIdQuery, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
# The scan page: included ahead of every other router (web/app.py), see ``api.door``.
door = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
router.include_router(observer_pages.router)  # 伴随式监督: join, findings, observed list


def _labels() -> dict[str, object]:
    return {
        "methods": METHODS,
        "origins": precheck.ORIGINS,
        "statuses": TASK_STATUSES,
        "code_statuses": CODE_STATUSES,
    }


def qr_svg(data: str, scale: int = 4) -> str:
    """An inline SVG QR code of ``data`` (error correction M) with the standard four-module
    white quiet zone; sized by the page's CSS (a viewBox, no fixed width), so that a long
    code fits a phone's screen instead of being cut off on the right."""
    code = segno.make(data, error="m", micro=False)
    return str(code.svg_inline(scale=scale, border=4, omitsize=True, light="#fff"))


def _scan_url(request: Request, token: str) -> str:
    return verification.scan_url(str(request.base_url), token)


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(
    request: Request,
    status: str = "",
    q: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Tasks visible to the caller, filterable and paginated."""
    found = service.list_tasks(db, actor=actor, status=status, q=q, page=page)
    return render(
        request,
        "inspections/tasks.html",
        {
            **found.context(),
            "status": status,
            "q": q,
            **_labels(),
        },
    )


@router.get("/tasks/new", response_class=HTMLResponse)
def new_task_page(
    request: Request,
    origin: Annotated[str, Query(), Text(12, "检查来源")] = "",
    enterprise_uscc: Annotated[str, Query(), Text(18, "统一社会信用代码")] = "",
    plan_entry_id: OptIdQuery = None,
    actor: Actor = Depends(require(Permission.TASKS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The form to create a task for the caller's subject; from a plan entry (the plan page's
    创建检查任务) it comes prefilled with the entry, its item, method and named enterprises."""
    prefill = (
        origin_choices.entry_prefill(db, actor=actor, entry_id=plan_entry_id)
        if plan_entry_id
        else None
    )
    if prefill is not None:
        origin = "plan"
        if not enterprise_uscc and len(prefill.targets) == 1:
            enterprise_uscc = prefill.targets[0].uscc
    origin = origin if origin in precheck.ORIGINS else "plan"
    return render(
        request,
        "inspections/task_new.html",
        {
            "choices": creation.form_choices(db, actor=actor),
            "today": local_today(),
            "origin": origin,
            "enterprise_uscc": enterprise_uscc,
            "prefill": prefill,
            "picked": {"plan_entry_id": plan_entry_id} if prefill else {},
            "origin_field": origin_choices.FIELDS.get(origin, ""),
            "origin_list": origin_choices.origin_choices(
                db, actor=actor, origin=origin, enterprise_uscc=enterprise_uscc
            ),
            **_labels(),
        },
    )


@router.get("/tasks/new/origins", response_class=HTMLResponse)
def origin_picker(
    request: Request,
    origin: Annotated[str, Query(), Text(12, "检查来源")] = "",
    enterprise_uscc: Annotated[str, Query(), Text(18, "统一社会信用代码")] = "",
    origin_q: Annotated[str, Query(), Text(60, "检索")] = "",
    picked: OptIdQuery = None,
    actor: Actor = Depends(require(Permission.TASKS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The new-task form's origin picker (an htmx fragment): the caller's subject's plan
    entries, draws, special inspections or approvals of the chosen kind, searchable."""
    field = origin_choices.FIELDS.get(origin, "")
    return render(
        request,
        "inspections/_origin_choices.html",
        {
            "origin": origin,
            "origin_field": field,
            "picked": {field: picked} if field and picked else {},
            "origin_list": origin_choices.origin_choices(
                db, actor=actor, origin=origin, enterprise_uscc=enterprise_uscc, q=origin_q
            ),
            **_labels(),
        },
    )


def _approval_ids(subject_id: int, value: str) -> dict[int, int]:
    """The form's 异地检查 approval number, for the caller's subject (empty: A8 looks it up)."""
    number = form_int(value, "cross_region_approval_id")
    return {} if number is None else {subject_id: number}


@router.post("/tasks", response_class=HTMLResponse)
def create_task(
    request: Request,
    actor: Actor = Depends(require(Permission.TASKS_MANAGE)),
    form: FormData = Depends(form_fields),
    db: Session = Depends(get_db),
) -> Response:
    """Create a task from the form."""

    def one(name: str) -> str:
        value = form.get(name, "")
        return value if isinstance(value, str) else ""

    def many(name: str) -> list[str]:
        return [v for v in form.getlist(name) if isinstance(v, str) and v.strip()]

    start, end = (
        form_date(one("window_start"), "window_start"),
        form_date(one("window_end"), "window_end"),
    )
    if start is None or end is None:
        from wurao.core.errors import InvalidInput

        raise InvalidInput("请填写检查时间窗口。", field="window_start")
    subject_id = actor.subject_id or 0
    data = creation.TaskData(
        enterprise_uscc=one("enterprise_uscc"),
        subject_ids=[subject_id],
        item_codes=many("item_codes"),
        officer_ids=[int(v) for v in many("officer_ids") if v.isdigit()],
        method=one("method"),
        origin=one("origin"),
        window_start=start,
        window_end=end,
        plan_entry_id=form_int(one("plan_entry_id"), "plan_entry_id"),
        special_id=form_int(one("special_id"), "special_id"),
        unplanned_id=form_int(one("unplanned_id"), "unplanned_id"),
        draw_id=form_int(one("draw_id"), "draw_id"),
        trigger_ref=one("trigger_ref"),
        trigger_reason=one("trigger_reason"),
        started_without_code_on=form_date(
            one("started_without_code_on"), "started_without_code_on"
        ),
        finished_without_code_on=form_date(
            one("finished_without_code_on"), "finished_without_code_on"
        ),
        legal_rep_required=one("legal_rep_required") in ("1", "on", "true"),
        cross_region_approval_ids=_approval_ids(subject_id, one("cross_region_approval_id")),
    )
    task = creation.create_task(db, data=data, actor=actor)
    # the message says at once whether a code can be requested, as the pre-check below does
    if issuing.precheck(db, actor=actor, task=task).ok:
        flash(request, "已创建检查任务，预检通过，可以申请赋码。")
    else:
        flash(request, "已创建检查任务，但预检未通过：请按下方提示处理后再申请赋码。", "warn")
    return RedirectResponse(f"/tasks/{task.id}", status_code=303)


def _detail(
    request: Request,
    db: Session,
    actor: Actor,
    task_id: LongId,
    refused: list[object] | None = None,
    status_code: int = 200,
) -> Response:
    b = service.load_task(db, actor=actor, task_id=task_id)
    result = issuing.precheck(db, actor=actor, task=b.task) if b.code is None else None
    remote, approvals = cross_region.task_approvals(
        db, subjects=b.subjects, enterprise=b.enterprise
    )
    return render(
        request,
        "inspections/task_detail.html",
        {
            "b": b,
            "result": result,
            "remote": remote,
            "approvals": approvals,
            "may_record_approval": cross_region.may_record_approval(actor, remote),
            "refused": refused or [],
            "warnings": issuing.parse_warnings(b.code.warnings) if b.code else [],
            "may_issue": issuing.may_issue_code(actor, b),
            "may_revoke": issuing.may_revoke_code(actor, b),
            **observer_pages.task_context(db, actor, b),
            **_labels(),
        },
        status_code=status_code,
    )


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(
    request: Request,
    task_id: LongId,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One task: its data, the pre-check table and the button to issue the code."""
    return _detail(request, db, actor, task_id)


@router.post("/tasks/{task_id}/code", response_class=HTMLResponse)
def issue_code(
    request: Request,
    task_id: LongId,
    late_reason: Annotated[str, Form(), Text(NOTE, "补码理由")] = "",
    actor: Actor = Depends(require(Permission.TASKS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Issue the code; a refusal re-renders the task with every failed rule."""
    task = service.get_task(db, actor=actor, task_id=task_id)
    try:
        with db.begin_nested():
            issued = issuing.issue_code(db, actor=actor, task=task, late_reason=late_reason)
    except RuleViolation as exc:
        return _detail(request, db, actor, task_id, list(exc.violations), status_code=422)
    flash(request, f"已签发行政行为码 {issued.code.number}。")
    return RedirectResponse(f"/tasks/{task_id}/code", status_code=303)


@router.get("/tasks/{task_id}/code", response_class=HTMLResponse)
def code_page(
    request: Request,
    task_id: LongId,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The officer's phone page: the QR code to show the enterprise."""
    return _code(request, db, actor, task_id, "inspections/code.html")


@router.get("/tasks/{task_id}/code/print", response_class=HTMLResponse)
def code_print_page(
    request: Request,
    task_id: LongId,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """A printable sheet with the QR code, the number and the task."""
    return _code(request, db, actor, task_id, "inspections/code_print.html")


def _code(request: Request, db: Session, actor: Actor, task_id: int, template: str) -> Response:
    b = service.load_task(db, actor=actor, task_id=task_id, checklists=True)
    if b.code is None:
        flash(request, "该任务尚未赋码。", "error")
        return RedirectResponse(f"/tasks/{task_id}", status_code=303)
    url = _scan_url(request, b.code.token)
    return render(
        request,
        template,
        {
            "b": b,
            "code": b.code,
            "url": url,
            "qr": qr_svg(url, 3 if "print" in template else 4),
            **_labels(),
        },
    )


@router.post("/tasks/{task_id}/code/revoke", response_class=HTMLResponse)
def revoke_code(
    request: Request,
    task_id: LongId,
    reason: Annotated[str, Form(), Text(NOTE, "撤销理由")] = "",
    actor: Actor = Depends(require(Permission.CODES_REVOKE)),
    db: Session = Depends(get_db),
) -> Response:
    """Revoke the task's code."""
    b = service.load_task(db, actor=actor, task_id=task_id)
    if b.code is None:
        flash(request, "该任务尚未赋码。", "error")
    else:
        issuing.revoke_code(db, actor=actor, code=b.code, reason=reason)
        flash(request, f"已撤销行政行为码 {b.code.number}。")
    return RedirectResponse(f"/tasks/{task_id}", status_code=303)


# --- 异地检查 approvals (A8) ------------------------------------------------------------


@router.get("/cross-region-approvals", response_class=HTMLResponse)
def cross_region_page(
    request: Request,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """异地检查 approvals the caller may see."""
    found = cross_region.list_approvals(db, actor=actor, page=page)
    return render(request, "inspections/cross_region_list.html", found.context())


@router.get("/cross-region-approvals/new", response_class=HTMLResponse)
def new_cross_region_page(
    request: Request,
    enterprise: Annotated[str, Query(max_length=40)] = "",
    task: OptIdQuery = None,
    actor: Actor = Depends(require(Permission.UNPLANNED_APPROVE)),
    db: Session = Depends(get_db),
) -> Response:
    """The form to record a common superior's approval of a 异地检查."""
    return render(
        request,
        "inspections/cross_region_new.html",
        {
            "choices": creation.form_choices(db, actor=actor),
            "enterprise": enterprise,
            "task": task,
            "today": local_today(),
        },
    )


@router.post("/cross-region-approvals", response_class=HTMLResponse)
def record_cross_region(
    request: Request,
    actor: Actor = Depends(require(Permission.UNPLANNED_APPROVE)),
    form: FormData = Depends(form_fields),
    db: Session = Depends(get_db),
) -> Response:
    """Record the approval from the form; back to the task it was recorded for, if any."""

    def one(name: str) -> str:
        value = form.get(name, "")
        return value if isinstance(value, str) else ""

    data = cross_region.ApprovalData(
        organ_name=one("organ_name"),
        organ_region_code=one("organ_region_code"),
        approved_on=form_date(one("approved_on"), "approved_on"),
        doc_no=one("doc_no"),
        valid_from=form_date(one("valid_from"), "valid_from"),
        valid_to=form_date(one("valid_to"), "valid_to"),
        enterprise_usccs=one("enterprise_usccs").split(),
        item_codes=[v for v in form.getlist("item_codes") if isinstance(v, str)],
        reason=one("reason"),
    )
    approval = cross_region.record_approval(db, actor=actor, data=data)
    flash(request, f"已登记异地检查批准：{approval.organ_name}（{approval.doc_no}）。")
    task = form_int(one("task"), "task")
    return RedirectResponse(
        f"/tasks/{task}" if task else "/cross-region-approvals", status_code=303
    )


@door.get("/v/{token}", response_class=HTMLResponse)
def scan_page(
    request: Request,
    token: str,
    _actor: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Public: what the enterprise sees when it scans the code."""
    result = verification.verify_token(db, token)
    return render(
        request,
        "inspections/scan.html",
        {
            "r": result,
            "state": result.status,
            "describe": codes.describe(result.verified.claims) if result.verified.genuine else [],
            # 伴随式监督: read from the record, so one who joined after the code shows too
            "observers": observers.observers_of(db, [result.code.task_id]).get(
                result.code.task_id, []
            )
            if result.code is not None
            else [],
            **_labels(),
        },
    )
