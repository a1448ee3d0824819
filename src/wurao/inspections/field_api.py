"""Inspections: the field page's JSON routes (what the phone caches, and its batch sync)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput
from wurao.core.text import NOTE
from wurao.core.time import local_today
from wurao.inspections import field_sync, records
from wurao.inspections.pages import qr_svg
from wurao.inspections.record_api import EvidenceOut, RecordIn
from wurao.inspections.verification import scan_url
from wurao.web.deps import TxRoute, csrf_token, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import MAX_LONG_ID, BodyId, Text

router = APIRouter(route_class=TxRoute, tags=["field"], responses=API_ERRORS)

MAX_BATCH = 20  # records in one sync request
MAX_FILE_BYTES = 25 * 1024 * 1024  # one photo
ClientId = Annotated[str, Field(pattern=r"^[0-9a-fA-F-]{8,36}$")]


class FieldLine(BaseModel):
    id: int
    seq: int
    text: str
    basis: str


class FieldItem(BaseModel):
    code: str
    name: str
    lines: list[FieldLine]


class FieldCode(BaseModel):
    number: str
    status: str
    valid_from: dt.date
    valid_to: dt.date
    late: bool
    url: str
    qr_svg: str


class FieldAnswer(BaseModel):
    line_id: int
    result: str
    note: str


class FieldRecord(BaseModel):
    version: str
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    fields: dict[str, object] = {}
    checklist: list[FieldAnswer] = []
    evidence: list[EvidenceOut] = []


class FieldTaskOut(BaseModel):
    task_id: int
    status: str
    method: str
    window_start: dt.date
    window_end: dt.date
    enterprise_name: str
    enterprise_address: str
    items: list[FieldItem]
    code: FieldCode | None
    record: FieldRecord


class FieldBundle(BaseModel):
    generated_at: dt.datetime
    today: dt.date
    csrf_token: str
    tasks: list[FieldTaskOut]


class FileIn(BaseModel):
    client_id: ClientId
    filename: Annotated[str, Text(200, "文件名")]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class LineIn(BaseModel):
    line_id: BodyId
    result: Literal["ok", "fail", "na"]
    note: Annotated[str, Text(NOTE, "说明")] = ""


class RecordSyncIn(BaseModel):
    client_id: ClientId
    revision: int = Field(ge=1, le=1_000_000)
    task_id: int = Field(ge=1, le=MAX_LONG_ID)
    base_version: Annotated[str, Field(max_length=16)] = ""
    started_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    fields: RecordIn = RecordIn()
    checklist: list[LineIn] = Field([], max_length=200)
    files: list[FileIn] = Field([], max_length=50)


class BatchIn(BaseModel):
    records: list[RecordSyncIn] = Field(max_length=MAX_BATCH)


class AnswerOut(BaseModel):
    kind: str
    client_id: str
    revision: int
    status: Literal["applied", "saved", "conflict", "refused", "waiting"]
    message: str
    version: str
    finished: bool
    problems: list[str]
    server: dict[str, object] | None
    sha256: str
    evidence_id: int | None
    replayed: bool


class BatchOut(BaseModel):
    items: list[AnswerOut]


def _task_out(request: Request, t: field_sync.FieldTask) -> FieldTaskOut:
    code = None
    if t.code is not None:
        url = scan_url(str(request.base_url), t.code.token)
        code = FieldCode(
            number=t.code.number,
            status=t.code.status,
            valid_from=t.code.valid_from,
            valid_to=t.code.valid_to,
            late=t.code.late,
            url=url,
            qr_svg=qr_svg(url),
        )
    rec = t.record
    fields: dict[str, object] = {}
    if rec is not None:
        fields = {
            "location": rec.location,
            "data_source": rec.data_source,
            "present_person": rec.present_person,
            "findings": rec.findings,
            "outcome": rec.outcome,
            "rectify_deadline": rec.rectify_deadline.isoformat() if rec.rectify_deadline else "",
            "ids_shown": rec.ids_shown,
            "attested": rec.attested,
        }
    return FieldTaskOut(
        task_id=t.task.id,
        status=t.task.status,
        method=t.task.method,
        window_start=t.task.window_start,
        window_end=t.task.window_end,
        enterprise_name=t.enterprise.name,
        enterprise_address=t.enterprise.address or "",
        items=[
            FieldItem(
                code=il.item.code,
                name=il.item.name,
                lines=[
                    FieldLine(id=ln.id, seq=ln.seq, text=ln.text, basis=ln.basis or "")
                    for ln in il.lines
                ],
            )
            for il in t.items
        ],
        code=code,
        record=FieldRecord(
            version=t.version,
            started_at=rec.started_at if rec else None,
            finished_at=rec.finished_at if rec else None,
            fields=fields,
            checklist=[
                FieldAnswer(line_id=r.line_id, result=r.result, note=r.note) for r in t.results
            ],
            evidence=[EvidenceOut.of(e) for e in t.evidence],
        ),
    )


@router.get("/api/v1/field/tasks", response_model=FieldBundle)
def field_tasks(
    request: Request,
    actor: Actor = Depends(require(Permission.RECORDS_WRITE)),
    db: Session = Depends(get_db),
) -> FieldBundle:
    """The officer's tasks of the coming days with checklists, codes (QR) and records."""
    today = local_today()
    found = field_sync.field_tasks(db, actor=actor, today=today)
    return FieldBundle(
        generated_at=dt.datetime.now(dt.UTC),
        today=today,
        csrf_token=csrf_token(request),
        tasks=[_task_out(request, t) for t in found],
    )


async def sync_form(request: Request) -> tuple[BatchIn, dict[str, bytes]]:
    """The batch (a JSON ``batch`` field) and its photos (parts named ``file:<client id>``)."""
    form = await request.form(max_files=MAX_BATCH * 50, max_fields=10)
    raw = form.get("batch")
    if not isinstance(raw, str):
        raise InvalidInput("缺少同步内容（batch）。", field="batch")
    try:
        batch = BatchIn.model_validate(json.loads(raw))
    except (ValueError, ValidationError) as exc:
        raise InvalidInput(f"同步内容格式不正确：{str(exc)[:200]}", field="batch") from exc
    files: dict[str, bytes] = {}
    for key, value in form.multi_items():
        if key.startswith("file:") and not isinstance(value, str):
            data = await value.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise InvalidInput("单张照片不能超过 25 MB。", field=key)
            files[key[5:]] = data
    return batch, files


@router.post("/api/v1/field/sync", response_model=BatchOut)
def field_sync_batch(
    form: tuple[BatchIn, dict[str, bytes]] = Depends(sync_form),
    actor: Actor = Depends(require(Permission.RECORDS_WRITE)),
    db: Session = Depends(get_db),
) -> BatchOut:
    """Records filled offline, each with its photos; answered item by item, idempotently."""
    batch, files = form
    items = [
        field_sync.RecordIn(
            client_id=r.client_id,
            revision=r.revision,
            task_id=r.task_id,
            base_version=r.base_version,
            started_at=r.started_at,
            completed_at=r.completed_at,
            fields=records.RecordFields(**r.fields.model_dump()),
            lines=[records.LineResult(x.line_id, x.result, x.note) for x in r.checklist],
            files=[
                field_sync.FileIn(f.client_id, f.filename, f.sha256, files.get(f.client_id))
                for f in r.files
            ],
        )
        for r in batch.records
    ]
    answers = field_sync.sync_batch(db, actor=actor, items=items)
    return BatchOut(items=[AnswerOut.model_validate(a, from_attributes=True) for a in answers])
