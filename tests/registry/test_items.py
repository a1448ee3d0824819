"""Inspection items (检查事项清单): lifecycle, A3 refusals, scope, item_problems, pages."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.registry.refused import error_beside, refused
from wurao.auth import service as auth_service
from wurao.auth.scope import Actor
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from wurao.core.models import AuditEntry
from wurao.core.time import local_today
from wurao.registry.items import service
from wurao.registry.items.service import ItemData, LineIn
from wurao.registry.models import InspectionItem

A3 = "A3 INSP-ITEM-PUBLISHED"


def data(code: str, **kw: object) -> ItemData:
    base: dict[str, object] = {
        "code": code,
        "name": "食品生产企业日常监督检查",
        "field": "市场监管",
        "region_code": "330802",
        "basis_level": "法律",
        "basis_law": "《中华人民共和国食品安全法》",
        "basis_article": "第一百一十条",
        "standard": "按照食品生产监督检查要点表逐项检查。",
        "methods": ("onsite", "written"),
    }
    base.update(kw)
    return ItemData(**base)  # type: ignore[arg-type]


def draft(db: Session, actor: Actor, code: str, *, lines: int = 2, **kw: object) -> InspectionItem:
    item = service.create_item(db, actor=actor, data=data(code, **kw))
    if lines:
        service.set_checklist(
            db, item=item, actor=actor, lines=[LineIn(f"检查内容{i}") for i in range(1, lines + 1)]
        )
    return item


def published(db: Session, actor: Actor, code: str, **kw: Any) -> InspectionItem:
    return service.publish_item(db, item=draft(db, actor, code, **kw), actor=actor)


def actions(db: Session, object_id: int) -> list[str]:
    return list(
        db.scalars(
            select(AuditEntry.action)
            .where(
                AuditEntry.object_type == "inspection_item", AuditEntry.object_id == str(object_id)
            )
            .order_by(AuditEntry.seq)
        )
    )


def test_lifecycle_draft_published_withdrawn_is_audited(db: Session, personas: Personas) -> None:
    item = draft(db, personas.agency_admin, "SCJG-T-001")
    assert item.status == "draft" and item.published_on is None
    service.publish_item(db, item=item, actor=personas.agency_admin)
    assert item.status == "published" and item.published_on == local_today()
    service.withdraw_item(db, item=item, actor=personas.agency_admin)
    assert item.status == "withdrawn"
    assert actions(db, item.id) == [
        "item.create",
        "item.checklist",
        "item.publish",
        "item.withdraw",
    ]


def test_a3_basis_level_normative_document_refused(db: Session, personas: Personas) -> None:
    for level in ("规范性文件", "部门文件", ""):
        with pytest.raises(RuleViolation) as exc:
            service.create_item(
                db, actor=personas.supervisor, data=data("SCJG-T-002", basis_level=level)
            )
        assert exc.value.violations[0].rule_id == A3
        assert "规范性文件" in exc.value.violations[0].detail


@pytest.mark.parametrize("level", service.BASIS_LEVELS)
def test_a3_basis_levels_accepted(db: Session, personas: Personas, level: str) -> None:
    item = service.create_item(
        db, actor=personas.supervisor, data=data("SCJG-T-003", basis_level=level)
    )
    assert item.basis_level == level


def test_publish_without_checklist_refused(db: Session, personas: Personas) -> None:
    item = draft(db, personas.supervisor, "SCJG-T-004", lines=0)
    with pytest.raises(RuleViolation) as exc:
        service.publish_item(db, item=item, actor=personas.supervisor)
    assert [v.title for v in exc.value.violations] == ["缺少检查表单"]
    assert exc.value.violations[0].rule_id == A3
    assert item.status == "draft"


def test_publish_without_legal_basis_refused(db: Session, personas: Personas) -> None:
    item = draft(db, personas.supervisor, "SCJG-T-005")
    item.basis_law = ""  # e.g. a row loaded from an old import
    with pytest.raises(RuleViolation) as exc:
        service.publish_item(db, item=item, actor=personas.supervisor)
    assert "缺少检查依据" in [v.title for v in exc.value.violations]


def test_state_changes_out_of_order_are_conflicts(db: Session, personas: Personas) -> None:
    item = draft(db, personas.supervisor, "SCJG-T-006")
    with pytest.raises(Conflict):
        service.withdraw_item(db, item=item, actor=personas.supervisor)
    service.publish_item(db, item=item, actor=personas.supervisor)
    with pytest.raises(Conflict):
        service.publish_item(db, item=item, actor=personas.supervisor)
    with pytest.raises(Conflict):
        service.update_item(
            db, item=item, actor=personas.supervisor, data=data(item.code, name="改名")
        )
    with pytest.raises(Conflict):
        service.set_checklist(db, item=item, actor=personas.supervisor, lines=[LineIn("新增")])


def test_checklist_add_edit_reorder_remove_while_draft(db: Session, personas: Personas) -> None:
    item = draft(db, personas.supervisor, "SCJG-T-007", lines=3)
    service.set_checklist(
        db,
        item=item,
        actor=personas.supervisor,
        lines=[LineIn("检查内容3"), LineIn("检查内容1（已修改）", "第五十条"), LineIn("新增内容")],
    )
    lines = service.checklist_of(db, item)
    assert [(ln.seq, ln.text, ln.basis) for ln in lines] == [
        (1, "检查内容3", ""),
        (2, "检查内容1（已修改）", "第五十条"),
        (3, "新增内容", ""),
    ]
    assert service.parse_lines("甲 | 依据一\n\n  乙  \n") == [
        LineIn("甲", "依据一"),
        LineIn("乙", ""),
    ]


def test_update_draft(db: Session, personas: Personas) -> None:
    item = draft(db, personas.supervisor, "SCJG-T-008")
    service.update_item(
        db,
        item=item,
        actor=personas.supervisor,
        data=data("ignored", name="新名称", methods=["offsite"], on_dss_list=True),
    )
    assert (item.code, item.name, item.methods, item.on_dss_list) == (
        "SCJG-T-008",
        "新名称",
        "offsite",
        True,
    )
    assert actions(db, item.id)[-1] == "item.update"


def test_input_validation(db: Session, personas: Personas) -> None:
    with pytest.raises(InvalidInput) as exc:
        service.create_item(
            db, actor=personas.supervisor, data=data("SCJG-T-009", methods=["onsite", "phone"])
        )
    assert exc.value.field == "methods"
    with pytest.raises(InvalidInput) as exc:
        service.create_item(db, actor=personas.supervisor, data=data("坏 编码"))
    assert exc.value.field == "code"
    service.create_item(db, actor=personas.supervisor, data=data("SCJG-T-010"))
    with pytest.raises(Conflict):
        service.create_item(db, actor=personas.supervisor, data=data("SCJG-T-010"))


def test_agency_admin_only_own_field(db: Session, personas: Personas) -> None:
    with pytest.raises(Forbidden):
        service.create_item(
            db, actor=personas.agency_admin, data=data("YJGL-T-001", field="应急管理")
        )
    other = draft(db, personas.supervisor, "YJGL-T-002", field="应急管理")
    with pytest.raises(Forbidden):
        service.publish_item(db, item=other, actor=personas.agency_admin)
    with pytest.raises(Forbidden):
        service.create_item(db, actor=personas.officer, data=data("SCJG-T-011"))


def test_scope_ancestors_and_below_visible_neighbours_not(db: Session, personas: Personas) -> None:
    city = draft(db, personas.admin, "CITY-T-001", region_code="330800")
    province = draft(db, personas.admin, "PROV-T-001", region_code="330000")
    town = draft(db, personas.supervisor, "TOWN-T-001", region_code="330802001")
    neighbour = draft(db, personas.neighbour_supervisor, "QJ-T-001", region_code="330803")
    own = draft(db, personas.supervisor, "KC-T-001")
    items = service.list_items(db, actor=personas.supervisor, q="-T-", per_page=100).items
    seen = {i.code for i in items}
    assert {city.code, province.code, town.code, own.code} <= seen
    assert neighbour.code not in seen
    with pytest.raises(NotFound):
        service.get_item(db, actor=personas.supervisor, code=neighbour.code)
    assert service.get_item(db, actor=personas.neighbour_supervisor, code=city.code).id == city.id
    with pytest.raises(NotFound):
        service.get_item(db, actor=personas.neighbour_supervisor, code=own.code)
    # The county may read the city's item but not publish it.
    with pytest.raises(Forbidden):
        service.publish_item(db, item=city, actor=personas.supervisor)


def test_list_filters(db: Session, personas: Personas) -> None:
    a = published(db, personas.supervisor, "FLT-T-001", on_dss_list=True)
    b = draft(db, personas.supervisor, "FLT-T-002", field="应急管理", name="危险化学品检查")
    flt = service.list_items(db, actor=personas.supervisor, q="FLT-T").items
    assert {i.code for i in flt} == {a.code, b.code}
    assert {
        i.code for i in service.list_items(db, actor=personas.supervisor, q="危险化学").items
    } == {b.code}
    allx = {i.code for i in service.list_items(db, actor=personas.supervisor, per_page=100).items}
    assert {a.code, b.code} <= allx
    assert {
        i.code
        for i in service.list_items(
            db, actor=personas.supervisor, status="published", dss="1"
        ).items
    } >= {a.code}
    assert b.code not in {
        i.code
        for i in service.list_items(
            db, actor=personas.supervisor, field="市场监管", per_page=100
        ).items
    }
    assert a.code not in {
        i.code
        for i in service.list_items(db, actor=personas.supervisor, dss="0", per_page=100).items
    }


# --- A3 INSP-ITEM-PUBLISHED: item_problems --------------------------------------------


def test_a3_item_problems_pass_for_published_item_of_own_field(
    db: Session, personas: Personas
) -> None:
    item = published(db, personas.supervisor, "A3-T-001")
    assert service.item_problems(item, field="市场监管") == []
    service.require_inspectable_item(item, field="市场监管")


def test_a3_item_problems_unpublished(db: Session, personas: Personas) -> None:
    item = draft(db, personas.supervisor, "A3-T-002")
    problems = service.item_problems(item, field="市场监管")
    assert [v.rule_id for v in problems] == [A3]
    assert "未公布" in problems[0].detail
    assert problems[0].source == "国办发〔2024〕54号 §三；衢政办发〔2025〕16号 第2项"
    with pytest.raises(RuleViolation):
        service.require_inspectable_item(item, field="市场监管")


def test_a3_item_problems_withdrawn(db: Session, personas: Personas) -> None:
    item = published(db, personas.supervisor, "A3-T-003")
    service.withdraw_item(db, item=item, actor=personas.supervisor)
    problems = service.item_problems(item, field="市场监管")
    assert len(problems) == 1 and "已停止使用" in problems[0].detail


def test_a3_item_problems_other_field(db: Session, personas: Personas) -> None:
    item = published(db, personas.supervisor, "A3-T-004")
    problems = service.item_problems(item, field="应急管理")
    assert len(problems) == 1 and "不属于本主体的执法领域" in problems[0].detail
    with pytest.raises(RuleViolation) as exc:
        service.require_inspectable_item(item, field="应急管理")
    assert exc.value.violations == problems


# --- API and pages -------------------------------------------------------------------


def test_api_create_publish_withdraw(client: TestClient, db: Session, personas: Personas) -> None:
    _, raw = auth_service.create_api_token(db, actor=personas.agency_admin, name="事项")
    db.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    body = {
        "code": "API-T-001",
        "name": "接口事项",
        "field": "市场监管",
        "region_code": "330802",
        "basis_level": "行政法规",
        "basis_law": "《食品安全法实施条例》",
        "methods": ["onsite", "offsite"],
        "checklist": [{"text": "查看许可证", "basis": "第十五条"}, {"text": "查看台账"}],
    }
    created = client.post("/api/v1/items", headers=headers, json=body)
    assert created.status_code == 201, created.text
    assert [ln["text"] for ln in created.json()["checklist"]] == ["查看许可证", "查看台账"]
    pub = client.post("/api/v1/items/API-T-001/publish", headers=headers)
    assert pub.status_code == 200 and pub.json()["status"] == "published"
    assert client.get("/api/v1/items/API-T-001", headers=headers).json()["status_label"] == "已公布"
    listing = client.get("/api/v1/items", params={"q": "接口事项"}, headers=headers).json()
    assert [i["code"] for i in listing["items"]] == ["API-T-001"]
    wd = client.post("/api/v1/items/API-T-001/withdraw", headers=headers)
    assert wd.status_code == 200 and wd.json()["status"] == "withdrawn"
    bad = client.post(
        "/api/v1/items",
        headers=headers,
        json={**body, "code": "API-T-002", "basis_level": "规范性文件"},
    )
    assert bad.status_code == 422
    assert bad.json()["error"] == "rule_violation"
    assert bad.json()["violations"][0]["rule_id"] == A3


def test_pages_draft_and_publish_in_chinese(client: TestClient) -> None:
    csrf = sign_in(client, "kc_scjg_admin")
    page = client.get("/registry/items")
    assert page.status_code == 200 and "检查事项清单" in page.text and "起草检查事项" in page.text
    resp = client.post(
        "/registry/items",
        data={
            "csrf_token": csrf,
            "code": "PAGE-T-001",
            "name": "页面事项",
            "field": "市场监管",
            "region_code": "330802",
            "basis_level": "法律",
            "basis_law": "《中华人民共和国产品质量法》",
            "methods": ["onsite", "written"],
            "on_dss_list": "1",
            "lines": "核查产品标识 | 第二十七条\n核查出厂检验记录",
        },
        follow_redirects=True,
    )
    assert resp.status_code == 200, resp.text
    assert "已起草检查事项 PAGE-T-001" in resp.text and "核查产品标识" in resp.text
    assert "草稿" in resp.text and "现场检查、书面核查" in resp.text
    pub = client.post(
        "/registry/items/PAGE-T-001/publish", data={"csrf_token": csrf}, follow_redirects=True
    )
    assert "已公布检查事项 PAGE-T-001" in pub.text and "停止使用" in pub.text
    again = client.post("/registry/items/PAGE-T-001/publish", data={"csrf_token": csrf})
    assert again.status_code == 409 and "只有草稿可以公布" in again.text


def test_page_publish_refusal_lists_violation(client: TestClient) -> None:
    csrf = sign_in(client, "kc_sfj")
    client.post(
        "/registry/items",
        data={
            "csrf_token": csrf,
            "code": "PAGE-T-002",
            "name": "无表单事项",
            "field": "市场监管",
            "region_code": "330802",
            "basis_level": "规章",
            "basis_law": "《食品生产经营监督检查管理办法》",
            "methods": ["onsite"],
        },
    )
    resp = client.post("/registry/items/PAGE-T-002/publish", data={"csrf_token": csrf})
    assert resp.status_code == 422
    assert "缺少检查表单" in resp.text and A3 in resp.text


def test_refused_draft_comes_back_on_the_list_page_with_what_was_typed(
    client: TestClient, db: Session
) -> None:
    csrf = sign_in(client, "kc_scjg_admin")
    standard = "逐项核查生产记录。\n" * 300
    form = {
        "csrf_token": csrf,
        "code": "PAGE-T-003",
        "name": "名" * 201,  # refused by the form model
        "field": "市场监管",
        "region_code": "330802",
        "basis_level": "规章",
        "basis_law": "《食品生产经营监督检查管理办法》",
        "standard": standard,
        "methods": ["written"],
        "on_dss_list": "1",
        "lines": "核查产品标识 | 第二十七条",
    }
    text = refused(client, "/registry/items", "/registry/items", form)
    assert "事项名称" in error_beside(text, "name") and "200" in error_beside(text, "name")
    assert "起草检查事项" in text and 'value="PAGE-T-003"' in text
    assert standard.strip() in text and "核查产品标识 | 第二十七条" in text
    assert 'value="written" checked' in text and 'value="onsite" checked' not in text
    assert 'name="on_dss_list" value="1" checked' in text
    assert db.scalar(select(InspectionItem).where(InspectionItem.code == "PAGE-T-003")) is None


def test_refused_edit_names_its_field_and_keeps_the_stored_item(
    client: TestClient, db: Session, personas: Personas
) -> None:
    item = draft(db, personas.agency_admin, "PAGE-T-004")
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    url = f"/registry/items/{item.code}"
    form = {
        "csrf_token": csrf,
        "name": "改过的名称",
        "field": "市场监管",
        "region_code": "999999",  # refused by the service: no such province
        "basis_level": "法律",
        "basis_law": "《中华人民共和国食品安全法》",
        "methods": ["onsite"],
        "lines": "新的检查内容",
    }
    text = refused(client, url, url, form)
    assert "行政区划代码" in error_beside(text, "region_code")
    assert 'value="改过的名称"' in text and "新的检查内容" in text
    db.expire_all()
    assert db.get(InspectionItem, item.id).name == "食品生产企业日常监督检查"  # type: ignore[union-attr]
    assert [ln.text for ln in service.checklist_of(db, item)] == ["检查内容1", "检查内容2"]
