"""Legal clocks: a period that starts on an event and runs for a length read from the policy.

One :class:`Clock` per period, declared once (below) and called by every place that shows or
judges it — the page that lists the deadline, the pre-check that refuses an act, the sweep that
raises an alert — so that they cannot disagree. The rules every clock follows
(docs/rules.md "Counting days"):

- the length is the policy value in force for the region **on the start date** (VERSIONING): a
  policy change after the clock started does not move its deadline;
- working days come from the official holiday schedule (``core.workdays``); a year it does not
  know raises :class:`~wurao.core.workdays.UnknownCalendarYear` instead of guessing;
- the start day is not counted; the deadline is the day the last counted day falls on;
- pauses (a suspension, a hearing, an expert opinion …) are closed date intervals during which
  the clock stands still: their days are not counted, so they push the deadline back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from wurao.core import rules, workdays
from wurao.core.policy import get_policy
from wurao.core.rules import RuleDef

WORKING = "working"
CALENDAR = "calendar"
Pause = tuple[dt.date, dt.date]  # first and last day on which the clock stands still


@dataclass(frozen=True)
class Clock:
    """A period of a rule: from which event, how long (a policy parameter), in which days."""

    rule: RuleDef
    name: str  # Chinese, e.g. "双随机抽查结果公示期限"
    start_event: str  # Chinese: the event the period runs from
    param: str  # the policy parameter holding the length
    unit: str = WORKING  # WORKING or CALENDAR days

    def __post_init__(self) -> None:
        if self.unit not in (WORKING, CALENDAR):
            raise ValueError(f"clock {self.name}: unknown unit {self.unit!r}")
        if self.param not in self.rule.params:
            raise ValueError(
                f"clock {self.name}: {self.param} is not a parameter of {self.rule.id}"
            )

    @property
    def unit_label(self) -> str:
        """The unit in Chinese, for messages."""
        return "个工作日" if self.unit == WORKING else "日"

    def length(self, start: dt.date, region: str) -> int:
        """The period's length in force for ``region`` on the start date."""
        return int(get_policy().value(self.param, region, start))

    def deadline(self, start: dt.date, region: str, pauses: Iterable[Pause] = ()) -> dt.date:
        """The last day of the period that started on ``start`` (raises UnknownCalendarYear)."""
        return self._advance(start, self.length(start, region), list(pauses))

    def overdue_by(
        self, start: dt.date, region: str, today: dt.date, pauses: Iterable[Pause] = ()
    ) -> int:
        """Counted days from the deadline to ``today`` (0 while not overdue)."""
        stops = list(pauses)
        last = self._advance(start, self.length(start, region), stops)
        return self._count(last, today, stops) if today > last else 0

    def shortest(self, until: dt.date) -> int:
        """The shortest length in force anywhere for a start on or before ``until``.

        A period of n days (working or calendar, pauses only adding) ends no sooner than n
        calendar days after its start, so a set-based query may skip every start later than
        ``today - shortest(today)`` before each row is held to its own clock.
        """
        values = get_policy().parameters[self.param].values
        return min(int(v.value) for v in values if v.effective <= until)

    def _counts(self, day: dt.date, pauses: list[Pause], cal: workdays.WorkCalendar) -> bool:
        if any(first <= day <= last for first, last in pauses):
            return False
        return self.unit == CALENDAR or cal.is_working_day(day)

    def _advance(self, start: dt.date, n: int, pauses: list[Pause]) -> dt.date:
        if not pauses:
            if self.unit == CALENDAR:
                return start + dt.timedelta(days=n)
            return workdays.add_working_days(start, n)
        cal = workdays.current()
        day, left = start, n
        while left > 0:
            day += dt.timedelta(days=1)
            if self._counts(day, pauses, cal):
                left -= 1
        return day

    def _count(self, after: dt.date, until: dt.date, pauses: list[Pause]) -> int:
        """Counted days in (after, until]."""
        if not pauses:
            if self.unit == CALENDAR:
                return (until - after).days
            return workdays.working_days_between(after, until)
        cal = workdays.current()
        day, count = after, 0
        while day < until:
            day += dt.timedelta(days=1)
            count += self._counts(day, pauses, cal)
        return count


# --- the clocks -----------------------------------------------------------------------------

C6_PUBLISH = Clock(
    rules.C6,
    "双随机抽查结果公示期限",
    "抽查检查结束（检查笔录完成）",
    "dss.publish_working_days",
)
C6_WARN = Clock(
    rules.C6,
    "双随机抽查结果公示预警点",
    "抽查检查结束（检查笔录完成）",
    "dss.publish_warn_working_days",
)
A4_LATE_CODE = Clock(
    rules.A4,
    "事后补码期限",
    "检查完成（未填写完成日期的，从检查开始）",
    "code.late_window_working_days",
)
