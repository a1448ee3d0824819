"""Clues: a public report of an inspection without a code lands with the supervisor of the
enterprise's region (衢政办发〔2025〕16号 第7项), and only there."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas, csrf_of, sign_in
from tests.inspections.test_records import bearer
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import audit
from wurao.core.errors import Conflict, InvalidInput, NotFound
from wurao.core.models import AuditEntry
from wurao.oversight import service
from wurao.oversight.models import Clue
from wurao.registry.models import EnforcementSubject, Enterprise

QJ_USCC = "91330803MA2B00001P"  # registered by 衢江区 (characters 3–8: 330803)


def _report(**changes: object) -> service.CodelessReport:
    values: dict[str, object] = {
        "enterprise_name": "衢江示例食品有限公司",
        "enterprise_uscc": QJ_USCC,
        "occurred_on": dt.date(2026, 3, 2),
        "agency": "衢江区市场监督管理局",
        "people": 3,
        "description": "三人来厂检查，未出示行政行为码。",
        "contact": "",
    }
    values.update(changes)
    return service.CodelessReport(**values)  # type: ignore[arg-type]


def test_report_region_from_the_uscc(db: Session, personas: Personas) -> None:
    clue = service.report_codeless(db, report=_report())
    assert clue.source == "codeless_report" and clue.region_code == "330803"
    assert "来人 3 人" in clue.description
    subject = db.scalar(
        select(EnforcementSubject).where(EnforcementSubject.name == "衢州市衢江区市场监督管理局")
    )
    assert subject is not None
    assert clue.subject_id == subject.id  # the one subject in 衢江区 whose name contains it
    named = service.report_codeless(db, report=_report(agency="衢州市衢江区市场监督管理局"))
    assert named.subject_id == subject.id
    unknown = service.report_codeless(db, report=_report(agency="一个不知名的执法队"))
    assert unknown.subject_id is None and unknown.subject_text == "一个不知名的执法队"
    neighbour_total = service.list_clues(db, actor=personas.neighbour_supervisor).total
    assert neighbour_total == 3
    found = service.list_clues(db, actor=personas.supervisor)
    rows, total = found.items, found.total
    assert total == 0 and rows == []
    with pytest.raises(NotFound):
        service.get_clue(db, actor=personas.supervisor, clue_id=clue.id)


def test_report_region_from_the_registry_row(db: Session, personas: Personas) -> None:
    # Registered in 衢江区 but located in 柯城区: the address record wins (A8).
    ent = Enterprise(uscc=QJ_USCC, name="迁入柯城的食品有限公司", region_code="330802")
    db.add(ent)
    audit.record(db, actor=SYSTEM_ACTOR, action="test.enterprise", obj=ent)
    clue = service.report_codeless(db, report=_report(enterprise_name=""))
    assert clue.region_code == "330802" and clue.enterprise_name == "迁入柯城的食品有限公司"
    by_name = service.report_codeless(
        db, report=_report(enterprise_uscc="", enterprise_name="迁入柯城的食品有限公司")
    )
    assert by_name.enterprise_uscc == QJ_USCC and by_name.region_code == "330802"
    total = service.list_clues(db, actor=personas.supervisor).total
    assert total == 2


def test_report_is_validated(db: Session) -> None:
    with pytest.raises(InvalidInput) as bad:
        service.report_codeless(db, report=_report(enterprise_uscc="91330803MA2B00001X"))
    assert bad.value.field == "enterprise_uscc"
    with pytest.raises(InvalidInput):  # an unknown name without a USCC cannot be placed
        service.report_codeless(
            db, report=_report(enterprise_uscc="", enterprise_name="查无此企业")
        )
    with pytest.raises(InvalidInput):
        service.report_codeless(db, report=_report(description=" "))
    with pytest.raises(InvalidInput):
        service.report_codeless(db, report=_report(occurred_on=dt.date(2999, 1, 1)))


def test_supervisor_handles_and_closes_with_audit(db: Session, personas: Personas) -> None:
    clue = service.report_codeless(db, report=_report())
    actor = personas.neighbour_supervisor
    service.handle_clue(db, clue=clue, actor=actor, status="handling", note="已约谈该局")
    service.handle_clue(db, clue=clue, actor=actor, status="closed", note="已责令改正")
    assert clue.status == "closed"
    assert "已约谈该局" in clue.handled_note and "已责令改正" in clue.handled_note
    with pytest.raises(Conflict):
        service.handle_clue(db, clue=clue, actor=actor, status="handling", note="再处理")
    with pytest.raises(NotFound):
        service.handle_clue(
            db, clue=clue, actor=personas.supervisor, status="closed", note="越权处理"
        )
    actions = list(
        db.scalars(
            select(AuditEntry.action).where(
                AuditEntry.object_type == "clue", AuditEntry.object_id == str(clue.id)
            )
        )
    )
    assert actions == ["clue.report", "clue.handle", "clue.handle"]


def test_public_report_form_and_supervisor_pages(db: Session, client: TestClient) -> None:
    form = client.get("/report")
    assert form.status_code == 200 and "举报未亮码检查" in form.text
    typed = {"csrf_token": csrf_of(form.text), "_back": "/report", "enterprise_uscc": QJ_USCC,
             "agency": "衢江区市场监督管理局", "people": "二",
             "description": "来了两人，未亮码。"}  # fmt: skip
    refused = client.post("/report", data=typed)
    assert refused.status_code == 422 and "error-page" not in refused.text
    assert 'id="err-people"' in refused.text and 'value="二"' in refused.text
    assert "来了两人，未亮码。" in refused.text and 'value="衢江区市场监督管理局"' in refused.text
    refused = client.post("/report", data={**typed, "people": "2", "description": " "})
    assert refused.status_code == 422 and 'id="err-description">请填写事情经过' in refused.text
    assert db.scalar(select(Clue.id).where(Clue.enterprise_uscc == QJ_USCC)) is None
    resp = client.post(
        "/report",
        data={
            "csrf_token": csrf_of(form.text),
            "enterprise_name": "衢江示例食品有限公司",
            "enterprise_uscc": QJ_USCC,
            "occurred_on": "2026-03-02",
            "agency": "衢江区市场监督管理局",
            "people": "2",
            "description": "未亮码。",
        },
    )
    assert resp.status_code == 200 and "举报已受理" in resp.text
    clue_id = db.scalar(select(Clue.id).where(Clue.enterprise_uscc == QJ_USCC))
    assert clue_id is not None
    # the reporter is given the reference to follow the clue by, and the page it opens
    reference = db.scalar(select(Clue.reference).where(Clue.id == clue_id))
    assert reference and f"/public/clues/{reference}" in resp.text
    status = client.get(f"/public/clues/{reference}")
    assert status.status_code == 200 and reference in status.text
    csrf = sign_in(client, "qj_sfj")
    listing = client.get("/oversight/clues?status=new")
    assert "衢江示例食品有限公司" in listing.text
    detail = client.get(f"/oversight/clues/{clue_id}")
    assert detail.status_code == 200 and "未亮码。" in detail.text
    done = client.post(
        f"/oversight/clues/{clue_id}/handle",
        data={"csrf_token": csrf, "status": "closed", "note": "已核实并督促整改"},
    )
    assert done.status_code == 200 and "已办结" in done.text
    sign_in(client, "kc_sfj")
    assert client.get(f"/oversight/clues/{clue_id}").status_code == 404
    assert "衢江示例食品有限公司" not in client.get("/oversight/clues").text


def test_clues_api(db: Session, client: TestClient, personas: Personas) -> None:
    resp = client.post(
        "/api/v1/reports/codeless",
        json={
            "enterprise_name": "衢江示例食品有限公司",
            "enterprise_uscc": QJ_USCC,
            "agency": "某执法队",
            "people": 2,
            "description": "未出示行政行为码。",
        },
    )
    assert resp.status_code == 201, resp.text
    bad = client.post(
        "/api/v1/reports/codeless",
        json={"enterprise_uscc": "123", "agency": "某", "description": "x"},
    )
    assert bad.status_code == 422 and bad.json()["field"] == "enterprise_uscc"
    mine = client.get("/api/v1/clues", headers=bearer(db, personas.neighbour_supervisor))
    assert mine.json()["total"] == 1
    assert mine.json()["items"][0]["region_code"] == "330803"
    other = client.get("/api/v1/clues", headers=bearer(db, personas.supervisor))
    assert other.json()["total"] == 0
    officer = client.get("/api/v1/clues", headers=bearer(db, personas.officer))
    assert officer.status_code == 403
