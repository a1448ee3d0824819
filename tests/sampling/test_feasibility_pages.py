"""The draw pages do not let a clerk walk into failure (issue 19 item 3): the preview's
feasibility, the freeze refused on the page without an override, the confirmation before
tasks are created, and the form coming back with its input and the error beside the field."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.sampling import (
    DRAW_DATE,
    END,
    START,
    add_enterprises,
    add_item,
    add_officers,
    new_draw,
    subject,
)
from wurao.inspections.models import InspectionTask
from wurao.sampling import freeze, service
from wurao.sampling.models import Draw


def _tasks(db: Session, draw_id: int) -> int:
    return int(db.scalar(select(func.count()).select_from(InspectionTask)
                         .where(InspectionTask.draw_id == draw_id)) or 0)  # fmt: skip


def _overloaded(db: Session, personas: Personas) -> int:
    s = subject(db)
    add_officers(db, s, 4)
    add_enterprises(db, "C" * 200)
    draw = new_draw(db, personas.agency_admin, [s], [add_item(db)], window_start=START,
                    window_end=START, officer_cap=400)  # fmt: skip
    db.commit()
    return draw.id


def test_preview_warns_and_the_page_refuses_the_freeze_without_an_override(
    db: Session, personas: Personas, client: TestClient
) -> None:
    draw_id = _overloaded(db, personas)
    token = sign_in(client, "kc_scjg_admin")
    page = client.get(f"/draws/{draw_id}")
    assert page.status_code == 200
    assert "负荷过重" in page.text and "超过每人每周 10 户的上限" in page.text
    assert "将生成" in page.text and "data-freeze disabled" in page.text
    assert 'name="override"' in page.text
    # posting anyway (no JavaScript, or a crafted request): refused beside the form
    back = f"/draws/{draw_id}"  # the page the form is on: a refusal comes back there
    refused = client.post(f"/draws/{draw_id}/freeze", data={"csrf_token": token, "_back": back})
    assert refused.status_code == 422 and "未冻结" in refused.text
    assert 'id="freeze-form"' in refused.text
    db.expire_all()
    draw = db.get(Draw, draw_id)
    assert draw is not None and draw.status == "draft"
    # ticked without a reason: still refused, the tick kept
    refused = client.post(f"/draws/{draw_id}/freeze",
                          data={"csrf_token": token, "override": "1", "_back": back})  # fmt: skip
    assert refused.status_code == 422 and "data-override checked" in refused.text
    assert "error-page" not in refused.text
    done = client.post(f"/draws/{draw_id}/freeze", data={
        "csrf_token": token, "override": "1", "override_reason": "集中整治，全局人员一日完成",
    }, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    db.expire_all()
    draw = db.get(Draw, draw_id)
    assert draw is not None and draw.status == "frozen"


def test_creating_tasks_needs_the_confirmation_step(
    db: Session, personas: Personas, client: TestClient
) -> None:
    s = subject(db)
    add_officers(db, s, 4)
    add_enterprises(db, "C" * 3)
    draw = new_draw(db, personas.agency_admin, [s], [add_item(db)])
    freeze.freeze_draw(db, draw=draw, actor=personas.agency_admin)
    db.commit()
    token = sign_in(client, "kc_scjg_admin")
    asked = client.post(f"/draws/{draw.id}/draw", data={"csrf_token": token})
    assert asked.status_code == 200 and "确认抽取" in asked.text
    assert "将一次生成 <strong>3</strong> 个检查任务" in asked.text
    assert 'name="confirm" value="1"' in asked.text
    assert _tasks(db, draw.id) == 0
    db.expire_all()
    fresh = db.get(Draw, draw.id)
    assert fresh is not None and fresh.status == "frozen" and fresh.seed_revealed is False
    done = client.post(f"/draws/{draw.id}/draw", data={"csrf_token": token, "confirm": "1"},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and _tasks(db, draw.id) == 3


def test_a_refused_definition_comes_back_with_the_input_and_the_error_beside_its_field(
    db: Session, client: TestClient
) -> None:
    s = subject(db)
    item = add_item(db)
    db.commit()
    token = sign_in(client, "kc_scjg_admin")
    form = {
        "csrf_token": token, "_back": "/draws/new", "title": "保留我输入的名称",
        "subject_ids": str(s.id),
        "item_ids": str(item.id), "region_code": "330802", "class_B": "1",
        "draw_date": DRAW_DATE.isoformat(), "method": "onsite",
        "window_start": END.isoformat(), "window_end": START.isoformat(),
        "officers_per_subject": "2", "officer_cap": "7", "tags": "食品",
    }  # fmt: skip
    resp = client.post("/draws", data=form)
    assert resp.status_code == 422
    assert 'id="err-window_end"' in resp.text and "结束日期不能早于开始日期" in resp.text
    assert 'value="保留我输入的名称"' in resp.text and 'value="食品"' in resp.text
    assert 'value="7"' in resp.text and f'value="{item.id}" checked' in resp.text
    assert 'name="class_B" value="1" checked' in resp.text
    assert 'name="class_A" value="1" checked' not in resp.text
    # C3 at definition: beside the number of officers
    resp = client.post("/draws", data={**form, "window_start": START.isoformat(),
                                       "window_end": END.isoformat(),
                                       "officers_per_subject": "1"})  # fmt: skip
    assert resp.status_code == 422 and 'id="err-officers_per_subject"' in resp.text


def test_a_draft_is_redefined_from_its_own_values_and_the_old_one_cancelled(
    db: Session, personas: Personas, client: TestClient
) -> None:
    draw_id = _overloaded(db, personas)
    token = sign_in(client, "kc_scjg_admin")
    page = client.get(f"/draws/new?from={draw_id}")
    assert page.status_code == 200 and "修改抽查定义" in page.text
    assert f'name="replaces" value="{draw_id}"' in page.text and 'value="400"' in page.text
    draw = db.get(Draw, draw_id)
    assert draw is not None
    assert f'value="{service.items_of(db, draw)[0][0].id}" checked' in page.text
    resp = client.post("/draws", data={
        "csrf_token": token, "replaces": str(draw_id), "title": draw.title,
        "subject_ids": str(subject(db).id),
        "item_ids": str(service.items_of(db, draw)[0][0].id), "region_code": "330802",
        "class_C": "1",
        "draw_date": DRAW_DATE.isoformat(), "method": "onsite",
        "window_start": START.isoformat(), "window_end": END.isoformat(),
        "officers_per_subject": "2", "officer_cap": "400",
    }, follow_redirects=False)  # fmt: skip
    assert resp.status_code == 303, resp.text
    db.expire_all()
    old = db.get(Draw, draw_id)
    assert old is not None and old.status == "cancelled" and "取代" in (old.cancel_reason or "")
