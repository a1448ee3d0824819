"""Refused administration forms come back on their page (issue 19 item 2): the typed values
kept (never a password), the error beside its field, nothing saved."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from wurao.auth.models import User
from wurao.core.models import CalendarDay


def _error_beside(html: str, name: str) -> str:
    found = re.search(rf'<small class="field-error" role="alert" id="err-{name}">([^<]*)<', html)
    return found.group(1) if found else ""


def test_a_refused_account_keeps_the_typed_values_but_not_the_password(
    client: TestClient, db: Session, personas: Personas
) -> None:
    csrf = sign_in(client, "admin")
    before = db.scalar(select(func.count()).select_from(User))
    page = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "_back": "/admin/users",
            "username": "new_officer",
            "display_name": "王五",
            "password": "short1",
            "role": "officer",
            "region_code": "330802",
            "subject_id": "²",
        },
    )
    assert page.status_code == 422 and "error-page" not in page.text
    assert _error_beside(page.text, "subject_id").endswith("应为整数。")
    assert 'value="new_officer"' in page.text and 'value="王五"' in page.text
    assert 'value="short1"' not in page.text
    assert re.search(r'<option value="officer" selected>', page.text)
    # the service's refusal, beside the password
    page = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "_back": "/admin/users",
            "username": "new_sup",
            "display_name": "王五",
            "password": "short1",
            "role": "supervisor",
            "region_code": "330802",
        },
    )
    assert page.status_code == 422
    assert _error_beside(page.text, "password").startswith("密码至少")
    assert db.scalar(select(func.count()).select_from(User)) == before


def test_a_refused_notice_stays_in_the_text_box(client: TestClient, db: Session) -> None:
    csrf = sign_in(client, "admin")
    before = db.scalar(select(func.count()).select_from(CalendarDay))
    page = client.post(
        "/admin/calendar",
        data={"csrf_token": csrf, "_back": "/admin/calendar", "text": "随便写的文字，没有年份"},
    )
    assert page.status_code == 422 and "error-page" not in page.text
    assert "未能从通知标题中识别年份" in _error_beside(page.text, "text")
    assert "随便写的文字，没有年份</textarea>" in page.text
    assert db.scalar(select(func.count()).select_from(CalendarDay)) == before
