"""The portal's new pages (执法人员, 检查结果, 执法流程, 服务指南) and the JSON and CSV twin of
every portal list.

One convention for every list: the list's path with ``.json`` or ``.csv`` appended, the same
query parameters, the same rows in the same order, the same page (``/public/plans?region=
330802&page=2`` → ``/public/plans.json?region=330802&page=2``). The JSON is the open API's page
envelope (``OpenPage``), the CSV its ``items`` with ``X-Total-Count`` and a ``Link`` to the
next page. Each twin calls the very function its HTML page calls.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.cases import publication
from wurao.core.errors import NotFound
from wurao.core.paging import Page
from wurao.core.rules import catalogue
from wurao.discretion import service as discretion
from wurao.registry import service as registry
from wurao.registry.items import service as items_service
from wurao.registry.subjects import service as subjects_service
from wurao.reports import portal
from wurao.reports.open_data import guides, queries
from wurao.reports.open_data.formats import cached, csv_bytes, json_bytes, last_modified
from wurao.reports.open_data.published import (
    DecisionOut,
    DiscretionOut,
    DrawOut,
    ItemOut,
    PersonnelOut,
    PlanOut,
    ResultOut,
    RuleOut,
    SpecialOut,
    SubjectOut,
)
from wurao.sampling import results as draw_results
from wurao.web.deps import TxRoute, get_db, public
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import form_year
from wurao.web.params import Id, PageNo
from wurao.web.templating import render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)

FORMATS = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def _year(value: str) -> int | None:
    return form_year(value) if value.strip() else None


def _region_name(db: Session, region: str) -> str:
    return registry.region_path(db, region.strip()) if region.strip() else ""


def twin(
    request: Request, fmt: str, model: type[BaseModel], found: Page[Any], date_field: str = ""
) -> Response:
    """A list page's JSON or CSV twin: the same page of the same rows."""
    if fmt not in FORMATS:
        raise NotFound("列表数据的地址以 .json 或 .csv 结尾。")
    headers = {"X-Total-Count": str(found.total)}
    if found.page < found.pages:
        nxt = request.url.include_query_params(page=found.page + 1)
        headers["Link"] = f'<{nxt.path}?{nxt.query}>; rel="next"'
    if fmt == "csv":
        body = csv_bytes(model, found.items)
        headers["Content-Disposition"] = f'inline; filename="{request.url.path.rsplit("/", 1)[-1]}"'
    else:
        envelope = {
            "items": [i.model_dump(mode="json") for i in found.items],
            "total": found.total,
            "page": found.page,
            "per_page": found.per_page,
            "pages": found.pages,
        }
        body = json_bytes(envelope)
    modified = last_modified(found.items, date_field)
    return cached(request, body, FORMATS[fmt], modified=modified, headers=headers)


# --- the twins of the existing lists --------------------------------------------------------


@router.get("/public/subjects.{fmt}")
def subjects_twin(
    request: Request,
    fmt: str,
    region: str = "",
    q: str = "",
    field: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """/public/subjects as JSON or CSV."""
    found = subjects_service.list_public_subjects(db, region=region, q=q, field=field, page=page)
    return twin(request, fmt, SubjectOut, found.map(queries.subject_out), "announced_on")


@router.get("/public/items.{fmt}")
def items_twin(
    request: Request,
    fmt: str,
    region: str = "",
    q: str = "",
    field: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """/public/items as JSON or CSV."""
    found = items_service.list_public_items(db, region=region, q=q, field=field, page=page)
    rows = found.with_items(queries.items_out(db, found.items))
    return twin(request, fmt, ItemOut, rows, "published_on")


@router.get("/public/plans.{fmt}")
def plans_twin(
    request: Request,
    fmt: str,
    region: str = "",
    q: str = "",
    year: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """/public/plans as JSON or CSV."""
    found = portal.list_public_plans(db, region=region, q=q, year=_year(year), page=page)
    rows = found.map(lambda r: queries.plan_out(r[0], r[1]))
    return twin(request, fmt, PlanOut, rows, "published_on")


@router.get("/public/special.{fmt}")
def specials_twin(
    request: Request,
    fmt: str,
    region: str = "",
    q: str = "",
    year: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """/public/special as JSON or CSV."""
    found = portal.list_public_specials(db, region=region, q=q, year=_year(year), page=page)
    rows = found.map(lambda r: queries.special_out(r[0], r[1]))
    return twin(request, fmt, SpecialOut, rows, "published_on")


@router.get("/public/draws.{fmt}")
def draws_twin(
    request: Request,
    fmt: str,
    region: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """/public/draws as JSON or CSV."""
    found = draw_results.list_public_draws(db, region=region, page=page)
    return twin(request, fmt, DrawOut, found.map(queries.draw_out), "draw_date")


@router.get("/public/decisions.{fmt}")
def decisions_twin(
    request: Request,
    fmt: str,
    region: str = "",
    field: str = "",
    year: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """/public/decisions as JSON or CSV (withdrawn decisions are gone, as on the page)."""
    found = publication.public_decisions(
        db, region=region[:12], field=field[:30], year=_year(year), page=page
    )
    return twin(request, fmt, DecisionOut, found.map(queries.decision_out), "published_on")


@router.get("/public/discretion.{fmt}")
def discretion_twin(
    request: Request,
    fmt: str,
    region: str = "",
    field: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """/public/discretion as JSON or CSV."""
    found = discretion.public_tables(db, region=region, field=field, page=page)
    rows = found.map(lambda t: queries.discretion_out(t, discretion.owner_name(db, t)))
    return twin(request, fmt, DiscretionOut, rows, "published_on")


@router.get("/public/rules.{fmt}")
def rules_twin(request: Request, fmt: str, _: Actor | None = Depends(public)) -> Response:
    """/public/rules as JSON or CSV: the whole catalogue on one page, as the page shows it."""
    rules = [queries.rule_out(r) for r in catalogue()]
    return twin(request, fmt, RuleOut, Page(rules, len(rules), 1, max(len(rules), 1)))


# --- 执法人员 -------------------------------------------------------------------------------


def _personnel(db: Session, region: str, q: str, page: int) -> Page[PersonnelOut]:
    return queries.portal_personnel(db, region=region, q=q[:60], page=page)


@router.get("/public/personnel", response_class=HTMLResponse)
def personnel_page(
    request: Request,
    region: str = "",
    q: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Certified officers, searchable by name or certificate number (执法人员公示)."""
    found = _personnel(db, region, q, page)
    return render(request, "public/personnel.html", {
        **found.context(), "filters": {"region": region.strip(), "q": q[:60]},
        "region_name": _region_name(db, region), "states": queries.CERT_STATES,
    })  # fmt: skip


@router.get("/public/personnel.{fmt}")
def personnel_twin(
    request: Request,
    fmt: str,
    region: str = "",
    q: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """/public/personnel as JSON or CSV."""
    return twin(request, fmt, PersonnelOut, _personnel(db, region, q, page), "cert_valid_from")


# --- 检查结果 -------------------------------------------------------------------------------


def _results(db: Session, region: str, q: str, page: int) -> Page[ResultOut]:
    return queries.portal_results(db, region=region, q=q[:200], page=page)


@router.get("/public/results", response_class=HTMLResponse)
def results_page(
    request: Request,
    region: str = "",
    q: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Published inspection results (一公开), newest first; penalty decisions are linked."""
    found = _results(db, region, q, page)
    return render(request, "public/results.html", {
        **found.context(), "filters": {"region": region.strip(), "q": q[:200]},
        "region_name": _region_name(db, region),
    })  # fmt: skip


@router.get("/public/results.{fmt}")
def results_twin(
    request: Request,
    fmt: str,
    region: str = "",
    q: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """/public/results as JSON or CSV."""
    return twin(request, fmt, ResultOut, _results(db, region, q, page), "published_on")


# --- 执法流程 and 服务指南 ------------------------------------------------------------------


@router.get("/public/procedures", response_class=HTMLResponse)
def procedures_page(
    request: Request, region: str = "", _: Actor | None = Depends(public)
) -> Response:
    """The enforcement procedures (执法流程), from reports/data/procedures.toml."""
    return render(request, "public/procedures.html", {
        "procedures": guides.procedures(), "region": region.strip()[:12],
    })  # fmt: skip


def _guides(db: Session, region: str, page: int) -> Page[SubjectOut]:
    return queries.portal_guides(db, region=region, page=page)


@router.get("/public/guides", response_class=HTMLResponse)
def guides_page(
    request: Request,
    region: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Announced subjects, each with its service guide (服务指南)."""
    found = _guides(db, region, page)
    return render(request, "public/guides.html", {
        **found.context(), "filters": {"region": region.strip()},
        "region_name": _region_name(db, region),
    })  # fmt: skip


@router.get("/public/guides.{fmt}")
def guides_twin(
    request: Request,
    fmt: str,
    region: str = "",
    page: PageNo = 1,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """/public/guides as JSON or CSV (the subjects; each guide is its own page)."""
    return twin(request, fmt, SubjectOut, _guides(db, region, page), "announced_on")


@router.get("/public/guides/{subject_id}", response_class=HTMLResponse)
def guide_page(
    request: Request,
    subject_id: Id,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """One subject's service guide: its field's guide, its items, plans and procedures."""
    subject = queries.announced_subject(db, subject_id=subject_id)
    return render(request, "public/guide.html", {
        "subject": subject, "guide": guides.guide(subject.field),
        "region_path": registry.region_path(db, subject.region_code),
        "procedures": guides.procedures(), "region": subject.region_code,
    })  # fmt: skip
