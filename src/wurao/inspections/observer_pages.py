"""伴随式监督 pages: join an inspection, file a finding, the observer's own list (F8 OBSERVER).

The task page (``pages._detail``) shows the observers and findings through ``task_context``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import Forbidden
from wurao.inspections import observers, service
from wurao.inspections.page_forms import FindingForm, JoinForm
from wurao.inspections.service import TaskBundle
from wurao.inspections.statuses import TASK_STATUSES
from wurao.registry.monitors import service as monitors
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.params import LongId, PageNo
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


def task_context(db: Session, actor: Actor, b: TaskBundle) -> dict[str, Any]:
    """What the task page shows of 伴随式监督: observers, findings, what the viewer may do."""
    may_join = observers.may_join(db, actor, b.task, b.code)
    return {
        "observers": observers.observers_of(db, [b.task.id]).get(b.task.id, []),
        "findings": observers.findings_of(db, b.task.id),
        "may_join": may_join,
        "monitor_choices": observers.monitor_choices(db, actor=actor, task=b.task)
        if may_join
        else [],
        "may_file": observers.observer_for(db, actor, b.task) is not None,
    }


@router.post("/tasks/{task_id}/observers", response_class=HTMLResponse)
def join(
    request: Request,
    task_id: LongId,
    form: Annotated[JoinForm, Form()],
    actor: Actor = Depends(require(Permission.TASKS_OBSERVE)),
    db: Session = Depends(get_db),
) -> Response:
    """Join the inspection (or bring a monitor); a rule or state that refuses it brings the
    task page back with the reason (web/form_state.py)."""
    task = service.get_task(db, actor=actor, task_id=task_id)
    mid = form.monitor_id
    try:
        with db.begin_nested():
            monitor = monitors.get_monitor(db, actor=actor, monitor_id=mid) if mid else None
            observer = observers.join(db, actor=actor, task=task, monitor=monitor)
    except Forbidden as exc:
        flash(request, f"不能加入随行监督：{exc.message}", "error")
    else:
        flash(request, f"{observer.name}已加入本次检查的随行监督。")
    return RedirectResponse(f"/tasks/{task_id}#observers", status_code=303)


@router.post("/tasks/{task_id}/findings", response_class=HTMLResponse)
def add_finding(
    request: Request,
    task_id: LongId,
    form: Annotated[FindingForm, Form()],
    actor: Actor = Depends(require(Permission.TASKS_OBSERVE)),
    db: Session = Depends(get_db),
) -> Response:
    """An observer records a finding on the inspection (refused: the task page, text kept)."""
    task = service.get_task(db, actor=actor, task_id=task_id)
    try:
        with db.begin_nested():
            observers.add_finding(db, actor=actor, task=task, text=form.text)
    except Forbidden as exc:
        flash(request, exc.message, "error")
    else:
        flash(request, "已记录监督发现。")
    return RedirectResponse(f"/tasks/{task_id}#observers", status_code=303)


@router.get("/inspections/observed", response_class=HTMLResponse)
def observed_page(
    request: Request,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.TASKS_OBSERVE)),
    db: Session = Depends(get_db),
) -> Response:
    """The inspections the viewer accompanied (伴随式监督), newest first."""
    found = observers.observed_tasks(db, actor=actor, page=page)
    context = {**found.context("rows"), "statuses": TASK_STATUSES}
    return render(request, "monitors/observed.html", context)
