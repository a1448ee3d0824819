"""The case page's two discretion forms: the choice on the leniency lists (D17) and the
circumstance and reason that hold a fine to the benchmark (D24) — recorded before the decision.

The forms sit in the case page's 裁量与清单 panel (``cases/_discretion.html``, its context from
``discretion.leniency.case_panel``); a refusal brings the case page back (422) with the error
beside its field and what was typed.
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
from wurao.cases.pages import render_case
from wurao.core.errors import Conflict, InvalidInput
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.params import LongId, Text
from wurao.web.templating import flash

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


@router.post("/cases/{case_id}/leniency", response_class=HTMLResponse)
def record_leniency(
    request: Request,
    case_id: LongId,
    choice: Annotated[str, Form(), Text(16, "是否适用清单")],
    reason: Annotated[str, Form(), Text(2000, "理由")] = "",
    actor: Actor = Depends(require(Permission.CASES_HANDLE)),
    db: Session = Depends(get_db),
) -> Response:
    """The officer's choice on the leniency lists (D17) and its reason."""
    case = get_case(db, actor=actor, case_id=case_id)
    try:
        with db.begin_nested():
            decision.record_leniency(db, actor=actor, case=case, choice=choice, reason=reason)
    except (InvalidInput, Conflict) as exc:
        typed = {"choice": choice, "reason": reason}
        return _refused(request, db, actor, case_id, exc, typed, "choice")
    flash(request, "已记录清单适用情况。")
    return RedirectResponse(f"/cases/{case.id}#discretion", status_code=303)


@router.post("/cases/{case_id}/discretion", response_class=HTMLResponse)
def record_discretion(
    request: Request,
    case_id: LongId,
    circumstance: Annotated[str, Form(), Text(8, "裁量情节")] = "",
    violation_code: Annotated[str, Form(), Text(40, "违法行为编码")] = "",
    discretion_reason: Annotated[str, Form(), Text(2000, "裁量说明")] = "",
    actor: Actor = Depends(require(Permission.CASES_HANDLE)),
    db: Session = Depends(get_db),
) -> Response:
    """The circumstance that picks the benchmark row and the reason for a fine outside it (D24)."""
    case = get_case(db, actor=actor, case_id=case_id)
    try:
        with db.begin_nested():
            decision.record_discretion(
                db,
                actor=actor,
                case=case,
                circumstance=circumstance,
                violation_code=violation_code,
                reason=discretion_reason,
            )
    except (InvalidInput, Conflict) as exc:
        typed = {
            "circumstance": circumstance,
            "violation_code": violation_code,
            "discretion_reason": discretion_reason,
        }
        return _refused(request, db, actor, case_id, exc, typed, "circumstance")
    flash(request, "已记录裁量情节。")
    return RedirectResponse(f"/cases/{case.id}#discretion", status_code=303)


def _refused(
    request: Request,
    db: Session,
    actor: Actor,
    case_id: int,
    exc: InvalidInput | Conflict,
    typed: dict[str, str],
    first: str,
) -> Response:
    """The case page again: the error beside its field (or the form's first) and what was typed."""
    field = getattr(exc, "field", None) or first
    return render_case(
        request, db, actor, case_id, discretion_errors={field: exc.message}, discretion_typed=typed
    )
