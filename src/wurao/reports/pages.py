"""The public portal (公示, no sign-in): /public/, /public/plans, /public/special."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.planning import service as planning
from wurao.planning import special as special_service
from wurao.registry import service as registry
from wurao.registry.items.methods import METHODS
from wurao.reports import portal
from wurao.web.deps import TxRoute, get_db, public
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import form_year
from wurao.web.params import Id, PageNo
from wurao.web.templating import render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


def _labels() -> dict[str, Any]:
    return {
        "filing_labels": planning.FILING_LABELS,
        "methods": METHODS,
        "selections": planning.SELECTIONS,
    }


def _year(value: str) -> int | None:
    return form_year(value) if value else None


@router.get("/public/", response_class=HTMLResponse)
def public_home(
    request: Request,
    region: str = "",
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """The portal's landing page: pick a region, then subjects, items, plans, specials."""
    region = region.strip()
    return render(
        request,
        "public/index.html",
        {
            "regions": portal.public_regions(db),
            "region": region,
            "region_name": registry.region_path(db, region) if region else "",
        },
    )


@router.get("/public/plans", response_class=HTMLResponse)
def public_plans(
    request: Request,
    region: str = "",
    q: str = "",
    year: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Published annual plans of a region and below."""
    found = portal.list_public_plans(db, region=region, q=q, year=_year(year), page=page)
    return render(
        request,
        "public/plans.html",
        {
            **found.context(),
            "filters": {"region": region.strip(), "q": q, "year": year},
            "region_name": registry.region_path(db, region.strip()) if region.strip() else "",
            **_labels(),
        },
    )


@router.get("/public/plans/{plan_id}", response_class=HTMLResponse)
def public_plan(
    request: Request,
    plan_id: Id,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """One published plan version; superseded versions stay readable."""
    plan = portal.get_public_plan(db, plan_id=plan_id)
    entries = planning.entries_of(db, plan)
    subject = planning.subject_of(db, plan)
    return render(
        request,
        "public/plan_detail.html",
        {
            "plan": plan,
            "subject": subject,
            "entries": entries,
            "counts": planning.target_counts(db, entries),
            "items": planning.item_names(db, {e.item_id for e in entries}),
            "versions": portal.public_versions(db, plan),
            "region_path": registry.region_path(db, subject.region_code),
            "months_of": planning.months_of,
            **_labels(),
        },
    )


@router.get("/public/special", response_class=HTMLResponse)
def public_specials(
    request: Request,
    region: str = "",
    q: str = "",
    year: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Published special inspections of a region and below."""
    found = portal.list_public_specials(db, region=region, q=q, year=_year(year), page=page)
    return render(
        request,
        "public/special.html",
        {
            **found.context(),
            "filters": {"region": region.strip(), "q": q, "year": year},
            "region_name": registry.region_path(db, region.strip()) if region.strip() else "",
        },
    )


@router.get("/public/special/{special_id}", response_class=HTMLResponse)
def public_special(
    request: Request,
    special_id: Id,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """One published special inspection."""
    special = portal.get_public_special(db, special_id=special_id)
    return render(
        request,
        "public/special_detail.html",
        {
            "special": special,
            "subject_name": registry.subject_names(db, {special.subject_id}).get(
                special.subject_id, ""
            ),
            "items": special_service.special_items(db, special),
            "partners": special_service.special_partners(db, special),
        },
    )
