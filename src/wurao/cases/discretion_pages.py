"""The case page's two discretion forms: the choice on the leniency lists (D17) and the
circumstance and reason that hold a fine to the benchmark (D24) — recorded before the decision.

The forms sit in the case page's 裁量与清单 panel (``cases/_discretion.html``, its context from
``discretion.leniency.case_panel``); a refusal brings the case page back (422) with the error
beside its field and what was typed (web/form_state.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.cases import decision
from wurao.cases.access import get_case
from wurao.discretion.page_forms import CaseDiscretionForm, CaseLeniencyForm
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.params import LongId
from wurao.web.templating import flash

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


@router.post("/cases/{case_id}/leniency", response_class=HTMLResponse)
def record_leniency(
    request: Request,
    case_id: LongId,
    form: Annotated[CaseLeniencyForm, Form()],
    actor: Actor = Depends(require(Permission.CASES_HANDLE)),
    db: Session = Depends(get_db),
) -> Response:
    """The officer's choice on the leniency lists (D17) and its reason."""
    case = get_case(db, actor=actor, case_id=case_id)
    decision.record_leniency(db, actor=actor, case=case, choice=form.choice, reason=form.reason)
    flash(request, "已记录清单适用情况。")
    return RedirectResponse(f"/cases/{case.id}#discretion", status_code=303)


@router.post("/cases/{case_id}/discretion", response_class=HTMLResponse)
def record_discretion(
    request: Request,
    case_id: LongId,
    form: Annotated[CaseDiscretionForm, Form()],
    actor: Actor = Depends(require(Permission.CASES_HANDLE)),
    db: Session = Depends(get_db),
) -> Response:
    """The circumstance that picks the benchmark row and the reason for a fine outside it (D24)."""
    case = get_case(db, actor=actor, case_id=case_id)
    decision.record_discretion(
        db,
        actor=actor,
        case=case,
        circumstance=form.circumstance,
        violation_code=form.violation_code,
        reason=form.discretion_reason,
    )
    flash(request, "已记录裁量情节。")
    return RedirectResponse(f"/cases/{case.id}#discretion", status_code=303)
