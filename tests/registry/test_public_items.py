"""Public listing of inspection items (公示): published only, by region, no sign-in."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Personas
from wurao.auth.scope import Actor
from wurao.core.errors import InvalidInput, NotFound
from wurao.registry.items import service
from wurao.registry.items.service import ItemData, LineIn
from wurao.registry.models import InspectionItem


def make(
    db: Session,
    actor: Actor,
    code: str,
    name: str,
    *,
    region: str = "330802",
    publish: bool = True,
    withdraw: bool = False,
) -> InspectionItem:
    item = service.create_item(
        db,
        actor=actor,
        data=ItemData(
            code=code,
            name=name,
            field="市场监管",
            region_code=region,
            basis_level="法律",
            basis_law="《中华人民共和国食品安全法》",
            basis_article="第八十七条",
            standard="抽样检验标准",
        ),
    )
    service.set_checklist(db, item=item, actor=actor, lines=[LineIn(f"{name}表单第一项", "第五条")])
    if publish:
        service.publish_item(db, item=item, actor=actor)
    if withdraw:
        service.withdraw_item(db, item=item, actor=actor)
    return item


@pytest.fixture
def items(db: Session, personas: Personas) -> dict[str, str]:
    made = {
        "county": make(db, personas.supervisor, "PUB-KC-001", "公示柯城食品检查"),
        "province": make(db, personas.admin, "PUB-ZJ-001", "公示全省特种设备检查", region="330000"),
        "draft": make(db, personas.supervisor, "PUB-KC-002", "公示草稿事项", publish=False),
        "withdrawn": make(db, personas.supervisor, "PUB-KC-003", "公示停用事项", withdraw=True),
        "neighbour": make(
            db, personas.neighbour_supervisor, "PUB-QJ-001", "公示衢江事项", region="330803"
        ),
    }
    db.commit()  # error responses roll back the request: keep the set-up
    return {k: v.code for k, v in made.items()}


def test_service_lists_published_items_of_region_and_ancestors(
    db: Session, items: dict[str, str]
) -> None:
    found = service.list_public_items(db, region="330802", q="公示", per_page=100)
    rows, total = found.items, found.total
    codes = {i.code for i in rows}
    assert codes == {items["county"], items["province"]}
    assert total == 2
    town = service.list_public_items(db, region="330802001", q="公示").items
    assert {i.code for i in town} == {items["county"], items["province"]}
    neighbour = service.list_public_items(db, region="330803", q="公示").items
    assert {i.code for i in neighbour} == {items["neighbour"], items["province"]}
    with pytest.raises(InvalidInput):
        service.list_public_items(db, region="12345")
    with pytest.raises(NotFound):
        service.get_public_item(db, code=items["draft"])


def test_public_page_without_sign_in(client: TestClient, items: dict[str, str]) -> None:
    resp = client.get("/public/items", params={"region": "330802", "q": "公示"})
    assert resp.status_code == 200
    text = resp.text
    assert "行政检查事项清单公示" in text and "浙江省衢州市柯城区" in text
    assert "公示柯城食品检查" in text and "公示全省特种设备检查" in text
    assert "《中华人民共和国食品安全法》" in text and "第八十七条" in text
    assert "抽样检验标准" in text and "公示柯城食品检查表单第一项" in text
    for hidden in ("公示草稿事项", "公示停用事项", "公示衢江事项"):
        assert hidden not in text
    assert 'name="viewport"' in text


def test_public_search_and_pagination_are_links(client: TestClient, items: dict[str, str]) -> None:
    resp = client.get("/public/items", params={"region": "330802", "q": "特种设备"})
    assert "公示全省特种设备检查" in resp.text and "公示柯城食品检查" not in resp.text
    assert "共 1 条" in resp.text


def test_public_detail(client: TestClient, items: dict[str, str]) -> None:
    resp = client.get(f"/public/items/{items['county']}")
    assert resp.status_code == 200
    assert "公示柯城食品检查表单第一项" in resp.text and "现场检查" in resp.text
    for code in (items["draft"], items["withdrawn"]):
        missing = client.get(f"/public/items/{code}")
        assert missing.status_code == 404
        assert "检查事项不存在或未公布" in missing.text
