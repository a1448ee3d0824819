"""Rectification pages: the list (filters in the URL), the live totals per subject with their
.xlsx, and one item with its history, evidence and the step open to the viewer — the subject
answers, the supervisor accepts (销号) or returns."""

from __future__ import annotations

import io
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from openpyxl import Workbook
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core import audit, evidence_store
from wurao.core.errors import InvalidInput, NotFound
from wurao.core.text import NOTE
from wurao.core.time import local_today
from wurao.core.xlsx import append_row
from wurao.oversight.clues.queries import routable_subjects
from wurao.oversight.rectification import queries, service
from wurao.oversight.rectification.models import RectificationItem
from wurao.oversight.rectification.statuses import (
    ACTION_LABELS,
    RECT_LIFECYCLE,
    SOURCE_LINKS,
    RectStatus,
    SourceKind,
)
from wurao.registry.models import EnforcementSubject
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import PAGE_ERRORS
from wurao.web.forms import PageForm, form_int
from wurao.web.params import Id, PageNo, Text
from wurao.web.templating import flash, render

router = APIRouter(route_class=TxRoute, responses=PAGE_ERRORS)


def labels() -> dict[str, Any]:
    """The Chinese labels every rectification template reads."""
    return {
        "rect_statuses": RectStatus.labels(),
        "source_kinds": SourceKind.labels(),
        "action_labels": ACTION_LABELS,
        "source_links": SOURCE_LINKS,
        "today": local_today(),
    }


def _year(raw: str) -> int | None:
    year = form_int(raw, "year")
    if year is not None and not 2000 <= year <= 2100:
        raise InvalidInput("年份应在2000至2100之间。", field="year")
    return year


@router.get("/oversight/rectifications", response_class=HTMLResponse)
def list_page(
    request: Request,
    status: Annotated[str, Text(12, "状态")] = "",
    source_kind: Annotated[str, Text(12, "来源")] = "",
    subject: Annotated[str, Text(12, "执法主体")] = "",
    overdue: Annotated[str, Text(1, "超期")] = "",
    q: Annotated[str, Text(100, "检索")] = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The visible items, those waiting for the viewer first."""
    supervisor = actor.can(Permission.ALERTS_MANAGE)
    filters = queries.ItemFilters(
        status=status,
        source_kind=source_kind,
        subject_id=form_int(subject, "subject") if supervisor else None,
        overdue=overdue == "1",
        q=q,
    )
    found = queries.list_items(db, actor=actor, filters=filters, page=page)
    subjects = routable_subjects(db, actor=actor) if supervisor else []
    names = {s.id: s.name for s in subjects}
    context = {
        **found.context("items"),
        "status": status,
        "source_kind": source_kind,
        "subject": subject,
        "overdue": overdue,
        "q": q,
        "supervisor": supervisor,
        "subjects": subjects,
        "names": names,
        **labels(),
    }
    return render(request, "oversight/rectifications.html", context)


@router.get("/oversight/rectifications/totals", response_class=HTMLResponse)
def totals_page(
    request: Request,
    year: Annotated[str, Text(4, "年份")] = "",
    source_kind: Annotated[str, Text(12, "来源")] = "",
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """Found / rectified / waiting / overdue per subject, live (新乡's 发现—整改 totals)."""
    rows = queries.totals_by_subject(
        db, actor=actor, year=_year(year), source_kind=_kind(source_kind)
    )
    context = {
        "rows": rows,
        "sum": queries.region_totals(rows),
        "year": year,
        "source_kind": source_kind,
        **labels(),
    }
    return render(request, "oversight/rectification_totals.html", context)


def _kind(raw: str) -> str:
    if raw and raw not in SourceKind.labels():
        raise InvalidInput("未知的整改来源。", field="source_kind")
    return raw


@router.get("/oversight/rectifications/totals.xlsx")
def totals_xlsx(
    year: Annotated[str, Text(4, "年份")] = "",
    source_kind: Annotated[str, Text(12, "来源")] = "",
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The totals table as .xlsx (user text written as text, never as a formula)."""
    rows = queries.totals_by_subject(
        db, actor=actor, year=_year(year), source_kind=_kind(source_kind)
    )
    book = Workbook(write_only=True)
    sheet = book.create_sheet("整改情况")
    header = ["执法主体", "发现问题", "已整改销号", "待核实", "待整改", "其中超期", "整改率"]
    append_row(sheet, header)
    for r in [*rows, queries.region_totals(rows)]:
        rate = f"{r.rate:.1%}" if r.rate is not None else "—"
        append_row(
            sheet,
            [r.subject_name, r.found, r.rectified, r.answered, r.open, r.overdue, rate],
        )
    buf = io.BytesIO()
    book.save(buf)
    name = f"rectifications-{year or 'all'}.xlsx"
    return Response(
        buf.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


def _detail(
    request: Request,
    db: Session,
    actor: Actor,
    item: RectificationItem,
) -> Response:
    context = {
        "item": item,
        "events": queries.history(db, item=item),
        "files": queries.evidence(db, item=item),
        "allowed": service.allowed_actions(actor, item),
        "status_label": RECT_LIFECYCLE.label(item.status),
        "overdue": service.is_overdue(item, local_today()),
        "supervisor": service.may_verify(actor, item),
        "subject_name": _subject_name(db, item),
        **labels(),
    }
    return render(request, "oversight/rectification_detail.html", context)


class AnswerForm(PageForm):
    """答复整改情况 (the evidence files come separately)."""

    body: Annotated[str, Text(4000, "整改情况")] = ""


class VerifyForm(PageForm):
    """核实销号 or 退回重新整改."""

    note: Annotated[str, Text(NOTE * 2, "意见")] = ""


def _subject_name(db: Session, item: RectificationItem) -> str:
    subject = db.get(EnforcementSubject, item.subject_id)
    return subject.name if subject else ""


@router.get("/oversight/rectifications/{item_id}", response_class=HTMLResponse)
def item_page(
    request: Request,
    item_id: Id,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """One item: what to fix, by when, its history, the answer's evidence and the next step."""
    return _detail(request, db, actor, queries.get_item(db, actor=actor, item_id=item_id))


@router.post("/oversight/rectifications/{item_id}/answer", response_class=HTMLResponse)
def answer(
    request: Request,
    item_id: Id,
    form: Annotated[AnswerForm, Form()],
    files: list[UploadFile] = File(default=[]),
    actor: Actor = Depends(require(Permission.ALERTS_RESPOND)),
    db: Session = Depends(get_db),
) -> Response:
    """The subject's answer with its evidence; the item then waits for 核实."""
    item = queries.get_item(db, actor=actor, item_id=item_id)
    uploads = tuple(
        service.Upload(f.filename or "", f.content_type or "", f.file) for f in files if f.filename
    )
    service.answer(db, item=item, actor=actor, body=form.body, files=uploads)
    flash(request, "已答复整改情况，待执法监督机构核实销号。")
    return RedirectResponse(f"/oversight/rectifications/{item.id}", status_code=303)


@router.post("/oversight/rectifications/{item_id}/{action}", response_class=HTMLResponse)
def verify(
    request: Request,
    item_id: Id,
    action: Annotated[str, Text(10, "操作")],
    form: Annotated[VerifyForm, Form()],
    actor: Actor = Depends(require(Permission.ALERTS_MANAGE)),
    db: Session = Depends(get_db),
) -> Response:
    """The supervisor accepts (核实销号) or returns (退回重新整改) an answered item."""
    item = queries.get_item(db, actor=actor, item_id=item_id)
    if action == "accept":
        service.accept(db, item=item, actor=actor, note=form.note)
    elif action == "return":
        service.send_back(db, item=item, actor=actor, note=form.note)
    else:
        raise NotFound("未知的操作。")
    flash(request, f"已{ACTION_LABELS[action]}，当前状态：{RECT_LIFECYCLE.label(item.status)}。")
    return RedirectResponse(f"/oversight/rectifications/{item.id}", status_code=303)


@router.get("/oversight/rectifications/{item_id}/files/{file_id}")
def download(
    item_id: Id,
    file_id: Id,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """An evidence file of an item the viewer may read (the download is audited)."""
    item = queries.get_item(db, actor=actor, item_id=item_id)
    found = queries.get_evidence(db, item=item, file_id=file_id)
    path = evidence_store.path_of(found.sha256)
    if not path.exists():
        raise NotFound("附件文件已不在存储中，请联系系统管理员。")
    audit.record(
        db,
        actor=actor,
        action="rectification.download",
        obj=found,
        after=audit.snapshot(found),
        summary=f"下载整改附件：{found.filename}",
        region_code=item.region_code,
    )
    disposition = f"attachment; filename*=UTF-8''{quote(found.filename)}"
    return Response(
        path.read_bytes(),
        media_type="application/octet-stream",
        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )
