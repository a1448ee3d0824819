"""The enterprise's one-stop view (docs/enterprise.md): 检查预告 and date requests, the history,
rectification proof, guidance on request, the enterprise's signed QR and activation links."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.inspections import key_dir
from tests.inspections.test_records import finish, make_task
from wurao.auth.models import User
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.core.time import local_today
from wurao.inspections import codes
from wurao.inspections import enterprise_accounts as accounts
from wurao.inspections import enterprise_rectification as rect
from wurao.inspections import enterprise_service as svc
from wurao.inspections import enterprise_visits as visits
from wurao.inspections.models import InspectionTask, OnsiteCount

__all__ = ["key_dir"]


# --- 检查预告 -----------------------------------------------------------------------------


def test_announcement_shows_who_comes_and_what_to_prepare(db: Session, personas: Personas) -> None:
    b = make_task(db)
    finished = make_task(db)
    finish(db, finished, personas.officer)
    coming = svc.announcements(db, actor=personas.enterprise)
    assert [c.task.id for c in coming] == [b.task.id]  # a finished one is history, not 预告
    card = coming[0]
    assert card.code is not None and card.code.number == b.code.number  # type: ignore[union-attr]
    assert {o.cert_no for o in card.officers} == {o.cert_no for o in b.officers}
    assert all(o.cert_valid_to for o in card.officers)
    assert not any(hasattr(o, "ric") for o in card.officers)  # never an ID number
    assert [line.text for line in card.items[0].lines] == [line.text for line in b.lines]
    assert card.items[0].item.basis_law == "中华人民共和国食品安全法"
    with pytest.raises(Forbidden):
        svc.announcements(db, actor=personas.officer)


def test_uncoded_task_is_not_announced(db: Session, personas: Personas) -> None:
    make_task(db, code_status=None)
    assert svc.announcements(db, actor=personas.enterprise) == []


def test_date_request_inside_window_accepted_moves_the_planned_day(
    db: Session, personas: Personas
) -> None:
    b = make_task(db)
    task = b.task
    with pytest.raises(InvalidInput) as outside:
        svc.request_date(
            db, actor=personas.enterprise, task_id=task.id,
            wanted_on=task.window_end + dt.timedelta(days=1), reason="设备检修",
        )  # fmt: skip
    assert outside.value.field == "wanted_on"
    wanted = local_today() + dt.timedelta(days=3)
    req = svc.request_date(
        db, actor=personas.enterprise, task_id=task.id, wanted_on=wanted, reason="设备检修"
    )
    with pytest.raises(Conflict):  # one pending request at a time
        svc.request_date(
            db, actor=personas.enterprise, task_id=task.id, wanted_on=wanted, reason="再申请"
        )
    assert svc.pending_date_requests(db, actor=personas.officer) == 1
    assert svc.pending_date_requests(db, actor=personas.other_officer) == 0
    with pytest.raises(NotFound):  # another subject cannot answer
        svc.answer_date_request(
            db, actor=personas.other_officer, request_id=req.id, accept=True, answer=""
        )
    svc.answer_date_request(
        db, actor=personas.agency_admin, request_id=req.id, accept=True, answer=""
    )
    assert req.status == "accepted"
    assert svc.planned_day(db, task=task) == wanted
    assert task.window_start <= wanted <= task.window_end
    card = svc.announcement(db, actor=personas.enterprise, task_id=task.id)
    assert card.planned_on == wanted and card.pending is None


def test_date_request_declined_needs_a_reason(db: Session, personas: Personas) -> None:
    b = make_task(db)
    req = svc.request_date(
        db, actor=personas.enterprise, task_id=b.task.id,
        wanted_on=local_today() + dt.timedelta(days=2), reason="负责人出差",
    )  # fmt: skip
    with pytest.raises(InvalidInput):
        svc.answer_date_request(
            db, actor=personas.agency_admin, request_id=req.id, accept=False, answer=" "
        )
    svc.answer_date_request(
        db, actor=personas.agency_admin, request_id=req.id, accept=False, answer="专项行动时间固定"
    )
    assert req.status == "declined" and svc.planned_day(db, task=b.task) is None
    with pytest.raises(Conflict):  # answered once
        svc.answer_date_request(
            db, actor=personas.agency_admin, request_id=req.id, accept=True, answer=""
        )


def test_history_lists_results_across_subjects(db: Session, personas: Personas) -> None:
    b = make_task(db)
    finish(db, b, personas.officer, ok=False)
    rows = svc.history(db, actor=personas.enterprise).items
    assert [r.task.id for r in rows] == [b.task.id]
    assert rows[0].record is not None and rows[0].record.outcome == "rectify"
    view = svc.finished_record(db, actor=personas.enterprise, task_id=b.task.id)
    assert view.record is not None and view.record.findings
    coming = make_task(db)
    with pytest.raises(NotFound):  # not finished: no record to download
        svc.finished_record(db, actor=personas.enterprise, task_id=coming.task.id)


# --- rectification proof ------------------------------------------------------------------


def test_proof_returned_then_accepted(db: Session, personas: Personas, key_dir: Path) -> None:
    b = make_task(db)
    finish(db, b, personas.officer, ok=False)
    (order,) = rect.enterprise_orders(db, actor=personas.enterprise).items
    assert order.state is rect.OrderState.OPEN and order.deadline is not None
    rid = order.record.id
    first = rect.upload_proof(
        db, actor=personas.enterprise, record_id=rid, filename="C:\\照片\\健康证.jpg",
        stream=io.BytesIO(b"new health certificate"), note="已重新办理健康证",
    )  # fmt: skip
    assert first.filename == "健康证.jpg" and len(first.sha256) == 64
    assert (key_dir.parent / "evidence" / first.sha256).exists()
    with pytest.raises(Conflict):  # one proof waits at a time
        rect.upload_proof(
            db, actor=personas.enterprise, record_id=rid, filename="b.jpg",
            stream=io.BytesIO(b"x"), note="",
        )  # fmt: skip
    with pytest.raises(NotFound):  # another subject's officer
        rect.answer_proof(
            db, actor=personas.other_officer, proof_id=first.id, accept=True, answer=""
        )
    with pytest.raises(InvalidInput):
        rect.answer_proof(db, actor=personas.officer, proof_id=first.id, accept=False, answer="")
    rect.answer_proof(
        db, actor=personas.officer, proof_id=first.id, accept=False, answer="照片不清晰"
    )
    order = rect.subject_order(db, actor=personas.agency_admin, record_id=rid)
    assert order.state is rect.OrderState.RETURNED and order.may_upload
    second = rect.upload_proof(
        db, actor=personas.enterprise, record_id=rid, filename="健康证2.jpg",
        stream=io.BytesIO(b"clear photo"), note="",
    )  # fmt: skip
    assert rect.enterprise_order(db, actor=personas.enterprise, record_id=rid).state == "submitted"
    rect.answer_proof(db, actor=personas.agency_admin, proof_id=second.id, accept=True, answer="")
    order = rect.enterprise_order(db, actor=personas.enterprise, record_id=rid)
    assert order.state is rect.OrderState.DONE and not order.may_upload


def test_order_of_another_enterprise_is_not_found(db: Session, personas: Personas) -> None:
    b = make_task(db, enterprise_uscc="91330802MA2C00001U", enterprise_name="另一家企业有限公司")
    finish(db, b, personas.officer, ok=False)
    record_id = rect.subject_orders(db, actor=personas.officer).items[0].record.id
    with pytest.raises(NotFound):
        rect.enterprise_order(db, actor=personas.enterprise, record_id=record_id)
    assert rect.enterprise_orders(db, actor=personas.enterprise).total == 0


# --- the QR, visits and guidance ----------------------------------------------------------


def _fresh_key(db: Session, personas: Personas) -> None:
    """A real key newer than make_task's placeholder, so the QR can be signed."""
    codes.create_key(db, actor=personas.admin)
    codes.forget_keys()


def test_qr_is_signed_and_a_forgery_is_refused(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    _fresh_key(db, personas)
    token = visits.qr_token(db, actor=personas.enterprise)
    enterprise = visits.enterprise_from_qr(db, token)
    assert enterprise.uscc == personas.enterprise.enterprise_uscc
    head, payload, sig = token.split(".")
    forged = f"{head}.{codes.b64u(payload.encode()[::-1])}.{sig}"
    with pytest.raises(NotFound):
        visits.enterprise_from_qr(db, forged)


def test_guidance_visit_is_not_an_inspection(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    """邀约式指导 (衢政办发〔2025〕16号 第18项): no task, no code, nothing in the A5 count."""
    _fresh_key(db, personas)
    subject_id = personas.officer.subject_id
    assert subject_id is not None
    tasks_before = db.scalar(select(func.count(InspectionTask.id)))
    counts_before = db.scalar(select(func.coalesce(func.sum(OnsiteCount.counted), 0)))
    req = visits.request_guidance(
        db, actor=personas.enterprise, subject_id=subject_id, topic="食品经营许可变更",
        preferred_on=None,
    )  # fmt: skip
    with pytest.raises(InvalidInput):  # agreeing needs a day
        visits.answer_guidance(
            db, actor=personas.agency_admin, request_id=req.id, agree=True, answer="",
            agreed_on=None,
        )  # fmt: skip
    visits.answer_guidance(
        db, actor=personas.agency_admin, request_id=req.id, agree=True, answer="",
        agreed_on=local_today(),
    )  # fmt: skip
    enterprise = visits.enterprise_from_qr(db, visits.qr_token(db, actor=personas.enterprise))
    visit = visits.record_visit(
        db, actor=personas.officer, enterprise=enterprise, kind="guidance",
        guidance_id=req.id, position=(28.97, 118.87, 15),
    )  # fmt: skip
    assert req.status == "visited" and visit.task_id is None and visit.latitude == 28.97
    assert db.scalar(select(func.count(InspectionTask.id))) == tasks_before
    assert db.scalar(select(func.coalesce(func.sum(OnsiteCount.counted), 0))) == counts_before
    seen = visits.enterprise_visits(db, actor=personas.enterprise).items
    assert [v.id for v, _ in seen] == [visit.id]  # the enterprise sees the scan at once
    assert visits.visit_figures(db, actor=personas.supervisor)["guidance"] == 1
    assert visits.visit_figures(db, actor=personas.neighbour_supervisor)["guidance"] == 0


def test_inspection_scan_needs_a_task_of_the_subject(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    b = make_task(db)
    _fresh_key(db, personas)
    enterprise = b.enterprise
    with pytest.raises(InvalidInput):
        visits.record_visit(db, actor=personas.other_officer, enterprise=enterprise,
                            kind="inspection", task_id=b.task.id)  # fmt: skip
    visit = visits.record_visit(
        db, actor=personas.officer, enterprise=enterprise, kind="inspection", task_id=b.task.id
    )
    assert visit.task_id == b.task.id and visit.officer_name == "张明"
    survey = visits.record_visit(db, actor=personas.other_officer, enterprise=enterprise,
                                 kind="survey", note="安全生产政策走访")  # fmt: skip
    assert survey.task_id is None
    figures = visits.visit_figures(db, actor=personas.supervisor)
    assert figures["inspection"] == 1 and figures["survey"] == 1


# --- activation links ---------------------------------------------------------------------


def test_activation_link_is_used_once(db: Session, personas: Personas) -> None:
    user = db.scalar(select(User).where(User.username == "qiye_demo"))
    assert user is not None
    raw = accounts.create_activation_link(db, actor=personas.supervisor, user_id=user.id)
    with pytest.raises(InvalidInput):
        accounts.activate(db, token=raw, password="Short1", confirm="Short1")
    accounts.activate(db, token=raw, password="Qiye-2026-new", confirm="Qiye-2026-new")
    with pytest.raises(NotFound):
        accounts.activate(db, token=raw, password="Qiye-2026-new", confirm="Qiye-2026-new")
    officer_user = db.scalar(select(User).where(User.username == "kc_scjg_zhang"))
    assert officer_user is not None
    with pytest.raises(Conflict):  # only for enterprise accounts
        accounts.create_activation_link(db, actor=personas.supervisor, user_id=officer_user.id)


# --- pages --------------------------------------------------------------------------------


def test_pages_from_notice_to_proof(
    db: Session, client: TestClient, personas: Personas, key_dir: Path
) -> None:
    b = make_task(db)
    done = make_task(db)
    finish(db, done, personas.officer, ok=False)
    _fresh_key(db, personas)
    db.commit()
    task_id = b.task.id
    csrf = sign_in(client, "qiye_demo")
    for url in ("/enterprise", "/enterprise/notices", "/enterprise/history",
                "/enterprise/rectifications", "/enterprise/evaluations", "/enterprise/guidance",
                "/enterprise/qr"):  # fmt: skip
        assert client.get(url).status_code == 200, url
    notice = client.get(f"/enterprise/notices/{task_id}")
    assert "持有有效的食品经营许可证" in notice.text and "执法证号" in notice.text
    bad = client.post(
        f"/enterprise/notices/{task_id}/date-request",
        data={"csrf_token": csrf, "_back": f"/enterprise/notices/{task_id}",
              "wanted_on": "2000-01-01", "reason": "x"},
    )  # fmt: skip
    assert bad.status_code == 422 and 'id="err-wanted_on"' in bad.text
    wanted = (local_today() + dt.timedelta(days=2)).isoformat()
    ok = client.post(
        f"/enterprise/notices/{task_id}/date-request",
        data={"csrf_token": csrf, "wanted_on": wanted, "reason": "设备检修"},
    )
    assert ok.status_code == 200 and "待答复" in ok.text
    record_id = rect.subject_orders(db, actor=personas.officer).items[0].record.id
    docx = client.get(f"/enterprise/history/{done.task.id}/record.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert "record.docx" in client.get("/enterprise/history").text
    sent = client.post(
        f"/enterprise/rectifications/{record_id}/proofs",
        data={"csrf_token": csrf, "note": "已整改"},
        files={"file": ("整改照片.jpg", b"jpeg bytes", "image/jpeg")},
    )
    assert sent.status_code == 200 and "整改材料待审核" in sent.text
    qr = client.get("/enterprise/qr")
    scan_url = qr.text.split('data-url="', 1)[1].split('"', 1)[0]
    assert "/q/" in scan_url

    client.post("/logout", data={"csrf_token": csrf})
    csrf = sign_in(client, "kc_scjg_zhang")
    listed = client.get("/inspections/date-requests")
    assert listed.status_code == 200 and "设备检修" in listed.text
    scan = client.get(scan_url.replace("http://testserver", ""))
    assert scan.status_code == 200 and "衢州示例制造有限公司" in scan.text
    recorded = client.post(
        scan_url.replace("http://testserver", ""),
        data={"csrf_token": csrf, "kind": "inspection", "task_id": str(task_id)},
    )
    assert recorded.status_code == 200 and "已登记到访" in recorded.text
    assert client.get("/enterprise/notices").status_code == 403  # not the enterprise's pages


def test_activation_pages_and_visit_figures(
    db: Session, client: TestClient, personas: Personas
) -> None:
    user = db.scalar(select(User).where(User.username == "qiye_demo"))
    assert user is not None
    user_id = user.id
    csrf = sign_in(client, "kc_sfj")
    assert client.get(f"/enterprise-accounts/{user_id}/activation").status_code == 200
    drawn = client.post(f"/enterprise-accounts/{user_id}/activation", data={"csrf_token": csrf})
    assert drawn.status_code == 200
    link = drawn.text.split('<code class="token">', 1)[1].split("<", 1)[0]
    path = link.replace("http://testserver", "")
    assert path.startswith("/public/activate/")
    figures = client.get("/inspections/visit-figures")
    assert figures.status_code == 200 and "邀约式指导" in figures.text
    client.post("/logout", data={"csrf_token": csrf})
    form = client.get(path)
    assert form.status_code == 200 and "qiye_demo" in form.text
    token_csrf = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    mismatch = client.post(
        path,
        data={"csrf_token": token_csrf, "_back": path, "password": "Qiye-2026-a",
              "confirm": "Qiye-2026-b"},
    )  # fmt: skip
    assert mismatch.status_code == 422 and 'id="err-confirm"' in mismatch.text
    done = client.post(
        path, data={"csrf_token": token_csrf, "password": "Qiye-2026-a", "confirm": "Qiye-2026-a"}
    )
    assert done.status_code == 200 and "账号已激活" in done.text
    assert client.get(path).status_code == 404  # used once
    sign_in(client, "qiye_demo", "Qiye-2026-a")
    assert client.get("/enterprise").status_code == 200
