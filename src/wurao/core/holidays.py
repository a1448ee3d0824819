"""Importing a year's official holiday schedule into the working-day table.

Two input forms: the text of the State Council General Office's notice
(《国务院办公厅关于YYYY年部分节假日安排的通知》, pasted as published), or a CSV with the
columns ``date,kind,name`` (kind ``休`` / ``班``, or ``holiday`` / ``workday``). The notice text
is parsed clause by clause: a clause with 放假/补休 names holidays (a range with 至), a clause
with 上班 names make-up working days; the "共N天" figure is checked against the range.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.core import workdays
from wurao.core.errors import InvalidInput
from wurao.core.models import CalendarDay, CalendarYear

_ITEM_RE = re.compile(r"^\s*[一二三四五六七八九十]+、\s*([^:：]+)[:：](.+)$")
_DATE_RE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日")
_PAREN_RE = re.compile(r"[（(][^）)]*[）)]")
_TITLE_YEAR_RE = re.compile(r"关于(\d{4})年部分节假日安排")
_TOTAL_RE = re.compile(r"共(\d+)天")


@dataclass(frozen=True)
class ScheduleDay:
    """One day of a schedule: a holiday (``is_working`` False) or a make-up working day."""

    day: dt.date
    is_working: bool
    name: str


def _dates_in(clause: str, year: int, month: int | None) -> tuple[list[dt.date], int | None]:
    found: list[dt.date] = []
    for m in _DATE_RE.finditer(clause):
        y = int(m.group(1)) if m.group(1) else year
        if m.group(2):
            month = int(m.group(2))
        if month is None:
            raise InvalidInput(f"无法确定月份：“{clause}”")
        if found and not m.group(1) and month < found[-1].month:
            y = found[-1].year + 1  # a range across New Year: 12月31日至1月2日
        found.append(dt.date(y, month, int(m.group(3))))
    return found, month


def parse_notice(text: str, year: int | None = None) -> tuple[int, list[ScheduleDay]]:
    """Parse the notice's text into holidays and make-up working days for one year."""
    if year is None:
        m = _TITLE_YEAR_RE.search(text)
        if m is None:
            raise InvalidInput("未能从通知标题中识别年份，请同时指定年份。")
        year = int(m.group(1))
    days: dict[dt.date, ScheduleDay] = {}
    items = 0
    for line in text.splitlines():
        m = _ITEM_RE.match(line.strip())
        if m is None or "日" not in m.group(2):
            continue
        items += 1
        name = m.group(1).strip().replace("、", "/")
        body = _PAREN_RE.sub("", m.group(2))
        month: int | None = None
        holidays: list[dt.date] = []
        for clause in re.split(r"[。，,；;]", body):
            if "日" not in clause:
                total = _TOTAL_RE.search(clause)
                if total and holidays and int(total.group(1)) != len(holidays):
                    raise InvalidInput(
                        f"“{name}”放假天数与“共{total.group(1)}天”不符（解析得{len(holidays)}天）。"
                    )
                continue
            dates, month = _dates_in(clause, year, month)
            if "上班" in clause:
                for d in dates:
                    days[d] = ScheduleDay(d, True, f"{name}调休上班")
            elif any(w in clause for w in ("放假", "补休", "休息")):
                if "至" in clause and len(dates) == 2:
                    start, end = dates
                    span = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
                else:
                    span = dates
                holidays.extend(span)
                for d in span:
                    days[d] = ScheduleDay(d, False, name)
    if items == 0 or not days:
        raise InvalidInput("未在文本中找到“一、元旦：……”形式的放假安排条目。")
    return year, sorted(days.values(), key=lambda d: d.day)


def parse_csv(text: str) -> list[ScheduleDay]:
    """Parse ``date,kind,name`` rows; kind is 休/holiday or 班/workday."""
    out: list[ScheduleDay] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or not {"date", "kind"} <= set(reader.fieldnames):
        raise InvalidInput("CSV 须有表头 date,kind,name。")
    for lineno, row in enumerate(reader, start=2):
        try:
            day = dt.date.fromisoformat((row.get("date") or "").strip())
        except ValueError:
            raise InvalidInput(
                f"第{lineno}行：日期“{row.get('date')}”不是 YYYY-MM-DD 格式。"
            ) from None
        kind = (row.get("kind") or "").strip().lower()
        if kind in ("休", "holiday"):
            working = False
        elif kind in ("班", "workday"):
            working = True
        else:
            raise InvalidInput(f"第{lineno}行：类型“{kind}”应为 休 或 班。")
        out.append(ScheduleDay(day, working, (row.get("name") or "").strip()))
    if not out:
        raise InvalidInput("CSV 中没有数据行。")
    return out


def parse_schedule(
    text: str, *, filename: str = "", year: int | None = None
) -> tuple[int, list[ScheduleDay]]:
    """Parse a schedule in either form; all days must fall in one year (New Year's Eve aside)."""
    if filename.lower().endswith(".csv") or text.lstrip("\ufeff").startswith("date,"):
        days = parse_csv(text)
        years = {d.day.year for d in days}
        year = year or min(years)
    else:
        year, days = parse_notice(text, year)
    stray = [d for d in days if d.day.year not in (year, year - 1, year + 1)]
    if stray:
        raise InvalidInput(f"日期 {stray[0].day} 不属于 {year} 年的安排。")
    return year, days


def load_calendar(session: Session) -> workdays.WorkCalendar:
    """Build the working-day calendar from the package plus the table."""
    days = session.execute(select(CalendarDay.day, CalendarDay.is_working)).all()
    years = session.scalars(select(CalendarYear.year)).all()
    return workdays.build_calendar(((d, w) for d, w in days), years)


def warn_date(year: int, warn_from: str) -> dt.date:
    """The day of ``year`` given as ``MM-DD`` (policy ``calendar.warn_from``)."""
    try:
        return dt.date.fromisoformat(f"{year:04d}-{warn_from.strip()}")
    except ValueError:
        raise InvalidInput(f"提醒起始日“{warn_from}”应为“月-日”格式，如 11-01。") from None


def schedule_due(cal: workdays.WorkCalendar, today: dt.date, warn_from: str) -> int | None:
    """Next year, when it is ``warn_from`` or later and that year's schedule is still unknown.

    The State Council General Office publishes next year's schedule in late October or
    November; from ``warn_from`` on, a deadline that crosses the year end cannot be computed
    until it is imported, so the administrators are warned in advance.
    """
    if today < warn_date(today.year, warn_from) or cal.knows(today.year + 1):
        return None
    return today.year + 1


def year_ranges(years: Iterable[int]) -> str:
    """Years as ranges: 2004–2026、2028."""
    spans: list[list[int]] = []
    for y in sorted(set(years)):
        if spans and y == spans[-1][1] + 1:
            spans[-1][1] = y
        else:
            spans.append([y, y])
    return "、".join(str(a) if a == b else f"{a}–{b}" for a, b in spans) or "无"
