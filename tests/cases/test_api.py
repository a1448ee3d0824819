"""The penalty-case JSON API over HTTP (both databases): a case from opening to its close,
scoping (404 outside the subject, 403 without the permission), field errors and rule
violations as 422, and a person's ID number never leaving the server unmasked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.cases import FILED, FOUND, SHA, Setup, setup
from tests.conftest import Personas
from tests.inspections import add_officer
from wurao.auth import service as auth_service
from wurao.auth.scope import Actor
from wurao.core import rules as catalogue

REASONS = "当事人销售的产品经检验不合格，依据裁量基准在法定幅度内处罚。"
REMEDY = "如不服本决定，可在六十日内申请行政复议，或在六个月内提起行政诉讼。"


def _bearer(db: Session, actor: Actor) -> dict[str, str]:
    _, raw = auth_service.create_api_token(db, actor=actor, name="案件测试")
    return {"Authorization": f"Bearer {raw}"}


def _body(w: Setup, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "origin": "own",
        "party_kind": "enterprise",
        "enterprise_id": w.enterprise.id,
        "act_on": "2026-08-20",
        "found_on": FOUND.isoformat(),
        "facts": "当事人销售不合格产品。",
        "provisions_breached": "《中华人民共和国产品质量法》第四十九条",
        "provisions_applied": "《中华人民共和国产品质量法》第四十九条",
        "officer_ids": [o.id for o in w.officers],
    }
    body.update(changes)
    return body


def test_a_case_from_opening_to_close_over_http(
    client: TestClient, db: Session, personas: Personas
) -> None:
    w = setup(db)
    add_officer(db, w.subject, user_id=personas.legal_reviewer.user_id, legal_qualified=True)
    officer = _bearer(db, personas.officer)
    reviewer = _bearer(db, personas.legal_reviewer)
    db.commit()

    def step(path: str, body: dict[str, Any], who: dict[str, str] = officer) -> dict[str, Any]:
        r = client.post(f"/api/v1/cases/{cid}/{path}", headers=who, json=body)
        assert r.status_code in (200, 201), (path, r.text)
        return dict(r.json())

    made = client.post("/api/v1/cases", headers=officer, json=_body(w))
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    assert made.json()["status"] == "lead" and made.json()["status_label"] == "待立案"
    step("file", {"on": FILED.isoformat()})
    step("evidence", {"filename": "现场照片", "sha256": SHA, "uri": "s3://evidence/1"})
    s = step("suspensions", {"kind": "testing", "starts_on": "2026-09-03", "reason": "抽样检测"})
    sid = s["suspensions"][0]["id"]
    step(f"suspensions/{sid}/end", {"ends_on": "2026-09-10"})
    notice = {"kinds": ["fine"], "fine_fen": 1_000_000, "served_on": "2026-09-29"}
    step("notice", notice)
    step("defence", {"on": "2026-09-30", "waived": True})
    step("send-review", {"on": "2026-10-09"})
    step(
        "review",
        {"on": "2026-10-12", "passed": True, "opinion": "事实清楚，证据确凿，同意。"},
        reviewer,
    )
    decided = step(
        "decide",
        {
            "decided_on": "2026-10-13",
            "kinds": ["fine"],
            "fine_fen": 1_000_000,
            "reasons": REASONS,
            "remedy": REMEDY,
        },
    )
    assert decided["status"] == "decided" and decided["fine_fen"] == 1_000_000
    step("serve", {"served_on": "2026-10-14", "how": "direct"})
    paid = {"paid_on": "2026-10-20", "amount_fen": 1_000_000, "channel": "bank"}
    step("payment", {**paid, "payment_ref": "3308-2026-000123"})
    closed = step("close", {"on": "2026-10-21", "note": "归档"})
    assert closed["status"] == "closed" and closed["closed_on"] == "2026-10-21"
    assert [s["action"] for s in closed["steps"]][:3] == ["open", "file", "evidence"]
    assert closed["steps"][-1]["action"] == "close"
    assert closed["suspensions"][0]["ends_on"] == "2026-09-10"
    assert closed["evidence"][0]["sha256"] == SHA
    names = {d["name"]: d["state"] for d in closed["deadlines"]}
    assert names["罚款缴纳期限"] == "已按期完成"
    listed = client.get("/api/v1/cases", headers=officer, params={"status": "closed"})
    assert [c["id"] for c in listed.json()["items"]] == [cid]
    assert client.get("/api/v1/cases?year=2025", headers=officer).json()["total"] == 0


def test_scope_permissions_errors_and_the_masked_id_number(
    client: TestClient, db: Session, personas: Personas
) -> None:
    from wurao.demo.identifiers import make_ric

    w = setup(db)
    officer = _bearer(db, personas.officer)
    stranger = _bearer(db, personas.other_officer)
    supervisor = _bearer(db, personas.supervisor)
    db.commit()
    ric = make_ric("330802", dt.date(1990, 1, 2), 5)
    person = _body(w, party_kind="person", person_name="赵六", person_ric=ric, enterprise_id=None)
    made = client.post("/api/v1/cases", headers=officer, json=person)
    assert made.status_code == 201, made.text
    cid = made.json()["id"]
    shown = client.get(f"/api/v1/cases/{cid}", headers=officer)
    assert ric not in shown.text and shown.json()["party"].startswith("赵六（330802")
    assert ric not in client.get("/api/v1/cases", headers=officer).text
    # another subject's officer does not see it; the supervisor reads but may not act
    assert client.get(f"/api/v1/cases/{cid}", headers=stranger).status_code == 404
    assert client.get(f"/api/v1/cases/{cid}", headers=supervisor).status_code == 200
    refused = client.post(
        f"/api/v1/cases/{cid}/file", headers=supervisor, json={"on": "2026-09-02"}
    )
    assert refused.status_code == 403
    assert client.post("/api/v1/cases", headers=supervisor, json=person).status_code == 403
    # a malformed field and a bad ID number name the field
    bad = client.post("/api/v1/cases", headers=officer, json=_body(w, officer_ids=[]))
    assert bad.status_code == 422 and bad.json()["field"] == "officer_ids"
    wrong = client.post("/api/v1/cases", headers=officer, json={**person, "person_ric": "330802"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "person_ric"
    # a lead found before the first filing rule was in force has no clock: refused, not a 500
    early = _body(w, act_on="2018-01-02", found_on="2018-03-01")
    before = client.post("/api/v1/cases", headers=officer, json=early)
    assert before.status_code == 422 and before.json()["field"] == "found_on"
    # D1: an act more than two years before its discovery cannot be filed
    old = client.post("/api/v1/cases", headers=officer, json=_body(w, act_on="2024-08-31"))
    late = client.post(
        f"/api/v1/cases/{old.json()['id']}/file", headers=officer, json={"on": "2026-09-02"}
    )
    assert late.status_code == 422 and late.json()["error"] == "rule_violation"
    assert [v["rule_id"] for v in late.json()["violations"]] == [catalogue.D1.id]
    assert (
        client.get(f"/api/v1/cases/{old.json()['id']}", headers=officer).json()["status"] == "lead"
    )


def test_the_other_steps_and_endings_over_http(
    client: TestClient, db: Session, personas: Personas
) -> None:
    w = setup(db)
    officer = _bearer(db, personas.officer)
    db.commit()

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = client.post(f"/api/v1/cases{path}", headers=officer, json=body)
        assert r.status_code in (200, 201), (path, r.text)
        return dict(r.json())

    # the hearing path, an extension, a collective discussion and a withdrawal
    cid = post("", _body(w))["id"]
    post(f"/{cid}/file", {"on": FILED.isoformat()})
    post(f"/{cid}/evidence", {"filename": "现场照片", "sha256": SHA, "uri": "s3://evidence/1"})
    post(
        f"/{cid}/extensions",
        {"approved_by": "王局长", "approved_on": "2026-09-20", "reason": "案情复杂"},
    )
    fine = {"kinds": ["fine"], "fine_fen": 6_000_000, "served_on": "2026-09-29"}
    refused = client.post(f"/api/v1/cases/{cid}/notice", headers=officer, json=fine)
    assert (
        refused.status_code == 422 and refused.json()["violations"][0]["rule_id"] == catalogue.D6.id
    )
    post(f"/{cid}/notice", {**fine, "hearing_rights": True})
    assert post(f"/{cid}/hearing-request", {"on": "2026-10-12"})["status"] == "hearing"
    hearing = {"notified_on": "2026-10-13", "hearing_on": "2026-10-22"}
    post(f"/{cid}/hearing-notice", {**hearing, "presiding_id": w.presiding.id})
    held = post(f"/{cid}/hearing", {"held_on": "2026-10-22", "record": "当事人陈述意见"})
    assert held["suspensions"][0]["kind"] == "hearing"
    post(f"/{cid}/discussion", {"on": "2026-10-23", "minutes": "集体讨论同意处罚。"})
    ended = post(f"/{cid}/withdraw", {"on": "2026-10-24", "reason": "违法事实不成立"})
    assert ended["status"] == "withdrawn" and ended["status_label"] == "已撤案"
    # 不予立案
    lead = post("", _body(w))["id"]
    assert (
        post(f"/{lead}/not-file", {"on": FILED.isoformat(), "reason": "不属于本机关管辖"})["status"]
        == "not_filed"
    )
    # 简易程序: decided and served on the spot, then paid under review
    spot = post("", _body(w, procedure="simple"))["id"]
    decided = {
        "decided_on": FOUND.isoformat(),
        "kinds": ["fine"],
        "reasons": "当场查实，情节轻微。",
    }
    over = client.post(
        f"/api/v1/cases/{spot}/decide-on-the-spot",
        headers=officer,
        json={**decided, "fine_fen": 300_100, "remedy": REMEDY},
    )
    assert over.status_code == 422 and over.json()["violations"][0]["rule_id"] == catalogue.D14.id
    served = post(f"/{spot}/decide-on-the-spot", {**decided, "fine_fen": 10_000, "remedy": REMEDY})
    assert served["status"] == "served"
    post(f"/{spot}/remedy", {"started_on": "2026-09-02", "ended_on": "2026-09-05"})
    paid = {"paid_on": FOUND.isoformat(), "amount_fen": 10_000, "channel": "on_spot"}
    assert post(f"/{spot}/payment", paid)["status"] == "executed"
    # 不予处罚
    np = post("", _body(w))["id"]
    post(f"/{np}/file", {"on": FILED.isoformat()})
    post(f"/{np}/evidence", {"filename": "询问笔录", "sha256": SHA, "uri": "s3://evidence/2"})
    warn = {"kinds": ["warning"], "served_on": FILED.isoformat()}
    post(f"/{np}/notice", warn)
    post(f"/{np}/defence", {"on": FILED.isoformat(), "note": "当事人已改正"})
    out = post(
        f"/{np}/decide-no-penalty",
        {"decided_on": "2026-09-04", "reasons": "首违轻微并及时改正。", "remedy": REMEDY},
    )
    assert out["status"] == "decided" and out["fine_fen"] == 0
