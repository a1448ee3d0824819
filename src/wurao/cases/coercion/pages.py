"""Pages of coercive measures and enforcement: the list, a new measure (from a case or
standalone), the measure page with its clock, property list, steps and documents, and the
enforcement page. Each route parses, calls one service function and renders; a refused step
brings its page back with the error beside the field and what was typed (the service ran in a
savepoint, so nothing it wrote survives): the route builds the shared form state
(web/form_state.py) itself, since a rule's message goes beside the field its evidence names,
which the application-wide handler does not know.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.cases.access import may_handle as case_handle
from wurao.cases.coercion import documents, enforcement, queries, service, step_forms, steps
from wurao.cases.coercion.access import get_enforcement, get_measure, may_handle
from wurao.cases.coercion.clocks import enforcement_deadlines, measure_deadlines, pauses
from wurao.cases.coercion.models import CoerciveEnforcement, CoerciveMeasure
from wurao.cases.coercion.statuses import (
    ENFORCEMENT_LIFECYCLE,
    EnforcementStatus,
    MeasureKind,
    MeasureStatus,
)
from wurao.cases.coercion.step_forms import ENFORCEMENT_STEPS, MEASURE_STEPS
from wurao.core.errors import Conflict, InvalidInput, RuleViolation, Violation
from wurao.core.time import local_today, utcnow
from wurao.core.workdays import UnknownCalendarYear
from wurao.web.deps import TxRoute, form_fields, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.form_state import BACK_FIELD, FORM_ERROR, STATE_KEY, FormState
from wurao.web.forms import form_int
from wurao.web.params import LongId, OptLongIdQuery, PageNo
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)

VIEW = Depends(require(Permission.CASES_VIEW))
HANDLE = Depends(require(Permission.CASES_HANDLE))
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ITEM_ROWS = 5
Action = Annotated[str, Path(max_length=40, pattern=r"^[a-z_]+$", description="办理步骤")]
Kind = Annotated[str, Path(max_length=20, pattern=r"^[a-z_]+$", description="文书种类")]
Filter = Annotated[str, Query(max_length=20, pattern=r"^[a-z_]*$", description="筛选")]
Typed = dict[str, str]
_HIDDEN = frozenset({"csrf_token", BACK_FIELD})


def _typed(fields: FormData) -> Typed:
    return {k: str(fields.get(k, "")) for k in fields if k not in _HIDDEN}


def _refused(
    request: Request, fields: FormData, exc: InvalidInput | RuleViolation | Conflict
) -> None:
    """The refused form as the shared form state (web/form_state.py) the ``field`` macro and the
    page's error summary read: a rule's message goes beside the field its evidence names."""
    errors, violations = _errors(exc)
    typed: dict[str, list[str]] = {}
    for k, v in fields.multi_items():
        if k not in _HIDDEN:
            typed.setdefault(k, []).append(str(v))
    request.scope[STATE_KEY] = FormState(
        action=request.url.path,
        typed={k: tuple(v) for k, v in typed.items()},
        errors=errors,
        message=exc.message,
        violations=tuple(
            {"rule_id": v.rule_id, "title": v.title, "source": v.source, "detail": v.detail}
            for v in violations
        ),
    )


def _docx(name: str, data: bytes) -> Response:
    headers = {
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "no-store",
    }
    return Response(data, media_type=DOCX, headers=headers)


# --- the list -------------------------------------------------------------------------------


@router.get("/coercion", response_class=HTMLResponse)
def measures_page(
    request: Request,
    status: Filter = "",
    due: Filter = "",
    case: OptLongIdQuery = None,
    page: PageNo = 1,
    actor: Actor = VIEW,
    db: Session = Depends(get_db),
) -> Response:
    """The measures (filter: status, expiring within 7 days, overdue, case) and the
    enforcements."""
    today = local_today()
    found = queries.list_measures(
        db, actor=actor, today=today, status=status, due=due, case_id=case, page=page
    )
    enforcements = queries.list_enforcements(db, actor=actor, per_page=10)
    return render(
        request,
        "cases/coercion/list.html",
        {
            **found.context("rows"),
            "f": {"status": status, "due": due, "case": case},
            "statuses": MeasureStatus.labels(),
            "dues": queries.DUE_FILTERS,
            "kinds": MeasureKind.labels(),
            "enforcements": enforcements.items,
            "enf_labels": EnforcementStatus.labels(),
            "today": today,
        },
    )


@router.get("/coercion/of-case/{case_id}", response_class=HTMLResponse)
def case_measures(
    request: Request, case_id: LongId, actor: Actor = VIEW, db: Session = Depends(get_db)
) -> Response:
    """The case page's section (loaded by htmx): the case's measures with their days left."""
    case = service.case_for(db, actor, case_id)
    assert case is not None
    today = local_today()
    found = queries.list_measures(db, actor=actor, today=today, case_id=case_id, per_page=50)
    return render(
        request,
        "cases/coercion/_case_measures.html",
        {
            "case": case,
            "rows": found.items,
            "kinds": MeasureKind.labels(),
            "may_handle": case_handle(actor, case),
            "today": today,
        },
    )


# --- a new measure --------------------------------------------------------------------------


def _new_context(db: Session, actor: Actor, case_id: int | None) -> dict[str, object]:
    return {
        "kinds": MeasureKind.labels(),
        "officers": service.subject_officers(db, actor, local_today()),
        "case": service.case_for(db, actor, case_id),
        "item_rows": range(ITEM_ROWS),
    }


@router.get("/coercion/new", response_class=HTMLResponse)
def new_measure_page(
    request: Request,
    case_id: OptLongIdQuery = None,
    actor: Actor = HANDLE,
    db: Session = Depends(get_db),
) -> Response:
    """The form of a new measure, from a case (its party) or standalone."""
    ctx = _new_context(db, actor, case_id)
    values = {"kind": "seizure", "heard": "1", "party_present": "1"}
    return render(request, "cases/coercion/new.html", {**ctx, "values": values})


def _measure_data(fields: FormData) -> service.MeasureData:
    items = []
    for i in range(ITEM_ROWS):
        desc = str(fields.get(f"item{i}_description", "")).strip()
        if not desc:
            continue
        items.append(
            service.ItemData(
                description=desc,
                quantity=str(fields.get(f"item{i}_quantity", "")),
                location=str(fields.get(f"item{i}_location", "")),
                owner=str(fields.get(f"item{i}_owner", "")),
                identifier=str(fields.get(f"item{i}_identifier", "")),
                necessity=bool(fields.get(f"item{i}_necessity")),
            )
        )
    officers = []
    for raw in fields.getlist("officer_ids"):
        got = form_int(str(raw), "officer_ids")
        if got is not None:
            officers.append(got)
    emergency = bool(fields.get("emergency"))
    at_text = str(fields.get("executed_at", ""))
    return service.MeasureData(
        kind=str(fields.get("kind", "")),
        reason=str(fields.get("reason", "")),
        basis=str(fields.get("basis", "")),
        officer_ids=tuple(officers),
        items=tuple(items),
        case_id=form_int(str(fields.get("case_id", "")), "case_id"),
        party_name=str(fields.get("party_name", "")),
        party_present=bool(fields.get("party_present")),
        witness=str(fields.get("witness", "")),
        heard=bool(fields.get("heard")),
        emergency=emergency,
        executed_at=step_forms.parse_at(at_text, "executed_at") if emergency else None,
    )


@router.post("/coercion/new", response_class=HTMLResponse)
def new_measure(
    request: Request,
    fields: FormData = Depends(form_fields),
    actor: Actor = HANDLE,
    db: Session = Depends(get_db),
) -> Response:
    """Apply for the measure (or record an emergency one); the form again when refused."""
    try:
        with db.begin_nested():
            measure = service.apply_measure(db, actor=actor, data=_measure_data(fields))
    except (InvalidInput, RuleViolation) as exc:
        case_id = form_int(str(fields.get("case_id", "")), "case_id")
        _refused(request, fields, exc)
        ctx = _new_context(db, actor, case_id)
        return render(request, "cases/coercion/new.html", {**ctx, "values": {}}, status_code=422)
    flash(request, f"已登记：{measure.number}。")
    return RedirectResponse(f"/coercion/{measure.id}", status_code=303)


def _errors(exc: InvalidInput | RuleViolation | Conflict) -> tuple[dict[str, str], list[Violation]]:
    """Field errors (beside their inputs) and the failed rules."""
    if isinstance(exc, RuleViolation):
        errors: dict[str, str] = {}
        for v in exc.violations:
            name = str(v.evidence.get("field", FORM_ERROR))
            errors[name] = (errors[name] + "；" if name in errors else "") + v.detail
        return errors, list(exc.violations)
    field = getattr(exc, "field", None) or FORM_ERROR
    return {field: exc.message}, []


# --- enforcement (before /coercion/{measure_id}) --------------------------------------------


@router.get("/coercion/enforcements/new", response_class=HTMLResponse)
def new_enforcement_page(
    request: Request,
    case_id: OptLongIdQuery = None,
    actor: Actor = HANDLE,
    db: Session = Depends(get_db),
) -> Response:
    """The form registering a decision to be enforced."""
    case = service.case_for(db, actor, case_id)
    return render(request, "cases/coercion/enforcement_new.html", {"case": case})


@router.post("/coercion/enforcements/new", response_class=HTMLResponse)
def new_enforcement(
    request: Request,
    fields: FormData = Depends(form_fields),
    actor: Actor = HANDLE,
    db: Session = Depends(get_db),
) -> Response:
    """Register the enforcement; the form again when refused."""
    typed = _typed(fields)
    try:
        with db.begin_nested():
            data = enforcement.EnforcementData(
                obligation=typed.get("obligation", ""),
                case_id=form_int(typed.get("case_id", ""), "case_id"),
                party_name=typed.get("party_name", ""),
                decision_ref=typed.get("decision_ref", ""),
                remedy_ends_on=step_forms.opt_day(typed, "remedy_ends_on"),
                surcharge_from=step_forms.opt_day(typed, "surcharge_from"),
            )
            enf = enforcement.open_enforcement(db, actor=actor, data=data)
    except (InvalidInput, RuleViolation) as exc:
        _refused(request, fields, exc)
        case = service.case_for(db, actor, form_int(typed.get("case_id", ""), "case_id"))
        return render(
            request, "cases/coercion/enforcement_new.html", {"case": case}, status_code=422
        )
    flash(request, f"已登记：{enf.number}。")
    return RedirectResponse(f"/coercion/enforcements/{enf.id}", status_code=303)


def _enforcement_page(
    request: Request,
    db: Session,
    actor: Actor,
    enf: CoerciveEnforcement,
    *,
    status_code: int = 200,
) -> Response:
    today = local_today()
    handle = may_handle(actor, enf)
    steps = [
        s for a, s in ENFORCEMENT_STEPS.items() if handle and ENFORCEMENT_LIFECYCLE.can(enf, a)
    ]
    return render(
        request,
        "cases/coercion/enforcement.html",
        {
            "enf": enf,
            "status_label": ENFORCEMENT_LIFECYCLE.label(enf.status),
            "deadlines": enforcement_deadlines(enf, today),
            "timeline": service.enforcement_steps(db, enf),
            "steps": steps,
            "documents": _documents(db, actor, enf),
            "may_handle": handle,
            "today": today,
            "now": utcnow(),
        },
        status_code=status_code,
    )


@router.get("/coercion/enforcements/{enforcement_id}", response_class=HTMLResponse)
def enforcement_page(
    request: Request, enforcement_id: LongId, actor: Actor = VIEW, db: Session = Depends(get_db)
) -> Response:
    """One enforcement: its 催告, periods, court window, steps and documents."""
    enf = get_enforcement(db, actor=actor, enforcement_id=enforcement_id)
    return _enforcement_page(request, db, actor, enf)


@router.post("/coercion/enforcements/{enforcement_id}/act/{action}", response_class=HTMLResponse)
def enforcement_act(
    request: Request,
    enforcement_id: LongId,
    action: Action,
    fields: FormData = Depends(form_fields),
    actor: Actor = VIEW,
    db: Session = Depends(get_db),
) -> Response:
    """Take an enforcement step; the page again with the error beside its field."""
    enf = get_enforcement(db, actor=actor, enforcement_id=enforcement_id)
    step = step_forms.step_of(ENFORCEMENT_STEPS, action)
    typed = _typed(fields)
    try:
        with db.begin_nested():
            step_forms.run_enforcement_step(db, actor, enf, action, typed)
    except (InvalidInput, RuleViolation, Conflict) as exc:
        code = 409 if isinstance(exc, Conflict) else 422
        db.refresh(enf)
        _refused(request, fields, exc)
        return _enforcement_page(request, db, actor, enf, status_code=code)
    flash(request, f"已办理：{step.title}。")
    return RedirectResponse(f"/coercion/enforcements/{enf.id}", status_code=303)


@router.post("/coercion/enforcements/{enforcement_id}/documents/{kind}")
def enforcement_generate(
    request: Request,
    enforcement_id: LongId,
    kind: Kind,
    actor: Actor = VIEW,
    db: Session = Depends(get_db),
) -> Response:
    """Issue (or regenerate) a document of the enforcement."""
    enf = get_enforcement(db, actor=actor, enforcement_id=enforcement_id)
    row, _ = documents.generate(db, actor=actor, owner=enf, kind=documents.kind_of(kind))
    flash(request, f"已出具：{row.number}。")
    return RedirectResponse(f"/coercion/enforcements/{enf.id}", status_code=303)


@router.get("/coercion/enforcements/{enforcement_id}/documents/{kind}")
def enforcement_download(
    enforcement_id: LongId, kind: Kind, actor: Actor = VIEW, db: Session = Depends(get_db)
) -> Response:
    """Download a document of the enforcement (audited)."""
    enf = get_enforcement(db, actor=actor, enforcement_id=enforcement_id)
    which = documents.kind_of(kind)
    _, data = documents.download(db, actor=actor, owner=enf, kind=which)
    return _docx(documents.filename(enf, which), data)


# --- one measure ----------------------------------------------------------------------------


def _documents(
    db: Session, actor: Actor, owner: CoerciveMeasure | CoerciveEnforcement
) -> list[tuple[str, str, str, object]]:
    """(kind, title, base url, generated row or None) of each document the state allows."""
    rows = documents.documents_of(db, owner)
    base = (
        f"/coercion/{owner.id}/documents"
        if isinstance(owner, CoerciveMeasure)
        else f"/coercion/enforcements/{owner.id}/documents"
    )
    return [
        (k.value, documents.title(k, owner), base, rows.get(k.value))
        for k in documents.available(owner)
    ]


def _measure_page(
    request: Request,
    db: Session,
    actor: Actor,
    measure: CoerciveMeasure,
    *,
    status_code: int = 200,
) -> Response:
    today = local_today()
    rows = pauses(db, measure)
    try:
        deadlines = measure_deadlines(db, measure, today, rows)
        row = queries.row_of(db, measure, today, rows)
        unknown_year = None
    except UnknownCalendarYear as missing:
        deadlines, row, unknown_year = [], queries.MeasureRow(measure, None, False), missing.year
    handle = may_handle(actor, measure)
    shown = [MEASURE_STEPS[a] for a in steps.next_actions(measure)] if handle else []
    return render(
        request,
        "cases/coercion/measure.html",
        {
            "m": measure,
            "kind_label": MeasureKind(measure.kind).label,
            "state": row.state,
            "expired": row.expired,
            "deadlines": deadlines,
            "unknown_year": unknown_year,
            "items": service.items_of(db, measure),
            "officers": service.officers_of(db, measure),
            "pauses": rows,
            "timeline": service.steps_of(db, measure),
            "steps": shown,
            "documents": _documents(db, actor, measure),
            "may_handle": handle,
            "today": today,
        },
        status_code=status_code,
    )


@router.get("/coercion/{measure_id}", response_class=HTMLResponse)
def measure_page(
    request: Request, measure_id: LongId, actor: Actor = VIEW, db: Session = Depends(get_db)
) -> Response:
    """One measure: its clock (days left, or 立即解除), property list, steps and documents."""
    measure = get_measure(db, actor=actor, measure_id=measure_id)
    return _measure_page(request, db, actor, measure)


@router.post("/coercion/{measure_id}/act/{action}", response_class=HTMLResponse)
def measure_act(
    request: Request,
    measure_id: LongId,
    action: Action,
    fields: FormData = Depends(form_fields),
    actor: Actor = VIEW,
    db: Session = Depends(get_db),
) -> Response:
    """Take a step of the measure; the page again with the error beside its field."""
    measure = get_measure(db, actor=actor, measure_id=measure_id)
    step = step_forms.step_of(MEASURE_STEPS, action)
    typed = _typed(fields)
    try:
        with db.begin_nested():
            warnings = step_forms.run_measure_step(db, actor, measure, action, typed)
    except (InvalidInput, RuleViolation, Conflict) as exc:
        code = 409 if isinstance(exc, Conflict) else 422
        db.refresh(measure)
        _refused(request, fields, exc)
        return _measure_page(request, db, actor, measure, status_code=code)
    flash(request, f"已办理：{step.title}。")
    for w in warnings:
        flash(request, f"{w.rule_id}「{w.title}」：{w.detail}", "warn")
    return RedirectResponse(f"/coercion/{measure.id}", status_code=303)


@router.post("/coercion/{measure_id}/documents/{kind}")
def measure_generate(
    request: Request,
    measure_id: LongId,
    kind: Kind,
    actor: Actor = VIEW,
    db: Session = Depends(get_db),
) -> Response:
    """Issue (or regenerate) a document of the measure."""
    measure = get_measure(db, actor=actor, measure_id=measure_id)
    row, _ = documents.generate(db, actor=actor, owner=measure, kind=documents.kind_of(kind))
    flash(request, f"已出具：{row.number}。")
    return RedirectResponse(f"/coercion/{measure.id}", status_code=303)


@router.get("/coercion/{measure_id}/documents/{kind}")
def measure_download(
    measure_id: LongId, kind: Kind, actor: Actor = VIEW, db: Session = Depends(get_db)
) -> Response:
    """Download a document of the measure (audited)."""
    measure = get_measure(db, actor=actor, measure_id=measure_id)
    which = documents.kind_of(kind)
    _, data = documents.download(db, actor=actor, owner=measure, kind=which)
    return _docx(documents.filename(measure, which), data)
