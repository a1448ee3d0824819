"""Rectification items: opened by a source, answered by the subject, accepted or returned by
the supervisor (the 对账销号 of the seeds).

Every step checks the actor, advances the lifecycle (statuses.py), appends a
``rectification_event``, writes one audit entry and tells the item's source through the
``RECTIFICATION_CHANGED`` event, so that an alert (or any later source) follows its item
without this module knowing the source's tables. The deadline is one clock, F8 RECTIFICATION,
read from the policy on the day the item is opened or returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor
from wurao.core import audit, evidence_store
from wurao.core import rules as catalogue
from wurao.core.audit import AuditActor
from wurao.core.clock import WORKING, Clock
from wurao.core.errors import Forbidden, InvalidInput
from wurao.core.events import Event, emit
from wurao.core.time import local_today, utcnow
from wurao.oversight.models import InboxMessage
from wurao.oversight.rectification.models import (
    RectificationEvent,
    RectificationEvidence,
    RectificationItem,
)
from wurao.oversight.rectification.statuses import (
    ACTION_LABELS,
    RECT_LIFECYCLE,
    RectStatus,
    SourceKind,
)
from wurao.registry.models import EnforcementSubject

PARAM = "rectification.working_days"
RULE = catalogue.F8_RECTIFICATION
CLOCK = Clock(RULE, "整改期限", "下发整改或退回重新整改", PARAM, WORKING)
MAX_FILES = 5
MAX_FILE = 20 * 1024 * 1024


# --- who may do what ------------------------------------------------------------------------


def may_verify(actor: Actor, item: RectificationItem) -> bool:
    """Whether the actor supervises the item's region (opens, accepts, returns, withdraws)."""
    return actor.can(Permission.ALERTS_MANAGE) and actor.covers_region(item.region_code)


def may_answer(actor: Actor, item: RectificationItem) -> bool:
    """Whether the actor answers for the item's subject."""
    if not actor.can(Permission.ALERTS_RESPOND):
        return False
    return actor.role is Role.SYSADMIN or actor.subject_id == item.subject_id


def allowed_actions(actor: Actor, item: RectificationItem) -> list[str]:
    """The steps the page offers this viewer, in the lifecycle's order."""
    out = []
    if may_answer(actor, item):
        out.append("answer")
    if may_verify(actor, item):
        out += ["accept", "return"]
    return [a for a in out if RECT_LIFECYCLE.can(item, a)]


# --- the clock ------------------------------------------------------------------------------


def deadline(start: dt.date, region: str) -> dt.date:
    """The last day to rectify an item opened (or returned) on ``start``."""
    return CLOCK.deadline(start, region)


def is_overdue(item: RectificationItem, today: dt.date) -> bool:
    """Whether an item still waiting for the subject is past its deadline."""
    return item.status == RectStatus.OPEN and item.due_on < today


# --- steps ----------------------------------------------------------------------------------


def _text(value: str, *, field: str, label: str, limit: int = 4000, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过{limit}个字。", field=field)
    return value


def _step(
    session: Session,
    *,
    item: RectificationItem,
    actor: AuditActor,
    action: str,
    note: str = "",
    before: dict[str, object] | None = None,
) -> RectificationEvent:
    """Append the step to the item's history, write its audit entry, tell the source."""
    session.flush()
    event = RectificationEvent(
        item_id=item.id,
        at=utcnow(),
        actor_id=actor.user_id,
        actor_name=actor.display_name,
        action=action,
        status=item.status,
        note=note,
        due_on=item.due_on,
    )
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"rectification.{action}",
        obj=item,
        before=before,
        summary=f"整改事项{ACTION_LABELS[action]}：{item.title}",
        region_code=item.region_code,
        covers=(event,),
    )
    emit(session, Event.RECTIFICATION_CHANGED, item=item, action=action, actor=actor)
    return event


def _inbox(session: Session, item: RectificationItem, title: str, body: str) -> None:
    msg = InboxMessage(
        subject_id=item.subject_id,
        kind="rectification",
        title=title[:200],
        body=body,
        link=f"/oversight/rectifications/{item.id}",
        created_at=utcnow(),
    )
    session.add(msg)
    session.flush()
    audit.record(session, actor=audit.SYSTEM, action="inbox.send", obj=msg)


def open_item(
    session: Session,
    *,
    actor: Actor,
    subject_id: int,
    source_kind: str,
    source_id: int,
    title: str,
    detail: str,
    due_on: dt.date | None = None,
    today: dt.date | None = None,
    region_code: str | None = None,
) -> RectificationItem:
    """Open an item for a subject; the subject finds it in its inbox.

    ``region_code`` is where the problem lies (an alert's or a reviewed file's region; by
    default the subject's own): the actor must supervise it, which lets a county 司法局 ask a
    city-level subject to rectify what it did in the county. ``due_on`` defaults to the F8
    clock from ``today``; a date the supervisor sets must not lie in the past."""
    actor.require(Permission.ALERTS_MANAGE)
    kind = SourceKind(source_kind)
    subject = session.get(EnforcementSubject, subject_id)
    region = region_code or (subject.region_code if subject is not None else "")
    if subject is None or not actor.covers_region(region):
        raise Forbidden("只能向本辖区的执法主体下发整改事项。")
    today = today or local_today()
    if due_on is not None and due_on < today:
        raise InvalidInput("整改期限不能早于今天。", field="due_on")
    item = RectificationItem(
        region_code=region,
        subject_id=subject.id,
        source_kind=kind.value,
        source_id=source_id,
        title=_text(title, field="title", label="整改事项", limit=200),
        detail=_text(detail, field="detail", label="问题说明", required=False),
        status=RectStatus.OPEN.value,
        opened_on=today,
        due_on=due_on or deadline(today, region),
        opened_by_id=actor.user_id,
    )
    session.add(item)
    _step(session, item=item, actor=actor, action="open", note=item.detail)
    _inbox(
        session,
        item,
        f"整改事项（{kind.label}）：{item.title}",
        f"{item.detail}\n请于{item.due_on.isoformat()}前整改并在平台答复整改情况。",
    )
    return item


@dataclass(frozen=True)
class Upload:
    """A file given with an answer."""

    filename: str
    content_type: str
    stream: BinaryIO


def answer(
    session: Session,
    *,
    item: RectificationItem,
    actor: Actor,
    body: str,
    files: tuple[Upload, ...] = (),
) -> RectificationItem:
    """The subject's answer with what it did and its evidence: the item waits for 核实."""
    if not may_answer(actor, item):
        raise Forbidden("只有被下发整改的执法主体可以答复。")
    RECT_LIFECYCLE.check(item, "answer")
    words = _text(body, field="body", label="整改情况")
    if len(files) > MAX_FILES:
        raise InvalidInput(f"最多上传{MAX_FILES}个附件。", field="files")
    stored = [(f, *evidence_store.store(f.stream)) for f in files]
    for f, _digest, size in stored:
        if size > MAX_FILE:
            raise InvalidInput(f"附件“{f.filename}”超过20MB。", field="files")
    before = audit.snapshot(item)
    RECT_LIFECYCLE.advance(item, "answer")
    item.answer = words
    item.answered_at = utcnow()
    item.answered_by_id = actor.user_id
    event = _step(session, item=item, actor=actor, action="answer", note=words, before=before)
    for f, digest, size in stored:
        row = RectificationEvidence(
            item_id=item.id,
            event_id=event.id,
            filename=evidence_store.clean_filename(f.filename)[:200] or "附件",
            content_type=f.content_type[:100],
            size=size,
            sha256=digest,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="rectification.evidence",
            obj=row,
            summary=f"整改事项答复附件：{row.filename}（SHA-256 {digest}）",
            region_code=item.region_code,
        )
    return item


def accept(
    session: Session, *, item: RectificationItem, actor: Actor, note: str = ""
) -> RectificationItem:
    """The supervisor checks the answer and closes the item (核实销号)."""
    if not may_verify(actor, item):
        raise Forbidden("只有执法监督机构可以核实销号；执法主体答复后由监督机构核实。")
    RECT_LIFECYCLE.check(item, "accept")
    words = _text(note, field="note", label="核实意见", required=False)
    before = audit.snapshot(item)
    RECT_LIFECYCLE.advance(item, "accept")
    item.verdict = words
    item.closed_at = utcnow()
    item.closed_by_id = actor.user_id
    _step(session, item=item, actor=actor, action="accept", note=words, before=before)
    return item


def send_back(
    session: Session,
    *,
    item: RectificationItem,
    actor: Actor,
    note: str,
    today: dt.date | None = None,
) -> RectificationItem:
    """The supervisor returns an answer that does not rectify: a new deadline from today."""
    if not may_verify(actor, item):
        raise Forbidden("只有执法监督机构可以退回整改答复。")
    RECT_LIFECYCLE.check(item, "return")
    words = _text(note, field="note", label="退回理由")
    today = today or local_today()
    before = audit.snapshot(item)
    RECT_LIFECYCLE.advance(item, "return")
    item.verdict = words
    item.returned_times += 1
    item.due_on = deadline(today, item.region_code)
    _step(session, item=item, actor=actor, action="return", note=words, before=before)
    _inbox(
        session,
        item,
        f"整改答复被退回：{item.title}",
        f"退回理由：{words}\n请于{item.due_on.isoformat()}前重新整改并答复。",
    )
    return item


def withdraw(
    session: Session, *, item: RectificationItem, actor: Actor, note: str
) -> RectificationItem:
    """The item's source no longer stands (an alert dismissed): the item is withdrawn."""
    if not may_verify(actor, item):
        raise Forbidden("只有执法监督机构可以撤销整改事项。")
    words = _text(note, field="note", label="撤销理由")
    before = audit.snapshot(item)
    RECT_LIFECYCLE.advance(item, "withdraw")
    item.verdict = words
    item.closed_at = utcnow()
    item.closed_by_id = actor.user_id
    _step(session, item=item, actor=actor, action="withdraw", note=words, before=before)
    return item


# --- reads used by the sources --------------------------------------------------------------


def items_of(
    session: Session, *, source_kind: str, source_ids: Collection[int]
) -> dict[int, list[RectificationItem]]:
    """The items of each source id (oldest first), in one query."""
    out: dict[int, list[RectificationItem]] = {i: [] for i in source_ids}
    if not source_ids:
        return out
    stmt = (
        select(RectificationItem)
        .where(
            RectificationItem.source_kind == SourceKind(source_kind).value,
            RectificationItem.source_id.in_(list(source_ids)),
        )
        .order_by(RectificationItem.id)
    )
    for item in session.scalars(stmt):
        out.setdefault(item.source_id, []).append(item)
    return out


def current_item(session: Session, *, source_kind: str, source_id: int) -> RectificationItem | None:
    """The newest item of one source, if any."""
    return session.scalar(
        select(RectificationItem)
        .where(
            RectificationItem.source_kind == SourceKind(source_kind).value,
            RectificationItem.source_id == source_id,
        )
        .order_by(RectificationItem.id.desc())
        .limit(1)
    )
