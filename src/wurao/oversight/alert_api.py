"""JSON routes of the rules engine: the alerts the caller may see."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.oversight import engine
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import PageNo

router = APIRouter(route_class=TxRoute, responses=API_ERRORS)


class AlertOut(BaseModel):
    """An alert as the API shows it."""

    id: int
    rule_id: str
    severity: str
    title: str
    detail: str
    source: str
    region_code: str
    subject_id: int | None
    enterprise_id: int | None
    task_id: int | None
    evidence: list[dict[str, object]]
    status: str


class AlertPage(BaseModel):
    """One page of alerts."""

    total: int
    items: list[AlertOut]


@router.get("/api/v1/alerts", response_model=AlertPage)
def list_alerts(
    status: str = "",
    rule: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> AlertPage:
    """The alerts the caller may see."""
    found = engine.list_alerts(db, actor=actor, status=status, rule_id=rule, page=page)
    return AlertPage(
        total=found.total,
        items=[
            AlertOut(
                id=a.id,
                rule_id=a.rule_id,
                severity=a.severity,
                title=a.title,
                detail=a.detail,
                source=a.source,
                region_code=a.region_code,
                subject_id=a.subject_id,
                enterprise_id=a.enterprise_id,
                task_id=a.task_id,
                evidence=json.loads(a.evidence or "[]"),
                status=a.status,
            )
            for a in found.items
        ],
    )
