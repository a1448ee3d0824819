"""The calendar import form's year (issue 17 item 10): a Unicode digit or a year beyond the
calendar's range is a 422 naming the field, never a 500 from ``int()`` or ``datetime.date``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.admin.test_calendar_pages import NOTICE_2027_SAMPLE
from tests.conftest import sign_in


@pytest.mark.parametrize("year", ["²", "٢٠٢٧", "99999", "1999"])
def test_calendar_import_refuses_a_year_out_of_range(
    client: TestClient, db: Session, year: str
) -> None:
    csrf = sign_in(client, "admin")
    resp = client.post(
        "/admin/calendar",
        data={"csrf_token": csrf, "text": NOTICE_2027_SAMPLE, "year": year},
        follow_redirects=False,
    )
    assert resp.status_code == 422, resp.text[:300]
