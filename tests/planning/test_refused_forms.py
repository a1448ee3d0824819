"""Refused planning forms come back on their page (issue 19 item 2, web/form_state.py): the
typed values kept, the error beside its field (in the form whose button was pressed), nothing
saved."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.planning import enterprises, entry, item
from wurao.core.time import local_today
from wurao.planning import lines, steps
from wurao.planning import special as special_service
from wurao.planning.models import InspectionPlan, SpecialInspection, UnplannedApproval


def _error_beside(html: str, name: str) -> str:
    found = re.search(rf'<small class="field-error" role="alert" id="err-{name}">([^<]*)<', html)
    return found.group(1) if found else ""


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_a_refused_special_keeps_its_long_texts(
    client: TestClient, db: Session, personas: Personas
) -> None:
    it = item(db)
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    today = local_today()
    necessity = "近三年事故多发，" * 300  # a long text the user must not lose
    before = _count(db, SpecialInspection)
    page = client.post(
        "/special",
        data={
            "csrf_token": csrf,
            "_back": "/special",
            "year": str(today.year),
            "title": "保留输入的专项",
            "necessity": necessity,
            "scope": "全区餐饮单位",
            "start_on": today.isoformat(),
            "end_on": (today - dt.timedelta(days=1)).isoformat(),
            "item_ids": [str(it.id)],
        },
    )
    assert page.status_code == 422 and "error-page" not in page.text
    assert "起草专项检查" in page.text
    assert "结束日期不得早于开始日期" in _error_beside(page.text, "end_on")
    assert necessity in page.text and 'value="保留输入的专项"' in page.text
    assert f'<option value="{it.id}" selected>' in page.text
    assert _count(db, SpecialInspection) == before


def test_a_step_refusal_comes_back_in_the_form_whose_button_was_pressed(
    client: TestClient, db: Session, personas: Personas
) -> None:
    plan = steps.create_plan(db, actor=personas.agency_admin, year=2027, title="退回测试计划")
    lines.add_entry(db, plan=plan, data=entry(item(db).id), actor=personas.agency_admin)
    steps.submit_plan(db, plan=plan, actor=personas.agency_admin)
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    url = f"/plans/{plan.id}"
    page = client.post(
        f"{url}/step", data={"csrf_token": csrf, "_back": url, "step": "send_back", "comment": " "}
    )
    assert page.status_code == 422 and "error-page" not in page.text
    assert _error_beside(page.text, "comment") == "请写明退回修改的意见。"
    assert 'id="err-approve-comment"' not in page.text  # not beside the approval's comment
    # the year the model refuses, on the plans page
    made = client.post("/plans", data={"csrf_token": csrf, "_back": "/plans", "year": "1999"})
    assert made.status_code == 422 and "error-page" not in made.text
    assert _error_beside(made.text, "year").endswith("不能小于2000。")
    assert 'value="1999"' in made.text
    db.expire_all()
    assert db.get(InspectionPlan, plan.id).status == "submitted"  # type: ignore[union-attr]


def test_a_refused_unplanned_request_keeps_what_was_typed(
    client: TestClient, db: Session, personas: Personas
) -> None:
    firm = enterprises(db, 1)[0]
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    before = _count(db, UnplannedApproval)
    yesterday = (local_today() - dt.timedelta(days=1)).isoformat()
    page = client.post(
        "/unplanned",
        data={
            "csrf_token": csrf,
            "_back": "/unplanned",
            "uscc": firm.uscc,
            "reason": "群众投诉油烟扰民",
            "valid_until": yesterday,
            "key_area": "1",
        },
    )
    assert page.status_code == 422 and "error-page" not in page.text
    assert _error_beside(page.text, "valid_until") == "有效期不能早于今天。"
    assert "群众投诉油烟扰民" in page.text and f'value="{firm.uscc}"' in page.text
    assert 'name="key_area" value="1" checked' in page.text
    assert _count(db, UnplannedApproval) == before


def test_the_special_steps_bring_their_refusals_beside_their_fields(
    client: TestClient, db: Session, personas: Personas
) -> None:
    today = local_today()
    data = special_service.SpecialData(
        year=today.year,
        title="步骤测试专项",
        necessity="必要",
        scope="全区",
        start_on=today,
        end_on=today,
        item_ids=[item(db).id],
    )
    special = special_service.create_special(db, actor=personas.agency_admin, data=data)
    special_service.legal_review_special(
        db, special=special, actor=personas.legal_reviewer, passed=True, opinion="合法"
    )
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    url = f"/special/{special.id}"
    record = "参加人员：局长、副局长；结论：同意开展。"
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    page = client.post(
        f"{url}/step",
        data={
            "csrf_token": csrf,
            "_back": url,
            "step": "discuss",
            "discussion_on": tomorrow,
            "record": record,
        },
    )
    assert page.status_code == 422 and "error-page" not in page.text
    assert _error_beside(page.text, "discussion_on") == "讨论日期应在法制审核之后、不晚于今天。"
    assert record in page.text and f'value="{tomorrow}"' in page.text
    db.expire_all()
    assert db.get(SpecialInspection, special.id).status == "reviewed"  # type: ignore[union-attr]
    done = client.post(
        f"{url}/step",
        data={"csrf_token": csrf, "step": "discuss", "record": record},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.post(
        f"{url}/step",
        data={
            "csrf_token": csrf,
            "_back": url,
            "step": "approve",
            "organ": "衢州市柯城区人民政府",
            "approval_ref": " ",
        },
    )
    assert page.status_code == 422 and "error-page" not in page.text
    assert _error_beside(page.text, "approval_ref") == "请填写批准文号。"
    assert 'value="衢州市柯城区人民政府"' in page.text
