"""The case pages: the list, opening a case and the case page with its deadlines and timeline.

The forms of each step (``/cases/{id}/act/{action}``) are in ``stage_pages``; an enterprise
reads its own decided cases under ``/enterprise/cases`` with the same templates.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.cases import document_service, opening, queries, service
from wurao.cases.access import may_handle
from wurao.cases.statuses import (
    CaseStatus,
    Origin,
    PartyKind,
    PaymentChannel,
    Procedure,
    ServiceMethod,
    SuspensionKind,
    kinds_label,
)
from wurao.core.clock import WORKING
from wurao.core.errors import Conflict, InvalidInput, NotFound
from wurao.core.time import local_today
from wurao.discretion import leniency
from wurao.web.deps import TxRoute, form_fields, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import form_date, form_int, form_year
from wurao.web.params import LongId, OptLongIdQuery, PageNo
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
Search = Annotated[str, Query(max_length=60, description="当事人名称、案件编号或证件号码")]
FORM_ERROR = "_form"  # an error that belongs to no one field


def yuan(fen: int) -> str:
    """An amount in fen as yuan with two decimals (integer arithmetic, no float)."""
    return f"{fen // 100:,}.{fen % 100:02d}"


def _labels() -> dict[str, Any]:
    return {
        "statuses": CaseStatus.labels(),
        "origins": Origin.labels(),
        "procedures": Procedure.labels(),
        "party_kinds": PartyKind.labels(),
        "suspension_kinds": SuspensionKind.labels(),
        "service_methods": ServiceMethod.labels(),
        "payment_channels": PaymentChannel.labels(),
        "kinds_label": kinds_label,
        "yuan": yuan,
        "working": WORKING,
    }


def _list(
    request: Request, db: Session, actor: Actor, filters: queries.CaseFilters, page: int
) -> Response:
    today = local_today()
    found = queries.list_cases(db, actor=actor, filters=filters, page=page, today=today)
    return render(
        request,
        "cases/list.html",
        {
            **found.context(),
            "f": filters,
            "subjects": queries.subject_choices(db, actor=actor),
            "base": request.url.path,
            "today": today,
            **_labels(),
        },
    )


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    status: Annotated[str, Query(max_length=16)] = "",
    procedure: Annotated[str, Query(max_length=10)] = "",
    year: Annotated[str, Query(max_length=4)] = "",
    subject: Annotated[str, Query(max_length=10)] = "",
    q: Search = "",
    overdue: Annotated[str, Query(max_length=1)] = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The cases the caller may see, filterable through the URL, newest first."""
    # year and subject come from a filter form whose empty fields are sent as ""
    filters = queries.CaseFilters(
        status,
        procedure,
        form_year(year),
        form_int(subject, "subject_id"),
        q,
        overdue == "1",
    )
    return _list(request, db, actor, filters, page)


@router.get("/enterprise/cases", response_class=HTMLResponse)
def enterprise_cases_page(
    request: Request,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.ENTERPRISE_PORTAL)),
    db: Session = Depends(get_db),
) -> Response:
    """我的案件: the enterprise's own cases once decided."""
    return _list(request, db, actor, queries.CaseFilters(), page)


def _new(
    request: Request,
    db: Session,
    actor: Actor,
    values: opening.FormValues,
    *,
    q: str = "",
    errors: dict[str, str] | None = None,
) -> Response:
    picked = values.enterprise_id
    choices = opening.form_choices(
        db,
        actor=actor,
        q=q,
        enterprise_id=int(picked) if picked.isdigit() and len(picked) <= 18 else None,
    )
    for name, listed in (("record_id", choices.records), ("clue_id", choices.clues)):
        value = getattr(values, name)
        if value and value not in {str(c.id) for c in listed}:  # a prefill older than the list
            listed.insert(0, opening.Choice(int(value), f"编号 {value}"))
    return render(
        request,
        "cases/new.html",
        {"v": values, "c": choices, "q": q, "errors": errors or {}, **_labels()},
        status_code=422 if errors else 200,
    )


@router.get("/cases/new", response_class=HTMLResponse)
def new_case_page(
    request: Request,
    record_id: OptLongIdQuery = None,
    clue_id: OptLongIdQuery = None,
    q: Search = "",
    actor: Actor = Depends(require(Permission.CASES_HANDLE)),
    db: Session = Depends(get_db),
) -> Response:
    """The opening form, prefilled from an inspection record (移送立案) or a clue if given."""
    try:
        values = opening.prefill(db, actor=actor, record_id=record_id, clue_id=clue_id)
    except InvalidInput as exc:
        return _new(request, db, actor, opening.FormValues(), errors=_errors(exc))
    return _new(request, db, actor, values, q=q)


@router.get("/cases/new/enterprises", response_class=HTMLResponse)
def party_picker(
    request: Request,
    q: Search = "",
    actor: Actor = Depends(require(Permission.CASES_HANDLE)),
    db: Session = Depends(get_db),
) -> Response:
    """The opening form's enterprise picker (an htmx fragment): the region's enterprises
    matching the search, or those the subject has inspected."""
    return render(
        request,
        "cases/_party_choices.html",
        {"enterprises": opening.enterprise_choices(db, actor=actor, q=q), "q": q.strip()},
    )


def _str(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _typed(form: FormData) -> opening.FormValues:
    """The form as typed, to show again beside an error."""
    return opening.FormValues(
        origin=_str(form, "origin"),
        procedure=_str(form, "procedure"),
        party_kind=_str(form, "party_kind"),
        enterprise_id=_str(form, "enterprise_id"),
        enterprise_uscc=_str(form, "enterprise_uscc"),
        person_name=_str(form, "person_name"),
        person_ric=_str(form, "person_ric"),
        act_on=_str(form, "act_on"),
        act_end_on=_str(form, "act_end_on"),
        found_on=_str(form, "found_on"),
        facts=_str(form, "facts"),
        provisions_breached=_str(form, "provisions_breached"),
        provisions_applied=_str(form, "provisions_applied"),
        officer_ids={v for v in form.getlist("officer_ids") if isinstance(v, str)},
        record_id=_str(form, "record_id"),
        clue_id=_str(form, "clue_id"),
        origin_ref=_str(form, "origin_ref"),
        grave_harm=_str(form, "grave_harm") == "1",
        complex_case=_str(form, "complex_case") == "1",
    )


def _required_date(value: str, name: str, label: str) -> dt.date:
    day = form_date(value, name)
    if day is None:
        raise InvalidInput(f"请填写{label}。", field=name)
    return day


def _case_data(db: Session, v: opening.FormValues) -> service.CaseData:
    """The service's input from the typed form (Chinese errors naming the field)."""
    enterprise_id = form_int(v.enterprise_id, "enterprise_id")
    if v.party_kind == PartyKind.ENTERPRISE and v.enterprise_uscc and enterprise_id is None:
        enterprise_id = opening.enterprise_id_of(db, v.enterprise_uscc)
    officers = tuple(
        n for n in (form_int(i, "officer_ids") for i in sorted(v.officer_ids)) if n is not None
    )
    if not officers:
        raise InvalidInput("请选择承办的执法人员（至少两名持证人员）。", field="officer_ids")
    return service.CaseData(
        origin=v.origin,
        party_kind=v.party_kind,
        act_on=_required_date(v.act_on, "act_on", "违法行为发生日期"),
        found_on=_required_date(v.found_on, "found_on", "线索发现日期"),
        facts=v.facts,
        officer_ids=officers,
        enterprise_id=enterprise_id,
        person_name=v.person_name,
        person_ric=v.person_ric,
        act_end_on=form_date(v.act_end_on, "act_end_on"),
        provisions_breached=v.provisions_breached,
        provisions_applied=v.provisions_applied,
        grave_harm=v.grave_harm,
        complex_case=v.complex_case,
        procedure=v.procedure,
        record_id=form_int(v.record_id, "record_id") if v.origin == Origin.RECORD else None,
        clue_id=form_int(v.clue_id, "clue_id") if v.origin == Origin.CLUE else None,
        origin_ref=v.origin_ref if v.origin == Origin.REFERRAL else "",
    )


def _errors(exc: InvalidInput | Conflict | NotFound) -> dict[str, str]:
    name = getattr(exc, "field", None) or FORM_ERROR
    if name == "enterprise_uscc":
        name = "enterprise_id"  # one place beside the party's choice
    return {name: exc.message}


@router.post("/cases/new", response_class=HTMLResponse)
def open_case(
    request: Request,
    form: FormData = Depends(form_fields),
    actor: Actor = Depends(require(Permission.CASES_HANDLE)),
    db: Session = Depends(get_db),
) -> Response:
    """Open the case (待立案); the form comes back with the error beside its field."""
    values = _typed(form)
    try:
        with db.begin_nested():
            case = service.open_case(db, actor=actor, data=_case_data(db, values))
    except (InvalidInput, Conflict, NotFound) as exc:
        return _new(request, db, actor, values, errors=_errors(exc))
    flash(request, f"已登记案件 {case.number}，待决定是否立案。")
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


def _detail(request: Request, db: Session, actor: Actor, case_id: int) -> Response:
    today = local_today()
    view = queries.case_view(db, actor=actor, case_id=case_id, today=today)
    context = {"cv": view, "c": view.case, "today": today, **_labels()}
    # the documents and the decision's publication (cases/_documents.html, also an htmx fragment)
    context |= document_service.documents_context(db, actor=actor, case=view.case)
    context |= {"typed": {}, "notice": None}
    # discretion (D24) and the leniency lists (D17): cases/_discretion.html
    context |= leniency.case_panel(db, view.case, today) | {
        "may_handle": may_handle(actor, view.case)
    }
    return render(request, "cases/detail.html", context)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: LongId,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One case: its deadlines, timeline, evidence, decision and the steps the viewer may take."""
    return _detail(request, db, actor, case_id)


@router.get("/enterprise/cases/{case_id}", response_class=HTMLResponse)
def enterprise_case_page(
    request: Request,
    case_id: LongId,
    actor: Actor = Depends(require(Permission.ENTERPRISE_PORTAL)),
    db: Session = Depends(get_db),
) -> Response:
    """One of the enterprise's own decided cases (read-only)."""
    return _detail(request, db, actor, case_id)
