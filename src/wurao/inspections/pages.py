"""Inspections: task pages, the officer's code page, the printable sheet and the public scan."""

from __future__ import annotations

from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput, RuleViolation
from wurao.core.time import local_today
from wurao.inspections import (
    code_changes,
    codes,
    creation,
    cross_region,
    cross_region_pages,
    issuing,
    observer_pages,
    observers,
    origin_choices,
    precheck,
    service,
    task_changes,
    verification,
)
from wurao.inspections.page_forms import IssueForm, RevokeForm, TaskForm
from wurao.inspections.statuses import CODE_STATUSES, TASK_STATUSES
from wurao.registry.items.methods import METHODS
from wurao.web import form_state
from wurao.web.deps import TxRoute, get_db, public, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.params import LongId, OptIdQuery, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
# The scan page: included ahead of every other router (web/app.py), see ``api.door``.
door = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
router.include_router(observer_pages.router)  # 伴随式监督: join, findings, observed list
router.include_router(cross_region_pages.router)  # 异地检查批准 (A8)


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
    refused = form_state.state_of(request, "/tasks")
    if refused.active:  # the refused form's origin and enterprise pick the origin list
        origin, enterprise_uscc = refused.value("origin"), refused.value("enterprise_uscc")
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


@router.post("/tasks", response_class=HTMLResponse)
def create_task(
    request: Request,
    form: Annotated[TaskForm, Form()],
    actor: Actor = Depends(require(Permission.TASKS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Create a task from the form (refused: the form again, as it was filled in)."""
    if form.window_start is None or form.window_end is None:
        field = "window_start" if form.window_start is None else "window_end"
        raise InvalidInput("请填写检查时间窗口。", field=field)
    subject_id = actor.subject_id or 0
    approval = form.cross_region_approval_id
    data = creation.TaskData(
        enterprise_uscc=form.enterprise_uscc,
        subject_ids=[subject_id],
        item_codes=[c for c in form.item_codes if c],
        officer_ids=form.officer_ids,
        method=form.method,
        origin=form.origin,
        window_start=form.window_start,
        window_end=form.window_end,
        plan_entry_id=form.plan_entry_id,
        special_id=form.special_id,
        unplanned_id=form.unplanned_id,
        draw_id=form.draw_id,
        trigger_ref=form.trigger_ref,
        trigger_reason=form.trigger_reason,
        started_without_code_on=form.started_without_code_on,
        finished_without_code_on=form.finished_without_code_on,
        legal_rep_required=form.legal_rep_required,
        cross_region_approval_ids={} if approval is None else {subject_id: approval},
    )
    try:
        task = creation.create_task(db, data=data, actor=actor)
    except InvalidInput as exc:  # the service names the approval by the API's field
        if exc.field != "cross_region_approval_ids":
            raise
        raise InvalidInput(exc.message, field="cross_region_approval_id") from exc
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
            "precheck_refused": refused or [],  # not ``refused``: base.html's form state
            "warnings": issuing.parse_warnings(b.code.warnings) if b.code else [],
            "may_issue": issuing.may_issue_code(actor, b),
            "may_revoke": issuing.may_revoke_code(actor, b),
            "cancelled": task_changes.cancellation(db, b.task),
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
    form: Annotated[IssueForm, Form()],
    actor: Actor = Depends(require(Permission.TASKS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Issue the code; a refusal re-renders the task with every failed rule."""
    task = service.get_task(db, actor=actor, task_id=task_id, lock=True)
    try:
        with db.begin_nested():
            issued = issuing.issue_code(
                db, actor=actor, task=task, late_reason=form.late_reason, locked=True
            )
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
    form: Annotated[RevokeForm, Form()],
    actor: Actor = Depends(require(Permission.CODES_REVOKE)),
    db: Session = Depends(get_db),
) -> Response:
    """Revoke the task's code."""
    b = service.load_task(db, actor=actor, task_id=task_id)
    if b.code is None:
        flash(request, "该任务尚未赋码。", "error")
    else:
        code_changes.revoke_code(db, actor=actor, code=b.code, reason=form.reason)
        flash(request, f"已撤销行政行为码 {b.code.number}。")
    return RedirectResponse(f"/tasks/{task_id}", status_code=303)


@door.get("/v/{token}", response_class=HTMLResponse)
def scan_page(
    request: Request,
    token: str,
    _actor: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Public: what the enterprise sees when it scans the code (``inspections.door_api`` answers
    most scans ahead of this route, from the same ``scan_view``)."""
    return render(request, SCAN_TEMPLATE, scan_view(db, token))


SCAN_TEMPLATE = "inspections/scan.html"


def scan_view(db: Session, token: str) -> dict[str, Any]:
    """Verify ``token`` and gather what the scan page shows (its template's context)."""
    result = verification.verify_token(db, token)
    # 伴随式监督: read from the record, so one who joined after the code shows too
    seen = (
        observers.observers_of(db, [result.code.task_id]).get(result.code.task_id, [])
        if result.code is not None
        else []
    )
    return {
        "r": result,
        "state": result.status,
        "describe": codes.describe(result.verified.claims) if result.verified.genuine else [],
        "observers": seen,
        **_labels(),
    }
