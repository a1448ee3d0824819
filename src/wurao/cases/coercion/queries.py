"""Reads of the measure list and the measure page.

The list filters by status and by the stored last day (``ends_on``: expiring within 7 days,
overdue), then holds each row of the page to the clock itself — the testing periods of the
whole page are read in one statement.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.cases.clocks import Deadline
from wurao.cases.coercion import clocks
from wurao.cases.coercion.access import enforcements_visible_to, measures_visible_to
from wurao.cases.coercion.models import CoercionPause, CoerciveEnforcement, CoerciveMeasure
from wurao.cases.coercion.statuses import RUNNING, MeasureStatus
from wurao.core.errors import InvalidInput
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.workdays import UnknownCalendarYear

SOON_DAYS = 7
DUE_FILTERS = {"week": "7日内到期", "overdue": "已逾期未解除"}


@dataclass(frozen=True)
class MeasureRow:
    """One measure as the list shows it."""

    measure: CoerciveMeasure
    deadline: Deadline | None  # the 30(+30)-day period once in force
    expired: bool  # in force after its last day: release now

    @property
    def state(self) -> str:
        """The state in Chinese (期限届满，应立即解除 for an expired one)."""
        return clocks.status_label(self.measure, self.expired)


def _running() -> list[str]:
    return sorted(s.value for s in RUNNING)


def pauses_by_measure(session: Session, ids: list[int]) -> dict[int, list[CoercionPause]]:
    """The testing periods of many measures in one statement."""
    out: dict[int, list[CoercionPause]] = defaultdict(list)
    if ids:
        stmt = select(CoercionPause).where(CoercionPause.measure_id.in_(ids))
        for p in session.scalars(stmt.order_by(CoercionPause.starts_on, CoercionPause.id)):
            out[p.measure_id].append(p)
    return out


def row_of(
    session: Session, m: CoerciveMeasure, today: dt.date, rows: list[CoercionPause]
) -> MeasureRow:
    """The measure's period deadline and whether it expired (a year without its holiday
    schedule shows no deadline rather than a guessed one)."""
    try:
        found = clocks.measure_deadlines(session, m, today, rows)
    except UnknownCalendarYear:
        return MeasureRow(m, None, False)
    period = found[-1] if found else None
    return MeasureRow(m, period, clocks.expired(m, rows, today))


def list_measures(
    session: Session,
    *,
    actor: Actor,
    today: dt.date,
    status: str = "",
    due: str = "",
    case_id: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[MeasureRow]:
    """The measures the actor may read, filtered (status, 7 days, overdue, case) and paged."""
    m = CoerciveMeasure
    stmt = measures_visible_to(actor)
    if status:
        if status not in MeasureStatus.labels():
            raise InvalidInput("状态不正确。", field="status")
        stmt = stmt.where(m.status == status)
    if case_id is not None:
        stmt = stmt.where(m.case_id == case_id)
    if due == "week":
        soon = today + dt.timedelta(days=SOON_DAYS)
        stmt = stmt.where(m.status.in_(_running()), m.ends_on >= today, m.ends_on <= soon)
    elif due == "overdue":
        stmt = stmt.where(m.status.in_(_running()), m.ends_on < today)
    elif due:
        raise InvalidInput("期限筛选不正确。", field="due")
    found = paginate(session, stmt.order_by(m.id.desc()), page, per_page)
    loaded = pauses_by_measure(session, [x.id for x in found.items])
    return found.map(lambda x: row_of(session, x, today, loaded.get(x.id, [])))


def list_enforcements(
    session: Session, *, actor: Actor, page: int = 1, per_page: int = PER_PAGE
) -> Page[CoerciveEnforcement]:
    """The enforcements the actor may read, newest first."""
    stmt = enforcements_visible_to(actor).order_by(CoerciveEnforcement.id.desc())
    return paginate(session, stmt, page, per_page)


def measures_of_case(session: Session, *, actor: Actor, case_id: int) -> list[CoerciveMeasure]:
    """The measures taken within a case (for the case page)."""
    stmt = measures_visible_to(actor).where(CoerciveMeasure.case_id == case_id)
    return list(session.scalars(stmt.order_by(CoerciveMeasure.id)))
