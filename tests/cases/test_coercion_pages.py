"""The coercion pages and API: the list with its filters, a new measure refused with the error
beside its field and what was typed kept, the measure page's clock and 立即解除, a step taken
and refused, a document downloaded, the case page's section, and scope (both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.cases import Setup, filed, setup
from tests.cases.test_coercion import at, data, in_force
from tests.conftest import Personas, csrf_of, sign_in
from wurao.cases.coercion import clocks, service

TODAY = dt.date(2026, 10, 20)
OFFICER, SUPERVISOR, NEIGHBOUR, STRANGER = "kc_scjg_zhang", "kc_sfj", "qj_sfj", "kc_yjj_li"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    for where in ("pages", "api"):
        monkeypatch.setattr(f"wurao.cases.coercion.{where}.local_today", lambda: TODAY)


@pytest.fixture
def w(db: Session) -> Setup:
    return setup(db)


def test_the_list_filters_overdue_and_the_page_says_release_now(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    late = in_force(db, personas, w)  # ended 2026-10-15
    fresh = in_force(
        db, personas, w, on=dt.date(2026, 9, 25), items=(service.ItemData("冷柜", "1台"),)
    )
    db.flush()
    sign_in(client, OFFICER)
    page = client.get("/coercion?due=overdue")
    assert page.status_code == 200
    assert late.number in page.text and fresh.number not in page.text
    assert "应立即解除" in page.text
    week = client.get("/coercion?due=week")
    assert fresh.number in week.text and late.number not in week.text  # ends 2026-10-25
    one = client.get(f"/coercion/{late.id}")
    assert one.status_code == 200 and 'id="release-now"' in one.text and "立即解除" in one.text
    assert "小型货车" in one.text
    other = client.get(f"/coercion/{fresh.id}")
    assert "剩余5日" in other.text and 'id="release-now"' not in other.text


def test_new_measure_refused_keeps_what_was_typed(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    db.flush()
    token = sign_in(client, OFFICER)
    form = client.get("/coercion/new")
    assert form.status_code == 200
    resp = client.post(
        "/coercion/new",
        data={
            "csrf_token": csrf_of(form.text) or token,
            "kind": "detention",
            "party_name": "张某某",
            "reason": "运输不合格产品",
            "basis": "产品质量法第十八条",
            "officer_ids": [str(w.officers[0].id)],
            "heard": "1",
            "party_present": "1",
            "item0_description": "小型货车",
            "item0_quantity": "1辆",
            "item0_identifier": "浙H12345",
        },
    )
    assert resp.status_code == 422
    assert 'id="err-officer_ids"' in resp.text and "两名以上" in resp.text
    assert 'value="浙H12345"' in resp.text and "运输不合格产品" in resp.text


def test_steps_from_seizure_to_release_and_a_refused_step(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    m = service.apply_measure(
        db, actor=personas.officer, data=data(w), now=at(dt.date(2026, 10, 12), 9)
    )
    db.flush()
    sign_in(client, OFFICER)
    page = client.get(f"/coercion/{m.id}")
    token = csrf_of(page.text)
    ok = client.post(
        f"/coercion/{m.id}/act/approve",
        data={"csrf_token": token, "approver": "王局长", "approved_at": "2026-10-12T10:00"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    refused = client.post(
        f"/coercion/{m.id}/act/extend",
        data={
            "csrf_token": token,
            "approver": "王局长",
            "on": "2026-10-13",
            "notified_on": "",
            "reason": "复杂",
        },
    )
    assert refused.status_code == 422
    assert 'id="err-extend-notified_on"' in refused.text and 'value="王局长"' in refused.text
    gen = client.post(
        f"/coercion/{m.id}/documents/decision", data={"csrf_token": token}, follow_redirects=False
    )
    assert gen.status_code == 303
    doc = client.get(f"/coercion/{m.id}/documents/decision")
    assert doc.status_code == 200 and doc.content[:2] == b"PK"
    released = client.post(
        f"/coercion/{m.id}/act/release",
        data={"csrf_token": token, "on": "2026-10-14", "reason": "已查清与案件无关"},
        follow_redirects=False,
    )
    assert released.status_code == 303
    after = client.get(f"/coercion/{m.id}")
    assert "已解除" in after.text and "解除查封（扣押）决定书" in after.text


def test_scope_and_the_case_section(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    case = filed(db, personas, w)
    m = in_force(db, personas, w, on=dt.date(2026, 10, 10), case_id=case.id, enterprise_id=None)
    db.flush()
    sign_in(client, OFFICER)
    section = client.get(f"/coercion/of-case/{case.id}")
    assert m.number in section.text and "剩余" in section.text
    assert f'hx-get="/coercion/of-case/{case.id}"' in client.get(f"/cases/{case.id}").text
    api = client.get(f"/api/v1/coercion/measures/{m.id}")
    assert api.status_code == 200 and api.json()["items_list"][0]["description"] == "小型货车"
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    sign_in(client, SUPERVISOR)
    seen = client.get(f"/coercion/{m.id}")
    assert seen.status_code == 200 and "/act/release" not in seen.text
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    sign_in(client, NEIGHBOUR)
    assert client.get(f"/coercion/{m.id}").status_code == 404
    assert client.get(f"/api/v1/coercion/measures/{m.id}").status_code == 404


def test_api_step_refused_names_the_rule(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    m = in_force(db, personas, w)
    db.flush()
    sign_in(client, OFFICER)
    token = csrf_of(client.get("/").text)
    resp = client.post(
        f"/api/v1/coercion/measures/{m.id}/steps/decide",
        json={"values": {"outcome": "confiscate", "on": "2026-10-16", "reason": "没收"}},
        headers={"X-CSRF-Token": token},
    )
    assert resp.status_code == 422, resp.text
    assert "E6" in resp.text
    listed = client.get("/api/v1/coercion/measures?due=overdue").json()
    assert [r["id"] for r in listed["items"]] == [m.id] and listed["items"][0]["expired"]


def test_the_enforcement_page_reminder_and_court_window(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    from wurao.cases.coercion import enforcement

    enf = enforcement.open_enforcement(
        db,
        actor=personas.officer,
        data=enforcement.EnforcementData(
            obligation="缴纳罚款人民币20000元",
            party_name="张某某",
            remedy_ends_on=dt.date(2026, 8, 1),
        ),
        today=dt.date(2026, 9, 1),
    )
    db.flush()
    sign_in(client, OFFICER)
    page = client.get(f"/coercion/enforcements/{enf.id}")
    assert page.status_code == 200 and "送达催告书" in page.text
    token = csrf_of(page.text)
    done = client.post(
        f"/coercion/enforcements/{enf.id}/act/remind",
        data={"csrf_token": token, "served_on": "2026-09-14", "content": "请于十日内缴纳罚款"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = client.get(f"/coercion/enforcements/{enf.id}")
    assert "申请人民法院强制执行期限" in after.text and "2026-11-01" in after.text
    early = client.post(
        f"/coercion/enforcements/{enf.id}/act/apply_court",
        data={"csrf_token": token, "on": "2026-09-20", "court": "柯城区人民法院"},
    )
    assert early.status_code == 422 and "E10" in early.text
    assert 'value="柯城区人民法院"' in early.text
    api = client.get(f"/api/v1/coercion/enforcements/{enf.id}").json()
    assert api["status"] == "reminded" and api["deadlines"][0]["deadline"] == "2026-11-01"


def test_a_refused_enforcement_comes_back_in_place_and_nothing_is_saved(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    from sqlalchemy import func, select

    from wurao.cases.coercion.models import CoerciveEnforcement

    db.flush()
    sign_in(client, OFFICER)
    form = client.get("/coercion/enforcements/new")
    resp = client.post(
        "/coercion/enforcements/new",
        data={
            "csrf_token": csrf_of(form.text),
            "_back": "/coercion/enforcements/new",
            "party_name": "",
            "decision_ref": "柯市监罚〔2026〕12号",
            "obligation": "缴纳罚款人民币5000元",
            "remedy_ends_on": "2026-08-01",
        },
    )
    assert resp.status_code == 422
    assert "error-page" not in resp.text and 'id="refused"' in resp.text
    assert 'id="err-party_name"' in resp.text and "当事人" in resp.text
    assert "柯市监罚〔2026〕12号" in resp.text and "缴纳罚款人民币5000元" in resp.text
    assert 'value="2026-08-01"' in resp.text
    assert db.scalar(select(func.count()).select_from(CoerciveEnforcement)) == 0


def test_a_refused_step_comes_back_open_with_the_summary(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    m = in_force(db, personas, w)
    db.flush()
    sign_in(client, OFFICER)
    page = client.get(f"/coercion/{m.id}")
    resp = client.post(
        f"/coercion/{m.id}/act/pause",
        data={
            "csrf_token": csrf_of(page.text),
            "_back": f"/coercion/{m.id}",
            "reason": "送检 抽样编号 QZ-77",
            "starts_on": "2026-10-18",
            "ends_on": "2026-10-17",
        },
    )
    assert resp.status_code == 422
    assert "error-page" not in resp.text and 'id="refused"' in resp.text
    assert 'id="step-pause" open' in resp.text and 'id="err-pause-ends_on"' in resp.text
    assert 'value="送检 抽样编号 QZ-77"' in resp.text and 'value="2026-10-17"' in resp.text
    db.expire_all()
    assert clocks.pauses(db, m) == []
