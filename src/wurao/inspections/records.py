"""The inspection itself: the 检查笔录 an officer fills on a phone at the enterprise (its
evidence is added in ``record_evidence``, the record is closed in ``record_finish``).

An inspection starts only under a valid 行政行为码 ("无码不查", 路桥方案 二(二)6；
衢政办发〔2025〕16号 第7项); the record is written by the officers assigned to the task.
It closes only with the identification shown (B2, 行政处罚法 第55条), a complete
checklist and outcome (B3, 第47条、第55条) and the officer's 五个严禁 attestation
(B5, 国办发〔2024〕54号 §七). Closing it marks the code used and the task done, and
issues the enterprise's one-time evaluation token.

Evidence files are stored content-addressed under ``var_dir/evidence/<sha256>``; the file is
written before the transaction commits, so a rolled-back upload can leave an orphan file
that no row points to (harmless: the same bytes always land on the same name).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from wurao.core.events import Event, emit
from wurao.core.time import local_date, local_today, utcnow
from wurao.inspections import service as task_service
from wurao.inspections.models import (
    ActionCode,
    ChecklistResult,
    Evidence,
    InspectionRecord,
    InspectionTask,
    TaskItem,
    TaskOfficer,
    TaskSubject,
)
from wurao.inspections.statuses import TASK_STATUSES
from wurao.registry.models import (
    ChecklistLine,
    EnforcementSubject,
    Enterprise,
    InspectionItem,
    Officer,
)

RESULTS: dict[str, str] = {"ok": "符合", "fail": "不符合", "na": "不适用"}
OUTCOMES: dict[str, str] = {"none": "无问题", "rectify": "责令整改", "case": "移送立案"}
# 五个严禁 as the officer attests them (54号 §七; wording from press reports, UNCONFIRMED).
ATTESTATION: tuple[str, ...] = (
    "未接受企业宴请、礼品、礼金，未让企业承担任何费用，未指定中介服务",
    "未干扰企业正常生产经营，未要求法定代表人或主要负责人到场陪同",
    "未随意查封、扣押财物或责令停产停业",
    "本次检查与考核指标、罚没任务无关",
    "未以观摩、督导、考察等名义变相检查",
)

CODE_RULE = catalogue.A4  # 无码不查


@dataclass(frozen=True)
class RecordFields:
    """Fields of a record to change; None leaves a field as it is."""

    location: str | None = None
    data_source: str | None = None
    present_person: str | None = None
    findings: str | None = None
    outcome: str | None = None
    rectify_deadline: dt.date | None = None
    ids_shown: bool | None = None
    attested: bool | None = None


@dataclass(frozen=True)
class LineResult:
    """An officer's answer to one checklist line."""

    line_id: int
    result: str
    note: str = ""


@dataclass(frozen=True)
class ItemLines:
    """An item of the task with its checklist lines."""

    item: InspectionItem
    lines: list[ChecklistLine]


@dataclass(frozen=True)
class OfficerLine:
    """An officer assigned to the task, for the page and the document."""

    officer: Officer
    subject_name: str


@dataclass
class RecordView:
    """Everything the record page and the 笔录 document show, loaded in a few queries."""

    task: InspectionTask
    enterprise: Enterprise
    subjects: list[EnforcementSubject]
    officers: list[OfficerLine]
    code: ActionCode | None
    record: InspectionRecord | None
    items: list[ItemLines]
    results: dict[int, ChecklistResult] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def onsite(self) -> bool:
        """Whether the inspection is a visit (B2 applies) rather than a non-site check."""
        return self.task.method == "onsite"

    @property
    def line_count(self) -> int:
        """How many checklist lines the task has."""
        return sum(len(i.lines) for i in self.items)


@dataclass(frozen=True)
class Finished:
    """A closed record and the enterprise's raw evaluation token (never shown to officers)."""

    record: InspectionRecord
    evaluation_token: str


# ---------------------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------------------


def get_task(session: Session, *, actor: Actor, task_id: int) -> InspectionTask:
    """One task, if the actor may see it (the task domain's own scope)."""
    return task_service.get_task(session, actor=actor, task_id=task_id)


def acting_officer(session: Session, *, actor: Actor, task: InspectionTask) -> Officer:
    """The signed-in officer as an officer assigned to the task; otherwise Forbidden.

    The account is the officer's own (``Officer.user_id``), so nobody writes a record in a
    colleague's name.
    """
    actor.require(Permission.RECORDS_WRITE)
    if actor.role is not Role.OFFICER or actor.subject_id is None:
        raise Forbidden("只有本任务指派的执法人员可以填写检查笔录。")
    officer = session.scalar(
        select(Officer)
        .join(TaskOfficer, TaskOfficer.officer_id == Officer.id)
        .where(
            TaskOfficer.task_id == task.id,
            Officer.subject_id == actor.subject_id,
            Officer.user_id == actor.user_id,
        )
    )
    if officer is None:
        raise Forbidden("您不是本任务指派的执法人员，不能填写检查笔录。")
    return officer


def may_write(session: Session, *, actor: Actor, task: InspectionTask) -> bool:
    """Whether the actor is an assigned officer of the task."""
    try:
        acting_officer(session, actor=actor, task=task)
    except Forbidden:
        return False
    return True


def current_code(session: Session, *, task: InspectionTask) -> ActionCode | None:
    """The task's 行政行为码, whatever its state."""
    return session.scalar(select(ActionCode).where(ActionCode.task_id == task.id))


def get_record(session: Session, *, task: InspectionTask) -> InspectionRecord | None:
    """The task's record, once started."""
    return session.scalar(select(InspectionRecord).where(InspectionRecord.task_id == task.id))


def task_items(session: Session, *, task: InspectionTask) -> list[ItemLines]:
    """The task's items with their checklist lines, in two queries."""
    items = list(
        session.scalars(
            select(InspectionItem)
            .join(TaskItem, TaskItem.item_id == InspectionItem.id)
            .where(TaskItem.task_id == task.id)
            .order_by(InspectionItem.code)
        )
    )
    lines: dict[int, list[ChecklistLine]] = {i.id: [] for i in items}
    if items:
        for line in session.scalars(
            select(ChecklistLine)
            .where(ChecklistLine.item_id.in_(list(lines)))
            .order_by(ChecklistLine.item_id, ChecklistLine.seq)
        ):
            lines[line.item_id].append(line)
    return [ItemLines(item=i, lines=lines[i.id]) for i in items]


def record_view(session: Session, *, actor: Actor, task_id: int) -> RecordView:
    """The record of a task the actor may see, with everything around it."""
    task = get_task(session, actor=actor, task_id=task_id)
    enterprise = session.get(Enterprise, task.enterprise_id)
    if enterprise is None:  # pragma: no cover - the foreign key forbids it
        raise NotFound("检查对象不存在。")
    subject_rows = session.execute(
        select(EnforcementSubject, TaskSubject.lead)
        .join(TaskSubject, TaskSubject.subject_id == EnforcementSubject.id)
        .where(TaskSubject.task_id == task.id)
        .order_by(TaskSubject.lead.desc(), EnforcementSubject.name)
    ).all()
    subjects = [row[0] for row in subject_rows]
    names = {s.id: s.name for s in subjects}
    officers = [
        OfficerLine(officer=o, subject_name=names.get(sid, ""))
        for o, sid in session.execute(
            select(Officer, TaskOfficer.subject_id)
            .join(TaskOfficer, TaskOfficer.officer_id == Officer.id)
            .where(TaskOfficer.task_id == task.id)
            .order_by(TaskOfficer.subject_id, Officer.name)
        ).all()
    ]
    record = get_record(session, task=task)
    view = RecordView(
        task=task,
        enterprise=enterprise,
        subjects=subjects,
        officers=officers,
        code=current_code(session, task=task),
        record=record,
        items=task_items(session, task=task),
    )
    if record is not None:
        view.results = {
            r.line_id: r
            for r in session.scalars(
                select(ChecklistResult).where(ChecklistResult.record_id == record.id)
            )
        }
        view.evidence = list(
            session.scalars(
                select(Evidence).where(Evidence.record_id == record.id).order_by(Evidence.id)
            )
        )
    return view


# ---------------------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------------------


def code_problem(code: ActionCode | None, today: dt.date) -> str | None:
    if code is None:
        return "本任务尚未赋行政行为码，不得实施检查。"
    if code.status != "valid":
        state = {"used": "已使用", "revoked": "已撤销"}.get(code.status, code.status)
        return f"行政行为码 {code.number} {state}，不得据此实施检查。"
    if not code.valid_from <= today <= code.valid_to:
        return (
            f"行政行为码 {code.number} 的有效期为 {code.valid_from.isoformat()} 至 "
            f"{code.valid_to.isoformat()}，今日不在有效期内。"
        )
    return None


def writable(session: Session, *, task: InspectionTask, actor: Actor) -> InspectionRecord:
    acting_officer(session, actor=actor, task=task)
    record = get_record(session, task=task)
    if record is None or record.started_at is None:
        raise Conflict("请先点击“开始检查”。")
    if record.finished_at is not None:
        raise Conflict("检查笔录已完成，不能再修改。")
    return record


def start_record(
    session: Session, *, task: InspectionTask, actor: Actor, at: dt.datetime | None = None
) -> InspectionRecord:
    """Start the inspection (开始检查): only under a valid code, by an assigned officer.

    ``at`` is when a record filled offline says the inspection started (the field sync); the
    code must have been valid on that day, as it must be today for a start made online.
    """
    officer = acting_officer(session, actor=actor, task=task)
    record = get_record(session, task=task)
    if record is not None and record.started_at is not None:
        raise Conflict("检查已经开始。")
    if task.status not in ("coded", "in_progress"):
        raise Conflict(f"任务状态为“{TASK_STATUSES.get(task.status, task.status)}”，不能开始检查。")
    now = at or utcnow()
    day = local_date(at) if at is not None else local_today()
    problem = code_problem(current_code(session, task=task), day)
    if problem is not None:
        raise RuleViolation([CODE_RULE.violation(problem)])
    if record is None:
        record = InspectionRecord(task_id=task.id, started_at=now)
        session.add(record)
    else:
        record.started_at = now
    before = audit.snapshot(task)
    task.status = "in_progress"
    audit.record(
        session,
        actor=actor,
        action="record.start",
        obj=record,
        summary=f"{officer.name}开始检查（任务 {task.id}）",
        region_code=task.region_code,
    )
    audit.record(
        session,
        actor=actor,
        action="task.status",
        obj=task,
        before=before,
        summary="任务进入检查中",
        region_code=task.region_code,
    )
    emit(session, Event.RECORD_STARTED, task=task)
    return record


def bounded_text(value: str, *, limit: int, field: str, label: str) -> str:
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过{limit}个字。", field=field)
    return value


def update_record(
    session: Session, *, task: InspectionTask, actor: Actor, data: RecordFields
) -> InspectionRecord:
    """Save the record's fields while the inspection is open."""
    record = writable(session, task=task, actor=actor)
    before = audit.snapshot(record)
    if data.location is not None:
        record.location = bounded_text(data.location, limit=200, field="location", label="检查地点")
    if data.data_source is not None:
        record.data_source = bounded_text(
            data.data_source, limit=4000, field="data_source", label="数据来源"
        )
    if data.present_person is not None:
        record.present_person = bounded_text(
            data.present_person, limit=60, field="present_person", label="企业在场人员"
        )
    if data.findings is not None:
        record.findings = bounded_text(
            data.findings, limit=20000, field="findings", label="检查情况"
        )
    if data.outcome is not None:
        if data.outcome and data.outcome not in OUTCOMES:
            raise InvalidInput("处理结果应为无问题、责令整改或移送立案。", field="outcome")
        record.outcome = data.outcome
    if data.outcome is not None or data.rectify_deadline is not None:
        deadline = data.rectify_deadline if record.outcome == "rectify" else None
        if deadline is not None and deadline < local_today():
            raise InvalidInput("整改期限不能早于今天。", field="rectify_deadline")
        record.rectify_deadline = deadline
    if data.ids_shown is not None:
        record.ids_shown = data.ids_shown
    if data.attested is not None:
        record.attested = data.attested
    audit.record(
        session,
        actor=actor,
        action="record.update",
        obj=record,
        before=before,
        summary=f"修改检查笔录（任务 {task.id}）",
        region_code=task.region_code,
    )
    return record


def save_checklist(
    session: Session, *, task: InspectionTask, actor: Actor, results: Sequence[LineResult]
) -> list[ChecklistResult]:
    """Save answers to checklist lines of the task's items (符合/不符合/不适用 with a note)."""
    record = writable(session, task=task, actor=actor)
    allowed = {line.id for il in task_items(session, task=task) for line in il.lines}
    existing = {
        r.line_id: r
        for r in session.scalars(
            select(ChecklistResult).where(ChecklistResult.record_id == record.id)
        )
    }
    saved: list[ChecklistResult] = []
    for answer in results:
        if answer.line_id not in allowed:
            raise InvalidInput(f"检查表单第 {answer.line_id} 行不属于本任务。", field="line_id")
        if answer.result not in RESULTS:
            raise InvalidInput("检查结果应为符合、不符合或不适用。", field="result")
        note = bounded_text(answer.note, limit=2000, field="note", label="说明")
        row = existing.get(answer.line_id)
        if row is None:
            row = ChecklistResult(record_id=record.id, line_id=answer.line_id)
            session.add(row)
            existing[answer.line_id] = row
        row.result = answer.result
        row.note = note
        saved.append(row)
    if not saved:
        return saved
    audit.record(
        session,
        actor=actor,
        action="record.checklist",
        obj=record,
        summary=f"填写检查表单 {len(saved)} 行（任务 {task.id}）",
        region_code=task.region_code,
        covers=saved,
    )
    return saved
