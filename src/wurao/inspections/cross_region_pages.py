"""异地检查批准 pages (A8): the list, the form with its organ and enterprise pickers, and the
enterprise search the picker asks as one types."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.text import NOTE
from wurao.core.time import local_today
from wurao.inspections import creation, cross_region, cross_region_choices
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.form_state import state_of
from wurao.web.forms import PageForm
from wurao.web.params import MAX_LIST, MAX_LONG_ID, OptIdQuery, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
ACTION = "/cross-region-approvals"


class ApprovalForm(PageForm):
    """登记异地检查批准: the organ and enterprises are picked; the service checks A8."""

    organ: Annotated[str, Text(20, "批准机关")] = ""
    doc_no: Annotated[str, Text(120, "批准文号")] = ""
    approved_on: dt.date | None = Field(None, title="批准日期")
    valid_from: dt.date | None = Field(None, title="批准的检查期间开始")
    valid_to: dt.date | None = Field(None, title="批准的检查期间结束")
    enterprise_ids: list[Annotated[int, Field(ge=1, le=MAX_LONG_ID)]] = Field(
        default_factory=list, max_length=MAX_LIST, title="检查对象"
    )
    item_codes: list[Annotated[str, Text(40, "检查事项")]] = Field(
        default_factory=list, max_length=MAX_LIST, title="批准检查的事项"
    )
    reason: Annotated[str, Text(NOTE, "异地检查事由")] = ""
    task: int | None = Field(None, ge=1, le=MAX_LONG_ID, title="检查任务")


Picked = Annotated[
    list[Annotated[int, Field(ge=1, le=MAX_LONG_ID)]],
    Query(max_length=MAX_LIST, description="已选企业"),
]
Search = Annotated[str, Query(), Text(60, "检索")]


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
    """The form to record a common superior's approval of a 异地检查: the organ and the
    enterprises are chosen, not typed (a task page's link names its enterprise, picked)."""
    # a refused form comes back here (web/form_state.py): what was ticked stays ticked
    state = state_of(request, ACTION)
    picked = (
        [
            int(v)
            for v in state.values("enterprise_ids")
            if v.isascii() and v.isdigit() and len(v) <= 18
        ][:MAX_LIST]
        if state.active
        else cross_region_choices.enterprise_ids_of(db, actor=actor, usccs=[enterprise])
    )
    return render(
        request,
        "inspections/cross_region_new.html",
        {
            "choices": creation.form_choices(db, actor=actor),
            "organs": cross_region_choices.organ_choices(db, actor=actor),
            "enterprises": cross_region_choices.enterprise_choices(db, actor=actor, picked=picked),
            "picked": picked,
            "task": task,
            "today": local_today(),
        },
    )


@router.get("/cross-region-approvals/new/enterprises", response_class=HTMLResponse)
def enterprise_picker(
    request: Request,
    enterprise_q: Search = "",
    enterprise_ids: Picked = [],  # noqa: B006 - FastAPI copies a query list default
    actor: Actor = Depends(require(Permission.UNPLANNED_APPROVE)),
    db: Session = Depends(get_db),
) -> Response:
    """The enterprise picker's list (an htmx fragment): those already ticked, then the
    province's enterprises outside the subject's area matching the search."""
    return render(
        request,
        "inspections/_cross_region_enterprises.html",
        {
            "enterprises": cross_region_choices.enterprise_choices(
                db, actor=actor, q=enterprise_q, picked=enterprise_ids
            ),
            "picked": enterprise_ids,
            "searched": enterprise_q.strip(),
        },
    )


@router.post("/cross-region-approvals", response_class=HTMLResponse)
def record_cross_region(
    request: Request,
    form: Annotated[ApprovalForm, Form()],
    actor: Actor = Depends(require(Permission.UNPLANNED_APPROVE)),
    db: Session = Depends(get_db),
) -> Response:
    """Record the approval from the form; back to the task it was recorded for, if any."""
    organ = cross_region_choices.organ_of(db, actor=actor, key=form.organ)
    data = cross_region.ApprovalData(
        organ_name=organ.name,
        organ_region_code=organ.region_code,
        approved_on=form.approved_on,
        doc_no=form.doc_no,
        valid_from=form.valid_from,
        valid_to=form.valid_to,
        enterprise_usccs=[],
        item_codes=form.item_codes,
        reason=form.reason,
        enterprise_ids=form.enterprise_ids,
    )
    approval = cross_region.record_approval(db, actor=actor, data=data)
    flash(request, f"已登记异地检查批准：{approval.organ_name}（{approval.doc_no}）。")
    return RedirectResponse(
        f"/tasks/{form.task}" if form.task else "/cross-region-approvals", status_code=303
    )
