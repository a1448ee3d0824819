"""Inspections: record pages (the officer's phone page, the 笔录 download), the enterprise's
"我的检查", the public evaluation form and the subject's evaluation summary."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput
from wurao.inspections import (
    delegations,
    documents,
    evaluations,
    record_evidence,
    record_finish,
    records,
)
from wurao.inspections.page_forms import EvaluationForm, EvidenceForm, RecordForm
from wurao.inspections.statuses import TASK_STATUSES
from wurao.registry.items.methods import METHODS
from wurao.web.deps import TxRoute, form_fields, get_db, public, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import form_int
from wurao.web.params import LongId, PageNo
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _labels() -> dict[str, object]:
    return {
        "results_labels": records.RESULTS,
        "outcomes": records.OUTCOMES,
        "methods": METHODS,
        "statuses": TASK_STATUSES,
        "attestation": records.ATTESTATION,
        "misconduct": evaluations.MISCONDUCT,
    }


def _back(task_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/tasks/{task_id}/record{anchor}", status_code=303)


def _checked(form: FormData, name: str) -> bool:
    return form.get(name) in ("1", "on", "true")


def _str(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.get("/tasks/{task_id}/record", response_class=HTMLResponse)
def record_page(
    request: Request,
    task_id: LongId,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The record of a task: the officer's phone page, read-only for everyone else."""
    view = records.record_view(db, actor=actor, task_id=task_id)
    writable = records.may_write(db, actor=actor, task=view.task)
    open_record = view.record is not None and view.record.finished_at is None
    return render(
        request,
        "inspections/record.html",
        {
            "v": view,
            "writable": writable,
            "open_record": open_record,
            "problems": record_finish.finish_problems(db, task=view.task) if open_record else [],
            "delegations": delegations.lines_of(db, task_id=view.task.id),
            **_labels(),
        },
    )


@router.post("/tasks/{task_id}/record/start", response_class=HTMLResponse)
def start_record(
    request: Request,
    task_id: LongId,
    actor: Actor = Depends(require(Permission.RECORDS_WRITE)),
    db: Session = Depends(get_db),
) -> Response:
    """开始检查: record the start time under a valid code."""
    task = records.get_task(db, actor=actor, task_id=task_id)
    records.start_record(db, task=task, actor=actor)
    flash(request, "已开始检查，开始时间已记录。")
    return _back(task_id)


@router.post("/tasks/{task_id}/record", response_class=HTMLResponse)
def save_record(
    request: Request,
    task_id: LongId,
    form: Annotated[RecordForm, Form()],
    lines: FormData = Depends(form_fields),
    actor: Actor = Depends(require(Permission.RECORDS_WRITE)),
    db: Session = Depends(get_db),
) -> Response:
    """Save the phone page: identification shown, the checklist, findings and outcome."""
    task = records.get_task(db, actor=actor, task_id=task_id)
    answers = []
    for key in lines:
        if key.startswith("result_"):
            line_id = form_int(key.removeprefix("result_"), "line_id")
            if line_id is not None and _str(lines, key):
                note = _str(lines, f"note_{line_id}")
                answers.append(records.LineResult(line_id, _str(lines, key), note))
    onsite = task.method == "onsite"
    data = records.RecordFields(
        location=form.location if onsite else None,
        present_person=form.present_person if onsite else None,
        ids_shown=form.ids_shown if onsite else None,
        data_source=None if onsite else form.data_source,
        findings=form.findings,
        outcome=form.outcome,
        rectify_deadline=form.rectify_deadline,
    )
    record_finish.save_record(db, task=task, actor=actor, data=data, results=answers)
    flash(request, "已保存。")
    return _back(task_id, "#finish")


@router.post("/tasks/{task_id}/record/evidence", response_class=HTMLResponse)
def add_evidence(
    request: Request,
    task_id: LongId,
    form: Annotated[EvidenceForm, Form()],
    file: UploadFile | None = File(None),
    actor: Actor = Depends(require(Permission.RECORDS_WRITE)),
    db: Session = Depends(get_db),
) -> Response:
    """Upload a photo or document, or reference an external recording by its SHA-256."""
    task = records.get_task(db, actor=actor, task_id=task_id)
    if file is not None and file.filename:
        ev = record_evidence.add_evidence_file(
            db, task=task, actor=actor, filename=file.filename, stream=file.file
        )
    elif form.sha256 or form.uri:
        ev = record_evidence.add_evidence_external(
            db, task=task, actor=actor, filename=form.filename, sha256=form.sha256, uri=form.uri
        )
    else:
        raise InvalidInput("请选择文件，或填写外部音视频的 SHA-256 和存放位置。", field="file")
    flash(request, f"已登记证据 {ev.filename}（SHA-256 {ev.sha256[:12]}…）。")
    return _back(task_id, "#evidence")


@router.post("/tasks/{task_id}/record/finish", response_class=HTMLResponse)
def finish_record(
    request: Request,
    task_id: LongId,
    form: FormData = Depends(form_fields),
    actor: Actor = Depends(require(Permission.RECORDS_WRITE)),
    db: Session = Depends(get_db),
) -> Response:
    """完成检查: every attestation line ticked, then B2/B3/B5 are checked by the service."""
    task = records.get_task(db, actor=actor, task_id=task_id)
    attest = all(_checked(form, f"attest_{i}") for i in range(len(records.ATTESTATION)))
    record_finish.finish_record(db, task=task, actor=actor, attest=attest)
    flash(request, "检查已完成，行政行为码已核销；企业可在“我的检查”中评价本次检查。")
    return _back(task_id)


@router.get("/tasks/{task_id}/record.docx")
def record_document(
    task_id: LongId,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The 现场检查笔录 as .docx."""
    view = records.record_view(db, actor=actor, task_id=task_id)
    name = quote(documents.filename_of(view))
    return Response(
        documents.record_docx(view),
        media_type=DOCX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


# ---------------------------------------------------------------------------------------
# The enterprise
# ---------------------------------------------------------------------------------------


def _enterprise_page(
    request: Request, db: Session, actor: Actor, page: int, revealed: dict[int, str]
) -> Response:
    found = evaluations.enterprise_inspections(db, actor=actor, page=page)
    return render(
        request,
        "inspections/enterprise_inspections.html",
        {
            **found.context(),
            "revealed": revealed,
            **_labels(),
        },
    )


@router.get("/enterprise/inspections", response_class=HTMLResponse)
def enterprise_inspections(
    request: Request,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.ENTERPRISE_PORTAL)),
    db: Session = Depends(get_db),
) -> Response:
    """我的检查: every inspection of the enterprise, who came, under which code."""
    return _enterprise_page(request, db, actor, page, {})


@router.post("/enterprise/inspections/{task_id}/evaluation-link", response_class=HTMLResponse)
def evaluation_link(
    request: Request,
    task_id: LongId,
    actor: Actor = Depends(require(Permission.ENTERPRISE_PORTAL)),
    db: Session = Depends(get_db),
) -> Response:
    """Show the enterprise a fresh one-time evaluation link (earlier links stop working)."""
    token = evaluations.reissue_link_token(db, actor=actor, task_id=task_id)
    url = str(request.base_url).rstrip("/") + f"/evaluate/{token}"
    return _enterprise_page(request, db, actor, 1, {task_id: url})


# ---------------------------------------------------------------------------------------
# The public evaluation form and the subject's summary
# ---------------------------------------------------------------------------------------


@router.get("/evaluate/{token}", response_class=HTMLResponse)
def evaluate_page(
    request: Request,
    token: str,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """The evaluation form; the token in the link is the credential."""
    ctx = evaluations.evaluation_context(db, token=token)
    return render(request, "inspections/evaluate.html", {"c": ctx, "token": token, **_labels()})


@router.post("/evaluate/{token}", response_class=HTMLResponse)
def submit_evaluation(
    request: Request,
    token: str,
    form: Annotated[EvaluationForm, Form()],
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Accept the evaluation once; a refusal brings the form back as it was filled in."""
    if form.rating is None:
        raise InvalidInput("请选择评分。", field="rating")
    evaluations.submit_evaluation(
        db, token=token, rating=form.rating, comment=form.comment,
        misconduct=form.misconduct, confirm_no_code=form.confirm_no_code,
    )  # fmt: skip
    return render(request, "inspections/evaluate_done.html", {})


@router.get("/inspections/evaluation-summary", response_class=HTMLResponse)
def evaluation_summary(
    request: Request,
    subject_id: str = "",
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The subject's evaluations in aggregate (shown from five evaluations on)."""
    summary = evaluations.subject_summary(
        db, actor=actor, subject_id=form_int(subject_id, "subject_id")
    )
    return render(
        request,
        "inspections/evaluate_summary.html",
        {"s": summary, "minimum": summary.minimum, **_labels()},
    )
