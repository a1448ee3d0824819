"""Oversight pages: the public report form (/report), the supervisor's clues and the
region's evaluations."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.inspections import evaluations
from wurao.oversight import service
from wurao.web.deps import TxRoute, get_db, public, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm
from wurao.web.params import MAX_COUNT, PageNo, Text
from wurao.web.templating import render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


class CodelessForm(PageForm):
    """举报未亮码检查: the public's report of an inspection that came without a code."""

    enterprise_name: Annotated[str, Text(200, "企业名称")] = ""
    enterprise_uscc: Annotated[str, Text(40, "统一社会信用代码")] = ""
    occurred_on: dt.date | None = Field(None, title="检查日期")
    agency: Annotated[str, Text(150, "来检查的单位")] = ""
    people: int | None = Field(None, ge=0, le=MAX_COUNT, title="来人数量")
    description: Annotated[str, Text(4000, "事情经过")] = ""
    contact: Annotated[str, Text(100, "联系方式")] = ""


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request, _: Actor | None = Depends(public)) -> Response:
    """The public form to report an inspection that came without a code."""
    return render(request, "inspections/report.html", {"done": None})


@router.post("/report", response_class=HTMLResponse)
def submit_report(
    request: Request,
    form: Annotated[CodelessForm, Form()],
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Accept a report; it becomes a clue for the supervisor of the enterprise's region
    (refused: the form again, what was typed kept, the error beside its field)."""
    clue = service.report_codeless(db, report=service.CodelessReport(**form.model_dump()))
    return render(request, "inspections/report.html", {"done": clue.reference})


@router.get("/oversight/evaluations", response_class=HTMLResponse)
def evaluations_page(
    request: Request,
    misconduct: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.EVALUATIONS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Every evaluation of inspections in the supervisor's region."""
    found = evaluations.list_evaluations(db, actor=actor, misconduct=misconduct, page=page)
    return render(
        request,
        "oversight/evaluations.html",
        {
            **found.context(),
            "misconduct": misconduct,
            "misconduct_labels": evaluations.MISCONDUCT,
        },
    )
