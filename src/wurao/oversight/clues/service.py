"""The clue loop's writes and reads: who sees a clue, and each step from receipt to closure.

Every step is one verb that checks the actor, advances the lifecycle (statuses.py), appends a
``clue_event`` and writes the audit entry in the same transaction; routing, 督办 and a return
also put a message in the subject's inbox. The subject answers; only the supervisor closes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.audit import AuditActor
from wurao.core.db import Base
from wurao.core.errors import Forbidden, InvalidInput, NotFound
from wurao.core.ids import IdentifierError, validate_uscc
from wurao.core.time import local_today, utcnow
from wurao.inspections.models import InspectionTask
from wurao.oversight.clues import routing
from wurao.oversight.clues.queries import NOT_FOUND
from wurao.oversight.clues.statuses import (
    ACTION_LABELS,
    CLUE_LIFECYCLE,
)
from wurao.oversight.models import Clue, ClueAttachment, ClueEvent, InboxMessage
from wurao.registry.models import EnforcementSubject, Enterprise

MAX_FILE = 10 * 1024 * 1024
MAX_FILES = 5


# --- who may do what ------------------------------------------------------------------------


def may_supervise(actor: Actor, clue: Clue) -> bool:
    """Whether the actor is the supervisor of the clue's region (routes, 督办, closes)."""
    return actor.can(Permission.CLUES_VIEW) and actor.covers_region(clue.region_code)


def may_answer(actor: Actor, clue: Clue) -> bool:
    """Whether the actor answers for the subject the clue was routed to."""
    if not actor.can(Permission.ALERTS_RESPOND):
        return False
    return actor.role is Role.SYSADMIN or (
        actor.subject_id is not None and actor.subject_id == clue.subject_id
    )


def _supervisor(actor: Actor, clue: Clue) -> None:
    if not may_supervise(actor, clue):
        if actor.can(Permission.CLUES_VIEW):
            raise NotFound(NOT_FOUND)
        raise Forbidden(
            "只有执法监督机构可以交办、督办、核实或办结线索；执法主体答复后由监督机构核实办结。"
        )


def allowed_actions(actor: Actor, clue: Clue) -> list[str]:
    """The actions the page offers this viewer on this clue, in the lifecycle's order."""
    mine = [
        a
        for a in ("handle", "classify", "route", "supervise", "accept", "return", "close")
        if may_supervise(actor, clue)
    ]
    if may_supervise(actor, clue):
        mine.append("follow_up")
    if may_answer(actor, clue):
        mine.append("answer")
    return [a for a in mine if CLUE_LIFECYCLE.can(clue, a)]


# --- steps ----------------------------------------------------------------------------------


def text(value: str, *, limit: int, field: str, label: str, required: bool = False) -> str:
    """A stripped text within its length, or InvalidInput naming the field in Chinese."""
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过{limit}个字。", field=field)
    return value


def new_event(
    session: Session, *, clue: Clue, actor: AuditActor, action: str, note: str = ""
) -> ClueEvent:
    """Append a step to the clue's history (the caller's audit entry must cover it)."""
    session.flush()
    event = ClueEvent(
        clue_id=clue.id,
        at=utcnow(),
        actor_id=actor.user_id,
        actor_name=actor.display_name,
        action=action,
        status=clue.status,
        note=note,
        due_on=clue.due_on,
    )
    session.add(event)
    session.flush()
    return event


def record_step(
    session: Session,
    *,
    clue: Clue,
    actor: AuditActor,
    action: str,
    note: str = "",
    before: dict[str, object] | None = None,
    also: tuple[Base, ...] = (),
    audit_action: str = "",
) -> ClueEvent:
    """Append the step to the clue's history and write its audit entry (one per step)."""
    event = new_event(session, clue=clue, actor=actor, action=action, note=note)
    audit.record(
        session,
        actor=actor,
        action=audit_action or f"clue.{action}",
        obj=clue,
        before=before,
        summary=f"线索{ACTION_LABELS[action]}：{clue.reference or clue.id}",
        region_code=clue.region_code,
        covers=(event, *also),
    )
    return event


def received(session: Session, *, clue: Clue, actor: AuditActor, note: str = "") -> ClueEvent:
    """The first step of a clue just added to the session (any channel)."""
    session.flush()
    return record_step(session, clue=clue, actor=actor, action="receive", note=note)


def _notify(session: Session, clue: Clue, title: str, body: str) -> InboxMessage:
    assert clue.subject_id is not None
    msg = InboxMessage(
        subject_id=clue.subject_id,
        kind="clue",
        title=title[:200],
        body=body,
        link=f"/oversight/clues/{clue.id}",
        created_at=utcnow(),
    )
    session.add(msg)
    session.flush()
    return msg


def handle(session: Session, *, clue: Clue, actor: Actor, note: str) -> Clue:
    """The supervisor records that it works the clue itself (处理中), with a note."""
    _supervisor(actor, clue)
    CLUE_LIFECYCLE.check(clue, "handle")
    body = text(note, limit=4000, field="note", label="处理说明", required=True)
    before = audit.snapshot(clue)
    CLUE_LIFECYCLE.advance(clue, "handle")
    _note(clue, actor, "handle", body)
    record_step(session, clue=clue, actor=actor, action="handle", note=body, before=before)
    return clue


def _note(clue: Clue, actor: Actor, action: str, body: str) -> None:
    """The supervisor's running notes on the clue (kept for the list and older pages)."""
    entry = f"[{local_today().isoformat()} {actor.display_name} {ACTION_LABELS[action]}] {body}"
    clue.handled_note = f"{clue.handled_note}\n{entry}".strip()
    clue.handled_by_id = actor.user_id


def classify(
    session: Session,
    *,
    clue: Clue,
    actor: Actor,
    problem_type: str,
    enterprise_uscc: str = "",
    task_id: int | None = None,
    note: str = "",
) -> Clue:
    """Set the problem type and link the enterprise and inspection task where they are known."""
    _supervisor(actor, clue)
    CLUE_LIFECYCLE.check(clue, "classify")
    types = routing.problem_types(clue.region_code, local_today())
    if problem_type not in types:
        raise InvalidInput("请选择问题类型。", field="problem_type")
    extra = text(note, limit=2000, field="note", label="备注")
    before = audit.snapshot(clue)
    clue.problem_type = problem_type
    link_enterprise(session, clue=clue, uscc=enterprise_uscc)
    if task_id is not None:
        task = session.get(InspectionTask, task_id)
        if task is None or not actor.covers_region(task.region_code):
            raise InvalidInput("检查任务不存在或不在本地区。", field="task_id")
        clue.task_id = task.id
        clue.enterprise_id = clue.enterprise_id or task.enterprise_id
    note = f"问题类型：{types[problem_type]}。{extra}".rstrip("。") + "。"
    record_step(session, clue=clue, actor=actor, action="classify", note=note, before=before)
    return clue


def link_enterprise(session: Session, *, clue: Clue, uscc: str) -> Enterprise | None:
    """Link the registered enterprise by USCC, or by the exact name already on the clue."""
    raw = uscc.strip().upper()
    if raw:
        try:
            code = validate_uscc(raw)
        except IdentifierError as exc:
            raise InvalidInput(exc.reason, field="enterprise_uscc") from exc
        clue.enterprise_uscc = code
    ent: Enterprise | None = None
    if clue.enterprise_uscc:
        ent = session.scalar(select(Enterprise).where(Enterprise.uscc == clue.enterprise_uscc))
    elif clue.enterprise_name:
        found = session.scalars(
            select(Enterprise).where(Enterprise.name == clue.enterprise_name).limit(2)
        ).all()
        ent = found[0] if len(found) == 1 else None
    if ent is not None:
        clue.enterprise_id = ent.id
        clue.enterprise_uscc = ent.uscc
        clue.enterprise_name = clue.enterprise_name or ent.name
    return ent


def route(
    session: Session,
    *,
    clue: Clue,
    actor: Actor,
    subject: EnforcementSubject,
    note: str = "",
    today: dt.date | None = None,
) -> Clue:
    """Send the clue to a subject with its deadline (working days, policy) and tell its inbox."""
    _supervisor(actor, clue)
    if not actor.covers_region(subject.region_code):
        raise InvalidInput("只能交办本地区的执法主体。", field="subject_id")
    CLUE_LIFECYCLE.check(clue, "route")
    day = today or local_today()
    body = text(note, limit=2000, field="note", label="交办意见")
    before = audit.snapshot(clue)
    CLUE_LIFECYCLE.advance(clue, "route")
    clue.subject_id = subject.id
    clue.routed_on = day
    clue.due_on = routing.due_on(day, clue.region_code)
    msg = _notify(
        session,
        clue,
        f"监督线索交办：{clue.enterprise_name or clue.reference}",
        f"请于{clue.due_on.isoformat()}前办理并答复。{body}",
    )
    record_step(
        session, clue=clue, actor=actor, action="route", note=body, before=before, also=(msg,)
    )
    return clue


def supervise(
    session: Session, *, clue: Clue, actor: Actor, note: str, today: dt.date | None = None
) -> Clue:
    """督办: the supervisor presses the subject on a late clue (recorded, sent to its inbox)."""
    _supervisor(actor, clue)
    CLUE_LIFECYCLE.check(clue, "supervise")
    day = today or local_today()
    late = routing.overdue_days(clue, day)
    if late <= 0:
        raise InvalidInput("线索尚未超过办理期限，不能督办。", field="note")
    body = text(note, limit=2000, field="note", label="督办意见", required=True)
    before = audit.snapshot(clue)
    clue.supervised_times += 1
    msg = _notify(
        session,
        clue,
        f"督办通知：线索{clue.reference}已超期{late}个工作日",
        body,
    )
    record_step(
        session, clue=clue, actor=actor, action="supervise", note=body, before=before, also=(msg,)
    )
    return clue


@dataclass(frozen=True)
class Upload:
    """One evidence file as received."""

    filename: str
    content_type: str
    data: bytes


def answer(
    session: Session, *, clue: Clue, actor: Actor, body: str, files: tuple[Upload, ...] = ()
) -> Clue:
    """The subject answers with what it did and its evidence; the clue waits for 核实."""
    if not may_answer(actor, clue):
        raise Forbidden("只有被交办的执法主体可以答复此线索。")
    CLUE_LIFECYCLE.check(clue, "answer")
    words = text(body, limit=4000, field="body", label="办理情况", required=True)
    kept = [f for f in files if f.data]
    if len(kept) > MAX_FILES:
        raise InvalidInput(f"最多上传{MAX_FILES}个附件。", field="files")
    for f in kept:
        if len(f.data) > MAX_FILE:
            raise InvalidInput(f"附件“{f.filename}”超过10MB。", field="files")
    before = audit.snapshot(clue)
    CLUE_LIFECYCLE.advance(clue, "answer")
    clue.answer = words
    clue.answered_at = utcnow()
    event = record_step(session, clue=clue, actor=actor, action="answer", note=words, before=before)
    for f in kept:
        row = ClueAttachment(
            clue_id=clue.id,
            event_id=event.id,
            filename=f.filename[:200] or "附件",
            content_type=f.content_type[:100],
            size=len(f.data),
            sha256=hashlib.sha256(f.data).hexdigest(),
            content=f.data,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="clue.evidence",
            obj=row,
            summary=f"线索{clue.reference}答复附件：{row.filename}（SHA-256 {row.sha256}）",
            region_code=clue.region_code,
        )
    return clue


def accept(session: Session, *, clue: Clue, actor: Actor, note: str) -> Clue:
    """The supervisor verifies the subject's answer and closes the clue (核实办结)."""
    return _finish(session, clue=clue, actor=actor, note=note, action="accept")


def close(session: Session, *, clue: Clue, actor: Actor, note: str, audit_action: str = "") -> Clue:
    """The supervisor closes a clue it handled itself (e.g. 查无实据)."""
    return _finish(
        session, clue=clue, actor=actor, note=note, action="close", audit_action=audit_action
    )


def _finish(
    session: Session, *, clue: Clue, actor: Actor, note: str, action: str, audit_action: str = ""
) -> Clue:
    _supervisor(actor, clue)
    CLUE_LIFECYCLE.check(clue, action)
    body = text(note, limit=4000, field="note", label="办结意见", required=True)
    before = audit.snapshot(clue)
    CLUE_LIFECYCLE.advance(clue, action)
    clue.closed_at = utcnow()
    _note(clue, actor, action, body)
    record_step(
        session,
        clue=clue,
        actor=actor,
        action=action,
        note=body,
        before=before,
        audit_action=audit_action,
    )
    return clue


def send_back(
    session: Session, *, clue: Clue, actor: Actor, note: str, today: dt.date | None = None
) -> Clue:
    """The supervisor returns an answer it does not accept; a new deadline runs from today."""
    _supervisor(actor, clue)
    CLUE_LIFECYCLE.check(clue, "return")
    body = text(note, limit=2000, field="note", label="退回理由", required=True)
    day = today or local_today()
    before = audit.snapshot(clue)
    CLUE_LIFECYCLE.advance(clue, "return")
    clue.routed_on = day
    clue.due_on = routing.due_on(day, clue.region_code)
    msg = _notify(session, clue, f"线索答复被退回：{clue.reference}", body)
    record_step(
        session, clue=clue, actor=actor, action="return", note=body, before=before, also=(msg,)
    )
    return clue


def follow_up(session: Session, *, clue: Clue, actor: Actor, note: str) -> Clue:
    """Record the 回访 of the reporter (what they said about how it was handled)."""
    _supervisor(actor, clue)
    CLUE_LIFECYCLE.check(clue, "follow_up")
    body = text(note, limit=2000, field="note", label="回访情况", required=True)
    before = audit.snapshot(clue)
    stamp = local_today().isoformat()
    clue.follow_up = f"{clue.follow_up}\n[{stamp}] {body}".strip()
    clue.followed_up_at = utcnow()
    record_step(session, clue=clue, actor=actor, action="follow_up", note=body, before=before)
    return clue
