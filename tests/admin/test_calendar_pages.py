"""Importing a year's schedule through the page and the CLI; working days via the API."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.core.test_holidays import NOTICE_2026
from wurao.admin import service
from wurao.core import workdays
from wurao.core.holidays import load_calendar, parse_schedule

NOTICE_2027_SAMPLE = NOTICE_2026.replace("2026年", "2027年").replace("2025年", "2026年")


def test_import_makes_a_new_year_computable(db: Session, personas: Personas) -> None:
    assert not load_calendar(db).knows(2027)
    year, days = parse_schedule(NOTICE_2027_SAMPLE)
    service.import_schedule(db, actor=personas.admin, year=year, days=days, source="测试")
    cal = load_calendar(db)
    assert cal.knows(2027)
    assert cal.is_working_day(dt.date(2027, 10, 4)) is False  # from the imported text
    assert cal.is_working_day(dt.date(2027, 10, 8)) is True  # ordinary Friday
    # Reimporting replaces, not duplicates.
    service.import_schedule(db, actor=personas.admin, year=year, days=days[:3], source="测试2")
    assert len(service.list_days(db, 2027)) == 3


def test_calendar_page_import_and_api(client: TestClient, db: Session) -> None:
    csrf = sign_in(client, "admin")
    page = client.get("/admin/calendar?year=2027")
    assert "尚未导入" in page.text
    resp = client.post(
        "/admin/calendar",
        data={"csrf_token": csrf, "text": NOTICE_2027_SAMPLE},
        follow_redirects=True,
    )
    assert resp.status_code == 200
    assert "已导入2027年安排" in resp.text
    workdays.invalidate()
    api = client.get("/api/v1/working-days", params={"start": "2026-12-31", "n": 1})
    assert api.status_code == 200
    assert api.json()["plus_n"] == "2027-01-04"


def test_unknown_year_api_error_is_typed(client: TestClient) -> None:
    sign_in(client, "kc_sfj")
    workdays.invalidate()
    resp = client.get("/api/v1/working-days", params={"start": "2028-03-01", "n": 1})
    assert resp.status_code == 409
    assert resp.json()["error"] == "unknown_calendar_year"
    assert "2028年" in resp.json()["message"]


def test_bad_notice_is_refused_with_reason(client: TestClient) -> None:
    csrf = sign_in(client, "admin")
    resp = client.post("/admin/calendar", data={"csrf_token": csrf, "text": "随便写的文字"})
    assert resp.status_code == 422
    assert "未能从通知标题中识别年份" in resp.text


def test_calendar_page_is_for_administrators(client: TestClient) -> None:
    sign_in(client, "kc_sfj")
    assert client.get("/admin/calendar").status_code == 403
