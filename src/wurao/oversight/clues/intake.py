"""Clues typed in by hand (司法建议, 行政检察, 信访, 媒体, 司法所走访), sent by another system
(the Open311-style API), and what a reporter may see of theirs by its reference."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput, NotFound
from wurao.core.time import local_date, local_today, utcnow
from wurao.oversight.clues import routing, service
from wurao.oversight.clues.statuses import MANUAL, ClueSource, ClueStatus
from wurao.oversight.models import Clue, ClueEvent

REFERENCE = re.compile(r"XS[2-9A-HJKMNP-Z]{10}")
# Steps a reporter sees on the status page (a status change, never a note or a name).
PUBLIC_STEPS = {"receive", "handle", "route", "answer", "accept", "return", "close"}


@dataclass(frozen=True)
class ClueInput:
    """A clue as a clerk or another system describes it."""

    source: str
    description: str
    enterprise_name: str = ""
    enterprise_uscc: str = ""
    subject_text: str = ""
    reporter_name: str = ""
    reporter_contact: str = ""
    work_order_no: str = ""
    problem_type: str = ""
    received_on: dt.date | None = None


def create(session: Session, *, actor: Actor, data: ClueInput, api: bool = False) -> Clue:
    """Register a clue in the supervisor's region from a manual channel (or the API)."""
    actor.require(Permission.CLUES_VIEW)
    allowed = {ClueSource.API.value} if api else {s.value for s in MANUAL}
    if data.source not in allowed:
        names = "、".join(s.label for s in MANUAL)
        raise InvalidInput(f"请选择线索来源（{names}）。", field="source")
    what = service.text(
        data.description, limit=4000, field="description", label="线索内容", required=True
    )
    today = local_today()
    if data.received_on is not None and data.received_on > today:
        raise InvalidInput("收到日期不能晚于今天。", field="received_on")
    types = routing.problem_types(actor.region_code, today)
    if data.problem_type and data.problem_type not in types:
        raise InvalidInput("未知的问题类型。", field="problem_type")
    clue = Clue(
        source=data.source,
        region_code=actor.region_code,
        enterprise_name=service.text(
            data.enterprise_name, limit=200, field="enterprise_name", label="企业名称"
        ),
        subject_text=service.text(
            data.subject_text, limit=200, field="subject_text", label="被反映单位"
        ),
        description=what,
        reporter_name=service.text(
            data.reporter_name, limit=50, field="reporter_name", label="反映人"
        ),
        reporter_contact=service.text(
            data.reporter_contact, limit=100, field="reporter_contact", label="联系方式"
        ),
        work_order_no=service.text(
            data.work_order_no, limit=60, field="work_order_no", label="文书或工单编号"
        ),
        problem_type=data.problem_type,
        received_at=(
            dt.datetime.combine(data.received_on, dt.time(12), tzinfo=dt.UTC)
            if data.received_on
            else None
        ),
        status=ClueStatus.NEW.value,
        created_at=utcnow(),
    )
    ent = service.link_enterprise(session, clue=clue, uscc=data.enterprise_uscc)
    if ent is not None and actor.covers_region(ent.region_code):
        clue.region_code = ent.region_code  # the enterprise's town or county, within the scope
    session.add(clue)
    service.received(session, clue=clue, actor=actor)
    return clue


@dataclass(frozen=True)
class PublicStep:
    """One dated status change as the reporter sees it."""

    on: dt.date
    label: str


@dataclass(frozen=True)
class PublicStatus:
    """All a reporter learns: the reference, the channel, the status and its dates."""

    reference: str
    source_label: str
    status_label: str
    received_on: dt.date
    due_on: dt.date | None
    closed_on: dt.date | None
    steps: list[PublicStep]


def public_status(session: Session, *, reference: str) -> PublicStatus:
    """A clue's status by its reference, with no note, name or other person's data."""
    ref = reference.strip().upper()
    clue = (
        session.scalar(select(Clue).where(Clue.reference == ref))
        if REFERENCE.fullmatch(ref)
        else None
    )
    if clue is None:
        raise NotFound("未找到该编号的线索，请核对后重试。")
    events = session.scalars(
        select(ClueEvent)
        .where(ClueEvent.clue_id == clue.id, ClueEvent.action.in_(PUBLIC_STEPS))
        .order_by(ClueEvent.at, ClueEvent.id)
    ).all()
    status = ClueStatus(clue.status)
    return PublicStatus(
        reference=ref,
        source_label=ClueSource(clue.source).label,
        status_label=status.label,
        received_on=local_date(clue.created_at),
        due_on=clue.due_on if status is ClueStatus.ROUTED else None,
        closed_on=local_date(clue.closed_at) if clue.closed_at else None,
        steps=[PublicStep(local_date(e.at), ClueStatus(e.status).label) for e in events],
    )
