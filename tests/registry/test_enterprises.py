"""Enterprise registry (检查对象名录库): G1 validation, region scope, search, status rule."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn.uscc import calc_check_digit

from tests.conftest import Personas, sign_in
from tests.registry.refused import error_beside, refused
from wurao.auth import service as auth_service
from wurao.auth.scope import Actor
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.core.models import AuditEntry
from wurao.registry.enterprises import service
from wurao.registry.enterprises.service import NewEnterprise
from wurao.registry.models import Enterprise

REAL_BAD_CHECK = "91350203M0001QAY9B"  # a registered code that fails the GB 32100 check


def make_uscc(region: str = "330802", serial: int = 1) -> str:
    """A valid synthetic 统一社会信用代码."""
    body = f"91{region}MA2B{serial:05d}"
    return body + calc_check_digit(body)


def add(
    db: Session, actor: Actor, *, serial: int, name: str, region: str = "330802", **kw: object
) -> Enterprise:
    data = NewEnterprise(uscc=make_uscc(region[:6], serial), name=name, region_code=region, **kw)  # type: ignore[arg-type]
    return service.create_enterprise(db, actor=actor, data=data)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# --- G1: normalisation and validation --------------------------------------------------


def test_uscc_normalised_from_full_width_lower_case_and_spaces(
    db: Session, personas: Personas
) -> None:
    code = make_uscc(serial=11)
    raw = "  " + _full_width(code[:9].lower()) + " \u3000" + code[9:].lower() + " "
    e = service.create_enterprise(
        db,
        actor=personas.supervisor,
        data=NewEnterprise(uscc=raw, name="规范化测试有限公司", region_code="330802"),
    )
    assert e.uscc == code
    assert service.get_by_uscc(db, actor=personas.supervisor, uscc=code.lower()).id == e.id


def test_g1_bad_check_digit_refused_with_field_name(db: Session, personas: Personas) -> None:
    code = make_uscc(serial=12)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(InvalidInput) as exc:
        service.create_enterprise(
            db,
            actor=personas.supervisor,
            data=NewEnterprise(uscc=wrong, name="校验位错误公司", region_code="330802"),
        )
    assert exc.value.field == "uscc"
    assert "校验位错误" in exc.value.message


def test_g1_override_with_recorded_reason_admits_real_code(db: Session, personas: Personas) -> None:
    with pytest.raises(InvalidInput) as exc:
        service.create_enterprise(
            db,
            actor=personas.supervisor,
            data=NewEnterprise(uscc=REAL_BAD_CHECK, name="厦门某公司", region_code="330802"),
        )
    assert exc.value.field == "uscc"
    reason = "经核实为登记机关实际核发的代码（国家企业信用信息公示系统可查）"
    e = service.create_enterprise(
        db,
        actor=personas.supervisor,
        data=NewEnterprise(
            uscc=REAL_BAD_CHECK.lower(),
            name="厦门某公司",
            region_code="330802",
            uscc_override=reason,
        ),
    )
    assert e.uscc == REAL_BAD_CHECK
    assert e.uscc_override == reason
    assert any("已记录例外" in w for w in service.enterprise_warnings(e))
    entry = db.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == "enterprise.create")
        .order_by(AuditEntry.seq.desc())
    )
    assert entry is not None and reason in entry.summary


def test_g1_valid_code_ignores_override_reason(db: Session, personas: Personas) -> None:
    e = add(db, personas.supervisor, serial=13, name="正常代码公司", uscc_override="无需例外")
    assert e.uscc_override == ""


def test_g1_override_cannot_admit_wrong_length(db: Session, personas: Personas) -> None:
    for reason in ("", "理由"):
        with pytest.raises(InvalidInput) as exc:
            service.create_enterprise(
                db,
                actor=personas.supervisor,
                data=NewEnterprise(
                    uscc="91330802MA2B0001",
                    name="位数错误公司",
                    region_code="330802",
                    uscc_override=reason,
                ),
            )
        assert exc.value.field == "uscc"
        assert "18位" in exc.value.message


def test_g1a_organisation_code_warning_shown() -> None:
    # Characters 9–17 "MA2B00014" do not carry a GB 11714 check character.
    e = Enterprise(uscc=make_uscc(serial=14), name="x", uscc_override="")
    assert any("GB 11714" in w for w in service.enterprise_warnings(e))


def test_duplicate_uscc_is_a_conflict(db: Session, personas: Personas) -> None:
    add(db, personas.supervisor, serial=15, name="重复公司")
    with pytest.raises(Conflict):
        add(db, personas.supervisor, serial=15, name="重复公司二")


# --- other fields --------------------------------------------------------------------


def test_status_credit_industry_and_tags_stored(db: Session, personas: Personas) -> None:
    e = add(
        db,
        personas.agency_admin,
        serial=21,
        name="字段测试食品有限公司",
        status="吊销",
        credit_class="ｃ",
        industry_code="c1311",
        tags="食品生产，重点监管、 食品生产",
    )
    assert (e.status, e.credit_class, e.industry_code) == ("revoked", "C", "C1311")
    assert e.tags == "|食品生产|重点监管|"
    assert service.status_label(e.status) == "吊销"
    page = service.list_enterprises(db, actor=personas.supervisor, tag="重点监管")
    assert [r.id for r in page.rows] == [e.id]


@pytest.mark.parametrize("code", ["X99", "C1", "C13111", "1", "A1B"])
def test_industry_code_shape_refused(db: Session, personas: Personas, code: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        add(db, personas.supervisor, serial=22, name="行业代码公司", industry_code=code)
    assert exc.value.field == "industry_code"


@pytest.mark.parametrize("code", ["C", "C13", "C131", "C1311", "13", "1311"])
def test_industry_code_shape_accepted(code: str) -> None:
    assert service.parse_industry_code(code) == code


def test_bad_status_and_credit_refused(db: Session, personas: Personas) -> None:
    with pytest.raises(InvalidInput) as exc:
        add(db, personas.supervisor, serial=23, name="状态错误公司", status="歇业")
    assert exc.value.field == "status"
    with pytest.raises(InvalidInput) as exc:
        add(db, personas.supervisor, serial=23, name="信用错误公司", credit_class="E")
    assert exc.value.field == "credit_class"


def test_missing_region_suggests_uscc_region(db: Session, personas: Personas) -> None:
    with pytest.raises(InvalidInput) as exc:
        service.create_enterprise(
            db,
            actor=personas.supervisor,
            data=NewEnterprise(uscc=make_uscc(serial=24), name="无区划公司"),
        )
    assert exc.value.field == "region_code"
    assert "330802（柯城区）" in exc.value.message


def test_region_outside_actor_refused(db: Session, personas: Personas) -> None:
    with pytest.raises(Forbidden):
        add(db, personas.supervisor, serial=25, name="邻县公司", region="330803")
    with pytest.raises(InvalidInput):
        add(db, personas.supervisor, serial=26, name="不存在区划公司", region="330899")


def test_officer_cannot_register(db: Session, personas: Personas) -> None:
    with pytest.raises(Forbidden):
        add(db, personas.officer, serial=27, name="执法人员登记公司")


def test_update_is_audited_and_region_checked(db: Session, personas: Personas) -> None:
    e = add(db, personas.supervisor, serial=28, name="修改前公司")
    service.update_enterprise(
        db,
        enterprise=e,
        actor=personas.supervisor,
        name="修改后公司",
        status="迁出",
        region_code="330802001",
    )
    assert (e.name, e.status, e.region_code) == ("修改后公司", "moved", "330802001")
    entry = db.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == "enterprise.update")
        .order_by(AuditEntry.seq.desc())
    )
    assert entry is not None and entry.before_digest != entry.after_digest
    with pytest.raises(Forbidden):
        service.update_enterprise(db, enterprise=e, actor=personas.supervisor, region_code="330803")
    with pytest.raises(NotFound):
        service.update_enterprise(
            db, enterprise=e, actor=personas.neighbour_supervisor, name="越权"
        )


# --- region scope ----------------------------------------------------------------------


def test_neighbour_supervisor_cannot_see_kecheng_enterprise(
    db: Session, personas: Personas
) -> None:
    e = add(db, personas.supervisor, serial=31, name="柯城范围测试有限公司")
    town = add(
        db, personas.supervisor, serial=32, name="府山街道范围测试有限公司", region="330802001"
    )
    seen = {
        r.id for r in service.list_enterprises(db, actor=personas.supervisor, q="范围测试").rows
    }
    assert {e.id, town.id} <= seen
    hidden = service.list_enterprises(db, actor=personas.neighbour_supervisor, q="范围测试")
    assert hidden.rows == [] and hidden.total == 0
    by_code = service.list_enterprises(db, actor=personas.neighbour_supervisor, q=e.uscc)
    assert by_code.rows == []
    with pytest.raises(NotFound):
        service.get_by_uscc(db, actor=personas.neighbour_supervisor, uscc=e.uscc)
    with pytest.raises(Forbidden):
        service.list_enterprises(db, actor=personas.neighbour_supervisor, region="330802")
    # The supervisor narrows to the town below.
    only_town = service.list_enterprises(db, actor=personas.supervisor, region="330802001")
    assert [r.id for r in only_town.rows] == [town.id]


def test_api_scope_by_list_and_by_code(client: TestClient, db: Session, personas: Personas) -> None:
    code = add(db, personas.supervisor, serial=33, name="接口范围测试有限公司").uscc
    _, raw = auth_service.create_api_token(db, actor=personas.neighbour_supervisor, name="邻县")
    _, own = auth_service.create_api_token(db, actor=personas.supervisor, name="本县")
    # An error response rolls the request back; commit the set-up (the test's outer
    # transaction is still rolled back at the end).
    db.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(f"/api/v1/enterprises/{code}", headers=headers).status_code == 404
    resp = client.get("/api/v1/enterprises", params={"q": "接口范围"}, headers=headers)
    listing = resp.json()
    assert resp.status_code == 200, resp.text
    assert listing["items"] == [] and listing["total"] == 0
    mine = client.get(
        f"/api/v1/enterprises/{code.lower()}", headers={"Authorization": f"Bearer {own}"}
    )
    assert mine.status_code == 200
    assert mine.json()["status_label"] == "存续"


def test_api_create_and_patch(client: TestClient, db: Session, personas: Personas) -> None:
    _, raw = auth_service.create_api_token(db, actor=personas.agency_admin, name="市场监管")
    headers = {"Authorization": f"Bearer {raw}"}
    code = make_uscc(serial=34)
    created = client.post(
        "/api/v1/enterprises",
        headers=headers,
        json={
            "uscc": code.lower(),
            "name": "接口登记有限公司",
            "region_code": "330802",
            "tags": ["餐饮"],
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["tags"] == ["餐饮"]
    patched = client.patch(f"/api/v1/enterprises/{code}", headers=headers, json={"status": "注销"})
    assert patched.status_code == 200
    assert patched.json()["status"] == "deregistered"
    bad = client.post(
        "/api/v1/enterprises",
        headers=headers,
        json={
            "uscc": code[:17] + "0" if code[17] != "0" else code[:17] + "1",
            "name": "坏代码",
            "region_code": "330802",
        },
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "uscc"


# --- search ------------------------------------------------------------------------------


@pytest.fixture
def named(db: Session, personas: Personas) -> dict[str, Enterprise]:
    names = {
        "a": "衢州示例检索制造有限公司",
        "b": "柯城区绿源检索食品店",
        "c": "浙江远方物流有限公司",
    }
    return {
        k: add(db, personas.supervisor, serial=40 + i, name=n)
        for i, (k, n) in enumerate(names.items())
    }


def test_search_by_three_character_fragment(
    db: Session, personas: Personas, named: dict[str, Enterprise]
) -> None:
    for actor in (personas.supervisor, personas.admin):
        page = service.list_enterprises(db, actor=actor, q="示例检索")
        assert [r.id for r in page.rows] == [named["a"].id]
        both = service.list_enterprises(db, actor=actor, q="检索")
        if actor is personas.supervisor:
            assert {r.id for r in both.rows} == {named["a"].id, named["b"].id}
    mid = service.list_enterprises(db, actor=personas.supervisor, q="绿源检索食")
    assert [r.id for r in mid.rows] == [named["b"].id]


def test_search_by_two_character_fragment(
    db: Session, personas: Personas, named: dict[str, Enterprise]
) -> None:
    # County scope: anywhere in the name.
    page = service.list_enterprises(db, actor=personas.supervisor, q="物流")
    assert [r.id for r in page.rows] == [named["c"].id]
    assert page.note == ""
    # Province scope: the start of the name only, and the page says so.
    wide = service.list_enterprises(db, actor=personas.admin, q="衢州")
    assert named["a"].id in {r.id for r in wide.rows}
    assert "名称开头" in wide.note
    assert named["c"].id not in {
        r.id for r in service.list_enterprises(db, actor=personas.admin, q="物流").rows
    }
    # Narrowed to a county, the wide actor finds it anywhere again.
    narrowed = service.list_enterprises(db, actor=personas.admin, q="物流", region="330802")
    assert [r.id for r in narrowed.rows] == [named["c"].id]


def test_search_follows_renames(
    db: Session, personas: Personas, named: dict[str, Enterprise]
) -> None:
    service.update_enterprise(
        db, enterprise=named["c"], actor=personas.supervisor, name="浙江近邻仓储有限公司"
    )
    assert [
        r.id for r in service.list_enterprises(db, actor=personas.supervisor, q="近邻仓储").rows
    ] == [named["c"].id]
    assert service.list_enterprises(db, actor=personas.supervisor, q="远方物流").rows == []


def test_search_by_exact_uscc_and_other_filters(
    db: Session, personas: Personas, named: dict[str, Enterprise]
) -> None:
    code = named["b"].uscc
    page = service.list_enterprises(db, actor=personas.supervisor, q=" " + code.lower())
    assert [r.id for r in page.rows] == [named["b"].id]
    assert (
        service.list_enterprises(db, actor=personas.supervisor, q="检索", status="revoked").rows
        == []
    )


def test_search_fragment_with_like_wildcards_is_literal(
    db: Session, personas: Personas, named: dict[str, Enterprise]
) -> None:
    assert service.list_enterprises(db, actor=personas.supervisor, q="%有限%").rows == []
    assert service.list_enterprises(db, actor=personas.supervisor, q="_").rows == []


def test_total_is_capped(db: Session, personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(5):
        add(db, personas.supervisor, serial=60 + i, name=f"计数测试有限公司{i}")
    monkeypatch.setattr(service, "COUNT_CAP", 3)
    page = service.list_enterprises(db, actor=personas.supervisor, q="计数测试", per_page=2)
    assert page.capped and page.total == 3 and page.total_label == "3+"
    monkeypatch.setattr(service, "COUNT_CAP", 10_000)
    exact = service.list_enterprises(db, actor=personas.supervisor, q="计数测试")
    assert not exact.capped and exact.total_label == "5"


# --- A INSP-TARGET-STATUS ---------------------------------------------------------------


@pytest.mark.parametrize(("status", "label"), [("注销", "注销"), ("吊销", "吊销")])
def test_insp_target_status_fails_for_deregistered_or_revoked(
    db: Session, personas: Personas, status: str, label: str
) -> None:
    e = add(db, personas.supervisor, serial=70, name="状态规则测试有限公司", status=status)
    problems = service.enterprise_problems(e)
    assert len(problems) == 1
    v = problems[0]
    assert v.rule_id == "A INSP-TARGET-STATUS"
    assert v.source == "路桥方案 二(三)：对已注销的市场主体开展检查"
    assert f"已{label}" in v.detail


@pytest.mark.parametrize("status", ["存续", "迁出"])
def test_insp_target_status_passes_otherwise(db: Session, personas: Personas, status: str) -> None:
    e = add(db, personas.supervisor, serial=71, name="正常状态公司", status=status)
    assert service.enterprise_problems(e) == []


# --- pages -------------------------------------------------------------------------------


def test_pages_register_list_and_detail_in_chinese(client: TestClient) -> None:
    csrf = sign_in(client, "kc_sfj")
    listing = client.get("/registry/enterprises")
    assert listing.status_code == 200
    assert "检查对象名录库" in listing.text and "登记检查对象" in listing.text
    code = make_uscc(serial=80)
    resp = client.post(
        "/registry/enterprises",
        data={
            "csrf_token": csrf,
            "uscc": code.lower(),
            "name": "页面登记有限公司",
            "region_code": "330802",
            "status": "deregistered",
            "credit_class": "B",
        },
        follow_redirects=True,
    )
    assert resp.status_code == 200
    assert "已登记检查对象 页面登记有限公司" in resp.text
    assert "不得开展检查" in resp.text and "注销" in resp.text
    found = client.get("/registry/enterprises", params={"q": "页面登记"})
    assert code in found.text
    edit = client.post(
        f"/registry/enterprises/{code}",
        data={
            "csrf_token": csrf,
            "name": "页面修改有限公司",
            "region_code": "330802",
            "status": "active",
            "credit_class": "A",
        },
        follow_redirects=True,
    )
    assert "已保存" in edit.text and "页面修改有限公司" in edit.text
    bad = client.post(
        "/registry/enterprises",
        data={"csrf_token": csrf, "uscc": "123", "name": "错误", "region_code": "330802"},
    )
    assert bad.status_code == 422
    assert "18位" in bad.text


def test_neighbour_page_gets_not_found(client: TestClient, db: Session, personas: Personas) -> None:
    e = add(db, personas.supervisor, serial=81, name="页面范围有限公司")
    db.commit()
    sign_in(client, "qj_sfj")
    resp = client.get(f"/registry/enterprises/{e.uscc}")
    assert resp.status_code == 404
    assert "页面范围有限公司" not in client.get("/registry/enterprises?q=页面范围").text


def test_trigram_search_index_is_built_by_the_migration(db: Session) -> None:
    from sqlalchemy import text

    if db.get_bind().dialect.name == "sqlite":
        names = db.scalars(
            text("SELECT name FROM sqlite_master WHERE name LIKE 'enterprise_name_fts%'")
        ).all()
        assert {"enterprise_name_fts", "enterprise_name_fts_ai", "enterprise_name_fts_au"} <= set(
            names
        )
    else:
        indexdef = db.scalar(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_enterprise_name_trgm'")
        )
        assert indexdef is not None and "gin_trgm_ops" in indexdef


def test_refused_registration_comes_back_on_the_list_with_what_was_typed(
    client: TestClient, db: Session
) -> None:
    csrf = sign_in(client, "kc_sfj")
    back = "/registry/enterprises?q=%E9%80%80%E5%9B%9E"  # ?q=退回 as a browser sends it
    form = {
        "csrf_token": csrf,
        "uscc": "123",  # refused by the service: not 18 characters
        "name": "退回登记有限公司",
        "region_code": "330802",
        "address": "衢州市柯城区荷花中路1号",
        "status": "revoked",
        "credit_class": "C",
        "tags": "餐饮,学校周边",
        "contact_phone": "0570-1234567",
    }
    text = refused(client, "/registry/enterprises", back, form)
    assert "18位" in error_beside(text, "uscc")
    assert 'value="退回登记有限公司"' in text and 'value="衢州市柯城区荷花中路1号"' in text
    assert '<option value="revoked" selected>' in text and '<option value="C" selected>' in text
    assert 'value="餐饮,学校周边"' in text and 'value="退回"' in text  # the list's filter kept
    assert db.scalar(select(Enterprise).where(Enterprise.name == "退回登记有限公司")) is None
    text = refused(client, "/registry/enterprises", back, {**form, "industry_code": "C13111"})
    assert error_beside(text, "industry_code") != ""


def test_refused_edit_names_its_field_and_keeps_the_record(
    client: TestClient, db: Session, personas: Personas
) -> None:
    e = add(db, personas.supervisor, serial=82, name="页面退回有限公司")
    db.commit()
    csrf = sign_in(client, "kc_sfj")
    url = f"/registry/enterprises/{e.uscc}"
    form = {
        "csrf_token": csrf,
        "name": "改名有限公司",
        "region_code": "330802",
        "status": "active",
        "credit_class": "A",
        "industry_code": "Z99",  # refused by the service: no such section
        "tags": "餐饮、学校周边",
    }
    text = refused(client, url, url, form)
    assert error_beside(text, "industry_code").startswith("国民经济行业代码（GB/T 4754）应为")
    assert 'value="改名有限公司"' in text and 'value="餐饮、学校周边"' in text
    db.expire_all()
    assert db.get(Enterprise, e.id).name == "页面退回有限公司"  # type: ignore[union-attr]
