"""Inspections: record api routes (the record, evaluations, the enterprise's inspections)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput
from wurao.core.text import LONG_TEXT, NOTE
from wurao.inspections import evaluations, record_evidence, record_finish, records
from wurao.inspections.models import ChecklistResult, Evidence, InspectionRecord
from wurao.web.deps import TxRoute, get_db, public, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import MAX_LIST, BodyId, FormSize, LongId, Text

router = APIRouter(route_class=TxRoute, tags=["records"], responses=API_ERRORS)


class ChecklistLineOut(BaseModel):
    line_id: int
    result: str
    note: str


class EvidenceOut(BaseModel):
    id: int
    kind: str
    filename: str
    sha256: str
    size: int
    uri: str
    created_at: dt.datetime

    @classmethod
    def of(cls, ev: Evidence) -> EvidenceOut:
        """The API view of a piece of evidence."""
        return cls(
            id=ev.id,
            kind=ev.kind,
            filename=ev.filename,
            sha256=ev.sha256,
            size=ev.size,
            uri=ev.uri,
            created_at=ev.created_at,
        )


class RecordOut(BaseModel):
    task_id: int
    task_status: str
    method: str
    code_number: str | None
    code_status: str | None
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    ids_shown: bool = False
    location: str = ""
    data_source: str = ""
    present_person: str = ""
    findings: str = ""
    outcome: str = ""
    rectify_deadline: dt.date | None = None
    attested: bool = False
    checklist: list[ChecklistLineOut] = []
    evidence: list[EvidenceOut] = []

    @classmethod
    def of(cls, view: records.RecordView) -> RecordOut:
        """The API view of a task's record."""
        out = cls(
            task_id=view.task.id,
            task_status=view.task.status,
            method=view.task.method,
            code_number=view.code.number if view.code else None,
            code_status=view.code.status if view.code else None,
        )
        rec: InspectionRecord | None = view.record
        if rec is not None:
            out = out.model_copy(
                update={
                    "started_at": rec.started_at,
                    "ended_at": rec.ended_at,
                    "finished_at": rec.finished_at,
                    "ids_shown": rec.ids_shown,
                    "location": rec.location,
                    "data_source": rec.data_source,
                    "present_person": rec.present_person,
                    "findings": rec.findings,
                    "outcome": rec.outcome,
                    "rectify_deadline": rec.rectify_deadline,
                    "attested": rec.attested,
                    "checklist": [_line(r) for r in view.results.values()],
                    "evidence": [EvidenceOut.of(e) for e in view.evidence],
                }
            )
        return out


def _line(r: ChecklistResult) -> ChecklistLineOut:
    return ChecklistLineOut(line_id=r.line_id, result=r.result, note=r.note)


class RecordIn(BaseModel):
    """Fields to change; omitted fields stay as they are."""

    location: Annotated[str, Text(200, "检查地点")] | None = None
    data_source: Annotated[str, Text(LONG_TEXT, "数据来源")] | None = None
    present_person: Annotated[str, Text(60, "在场人员")] | None = None
    findings: Annotated[str, Text(LONG_TEXT, "检查情况")] | None = None
    outcome: Literal["none", "rectify", "case", ""] | None = None
    rectify_deadline: dt.date | None = None
    ids_shown: bool | None = None
    attested: bool | None = None


class LineIn(BaseModel):
    line_id: BodyId
    result: Literal["ok", "fail", "na"]
    note: Annotated[str, Text(NOTE, "说明")] = ""


class ChecklistIn(BaseModel):
    results: list[LineIn] = Field(max_length=MAX_LIST)


class FinishedOut(BaseModel):
    task_id: int
    finished_at: dt.datetime | None
    outcome: str


class EvaluationIn(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: Annotated[str, Text(NOTE, "评价意见")] = ""
    misconduct: list[Annotated[str, Text(40, "不当行为")]] = Field([], max_length=20)
    confirm_no_code: bool = Field(
        False, description="“未亮码”而本次检查已签发行政行为码时，确认检查人员未出示该码"
    )


class EvaluationOut(BaseModel):
    accepted: bool
    submitted_at: dt.datetime | None


def _view(db: Session, actor: Actor, task_id: int) -> RecordOut:
    return RecordOut.of(records.record_view(db, actor=actor, task_id=task_id))


@router.get("/api/v1/tasks/{task_id}/record", response_model=RecordOut)
def get_record(
    task_id: LongId,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> RecordOut:
    """The task's record with its checklist answers and evidence."""
    return _view(db, actor, task_id)


@router.post("/api/v1/tasks/{task_id}/record/start", response_model=RecordOut)
def start_record(
    task_id: LongId,
    actor: Actor = Depends(require(Permission.RECORDS_WRITE)),
    db: Session = Depends(get_db),
) -> RecordOut:
    """Start the inspection (needs a valid code; assigned officers only)."""
    task = records.get_task(db, actor=actor, task_id=task_id)
    records.start_record(db, task=task, actor=actor)
    return _view(db, actor, task_id)


@router.put("/api/v1/tasks/{task_id}/record", response_model=RecordOut)
def update_record(
    task_id: LongId,
    body: RecordIn,
    actor: Actor = Depends(require(Permission.RECORDS_WRITE)),
    db: Session = Depends(get_db),
) -> RecordOut:
    """Change the record's fields while the inspection is open."""
    task = records.get_task(db, actor=actor, task_id=task_id)
    records.update_record(
        db, task=task, actor=actor, data=records.RecordFields(**body.model_dump())
    )
    return _view(db, actor, task_id)


@router.put("/api/v1/tasks/{task_id}/record/checklist", response_model=RecordOut)
def save_checklist(
    task_id: LongId,
    body: ChecklistIn,
    actor: Actor = Depends(require(Permission.RECORDS_WRITE)),
    db: Session = Depends(get_db),
) -> RecordOut:
    """Save answers to checklist lines (ok / fail / na with a note)."""
    task = records.get_task(db, actor=actor, task_id=task_id)
    answers = [records.LineResult(r.line_id, r.result, r.note) for r in body.results]
    records.save_checklist(db, task=task, actor=actor, results=answers)
    return _view(db, actor, task_id)


@router.post("/api/v1/tasks/{task_id}/record/evidence", response_model=EvidenceOut, status_code=201)
def add_evidence(
    task_id: LongId,
    file: UploadFile | None = File(None),
    filename: Annotated[str, Form(), Text(200, "文件名")] = "",
    sha256: Annotated[str, Form(), Text(64, "SHA-256 校验值")] = "",
    uri: Annotated[str, Form(), Text(300, "存放地址")] = "",
    size: FormSize = 0,
    actor: Actor = Depends(require(Permission.RECORDS_WRITE)),
    db: Session = Depends(get_db),
) -> EvidenceOut:
    """Upload a file, or reference an external recording by ``sha256`` and ``uri``."""
    task = records.get_task(db, actor=actor, task_id=task_id)
    if file is not None:
        ev = record_evidence.add_evidence_file(
            db, task=task, actor=actor, filename=file.filename or filename, stream=file.file
        )
    elif sha256 or uri:
        ev = record_evidence.add_evidence_external(
            db, task=task, actor=actor, filename=filename, sha256=sha256, uri=uri, size=size
        )
    else:
        raise InvalidInput("请上传文件，或填写外部音视频的 SHA-256 和存放位置。", field="file")
    return EvidenceOut.of(ev)


@router.post("/api/v1/tasks/{task_id}/record/finish", response_model=FinishedOut)
def finish_record(
    task_id: LongId,
    actor: Actor = Depends(require(Permission.RECORDS_WRITE)),
    db: Session = Depends(get_db),
) -> FinishedOut:
    """Close the record (B2, B3, B5): the code becomes used and the task done."""
    task = records.get_task(db, actor=actor, task_id=task_id)
    done = record_finish.finish_record(db, task=task, actor=actor)
    # The evaluation token goes to the enterprise only, never into this response.
    return FinishedOut(
        task_id=task.id, finished_at=done.record.finished_at, outcome=done.record.outcome
    )


@router.post("/api/v1/evaluations/{token}", response_model=EvaluationOut, status_code=201)
def submit_evaluation(
    token: str,
    body: EvaluationIn,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> EvaluationOut:
    """The enterprise's one-time evaluation; a second use is refused (evaluation_used)."""
    ev = evaluations.submit_evaluation(
        db, token=token, rating=body.rating, comment=body.comment, misconduct=body.misconduct,
        confirm_no_code=body.confirm_no_code,
    )  # fmt: skip
    return EvaluationOut(accepted=True, submitted_at=ev.submitted_at)
