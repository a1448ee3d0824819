"""DAY-NEXT-YEAR: from calendar.warn_from on, a missing schedule for next year is announced
(a banner for the system administrator and supervisors, one alert per year from the sweep)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.admin.test_calendar_pages import NOTICE_2027_SAMPLE
from tests.conftest import Personas, sign_in
from wurao.admin import service
from wurao.core import time as clock
from wurao.core import workdays
from wurao.core.holidays import load_calendar, parse_schedule, schedule_due, year_ranges
from wurao.oversight import engine
from wurao.oversight.models import Alert

# The first year the installed calendar package does not know, and a day in its warning season.
NEXT = max(workdays.package_years()) + 1
WARN_DAY = dt.date(NEXT - 1, 11, 2)
BEFORE_DAY = dt.date(NEXT - 1, 10, 31)


def schedule_of(year: int) -> str:
    """A State Council notice for ``year`` (the 2027 sample with its years moved)."""
    return NOTICE_2027_SAMPLE.replace("2027年", f"{year}年").replace("2026年", f"{year - 1}年")


def set_today(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    noon = dt.datetime.combine(day, dt.time(12), clock.LOCAL_TZ).astimezone(dt.UTC)
    monkeypatch.setattr(clock, "utcnow", lambda: noon)


def test_schedule_due_from_the_warning_day_until_imported(db: Session) -> None:
    cal = load_calendar(db)
    assert schedule_due(cal, WARN_DAY, "11-01") == NEXT
    assert schedule_due(cal, BEFORE_DAY, "11-01") is None
    assert schedule_due(cal, BEFORE_DAY, "10-15") == NEXT  # the date comes from the policy
    year, days = parse_schedule(schedule_of(NEXT))
    assert year == NEXT
    known = workdays.build_calendar([(d.day, d.is_working) for d in days], [NEXT])
    assert schedule_due(known, WARN_DAY, "11-01") is None
    assert year_ranges([2004, 2005, 2006, 2028, 2030, 2031]) == "2004–2006、2028、2030–2031"


def test_banner_for_supervisor_and_administrator_until_import(
    client: TestClient, db: Session, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    banner = f"尚未导入{NEXT}年法定节假日安排"
    set_today(monkeypatch, WARN_DAY)
    workdays.invalidate()
    sign_in(client, "kc_sfj")
    page = client.get("/")
    assert banner in page.text and "请在国务院办公厅通知发布后导入" in page.text
    assert "联系系统管理员" in page.text  # a supervisor cannot import; the administrator can
    client.cookies.clear()
    sign_in(client, "kc_scjg_zhang")
    assert banner not in client.get("/").text  # officers are not the ones to act
    client.cookies.clear()
    csrf = sign_in(client, "admin")
    page = client.get("/oversight/alerts")
    assert banner in page.text and f'href="/admin/calendar?year={NEXT}"' in page.text
    set_today(monkeypatch, BEFORE_DAY)
    assert banner not in client.get("/").text
    set_today(monkeypatch, WARN_DAY)
    resp = client.post(
        "/admin/calendar",
        data={"csrf_token": csrf, "text": schedule_of(NEXT)},
        follow_redirects=True,
    )
    assert resp.status_code == 200 and f"已导入{NEXT}年安排" in resp.text
    assert banner not in resp.text and banner not in client.get("/").text


def test_sweep_raises_the_alert_once_per_year_and_region(db: Session, personas: Personas) -> None:
    def raised() -> int:
        return int(
            db.scalar(
                select(func.count()).select_from(Alert).where(Alert.rule_id == "DAY-NEXT-YEAR")
            )
            or 0
        )

    assert raised() == 0
    engine.sweep(db, today=BEFORE_DAY, only=["DAY-NEXT-YEAR"])
    assert raised() == 0
    first = engine.sweep(db, today=WARN_DAY, only=["DAY-NEXT-YEAR"])
    assert first.raised["DAY-NEXT-YEAR"] >= 2  # 柯城区 and 衢江区 supervisors
    n = raised()
    again = engine.sweep(db, today=WARN_DAY + dt.timedelta(days=1), only=["DAY-NEXT-YEAR"])
    assert again.raised["DAY-NEXT-YEAR"] == 0 and raised() == n
    mine = engine.list_alerts(db, actor=personas.supervisor, rule_id="DAY-NEXT-YEAR").items
    assert len(mine) == 1 and f"{NEXT}年" in mine[0].detail
    assert mine[0].region_code == personas.supervisor.region_code
    theirs = engine.list_alerts(
        db, actor=personas.neighbour_supervisor, rule_id="DAY-NEXT-YEAR"
    ).items
    assert len(theirs) == 1 and theirs[0].id != mine[0].id
    year, days = parse_schedule(schedule_of(NEXT))
    service.import_schedule(db, actor=personas.admin, year=year, days=days, source="测试")
    later = engine.sweep(db, today=dt.date(NEXT, 11, 2), only=["DAY-NEXT-YEAR"])
    assert later.raised["DAY-NEXT-YEAR"] >= 2  # next season, the year after is missing
    details = [
        a.detail
        for a in engine.list_alerts(db, actor=personas.supervisor, rule_id="DAY-NEXT-YEAR").items
    ]
    assert sorted(d[:9] for d in details) == [f"尚未导入{NEXT}年", f"尚未导入{NEXT + 1}年"]
