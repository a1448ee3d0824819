"""Refused draw forms come back on their page (issue 19 item 2, web/form_state.py): the typed
values kept, the error beside its field, nothing saved."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.sampling import DRAW_DATE, END, START, add_enterprises, add_item, subject
from wurao.sampling.models import Draw, OfficerConflict


def _error_beside(html: str, name: str) -> str:
    found = re.search(rf'<small class="field-error" role="alert" id="err-{name}">([^<]*)<', html)
    return found.group(1) if found else ""


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_a_definition_the_model_refuses_comes_back_with_what_was_typed(
    db: Session, client: TestClient
) -> None:
    s = subject(db)
    item = add_item(db)
    db.commit()
    token = sign_in(client, "kc_scjg_admin")
    before = _count(db, Draw)
    resp = client.post("/draws", data={
        "csrf_token": token, "_back": "/draws/new", "title": "六十一个月的抽查",
        "subject_ids": str(s.id), "item_ids": str(item.id), "region_code": "330802",
        "class_C": "1", "exclude_months": "61", "draw_date": DRAW_DATE.isoformat(),
        "window_start": START.isoformat(), "window_end": END.isoformat(),
        "officer_cap": "²",
    })  # fmt: skip
    assert resp.status_code == 422 and "error-page" not in resp.text
    assert "定义双随机抽查" in resp.text
    assert _error_beside(resp.text, "exclude_months").endswith("」不能大于60。")
    assert _error_beside(resp.text, "officer_cap").endswith("」应为整数。")
    assert 'value="六十一个月的抽查"' in resp.text and 'value="61"' in resp.text
    assert 'name="class_C" value="1" checked' in resp.text
    assert 'name="class_A" value="1" checked' not in resp.text
    assert _count(db, Draw) == before


def test_a_conflict_the_service_refuses_names_its_field(db: Session, client: TestClient) -> None:
    subject(db)
    ent = add_enterprises(db, "B")[0]
    db.commit()
    token = sign_in(client, "kc_scjg_admin")
    before = _count(db, OfficerConflict)
    resp = client.post("/draws/conflicts", data={
        "csrf_token": token, "_back": "/draws/conflicts", "cert_no": "不存在的证号",
        "uscc": ent.uscc, "reason": "近亲属任该企业高管",
    })  # fmt: skip
    assert resp.status_code == 422 and "error-page" not in resp.text
    assert "回避登记" in resp.text
    assert _error_beside(resp.text, "cert_no") == "没有这个执法证号。"
    assert 'value="不存在的证号"' in resp.text and 'value="近亲属任该企业高管"' in resp.text
    assert _count(db, OfficerConflict) == before
