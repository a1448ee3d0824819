"""The proposal pages and API: run, read, accept through the forms, decline through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas, csrf_of, sign_in
from tests.joint.test_proposals import MARCH, merge_for, pair
from wurao.joint import decisions, proposals
from wurao.joint.models import JointMerge


def test_run_a_proposal_then_each_subject_accepts_on_the_page(
    db: Session, personas: Personas, client: TestClient
) -> None:
    w, _, _, _ = pair(db, personas)
    db.commit()
    token = sign_in(client, "kc_sfj")
    page = client.get("/joint/proposals")
    assert page.status_code == 200 and "生成方案" in page.text
    resp = client.post(
        "/joint/proposals",
        data={"csrf_token": token, "period_start": "2026-03-01", "period_end": "2026-03-31"},
        follow_redirects=True,
    )
    assert resp.status_code == 200, resp.text[:400]
    assert "综合查一次方案 #" in resp.text and w.enterprise.name in resp.text
    merge = db.scalars(select(JointMerge).where(JointMerge.enterprise_id == w.enterprise.id)).one()
    detail = client.get(f"/joint/merges/{merge.id}")
    assert "一表通查" in detail.text and 'id="decide"' not in detail.text  # the supervisor
    for username in ("kc_scjg_zhang", "kc_yjj_li"):
        client.cookies.clear()
        sign_in(client, username)
        detail = client.get(f"/joint/merges/{merge.id}")
        assert 'id="decide"' in detail.text
        resp = client.post(
            f"/joint/merges/{merge.id}/decision",
            data={"csrf_token": csrf_of(detail.text), "accept": "1", "reason": ""},
            follow_redirects=True,
        )
        assert resp.status_code == 200
    merge = db.scalars(select(JointMerge).where(JointMerge.id == merge.id)).one()
    assert merge.status == "accepted" and merge.joint_task_id is not None
    assert f"联合检查任务 #{merge.joint_task_id}" in resp.text


def test_api_runs_a_proposal_and_records_a_decline(
    db: Session, personas: Personas, client: TestClient
) -> None:
    w, _, _, _ = pair(db, personas)
    db.commit()
    token = sign_in(client, "kc_sfj")
    resp = client.post(
        "/api/v1/joint/proposals",
        json={"period_start": "2026-03-01", "period_end": "2026-03-31", "time_limit": 5},
        headers={"X-CSRF-Token": token},
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["visits"] < body["visits_before"] and body["lower_bound"] <= body["visits"]
    merge = next(m for m in body["merges"] if m["enterprise_id"] == w.enterprise.id)
    lines = client.get(f"/api/v1/joint/merges/{merge['id']}/checklist").json()
    assert len(lines) == len({x["text"] for x in lines})
    client.cookies.clear()
    token = sign_in(client, "kc_yjj_li")
    resp = client.post(
        f"/api/v1/joint/merges/{merge['id']}/decision",
        json={"accept": False, "reason": "时间冲突"},
        headers={"X-CSRF-Token": token},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "declined"


def test_the_joint_task_record_page_shows_the_delegation(
    db: Session, personas: Personas, client: TestClient
) -> None:
    w, o, _, _ = pair(db, personas)
    p = proposals.run_proposal(db, actor=personas.supervisor, start=MARCH[0], end=MARCH[1])
    merge = merge_for(db, p, w.enterprise.id).merge
    decisions.decide(db, actor=personas.officer, merge=merge, accept=True)
    decisions.decide(db, actor=personas.other_officer, merge=merge, accept=True)
    assert merge.joint_task_id is not None
    decisions.delegate(
        db,
        actor=personas.officer,
        merge=merge,
        to_subject_id=o.subject.id,
        item_ids=[w.item.id],
        note="一并查验",
    )
    db.commit()
    sign_in(client, "kc_yjj_li")
    page = client.get(f"/tasks/{merge.joint_task_id}/record")
    assert page.status_code == 200, page.text[:400]
    assert f"{o.subject.name}受{w.subject.name}委托检查：事项{w.item.name}（一并查验）" in page.text
