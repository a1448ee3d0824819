"""Working days from the official holiday schedule.

The ``chinese-calendar`` package knows the State Council schedules up to the year it was
released; a table (``calendar_day`` / ``calendar_year``) that an administrator extends holds
the years it does not know yet (page ``/admin/calendar`` and ``wurao calendar import``).
A date in a year that neither knows raises :class:`UnknownCalendarYear`: a legal deadline is
never computed by guessing "Monday to Friday" (DAY-XZCF / DAY-XZQZ in docs/rules.md); from
``calendar.warn_from`` on, a missing next year is announced (DAY-NEXT-YEAR, docs/operations.md).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import chinese_calendar

from wurao.core.errors import DomainError


class UnknownCalendarYear(DomainError):
    """No holiday schedule is known for this year."""

    status_code = 409
    code = "unknown_calendar_year"

    def __init__(self, year: int) -> None:
        super().__init__(
            f"{year}年的法定节假日安排尚未导入，无法计算工作日；"
            f"请系统管理员在“节假日安排”页面或用 wurao calendar import 导入国务院办公厅通知。"
        )
        self.year = year


def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


_PACKAGE_YEARS = frozenset(y for y in range(2004, 2100) if _package_knows(y))
# The package's own tables, read once: its ``is_workday`` checks the year's range with min()
# and max() over every holiday on each call, which was most of a deadline sweep's time.
_PACKAGE_HOLIDAYS = frozenset(chinese_calendar.holidays)
_PACKAGE_MAKEUP_DAYS = frozenset(chinese_calendar.workdays)


def package_years() -> list[int]:
    """The years whose schedule the installed ``chinese-calendar`` package knows, ascending."""
    return sorted(_PACKAGE_YEARS)


@dataclass(frozen=True)
class WorkCalendar:
    """Working-day arithmetic over the package's data plus administrator-entered years."""

    overrides: dict[dt.date, bool] = field(default_factory=dict)
    imported_years: frozenset[int] = frozenset()

    def knows(self, year: int) -> bool:
        """Whether the schedule for ``year`` is known (package or imported)."""
        return year in self.imported_years or year in _PACKAGE_YEARS

    def known_years(self) -> list[int]:
        """Every year with a known schedule, ascending."""
        return sorted(self.imported_years | _PACKAGE_YEARS)

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day (weekday not a holiday, or a make-up day)."""
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.imported_years:
            return day.weekday() < 5
        if day.year in _PACKAGE_YEARS:
            # as chinese_calendar.is_workday: a make-up day, or a weekday that is no holiday
            return day in _PACKAGE_MAKEUP_DAYS or (
                day.weekday() < 5 and day not in _PACKAGE_HOLIDAYS
            )
        raise UnknownCalendarYear(day.year)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The date ``n`` working days after ``start`` (``start`` itself not counted).

        ``n == 0`` returns ``start``; a negative ``n`` counts backwards.
        """
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        day = start
        while remaining:
            day += dt.timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in the interval (start, end]; negative when ``end`` is before ``start``.

        ``working_days_between(d, add_working_days(d, n)) == n`` for every n.
        """
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


Loader = Callable[[], WorkCalendar]

_lock = threading.Lock()
_state: dict[str, object] = {"calendar": WorkCalendar(), "loaded_at": 0.0, "loader": None}
_TTL_SECONDS = 60.0


def build_calendar(days: Iterable[tuple[dt.date, bool]], years: Iterable[int]) -> WorkCalendar:
    """Build a calendar from table rows."""
    return WorkCalendar(overrides=dict(days), imported_years=frozenset(years))


def configure(loader: Loader | None) -> None:
    """Set how the process-wide calendar is (re)loaded, e.g. from the application database."""
    with _lock:
        _state["loader"] = loader
        _state["loaded_at"] = 0.0
        _state["calendar"] = WorkCalendar()


def invalidate() -> None:
    """Force a reload on next use (called after an import commits)."""
    with _lock:
        _state["loaded_at"] = 0.0


def current() -> WorkCalendar:
    """The process-wide calendar, reloaded from its loader at most once a minute."""
    with _lock:
        loader = _state["loader"]
        now = time.monotonic()
        if callable(loader) and now - float(_state["loaded_at"]) > _TTL_SECONDS:  # type: ignore[arg-type]
            _state["calendar"] = loader()
            _state["loaded_at"] = now
        cal = _state["calendar"]
    assert isinstance(cal, WorkCalendar)
    return cal


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is a working day under the official schedule."""
    return current().is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The date ``n`` working days after ``start``."""
    return current().add_working_days(start, n)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]."""
    return current().working_days_between(start, end)
