"""The case pages: the list, opening a case and the case page with its deadlines and timeline.

The forms of each step (``/cases/{id}/act/{action}``) are in ``stage_pages``; an enterprise
reads its own decided cases under ``/enterprise/cases`` with the same templates.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.cases import document_service, opening, queries, service
from wurao.cases.access import may_handle
from wurao.cases.page_forms import CaseOpeningForm
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
from wurao.core.errors import InvalidInput
from wurao.core.time import local_today
from wurao.discretion import leniency
from wurao.web import form_state
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import form_int, form_year
from wurao.web.params import MAX_LONG_ID, LongId, OptLongIdQuery, PageNo
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
Search = Annotated[str, Query(max_length=60, description="当事人名称、案件编号或证件号码")]
OPEN_ACTION = "/cases/new"  # the opening form's address (its refused state is keyed by it)


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


def _id_or_none(value: str) -> int | None:
    """A stored or typed id as a number, None when it is none (a refused form may hold "²" or
    twenty digits: the model refused them, the page still renders)."""
    if value.isascii() and value.isdigit() and len(value) <= len(str(MAX_LONG_ID)):
        number = int(value)
        return number if 0 < number <= MAX_LONG_ID else None
    return None


def _new(
    request: Request,
    db: Session,
    actor: Actor,
    values: opening.FormValues,
    *,
    q: str = "",
    prefill_error: InvalidInput | None = None,
) -> Response:
    """The opening form: ``values`` are the stored ones (empty, or a prefill), which a refused
    form's typed values replace (web/form_state.py); a prefill that failed shows its error."""
    state = form_state.state_of(request, OPEN_ACTION)
    if prefill_error is not None:
        name = prefill_error.field or form_state.FORM_ERROR
        state = form_state.FormState(errors={name: prefill_error.message})
    picked = _id_or_none(state.value("enterprise_id", values.enterprise_id))
    choices = opening.form_choices(db, actor=actor, q=q, enterprise_id=picked)
    for name, listed in (("record_id", choices.records), ("clue_id", choices.clues)):
        kept = _id_or_none(state.value(name, getattr(values, name)))
        if kept is not None and kept not in {c.id for c in listed}:  # older than the list
            listed.insert(0, opening.Choice(kept, f"编号 {kept}"))
    return render(
        request,
        "cases/new.html",
        {"v": values, "c": choices, "q": q, "f": state, "action": OPEN_ACTION, **_labels()},
        status_code=422 if prefill_error is not None else 200,
    )


@router.get(OPEN_ACTION, response_class=HTMLResponse)
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
        return _new(request, db, actor, opening.FormValues(), prefill_error=exc)
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


def _required(day: dt.date | None, name: str) -> dt.date:
    if day is None:
        raise InvalidInput(f"请填写{CaseOpeningForm.titles()[name]}。", field=name)
    return day


def _case_data(db: Session, form: CaseOpeningForm) -> service.CaseData:
    """The service's input from the form (Chinese errors naming the field)."""
    enterprise_id = form.enterprise_id
    if form.party_kind == PartyKind.ENTERPRISE and form.enterprise_uscc and enterprise_id is None:
        enterprise_id = opening.enterprise_id_of(db, form.enterprise_uscc)
    if not form.officer_ids:
        raise InvalidInput("请选择承办的执法人员（至少两名持证人员）。", field="officer_ids")
    return service.CaseData(
        origin=form.origin,
        party_kind=form.party_kind,
        act_on=_required(form.act_on, "act_on"),
        found_on=_required(form.found_on, "found_on"),
        facts=form.facts,
        officer_ids=tuple(sorted(set(form.officer_ids))),
        enterprise_id=enterprise_id,
        person_name=form.person_name,
        person_ric=form.person_ric,
        act_end_on=form.act_end_on,
        provisions_breached=form.provisions_breached,
        provisions_applied=form.provisions_applied,
        grave_harm=form.grave_harm,
        complex_case=form.complex_case,
        procedure=form.procedure,
        record_id=form.record_id if form.origin == Origin.RECORD else None,
        clue_id=form.clue_id if form.origin == Origin.CLUE else None,
        origin_ref=form.origin_ref if form.origin == Origin.REFERRAL else "",
    )


@router.post(OPEN_ACTION, response_class=HTMLResponse)
def open_case(
    request: Request,
    form: Annotated[CaseOpeningForm, Form()],
    actor: Actor = Depends(require(Permission.CASES_HANDLE)),
    db: Session = Depends(get_db),
) -> Response:
    """Open the case (待立案); refused, the form comes back with each error beside its field."""
    case = service.open_case(db, actor=actor, data=_case_data(db, form))
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
