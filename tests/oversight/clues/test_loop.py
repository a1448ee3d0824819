"""The clue loop: routing with a working-day deadline, 督办, the subject's answer, the
supervisor's closure (never the subject's), 回访, scope, and the reporter's status page."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, csrf_of, sign_in
from tests.inspections.test_records import bearer
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.oversight.clues import intake, queries, routing, service
from wurao.oversight.clues.statuses import ClueStatus
from wurao.oversight.models import Clue, ClueEvent, InboxMessage
from wurao.registry.models import EnforcementSubject

NATIONAL_DAY_EVE = dt.date(2026, 9, 30)


def _clue(db: Session, personas: Personas, **changes: str) -> Clue:
    values = {
        "source": "petition",
        "description": "信访件反映：某局一月内三次到同一企业检查。",
        "enterprise_name": "柯城示例企业",
        "subject_text": "柯城区市场监督管理局",
        "reporter_name": "王某",
        "reporter_contact": "13800000000",
    }
    values.update(changes)
    return intake.create(db, actor=personas.supervisor, data=intake.ClueInput(**values))


def _subject(db: Session, personas: Personas) -> EnforcementSubject:
    subject = db.get(EnforcementSubject, personas.agency_admin.subject_id)
    assert subject is not None
    return subject


def test_route_deadline_skips_the_2026_national_day_holiday(
    db: Session, personas: Personas
) -> None:
    clue = _clue(db, personas)
    assert clue.reference is not None and intake.REFERENCE.fullmatch(clue.reference)
    service.route(
        db, clue=clue, actor=personas.supervisor, subject=_subject(db, personas),
        note="请核查", today=NATIONAL_DAY_EVE,
    )  # fmt: skip
    # 10 working days from 30 Sept: 1–7 Oct are holidays, Sat 10 Oct is a make-up working day.
    assert clue.due_on == dt.date(2026, 10, 20)
    assert clue.due_on == routing.due_on(NATIONAL_DAY_EVE, clue.region_code)
    assert clue.status == ClueStatus.ROUTED
    inbox = db.scalars(select(InboxMessage).where(InboxMessage.link.contains(str(clue.id))))
    assert [m.subject_id for m in inbox] == [clue.subject_id]
    assert routing.overdue_days(clue, dt.date(2026, 10, 20)) == 0
    assert routing.overdue_days(clue, dt.date(2026, 10, 22)) == 2


def test_supervise_only_a_late_clue_and_notify_the_subject(db: Session, personas: Personas) -> None:
    clue = _clue(db, personas)
    subject = _subject(db, personas)
    service.route(db, clue=clue, actor=personas.supervisor, subject=subject, today=NATIONAL_DAY_EVE)
    with pytest.raises(InvalidInput) as early:
        service.supervise(
            db, clue=clue, actor=personas.supervisor, note="请加快", today=dt.date(2026, 10, 9)
        )
    assert early.value.field == "note"
    service.supervise(
        db, clue=clue, actor=personas.supervisor, note="已超期，请三日内答复",
        today=dt.date(2026, 10, 23),
    )  # fmt: skip
    assert clue.supervised_times == 1
    titles = list(
        db.scalars(select(InboxMessage.title).where(InboxMessage.subject_id == subject.id))
    )
    assert any("督办" in t and "超期3个工作日" in t for t in titles)
    actions = [e.action for e in queries.history(db, clue=clue)]
    assert actions == ["receive", "route", "supervise"]
    overdue = queries.list_clues(
        db, actor=personas.supervisor, filters=queries.ClueFilters(overdue=True),
        today=dt.date(2026, 10, 23),
    )  # fmt: skip
    assert [c.id for c in overdue.items] == [clue.id]
    in_time = queries.list_clues(
        db, actor=personas.supervisor, filters=queries.ClueFilters(overdue=True),
        today=dt.date(2026, 10, 20),
    )  # fmt: skip
    assert in_time.total == 0


def test_subject_answers_but_cannot_close_its_own_clue(db: Session, personas: Personas) -> None:
    clue = _clue(db, personas)
    service.route(db, clue=clue, actor=personas.supervisor, subject=_subject(db, personas))
    subject_user = personas.agency_admin
    mine = queries.list_clues(db, actor=subject_user, filters=queries.ClueFilters())
    assert [c.id for c in mine.items] == [clue.id]
    with pytest.raises(Forbidden):
        service.close(db, clue=clue, actor=subject_user, note="我局已整改，办结")
    service.answer(
        db, clue=clue, actor=subject_user, body="已约谈执法人员并整改。",
        files=(service.Upload("整改报告.pdf", "application/pdf", b"%PDF-1.4 test"),),
    )  # fmt: skip
    assert clue.status == ClueStatus.ANSWERED  # 待核实, not closed
    with pytest.raises(Forbidden):
        service.accept(db, clue=clue, actor=subject_user, note="自行核实")
    assert clue.status == ClueStatus.ANSWERED and clue.closed_at is None
    assert [f.filename for f in queries.attachments(db, clue=clue)] == ["整改报告.pdf"]
    # the supervisor returns it: back to the subject with a new deadline
    service.send_back(db, clue=clue, actor=personas.supervisor, note="佐证不足")
    assert clue.status == ClueStatus.ROUTED
    service.answer(db, clue=clue, actor=subject_user, body="补充了检查记录。")
    service.follow_up(db, clue=clue, actor=personas.supervisor, note="反映人表示满意")
    service.accept(db, clue=clue, actor=personas.supervisor, note="核实属实，已整改")
    assert clue.status == ClueStatus.CLOSED and clue.closed_at is not None
    with pytest.raises(Conflict):
        service.answer(db, clue=clue, actor=subject_user, body="再答复")
    steps = [e.action for e in queries.history(db, clue=clue)]
    assert steps == ["receive", "route", "answer", "return", "answer", "follow_up", "accept"]


def test_another_county_cannot_see_or_act(db: Session, personas: Personas) -> None:
    clue = _clue(db, personas)
    other = personas.neighbour_supervisor
    with pytest.raises(NotFound):
        queries.get_clue(db, actor=other, clue_id=clue.id)
    assert queries.list_clues(db, actor=other, filters=queries.ClueFilters()).total == 0
    with pytest.raises(NotFound):
        service.close(db, clue=clue, actor=other, note="越权办结")
    qj = db.scalar(
        select(EnforcementSubject).where(EnforcementSubject.region_code.startswith("330803"))
    )
    assert qj is not None
    with pytest.raises(InvalidInput):  # nor may 柯城 route to a subject outside its region
        service.route(db, clue=clue, actor=personas.supervisor, subject=qj)
    # an officer of another subject does not see a clue routed to the market regulator
    service.route(db, clue=clue, actor=personas.supervisor, subject=_subject(db, personas))
    with pytest.raises(NotFound):
        queries.get_clue(db, actor=personas.other_officer, clue_id=clue.id)
    assert clue.status == ClueStatus.ROUTED


def test_classify_links_the_registered_enterprise(db: Session, personas: Personas) -> None:
    clue = _clue(db, personas)
    with pytest.raises(InvalidInput) as bad:
        service.classify(db, clue=clue, actor=personas.supervisor, problem_type="nonsense")
    assert bad.value.field == "problem_type"
    service.classify(db, clue=clue, actor=personas.supervisor, problem_type="profit")
    assert clue.problem_type == "profit"
    assert routing.problem_types("330802", dt.date(2026, 1, 1))["profit"] == "逐利执法"


def test_public_status_by_reference(db: Session, client: TestClient, personas: Personas) -> None:
    clue = _clue(db, personas)
    service.route(db, clue=clue, actor=personas.supervisor, subject=_subject(db, personas),
                  note="内部意见：重点核查张某")  # fmt: skip
    db.commit()
    page = client.get(f"/public/clues/{clue.reference}")
    assert page.status_code == 200
    assert "已交办" in page.text and clue.reference in page.text
    for private in ("内部意见", "张某", "王某", "13800000000", "信访件反映"):
        assert private not in page.text
    assert client.get("/public/clues/XS2222222222").status_code == 404
    assert client.get("/public/clues/not-a-ref").status_code == 404
    found = client.get(f"/public/clues?reference={clue.reference.lower()}")
    assert found.status_code == 200 and "已交办" in found.text
    status = client.get(f"/public/clues/{clue.reference}.json")
    assert status.status_code == 200, status.text
    assert status.json()["status"] == "open" and status.json()["status_label"] == "已交办"
    assert client.get("/public/clues/XS2222222222.json").status_code == 404


def test_open311_request_and_manual_form(
    db: Session, client: TestClient, personas: Personas
) -> None:
    made = client.post(
        "/api/v1/clue-requests",
        json={"service_code": "inaction", "description": "行政检察监督平台推送：处罚超时。",
              "external_id": "JC-2026-001"},
        headers=bearer(db, personas.supervisor),
    )  # fmt: skip
    assert made.status_code == 201, made.text
    ref = made.json()["service_request_id"]
    clue_id, source, region = db.execute(
        select(Clue.id, Clue.source, Clue.region_code).where(Clue.reference == ref)
    ).one()
    assert source == "api" and region == "330802"
    refused = client.post(
        "/api/v1/clue-requests", json={"description": "x"}, headers=bearer(db, personas.officer)
    )
    assert refused.status_code == 403
    csrf = sign_in(client, "kc_sfj")
    form = client.get("/oversight/clues/new")
    assert form.status_code == 200 and "司法所走访" in form.text
    before = db.scalar(select(func.count()).select_from(Clue))
    bad = client.post(
        "/oversight/clues/new",
        data={"csrf_token": csrf, "_back": "/oversight/clues/new", "source": "court",
              "description": "", "enterprise_name": "留在表单里的企业",
              "received_on": "2026-13-01"},
    )  # fmt: skip
    assert bad.status_code == 422 and "error-page" not in bad.text  # the form, not an error page
    assert 'id="err-received_on"' in bad.text and 'value="留在表单里的企业"' in bad.text
    assert db.scalar(select(func.count()).select_from(Clue)) == before  # nothing saved
    bad = client.post(
        "/oversight/clues/new",
        data={"csrf_token": csrf, "_back": "/oversight/clues/new", "source": "court",
              "description": "", "enterprise_name": "留在表单里的企业"},
    )  # fmt: skip
    assert bad.status_code == 422 and "error-page" not in bad.text
    assert '<small class="field-error" role="alert" id="err-description">请填写线索内容' in bad.text
    assert "留在表单里的企业" in bad.text
    ok = client.post(
        "/oversight/clues/new",
        data={"csrf_token": csrf_of(bad.text), "source": "court",
              "description": "司法建议：规范涉企检查。"},
    )  # fmt: skip
    assert ok.status_code == 200 and "司法建议" in ok.text and "交办" in ok.text
    events = db.scalars(select(ClueEvent.action).where(ClueEvent.clue_id == clue_id)).all()
    assert list(events) == ["receive"]


def test_subject_pages_answer_with_evidence_and_cannot_close(
    db: Session, client: TestClient, personas: Personas
) -> None:
    clue = _clue(db, personas)
    service.route(db, clue=clue, actor=personas.supervisor, subject=_subject(db, personas))
    clue_id, reference = clue.id, clue.reference
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    mine = client.get("/oversight/my-clues")
    assert mine.status_code == 200 and str(reference) in mine.text
    page = client.get(f"/oversight/clues/{clue_id}")
    assert "提交答复" in page.text and "13800000000" not in page.text  # the reporter is shielded
    back = f"/oversight/clues/{clue_id}"
    empty = client.post(
        f"/oversight/clues/{clue_id}/answer", data={"csrf_token": csrf, "_back": back, "body": " "}
    )
    assert empty.status_code == 422 and "error-page" not in empty.text
    assert 'id="err-body">请填写办理情况' in empty.text
    done = client.post(
        f"/oversight/clues/{clue_id}/answer",
        data={"csrf_token": csrf_of(empty.text), "body": "已整改并约谈。"},
        files={"files": ("整改照片.jpg", b"\xff\xd8\xff fake jpeg", "image/jpeg")},
    )
    assert done.status_code == 200 and "待核实" in done.text and "整改照片.jpg" in done.text
    closing = client.post(
        f"/oversight/clues/{clue_id}/accept",
        data={"csrf_token": csrf_of(done.text), "note": "办结"},
    )
    assert closing.status_code == 403
    status = db.scalar(select(Clue.status).where(Clue.id == clue_id))
    assert status == ClueStatus.ANSWERED
