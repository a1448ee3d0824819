"""Tasks: creation, who sees which task, and the JSON API from create to code to revoke."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.inspections import KC_YJJ, START, key_dir, new_task, subject, world
from wurao.auth import service as auth_service
from wurao.auth.scope import Actor
from wurao.core.errors import Forbidden, InvalidInput, NotFound
from wurao.core.time import local_today
from wurao.inspections import issuing, service

__all__ = ["key_dir"]


def bearer(db: Session, actor: Actor) -> dict[str, str]:
    _, raw = auth_service.create_api_token(db, actor=actor, name="测试")
    db.commit()
    return {"Authorization": f"Bearer {raw}"}


def test_create_task_stores_subjects_items_officers(db: Session, personas: Personas) -> None:
    w = world(db)
    task = new_task(db, personas.officer, w)
    b = service.load_task(db, actor=personas.officer, task_id=task.id)
    assert b.task.status == "draft" and b.task.year == START.year
    assert [s.id for s in b.subjects] == [w.subject.id]
    assert [i.code for _, i in b.items] == [w.item.code]
    assert {o.id for _, o in b.officers} == {o.id for o in w.officers}
    assert b.task.region_code == w.enterprise.region_code


def test_joint_task_assigns_items_and_officers_to_their_subject(
    db: Session, personas: Personas
) -> None:
    w = world(db)
    other = world(db, KC_YJJ)
    task = new_task(
        db,
        personas.agency_admin,
        w,
        subject_ids=[w.subject.id, other.subject.id],
        item_codes=[w.item.code, other.item.code],
        officer_ids=[o.id for o in w.officers + other.officers],
    )
    b = service.bundle(db, task)
    assert b.lead.id == w.subject.id and len(b.subjects) == 2
    assert {(t.subject_id, i.code) for t, i in b.items} == {
        (w.subject.id, w.item.code),
        (other.subject.id, other.item.code),
    }
    got = {
        o.rule.key: o.status
        for o in issuing.precheck(db, actor=personas.agency_admin, task=task, today=START).outcomes
    }
    assert got["two_officers"] == "pass" and got["items_published"] == "pass"


def test_create_task_validates_input(db: Session, personas: Personas) -> None:
    w = world(db)
    with pytest.raises(InvalidInput):
        new_task(db, personas.agency_admin, w, method="phone")
    with pytest.raises(InvalidInput):
        new_task(db, personas.agency_admin, w, enterprise_uscc="91330802MA2A00001X")
    with pytest.raises(InvalidInput):
        new_task(db, personas.agency_admin, w, item_codes=["NO-SUCH"])
    with pytest.raises(Forbidden):  # another agency's task
        new_task(db, personas.other_officer, w)
    with pytest.raises(Forbidden):  # supervisors do not make tasks
        new_task(db, personas.supervisor, w)


def test_task_visibility_by_subject_and_region(db: Session, personas: Personas) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w)
    for actor in (personas.agency_admin, personas.officer, personas.supervisor):
        assert service.get_task(db, actor=actor, task_id=task.id).id == task.id
    for actor in (personas.other_officer, personas.neighbour_supervisor):
        with pytest.raises(NotFound):
            service.get_task(db, actor=actor, task_id=task.id)
    rows = service.list_tasks(db, actor=personas.neighbour_supervisor).items
    assert task.id not in {t.id for t, _, _ in rows}
    with pytest.raises(Forbidden):
        service.list_tasks(db, actor=personas.enterprise)
    assert subject(db).id == w.subject.id


def test_api_create_precheck_issue_revoke(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    w = world(db)
    today = local_today()
    headers = bearer(db, personas.agency_admin)
    body = {
        "enterprise_uscc": w.enterprise.uscc,
        "subject_ids": [w.subject.id],
        "item_codes": [w.item.code],
        "officer_ids": [o.id for o in w.officers],
        "method": "onsite",
        "origin": "complaint",
        "window_start": today.isoformat(),
        "window_end": today.isoformat(),
        "trigger_ref": "12345-1",
        "trigger_reason": "投诉",
    }
    created = client.post("/api/v1/tasks", json=body, headers=headers)
    assert created.status_code == 201, created.text
    task_id = created.json()["id"]
    pre = client.get(f"/api/v1/tasks/{task_id}/precheck", headers=headers).json()
    assert pre["ok"] is True
    assert {r["rule_id"] for r in pre["rules"]} >= {"B1 TWO-OFFICERS", "A5 INSP-FREQ-CAP"}
    assert all(r["source"] for r in pre["rules"])
    issued = client.post(f"/api/v1/tasks/{task_id}/code", headers=headers)
    assert issued.status_code == 201, issued.text
    number = issued.json()["code"]["number"]
    again = client.post(f"/api/v1/tasks/{task_id}/code", headers=headers)
    assert again.status_code == 409
    listed = client.get("/api/v1/tasks", headers=headers).json()
    assert any(r["code_number"] == number for r in listed["items"])
    officer = bearer(db, personas.officer)
    denied = client.post(f"/api/v1/codes/{number}/revoke", json={"reason": "x"}, headers=officer)
    assert denied.status_code == 403
    revoked = client.post(
        f"/api/v1/codes/{number}/revoke", json={"reason": "取消"}, headers=headers
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"


def test_api_refusal_lists_every_rule(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w, officer_ids=[w.officers[0].id], trigger_ref="")
    headers = bearer(db, personas.agency_admin)
    resp = client.post(f"/api/v1/tasks/{task.id}/code", headers=headers)
    assert resp.status_code == 422
    ids = {v["rule_id"] for v in resp.json()["violations"]}
    assert {"B1 TWO-OFFICERS", "A4 INSP-APPROVAL"} <= ids


def test_pages_create_and_issue(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    w = world(db)
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    form = client.get("/tasks/new")
    assert form.status_code == 200 and w.item.code in form.text
    today = local_today().isoformat()
    resp = client.post(
        "/tasks",
        data={
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
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    detail = client.get(resp.headers["location"])
    assert "赋码预检" in detail.text and "B1 TWO-OFFICERS" in detail.text
    assert "预检通过，可以申请赋码" in detail.text and "预检未通过" not in detail.text
    issued = client.post(
        resp.headers["location"] + "/code", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert issued.status_code == 303
    page = client.get(issued.headers["location"])
    assert "<svg" in page.text and "行政行为码" in page.text
    sheet = client.get(issued.headers["location"] + "/print")
    assert sheet.status_code == 200 and w.officers[0].cert_no in sheet.text
    listing = client.get("/tasks")
    assert w.enterprise.name in listing.text


def test_page_refusal_shows_every_failed_rule(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w, officer_ids=[w.officers[0].id], trigger_ref="")
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    # created through the page, a task failing its pre-check is announced as such, not green
    created = client.post(
        "/tasks",
        data={
            "csrf_token": csrf,
            "enterprise_uscc": w.enterprise.uscc,
            "method": "onsite",
            "origin": "complaint",
            "trigger_ref": "12345-10",
            "trigger_reason": "投诉",
            "window_start": local_today().isoformat(),
            "window_end": local_today().isoformat(),
            "item_codes": [w.item.code],
            "officer_ids": [str(w.officers[0].id)],
        },
    )
    assert "flash-warn" in created.text and "预检未通过" in created.text
    assert "预检通过，可以申请赋码" not in created.text
    resp = client.post(f"/tasks/{task.id}/code", data={"csrf_token": csrf})
    assert resp.status_code == 422
    assert (
        "不予赋码" in resp.text
        and "B1 TWO-OFFICERS" in resp.text
        and "A4 INSP-APPROVAL" in resp.text
    )


def test_a_draw_that_does_not_exist_is_a_field_error_not_a_500(
    db: Session, personas: Personas, client: TestClient
) -> None:
    """``draw_id`` is a foreign key now: a wrong number is refused before the insert, in
    Chinese and naming the field, on the API and on the page."""
    w = world(db)
    today = local_today().isoformat()
    fields = {
        "enterprise_uscc": w.enterprise.uscc,
        "method": "onsite",
        "origin": "draw",
        "window_start": today,
        "window_end": today,
        "item_codes": [w.item.code],
    }
    officer_ids = [o.id for o in w.officers]
    headers = bearer(db, personas.agency_admin)
    body = {**fields, "subject_ids": [w.subject.id], "officer_ids": officer_ids}
    resp = client.post("/api/v1/tasks", json={**body, "draw_id": 424242}, headers=headers)
    assert resp.status_code == 422, resp.text
    assert resp.json()["field"] == "draw_id"
    assert "双随机抽查编号 424242 不存在" in resp.json()["message"]
    # beyond the column's range the bound refuses it before any query, naming the field
    resp = client.post("/api/v1/tasks", json={**body, "draw_id": 2**40}, headers=headers)
    assert resp.status_code == 422, resp.text
    assert resp.json()["field"] == "draw_id"
    assert "不能大于2147483647" in resp.json()["message"]
    csrf = sign_in(client, "kc_scjg_admin")
    page = client.post(
        "/tasks",
        data={
            **fields,
            "csrf_token": csrf,
            "officer_ids": [str(i) for i in officer_ids],
            "draw_id": "424242",
        },
        follow_redirects=False,
    )
    assert page.status_code == 422 and "双随机抽查编号 424242 不存在" in page.text
