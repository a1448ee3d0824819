"""The subject's side of the enterprise's requests (docs/enterprise.md): date requests,
rectification proof, guidance requests; the officer's scan of an enterprise's QR; the
supervisor's visit figures; the one-time activation link of an enterprise account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput
from wurao.inspections import enterprise_accounts as accounts
from wurao.inspections import enterprise_rectification as rect
from wurao.inspections import enterprise_service as svc
from wurao.inspections import enterprise_visits as visits
from wurao.inspections.enterprise_forms import (
    ActivateForm,
    AnswerForm,
    GuidanceAnswerForm,
    VisitForm,
)
from wurao.inspections.enterprise_pages import proof_file
from wurao.inspections.records import OUTCOMES
from wurao.web.deps import TxRoute, get_db, public, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.params import Id, LongId, PageNo, Text
from wurao.web.security import PERMISSIONS_POLICY
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
AGENCY = require(Permission.TASKS_MANAGE)
SCAN_PERMISSIONS = PERMISSIONS_POLICY.replace("geolocation=()", "geolocation=(self)")


def _labels() -> dict[str, object]:
    return {
        "outcomes": OUTCOMES,
        "date_states": svc.DateRequestStatus.labels(),
        "proof_states": rect.ProofStatus.labels(),
        "guidance_states": visits.GuidanceStatus.labels(),
        "visit_kinds": visits.VisitKind.labels(),
    }


def _yes(decision: str) -> bool:
    if decision not in ("accept", "decline"):
        raise InvalidInput("请选择同意或不同意。", field="decision")
    return decision == "accept"


# --- date requests ------------------------------------------------------------------------


@router.get("/inspections/date-requests", response_class=HTMLResponse)
def date_requests(
    request: Request,
    status: str = "pending",
    page: PageNo = 1,
    actor: Actor = Depends(AGENCY),
    db: Session = Depends(get_db),
) -> Response:
    """Enterprises' requests to move a coming inspection (pending first by default)."""
    found = svc.date_requests_to_answer(db, actor=actor, status=status, page=page)
    context = {**found.context(), "status": status, **_labels()}
    return render(request, "enterprise/date_requests.html", context)


@router.post("/inspections/date-requests/{request_id}", response_class=HTMLResponse)
def answer_date_request(
    request: Request,
    request_id: LongId,
    form: Annotated[AnswerForm, Form()],
    actor: Actor = Depends(AGENCY),
    db: Session = Depends(get_db),
) -> Response:
    """Accept (the planned day moves within the window) or decline with a reason."""
    req = svc.answer_date_request(
        db, actor=actor, request_id=request_id, accept=_yes(form.decision), answer=form.answer
    )
    flash(request, f"已答复：{svc.DATE_REQUESTS.label(req.status)}。")
    return RedirectResponse("/inspections/date-requests", status_code=303)


# --- rectification orders -----------------------------------------------------------------


@router.get("/inspections/rectification-orders", response_class=HTMLResponse)
def orders(
    request: Request,
    page: PageNo = 1,
    actor: Actor = Depends(AGENCY),
    db: Session = Depends(get_db),
) -> Response:
    """The subject's 责令整改 orders, their deadline and state."""
    found = rect.subject_orders(db, actor=actor, page=page)
    return render(request, "enterprise/agency_orders.html", {**found.context(), **_labels()})


@router.get("/inspections/rectification-orders/{record_id}", response_class=HTMLResponse)
def order(
    request: Request,
    record_id: LongId,
    actor: Actor = Depends(AGENCY),
    db: Session = Depends(get_db),
) -> Response:
    """One order with the enterprise's proofs, to accept or return."""
    found = rect.subject_order(db, actor=actor, record_id=record_id)
    context = {"o": found, "side": "agency", **_labels()}
    return render(request, "enterprise/order.html", context)


@router.post("/inspections/proofs/{proof_id}", response_class=HTMLResponse)
def answer_proof(
    request: Request,
    proof_id: LongId,
    form: Annotated[AnswerForm, Form()],
    actor: Actor = Depends(AGENCY),
    db: Session = Depends(get_db),
) -> Response:
    """Accept the proof (the order is rectified) or return it with a reason."""
    proof = rect.answer_proof(
        db, actor=actor, proof_id=proof_id, accept=_yes(form.decision), answer=form.answer
    )
    flash(request, f"整改材料{rect.PROOFS.label(proof.status)}。")
    return RedirectResponse(f"/inspections/rectification-orders/{proof.record_id}", status_code=303)


@router.get("/inspections/proofs/{proof_id}")
def download(
    proof_id: LongId, actor: Actor = Depends(AGENCY), db: Session = Depends(get_db)
) -> Response:
    """A proof file of one of the subject's orders."""
    return proof_file(db, actor, proof_id)


# --- guidance requests --------------------------------------------------------------------


@router.get("/inspections/guidance-requests", response_class=HTMLResponse)
def guidance_requests(
    request: Request,
    page: PageNo = 1,
    actor: Actor = Depends(AGENCY),
    db: Session = Depends(get_db),
) -> Response:
    """邀约式指导 requests made to the subject, pending first."""
    found = visits.subject_guidance(db, actor=actor, page=page)
    return render(request, "enterprise/agency_guidance.html", {**found.context(), **_labels()})


@router.post("/inspections/guidance-requests/{request_id}", response_class=HTMLResponse)
def answer_guidance(
    request: Request,
    request_id: LongId,
    form: Annotated[GuidanceAnswerForm, Form()],
    actor: Actor = Depends(AGENCY),
    db: Session = Depends(get_db),
) -> Response:
    """Agree a day for the guidance visit, or decline with a reason."""
    visits.answer_guidance(
        db, actor=actor, request_id=request_id, agree=_yes(form.decision), answer=form.answer,
        agreed_on=form.agreed_on,
    )  # fmt: skip
    flash(request, "已答复指导申请。")
    return RedirectResponse("/inspections/guidance-requests", status_code=303)


# --- the officer scans the enterprise's QR ------------------------------------------------


@router.get("/q/{token}", response_class=HTMLResponse)
def scan(
    request: Request,
    token: Annotated[str, Text(1000, "企业二维码")],
    actor: Actor = Depends(AGENCY),
    db: Session = Depends(get_db),
) -> Response:
    """An officer scanned the enterprise's QR: record why they came."""
    enterprise = visits.enterprise_from_qr(db, token)
    choices = visits.scan_choices(db, actor=actor, enterprise=enterprise)
    page = render(request, "enterprise/scan.html", {"c": choices, "token": token, **_labels()})
    # The one page that may ask for the phone's position (optional, the officer's choice).
    page.headers["permissions-policy"] = SCAN_PERMISSIONS
    return page


@router.post("/q/{token}", response_class=HTMLResponse)
def record_scan(
    request: Request,
    token: Annotated[str, Text(1000, "企业二维码")],
    form: Annotated[VisitForm, Form()],
    actor: Actor = Depends(AGENCY),
    db: Session = Depends(get_db),
) -> Response:
    """Record the arrival (time; the place if the phone shared it)."""
    enterprise = visits.enterprise_from_qr(db, token)
    lat, lon, acc = form.latitude, form.longitude, form.accuracy
    position = (lat, lon, int(acc) if acc is not None else None) if lat and lon else None
    visits.record_visit(
        db, actor=actor, enterprise=enterprise, kind=form.kind, task_id=form.task_id,
        guidance_id=form.guidance_id, note=form.note, position=position,
    )  # fmt: skip
    flash(request, f"已登记到访：{enterprise.name}。企业可即时看到本次扫码记录。")
    return RedirectResponse(f"/q/{token}", status_code=303)


@router.get("/inspections/visit-figures", response_class=HTMLResponse)
def visit_figures(
    request: Request,
    actor: Actor = Depends(require(Permission.DASHBOARD_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The supervisor's count of recorded visits by kind (non-enforcement ones included)."""
    counts = visits.visit_figures(db, actor=actor)
    return render(request, "enterprise/visit_figures.html", {"counts": counts, **_labels()})


# --- activation links ---------------------------------------------------------------------


@router.get("/enterprise-accounts/{user_id}/activation", response_class=HTMLResponse)
def activation_form(
    request: Request,
    user_id: Id,
    actor: Actor = Depends(require(Permission.ENTERPRISES_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The button that draws a one-time activation link for an enterprise account."""
    return render(request, "enterprise/activation_new.html", {"user_id": user_id, "link": ""})


@router.post("/enterprise-accounts/{user_id}/activation", response_class=HTMLResponse)
def activation_link(
    request: Request,
    user_id: Id,
    actor: Actor = Depends(require(Permission.ENTERPRISES_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """Draw a fresh link (earlier unused links stop working); it is shown this once."""
    raw = accounts.create_activation_link(db, actor=actor, user_id=user_id)
    link = str(request.base_url).rstrip("/") + f"/public/activate/{raw}"
    return render(request, "enterprise/activation_new.html", {"user_id": user_id, "link": link})


@router.get("/public/activate/{token}", response_class=HTMLResponse)
def activate_form(
    request: Request,
    token: Annotated[str, Text(100, "激活链接")],
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Public: the account's holder chooses a password (the link is the credential)."""
    user = accounts.account_for_link(db, token=token)
    return render(request, "enterprise/activate.html", {"user": user, "token": token})


@router.post("/public/activate/{token}", response_class=HTMLResponse)
def activate(
    request: Request,
    token: Annotated[str, Text(100, "激活链接")],
    form: Annotated[ActivateForm, Form()],
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Set the password once; then sign in as usual."""
    accounts.activate(db, token=token, password=form.password, confirm=form.confirm)
    flash(request, "账号已激活，请用新密码登录。")
    return RedirectResponse("/login", status_code=303)
