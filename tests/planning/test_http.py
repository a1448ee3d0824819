"""Plans over HTTP: the API lifecycle, role refusals, pages per role and the public portal."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.planning import enterprises, entry, item, published_plan
from wurao.auth import service as auth_service
from wurao.auth.scope import Actor
from wurao.core.time import local_today
from wurao.planning import steps
from wurao.planning import unplanned as unplanned_service


def _bearer(db: Session, actor: Actor) -> dict[str, str]:
    _, raw = auth_service.create_api_token(db, actor=actor, name="计划测试")
    return {"Authorization": f"Bearer {raw}"}


def test_api_lifecycle_and_public_portal(
    client: TestClient, db: Session, personas: Personas
) -> None:
    it = item(db)
    admin = _bearer(db, personas.agency_admin)
    officer = _bearer(db, personas.officer)
    sup = _bearer(db, personas.supervisor)
    neighbour = _bearer(db, personas.neighbour_supervisor)
    db.commit()
    year = local_today().year
    made = client.post("/api/v1/plans", headers=admin, json={"year": year, "title": "接口测试计划"})
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    assert client.post("/api/v1/plans", headers=officer, json={"year": year}).status_code == 403
    body = {"item_id": it.id, "months": [3, 4], "planned_count": 5}
    added = client.post(f"/api/v1/plans/{pid}/entries", headers=admin, json=body)
    assert added.status_code == 201 and len(added.json()["entries"]) == 1
    bad = client.post(
        f"/api/v1/plans/{pid}/entries", headers=admin, json={**body, "officers_per_team": 1}
    )
    assert bad.status_code == 422 and bad.json()["error"] == "rule_violation"
    assert client.post(f"/api/v1/plans/{pid}/submit", headers=admin).status_code == 200
    refused = client.post(
        f"/api/v1/plans/{pid}/approve", headers=officer, json={"head_name": "陈局长"}
    )
    assert refused.status_code == 403
    ok = client.post(f"/api/v1/plans/{pid}/approve", headers=admin, json={"head_name": "陈局长"})
    assert ok.json()["status"] == "approved" and ok.json()["approved_by"] == "陈局长"
    assert client.get(f"/public/plans/{pid}").status_code == 404  # not yet published
    assert (
        client.post(f"/api/v1/plans/{pid}/publish", headers=admin).json()["status"] == "published"
    )
    assert (
        client.post(f"/api/v1/plans/{pid}/file", headers=admin).json()["filing_status"] == "pending"
    )
    review = {"accept": True}
    assert (
        client.post(
            f"/api/v1/plans/{pid}/filing-review", headers=neighbour, json=review
        ).status_code
        == 404
    )
    accepted = client.post(f"/api/v1/plans/{pid}/filing-review", headers=sup, json=review)
    assert accepted.json()["status"] == "filed"
    # the portal, without signing in
    anon = TestClient(client.app)
    listing = anon.get("/public/plans", params={"region": "330802", "q": "接口测试"})
    assert listing.status_code == 200 and "接口测试计划" in listing.text
    assert "接口测试计划" not in anon.get("/public/plans", params={"region": "330803"}).text
    detail = anon.get(f"/public/plans/{pid}")
    assert detail.status_code == 200 and it.name in detail.text and "备案通过" in detail.text
    home = anon.get("/public", follow_redirects=True)
    assert home.status_code == 200 and "/public/plans" in home.text and "柯城区" in home.text
    assert anon.get("/public/plans", params={"region": "12"}).status_code == 422
    api_list = client.get("/api/v1/plans", headers=sup, params={"year": year}).json()
    assert pid in [p["id"] for p in api_list["items"]]
    assert client.get("/api/v1/plans", headers=neighbour).json()["total"] == 0


def test_special_and_unplanned_over_api(
    client: TestClient, db: Session, personas: Personas
) -> None:
    it = item(db)
    firm = enterprises(db, 1)[0]
    admin = _bearer(db, personas.agency_admin)
    reviewer = _bearer(db, personas.legal_reviewer)
    officer = _bearer(db, personas.officer)
    db.commit()
    today = local_today()
    body = {
        "year": today.year,
        "title": "接口专项检查",
        "necessity": "事故多发",
        "scope": "全区",
        "start_on": today.isoformat(),
        "end_on": today.isoformat(),
        "item_ids": [it.id],
    }
    made = client.post("/api/v1/special-inspections", headers=admin, json=body)
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    review = {"passed": True, "opinion": "合法"}
    disc = {"on": today.isoformat(), "record": "集体讨论同意"}
    appr = {"organ": "衢州市柯城区人民政府", "ref": "柯政〔2026〕9号", "on": today.isoformat()}

    def approve(special_id: int) -> Response:
        url = f"/api/v1/special-inspections/{special_id}"
        assert client.post(f"{url}/legal-review", headers=reviewer, json=review).status_code == 200
        assert client.post(f"{url}/discussion", headers=admin, json=disc).status_code == 200
        return client.post(f"{url}/approval", headers=admin, json=appr)

    url = f"/api/v1/special-inspections/{sid}"
    assert client.post(f"{url}/legal-review", headers=admin, json=review).status_code == 403
    assert (
        client.post(f"{url}/legal-review", headers=reviewer, json=review).json()["status"]
        == "reviewed"
    )
    assert (
        client.post(f"{url}/discussion", headers=admin, json=disc).json()["status"] == "discussed"
    )
    assert client.post(f"{url}/approval", headers=admin, json=appr).json()["status"] == "approved"
    assert client.post(f"{url}/publish", headers=admin).json()["status"] == "published"
    anon = TestClient(client.app)
    assert "接口专项检查" in anon.get("/public/special", params={"region": "330802"}).text
    assert "柯政〔2026〕9号" in anon.get(f"/public/special/{sid}").text
    # quota: the default is 3 approved a year; drafts take no place, approval does
    drafts = []
    for n in range(3):
        made = client.post(
            "/api/v1/special-inspections", headers=admin, json={**body, "title": f"第{n}"}
        )
        assert made.status_code == 201, made.text
        drafts.append(made.json()["id"])
    assert approve(drafts[0]).json()["status"] == "approved"
    assert approve(drafts[1]).json()["status"] == "approved"
    late = approve(drafts[2])
    assert late.status_code == 422, late.text
    assert late.json()["error"] == "rule_violation" and "上限" in late.json()["message"]
    over = client.post("/api/v1/special-inspections", headers=admin, json={**body, "title": "超额"})
    assert over.status_code == 422
    assert over.json()["error"] == "rule_violation" and "上限" in over.json()["message"]
    # unplanned
    req = client.post(
        "/api/v1/unplanned", headers=officer, json={"enterprise_uscc": firm.uscc, "reason": "投诉"}
    )
    assert req.status_code == 201, req.text
    uid = req.json()["id"]
    decision = {"approve": True, "head_name": "陈局长", "comment": "同意"}
    assert (
        client.post(f"/api/v1/unplanned/{uid}/decision", headers=officer, json=decision).status_code
        == 403
    )
    done = client.post(f"/api/v1/unplanned/{uid}/decision", headers=admin, json=decision).json()
    assert done["status"] == "approved" and done["filed_at"] is not None


def test_pages_per_role(client: TestClient, db: Session, personas: Personas) -> None:
    plan = published_plan(db, personas.agency_admin, [entry(item(db).id)], year=2026)
    steps.file_plan(db, plan=plan, actor=personas.agency_admin)
    db.commit()
    sign_in(client, "kc_sfj")
    listing = client.get("/plans")
    assert listing.status_code == 200 and plan.title in listing.text
    page = client.get(f"/plans/{plan.id}")
    assert "备案审核" in page.text and "报监督机构备案" not in page.text
    assert client.get("/plans/joint?year=2026").status_code == 200
    assert client.get("/special").status_code == 200
    assert client.get("/unplanned").status_code == 200
    client.post("/logout", data={"csrf_token": ""})
    csrf = sign_in(client, "kc_scjg_admin")
    page = client.get(f"/plans/{plan.id}")
    assert "调整计划" in page.text and "备案审核" not in page.text
    made = client.post("/plans", data={"csrf_token": csrf, "year": "2027", "title": ""})
    assert made.status_code == 200 and "草稿" in made.text
    assert "添加检查内容" in made.text
    special = client.get("/special")
    assert "上限" in special.text
    client.cookies.clear()
    sign_in(client, "kc_scjg_zhang")
    page = client.get(f"/plans/{plan.id}")
    assert page.status_code == 200 and "调整计划" not in page.text
    assert client.post("/plans", data={"csrf_token": "x", "year": "2027"}).status_code == 403
    client.cookies.clear()
    sign_in(client, "qj_sfj")
    assert client.get(f"/plans/{plan.id}").status_code == 404


def test_forms_for_entries_special_and_unplanned(
    client: TestClient, db: Session, personas: Personas
) -> None:
    it = item(db)
    firms = enterprises(db, 2)
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    made = client.post("/plans", data={"csrf_token": csrf, "year": "2027"}, follow_redirects=False)
    url = made.headers["location"]
    form = {
        "csrf_token": csrf,
        "item_id": str(it.id),
        "method": "onsite",
        "selection": "targeted",
        "months": "3-4",
        "officers_per_team": "2",
        "targets": f"{firms[0].uscc}\n{firms[1].uscc}",
    }
    page = client.post(f"{url}/entries", data=form)
    assert page.status_code == 200 and "定向检查（2家）" in page.text
    bad = client.post(f"{url}/entries", data={**form, "targets": "91330802XXXXXXXXXX"})
    assert bad.status_code == 422 and "不在辖区检查对象名录中" in bad.text
    today = local_today()
    special = client.post(
        "/special",
        data={
            "csrf_token": csrf,
            "year": str(today.year),
            "title": "表单专项",
            "necessity": "必要",
            "scope": "全区",
            "start_on": today.isoformat(),
            "end_on": today.isoformat(),
            "item_ids": [str(it.id)],
        },
    )
    assert (
        special.status_code == 200 and "表单专项" in special.text and "等待法制审核" in special.text
    )
    asked = client.post(
        "/unplanned", data={"csrf_token": csrf, "uscc": firms[0].uscc, "reason": "上级交办"}
    )
    assert asked.status_code == 200 and "上级交办" in asked.text
    row = unplanned_service.list_unplanned(db, actor=personas.agency_admin).items[0]
    decided = client.post(
        f"/unplanned/{row.id}/decision",
        data={"csrf_token": csrf, "decision": "approve", "head_name": "陈局长", "comment": "同意"},
    )
    assert decided.status_code == 200 and "已批准并报监督机构备案" in decided.text
