"""The officer's offline field page: what the phone caches, and the sync of what it recorded.

The phone keeps its records in IndexedDB and sends them when the network returns. Every record
revision and every photo carries an id the phone generated; the answer given to each is kept
in ``field_sync_item`` and replayed when the same id comes again, so a retried sync never
writes a second record or file. A record changed on the server since the version the phone
started from is a conflict: nothing is written and the officer is shown both (never a silent
overwrite). The writes are the online path's own (``records.start_record``, ``save_record``,
``add_evidence_file``, ``finish_record``), so the same rules hold: no start or finish without a
valid code (A4 无码不查, judged on the day the record says it started), B2/B3/B5 at the finish;
and a record entered after the fact is accepted only within the A4 late window
(``clock.A4_LATE_CODE``, 衢政办发〔2025〕16号 第7项), counted from when the record says the
inspection was completed (from its start when it was not completed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core import clock
from wurao.core import rules as catalogue
from wurao.core.errors import DomainError, InvalidInput, RuleViolation
from wurao.core.time import format_local, local_date, local_today, utcnow
from wurao.inspections import record_evidence, record_finish, records
from wurao.inspections.field_models import FieldSyncItem
from wurao.inspections.models import (
    ActionCode,
    ChecklistResult,
    Evidence,
    InspectionRecord,
    InspectionTask,
    TaskOfficer,
)
from wurao.inspections.service import tasks_visible_to
from wurao.registry.models import Enterprise, Officer

# The field page caches the tasks whose window reaches into the next week: what an officer
# may go out to inspect before the phone is next online (a page setting, not a legal period).
FIELD_DAYS = 7
# A phone's clock may run a little ahead of the server's; beyond this a stated time is refused.
CLOCK_SKEW = dt.timedelta(minutes=5)
OPEN_STATUSES = ("coded", "in_progress")


@dataclass
class FieldTask:
    """One task as the phone caches it: the enterprise, checklist, code and record."""

    task: InspectionTask
    enterprise: Enterprise
    items: list[records.ItemLines]
    code: ActionCode | None
    record: InspectionRecord | None
    results: list[ChecklistResult]
    evidence: list[Evidence]
    version: str


@dataclass(frozen=True)
class FileIn:
    """A photo as the phone sends it: its id, name, the hash it computed, and the bytes."""

    client_id: str
    filename: str
    sha256: str
    data: bytes | None  # None: the phone expects the server to have it already


@dataclass(frozen=True)
class RecordIn:
    """One revision of a record filled on the phone."""

    client_id: str
    revision: int
    task_id: int
    base_version: str
    started_at: dt.datetime | None
    completed_at: dt.datetime | None  # set when the officer pressed 完成检查 on the phone
    fields: records.RecordFields
    lines: list[records.LineResult]
    files: list[FileIn] = field(default_factory=list)


@dataclass
class Answer:
    """The server's answer to one item (a record revision or a file)."""

    kind: str
    client_id: str
    revision: int
    status: str  # applied / saved / conflict / refused / waiting
    message: str = ""
    version: str = ""
    finished: bool = False
    problems: list[str] = field(default_factory=list)
    server: dict[str, object] | None = None  # the server's record, on a conflict
    sha256: str = ""
    evidence_id: int | None = None
    replayed: bool = False


# --- reads --------------------------------------------------------------------------------------


def record_version(record: InspectionRecord | None, results: Sequence[ChecklistResult]) -> str:
    """A short hash of what the officer can change in a record ("" before it starts).

    Evidence is left out: files only add, they never overwrite what a colleague wrote.
    """
    if record is None or record.started_at is None:
        return ""
    body = {
        "started_at": record.started_at.isoformat(),
        "finished_at": record.finished_at.isoformat() if record.finished_at else None,
        "ids_shown": record.ids_shown,
        "location": record.location,
        "data_source": record.data_source,
        "present_person": record.present_person,
        "findings": record.findings,
        "outcome": record.outcome,
        "rectify_deadline": record.rectify_deadline.isoformat()
        if record.rectify_deadline
        else None,
        "attested": record.attested,
        "lines": sorted((r.line_id, r.result, r.note) for r in results),
    }
    return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()[:16]


def _results(session: Session, record: InspectionRecord | None) -> list[ChecklistResult]:
    if record is None:
        return []
    return list(
        session.scalars(select(ChecklistResult).where(ChecklistResult.record_id == record.id))
    )


def field_tasks(session: Session, *, actor: Actor, today: dt.date) -> list[FieldTask]:
    """The actor's coded or open tasks whose window reaches into the coming week."""
    actor.require(Permission.RECORDS_WRITE)
    mine = (
        select(TaskOfficer.task_id)
        .join(Officer, Officer.id == TaskOfficer.officer_id)
        .where(Officer.user_id == actor.user_id)
    )
    tasks = list(
        session.scalars(
            tasks_visible_to(actor)
            .where(
                InspectionTask.id.in_(mine),
                InspectionTask.status.in_(OPEN_STATUSES),
                and_(
                    InspectionTask.window_end >= today,
                    InspectionTask.window_start <= today + dt.timedelta(days=FIELD_DAYS),
                ),
            )
            .order_by(InspectionTask.window_start, InspectionTask.id)
        )
    )
    out: list[FieldTask] = []
    for task in tasks:
        view = records.record_view(session, actor=actor, task_id=task.id)
        results = list(view.results.values())
        out.append(
            FieldTask(
                task=task,
                enterprise=view.enterprise,
                items=view.items,
                code=view.code,
                record=view.record,
                results=results,
                evidence=view.evidence,
                version=record_version(view.record, results),
            )
        )
    return out


def server_state(
    record: InspectionRecord | None, results: Sequence[ChecklistResult]
) -> dict[str, object]:
    """The server's record as the phone shows it beside its own on a conflict."""
    if record is None:
        return {}
    return {
        "started_at": format_local(record.started_at),
        "finished_at": format_local(record.finished_at),
        "ids_shown": record.ids_shown,
        "location": record.location,
        "data_source": record.data_source,
        "present_person": record.present_person,
        "findings": record.findings,
        "outcome": record.outcome,
        "rectify_deadline": record.rectify_deadline.isoformat() if record.rectify_deadline else "",
        "attested": record.attested,
        "lines": {str(r.line_id): {"result": r.result, "note": r.note} for r in results},
    }


# --- the sync -------------------------------------------------------------------------------------


def _ledger(session: Session, client_id: str, revision: int) -> FieldSyncItem | None:
    return session.scalar(
        select(FieldSyncItem).where(
            FieldSyncItem.client_id == client_id, FieldSyncItem.revision == revision
        )
    )


def _replay(row: FieldSyncItem, actor: Actor) -> Answer:
    if row.user_id != actor.user_id:
        raise InvalidInput("同步编号已被他人使用。", field="client_id")
    answer = Answer(**json.loads(row.answer))
    answer.replayed = True
    return answer


def _keep(
    session: Session, *, actor: Actor, task: InspectionTask, answer: Answer, kind: str
) -> None:
    assert actor.user_id is not None
    session.add(
        FieldSyncItem(
            client_id=answer.client_id,
            revision=answer.revision,
            kind=kind,
            user_id=actor.user_id,
            task_id=task.id,
            evidence_id=answer.evidence_id,
            status=answer.status,
            answer=json.dumps(asdict(answer), ensure_ascii=False),
            created_at=utcnow(),
        )
    )
    session.flush()


def _stated(value: dt.datetime, label: str, field_name: str) -> dt.datetime:
    if value.tzinfo is None:
        raise InvalidInput(f"{label}须带时区。", field=field_name)
    if value > utcnow() + CLOCK_SKEW:
        raise InvalidInput(f"{label}晚于当前时间，请核对手机时间。", field=field_name)
    return value


def _late_window(task: InspectionTask, when: dt.datetime, event: str) -> None:
    """A4: a record entered after the fact only within the late window counted from ``when``."""
    day = local_date(when)
    try:
        deadline = clock.A4_LATE_CODE.deadline(day, task.region_code)
    except DomainError as exc:  # an unknown calendar year: a refusal, never a guess
        raise RuleViolation([catalogue.A4.violation(exc.message)]) from exc
    if local_today() > deadline:
        days = clock.A4_LATE_CODE.length(day, task.region_code)
        raise RuleViolation(
            [
                catalogue.A4.violation(
                    f"离线笔录记载于{day.isoformat()}{event}，补录期限（{days}个工作日）已于"
                    f"{deadline.isoformat()}届满，不能再同步，请联系本单位法制审核人员。",
                    deadline=deadline.isoformat(),
                )
            ]
        )


def _start(session: Session, *, actor: Actor, task: InspectionTask, item: RecordIn) -> None:
    if item.started_at is None:
        raise InvalidInput("离线笔录缺少开始检查时间。", field="started_at")
    started = _stated(item.started_at, "开始检查时间", "started_at")
    code = records.current_code(session, task=task)
    if code is not None and not code.late and started < code.issued_at - CLOCK_SKEW:
        raise RuleViolation(
            [
                records.CODE_RULE.violation(
                    f"笔录记载的开始时间 {format_local(started)} 早于行政行为码签发时间 "
                    f"{format_local(code.issued_at)}，不得无码检查。"
                )
            ]
        )
    if item.completed_at is not None:
        _late_window(task, item.completed_at, "完成检查")
    else:
        _late_window(task, started, "开始检查（未完成）")
    records.start_record(session, task=task, actor=actor, at=started)


def _file(
    session: Session, *, actor: Actor, task: InspectionTask, f: FileIn
) -> tuple[Answer, bool]:
    """Attach one photo (or replay its earlier answer); True when a row was written."""
    row = _ledger(session, f.client_id, 0)
    if row is not None:
        return _replay(row, actor), False
    answer = Answer(kind="file", client_id=f.client_id, revision=0, status="refused")
    sha = f.sha256.strip().lower()
    if f.data is None:
        answer.message = "服务器尚未收到该照片，请重新同步。"
        return answer, False
    actual = hashlib.sha256(f.data).hexdigest()
    if actual != sha:
        answer.message = f"照片内容与手机计算的 SHA-256 不一致（收到 {actual[:12]}…），请重新同步。"
        return answer, False
    try:
        with session.begin_nested():
            ev = record_evidence.add_evidence_file(
                session, task=task, actor=actor, filename=f.filename, stream=io.BytesIO(f.data)
            )
            answer.status, answer.sha256, answer.evidence_id = "applied", ev.sha256, ev.id
            _keep(session, actor=actor, task=task, answer=answer, kind="file")
    except DomainError as exc:
        answer.status, answer.message = "refused", exc.message
        return answer, False
    return answer, True


def _files_waiting(item: RecordIn, message: str) -> list[Answer]:
    return [
        Answer(kind="file", client_id=f.client_id, revision=0, status="waiting", message=message)
        for f in item.files
    ]


def sync_record(session: Session, *, actor: Actor, item: RecordIn) -> list[Answer]:
    """Apply one record revision and its photos; the answers for the record and each photo."""
    task = records.get_task(session, actor=actor, task_id=item.task_id)
    records.acting_officer(session, actor=actor, task=task)
    done = _ledger(session, item.client_id, item.revision)
    if done is not None:
        answer = _replay(done, actor)
        files = [_file(session, actor=actor, task=task, f=f)[0] for f in item.files]
        return [answer, *files]
    answer = Answer(kind="record", client_id=item.client_id, revision=item.revision, status="")
    record = records.get_record(session, task=task)
    results = _results(session, record)
    current = record_version(record, results)
    if current != item.base_version:
        answer.status = "conflict"
        answer.version = current
        answer.finished = record is not None and record.finished_at is not None
        answer.message = (
            "服务器上的检查笔录已由他人完成，本机的修改不能再提交。"
            if answer.finished
            else "服务器上的检查笔录在您离线期间已被修改。请核对后选择保留哪一份。"
        )
        answer.server = server_state(record, results)
        return [answer, *_files_waiting(item, "笔录有冲突，照片暂存本机。")]
    try:
        with session.begin_nested():
            if record is None or record.started_at is None:
                _start(session, actor=actor, task=task, item=item)
            record_finish.save_record(
                session, task=task, actor=actor, data=item.fields, results=item.lines
            )
    except DomainError as exc:
        answer.status, answer.message = "refused", exc.message
        if isinstance(exc, RuleViolation):
            answer.problems = [v.detail for v in exc.violations]
        return [answer, *_files_waiting(item, "笔录未能同步，照片暂存本机。")]
    files = [_file(session, actor=actor, task=task, f=f)[0] for f in item.files]
    answer.status = "applied"
    if item.completed_at is not None:
        answer.status = _finish(session, actor=actor, task=task, item=item, answer=answer)
    record = records.get_record(session, task=task)
    answer.finished = record is not None and record.finished_at is not None
    answer.version = record_version(record, _results(session, record))
    _keep(session, actor=actor, task=task, answer=answer, kind="record")
    return [answer, *files]


def _finish(
    session: Session, *, actor: Actor, task: InspectionTask, item: RecordIn, answer: Answer
) -> str:
    """Close the record as of the completion time it states; "saved" with the reasons if not."""
    assert item.completed_at is not None
    try:
        with session.begin_nested():
            completed = _stated(item.completed_at, "完成检查时间", "completed_at")
            record = records.get_record(session, task=task)
            assert record is not None and record.started_at is not None
            if completed < record.started_at:
                raise InvalidInput("完成检查时间早于开始检查时间。", field="completed_at")
            _late_window(task, completed, "完成检查")
            record_finish.finish_record(session, task=task, actor=actor, at=completed)
    except DomainError as exc:
        answer.message = exc.message
        if isinstance(exc, RuleViolation):
            answer.problems = [v.detail for v in exc.violations]
        return "saved"
    return "applied"


def sync_batch(session: Session, *, actor: Actor, items: Sequence[RecordIn]) -> list[Answer]:
    """Apply a phone's batch item by item; one item's refusal does not undo another's."""
    actor.require(Permission.RECORDS_WRITE)
    out: list[Answer] = []
    for item in items:
        try:
            out.extend(sync_record(session, actor=actor, item=item))
        except DomainError as exc:  # the task itself: not found, not assigned
            out.append(
                Answer(
                    kind="record",
                    client_id=item.client_id,
                    revision=item.revision,
                    status="refused",
                    message=exc.message,
                )
            )
            out.extend(_files_waiting(item, "笔录未能同步，照片暂存本机。"))
    return out
