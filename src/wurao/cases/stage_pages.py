"""One form per step of a case, each calling the one service function of its step.

``GET /cases/{id}/act/{action}`` shows the step's form under what the law requires of it;
``POST`` parses the form (``cases.stage_forms``), calls the service and goes back to the case
page, where the warnings the service returned (D2, D3, D13 …) are flashed with their rule.
A refused input or rule brings the same form back with what was typed: the service ran inside
a savepoint, so nothing it wrote before refusing survives the request's commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, File, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.cases import decision, execution, stage_forms
from wurao.cases.access import get_case
from wurao.cases.models import PenaltyCase
from wurao.cases.rules import yuan
from wurao.cases.service import party_label
from wurao.cases.stage_forms import Raw, StepForm, yuan_input
from wurao.cases.statuses import CASE_LIFECYCLE, PaymentChannel, kinds_label, kinds_of
from wurao.core.errors import Conflict, InvalidInput, RuleViolation, Violation
from wurao.core.time import local_today
from wurao.web.deps import TxRoute, form_fields, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.form_state import FORM_ERROR, STATE_KEY, FormState
from wurao.web.params import LongId
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)

ACT = "/cases/{case_id}/act/{action}"
Action = Annotated[str, Path(max_length=40, pattern=r"^[a-z_]+$", description="办案操作")]
# Who may take a step is the service's check (check_handle / check_review, by subject); the
# route needs only that the caller reads cases, so that the reviewer reaches its two steps.
VIEW = Depends(require(Permission.CASES_VIEW))
# The forms whose decision-maker reads the case so far above the form.
SHOW_CASE = frozenset({"decide", "decide_no_penalty", "review_pass", "review_return", "discuss"})


def defaults(case: PenaltyCase, form: StepForm, today: dt.date) -> dict[str, str | list[str]]:
    """The values a fresh form starts with: today's date, the proposal so far, the fine due."""
    out: dict[str, str | list[str]] = {}
    for f in form.fields:
        if f.kind == "date" and f.required:
            out[f.name] = today.isoformat()
    if form.action == "decide":
        out["kinds"] = sorted(kinds_of(case.notice_kinds))
        out["fine"] = yuan_input(case.notice_fine_fen) if case.notice_fine_fen else ""
        if case.notice_confiscation_fen:
            out["confiscation"] = yuan_input(case.notice_confiscation_fen)
    if form.action in ("decide", "decide_no_penalty", "decide_on_spot"):
        out["remedy"] = decision.REMEDY_HINT
    if form.action == "pay":
        out["amount"] = yuan_input(case.fine_fen + execution.late_surcharge_fen(case, today))
        out["channel"] = PaymentChannel.BANK.value
    return out


def raw_values(form: StepForm, raw: Raw) -> dict[str, str | list[str]]:
    """What was typed, to fill the form again after an error (never a file)."""
    out: dict[str, str | list[str]] = {}
    for f in form.fields:
        got = raw.get(f.name, "")
        if f.kind == "kinds":
            out[f.name] = got if isinstance(got, list) else [got]
        elif f.kind != "file":
            out[f.name] = got if isinstance(got, str) else (got[0] if got else "")
    return out


def case_so_far(case: PenaltyCase) -> list[tuple[str, str]]:
    """The facts, the notice and the party's answer as the decision-maker reads them."""
    rows = [
        ("违法事实", case.facts),
        ("违反的规定", case.provisions_breached or "—"),
        ("处罚依据", case.provisions_applied or "—"),
    ]
    if case.notice_served_on is not None:
        proposed = kinds_label(case.notice_kinds) or "—"
        amounts = [f"罚款{yuan(case.notice_fine_fen)}"] if case.notice_fine_fen else []
        if case.notice_confiscation_fen:
            amounts.append(f"没收{yuan(case.notice_confiscation_fen)}")
        proposed += f"（{'，'.join(amounts)}）" if amounts else ""
        rows.append(("告知书", f"{case.notice_served_on.isoformat()}送达，拟{proposed}"))
        if case.defence_waived:
            rows.append(("陈述申辩", "当事人明确放弃"))
        elif case.defence_recorded_on is not None:
            rows.append(
                ("陈述申辩", f"{case.defence_recorded_on.isoformat()}：{case.defence_note}")
            )
    if case.hearing_held_on is not None:
        rows.append(("听证", f"{case.hearing_held_on.isoformat()}：{case.hearing_record}"))
    if case.reviewed_on is not None:
        verdict = "通过" if case.review_passed else "退回"
        rows.append(("法制审核", f"{case.reviewed_on.isoformat()}{verdict}：{case.review_opinion}"))
    if case.discussed_on is not None:
        rows.append(("集体讨论", f"{case.discussed_on.isoformat()}：{case.discussion_minutes}"))
    return rows


def _typed(f: stage_forms.Field, value: str | list[str]) -> tuple[str, ...]:
    """A step field's value as the form state holds it (an unticked box holds nothing)."""
    if isinstance(value, list):
        return tuple(value)
    if f.kind == "check":
        return ("1",) if value in ("1", "on", "true") else ()
    return (value,)


def _violation(v: Violation) -> dict[str, str]:
    return {"rule_id": v.rule_id, "title": v.title, "detail": v.detail, "source": v.source}


def _render(
    request: Request,
    db: Session,
    case: PenaltyCase,
    form: StepForm,
    values: dict[str, str | list[str]],
    *,
    error: InvalidInput | Conflict | None = None,
    violations: list[Violation] | None = None,
    status_code: int = 200,
) -> Response:
    names = {f.name for f in form.fields}
    field = getattr(error, "field", None)
    errors = {field: error.message} if error is not None and field in names else {}
    if error is not None and not errors:
        errors = {FORM_ERROR: error.message}
    # The step's values (defaults, or what was typed) as the shared form state the ``field``
    # macro reads (web/form_state.py); after a refusal it is also the page's error summary.
    state = FormState(
        action=request.url.path,
        typed={f.name: _typed(f, values.get(f.name, "")) for f in form.fields},
        errors=errors,
        message=error.message if error is not None else "未能办理：不符合下列规则。",
        violations=tuple(_violation(v) for v in violations or ()),
    )
    if status_code != 200:
        request.scope[STATE_KEY] = state
    return render(
        request,
        "cases/act.html",
        {
            "case": case,
            "step": form,
            "party": party_label(case),
            "status_label": CASE_LIFECYCLE.label(case.status),
            "st": state,
            "choices": stage_forms.choices(db, case, form),
            "so_far": case_so_far(case) if form.action in SHOW_CASE else [],
        },
        status_code=status_code,
    )


@router.get(ACT, response_class=HTMLResponse)
def act_page(
    request: Request,
    case_id: LongId,
    action: Action,
    actor: Actor = VIEW,
    db: Session = Depends(get_db),
) -> Response:
    """The form of one step, under the rules that guard it (409 when the stage forbids it)."""
    form = stage_forms.form_of(action)
    case = get_case(db, actor=actor, case_id=case_id)
    stage_forms.check_may_act(db, actor, case, form)
    return _render(request, db, case, form, defaults(case, form, local_today()))


@router.post(ACT, response_class=HTMLResponse)
def act(
    request: Request,
    case_id: LongId,
    action: Action,
    fields: FormData = Depends(form_fields),
    file: UploadFile | None = File(None),
    actor: Actor = VIEW,
    db: Session = Depends(get_db),
) -> Response:
    """Take the step; its form again with the error, the failed rules or the refusal."""
    form = stage_forms.form_of(action)
    case = get_case(db, actor=actor, case_id=case_id)
    stage_forms.check_may_act(db, actor, case, form)
    raw: dict[str, str | list[str]] = {
        k: [str(x) for x in fields.getlist(k)] if k == "kinds" else str(fields.get(k, ""))
        for k in fields
    }
    typed = raw_values(form, raw)
    try:
        with db.begin_nested():
            values = stage_forms.parse(form, raw)
            values["file"] = (file.filename, file.file) if file and file.filename else None
            warnings = form.run(db, actor, case, values)
    except InvalidInput as exc:
        return _render(request, db, case, form, typed, error=exc, status_code=422)
    except RuleViolation as exc:
        violations = list(exc.violations)
        return _render(request, db, case, form, typed, violations=violations, status_code=422)
    except Conflict as exc:
        return _render(request, db, case, form, typed, error=exc, status_code=409)
    flash(request, f"已办理：{form.title}。")
    for w in warnings:
        flash(request, f"{w.rule_id}「{w.title}」：{w.detail}", "warn")
    return RedirectResponse(f"/cases/{case.id}", status_code=303)
