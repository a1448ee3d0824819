"""The shell's pages: the home page of each role and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.time import local_today
from wurao.registry import service as registry
from wurao.web import home as home_model
from wurao.web.deps import TxRoute, get_db, public
from wurao.web.errors import PAGE_ERRORS
from wurao.web.templating import render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    actor: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Home page of the signed-in role; anonymous visitors go to sign-in."""
    if actor is None:
        return RedirectResponse("/login", status_code=303)
    return _home(request, actor, db)


def _home(request: Request, actor: Actor, db: Session) -> Response:
    actor.require(Permission.HOME)
    subject = None
    if actor.subject_id is not None:
        subject = registry.subject_names(db, {actor.subject_id}).get(actor.subject_id)
    return render(
        request,
        "home.html",
        {
            "region_path": registry.region_path(db, actor.region_code),
            "subject_name": subject,
            "home": home_model.home_for(db, actor=actor, today=local_today()),
        },
    )


@router.get("/healthz", response_class=PlainTextResponse)
def healthz(_: Actor | None = Depends(public)) -> str:
    """Liveness probe."""
    return "ok"
