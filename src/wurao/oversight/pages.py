"""Oversight pages: the public report form (/report), the supervisor's clues and the
region's evaluations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.inspections import evaluations
from wurao.oversight import service
from wurao.web.deps import TxRoute, get_db, public, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import form_date, form_int
from wurao.web.params import PageNo, Text
from wurao.web.templating import render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request, _: Actor | None = Depends(public)) -> Response:
    """The public form to report an inspection that came without a code."""
    return render(request, "inspections/report.html", {"done": None})


@router.post("/report", response_class=HTMLResponse)
def submit_report(
    request: Request,
    enterprise_name: Annotated[str, Form(), Text(200, "企业名称")] = "",
    enterprise_uscc: Annotated[str, Form(), Text(40, "企业统一社会信用代码")] = "",
    occurred_on: Annotated[str, Form(), Text(20, "发生日期")] = "",
    agency: Annotated[str, Form(), Text(150, "执法机关")] = "",
    people: Annotated[str, Form(), Text(10, "人数")] = "",
    description: Annotated[str, Form(), Text(4000, "情况描述")] = "",
    contact: Annotated[str, Form(), Text(100, "联系方式")] = "",
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Accept a report; it becomes a clue for the supervisor of the enterprise's region."""
    clue = service.report_codeless(
        db,
        report=service.CodelessReport(
            enterprise_name=enterprise_name,
            enterprise_uscc=enterprise_uscc,
            occurred_on=form_date(occurred_on, "occurred_on"),
            agency=agency,
            people=form_int(people, "people"),
            description=description,
            contact=contact,
        ),
    )
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
