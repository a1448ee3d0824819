"""Parsing the State Council's notice text and CSV schedules."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from wurao.core.errors import InvalidInput
from wurao.core.holidays import parse_csv, parse_notice, parse_schedule
from wurao.core.workdays import build_calendar

NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
国务院办公厅
2025年11月4日
"""

NOTICE_2017 = """国务院办公厅关于2017年部分节假日安排的通知
一、元旦:1月1日放假,1月2日(星期一)补休。
二、春节:1月27日至2月2日放假调休,共7天。1月22日(星期日)、2月4日(星期六)上班。
三、清明节:4月2日至4日放假调休,共3天。4月1日(星期六)上班。
四、劳动节:5月1日放假,与周末连休。
五、端午节:5月28日至30日放假调休,共3天。5月27日(星期六)上班。
六、中秋节、国庆节:10月1日至8日放假调休,共8天。9月30日(星期六)上班。
"""


@pytest.mark.parametrize(("text", "year"), [(NOTICE_2026, 2026), (NOTICE_2017, 2017)])
def test_notice_matches_package_for_every_day(text: str, year: int) -> None:
    parsed_year, days = parse_notice(text)
    assert parsed_year == year
    cal = build_calendar(((d.day, d.is_working) for d in days), [year])
    day = dt.date(year, 1, 1)
    while day.year == year:
        assert cal.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_notice_names_and_counts() -> None:
    _, days = parse_notice(NOTICE_2026)
    holidays = [d for d in days if not d.is_working]
    working = [d for d in days if d.is_working]
    assert len(holidays) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert {d.day for d in working} == {
        dt.date(2026, 1, 4),
        dt.date(2026, 2, 14),
        dt.date(2026, 2, 28),
        dt.date(2026, 5, 9),
        dt.date(2026, 9, 20),
        dt.date(2026, 10, 10),
    }
    assert next(d for d in days if d.day == dt.date(2026, 2, 15)).name == "春节"


def test_notice_total_mismatch_is_refused() -> None:
    bad = NOTICE_2026.replace("共9天", "共8天")
    with pytest.raises(InvalidInput, match="共8天"):
        parse_notice(bad)


def test_notice_without_items_is_refused() -> None:
    with pytest.raises(InvalidInput):
        parse_notice("国务院办公厅关于2027年部分节假日安排的通知\n（正文缺失）")


def test_new_year_range_across_years() -> None:
    _, days = parse_notice(
        "关于2023年部分节假日安排的通知\n一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。"
    )
    assert [d.day for d in days] == [
        dt.date(2022, 12, 31),
        dt.date(2023, 1, 1),
        dt.date(2023, 1, 2),
    ]


def test_csv_schedule_and_its_errors() -> None:
    year, days = parse_schedule("date,kind,name\n2027-01-01,休,元旦\n2027-02-06,班,春节调休\n")
    assert year == 2027
    assert [(d.day, d.is_working) for d in days] == [
        (dt.date(2027, 1, 1), False),
        (dt.date(2027, 2, 6), True),
    ]
    with pytest.raises(InvalidInput, match="第3行"):
        parse_csv("date,kind,name\n2027-01-01,休,元旦\n2027-13-01,休,错\n")
    with pytest.raises(InvalidInput, match="休 或 班"):
        parse_csv("date,kind,name\n2027-01-01,放,元旦\n")
