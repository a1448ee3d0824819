"""Reading clues: who sees which (the supervisor its region, a subject what was routed to it),
the filtered list, a clue's history and evidence, and the subjects a clue may be routed to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session, defer

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.cases.models import PenaltyCase
from wurao.core.errors import InvalidInput, NotFound
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.time import local_today
from wurao.oversight.clues import routing
from wurao.oversight.clues.statuses import ClueSource, ClueStatus
from wurao.oversight.models import Clue, ClueAttachment, ClueEvent
from wurao.registry.models import EnforcementSubject

NOT_FOUND = "线索不存在或不在您的管辖范围内。"


def clues_visible_to(actor: Actor) -> Select[Clue]:
    """The clues the actor may read: the supervisor's region, or those routed to a subject."""
    stmt = select(Clue)
    if actor.role is Role.SYSADMIN:
        return stmt
    if actor.can(Permission.CLUES_VIEW):
        return stmt.where(region_filter(actor, Clue.region_code))
    actor.require(Permission.ALERTS_VIEW)
    if actor.subject_id is None:
        return stmt.where(false())
    return stmt.where(Clue.subject_id == actor.subject_id, Clue.routed_on.is_not(None))


def get_clue(session: Session, *, actor: Actor, clue_id: int) -> Clue:
    """One clue, if the actor may read it (NotFound otherwise, so that no id leaks)."""
    clue = session.scalar(clues_visible_to(actor).where(Clue.id == clue_id))
    if clue is None:
        raise NotFound(NOT_FOUND)
    return clue


@dataclass(frozen=True)
class ClueFilters:
    """The list's filters, as they appear in the URL."""

    source: str = ""
    problem_type: str = ""
    status: str = ""
    overdue: bool = False
    subject_id: int | None = None
    q: str = ""


def list_clues(
    session: Session,
    *,
    actor: Actor,
    filters: ClueFilters,
    page: int = 1,
    per_page: int = PER_PAGE,
    today: dt.date | None = None,
) -> Page[Clue]:
    """A page of the clues the actor may read, newest first, filtered as the URL says."""
    stmt = clues_visible_to(actor)
    if filters.status:
        if filters.status not in ClueStatus.labels():
            raise InvalidInput("未知的线索状态。", field="status")
        stmt = stmt.where(Clue.status == filters.status)
    if filters.source:
        if filters.source not in ClueSource.labels():
            raise InvalidInput("未知的线索来源。", field="source")
        stmt = stmt.where(Clue.source == filters.source)
    if filters.problem_type:
        stmt = stmt.where(Clue.problem_type == filters.problem_type)
    if filters.overdue:
        stmt = stmt.where(routing.overdue_filter(today or local_today()))
    if filters.subject_id is not None:
        stmt = stmt.where(Clue.subject_id == filters.subject_id)
    if filters.q.strip():
        q = filters.q.strip()
        stmt = stmt.where(
            or_(
                Clue.enterprise_name.contains(q, autoescape=True),
                Clue.work_order_no == q,
                Clue.reference == q.upper(),
            )
        )
    stmt = stmt.order_by(Clue.created_at.desc(), Clue.id.desc())
    return paginate(session, stmt, page, per_page)


def history(session: Session, *, clue: Clue) -> list[ClueEvent]:
    """The clue's steps, oldest first."""
    stmt = select(ClueEvent).where(ClueEvent.clue_id == clue.id)
    return list(session.scalars(stmt.order_by(ClueEvent.at, ClueEvent.id)))


def attachments(session: Session, *, clue: Clue) -> list[ClueAttachment]:
    """The evidence files of the clue's answers."""
    stmt = select(ClueAttachment).where(ClueAttachment.clue_id == clue.id)
    stmt = stmt.options(defer(ClueAttachment.content))  # the page lists names, not bytes
    return list(session.scalars(stmt.order_by(ClueAttachment.id)))


def get_attachment(session: Session, *, clue: Clue, file_id: int) -> ClueAttachment:
    """One evidence file of a clue the caller already may read."""
    found = session.get(ClueAttachment, file_id)
    if found is None or found.clue_id != clue.id:
        raise NotFound("附件不存在。")
    return found


def routable_subjects(session: Session, *, actor: Actor) -> list[EnforcementSubject]:
    """The subjects of the supervisor's region a clue may be routed to, by name."""
    actor.require(Permission.CLUES_VIEW)
    stmt = select(EnforcementSubject).where(region_filter(actor, EnforcementSubject.region_code))
    return list(session.scalars(stmt.order_by(EnforcementSubject.name).limit(2000)))


def get_subject(session: Session, *, actor: Actor, subject_id: int | None) -> EnforcementSubject:
    """A subject of the supervisor's region (InvalidInput beside the field otherwise)."""
    subject = session.get(EnforcementSubject, subject_id) if subject_id else None
    if subject is None or not actor.covers_region(subject.region_code):
        raise InvalidInput("请选择本地区的执法主体。", field="subject_id")
    return subject


def linked_cases(session: Session, *, clue: Clue) -> list[tuple[int, str]]:
    """The penalty cases opened from this clue (id, number): a case names its clue."""
    stmt = select(PenaltyCase.id, PenaltyCase.number).where(PenaltyCase.clue_id == clue.id)
    return [(i, n) for i, n in session.execute(stmt.order_by(PenaltyCase.id))]
