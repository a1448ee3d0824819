"""异地检查 (A8): the common superior's approval as a record, checked like an unplanned approval,
and the local counterpart told when the code is issued (衢政办发〔2025〕16号 第10项).

柯城区市场监管局 (330802) inspects an enterprise of 衢江区 (330803): the common superior is a
衢州市 (330800) or 浙江省 (330000) organ; 衢江区市场监管局 is the counterpart told.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, csrf_of, sign_in
from tests.inspections import (
    KC_YJJ,
    NOW,
    QJ_SCJG,
    TODAY,
    World,
    add_enterprise,
    add_item,
    issue,
    key_dir,
    new_task,
    subject,
    world,
)
from tests.inspections.test_tasks import bearer
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import audit
from wurao.core.errors import Forbidden, InvalidInput, RuleViolation
from wurao.inspections import cross_region, issuing
from wurao.inspections.models import (
    CrossRegionApproval,
    CrossRegionApprovalEnterprise,
    CrossRegionApprovalItem,
    InspectionTask,
    TaskSubject,
)
from wurao.oversight.models import InboxMessage

__all__ = ["key_dir"]
A8 = "A8 INSP-LOCALITY"


def remote_world(db: Session) -> World:
    w = world(db)
    w.enterprise = add_enterprise(db, region="330803")
    return w


def data(w: World, **changes: object) -> cross_region.ApprovalData:
    values: dict[str, object] = {
        "organ_name": "衢州市市场监督管理局",
        "organ_region_code": "330800",
        "approved_on": dt.date(2026, 3, 1),
        "doc_no": "衢市监〔2026〕3号",
        "valid_from": dt.date(2026, 3, 1),
        "valid_to": dt.date(2026, 3, 31),
        "enterprise_usccs": [w.enterprise.uscc],
        "item_codes": [w.item.code],
        "reason": "跨区经营的燃气企业，经市局协调由柯城区局检查",
    }
    values.update(changes)
    return cross_region.ApprovalData(**values)  # type: ignore[arg-type]


def add_approval(db: Session, w: World, **changes: object) -> CrossRegionApproval:
    """An approval row written directly (to test the check on rows the service would refuse)."""
    values: dict[str, object] = {
        "subject_id": w.subject.id,
        "organ_name": "衢州市市场监督管理局",
        "organ_region_code": "330800",
        "approved_on": dt.date(2026, 3, 1),
        "doc_no": "衢市监〔2026〕9号",
        "valid_from": dt.date(2026, 3, 1),
        "valid_to": dt.date(2026, 3, 31),
        "reason": "",
        "recorded_at": NOW,
    }
    values.update(changes)
    row = CrossRegionApproval(**values)
    db.add(row)
    db.flush()
    links = [
        CrossRegionApprovalEnterprise(approval_id=row.id, enterprise_id=w.enterprise.id),
        CrossRegionApprovalItem(approval_id=row.id, item_id=w.item.id),
    ]
    db.add_all(links)
    audit.record(db, actor=SYSTEM_ACTOR, action="cross_region.record", obj=row, covers=links)
    return row


def locality(db: Session, actor: object, task: InspectionTask, today: dt.date = TODAY) -> str:
    result = issuing.precheck(db, actor=actor, task=task, today=today)  # type: ignore[arg-type]
    outcome = next(o for o in result.outcomes if o.rule.key == "locality")
    assert all(v.rule_id == A8 for v in outcome.violations)
    return outcome.status + ":" + " ".join(v.detail for v in outcome.violations)


# --- the check -----------------------------------------------------------------------------


def test_A8_free_text_reference_no_longer_passes(db: Session, personas: Personas) -> None:
    """Before: any string in the reference field passed A8."""
    w = remote_world(db)
    task = new_task(db, personas.agency_admin, w)
    row = db.get(TaskSubject, (task.id, w.subject.id))
    assert row is not None
    before = audit.snapshot(row)
    row.remote_approval_ref = "随便写的文号"
    audit.record(db, actor=SYSTEM_ACTOR, action="t", obj=row, before=before)
    assert locality(db, personas.agency_admin, task).startswith("fail:")


def test_A8_without_an_approval_fails(db: Session, personas: Personas) -> None:
    w = remote_world(db)
    task = new_task(db, personas.agency_admin, w)
    assert "须登记共同上级机关的异地检查批准" in locality(db, personas.agency_admin, task)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"organ_region_code": "330803"}, "不是衢州市柯城区市场监督管理局（330802）的上级机关"),
        ({"organ_region_code": "330802"}, "不是衢州市柯城区市场监督管理局（330802）的上级机关"),
        ({"approved_on": dt.date(2026, 3, 4)}, "不是事前批准"),
        ({"valid_to": dt.date(2026, 3, 5)}, "不覆盖检查时间"),
        ({"valid_from": dt.date(2026, 3, 4)}, "不覆盖检查时间"),
    ],
    ids=["enterprise-county", "own-county", "after-the-start", "ends-early", "starts-late"],
)
def test_A8_an_approval_that_does_not_cover_fails(
    db: Session, personas: Personas, changes: dict[str, object], expected: str
) -> None:
    w = remote_world(db)
    add_approval(db, w, **changes)
    task = new_task(db, personas.agency_admin, w)
    got = locality(db, personas.agency_admin, task)
    assert got.startswith("fail:") and expected in got, got


def test_A8_an_organ_outside_the_enterprise_area_is_not_a_common_superior(
    db: Session, personas: Personas
) -> None:
    w = world(db)
    w.enterprise = add_enterprise(db, region="330100")  # 杭州市: 衢州市 is not above it
    add_approval(db, w)
    task = new_task(db, personas.agency_admin, w)
    got = locality(db, personas.agency_admin, task)
    assert "辖区不包括" in got and "不是共同上级机关" in got
    add_approval(db, w, organ_name="浙江省市场监督管理局", organ_region_code="330000")
    assert locality(db, personas.agency_admin, task).startswith("pass:")


def test_A8_other_enterprise_items_or_subject_fail(db: Session, personas: Personas) -> None:
    w = remote_world(db)
    other = remote_world(db)
    add_approval(db, other)  # the same subject, another enterprise and item
    named = add_approval(db, other)
    task = new_task(db, personas.agency_admin, w)
    assert "须登记" in locality(db, personas.agency_admin, task)
    named_task = new_task(
        db, personas.agency_admin, w, cross_region_approval_ids={w.subject.id: named.id}
    )
    assert "不包括" in locality(db, personas.agency_admin, named_task)
    ok = add_approval(db, w)
    extra = add_item(db, w.subject.field)
    wider = new_task(db, personas.agency_admin, w, item_codes=[w.item.code, extra.code])
    assert "未包括检查事项" in locality(db, personas.agency_admin, wider)
    safety = world(db, KC_YJJ)
    safety.enterprise = w.enterprise
    theirs = new_task(
        db,
        personas.other_officer,
        safety,
        cross_region_approval_ids={safety.subject.id: ok.id},
    )
    assert "不是批准衢州市柯城区应急管理局实施检查的" in locality(
        db, personas.other_officer, theirs
    )


def test_A8_a_named_approval_that_does_not_exist_is_a_field_error(
    db: Session, personas: Personas
) -> None:
    w = remote_world(db)
    with pytest.raises(InvalidInput) as err:
        new_task(db, personas.agency_admin, w, cross_region_approval_ids={w.subject.id: 999999})
    assert err.value.field == "cross_region_approval_ids"


def test_A8_late_code_may_rest_on_an_approval_obtained_afterwards(
    db: Session, personas: Personas
) -> None:
    w = remote_world(db)
    started = dt.date(2026, 2, 27)
    add_approval(db, w, approved_on=TODAY, valid_from=started)
    task = new_task(
        db,
        personas.agency_admin,
        w,
        window_start=started,
        started_without_code_on=started,
        finished_without_code_on=started,
    )
    assert locality(db, personas.agency_admin, task).startswith("pass:")


# --- the pass: record, code, bind, tell ------------------------------------------------------


def test_A8_recorded_approval_passes_binds_and_tells_the_counterpart(
    db: Session, personas: Personas, key_dir: object
) -> None:
    w = remote_world(db)
    approval = cross_region.record_approval(db, actor=personas.agency_admin, data=data(w))
    task = new_task(db, personas.agency_admin, w)
    assert locality(db, personas.agency_admin, task) == "pass:"
    issued = issue(db, personas.agency_admin, task)
    row = db.get(TaskSubject, (task.id, w.subject.id))
    assert row is not None and row.cross_region_approval_id == approval.id
    counterpart = subject(db, QJ_SCJG)
    messages = list(db.scalars(select(InboxMessage).where(InboxMessage.kind == "cross_region")))
    assert [m.subject_id for m in messages] == [counterpart.id]
    body = messages[0].body
    assert w.enterprise.name in body and "衢市监〔2026〕3号" in body
    assert issued.code.number in body and w.item.code in body
    assert "衢州市柯城区市场监督管理局" in messages[0].title


def test_A8_record_approval_refuses_what_is_no_common_superior(
    db: Session, personas: Personas
) -> None:
    w = remote_world(db)
    admin = personas.agency_admin
    with pytest.raises(RuleViolation) as err:  # the enterprise's own county
        cross_region.record_approval(db, actor=admin, data=data(w, organ_region_code="330803"))
    assert err.value.violations[0].rule_id == A8 and "上级机关" in err.value.violations[0].detail
    with pytest.raises(RuleViolation):  # the subject itself
        cross_region.record_approval(
            db, actor=admin, data=data(w, organ_name=w.subject.name, organ_region_code="330800")
        )
    with pytest.raises(InvalidInput) as bad_region:
        cross_region.record_approval(db, actor=admin, data=data(w, organ_region_code="339999"))
    assert bad_region.value.field == "organ_region_code"
    home = add_enterprise(db)  # in 柯城区: no approval needed
    with pytest.raises(InvalidInput) as local:
        cross_region.record_approval(db, actor=admin, data=data(w, enterprise_usccs=[home.uscc]))
    assert local.value.field == "enterprise_usccs"
    with pytest.raises(InvalidInput) as dates:
        cross_region.record_approval(db, actor=admin, data=data(w, valid_to=dt.date(2026, 2, 1)))
    assert dates.value.field == "valid_to"
    with pytest.raises(InvalidInput) as items:
        cross_region.record_approval(
            db, actor=admin, data=data(w, item_codes=[add_item(db, "应急管理").code])
        )
    assert items.value.field == "item_codes"
    with pytest.raises(Forbidden):  # an officer does not record approvals
        cross_region.record_approval(db, actor=personas.officer, data=data(w))


def test_A8_approvals_are_seen_by_their_subject_and_region(db: Session, personas: Personas) -> None:
    w = remote_world(db)
    approval = cross_region.record_approval(db, actor=personas.agency_admin, data=data(w))
    for actor in (personas.agency_admin, personas.officer, personas.supervisor):
        rows = cross_region.list_approvals(db, actor=actor).items
        assert approval.id in [v.approval.id for v in rows]
    for actor in (personas.other_officer, personas.neighbour_supervisor):
        rows = cross_region.list_approvals(db, actor=actor).items
        assert approval.id not in [v.approval.id for v in rows]


# --- API and pages ------------------------------------------------------------------------------


def test_A8_api_records_and_lists_approvals(
    db: Session, personas: Personas, client: TestClient
) -> None:
    w = remote_world(db)
    body = {
        "organ_name": "衢州市市场监督管理局",
        "organ_region_code": "330800",
        "approved_on": "2026-03-01",
        "doc_no": "衢市监〔2026〕5号",
        "valid_from": "2026-03-01",
        "valid_to": "2026-03-31",
        "enterprise_usccs": [w.enterprise.uscc],
        "item_codes": [w.item.code],
    }
    officer = bearer(db, personas.officer)
    assert (
        client.post("/api/v1/cross-region-approvals", json=body, headers=officer).status_code == 403
    )
    admin = bearer(db, personas.agency_admin)
    created = client.post("/api/v1/cross-region-approvals", json=body, headers=admin)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["enterprise_usccs"] == body["enterprise_usccs"]
    assert out["item_codes"] == body["item_codes"]
    one = client.get(f"/api/v1/cross-region-approvals/{out['id']}", headers=officer)
    assert one.status_code == 200 and one.json()["doc_no"] == "衢市监〔2026〕5号"
    listed = client.get("/api/v1/cross-region-approvals", headers=admin).json()
    assert out["id"] in [r["id"] for r in listed["items"]]
    wrong = client.post(
        "/api/v1/cross-region-approvals",
        json={**body, "organ_region_code": "330803"},
        headers=admin,
    )
    assert wrong.status_code == 422 and wrong.json()["violations"][0]["rule_id"] == A8


def test_A8_page_records_an_approval_for_a_task_and_lists_it(
    db: Session, personas: Personas, client: TestClient
) -> None:
    """No typed codes (issue 19 item 1): the organ is one of the subject's superiors and the
    enterprise comes picked from the task page's link; the service still checks both."""
    w = remote_world(db)
    task = new_task(db, personas.agency_admin, w)
    uscc, item_code, task_id, ent_id = w.enterprise.uscc, w.item.code, task.id, w.enterprise.id
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    detail = client.get(f"/tasks/{task_id}")
    assert "异地检查批准" in detail.text and "尚未登记" in detail.text
    form = client.get(f"/cross-region-approvals/new?enterprise={uscc}&task={task_id}")
    assert form.status_code == 200
    assert f'name="enterprise_ids" value="{ent_id}" checked' in form.text
    assert 'value="r330800"' in form.text and 'value="r330000"' in form.text
    assert 'value="r330802"' not in form.text  # the subject's own region approves nothing
    assert "organ_region_code" not in form.text and "enterprise_usccs" not in form.text
    resp = client.post(
        "/cross-region-approvals",
        data={
            "csrf_token": csrf_of(form.text) or csrf,
            "task": str(task_id),
            "organ": "r330800",
            "doc_no": "衢市监〔2026〕8号",
            "approved_on": "2026-03-01",
            "valid_from": "2026-03-01",
            "valid_to": "2026-03-31",
            "enterprise_ids": str(ent_id),
            "item_codes": [item_code],
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    assert resp.headers["location"] == f"/tasks/{task_id}"
    page = client.get(f"/tasks/{task_id}")
    assert "衢市监〔2026〕8号" in page.text
    listing = client.get("/cross-region-approvals")
    assert "衢市监〔2026〕8号" in listing.text and "衢州市人民政府" in listing.text
    bad = client.post(
        "/cross-region-approvals",
        data={"csrf_token": csrf, "organ": "", "doc_no": "x"},
    )
    assert bad.status_code == 422 and "批准机关" in bad.text


def test_A8_page_refuses_an_organ_not_offered_and_keeps_the_form(
    db: Session, personas: Personas, client: TestClient
) -> None:
    """A key the page did not offer (the neighbouring county) is refused beside the organ
    field; the typed number and the ticked enterprise come back, nothing is saved."""
    w = remote_world(db)
    ent_id = w.enterprise.id
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    before = db.scalar(select(func.count()).select_from(CrossRegionApproval))
    resp = client.post(
        "/cross-region-approvals",
        data={
            "csrf_token": csrf,
            "_back": "/cross-region-approvals/new",
            "organ": "r330803",
            "doc_no": "衢江监〔2026〕1号",
            "approved_on": "2026-03-01",
            "valid_from": "2026-03-01",
            "valid_to": "2026-03-31",
            "enterprise_ids": str(ent_id),
            "item_codes": [w.item.code],
        },
    )
    assert resp.status_code == 422
    assert "error-page" not in resp.text and 'id="err-organ"' in resp.text
    assert "衢江监〔2026〕1号" in resp.text
    assert f'name="enterprise_ids" value="{ent_id}" checked' in resp.text
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(CrossRegionApproval)) == before


def test_A8_enterprise_search_offers_only_enterprises_outside_the_area(
    db: Session, personas: Personas, client: TestClient
) -> None:
    w = remote_world(db)
    home = add_enterprise(db, region="330802")
    remote_name, home_name, ent_id = w.enterprise.name, home.name, w.enterprise.id
    db.commit()
    sign_in(client, "kc_scjg_admin")

    def search(q: str, *picked: int) -> str:
        params = [("enterprise_q", q)] + [("enterprise_ids", str(i)) for i in picked]
        resp = client.get("/cross-region-approvals/new/enterprises", params=params)
        assert resp.status_code == 200
        return resp.text

    assert remote_name in search(remote_name)
    assert "enterprise_ids" not in search(home_name)  # in the subject's area: none needed
    assert remote_name in search(w.enterprise.uscc)
    kept = search("没有这家企业", ent_id)
    assert f'value="{ent_id}" checked' in kept  # a ticked one stays while searching
    assert "在上方输入" in search("")
