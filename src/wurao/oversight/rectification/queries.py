"""Reads of rectification items: who sees which, the list's filters, one item's history and
evidence, and the live totals per subject (found / rectified / overdue) for the page, the
export and the dashboard (F8)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, case, false, func, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.core.errors import InvalidInput, NotFound
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.time import local_today
from wurao.oversight.rectification.models import (
    RectificationEvent,
    RectificationEvidence,
    RectificationItem,
)
from wurao.oversight.rectification.statuses import RectStatus, SourceKind
from wurao.registry.models import EnforcementSubject

NOT_FOUND = "整改事项不存在或不在您的管辖范围内。"


def items_visible_to(actor: Actor) -> Select[RectificationItem]:
    """The supervisor's region, or the subject's own items."""
    stmt = select(RectificationItem)
    if actor.role is Role.SYSADMIN:
        return stmt
    if actor.can(Permission.ALERTS_MANAGE):
        return stmt.where(region_filter(actor, RectificationItem.region_code))
    actor.require(Permission.ALERTS_VIEW)
    if actor.subject_id is None:
        return stmt.where(false())
    return stmt.where(RectificationItem.subject_id == actor.subject_id)


def get_item(session: Session, *, actor: Actor, item_id: int) -> RectificationItem:
    """One item the actor may read (NotFound otherwise, so that no id leaks)."""
    item = session.scalar(items_visible_to(actor).where(RectificationItem.id == item_id))
    if item is None:
        raise NotFound(NOT_FOUND)
    return item


def overdue_filter(today: dt.date) -> ColumnElement[bool]:
    """Items still waiting for the subject past their deadline."""
    return and_(RectificationItem.status == RectStatus.OPEN.value, RectificationItem.due_on < today)


@dataclass(frozen=True)
class ItemFilters:
    """The list's filters, as they appear in the URL."""

    status: str = ""
    source_kind: str = ""
    subject_id: int | None = None
    overdue: bool = False
    q: str = ""


def list_items(
    session: Session,
    *,
    actor: Actor,
    filters: ItemFilters,
    page: int = 1,
    per_page: int = PER_PAGE,
    today: dt.date | None = None,
) -> Page[RectificationItem]:
    """A page of the visible items: the most urgent first (open by deadline, then the rest)."""
    stmt = items_visible_to(actor)
    if filters.status:
        if filters.status not in RectStatus.labels():
            raise InvalidInput("未知的整改状态。", field="status")
        stmt = stmt.where(RectificationItem.status == filters.status)
    if filters.source_kind:
        if filters.source_kind not in SourceKind.labels():
            raise InvalidInput("未知的整改来源。", field="source_kind")
        stmt = stmt.where(RectificationItem.source_kind == filters.source_kind)
    if filters.subject_id is not None:
        stmt = stmt.where(RectificationItem.subject_id == filters.subject_id)
    if filters.overdue:
        stmt = stmt.where(overdue_filter(today or local_today()))
    if filters.q.strip():
        stmt = stmt.where(RectificationItem.title.contains(filters.q.strip(), autoescape=True))
    waiting = case(
        (RectificationItem.status == RectStatus.ANSWERED.value, 0),
        (RectificationItem.status == RectStatus.OPEN.value, 1),
        else_=2,
    )
    stmt = stmt.order_by(waiting, RectificationItem.due_on, RectificationItem.id.desc())
    return paginate(session, stmt, page, per_page)


def history(session: Session, *, item: RectificationItem) -> list[RectificationEvent]:
    """The item's steps, oldest first."""
    stmt = select(RectificationEvent).where(RectificationEvent.item_id == item.id)
    return list(session.scalars(stmt.order_by(RectificationEvent.at, RectificationEvent.id)))


def evidence(session: Session, *, item: RectificationItem) -> list[RectificationEvidence]:
    """The files given with the item's answers."""
    stmt = select(RectificationEvidence).where(RectificationEvidence.item_id == item.id)
    return list(session.scalars(stmt.order_by(RectificationEvidence.id)))


def get_evidence(
    session: Session, *, item: RectificationItem, file_id: int
) -> RectificationEvidence:
    """One evidence file of an item the caller already may read."""
    row = session.get(RectificationEvidence, file_id)
    if row is None or row.item_id != item.id:
        raise NotFound("附件不存在。")
    return row


@dataclass(frozen=True)
class SubjectTotals:
    """One subject's line: items found, accepted (整改销号), waiting, overdue."""

    subject_id: int
    subject_name: str
    found: int
    rectified: int
    answered: int
    open: int
    overdue: int

    @property
    def rate(self) -> float | None:
        """Share of the items found that are rectified (None when none were found)."""
        return self.rectified / self.found if self.found else None


def totals_by_subject(
    session: Session,
    *,
    actor: Actor,
    year: int | None = None,
    source_kind: str = "",
    today: dt.date | None = None,
) -> list[SubjectTotals]:
    """Live totals per subject over the visible items (opened in ``year`` when given); one
    grouped query. Withdrawn items count nowhere: their source no longer stands."""
    today = today or local_today()

    def n(cond: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    visible = items_visible_to(actor).subquery()
    stmt = (
        select(
            visible.c.subject_id,
            EnforcementSubject.name,
            n(visible.c.status != RectStatus.WITHDRAWN.value),
            n(visible.c.status == RectStatus.ACCEPTED.value),
            n(visible.c.status == RectStatus.ANSWERED.value),
            n(visible.c.status == RectStatus.OPEN.value),
            n(and_(visible.c.status == RectStatus.OPEN.value, visible.c.due_on < today)),
        )
        .join(EnforcementSubject, EnforcementSubject.id == visible.c.subject_id)
        .group_by(visible.c.subject_id, EnforcementSubject.name)
        .order_by(EnforcementSubject.name)
    )
    if year is not None:
        if not 2000 <= year <= 2100:
            raise InvalidInput("年份应在2000至2100之间。", field="year")
        stmt = stmt.where(
            visible.c.opened_on >= dt.date(year, 1, 1), visible.c.opened_on <= dt.date(year, 12, 31)
        )
    if source_kind:
        stmt = stmt.where(visible.c.source_kind == SourceKind(source_kind).value)
    return [
        SubjectTotals(int(sid), str(name), int(f), int(r), int(a), int(o), int(od))
        for sid, name, f, r, a, o, od in session.execute(stmt)
    ]


def region_totals(rows: list[SubjectTotals]) -> SubjectTotals:
    """The sum line of a totals table."""
    return SubjectTotals(
        0,
        "合计",
        sum(r.found for r in rows),
        sum(r.rectified for r in rows),
        sum(r.answered for r in rows),
        sum(r.open for r in rows),
        sum(r.overdue for r in rows),
    )


def filter_options() -> dict[str, dict[str, str]]:
    """Labels for the list's filters."""
    return {"status": RectStatus.labels(), "source_kind": SourceKind.labels()}
