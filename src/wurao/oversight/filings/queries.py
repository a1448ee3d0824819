"""Reads of major-decision filings: who sees which, the inbox's filters and counts (due, late,
waiting for review, returned), one filing's history, attached documents and case summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.cases.models import PenaltyCase
from wurao.core.errors import InvalidInput, NotFound
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.time import local_today
from wurao.oversight.filings.models import MajorFiling, MajorFilingDocument, MajorFilingEvent
from wurao.oversight.filings.statuses import WAITING_REVIEW, FilingKind, FilingStatus
from wurao.registry.models import EnforcementSubject

NOT_FOUND = "备案不存在或不在您的管辖范围内。"
WAITING = "waiting"  # the status filter for filed and re-filed alike (待审查)


def filings_visible_to(actor: Actor) -> Select[MajorFiling]:
    """The supervisor's region, or the subject's own filings."""
    stmt = select(MajorFiling)
    if actor.role is Role.SYSADMIN:
        return stmt
    if actor.can(Permission.ALERTS_MANAGE):
        return stmt.where(region_filter(actor, MajorFiling.region_code))
    actor.require(Permission.CASES_VIEW)
    if actor.subject_id is None:
        return stmt.where(false())
    return stmt.where(MajorFiling.subject_id == actor.subject_id)


def get_filing(session: Session, *, actor: Actor, filing_id: int) -> MajorFiling:
    """One filing the actor may read (NotFound otherwise, so that no id leaks)."""
    filing = session.scalar(filings_visible_to(actor).where(MajorFiling.id == filing_id))
    if filing is None:
        raise NotFound(NOT_FOUND)
    return filing


def late_filter(today: dt.date) -> ColumnElement[bool]:
    """Not filed by the deadline: still unfiled past it, or first filed after it (D25)."""
    f = MajorFiling
    return and_(
        f.due_on.is_not(None),
        or_(and_(f.filed_on.is_(None), f.due_on < today), f.filed_on > f.due_on),
    )


def filing_for_case(session: Session, *, actor: Actor, case_id: int) -> MajorFiling | None:
    """The penalty filing of a case, if the actor may see it (the case page's line)."""
    return session.scalar(
        filings_visible_to(actor).where(
            MajorFiling.kind == FilingKind.PENALTY.value, MajorFiling.source_id == case_id
        )
    )


@dataclass(frozen=True)
class FilingFilters:
    """The list's filters, as they appear in the URL."""

    status: str = ""
    kind: str = ""
    subject_id: int | None = None
    late: bool = False
    q: str = ""


def list_filings(
    session: Session,
    *,
    actor: Actor,
    filters: FilingFilters,
    page: int = 1,
    per_page: int = PER_PAGE,
    today: dt.date | None = None,
) -> Page[MajorFiling]:
    """A page of the visible filings: waiting for review first, then due by deadline, then
    returned, then the accepted ones."""
    stmt = filings_visible_to(actor)
    if filters.status == WAITING:
        stmt = stmt.where(MajorFiling.status.in_(sorted(s.value for s in WAITING_REVIEW)))
    elif filters.status:
        if filters.status not in FilingStatus.labels():
            raise InvalidInput("未知的备案状态。", field="status")
        stmt = stmt.where(MajorFiling.status == filters.status)
    if filters.kind:
        if filters.kind not in FilingKind.labels():
            raise InvalidInput("未知的备案类别。", field="kind")
        stmt = stmt.where(MajorFiling.kind == filters.kind)
    if filters.subject_id is not None:
        stmt = stmt.where(MajorFiling.subject_id == filters.subject_id)
    if filters.late:
        stmt = stmt.where(late_filter(today or local_today()))
    if filters.q.strip():
        stmt = stmt.where(MajorFiling.title.contains(filters.q.strip(), autoescape=True))
    S = FilingStatus
    order = case(
        (MajorFiling.status.in_([S.FILED.value, S.REFILED.value]), 0),
        (MajorFiling.status == S.DUE.value, 1),
        (MajorFiling.status == S.RETURNED.value, 2),
        else_=3,
    )
    stmt = stmt.order_by(order, MajorFiling.due_on, MajorFiling.id.desc())
    return paginate(session, stmt, page, per_page)


@dataclass(frozen=True)
class Counts:
    """The inbox's figures over the visible filings."""

    due: int  # not filed yet
    late: int  # not filed by the deadline (D25), filed since or not
    waiting: int  # filed or re-filed, waiting for the supervisor's review
    returned: int  # returned with a 监督意见, not filed again yet
    accepted: int


def counts(session: Session, *, actor: Actor, today: dt.date | None = None) -> Counts:
    """The figures of the inbox's head, in one grouped query."""
    visible = filings_visible_to(actor).subquery()
    day = today or local_today()
    S = FilingStatus

    def n(cond: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    c = visible.c
    late = and_(
        c.due_on.is_not(None),
        or_(and_(c.filed_on.is_(None), c.due_on < day), c.filed_on > c.due_on),
    )
    row = session.execute(
        select(
            n(c.status == S.DUE.value),
            n(late),
            n(c.status.in_([S.FILED.value, S.REFILED.value])),
            n(c.status == S.RETURNED.value),
            n(c.status == S.ACCEPTED.value),
        )
    ).one()
    return Counts(*(int(v) for v in row))


def history(session: Session, *, filing: MajorFiling) -> list[MajorFilingEvent]:
    """The filing's steps, oldest first."""
    stmt = select(MajorFilingEvent).where(MajorFilingEvent.filing_id == filing.id)
    return list(session.scalars(stmt.order_by(MajorFilingEvent.at, MajorFilingEvent.id)))


def documents(session: Session, *, filing: MajorFiling) -> list[MajorFilingDocument]:
    """The case file as attached at the latest step that attached one (creation or filing)."""
    latest = (
        select(func.max(MajorFilingDocument.event_id))
        .where(MajorFilingDocument.filing_id == filing.id)
        .scalar_subquery()
    )
    stmt = select(MajorFilingDocument).where(
        MajorFilingDocument.filing_id == filing.id, MajorFilingDocument.event_id == latest
    )
    return list(session.scalars(stmt.order_by(MajorFilingDocument.id)))


def case_of(session: Session, filing: MajorFiling) -> PenaltyCase | None:
    """The penalty case the filing links to, if any (read through a filing already visible)."""
    return session.get(PenaltyCase, filing.case_id) if filing.case_id is not None else None


def subject_names(session: Session, ids: set[int]) -> dict[int, str]:
    """The names of the subjects of a page of filings, in one query."""
    if not ids:
        return {}
    stmt = select(EnforcementSubject.id, EnforcementSubject.name).where(
        EnforcementSubject.id.in_(sorted(ids))
    )
    return {int(i): str(n) for i, n in session.execute(stmt)}


def filter_options() -> dict[str, dict[str, str]]:
    """Labels for the list's filters."""
    return {"status": FilingStatus.labels(), "kind": FilingKind.labels()}
