"""An alert's lifecycle (new → notified → answered → rectified | dismissed), its risk notice,
inbox message and rectification item, and who may see, answer and close it — through the
service and over HTTP. Only the supervisor's acceptance of the item closes an alert."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas, csrf_of, sign_in
from tests.inspections import add_enterprise, subject
from tests.oversight.test_rules import KC_SCJG, KC_YJJ, TODAY, make_task
from wurao.core.config import get_settings
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.oversight import engine
from wurao.oversight.models import Alert, InboxMessage, RiskNotice
from wurao.oversight.rectification import queries as rectification_queries
from wurao.oversight.rectification import service as rectification


@pytest.fixture(autouse=True)
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Risk notices are written to a temporary var dir, never the checkout's var/."""
    monkeypatch.setenv("WURAO_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _alert(db: Session, uscc: str = KC_SCJG) -> Alert:
    make_task(db, add_enterprise(db, status="deregistered"), [subject(db, uscc)])
    engine.sweep(db, today=TODAY, only=["F2 DEREGISTERED"])
    alert = db.scalars(
        select(Alert)
        .where(Alert.rule_id == "F2 DEREGISTERED", Alert.subject_id == subject(db, uscc).id)
        .order_by(Alert.id.desc())
    ).first()
    assert alert is not None
    return alert


def test_alert_carries_evidence_source_subject_region(db: Session) -> None:
    alert = _alert(db)
    assert alert.status == "new" and alert.region_code == "330802"
    assert "路桥" in alert.source
    kinds = {e["type"] for e in json.loads(alert.evidence)}
    assert kinds == {"task", "enterprise"}


def test_lifecycle_notify_then_rectify(db: Session, personas: Personas) -> None:
    alert = _alert(db)
    notice = engine.notify(db, alert=alert, actor=personas.supervisor, note="请立即核查")
    assert alert.status == "notified" and alert.notice_id == notice.id
    assert "风提〔" in notice.number and len(notice.docx_sha256) == 64
    doc = Document(io.BytesIO(engine.notice_docx(db, notice=notice)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "风险提示函" in text and "请立即核查" in text
    msg = db.scalar(select(InboxMessage).where(InboxMessage.subject_id == alert.subject_id))
    assert msg is not None and msg.link == f"/oversight/alerts/{alert.id}"
    with pytest.raises(Conflict):
        engine.notify(db, alert=alert, actor=personas.supervisor)
    with pytest.raises(InvalidInput):
        engine.respond(db, alert=alert, actor=personas.agency_admin, response=" ")
    item = rectification.current_item(db, source_kind="alert", source_id=alert.id)
    assert item is not None and item.status == "open" and item.due_on > TODAY
    engine.respond(db, alert=alert, actor=personas.agency_admin, response="已取消该任务并整改。")
    assert alert.status == "answered" and alert.responded_at is not None
    assert item.status == "answered" and item.answer == "已取消该任务并整改。"
    # the subject's answer alone never closes it
    with pytest.raises(Forbidden):
        rectification.accept(db, item=item, actor=personas.agency_admin)
    with pytest.raises(Forbidden):
        rectification.accept(db, item=item, actor=personas.neighbour_supervisor)
    rectification.send_back(db, item=item, actor=personas.supervisor, note="未附整改材料")
    assert alert.status == "notified" and item.status == "open" and item.returned_times == 1
    engine.respond(db, alert=alert, actor=personas.agency_admin, response="补充了整改材料。")
    rectification.accept(db, item=item, actor=personas.supervisor, note="核实属实")
    assert alert.status == "rectified" and item.status == "accepted"
    with pytest.raises(Conflict):
        engine.dismiss(db, alert=alert, actor=personas.supervisor, reason="x")


def test_dismissing_a_notified_alert_withdraws_its_item(db: Session, personas: Personas) -> None:
    alert = _alert(db)
    engine.notify(db, alert=alert, actor=personas.supervisor)
    engine.dismiss(db, alert=alert, actor=personas.supervisor, reason="误报：任务已取消")
    item = rectification.current_item(db, source_kind="alert", source_id=alert.id)
    assert item is not None and item.status == "withdrawn"
    totals = rectification_queries.totals_by_subject(db, actor=personas.supervisor)
    assert all(t.found == 0 for t in totals if t.subject_id == alert.subject_id)


def test_lifecycle_dismiss_needs_reason(db: Session, personas: Personas) -> None:
    alert = _alert(db)
    with pytest.raises(InvalidInput):
        engine.dismiss(db, alert=alert, actor=personas.supervisor, reason="")
    engine.dismiss(db, alert=alert, actor=personas.supervisor, reason="企业注销前已完成检查")
    assert alert.status == "dismissed" and alert.dismissed_reason
    assert db.get(Alert, alert.id) is not None  # nothing deleted


def test_visibility_by_role(db: Session, personas: Personas) -> None:
    mine, theirs = _alert(db), _alert(db, KC_YJJ)
    own = engine.get_alert(db, actor=personas.agency_admin, alert_id=mine.id)
    assert own is mine
    assert engine.get_alert(db, actor=personas.officer, alert_id=mine.id) is mine
    with pytest.raises(NotFound):
        engine.get_alert(db, actor=personas.agency_admin, alert_id=theirs.id)
    assert engine.get_alert(db, actor=personas.supervisor, alert_id=theirs.id) is theirs
    with pytest.raises(NotFound):
        engine.get_alert(db, actor=personas.neighbour_supervisor, alert_id=mine.id)
    rows = engine.list_alerts(db, actor=personas.neighbour_supervisor, per_page=1000).items
    assert mine not in rows and theirs not in rows
    with pytest.raises(Forbidden):
        engine.alerts_visible_to(personas.enterprise)


def test_only_own_subject_responds_and_only_supervisor_notifies(
    db: Session, personas: Personas
) -> None:
    theirs = _alert(db, KC_YJJ)
    with pytest.raises(Forbidden):
        engine.respond(db, alert=theirs, actor=personas.agency_admin, response="x")
    with pytest.raises(Forbidden):
        engine.respond(db, alert=_alert(db), actor=personas.officer, response="x")
    with pytest.raises(Forbidden):
        engine.notify(db, alert=theirs, actor=personas.agency_admin)
    with pytest.raises(Forbidden):
        engine.notify(db, alert=theirs, actor=personas.neighbour_supervisor)


def test_http_path_warning_to_answered(
    db: Session,
    client: TestClient,
) -> None:
    alert_id = _alert(db).id
    db.commit()
    token = sign_in(client, "kc_sfj")
    # the list says which alerts a 风险提示函 may be sent for, and the severity in Chinese
    listing = client.get("/oversight/alerts")
    assert "可发风险提示函" in listing.text and f"/oversight/alerts/{alert_id}" in listing.text
    assert ">WARN<" not in listing.text and ">BLOCK<" not in listing.text
    page = client.get(f"/oversight/alerts/{alert_id}")
    assert page.status_code == 200 and "生成并发送风险提示函" in page.text
    back = f"/oversight/alerts/{alert_id}"
    r = client.post(
        f"{back}/dismiss", data={"csrf_token": csrf_of(page.text), "_back": back, "reason": " "}
    )
    assert r.status_code == 422 and "error-page" not in r.text
    assert 'id="err-reason">请填写核销理由' in r.text
    long = "注" * 2001
    r = client.post(
        f"{back}/notify", data={"csrf_token": csrf_of(page.text), "_back": back, "note": long}
    )
    assert r.status_code == 422 and 'id="err-note"' in r.text and long in r.text
    db.expire_all()
    assert db.get(Alert, alert_id).status == "new"  # type: ignore[union-attr]
    r = client.post(
        f"/oversight/alerts/{alert_id}/notify",
        data={"csrf_token": csrf_of(page.text), "note": "请核查"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    db.expire_all()
    alert = db.get(Alert, alert_id)
    assert alert is not None and alert.status == "notified"
    notice = db.scalar(select(RiskNotice).where(RiskNotice.id == alert.notice_id))
    assert notice is not None
    docx = client.get(f"/oversight/notices/{notice.id}.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert token
    client.cookies.clear()
    sign_in(client, "qj_sfj")
    assert client.get(f"/oversight/alerts/{alert.id}").status_code == 404
    assert client.get(f"/oversight/notices/{notice.id}.docx").status_code == 404
    client.cookies.clear()

    sign_in(client, "kc_scjg_admin")
    inbox = client.get("/inbox")
    assert notice.number in inbox.text
    page = client.get(f"/oversight/alerts/{alert.id}")
    assert "提交答复" in page.text
    r = client.post(
        f"/oversight/alerts/{alert.id}/respond",
        data={"csrf_token": csrf_of(page.text), "_back": page.url.path, "response": " "},
    )
    assert r.status_code == 422 and 'id="err-response">请填写整改情况说明' in r.text
    r = client.post(
        f"/oversight/alerts/{alert.id}/respond",
        data={"csrf_token": csrf_of(page.text), "response": "已整改"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    db.expire_all()
    alert = db.get(Alert, alert_id)
    assert alert is not None and alert.status == "answered"
    api = client.get("/api/v1/alerts").json()
    assert alert.id in [a["id"] for a in api["items"]]


def test_public_rules_page_lists_every_rule_with_params(client: TestClient) -> None:
    from wurao.oversight.rules import RULES

    page = client.get("/public/rules?region=330802")
    assert page.status_code == 200
    for r in RULES:
        assert r.id in page.text and r.title in page.text
    assert (
        "inspection.onsite_cap_per_year" in page.text and "衢政办发〔2025〕16号 第8项" in page.text
    )
