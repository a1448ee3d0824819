"""Published penalty decisions on the public portal (D20, no sign-in).

Only decisions still in force are listed: a withdrawn one leaves the portal. A person party is
named by surname + 某 and never by ID number (``publication.public_party``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.cases import publication
from wurao.registry.subjects.service import FIELDS
from wurao.web.deps import TxRoute, get_db, public
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import form_year
from wurao.web.params import LongId, PageNo
from wurao.web.templating import render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


@router.get("/public/decisions", response_class=HTMLResponse)
def public_decisions(
    request: Request,
    region: str = "",
    field: str = "",
    year: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Published penalty decisions, newest first, by region, field and year."""
    found = publication.public_decisions(
        db,
        region=region[:12],
        field=field[:30],
        year=form_year(year) if year.strip() else None,
        page=page,
    )
    return render(
        request,
        "public/decisions.html",
        {
            **found.context(),
            "filters": {"region": region.strip()[:12], "field": field[:30], "year": year[:4]},
            "fields": FIELDS,
        },
    )


@router.get("/public/decisions/{publication_id}", response_class=HTMLResponse)
def public_decision(
    request: Request,
    publication_id: LongId,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """One published decision."""
    decision = publication.public_decision(db, publication_id=publication_id)
    return render(request, "public/decision_detail.html", {"d": decision})
