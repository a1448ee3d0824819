"""Joint-inspection page: /plans/joint (综合查一次 candidates between subjects' plans).

Registered before the planning pages so that /plans/joint is not read as a plan id.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.time import local_today
from wurao.joint import service
from wurao.planning.service import SELECTIONS
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import form_year
from wurao.web.templating import render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


@router.get("/plans/joint", response_class=HTMLResponse)
def joint_page(
    request: Request,
    year: str = "",
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Joint-inspection candidates (综合查一次) between subjects' plans."""
    y = (form_year(year) if year else None) or local_today().year
    found = service.joint_candidates(db, actor=actor, year=y)
    return render(
        request,
        "planning/joint.html",
        {
            "candidates": found,
            "year": y,
            "total_saved": sum(c.visits_saved for c in found),
            "selections": SELECTIONS,
        },
    )
