"""The inspection pages' forms refused in place (issue 19 item 2, web/form_state.py): the page
they were sent from comes back with what was typed and the error beside its field, nothing
saved."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.inspections import key_dir, world
from tests.inspections.test_records import make_task
from wurao.core.config import get_settings
from wurao.core.time import local_today
from wurao.inspections import enterprise_service as svc
from wurao.inspections.enterprise_models import DateRequest, GuidanceRequest
from wurao.inspections.models import InspectionRecord, InspectionTask

__all__ = ["key_dir"]


def _error_beside(html: str, name: str) -> str:
    found = re.search(
        rf'<small class="field-error" role="alert" id="err-{name}">([^<]*)</small>', html
    )
    return found.group(1) if found else ""


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_the_task_form_comes_back_as_filled_in(
    db: Session, personas: Personas, client: TestClient
) -> None:
    w = world(db)
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    today = local_today()
    reason = "群众投诉该企业夜间生产噪声扰民，需核实。" * 20
    form = {
        "csrf_token": csrf,
        "_back": "/tasks/new?origin=complaint",
        "enterprise_uscc": w.enterprise.uscc,
        "method": "onsite",
        "origin": "complaint",
        "trigger_ref": "12345-77",
        "trigger_reason": reason,
        "window_start": today.isoformat(),
        "window_end": (today - dt.timedelta(days=1)).isoformat(),  # refused by the service
        "item_codes": [w.item.code],
        "officer_ids": [str(o.id) for o in w.officers],
    }
    before = _count(db, InspectionTask)
    page = client.post("/tasks", data=form)
    assert page.status_code == 422 and "error-page" not in page.text
    assert "新建检查任务" in page.text and "未保存，请按提示修改后重新提交。" in page.text
    assert "结束日期早于开始日期" in _error_beside(page.text, "window_end")
    assert reason in page.text and 'value="12345-77"' in page.text
    assert f'value="{w.item.code}" checked' in page.text
    assert all(f'value="{o.id}" checked' in page.text for o in w.officers)
    assert re.search(r'<option value="complaint" selected>', page.text)
    # a field the model refuses (a Unicode digit) is named beside itself, the 特殊情形 opened
    form.update(window_end=today.isoformat(), cross_region_approval_id="²")
    page = client.post("/tasks", data=form)
    assert page.status_code == 422
    assert _error_beside(page.text, "cross_region_approval_id") == "「异地检查批准编号」应为整数。"
    assert "<details open>" in page.text and 'value="²"' in page.text
    assert _count(db, InspectionTask) == before


def test_the_record_comes_back_as_filled_in(
    db: Session, client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "var_dir", tmp_path)
    b = make_task(db)
    db.commit()
    task_id, line = b.task.id, b.lines[0].id
    csrf = sign_in(client, "kc_scjg_zhang")
    url = f"/tasks/{task_id}/record"
    assert client.post(f"{url}/start", data={"csrf_token": csrf}).status_code == 200
    findings = "消毒记录缺少三月份内容；" * 30
    form = {
        "csrf_token": csrf,
        "_back": url,
        "ids_shown": "1",
        "location": "二号车间",
        "findings": findings,
        "outcome": "rectify",
        "rectify_deadline": "2000-01-01",  # before today: refused by the service
        f"result_{line}": "fail",
        f"note_{line}": "未见记录",
    }
    page = client.post(url, data=form)
    assert page.status_code == 422 and "error-page" not in page.text
    assert "整改期限不能早于今天" in _error_beside(page.text, "rectify_deadline")
    assert findings in page.text and 'value="二号车间"' in page.text
    assert f'name="result_{line}" value="fail" checked' in page.text
    assert 'value="未见记录"' in page.text
    assert 'name="outcome" value="rectify" checked' in page.text
    db.expire_all()
    saved = db.scalar(select(InspectionRecord.findings).where(InspectionRecord.task_id == task_id))
    assert not saved  # nothing of the refused form was written


def test_enterprise_and_agency_forms_come_back_in_place(
    db: Session, client: TestClient, personas: Personas
) -> None:
    b = make_task(db)
    req = svc.request_date(
        db, actor=personas.enterprise, task_id=b.task.id,
        wanted_on=local_today() + dt.timedelta(days=2), reason="负责人出差",
    )  # fmt: skip
    db.commit()
    req_id = req.id
    csrf = sign_in(client, "qiye_demo")
    topic = "食品添加剂使用台账怎样记录才合规"
    asked = client.post(
        "/enterprise/guidance",
        data={"csrf_token": csrf, "_back": "/enterprise/guidance", "subject_id": "x1",
              "topic": topic, "preferred_on": "2099-01-02"},
    )  # fmt: skip
    assert asked.status_code == 422 and "error-page" not in asked.text
    assert "应为整数" in _error_beside(asked.text, "subject_id")
    assert topic in asked.text and 'value="2099-01-02"' in asked.text
    assert _count(db, GuidanceRequest) == 0
    client.post("/logout", data={"csrf_token": csrf})
    csrf = sign_in(client, "kc_scjg_zhang")
    back = "/inspections/date-requests?status=pending"
    answered = client.post(
        f"/inspections/date-requests/{req_id}",
        data={"csrf_token": csrf, "_back": back, "decision": "decline", "answer": " "},
    )
    assert answered.status_code == 422 and "error-page" not in answered.text
    assert "请说明理由" in _error_beside(answered.text, "answer")
    assert "负责人出差" in answered.text  # the list page, the request still pending
    db.expire_all()
    assert db.scalar(select(DateRequest.status).where(DateRequest.id == req_id)) == "pending"
