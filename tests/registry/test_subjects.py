"""Enforcement subjects: scope, validation, and the A1 confirm/announce lifecycle."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import uscc as stdnum_uscc

from tests.conftest import Personas, sign_in
from tests.registry.refused import error_beside, refused
from wurao.auth import service as auth_service
from wurao.auth.scope import Actor
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from wurao.core.models import AuditEntry
from wurao.registry.models import EnforcementSubject
from wurao.registry.subjects import service

KC_SCJG = "11330802MB1A00001T"  # demo: 衢州市柯城区市场监督管理局 (confirmed and announced)


def make_uscc(n: int, region: str = "330802") -> str:
    """A valid 统一社会信用代码 (GB 32100 check character) for tests."""
    body = f"11{region}MB1C{n:05d}"
    return body + stdnum_uscc.calc_check_digit(body)


def bad_uscc() -> str:
    """A 统一社会信用代码 whose check character is wrong."""
    good = make_uscc(1)
    return good[:-1] + ("1" if good[-1] == "0" else "0")


def data(n: int, **changes: object) -> service.SubjectData:
    values: dict[str, object] = {
        "name": f"衢州市柯城区测试局{n}",
        "uscc": make_uscc(n),
        "region_code": "330802",
        "field": "生态环境",
        "level": "县级",
    }
    values.update(changes)
    return service.SubjectData(**values)  # type: ignore[arg-type]


def demo_subject(db: Session, uscc: str = KC_SCJG) -> EnforcementSubject:
    subject = db.scalar(select(EnforcementSubject).where(EnforcementSubject.uscc == uscc))
    assert subject is not None
    return subject


def bearer(db: Session, actor: Actor) -> dict[str, str]:
    _, raw = auth_service.create_api_token(db, actor=actor, name="测试")
    # A request that fails rolls back to the last commit (a savepoint inside the test's
    # transaction): commit so the token, and what the test made so far, outlive it.
    db.commit()
    return {"Authorization": f"Bearer {raw}"}


def actions(db: Session, subject: EnforcementSubject) -> list[str]:
    return list(
        db.scalars(
            select(AuditEntry.action)
            .where(
                AuditEntry.object_type == "enforcement_subject",
                AuditEntry.object_id == str(subject.id),
            )
            .order_by(AuditEntry.seq)
        )
    )


# --- permissions and scope ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "agency_admin", "legal_reviewer"])
def test_agency_roles_cannot_create_subjects(db: Session, personas: Personas, who: str) -> None:
    with pytest.raises(Forbidden):
        service.create_subject(db, data=data(1), actor=getattr(personas, who))


def test_supervisor_creates_subject_unconfirmed_and_audited(
    db: Session, personas: Personas
) -> None:
    subject = service.create_subject(
        db, data=data(1, uscc=" " + make_uscc(1).lower()), actor=personas.supervisor
    )
    assert subject.uscc == make_uscc(1)
    assert service.subject_state(subject) == "unconfirmed"
    assert actions(db, subject) == ["subject.create"]


def test_supervisor_cannot_create_outside_region(db: Session, personas: Personas) -> None:
    with pytest.raises(Forbidden):
        service.create_subject(db, data=data(2, region_code="330803"), actor=personas.supervisor)


def test_neighbour_supervisor_sees_none_of_kecheng(
    db: Session, personas: Personas, client: TestClient
) -> None:
    kc_id = demo_subject(db).id  # objects detach when a request closes the session
    found = service.list_subjects(db, actor=personas.neighbour_supervisor, per_page=100)
    rows, total = found.items, found.total
    assert total == len(rows) >= 1
    assert all(s.region_code.startswith("330803") for s in rows)
    with pytest.raises(NotFound):
        service.get_subject(db, actor=personas.neighbour_supervisor, subject_id=kc_id)
    headers = bearer(db, personas.neighbour_supervisor)
    api = client.get(f"/api/v1/subjects/{kc_id}", headers=headers)
    assert api.status_code == 404
    assert api.json()["error"] == "not_found"
    listing = client.get("/api/v1/subjects?q=柯城", headers=headers).json()
    assert listing["total"] == 0
    sign_in(client, "qj_sfj")
    page = client.get(f"/registry/subjects/{kc_id}")
    assert page.status_code == 404
    assert "不在您的辖区内" in page.text
    assert "柯城区市场监督管理局" not in client.get("/registry/subjects").text


def test_neighbour_supervisor_cannot_confirm_kecheng_subject(
    db: Session, personas: Personas
) -> None:
    subject = service.create_subject(db, data=data(3), actor=personas.supervisor)
    with pytest.raises(Forbidden):
        service.confirm_subject(
            db,
            subject=subject,
            confirmed_by="衢州市衢江区人民政府",
            actor=personas.neighbour_supervisor,
        )


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"uscc": bad_uscc()}, "uscc"),  # wrong check character
        ({"uscc": "123"}, "uscc"),
        ({"region_code": "33080"}, "region_code"),
        ({"region_code": "330899"}, "region_code"),  # well formed, not in the region table
        ({"name": "  "}, "name"),
        ({"field": ""}, "field"),
        ({"level": "村级"}, "level"),
        ({"kind": "intermediary"}, "kind"),
        ({"kind": "entrusted"}, "entrusted_by_id"),
    ],
)
def test_invalid_input_names_the_field(
    db: Session, personas: Personas, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        service.create_subject(db, data=data(4, **changes), actor=personas.supervisor)
    assert exc.value.field == field


def test_entrusted_subject_names_its_organ(db: Session, personas: Personas) -> None:
    organ = demo_subject(db)
    subject = service.create_subject(
        db, data=data(5, kind="entrusted", entrusted_by_id=organ.id), actor=personas.supervisor
    )
    assert subject.entrusted_by_id == organ.id
    with pytest.raises(InvalidInput) as exc:  # an entrusted organisation cannot entrust
        service.create_subject(
            db,
            data=data(6, kind="entrusted", entrusted_by_id=subject.id),
            actor=personas.supervisor,
        )
    assert exc.value.field == "entrusted_by_id"


def test_duplicate_uscc_is_a_conflict(db: Session, personas: Personas) -> None:
    with pytest.raises(Conflict):
        service.create_subject(db, data=data(7, uscc=KC_SCJG), actor=personas.supervisor)


def test_api_create_reports_uscc_field(db: Session, personas: Personas, client: TestClient) -> None:
    headers = bearer(db, personas.supervisor)
    body = {
        "name": "测试局",
        "uscc": bad_uscc(),
        "region_code": "330802",
        "field": "生态环境",
        "level": "县级",
    }
    resp = client.post("/api/v1/subjects", headers=headers, json=body)
    assert resp.status_code == 422
    assert resp.json()["field"] == "uscc"
    body["uscc"] = make_uscc(8)
    ok = client.post("/api/v1/subjects", headers=headers, json=body)
    assert ok.status_code == 201
    assert ok.json()["state"] == "unconfirmed"
    assert ok.json()["usable"] is False
    officer = client.post("/api/v1/subjects", headers=bearer(db, personas.officer), json=body)
    assert officer.status_code == 403


# --- A1 lifecycle --------------------------------------------------------------------------


def test_a1_insp_subj_qual_fails_until_confirmed_and_announced(
    db: Session, personas: Personas
) -> None:
    subject = service.create_subject(db, data=data(9), actor=personas.supervisor)
    with pytest.raises(RuleViolation) as exc:
        service.require_usable_subject(subject)
    [violation] = exc.value.violations
    assert violation.rule_id == "A1 INSP-SUBJ-QUAL"
    assert "未经确认" in violation.detail
    assert "54号" in violation.source
    with pytest.raises(Conflict):
        service.announce_subject(
            db, subject=subject, announcement_ref="柯政发〔2026〕1号", actor=personas.supervisor
        )
    service.confirm_subject(
        db,
        subject=subject,
        confirmed_by="衢州市柯城区人民政府",
        on=dt.date(2026, 1, 5),
        actor=personas.supervisor,
    )
    assert subject.confirmed_by == "衢州市柯城区人民政府"
    [violation] = service.subject_problems(subject)
    assert "未向社会公告" in violation.detail
    with pytest.raises(Conflict):
        service.confirm_subject(
            db, subject=subject, confirmed_by="衢州市柯城区人民政府", actor=personas.supervisor
        )
    with pytest.raises(InvalidInput) as early:
        service.announce_subject(
            db,
            subject=subject,
            announcement_ref="柯政发〔2026〕1号",
            on=dt.date(2026, 1, 4),
            actor=personas.supervisor,
        )
    assert early.value.field == "announced_on"
    service.announce_subject(
        db,
        subject=subject,
        announcement_ref="柯政发〔2026〕1号",
        on=dt.date(2026, 1, 6),
        actor=personas.supervisor,
    )
    service.require_usable_subject(subject)
    assert service.subject_problems(subject) == []
    assert actions(db, subject) == ["subject.create", "subject.confirm", "subject.announce"]


def test_a1_passes_for_announced_demo_subject(db: Session) -> None:
    service.require_usable_subject(demo_subject(db))


def test_confirmation_date_cannot_be_in_future(db: Session, personas: Personas) -> None:
    subject = service.create_subject(db, data=data(10), actor=personas.supervisor)
    with pytest.raises(InvalidInput) as exc:
        service.confirm_subject(
            db,
            subject=subject,
            confirmed_by="衢州市柯城区人民政府",
            on=dt.date(2999, 1, 1),
            actor=personas.supervisor,
        )
    assert exc.value.field == "confirmed_on"


def test_renaming_a_confirmed_subject_lapses_confirmation(db: Session, personas: Personas) -> None:
    subject = service.create_subject(db, data=data(11), actor=personas.supervisor)
    service.confirm_subject(
        db, subject=subject, confirmed_by="衢州市柯城区人民政府", actor=personas.supervisor
    )
    service.update_subject(
        db, subject=subject, data=data(11, field="交通运输"), actor=personas.supervisor
    )
    assert service.subject_state(subject) == "confirmed"  # the field is not what was confirmed
    service.update_subject(
        db, subject=subject, data=data(11, name="改名局"), actor=personas.supervisor
    )
    assert service.subject_state(subject) == "unconfirmed"
    assert subject.confirmed_by == ""


def test_api_confirm_and_announce(db: Session, personas: Personas, client: TestClient) -> None:
    subject_id = service.create_subject(db, data=data(12), actor=personas.supervisor).id
    headers = bearer(db, personas.supervisor)
    early = client.post(
        f"/api/v1/subjects/{subject_id}/announce",
        headers=headers,
        json={"announcement_ref": "柯政发〔2026〕2号"},
    )
    assert early.status_code == 409
    confirmed = client.post(
        f"/api/v1/subjects/{subject_id}/confirm",
        headers=headers,
        json={"confirmed_by": "衢州市柯城区人民政府"},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "confirmed"
    assert "未向社会公告" in confirmed.json()["problems"][0]["detail"]
    announced = client.post(
        f"/api/v1/subjects/{subject_id}/announce",
        headers=headers,
        json={"announcement_ref": "柯政发〔2026〕2号"},
    )
    assert announced.json()["usable"] is True
    agency = client.post(
        f"/api/v1/subjects/{subject_id}/confirm",
        headers=bearer(db, personas.agency_admin),
        json={"confirmed_by": "x"},
    )
    assert agency.status_code == 403


# --- listing -------------------------------------------------------------------------------


def test_list_filters_and_pages(db: Session, personas: Personas) -> None:
    for n in range(20, 25):
        service.create_subject(db, data=data(n, name=f"过滤测试局{n}"), actor=personas.supervisor)
    found = service.list_subjects(
        db, actor=personas.supervisor, q="过滤测试", state="unconfirmed", per_page=2, page=3
    )
    rows, total = found.items, found.total
    assert total == 5
    assert [s.name for s in rows] == ["过滤测试局24"]
    announced = service.list_subjects(
        db, actor=personas.supervisor, q="过滤测试", state="announced"
    ).total
    assert announced == 0
    rows = service.list_subjects(db, actor=personas.supervisor, field="应急管理").items
    assert [s.name for s in rows] == ["衢州市柯城区应急管理局"]
    with pytest.raises(InvalidInput):
        service.list_subjects(db, actor=personas.supervisor, state="bogus")
    with pytest.raises(Forbidden):
        service.list_subjects(db, actor=personas.enterprise)


def test_list_page_filters_through_url(db: Session, personas: Personas, client: TestClient) -> None:
    service.create_subject(db, data=data(30, name="网址过滤局"), actor=personas.supervisor)
    sign_in(client, "kc_sfj")
    page = client.get("/registry/subjects?q=网址过滤&state=unconfirmed")
    assert page.status_code == 200
    assert "网址过滤局" in page.text
    assert "柯城区市场监督管理局" not in page.text
    assert "柯城区市场监督管理局" in client.get("/registry/subjects?state=announced").text


# --- pages ---------------------------------------------------------------------------------


def test_detail_page_explains_why_not_usable(
    db: Session, personas: Personas, client: TestClient
) -> None:
    subject = service.create_subject(db, data=data(31), actor=personas.supervisor)
    sign_in(client, "kc_scjg_zhang")
    page = client.get(f"/registry/subjects/{subject.id}")
    assert page.status_code == 200
    assert "不得实施行政检查" in page.text
    assert "未经确认" in page.text
    assert "记录确认" not in page.text  # an officer gets no confirmation form


def test_supervisor_registers_confirms_and_announces_through_pages(
    db: Session, client: TestClient
) -> None:
    csrf = sign_in(client, "kc_sfj")
    assert client.get("/registry/subjects/new").status_code == 200
    created = client.post(
        "/registry/subjects",
        data={
            "csrf_token": csrf,
            "name": "页面登记局",
            "uscc": make_uscc(32),
            "region_code": "330802",
            "field": "生态环境",
            "level": "县级",
            "kind": "organ",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    url = created.headers["location"]
    detail = client.get(url)
    assert "已登记执法主体" in detail.text
    assert "记录确认" in detail.text
    client.post(
        url + "/confirm",
        data={"csrf_token": csrf, "confirmed_by": "衢州市柯城区人民政府", "confirmed_on": ""},
    )
    done = client.post(
        url + "/announce",
        data={"csrf_token": csrf, "announcement_ref": "柯政发〔2026〕3号", "announced_on": ""},
    )
    assert done.status_code == 200
    assert "可以实施行政检查" in done.text
    assert "柯政发〔2026〕3号" in done.text
    edit = client.get(url + "/edit")
    assert "原主体资格确认和公告失效" in edit.text


def test_page_form_errors_are_chinese(client: TestClient) -> None:
    csrf = sign_in(client, "kc_sfj")
    resp = client.post(
        "/registry/subjects",
        data={
            "csrf_token": csrf,
            "name": "错误局",
            "uscc": bad_uscc(),
            "region_code": "330802",
            "field": "生态环境",
            "level": "县级",
        },
    )
    assert resp.status_code == 422
    assert "统一社会信用代码校验位错误" in resp.text


def test_officer_gets_no_new_subject_form(client: TestClient) -> None:
    sign_in(client, "kc_scjg_zhang")
    assert client.get("/registry/subjects/new").status_code == 403


def test_refused_registration_comes_back_with_what_was_typed(
    client: TestClient, db: Session
) -> None:
    csrf = sign_in(client, "kc_sfj")
    basis = "《中华人民共和国环境保护法》第二十四条。\n" * 100
    form = {
        "csrf_token": csrf,
        "name": "退回测试局",
        "uscc": make_uscc(33),
        "region_code": "330802",
        "field": "生态环境",
        "level": "乡级",
        "kind": "entrusted",  # refused by the service: no entrusting organ chosen
        "vertical": "1",
        "legal_basis": basis,
    }
    text = refused(client, "/registry/subjects", "/registry/subjects/new", form)
    assert error_beside(text, "entrusted_by_id") == "受委托组织须写明委托机关。"
    assert "登记执法主体" in text and 'value="退回测试局"' in text and basis.strip() in text
    assert '<option value="乡级" selected>' in text and '<option value="1" selected>是' in text
    assert '<option value="entrusted" selected>' in text
    found = db.scalar(select(EnforcementSubject).where(EnforcementSubject.name == "退回测试局"))
    assert found is None
    # a value the form model refuses (an id that is not a number) is named the same way
    text = refused(
        client, "/registry/subjects", "/registry/subjects/new", {**form, "entrusted_by_id": "x"}
    )
    assert error_beside(text, "entrusted_by_id") == "「委托机关」应为整数。"


def test_refused_confirmation_keeps_the_subject_unconfirmed(
    client: TestClient, db: Session, personas: Personas
) -> None:
    subject = service.create_subject(db, data=data(34), actor=personas.supervisor)
    db.commit()
    csrf = sign_in(client, "kc_sfj")
    url = f"/registry/subjects/{subject.id}"
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    form = {"csrf_token": csrf, "confirmed_by": "衢州市柯城区人民政府", "confirmed_on": tomorrow}
    text = refused(client, f"{url}/confirm", url, form)
    assert error_beside(text, "confirmed_on") == "日期不能晚于今天。"
    assert 'value="衢州市柯城区人民政府"' in text and f'value="{tomorrow}"' in text
    text = refused(client, f"{url}/confirm", url, {**form, "confirmed_on": "2026-13-01"})
    assert error_beside(text, "confirmed_on") == "「确认日期」应为日期（YYYY-MM-DD）。"
    db.expire_all()
    assert db.get(EnforcementSubject, subject.id).confirmed_on is None  # type: ignore[union-attr]
