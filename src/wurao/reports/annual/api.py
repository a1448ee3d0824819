"""JSON routes of the annual statistics: the year's overview and one report — the same service
calls as the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.time import local_today
from wurao.reports.annual import queries, service
from wurao.reports.annual.schemas import AnnualReportOut, LineOut
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.forms import form_year
from wurao.web.params import Id, Text

router = APIRouter(route_class=TxRoute, tags=["annual statistics"], responses=API_ERRORS)


@router.get("/api/v1/reports/annual", response_model=list[LineOut])
def overview(
    year: Annotated[str, Text(4, "年度")] = "",
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> list[LineOut]:
    """Every subject the caller sees with its report's state for the year (default: last)."""
    today = local_today()
    y = form_year(year) or today.year - 1
    return [LineOut.of(ln) for ln in queries.overview(db, actor=actor, year=y, today=today)]


@router.get("/api/v1/reports/annual/{report_id}", response_model=AnnualReportOut)
def report(
    report_id: Id,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> AnnualReportOut:
    """One report: computed, manual and derived figures, item lists, query date and seal."""
    return AnnualReportOut.of(service.get_report(db, actor=actor, report_id=report_id))
