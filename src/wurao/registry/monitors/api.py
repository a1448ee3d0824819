"""API of the 执法监督员 and 企业联系点 registries: list and get, within the caller's region."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.time import local_today
from wurao.registry.monitors import service
from wurao.registry.monitors.schemas import (
    ContactPointOut,
    ContactPointPage,
    MonitorOut,
    MonitorPage,
)
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import Id, PageNo, Text

router = APIRouter(prefix="/api/v1", route_class=TxRoute, tags=["monitors"], responses=API_ERRORS)


@router.get("/monitors", response_model=MonitorPage)
def list_monitors(
    q: Annotated[str, Text(60, "检索")] = "",
    state: Annotated[str, Text(10, "状态")] = "",
    on: dt.date | None = None,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> MonitorPage:
    """执法监督员 the caller may see; ``state`` on ``on`` (default today)."""
    day = on or local_today()
    found = service.list_monitors(db, actor=actor, q=q, state=state, on=day, page=page)
    return MonitorPage(
        items=[MonitorOut.of(m, day) for m in found.items], total=found.total, page=page
    )


@router.get("/monitors/{monitor_id}", response_model=MonitorOut)
def get_monitor(
    monitor_id: Id,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> MonitorOut:
    """One 执法监督员, if the caller may see them."""
    return MonitorOut.of(service.get_monitor(db, actor=actor, monitor_id=monitor_id), local_today())


@router.get("/contact-points", response_model=ContactPointPage)
def list_contact_points(
    q: Annotated[str, Text(100, "检索")] = "",
    status: Annotated[str, Text(10, "状态")] = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> ContactPointPage:
    """企业联系点 the caller may see."""
    found = service.list_contact_points(db, actor=actor, q=q, status=status, page=page)
    return ContactPointPage(
        items=[ContactPointOut.of(p, e) for p, e in found.items], total=found.total, page=page
    )


@router.get("/contact-points/{point_id}", response_model=ContactPointOut)
def get_contact_point(
    point_id: Id,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> ContactPointOut:
    """One 企业联系点, if the caller may see it."""
    point, enterprise = service.get_contact_point(db, actor=actor, point_id=point_id)
    return ContactPointOut.of(point, enterprise)
