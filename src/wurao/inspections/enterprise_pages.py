"""The enterprise's one-stop view (企业端, phone first; docs/enterprise.md): 检查预告 and date
requests, the history, rectification proof, evaluations explained, guidance requests, its QR."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core import audit, evidence_store
from wurao.core.errors import InvalidInput, NotFound
from wurao.inspections import documents
from wurao.inspections import enterprise_rectification as rect
from wurao.inspections import enterprise_service as svc
from wurao.inspections import enterprise_visits as visits
from wurao.inspections.enterprise_forms import DateRequestForm, GuidanceForm, ProofForm
from wurao.inspections.pages import qr_svg
from wurao.inspections.record_pages import DOCX
from wurao.inspections.records import OUTCOMES
from wurao.inspections.statuses import TASK_STATUSES
from wurao.registry.items.methods import METHODS
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.params import LongId, PageNo
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
PORTAL = require(Permission.ENTERPRISE_PORTAL)


def _labels() -> dict[str, object]:
    return {
        "methods": METHODS,
        "statuses": TASK_STATUSES,
        "outcomes": OUTCOMES,
        "date_states": svc.DateRequestStatus.labels(),
        "proof_states": rect.ProofStatus.labels(),
        "guidance_states": visits.GuidanceStatus.labels(),
        "visit_kinds": visits.VisitKind.labels(),
    }


@router.get("/enterprise", response_class=HTMLResponse)
def portal(
    request: Request, actor: Actor = Depends(PORTAL), db: Session = Depends(get_db)
) -> Response:
    """企业服务: the coming inspections, open orders and the links to everything else."""
    enterprise = svc.enterprise_of(db, actor)
    coming = svc.announcements(db, actor=actor)
    orders = rect.enterprise_orders(db, actor=actor)
    open_orders = [o for o in orders.items if o.state is not rect.OrderState.DONE]
    return render(
        request,
        "enterprise/portal.html",
        {"enterprise": enterprise, "coming": coming, "open_orders": open_orders, **_labels()},
    )


# --- 检查预告 -----------------------------------------------------------------------------


@router.get("/enterprise/notices", response_class=HTMLResponse)
def notices(
    request: Request, actor: Actor = Depends(PORTAL), db: Session = Depends(get_db)
) -> Response:
    """检查预告: every coming inspection whose code has been issued."""
    coming = svc.announcements(db, actor=actor)
    return render(request, "enterprise/notices.html", {"coming": coming, **_labels()})


@router.get("/enterprise/notices/{task_id}", response_class=HTMLResponse)
def notice(
    request: Request, task_id: LongId, actor: Actor = Depends(PORTAL), db: Session = Depends(get_db)
) -> Response:
    """One coming inspection: who comes, what to prepare, the window, the date request."""
    card = svc.announcement(db, actor=actor, task_id=task_id)
    return render(request, "enterprise/notice.html", {"c": card, **_labels()})


@router.post("/enterprise/notices/{task_id}/date-request", response_class=HTMLResponse)
def date_request(
    request: Request,
    task_id: LongId,
    form: Annotated[DateRequestForm, Form()],
    actor: Actor = Depends(PORTAL),
    db: Session = Depends(get_db),
) -> Response:
    """Ask the lead subject to hold the inspection on another day within the window."""
    if form.wanted_on is None:
        raise InvalidInput("请选择希望的检查日期。", field="wanted_on")
    svc.request_date(db, actor=actor, task_id=task_id, wanted_on=form.wanted_on, reason=form.reason)
    flash(request, "改期申请已提交，执法主体答复后将在本页显示。")
    return RedirectResponse(f"/enterprise/notices/{task_id}", status_code=303)


# --- history ------------------------------------------------------------------------------


@router.get("/enterprise/history", response_class=HTMLResponse)
def history(
    request: Request,
    page: PageNo = 1,
    actor: Actor = Depends(PORTAL),
    db: Session = Depends(get_db),
) -> Response:
    """Every inspection by every subject, its result and the documents to download."""
    found = svc.history(db, actor=actor, page=page)
    return render(request, "enterprise/history.html", {**found.context(), **_labels()})


@router.get("/enterprise/history/{task_id}/record.docx")
def record_document(
    task_id: LongId, actor: Actor = Depends(PORTAL), db: Session = Depends(get_db)
) -> Response:
    """The finished 检查笔录 of one of the enterprise's inspections, as .docx."""
    view = svc.finished_record(db, actor=actor, task_id=task_id)
    name = quote(documents.filename_of(view))
    return Response(
        documents.record_docx(view),
        media_type=DOCX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


# --- rectification orders -----------------------------------------------------------------


@router.get("/enterprise/rectifications", response_class=HTMLResponse)
def orders(
    request: Request,
    page: PageNo = 1,
    actor: Actor = Depends(PORTAL),
    db: Session = Depends(get_db),
) -> Response:
    """The enterprise's 责令整改 orders, their deadline and state."""
    found = rect.enterprise_orders(db, actor=actor, page=page)
    return render(request, "enterprise/orders.html", {**found.context(), **_labels()})


@router.get("/enterprise/rectifications/{record_id}", response_class=HTMLResponse)
def order(
    request: Request,
    record_id: LongId,
    actor: Actor = Depends(PORTAL),
    db: Session = Depends(get_db),
) -> Response:
    """One order: the findings, the deadline, the proofs and the subject's answers."""
    order = rect.enterprise_order(db, actor=actor, record_id=record_id)
    context = {"o": order, "side": "enterprise", **_labels()}
    return render(request, "enterprise/order.html", context)


@router.post("/enterprise/rectifications/{record_id}/proofs", response_class=HTMLResponse)
def upload(
    request: Request,
    record_id: LongId,
    form: Annotated[ProofForm, Form()],
    file: UploadFile | None = File(None),
    actor: Actor = Depends(PORTAL),
    db: Session = Depends(get_db),
) -> Response:
    """Upload proof of rectification (kept by its SHA-256)."""
    if file is None or not file.filename:
        raise InvalidInput("请选择整改材料文件（照片、扫描件或文档）。", field="file")
    rect.upload_proof(
        db, actor=actor, record_id=record_id, filename=file.filename, stream=file.file,
        note=form.note,
    )  # fmt: skip
    flash(request, "整改材料已提交，等待执法主体审核。")
    return RedirectResponse(f"/enterprise/rectifications/{record_id}", status_code=303)


@router.get("/enterprise/proofs/{proof_id}")
def download_own(
    proof_id: LongId, actor: Actor = Depends(PORTAL), db: Session = Depends(get_db)
) -> Response:
    """A proof file the enterprise uploaded."""
    return proof_file(db, actor, proof_id)


def proof_file(db: Session, actor: Actor, proof_id: int) -> Response:
    """The stored file of a proof the actor may read (the download is audited)."""
    proof = rect.proof_for_download(db, actor=actor, proof_id=proof_id)
    path = evidence_store.path_of(proof.sha256)
    if not path.exists():
        raise NotFound("文件已不在存储中，请联系系统管理员。")
    audit.record(
        db, actor=actor, action="rectification_proof.download", obj=proof,
        after=audit.snapshot(proof), summary=f"下载整改材料：{proof.filename}",
    )  # fmt: skip
    disposition = f"attachment; filename*=UTF-8''{quote(proof.filename)}"
    return Response(
        path.read_bytes(),
        media_type="application/octet-stream",
        headers={"Content-Disposition": disposition},
    )


# --- evaluations, guidance, the QR --------------------------------------------------------


@router.get("/enterprise/evaluations", response_class=HTMLResponse)
def evaluations_explained(request: Request, actor: Actor = Depends(PORTAL)) -> Response:
    """How the enterprise's evaluations stay anonymous to the inspected subject."""
    return render(request, "enterprise/evaluations.html", {})


@router.get("/enterprise/guidance", response_class=HTMLResponse)
def guidance(
    request: Request, actor: Actor = Depends(PORTAL), db: Session = Depends(get_db)
) -> Response:
    """邀约式指导: the enterprise's requests and the form for a new one."""
    context = {
        "requests": visits.enterprise_guidance(db, actor=actor),
        "subjects": visits.guidance_subjects(db, actor=actor),
        **_labels(),
    }
    return render(request, "enterprise/guidance.html", context)


@router.post("/enterprise/guidance", response_class=HTMLResponse)
def ask_guidance(
    request: Request,
    form: Annotated[GuidanceForm, Form()],
    actor: Actor = Depends(PORTAL),
    db: Session = Depends(get_db),
) -> Response:
    """Invite a subject for compliance guidance (not an inspection; never a penalty)."""
    if form.subject_id is None:
        raise InvalidInput("请选择执法单位。", field="subject_id")
    visits.request_guidance(
        db, actor=actor, subject_id=form.subject_id, topic=form.topic,
        preferred_on=form.preferred_on,
    )  # fmt: skip
    flash(request, "指导申请已提交。")
    return RedirectResponse("/enterprise/guidance", status_code=303)


@router.get("/enterprise/qr", response_class=HTMLResponse)
def qr_page(
    request: Request,
    page: PageNo = 1,
    actor: Actor = Depends(PORTAL),
    db: Session = Depends(get_db),
) -> Response:
    """The enterprise's own QR (print it for the door) and every scan of it, live."""
    enterprise = svc.enterprise_of(db, actor)
    token = visits.qr_token(db, actor=actor)
    url = str(request.base_url).rstrip("/") + f"/q/{token}"
    found = visits.enterprise_visits(db, actor=actor, page=page)
    context = {"enterprise": enterprise, "url": url, "qr": qr_svg(url, 4), **found.context()}
    return render(request, "enterprise/qr.html", {**context, **_labels()})
