"""JSON routes of fine revenue (罚没收入): the monthly series of the caller's region."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.time import local_today
from wurao.oversight.fines import queries
from wurao.oversight.fines.schemas import MonthlyOut
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import OptYear

router = APIRouter(route_class=TxRoute, tags=["fines"], responses=API_ERRORS)


@router.get("/api/v1/fines/monthly", response_model=MonthlyOut)
def monthly(
    year: OptYear = None,
    by: Literal["subject", "region"] = Query("subject", description="按执法主体或按地区"),
    actor: Actor = Depends(require(Permission.DASHBOARD_VIEW)),
    db: Session = Depends(get_db),
) -> MonthlyOut:
    """Monthly 罚没收入 per subject (or county-level region) of the caller's region, this year
    and last, with the year-on-year change over the whole months compared."""
    today = local_today()
    found = queries.table(db, actor=actor, year=year or today.year, today=today, by=by)
    return MonthlyOut.of(found)
