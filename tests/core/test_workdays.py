"""Working days across the 2025 and 2026 Spring Festival and National Day schedules."""

from __future__ import annotations

import datetime as dt

import pytest

from wurao.core.workdays import UnknownCalendarYear, WorkCalendar, build_calendar, package_years

D = dt.date
CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # 2025 Spring Festival: 1月28日至2月4日放假；1月26日（周日）、2月8日（周六）上班.
        (D(2025, 1, 26), True),
        (D(2025, 1, 27), True),
        (D(2025, 1, 28), False),
        (D(2025, 2, 4), False),
        (D(2025, 2, 5), True),
        (D(2025, 2, 8), True),
        # 2025 National Day / Mid-Autumn: 10月1日至8日放假；9月28日（周日）、10月11日（周六）上班.
        (D(2025, 9, 28), True),
        (D(2025, 10, 1), False),
        (D(2025, 10, 8), False),
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),
        # 2026 Spring Festival: 2月15日至23日放假；2月14日（周六）、2月28日（周六）上班.
        (D(2026, 2, 13), True),
        (D(2026, 2, 14), True),
        (D(2026, 2, 15), False),
        (D(2026, 2, 23), False),
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),
        # 2026 National Day: 10月1日至7日放假；9月20日（周日）、10月10日（周六）上班.
        (D(2026, 9, 20), True),
        (D(2026, 10, 1), False),
        (D(2026, 10, 7), False),
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),
        (D(2026, 10, 11), False),
    ],
)
def test_official_schedule(day: dt.date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


def test_add_working_days_skips_national_day_2026() -> None:
    # 9月30日（周三）+1 working day: 10月1日–7日 off → 10月8日.
    assert CAL.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    # +3: 10月8日, 9日, 10日 (a make-up Saturday).
    assert CAL.add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)


def test_add_working_days_spring_festival_2025_with_makeup_saturday() -> None:
    # Friday 2025-01-24 + 1 → Sunday 1月26日 (make-up working day).
    assert CAL.add_working_days(D(2025, 1, 24), 1) == D(2025, 1, 26)
    # 1月27日 + 1 → 2月5日 (holiday 1月28日–2月4日).
    assert CAL.add_working_days(D(2025, 1, 27), 1) == D(2025, 2, 5)


def test_between_is_inverse_of_add() -> None:
    start = D(2026, 1, 20)
    for n in (-15, -1, 0, 1, 5, 20, 45):
        assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


def test_between_counts_interval_open_at_start() -> None:
    # (9月30日, 10月10日]: 10月8日, 9日, 10日.
    assert CAL.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert CAL.working_days_between(D(2026, 10, 10), D(2026, 9, 30)) == -3


def test_unknown_year_raises_naming_the_year() -> None:
    with pytest.raises(UnknownCalendarYear) as err:
        CAL.is_working_day(D(2027, 3, 1))
    assert err.value.year == 2027
    assert "2027年" in err.value.message
    # A deadline that runs into the unknown year refuses too, never guesses.
    with pytest.raises(UnknownCalendarYear):
        CAL.add_working_days(D(2026, 12, 28), 20)


def test_imported_year_uses_table_then_weekdays() -> None:
    cal = build_calendar([(D(2027, 1, 1), False), (D(2027, 1, 9), True)], [2027])
    assert cal.knows(2027)
    assert cal.is_working_day(D(2027, 1, 1)) is False  # holiday (a Friday)
    assert cal.is_working_day(D(2027, 1, 9)) is True  # make-up Saturday
    assert cal.is_working_day(D(2027, 1, 4)) is True  # ordinary Monday
    assert cal.is_working_day(D(2027, 1, 10)) is False  # ordinary Sunday
    # The deadline that failed above now works across the year boundary.
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_table_overrides_the_package() -> None:
    cal = build_calendar([(D(2026, 10, 8), False)], [])
    assert cal.is_working_day(D(2026, 10, 8)) is False


def test_every_day_of_the_package_years_agrees_with_the_package() -> None:
    """The tables read once give the package's own answer on every day it knows."""
    import chinese_calendar

    cal = WorkCalendar()
    for year in package_years():
        day = dt.date(year, 1, 1)
        while day.year == year:
            assert cal.is_working_day(day) == chinese_calendar.is_workday(day), day
            day += dt.timedelta(days=1)
