"""Officers: scope, validation, masked 居民身份证号, and who may inspect (rule A2)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import ric as stdnum_ric

from tests.conftest import Personas, sign_in
from tests.registry.refused import error_beside, refused
from wurao.auth import service as auth_service
from wurao.auth.scope import Actor
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.core.ids import mask_ric
from wurao.core.policy import default_policy_text, parse_policy
from wurao.registry.models import EnforcementSubject, Officer
from wurao.registry.officers import service

KC_SCJG = "11330802MB1A00001T"  # 柯城区市场监督管理局 (the agency admin's subject)
KC_YJJ = "11330802MB1A00002X"  # 柯城区应急管理局
DAY = dt.date(2026, 3, 2)


def make_ric(seq: int, birth: str = "19850615") -> str:
    """A valid 居民身份证号 (GB 11643 check character) for tests."""
    body = f"330802{birth}{seq:03d}"
    return body + stdnum_ric.calc_check_digit(body + "0")


def subject_id(db: Session, uscc: str) -> int:
    sid = db.scalar(select(EnforcementSubject.id).where(EnforcementSubject.uscc == uscc))
    assert sid is not None
    return sid


def new_officer(
    db: Session, actor: Actor, seq: int, *, uscc: str = KC_SCJG, **changes: object
) -> Officer:
    values: dict[str, object] = {
        "name": f"测试执法员{seq}",
        "ric": make_ric(seq),
        "subject_id": subject_id(db, uscc),
        "kind": "officer",
        "cert_no": f"33080200{seq:04d}",
        "cert_valid_from": dt.date(2024, 1, 1),
        "cert_valid_to": dt.date(2026, 6, 30),
    }
    values.update(changes)
    officer = service.create_officer(db, data=service.OfficerData(**values), actor=actor)  # type: ignore[arg-type]
    return officer


def passed(db: Session, officer: Officer, personas: Personas, year: int = 2025) -> Officer:
    return service.record_review(
        db, officer=officer, year=year, result="passed", actor=personas.agency_admin
    )


def bearer(db: Session, actor: Actor) -> dict[str, str]:
    _, raw = auth_service.create_api_token(db, actor=actor, name="测试")
    db.commit()  # a failing request rolls back to here; keep the token and the test's rows
    return {"Authorization": f"Bearer {raw}"}


def may(db: Session, on: dt.date, uscc: str = KC_SCJG) -> set[str]:
    return {o.name for o in service.who_may_inspect(db, subject_id=subject_id(db, uscc), on=on)}


# --- permissions and scope ---------------------------------------------------------------


def test_agency_admin_cannot_add_officers_to_another_subject(
    db: Session, personas: Personas
) -> None:
    with pytest.raises(Forbidden):
        new_officer(db, personas.agency_admin, 1, uscc=KC_YJJ)


@pytest.mark.parametrize("who", ["officer", "supervisor", "legal_reviewer", "enterprise"])
def test_other_roles_cannot_add_officers(db: Session, personas: Personas, who: str) -> None:
    with pytest.raises(Forbidden):
        new_officer(db, getattr(personas, who), 2)


def test_sysadmin_adds_officers_anywhere(db: Session, personas: Personas) -> None:
    officer = new_officer(db, personas.admin, 3, uscc=KC_YJJ)
    assert officer.subject_id == subject_id(db, KC_YJJ)


def test_scope_of_officer_lists(db: Session, personas: Personas) -> None:
    mine = new_officer(db, personas.agency_admin, 4)
    theirs = new_officer(db, personas.admin, 5, uscc=KC_YJJ)

    def names(actor: Actor) -> set[str]:
        return {o.name for o in service.list_officers(db, actor=actor, per_page=100).items}

    assert {mine.name, theirs.name} <= names(personas.supervisor)
    assert mine.name in names(personas.officer)
    assert theirs.name not in names(personas.officer)
    assert theirs.name in names(personas.other_officer)
    assert mine.name not in names(personas.other_officer)
    assert names(personas.neighbour_supervisor) & {mine.name, theirs.name} == set()
    for actor in (personas.neighbour_supervisor, personas.other_officer):
        with pytest.raises(NotFound):
            service.get_officer(db, actor=actor, officer_id=mine.id)
    with pytest.raises(Forbidden):
        service.list_officers(db, actor=personas.enterprise)


def test_neighbour_supervisor_sees_nothing_over_http(
    db: Session, personas: Personas, client: TestClient
) -> None:
    officer_id = new_officer(db, personas.agency_admin, 6).id
    kc = subject_id(db, KC_SCJG)
    headers = bearer(db, personas.neighbour_supervisor)
    assert client.get(f"/api/v1/officers/{officer_id}", headers=headers).status_code == 404
    listing = client.get("/api/v1/officers", headers=headers).json()
    assert all(o["id"] != officer_id for o in listing["items"])
    assert client.get(f"/api/v1/subjects/{kc}/may-inspect", headers=headers).status_code == 404
    sign_in(client, "qj_sfj")
    page = client.get(f"/registry/officers/{officer_id}")
    assert page.status_code == 404
    assert "测试执法员6" not in client.get("/registry/officers").text


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ric": make_ric(7)[:-1] + ("0" if make_ric(7)[-1] != "0" else "1")}, "ric"),
        ({"ric": "33080219850615"}, "ric"),
        ({"ric": make_ric(7, birth="29990101")}, "ric"),  # born in the future
        ({"ric": make_ric(7, birth="19850230")}, "ric"),  # no such date
        ({"name": " "}, "name"),
        ({"kind": "volunteer"}, "kind"),
        ({"cert_valid_from": dt.date(2026, 7, 1)}, "cert_valid_to"),
        ({"cert_valid_to": None}, "cert_valid_from"),
        ({"cert_no": None}, "cert_no"),
        ({"kind": "auxiliary", "aux_kind": "网格员"}, "cert_no"),  # auxiliaries hold no cert
        (
            {
                "kind": "auxiliary",
                "aux_kind": "",
                "cert_no": None,
                "cert_valid_from": None,
                "cert_valid_to": None,
            },
            "aux_kind",
        ),
    ],
)
def test_invalid_input_names_the_field(
    db: Session, personas: Personas, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        new_officer(db, personas.agency_admin, 7, **changes)
    assert exc.value.field == field
    if field == "ric":
        assert make_ric(7) not in exc.value.message


def test_ric_and_cert_no_are_unique(db: Session, personas: Personas) -> None:
    new_officer(db, personas.agency_admin, 8)
    with pytest.raises(Conflict) as same_ric:
        new_officer(db, personas.agency_admin, 9, ric=make_ric(8))
    assert make_ric(8) not in same_ric.value.message
    assert mask_ric(make_ric(8)) in same_ric.value.message
    with pytest.raises(Conflict):
        new_officer(db, personas.agency_admin, 10, cert_no="330802000008")


# --- masked 居民身份证号 ----------------------------------------------------------------------


def test_ric_is_masked_in_api_and_pages(
    db: Session, personas: Personas, client: TestClient
) -> None:
    officer = new_officer(db, personas.agency_admin, 11)
    officer_id, sid, full = officer.id, officer.subject_id, make_ric(11)
    masked = mask_ric(full)
    assert masked != full
    headers = bearer(db, personas.agency_admin)
    one = client.get(f"/api/v1/officers/{officer_id}", headers=headers)
    assert one.json()["ric_masked"] == masked
    listing = client.get("/api/v1/officers?q=测试执法员11", headers=headers)
    reviewed = client.post(
        f"/api/v1/officers/{officer_id}/review",
        headers=headers,
        json={"year": 2025, "result": "passed"},
    )
    inspect = client.get(f"/api/v1/subjects/{sid}/may-inspect?on=2026-03-02", headers=headers)
    created = client.post(
        "/api/v1/officers",
        headers=headers,
        json={"name": "接口新增", "ric": make_ric(12), "subject_id": sid},
    )
    assert created.status_code == 201, created.text
    for resp, number in (
        (one, full),
        (listing, full),
        (reviewed, full),
        (inspect, full),
        (created, make_ric(12)),
    ):
        assert resp.status_code in (200, 201)
        assert number not in resp.text
        assert mask_ric(number) in resp.text
    sign_in(client, "kc_scjg_admin")
    for url in (
        "/registry/officers",
        f"/registry/officers/{officer_id}",
        f"/registry/officers/{officer_id}/edit",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert full not in page.text, url
        assert masked in page.text, url


def test_edit_form_keeps_stored_ric_when_left_blank(
    db: Session, personas: Personas, client: TestClient
) -> None:
    officer = new_officer(db, personas.agency_admin, 13)
    officer_id, sid = officer.id, officer.subject_id
    csrf = sign_in(client, "kc_scjg_admin")
    resp = client.post(
        f"/registry/officers/{officer_id}",
        data={
            "csrf_token": csrf,
            "name": "改名执法员",
            "ric": "",
            "subject_id": str(sid),
            "kind": "officer",
            "cert_no": "330802000013",
            "cert_valid_from": "2024-01-01",
            "cert_valid_to": "2026-06-30",
            "active": "1",
        },
    )
    assert resp.status_code == 200
    assert "已保存" in resp.text
    stored = db.get(Officer, officer_id)
    assert stored is not None
    assert stored.name == "改名执法员"
    assert stored.ric == make_ric(13)


# --- rule A2: who may inspect ---------------------------------------------------------------


def test_a2_insp_cert_certificate_expiry(db: Session, personas: Personas) -> None:
    officer = passed(db, new_officer(db, personas.agency_admin, 20), personas)
    assert officer.name in may(db, dt.date(2026, 6, 30))  # last valid day
    assert officer.name not in may(db, dt.date(2026, 7, 1))  # the day after
    assert officer.name not in may(db, dt.date(2023, 12, 31))  # the day before it starts
    [problem] = service.officer_problems(officer, dt.date(2026, 7, 1), region_code="330802")
    assert problem.rule_id == "A2 INSP-CERT"
    assert "执法证已过期" in problem.detail
    assert "行政处罚法" in problem.source
    assert service.officer_problems(officer, dt.date(2026, 6, 30), region_code="330802") == []


def test_a2_insp_cert_failed_annual_review(db: Session, personas: Personas) -> None:
    officer = new_officer(db, personas.agency_admin, 21)
    assert officer.name not in may(db, DAY)  # no review recorded
    service.record_review(
        db, officer=officer, year=2025, result="failed", actor=personas.agency_admin
    )
    assert officer.name not in may(db, DAY)
    [problem] = service.officer_problems(officer, DAY, region_code="330802")
    assert "未通过2025年度" in problem.detail
    passed(db, officer, personas, year=2026)
    assert officer.name in may(db, DAY)


def test_a2_insp_cert_review_too_old(db: Session, personas: Personas) -> None:
    officer = passed(db, new_officer(db, personas.agency_admin, 22), personas, year=2024)
    assert officer.name not in may(db, DAY)
    assert officer.name in may(db, dt.date(2025, 12, 31))
    [problem] = service.officer_problems(officer, DAY, region_code="330802")
    assert "年度审验已过期" in problem.detail


def test_a2_insp_cert_auxiliary_staff_never_inspect(db: Session, personas: Personas) -> None:
    aux = new_officer(
        db,
        personas.agency_admin,
        23,
        kind="auxiliary",
        aux_kind="网格员",
        cert_no=None,
        cert_valid_from=None,
        cert_valid_to=None,
    )
    assert aux.name not in may(db, DAY)
    [problem] = service.officer_problems(aux, DAY)
    assert "辅助人员不得实施行政检查" in problem.detail
    assert "网格员" in problem.detail
    with pytest.raises(Conflict):
        service.record_review(
            db, officer=aux, year=2025, result="passed", actor=personas.agency_admin
        )


def test_a2_insp_cert_inactive_officer(db: Session, personas: Personas) -> None:
    officer = passed(db, new_officer(db, personas.agency_admin, 24, active=False), personas)
    assert officer.name not in may(db, DAY)
    assert any("停用" in v.detail for v in service.officer_problems(officer, DAY))


def test_a2_policy_switch_turns_off_the_review_requirement(
    db: Session, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = new_officer(db, personas.agency_admin, 25)  # valid certificate, never reviewed
    assert officer.name not in may(db, DAY)
    local = """
[auth.certificate_review_required]
  [[auth.certificate_review_required.values]]
  region = "330802"
  effective = 2026-03-01
  value = false
  source = "测试：柯城区不再要求年度审验"
"""
    policy = parse_policy([("default.toml", default_policy_text()), ("local.toml", local)])
    monkeypatch.setattr(service, "get_policy", lambda: policy)
    assert officer.name in may(db, DAY)
    assert service.officer_problems(officer, DAY, region_code="330802") == []
    assert officer.name not in may(db, dt.date(2026, 2, 28))  # before the local value applies
    assert service.officer_problems(officer, DAY) != []  # national default still requires it


def test_who_may_inspect_agrees_with_officer_problems(db: Session, personas: Personas) -> None:
    made = [
        passed(db, new_officer(db, personas.agency_admin, 30), personas),
        new_officer(db, personas.agency_admin, 31),
        passed(
            db,
            new_officer(db, personas.agency_admin, 32, cert_valid_to=dt.date(2026, 3, 1)),
            personas,
        ),
        passed(
            db,
            new_officer(db, personas.agency_admin, 33, cert_valid_from=dt.date(2026, 3, 3)),
            personas,
        ),
        passed(db, new_officer(db, personas.agency_admin, 34), personas, year=2026),
    ]
    for day in (dt.date(2026, 3, 1), DAY, dt.date(2026, 3, 3), dt.date(2027, 1, 1)):
        expected = {
            o.name for o in made if not service.officer_problems(o, day, region_code="330802")
        }
        assert may(db, day) & {o.name for o in made} == expected, day
    assert may(db, DAY) & {o.name for o in made} == {"测试执法员30", "测试执法员34"}


def test_may_inspect_api(db: Session, personas: Personas, client: TestClient) -> None:
    officer = passed(db, new_officer(db, personas.agency_admin, 40), personas)
    sid, name = officer.subject_id, officer.name
    yjj = subject_id(db, KC_YJJ)
    headers = bearer(db, personas.officer)
    ok = client.get(f"/api/v1/subjects/{sid}/may-inspect?on=2026-06-30", headers=headers).json()
    assert ok["on"] == "2026-06-30"
    assert name in {o["name"] for o in ok["officers"]}
    after = client.get(f"/api/v1/subjects/{sid}/may-inspect?on=2026-07-01", headers=headers)
    assert name not in {o["name"] for o in after.json()["officers"]}
    other = client.get(f"/api/v1/subjects/{yjj}/may-inspect", headers=headers)
    assert other.status_code == 404  # an agency sees only its own officers


# --- annual review and listing -------------------------------------------------------------


def test_record_review_rules(db: Session, personas: Personas, client: TestClient) -> None:
    officer = passed(db, new_officer(db, personas.agency_admin, 50), personas)
    with pytest.raises(Forbidden):
        service.record_review(
            db, officer=officer, year=2025, result="passed", actor=personas.supervisor
        )
    with pytest.raises(Conflict):
        service.record_review(
            db, officer=officer, year=2024, result="passed", actor=personas.agency_admin
        )
    with pytest.raises(InvalidInput) as bad:
        service.record_review(
            db, officer=officer, year=2025, result="maybe", actor=personas.agency_admin
        )
    assert bad.value.field == "result"
    officer_id = officer.id
    csrf = sign_in(client, "kc_scjg_admin")
    resp = client.post(
        f"/registry/officers/{officer_id}/review",
        data={"csrf_token": csrf, "year": "2025", "result": "failed"},
    )
    assert resp.status_code == 200
    assert "已记录年度审验结果" in resp.text
    assert "未通过2025年度" in client.get(f"/registry/officers/{officer_id}?on=2026-03-02").text


def test_list_filters(db: Session, personas: Personas) -> None:
    good = passed(db, new_officer(db, personas.agency_admin, 60), personas)
    old = new_officer(db, personas.agency_admin, 61, cert_valid_to=dt.date(2025, 12, 31))
    failed = new_officer(db, personas.agency_admin, 62)
    service.record_review(
        db, officer=failed, year=2025, result="failed", actor=personas.agency_admin
    )
    aux = new_officer(
        db,
        personas.agency_admin,
        63,
        kind="auxiliary",
        aux_kind="协管员",
        cert_no=None,
        cert_valid_from=None,
        cert_valid_to=None,
    )
    mine = {good.name, old.name, failed.name, aux.name}

    def names(**kw: object) -> set[str]:
        rows = service.list_officers(
            db, actor=personas.agency_admin, q="测试执法员6", on=DAY, **kw
        ).items  # type: ignore[arg-type]
        return {o.name for o in rows} & mine

    assert names() == mine
    assert names(cert="valid") == {good.name, failed.name}
    assert names(cert="expired") == {old.name}
    assert names(cert="review_failed") == {failed.name}
    assert names(cert="none") == {aux.name}
    assert names(kind="auxiliary") == {aux.name}
    found = service.list_officers(
        db, actor=personas.agency_admin, q="测试执法员6", per_page=3, page=2
    )
    rows, total = found.items, found.total
    assert total == 4
    assert len(rows) == 1
    with pytest.raises(InvalidInput):
        service.list_officers(db, actor=personas.agency_admin, cert="bogus")


def test_agency_admin_adds_officer_through_the_page(db: Session, client: TestClient) -> None:
    sid = subject_id(db, KC_SCJG)
    csrf = sign_in(client, "kc_scjg_admin")
    form = client.get("/registry/officers/new")
    assert form.status_code == 200
    assert "柯城区应急管理局" not in form.text  # only the admin's own subject is offered
    resp = client.post(
        "/registry/officers",
        data={
            "csrf_token": csrf,
            "name": "页面执法员",
            "ric": make_ric(70),
            "subject_id": str(sid),
            "kind": "officer",
            "cert_no": "330802000070",
            "cert_valid_from": "2024-01-01",
            "cert_valid_to": "2026-06-30",
            "active": "1",
        },
    )
    assert resp.status_code == 200
    assert "已登记页面执法员" in resp.text
    assert make_ric(70) not in resp.text
    bad = client.post(
        "/registry/officers",
        data={"csrf_token": csrf, "name": "错号", "ric": "123", "subject_id": str(sid)},
    )
    assert bad.status_code == 422
    assert "居民身份证号应为18位" in bad.text
    assert client.get("/registry/officers?cert=valid&kind=officer").status_code == 200


def test_refused_registration_comes_back_without_the_id_number(
    client: TestClient, db: Session
) -> None:
    sid = subject_id(db, KC_SCJG)
    csrf = sign_in(client, "kc_scjg_admin")
    bad_ric = make_ric(71)[:-1] + ("0" if make_ric(71)[-1] != "0" else "1")
    form = {
        "csrf_token": csrf,
        "name": "退回执法员",
        "ric": bad_ric,  # refused by the service: wrong check character
        "subject_id": str(sid),
        "kind": "officer",
        "cert_no": "330802000071",
        "cert_valid_from": "2024-01-01",
        "cert_valid_to": "2026-06-30",
        "legal_qualified": "1",
        "active": "0",
    }
    text = refused(client, "/registry/officers", "/registry/officers/new", form)
    assert error_beside(text, "ric") != ""
    assert bad_ric not in text  # the number is never written back into the page
    assert 'value="退回执法员"' in text and 'value="330802000071"' in text
    assert 'value="2026-06-30"' in text and '<option value="0" selected>停用' in text
    assert '<option value="1" selected>是' in text
    assert db.scalar(select(Officer).where(Officer.name == "退回执法员")) is None
    text = refused(
        client, "/registry/officers", "/registry/officers/new", {**form, "subject_id": ""}
    )
    assert error_beside(text, "subject_id") == "「执法主体」必须填写。"
    # corrected, the same form saves, and 停用 is kept (an empty choice used to mean 在岗)
    done = client.post("/registry/officers", data={**form, "ric": make_ric(71)})
    assert done.status_code == 200 and "已登记退回执法员" in done.text
    saved = db.scalar(select(Officer).where(Officer.name == "退回执法员"))
    assert saved is not None and not saved.active and saved.legal_qualified


def test_refused_edit_and_review_name_their_fields(
    client: TestClient, db: Session, personas: Personas
) -> None:
    officer = new_officer(db, personas.agency_admin, 72)
    officer_id, sid = officer.id, officer.subject_id
    csrf = sign_in(client, "kc_scjg_admin")
    url = f"/registry/officers/{officer_id}"
    form = {
        "csrf_token": csrf,
        "name": "改名执法员",
        "subject_id": str(sid),
        "kind": "officer",
        "cert_no": "330802000072",
        "cert_valid_from": "2026-07-01",  # after the end: refused by the service
        "cert_valid_to": "2026-06-30",
        "active": "1",
    }
    text = refused(client, url, f"{url}/edit", form)
    assert error_beside(text, "cert_valid_to") == "执法证有效期的开始日期不能晚于结束日期。"
    assert 'value="改名执法员"' in text and 'value="2026-07-01"' in text
    text = refused(client, f"{url}/review", url, {"csrf_token": csrf, "year": "²"})
    assert error_beside(text, "year") == "「年度」应为整数。"
    assert 'value="²"' in text
    db.expire_all()
    stored = db.get(Officer, officer_id)
    assert stored is not None and stored.name == "测试执法员72" and stored.review_year is None
