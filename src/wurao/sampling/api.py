"""双随机 draws API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.sampling import artefacts, freeze, run, service
from wurao.sampling.schemas import DrawIn, DrawOut, DrawPage, FreezeIn
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import Id, PageNo

router = APIRouter(prefix="/api/v1", route_class=TxRoute, tags=["draws"], responses=API_ERRORS)


@router.get("/draws", response_model=DrawPage)
def list_draws(
    status: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> DrawPage:
    """Draws the caller may see, newest first."""
    found = service.list_draws(db, actor=actor, status=status, page=page)
    return DrawPage(items=[DrawOut.of(d) for d in found.items], total=found.total, page=page)


@router.post("/draws", response_model=DrawOut, status_code=201)
def create_draw(
    body: DrawIn,
    actor: Actor = Depends(require(Permission.DRAWS_MANAGE)),
    db: Session = Depends(get_db),
) -> DrawOut:
    """Define a draw (draft)."""
    draw = service.create_draw(db, data=service.DrawData(**body.model_dump()), actor=actor)
    return DrawOut.of(draw)


@router.post("/draws/{draw_id}/freeze", response_model=DrawOut)
def freeze_draw(
    draw_id: Id,
    body: Annotated[FreezeIn | None, Body()] = None,
    actor: Actor = Depends(require(Permission.DRAWS_MANAGE)),
    db: Session = Depends(get_db),
) -> DrawOut:
    """Freeze the pool and commit to a secret seed (a load per officer above the policy's
    threshold needs ``override_reason``)."""
    draw = service.get_draw(db, actor=actor, draw_id=draw_id)
    reason = body.override_reason if body else ""
    return DrawOut.of(freeze.freeze_draw(db, draw=draw, actor=actor, override_reason=reason))


@router.post("/draws/{draw_id}/draw", response_model=DrawOut)
def run_draw(
    draw_id: Id,
    actor: Actor = Depends(require(Permission.DRAWS_MANAGE)),
    db: Session = Depends(get_db),
) -> DrawOut:
    """Reveal the seed, draw, and create the tasks."""
    draw = service.get_draw(db, actor=actor, draw_id=draw_id)
    return DrawOut.of(run.run_draw(db, draw=draw, actor=actor))


@router.get("/draws/{draw_id}/artefacts")
def draw_artefacts(
    draw_id: Id,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """The draw's artefacts (the pool file is at /public/draws/{id}/pool.csv)."""
    return artefacts.artefacts(service.get_draw(db, actor=actor, draw_id=draw_id))
