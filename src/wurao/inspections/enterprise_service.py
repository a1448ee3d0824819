"""The enterprise's one-stop view (docs/enterprise.md): 检查预告 and date requests, the history
across every subject.

检查预告 (Shenzhen 监督码): once a code is issued the enterprise sees the coming inspection, who
comes with which certificate, what will be checked and on what legal basis, and the window; it
may ask the lead subject to move the date inside the window. The subject answers; an accepted
request sets the task's planned day (``TaskSchedule``), never the window itself.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import AGENCY_ROLES, Permission, Role
from wurao.auth.scope import SYSTEM_ACTOR, Actor
from wurao.core import audit
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.core.lifecycle import LabelledEnum, Lifecycle, step
from wurao.core.paging import PER_PAGE, Page, paginate, paginate_rows
from wurao.core.time import local_today, utcnow
from wurao.inspections import records
from wurao.inspections.enterprise_models import DateRequest, TaskSchedule
from wurao.inspections.models import (
    ActionCode,
    InspectionRecord,
    InspectionTask,
    TaskItem,
    TaskOfficer,
    TaskSubject,
)
from wurao.inspections.statuses import TaskStatus
from wurao.registry.items.service import line_key
from wurao.registry.models import (
    ChecklistLine,
    EnforcementSubject,
    Enterprise,
    InspectionItem,
    Officer,
)

# A task is announced to its enterprise from the code's issue until it starts (检查预告).
ANNOUNCED = (TaskStatus.CODED.value,)
# Its history: begun or finished inspections (an unstarted, uncoded task is not disclosed).
HISTORY = (TaskStatus.IN_PROGRESS.value, TaskStatus.DONE.value)


class DateRequestStatus(LabelledEnum):
    """DateRequest.status."""

    PENDING = ("pending", "待答复")
    ACCEPTED = ("accepted", "已同意")
    DECLINED = ("declined", "未同意")


DATE_REQUESTS = Lifecycle(
    "改期申请",
    DateRequestStatus,
    {
        "accept": step(DateRequestStatus.PENDING, DateRequestStatus.ACCEPTED, "同意"),
        "decline": step(DateRequestStatus.PENDING, DateRequestStatus.DECLINED, "不同意"),
    },
)


def enterprise_of(session: Session, actor: Actor) -> Enterprise:
    """The enterprise an enterprise account is bound to (by its 统一社会信用代码)."""
    actor.require(Permission.ENTERPRISE_PORTAL)
    if actor.role is not Role.ENTERPRISE or not actor.enterprise_uscc:
        raise Forbidden("只有企业账号可以使用企业服务。")
    found = session.scalar(select(Enterprise).where(Enterprise.uscc == actor.enterprise_uscc))
    if found is None:
        raise NotFound("本账号的统一社会信用代码不在检查对象名录中，请联系执法监督机构。")
    return found


def own_tasks(enterprise: Enterprise, statuses: tuple[str, ...]) -> Select[InspectionTask]:
    """The enterprise's tasks in the given statuses."""
    return select(InspectionTask).where(
        InspectionTask.enterprise_id == enterprise.id, InspectionTask.status.in_(statuses)
    )


def agency_subject(actor: Actor) -> int:
    """The subject an agency account answers for."""
    actor.require(Permission.TASKS_MANAGE)
    if actor.role not in AGENCY_ROLES or actor.subject_id is None:
        raise Forbidden("只有执法主体的账号可以答复企业的申请。")
    return actor.subject_id


# ---------------------------------------------------------------------------------------
# 检查预告
# ---------------------------------------------------------------------------------------


@dataclass
class OfficerCard:
    """An officer as the enterprise sees them: name and certificate, never an ID number."""

    name: str
    subject: str
    cert_no: str
    cert_valid_from: dt.date | None
    cert_valid_to: dt.date | None


@dataclass
class ItemCard:
    """An item to prepare for: its legal basis and checklist lines."""

    item: InspectionItem
    subject: str
    lines: list[ChecklistLine] = field(default_factory=list)


@dataclass
class Announcement:
    """One coming inspection of the enterprise."""

    task: InspectionTask
    code: ActionCode | None
    subjects: list[EnforcementSubject] = field(default_factory=list)
    officers: list[OfficerCard] = field(default_factory=list)
    items: list[ItemCard] = field(default_factory=list)
    planned_on: dt.date | None = None
    requests: list[DateRequest] = field(default_factory=list)

    @property
    def merged(self) -> list[tuple[str, list[str], list[str]]]:
        """一表通查 of a joint inspection: each checklist line once, with its bases and every
        subject that asks for it (empty when one subject inspects alone)."""
        if len({card.subject for card in self.items}) < 2:
            return []
        out: dict[str, tuple[str, list[str], list[str]]] = {}
        for card in self.items:
            for line in card.lines:
                _, bases, subjects = out.setdefault(line_key(line.text), (line.text, [], []))
                if line.basis and line.basis not in bases:
                    bases.append(line.basis)
                if card.subject not in subjects:
                    subjects.append(card.subject)
        return list(out.values())

    @property
    def pending(self) -> DateRequest | None:
        """The request still waiting for the subject's answer."""
        return next((r for r in self.requests if r.status == DateRequestStatus.PENDING), None)


def announcements(session: Session, *, actor: Actor) -> list[Announcement]:
    """The enterprise's coming inspections (code issued, not yet started), soonest first."""
    enterprise = enterprise_of(session, actor)
    tasks = list(
        session.scalars(
            own_tasks(enterprise, ANNOUNCED).order_by(
                InspectionTask.window_start, InspectionTask.id
            )
        )
    )
    return _cards(session, tasks)


def announcement(session: Session, *, actor: Actor, task_id: int) -> Announcement:
    """One coming inspection of the enterprise."""
    enterprise = enterprise_of(session, actor)
    task = session.scalar(own_tasks(enterprise, ANNOUNCED).where(InspectionTask.id == task_id))
    if task is None:
        raise NotFound("没有这项检查预告（检查已开始、已取消或不属于本企业）。")
    return _cards(session, [task])[0]


def _cards(session: Session, tasks: list[InspectionTask]) -> list[Announcement]:
    cards = {t.id: Announcement(task=t, code=None) for t in tasks}
    ids = list(cards)
    if not ids:
        return []
    for code in session.scalars(select(ActionCode).where(ActionCode.task_id.in_(ids))):
        cards[code.task_id].code = code
    names: dict[tuple[int, int], str] = {}
    for ts, subject in session.execute(
        select(TaskSubject, EnforcementSubject)
        .join(EnforcementSubject, EnforcementSubject.id == TaskSubject.subject_id)
        .where(TaskSubject.task_id.in_(ids))
        .order_by(TaskSubject.lead.desc(), EnforcementSubject.name)
    ):
        cards[ts.task_id].subjects.append(subject)
        names[(ts.task_id, subject.id)] = subject.name
    for to, officer in session.execute(
        select(TaskOfficer, Officer)
        .join(Officer, Officer.id == TaskOfficer.officer_id)
        .where(TaskOfficer.task_id.in_(ids))
        .order_by(Officer.name)
    ):
        cards[to.task_id].officers.append(
            OfficerCard(
                name=officer.name,
                subject=names.get((to.task_id, to.subject_id), ""),
                cert_no=officer.cert_no or "",
                cert_valid_from=officer.cert_valid_from,
                cert_valid_to=officer.cert_valid_to,
            )
        )
    item_cards: dict[int, list[ItemCard]] = defaultdict(list)
    for ti, item in session.execute(
        select(TaskItem, InspectionItem)
        .join(InspectionItem, InspectionItem.id == TaskItem.item_id)
        .where(TaskItem.task_id.in_(ids))
        .order_by(InspectionItem.code)
    ):
        card = ItemCard(item=item, subject=names.get((ti.task_id, ti.subject_id), ""))
        cards[ti.task_id].items.append(card)
        item_cards[item.id].append(card)
    if item_cards:
        for line in session.scalars(
            select(ChecklistLine)
            .where(ChecklistLine.item_id.in_(list(item_cards)))
            .order_by(ChecklistLine.item_id, ChecklistLine.seq)
        ):
            for card in item_cards[line.item_id]:
                card.lines.append(line)
    for schedule in session.scalars(select(TaskSchedule).where(TaskSchedule.task_id.in_(ids))):
        cards[schedule.task_id].planned_on = schedule.planned_on
    for req in session.scalars(
        select(DateRequest).where(DateRequest.task_id.in_(ids)).order_by(DateRequest.id.desc())
    ):
        cards[req.task_id].requests.append(req)
    return [cards[t.id] for t in tasks]


def request_date(
    session: Session, *, actor: Actor, task_id: int, wanted_on: dt.date, reason: str
) -> DateRequest:
    """The enterprise asks the lead subject to hold the inspection on another day in the window."""
    card = announcement(session, actor=actor, task_id=task_id)
    task = card.task
    if card.pending is not None:
        raise Conflict("已有一项改期申请等待执法主体答复，请等待答复后再申请。")
    if not task.window_start <= wanted_on <= task.window_end:
        raise InvalidInput(
            f"只能在检查时间窗口（{task.window_start.isoformat()} 至 "
            f"{task.window_end.isoformat()}）内申请改期。",
            field="wanted_on",
        )
    if wanted_on < local_today():
        raise InvalidInput("申请的日期不能早于今天。", field="wanted_on")
    text = reason.strip()
    if not text:
        raise InvalidInput("请说明改期理由。", field="reason")
    lead = card.subjects[0]
    req = DateRequest(
        task_id=task.id,
        subject_id=lead.id,
        wanted_on=wanted_on,
        reason=text,
        status=DateRequestStatus.PENDING.value,
        requested_by_id=actor.user_id,
        requested_at=utcnow(),
    )
    session.add(req)
    audit.record(
        session,
        actor=actor,
        action="date_request.create",
        obj=req,
        summary=f"企业申请将检查（任务 {task.id}）改至 {wanted_on.isoformat()}",
        region_code=task.region_code,
    )
    return req


def date_requests_to_answer(
    session: Session, *, actor: Actor, status: str = "pending", page: int = 1
) -> Page[Row[DateRequest, InspectionTask, Enterprise]]:
    """The subject's date requests (pending by default), oldest first."""
    subject_id = agency_subject(actor)
    stmt = (
        select(DateRequest, InspectionTask, Enterprise)
        .join(InspectionTask, InspectionTask.id == DateRequest.task_id)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .where(DateRequest.subject_id == subject_id)
    )
    if status:
        if status not in DateRequestStatus.labels():
            raise InvalidInput("申请状态不正确。", field="status")
        stmt = stmt.where(DateRequest.status == status)
    stmt = stmt.order_by(DateRequest.requested_at, DateRequest.id)
    return paginate_rows(session, stmt, page, PER_PAGE)


def pending_date_requests(session: Session, *, actor: Actor) -> int:
    """How many date requests wait for the actor's subject (for the home page)."""
    subject_id = agency_subject(actor)
    stmt = select(func.count(DateRequest.id)).where(
        DateRequest.subject_id == subject_id,
        DateRequest.status == DateRequestStatus.PENDING.value,
    )
    return int(session.scalar(stmt) or 0)


def answer_date_request(
    session: Session, *, actor: Actor, request_id: int, accept: bool, answer: str
) -> DateRequest:
    """The subject accepts (the planned day moves) or declines with a reason."""
    subject_id = agency_subject(actor)
    req = session.scalar(
        select(DateRequest)
        .where(DateRequest.id == request_id, DateRequest.subject_id == subject_id)
        .with_for_update()
    )
    if req is None:
        raise NotFound("改期申请不存在，或不是向本执法主体提出的。")
    task = session.get(InspectionTask, req.task_id)
    if task is None:  # pragma: no cover - the foreign key forbids it
        raise NotFound("检查任务不存在。")
    text = answer.strip()
    if not accept and not text:
        raise InvalidInput("不同意改期时请说明理由。", field="answer")
    if accept and task.status not in ANNOUNCED:
        raise Conflict("检查已开始或已取消，不能再改期。")
    if accept and not task.window_start <= req.wanted_on <= task.window_end:
        raise Conflict("申请的日期已不在检查时间窗口内。")
    before = audit.snapshot(req)
    DATE_REQUESTS.advance(req, "accept" if accept else "decline")
    req.answer = text
    req.answered_by_id = actor.user_id
    req.answered_at = utcnow()
    covers = []
    if accept:
        schedule = session.get(TaskSchedule, task.id)
        if schedule is None:
            schedule = TaskSchedule(task_id=task.id, planned_on=req.wanted_on, set_at=utcnow())
            session.add(schedule)
        schedule.planned_on = req.wanted_on
        schedule.set_at = utcnow()
        schedule.set_by_id = actor.user_id
        covers.append(schedule)
    verdict = "同意" if accept else "不同意"
    audit.record(
        session,
        actor=actor,
        action=f"date_request.{'accept' if accept else 'decline'}",
        obj=req,
        before=before,
        summary=f"{verdict}企业改期申请（任务 {task.id}，{req.wanted_on.isoformat()}）",
        region_code=task.region_code,
        covers=covers,
    )
    return req


def planned_day(session: Session, *, task: InspectionTask) -> dt.date | None:
    """The task's planned day, if a date request set one."""
    return session.scalar(select(TaskSchedule.planned_on).where(TaskSchedule.task_id == task.id))


# ---------------------------------------------------------------------------------------
# History across every subject
# ---------------------------------------------------------------------------------------


@dataclass
class HistoryRow:
    """A begun or finished inspection with its result."""

    task: InspectionTask
    subjects: list[str] = field(default_factory=list)
    code_number: str = ""
    record: InspectionRecord | None = None


def history(session: Session, *, actor: Actor, page: int = 1) -> Page[HistoryRow]:
    """The enterprise's inspections by every subject, newest first, with their results."""
    enterprise = enterprise_of(session, actor)
    stmt = own_tasks(enterprise, HISTORY).order_by(
        InspectionTask.window_start.desc(), InspectionTask.id.desc()
    )
    found = paginate(session, stmt, page, PER_PAGE)
    rows = {t.id: HistoryRow(task=t) for t in found.items}
    ids = list(rows)
    if ids:
        for tid, name in session.execute(
            select(TaskSubject.task_id, EnforcementSubject.name)
            .join(EnforcementSubject, EnforcementSubject.id == TaskSubject.subject_id)
            .where(TaskSubject.task_id.in_(ids))
            .order_by(TaskSubject.lead.desc(), EnforcementSubject.name)
        ):
            rows[tid].subjects.append(name)
        for tid, number in session.execute(
            select(ActionCode.task_id, ActionCode.number).where(ActionCode.task_id.in_(ids))
        ):
            rows[tid].code_number = number
        for rec in session.scalars(
            select(InspectionRecord).where(InspectionRecord.task_id.in_(ids))
        ):
            rows[rec.task_id].record = rec
    return found.map(lambda t: rows[t.id])


def finished_record(session: Session, *, actor: Actor, task_id: int) -> records.RecordView:
    """The finished 检查笔录 of one of the enterprise's inspections, for download.

    The enterprise holds no task permission; once its ownership of the finished inspection
    is checked here, the record is read with the platform's own scope."""
    enterprise = enterprise_of(session, actor)
    task = session.scalar(
        own_tasks(enterprise, (TaskStatus.DONE.value,)).where(InspectionTask.id == task_id)
    )
    if task is None:
        raise NotFound("检查不存在、尚未完成或不属于本企业。")
    return records.record_view(session, actor=SYSTEM_ACTOR, task_id=task.id)
