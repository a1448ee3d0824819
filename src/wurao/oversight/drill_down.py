"""The inspections behind a figure of the dashboard (/oversight/indicator/{name}).

The list is read from the records with the dashboard's definitions; its total comes from the
kept figures whenever they hold it exactly (the region's days, a subject's whole months, an
enterprise's year), so that a prefecture's list does not count ninety thousand records to
show fifty. Tests hold the two counts equal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor, region_in_scope
from wurao.core.errors import Forbidden
from wurao.core.paging import LONG_PER_PAGE, Page, paginate_rows
from wurao.core.time import local_today
from wurao.inspections.models import InspectionRecord, InspectionTask, TaskSubject
from wurao.oversight.dashboard import INDICATORS, actor_prefix, base, subject_count
from wurao.oversight.indicators import NONSITE, PROBLEM
from wurao.oversight.models import IndicatorDay, IndicatorEnterpriseYear, IndicatorSubjectMonth
from wurao.registry.models import Enterprise


def _column(model: Any, name: str) -> Any:
    if name == "onsite":
        return model.inspections - model.nonsite
    return getattr(model, name)


def kept_total(
    session: Session,
    *,
    prefix: str,
    name: str,
    start: dt.date,
    end: dt.date,
    subject_id: int | None,
    enterprise_id: int | None,
) -> int | None:
    """The figure's count from the kept tables, or None when they cannot give it exactly."""
    if enterprise_id is not None:
        whole_year = (start.month, start.day) == (1, 1) and end >= min(
            local_today(), dt.date(start.year, 12, 31)
        )
        if name != "inspections" or subject_id is not None or not whole_year:
            return None
        e = IndicatorEnterpriseYear
        stmt = select(func.sum(e.inspections)).where(
            e.year == start.year,
            e.enterprise_id == enterprise_id,
            region_in_scope(e.region_code, prefix),
        )
    elif subject_id is not None:
        m = IndicatorSubjectMonth
        month_end = (end + dt.timedelta(days=1)).day == 1
        if start.day != 1 or (not month_end and end < local_today()):
            return None  # not whole months (the current month counts up to today)
        stmt = select(func.sum(_column(m, name))).where(
            m.subject_id == subject_id,
            region_in_scope(m.region_code, prefix),
            m.month >= start,
            m.month <= end.replace(day=1),
        )
    else:
        d = IndicatorDay
        stmt = select(func.sum(_column(d, name))).where(
            region_in_scope(d.region_code, prefix), d.day >= start, d.day <= end
        )
    return int(session.scalar(stmt) or 0)


def indicator_tasks(
    session: Session,
    *,
    actor: Actor,
    name: str,
    year: int,
    subject_id: int | None = None,
    month: int | None = None,
    enterprise_id: int | None = None,
    until: dt.date | None = None,
    page: int = 1,
    per_page: int = LONG_PER_PAGE,
) -> Page[tuple[InspectionTask, InspectionRecord, int, str]]:
    """The inspections behind a figure (drill-down): task, record, subjects, enterprise name."""
    prefix = actor_prefix(actor)
    if name not in INDICATORS:
        raise Forbidden("未知指标。")
    start, end = dt.date(year, 1, 1), min(local_today(), dt.date(year, 12, 31))
    if until is not None and until.year == year:
        end = min(end, until)
    if month:
        start = dt.date(year, month, 1)
        end = min(end, (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))
    n = subject_count()
    stmt = base(None, start, end, InspectionTask, InspectionRecord, n).where(
        region_in_scope(InspectionTask.region_code, prefix)
    )
    extra: ColumnElement[bool] = true()
    if name == "joint":
        extra = n >= 2
    elif name == "nonsite":
        extra = InspectionTask.method.in_(NONSITE)
    elif name == "onsite":
        extra = InspectionTask.method.not_in(NONSITE)
    elif name == "problem":
        extra = InspectionRecord.outcome.in_(PROBLEM)
    stmt = stmt.where(extra)
    if subject_id is not None:
        stmt = stmt.where(
            InspectionTask.id.in_(
                select(TaskSubject.task_id).where(TaskSubject.subject_id == subject_id)
            )
        )
    if enterprise_id is not None:
        stmt = stmt.where(InspectionTask.enterprise_id == enterprise_id)
    total = kept_total(
        session,
        prefix=prefix,
        name=name,
        start=start,
        end=end,
        subject_id=subject_id,
        enterprise_id=enterprise_id,
    )
    found = paginate_rows(
        session,
        stmt.add_columns(Enterprise.name)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .order_by(InspectionRecord.finished_at, InspectionTask.id),
        page,
        per_page,
        total=total,  # None: counted from the records
    )
    return found.map(lambda row: (row[0], row[1], int(row[2]), row[3]))
