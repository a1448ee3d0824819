"""Page forms read as raw FormData bypass the schemas' maxima (issue 17 item 10): the services
behind them refuse a text over its documented maximum with a 422 naming the field, where
PostgreSQL used to answer 500 (a value too long for its varchar column) or the text was kept
or cut silently."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.inspections import world
from tests.sampling import DRAW_DATE, END, START, add_enterprises, add_item, add_officers, subject
from wurao.core.text import NOTE
from wurao.core.time import local_today
from wurao.inspections.models import InspectionTask
from wurao.sampling.models import Draw


@pytest.mark.parametrize(
    ("field", "value"),
    [("trigger_ref", "号" * 81), ("trigger_reason", "由" * (NOTE + 1))],
    ids=["trigger_ref", "trigger_reason"],
)
def test_task_page_refuses_a_text_over_its_maximum(
    db: Session, client: TestClient, field: str, value: str
) -> None:
    w = world(db)
    db.commit()
    before = db.scalar(select(func.count()).select_from(InspectionTask))
    csrf = sign_in(client, "kc_scjg_admin")
    today = local_today().isoformat()
    data = {
        "csrf_token": csrf,
        "enterprise_uscc": w.enterprise.uscc,
        "method": "onsite",
        "origin": "complaint",
        "trigger_ref": "12345-9",
        "trigger_reason": "投诉",
        "window_start": today,
        "window_end": today,
        "item_codes": [w.item.code],
        "officer_ids": [str(o.id) for o in w.officers],
    }
    data[field] = value
    resp = client.post("/tasks", data=data, follow_redirects=False)
    assert resp.status_code == 422, resp.text[:500]
    assert "最多" in resp.text
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(InspectionTask)) == before


@pytest.mark.parametrize("field", ["industry_codes", "tags", "public_value_note"])
def test_draw_page_refuses_a_text_over_its_maximum(
    db: Session, client: TestClient, field: str
) -> None:
    s = subject(db)
    add_officers(db, s, 4)
    item = add_item(db)
    add_enterprises(db, "A" * 4)
    db.commit()
    token = sign_in(client, "kc_scjg_admin")
    data = {
        "csrf_token": token, "title": "超长字段抽查", "subject_ids": str(s.id),
        "item_ids": str(item.id), "region_code": "330802", "industry_codes": "C13",
        "class_A": "1", "class_B": "1", "class_C": "1", "class_D": "1", "exclude_months": "0",
        "draw_date": DRAW_DATE.isoformat(), "method": "onsite",
        "window_start": START.isoformat(), "window_end": END.isoformat(),
        "officers_per_subject": "2", "officer_cap": "10",
    }  # fmt: skip
    data[field] = "C13," * 60 if field == "industry_codes" else "字" * 201
    resp = client.post("/draws", data=data, follow_redirects=False)
    assert resp.status_code == 422, resp.text[:500]
    assert "最多200个字" in resp.text
    db.expire_all()
    assert (
        db.scalar(select(func.count()).select_from(Draw).where(Draw.title == "超长字段抽查")) == 0
    )
