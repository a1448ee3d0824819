"""Administration API: working days, policy lookup, audit verification."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from wurao.admin import service
from wurao.admin.schemas import AuditVerifyOut, PolicyValueOut, WorkingDaysOut
from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core import workdays
from wurao.core.policy import get_policy
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS

MAX_WORKING_DAYS = 3_650  # ten years of working days: beyond any legal time limit

router = APIRouter(prefix="/api/v1", route_class=TxRoute, tags=["admin"], responses=API_ERRORS)


@router.get("/working-days", response_model=WorkingDaysOut)
def working_days(
    start: dt.date,
    n: Annotated[int, Query(ge=-MAX_WORKING_DAYS, le=MAX_WORKING_DAYS)] = 0,
    end: dt.date | None = None,
    _: Actor = Depends(require(Permission.HOME)),
) -> dict[str, Any]:
    """Working-day arithmetic: ``start + n`` working days, and the count up to ``end``."""
    return {
        "start": start,
        "is_working_day": workdays.is_working_day(start),
        "n": n,
        "plus_n": workdays.add_working_days(start, n),
        "end": end,
        "working_days_to_end": workdays.working_days_between(start, end) if end else None,
    }


@router.get("/policy/{name}", response_model=PolicyValueOut)
def policy_value(
    name: str,
    region: str,
    on: dt.date,
    _: Actor = Depends(require(Permission.POLICY_VIEW)),
) -> dict[str, Any]:
    """The value of a policy parameter in force for a region and date."""
    from wurao.core.errors import NotFound
    from wurao.core.policy import PolicyError

    try:
        v = get_policy().lookup(name, region, on)
    except PolicyError as exc:
        raise NotFound(str(exc)) from exc
    return {
        "name": v.name,
        "value": v.value,
        "region": v.region,
        "effective": v.effective,
        "source": v.source,
        "unconfirmed": v.unconfirmed,
    }


@router.post("/audit/verify", response_model=AuditVerifyOut)
def audit_verify(
    actor: Actor = Depends(require(Permission.AUDIT_VIEW)),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Verify the audit chain."""
    r = service.verify_audit(db, actor=actor)
    return {"ok": r.ok, "checked": r.checked, "broken_seq": r.broken_seq, "reason": r.reason}
