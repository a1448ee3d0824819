"""Clue pages: the list (filters in the URL), manual entry, one clue with its history and the
actions open to the viewer, the subject's routed clues, and the reporter's status page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import Forbidden, InvalidInput
from wurao.core.text import NOTE
from wurao.core.time import local_today
from wurao.inspections import task_picker
from wurao.inspections.origin_choices import Choice
from wurao.oversight.clues import import_pages, intake, queries, routing, service
from wurao.oversight.clues.statuses import (
    ACTION_LABELS,
    CLUE_LIFECYCLE,
    MANUAL,
    ClueSource,
    ClueStatus,
)
from wurao.oversight.models import Clue
from wurao.web.deps import TxRoute, get_db, public, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm, form_int
from wurao.web.params import MAX_ID, MAX_LONG_ID, Id, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)
# Before /oversight/clues/{clue_id}/…: "import" is not a clue id.
router.include_router(import_pages.router)
SUPERVISOR_ACTIONS = ("handle", "classify", "route", "supervise", "accept", "return", "close")


class ClueForm(PageForm):
    """登记线索: a clue from a manual channel."""

    source: Annotated[str, Text(20, "来源")] = ""
    description: Annotated[str, Text(4000, "线索内容")] = ""
    enterprise_name: Annotated[str, Text(200, "企业名称")] = ""
    enterprise_uscc: Annotated[str, Text(30, "统一社会信用代码")] = ""
    subject_text: Annotated[str, Text(200, "被反映单位")] = ""
    reporter_name: Annotated[str, Text(50, "反映人")] = ""
    reporter_contact: Annotated[str, Text(100, "联系方式")] = ""
    work_order_no: Annotated[str, Text(60, "文书编号")] = ""
    problem_type: Annotated[str, Text(20, "问题类型")] = ""
    received_on: dt.date | None = Field(None, title="收到日期")


class AnswerForm(PageForm):
    """答复: the subject's account of what it did (the files come separately)."""

    body: Annotated[str, Text(4000, "办理情况")] = ""


class ClueActForm(PageForm):
    """One supervisor step; each step's form sends the fields it needs."""

    note: Annotated[str, Text(NOTE * 2, "说明")] = ""
    status: Annotated[str, Text(12, "处理状态")] = ""
    subject_id: int | None = Field(None, ge=1, le=MAX_ID, title="执法主体")
    problem_type: Annotated[str, Text(20, "问题类型")] = ""
    enterprise_uscc: Annotated[str, Text(30, "统一社会信用代码")] = ""
    task_id: int | None = Field(None, ge=1, le=MAX_LONG_ID, title="检查任务")


def labels(actor: Actor | None = None) -> dict[str, Any]:
    """The Chinese labels every clue template reads."""
    region = actor.region_code if actor is not None else "000000"
    return {
        "sources": ClueSource.labels(),
        "clue_statuses": ClueStatus.labels(),
        "problem_types": routing.problem_types(region, local_today()),
        "action_labels": ACTION_LABELS,
        "today": local_today(),
    }


def _list(
    request: Request, db: Session, actor: Actor, *, mine: bool, page: int, **raw: str
) -> Response:
    subject = form_int(raw["subject"], "subject") if not mine else actor.subject_id
    filters = queries.ClueFilters(
        source=raw["source"],
        problem_type=raw["problem_type"],
        status=raw["status"],
        overdue=raw["overdue"] == "1",
        subject_id=subject,
        q=raw["q"],
    )
    found = queries.list_clues(db, actor=actor, filters=filters, page=page)
    subjects = queries.routable_subjects(db, actor=actor) if not mine else []
    context = {**found.context("clues"), **raw, "mine": mine, "subjects": subjects}
    return render(request, "oversight/clues.html", {**context, **labels(actor)})


@router.get("/oversight/clues", response_class=HTMLResponse)
def clues_page(
    request: Request,
    source: Annotated[str, Text(20, "来源")] = "",
    problem_type: Annotated[str, Text(20, "问题类型")] = "",
    status: Annotated[str, Text(12, "状态")] = "",
    overdue: Annotated[str, Text(1, "超期")] = "",
    subject: Annotated[str, Text(12, "执法主体")] = "",
    q: Annotated[str, Text(100, "检索")] = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.CLUES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The region's clues, filterable by channel, type, status, overdue and subject."""
    return _list(
        request, db, actor, mine=False, page=page, source=source, problem_type=problem_type,
        status=status, overdue=overdue, subject=subject, q=q,
    )  # fmt: skip


@router.get("/oversight/my-clues", response_class=HTMLResponse)
def my_clues_page(
    request: Request,
    status: Annotated[str, Text(12, "状态")] = "",
    overdue: Annotated[str, Text(1, "超期")] = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The clues routed to the viewer's subject."""
    return _list(
        request, db, actor, mine=True, page=page, source="", problem_type="", status=status,
        overdue=overdue, subject="", q="",
    )  # fmt: skip


@router.get("/oversight/clues/new", response_class=HTMLResponse)
def new_page(request: Request, actor: Actor = Depends(require(Permission.CLUES_VIEW))) -> Response:
    """Manual entry of a clue from a court, procuratorate, petition, media or visit."""
    manual = {s.value: s.label for s in MANUAL}
    return render(request, "oversight/clue_new.html", {"manual": manual, **labels(actor)})


@router.post("/oversight/clues/new", response_class=HTMLResponse)
def create(
    request: Request,
    form: Annotated[ClueForm, Form()],
    actor: Actor = Depends(require(Permission.CLUES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Register the clue (refused: the form again, input kept, the error beside its field)."""
    data = intake.ClueInput(**form.model_dump())
    clue = intake.create(db, actor=actor, data=data)
    flash(request, f"线索已登记，编号 {clue.reference}。")
    return RedirectResponse(f"/oversight/clues/{clue.id}", status_code=303)


def _detail(request: Request, db: Session, actor: Actor, clue: Clue) -> Response:
    supervisor = service.may_supervise(actor, clue)
    allowed = service.allowed_actions(actor, clue)
    context = {
        "clue": clue,
        "supervisor": supervisor,
        "events": queries.history(db, clue=clue),
        "files": queries.attachments(db, clue=clue),
        "cases": queries.linked_cases(db, clue=clue),
        "allowed": allowed,
        "subjects": queries.routable_subjects(db, actor=actor) if supervisor else [],
        "overdue_days": routing.overdue_days(clue, local_today()),
        "task_choices": _task_choices(db, actor, clue) if "classify" in allowed else [],
        "status_label": CLUE_LIFECYCLE.label(clue.status),
        **labels(actor),
    }
    return render(request, "oversight/clue_detail.html", context)


def _task_choices(db: Session, actor: Actor, clue: Clue) -> list[Choice]:
    """The classify form's task picker: the linked task, then the enterprise's recent tasks."""
    linked = task_picker.task_choice(db, actor=actor, task_id=clue.task_id)
    recent = task_picker.task_choices(
        db, actor=actor, enterprise_id=clue.enterprise_id, enterprise_uscc=clue.enterprise_uscc
    )
    return linked + [c for c in recent if c.id != clue.task_id]


@router.get("/oversight/clues/{clue_id}/tasks", response_class=HTMLResponse)
def task_picker_page(
    request: Request,
    clue_id: Id,
    q: Annotated[str, Query(), Text(60, "检索")] = "",
    actor: Actor = Depends(require(Permission.CLUES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The classify form's task picker (an htmx fragment): the region's tasks of the clue's
    enterprise, or of the enterprises whose name or USCC matches ``q``."""
    clue = queries.get_clue(db, actor=actor, clue_id=clue_id)
    if "classify" not in service.allowed_actions(actor, clue):
        raise Forbidden("只有监督机构可以为线索关联检查任务。")
    choices = (
        task_picker.task_choices(db, actor=actor, q=q)
        if q.strip()
        else _task_choices(db, actor, clue)
    )
    return render(
        request,
        "oversight/_clue_task_choices.html",
        {"task_choices": choices, "picked": clue.task_id},
    )


@router.get("/oversight/clues/{clue_id}", response_class=HTMLResponse)
def clue_page(
    request: Request,
    clue_id: Id,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One clue: facts, history, evidence and the actions open to the viewer."""
    return _detail(request, db, actor, queries.get_clue(db, actor=actor, clue_id=clue_id))


@router.post("/oversight/clues/{clue_id}/answer", response_class=HTMLResponse)
def answer(
    request: Request,
    clue_id: Id,
    form: Annotated[AnswerForm, Form()],
    files: list[UploadFile] = File(default=[]),
    actor: Actor = Depends(require(Permission.ALERTS_RESPOND)),
    db: Session = Depends(get_db),
) -> Response:
    """The subject's answer with its evidence files; the clue then waits for 核实."""
    clue = queries.get_clue(db, actor=actor, clue_id=clue_id)
    uploads = tuple(
        service.Upload(f.filename or "", f.content_type or "", f.file.read(service.MAX_FILE + 1))
        for f in files
        if f.filename
    )
    service.answer(db, clue=clue, actor=actor, body=form.body, files=uploads)
    flash(request, "已答复，待执法监督机构核实。")
    return RedirectResponse(f"/oversight/clues/{clue.id}", status_code=303)


@router.post("/oversight/clues/{clue_id}/{action}", response_class=HTMLResponse)
def act(
    request: Request,
    clue_id: Id,
    action: Annotated[str, Text(20, "操作")],
    form: Annotated[ClueActForm, Form()],
    actor: Actor = Depends(require(Permission.CLUES_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One of the supervisor's steps (交办, 督办, 核实办结, 退回, 回访 …) on a clue."""
    clue = queries.get_clue(db, actor=actor, clue_id=clue_id)
    _do(db, actor, clue, action, form)
    flash(
        request,
        f"已{ACTION_LABELS.get(action, '处理')}，当前状态：{CLUE_LIFECYCLE.label(clue.status)}。",
    )
    return RedirectResponse(f"/oversight/clues/{clue.id}", status_code=303)


def _do(db: Session, actor: Actor, clue: Clue, action: str, form: ClueActForm) -> None:
    note = form.note
    if action == "handle" and form.status == ClueStatus.CLOSED:  # the older form's "已办结"
        action = "close"
    if action == "handle":
        service.handle(db, clue=clue, actor=actor, note=note)
    elif action == "classify":
        service.classify(
            db, clue=clue, actor=actor, problem_type=form.problem_type,
            enterprise_uscc=form.enterprise_uscc, task_id=form.task_id, note=note,
        )  # fmt: skip
    elif action == "route":
        subject = queries.get_subject(db, actor=actor, subject_id=form.subject_id)
        service.route(db, clue=clue, actor=actor, subject=subject, note=note)
    elif action == "supervise":
        service.supervise(db, clue=clue, actor=actor, note=note)
    elif action == "accept":
        service.accept(db, clue=clue, actor=actor, note=note)
    elif action == "return":
        service.send_back(db, clue=clue, actor=actor, note=note)
    elif action == "close":
        service.close(db, clue=clue, actor=actor, note=note)
    elif action == "follow_up":
        service.follow_up(db, clue=clue, actor=actor, note=note)
    else:
        raise InvalidInput("未知的操作。", field="action")


@router.get("/oversight/clues/{clue_id}/files/{file_id}")
def download(
    clue_id: Id,
    file_id: Id,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """An evidence file of a clue the viewer may read."""
    clue = queries.get_clue(db, actor=actor, clue_id=clue_id)
    found = queries.get_attachment(db, clue=clue, file_id=file_id)
    disposition = f"attachment; filename*=UTF-8''{quote(found.filename)}"
    return Response(
        found.content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )


@router.get("/public/clues", response_class=HTMLResponse)
def lookup_page(
    request: Request,
    reference: Annotated[str, Text(20, "线索编号")] = "",
    _: Actor | None = Depends(public),
) -> Response:
    """The reporter types the reference they were given."""
    if reference.strip():
        return RedirectResponse(f"/public/clues/{reference.strip().upper()}", status_code=303)
    return render(request, "public/clue_status.html", {"view": None})


@router.get("/public/clues/{reference}", response_class=HTMLResponse)
def status_page(
    request: Request,
    reference: Annotated[str, Text(20, "线索编号")],
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """A clue's status and dates by its reference (no notes, names or contacts)."""
    view = intake.public_status(db, reference=reference)
    return render(request, "public/clue_status.html", {"view": view})
