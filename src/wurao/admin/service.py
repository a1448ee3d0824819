"""System administration: the working-day calendar table and the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.core import audit, workdays
from wurao.core import rules as catalogue
from wurao.core.errors import InvalidInput
from wurao.core.holidays import ScheduleDay, schedule_due
from wurao.core.models import AuditEntry, CalendarDay, CalendarYear
from wurao.core.paging import LONG_PER_PAGE, Page, paginate
from wurao.core.policy import get_policy
from wurao.core.time import local_today, utcnow

WARN_FROM = "calendar.warn_from"
SCHEDULE_RULE = catalogue.DAY_NEXT_YEAR.id


def import_schedule(
    session: Session, *, actor: Actor, year: int, days: list[ScheduleDay], source: str
) -> CalendarYear:
    """Store a year's schedule (replacing an earlier import of the same year)."""
    actor.require(Permission.CALENDAR_MANAGE)
    existing = session.get(CalendarYear, year)
    before = audit.snapshot(existing) if existing else None
    session.execute(
        delete(CalendarDay).where(
            CalendarDay.day >= dt.date(year, 1, 1), CalendarDay.day <= dt.date(year, 12, 31)
        )
    )
    rows = []
    for d in days:
        row = session.get(CalendarDay, d.day)
        if row is None:
            row = CalendarDay(day=d.day, is_working=d.is_working, name=d.name)
            session.add(row)
        else:
            row.is_working, row.name = d.is_working, d.name
        rows.append(row)
    if existing is None:
        existing = CalendarYear(year=year, source="", imported_at=utcnow(), imported_by="")
        session.add(existing)
    existing.source = source[:200]
    existing.imported_at = utcnow()
    existing.imported_by = actor.display_name
    holidays = sum(1 for d in days if not d.is_working)
    audit.record(
        session,
        actor=actor,
        action="calendar.import",
        obj=existing,
        before=before,
        covers=rows,
        summary=f"导入{year}年节假日安排：放假{holidays}天，调休上班{len(days) - holidays}天",
    )
    workdays.invalidate()
    return existing


def list_years(session: Session) -> list[CalendarYear]:
    """Imported years, newest first."""
    return list(session.scalars(select(CalendarYear).order_by(CalendarYear.year.desc())))


def list_days(session: Session, year: int) -> list[CalendarDay]:
    """The table's days of one year."""
    return list(
        session.scalars(
            select(CalendarDay)
            .where(CalendarDay.day >= dt.date(year, 1, 1), CalendarDay.day <= dt.date(year, 12, 31))
            .order_by(CalendarDay.day)
        )
    )


def audit_visible_to(actor: Actor) -> Select[AuditEntry]:
    """Audit entries of the actor's region."""
    actor.require(Permission.AUDIT_VIEW)
    return select(AuditEntry).where(region_filter(actor, AuditEntry.region_code))


def list_audit(
    session: Session,
    *,
    actor: Actor,
    action: str = "",
    page: int = 1,
    per_page: int = LONG_PER_PAGE,
) -> Page[AuditEntry]:
    """A page of audit entries, newest first."""
    stmt = audit_visible_to(actor)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action))
    return paginate(session, stmt.order_by(AuditEntry.seq.desc()), page, per_page)


def verify_audit(session: Session, *, actor: Actor) -> audit.VerifyResult:
    """Verify the whole chain (system administrators and supervisors)."""
    actor.require(Permission.AUDIT_VIEW)
    return audit.verify_chain(session)


# --- next year's schedule -----------------------------------------------------------------


def schedule_warning(actor: Actor | None, *, today: dt.date | None = None) -> int | None:
    """The year whose schedule the system administrator or a supervisor should see missing."""
    if actor is None or actor.role not in (Role.SYSADMIN, Role.SUPERVISOR):
        return None
    day = today or local_today()
    cal = workdays.current()
    try:
        return schedule_due(cal, day, get_policy().value(WARN_FROM, actor.region_code, day))
    except InvalidInput:  # a malformed local policy value must not take every page down
        return None if cal.knows(day.year + 1) else day.year + 1
