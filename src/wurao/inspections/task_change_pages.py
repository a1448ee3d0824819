"""Inspections: editing and cancelling a draft task (issue 19 item 6); the rules are in
``task_changes``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput
from wurao.core.text import NOTE
from wurao.inspections import service, task_changes
from wurao.inspections.page_forms import Ref
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm
from wurao.web.params import MAX_LIST, LongId, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


class TaskEditForm(PageForm):
    """修改检查任务 (a draft)."""

    window_start: dt.date | None = Field(None, title="时间窗口开始")
    window_end: dt.date | None = Field(None, title="时间窗口结束")
    officer_ids: list[Ref] = Field(default_factory=list, max_length=MAX_LIST, title="执法人员")
    trigger_reason: Annotated[str, Text(NOTE, "检查理由")] = ""


class TaskCancelForm(PageForm):
    """取消检查任务 (a draft)."""

    reason: Annotated[str, Text(NOTE, "取消理由")] = ""


@router.get("/tasks/{task_id}/edit", response_class=HTMLResponse)
def edit_page(
    request: Request,
    task_id: LongId,
    actor: Actor = Depends(require(Permission.TASKS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The form to change a draft task's window, officers and reason."""
    b = service.load_task(db, actor=actor, task_id=task_id)
    return render(
        request,
        "inspections/task_edit.html",
        {"b": b, "choices": task_changes.edit_choices(db, actor=actor, b=b)},
    )


@router.post("/tasks/{task_id}/edit", response_class=HTMLResponse)
def edit_task(
    request: Request,
    task_id: LongId,
    form: Annotated[TaskEditForm, Form()],
    actor: Actor = Depends(require(Permission.TASKS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Save the edit (refused: the form again, as it was filled in)."""
    if form.window_start is None or form.window_end is None:
        field = "window_start" if form.window_start is None else "window_end"
        raise InvalidInput("请填写检查时间窗口。", field=field)
    task = service.get_task(db, actor=actor, task_id=task_id)
    edit = task_changes.TaskEdit(
        window_start=form.window_start,
        window_end=form.window_end,
        officer_ids=form.officer_ids,
        trigger_reason=form.trigger_reason,
    )
    task_changes.edit_task(db, actor=actor, task=task, edit=edit)
    flash(request, "已修改检查任务，请查看下方预检结果。")
    return RedirectResponse(f"/tasks/{task_id}", status_code=303)


@router.post("/tasks/{task_id}/cancel", response_class=HTMLResponse)
def cancel_task(
    request: Request,
    task_id: LongId,
    form: Annotated[TaskCancelForm, Form()],
    actor: Actor = Depends(require(Permission.TASKS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Cancel a draft task, with its reason."""
    task = service.get_task(db, actor=actor, task_id=task_id)
    task_changes.cancel_task(db, actor=actor, task=task, reason=form.reason)
    flash(request, "已取消检查任务。")
    return RedirectResponse(f"/tasks/{task_id}", status_code=303)
