"""The 检查笔录: start under a valid code (无码不查), assigned officers only, B2/B3/B5 on
finishing, evidence by SHA-256, and the code used and the task done at the end."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import ric as stdnum_ric

from tests.conftest import Personas, sign_in
from wurao.auth import service as auth_service
from wurao.auth.scope import SYSTEM_ACTOR, Actor
from wurao.core import audit
from wurao.core.config import get_settings
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from wurao.core.models import AuditEntry
from wurao.core.time import local_today, utcnow
from wurao.inspections import evaluations, record_evidence, record_finish, records
from wurao.inspections.models import (
    ActionCode,
    Evaluation,
    InspectionTask,
    SigningKey,
    TaskItem,
    TaskOfficer,
    TaskSubject,
)
from wurao.registry.models import ChecklistLine, EnforcementSubject, Enterprise, InspectionItem
from wurao.registry.models import Officer as OfficerRow

KC_SCJG = "11330802MB1A00001T"  # 柯城区市场监督管理局: the officer persona 张明's subject
DEMO_USCC = "91330802MA2A00001N"  # the enterprise persona's USCC
_seq = itertools.count(1)


@dataclass
class Built:
    """A task inserted with the ORM, with what the tests need around it."""

    task: InspectionTask
    enterprise: Enterprise
    code: ActionCode | None
    lines: list[ChecklistLine]
    officers: list[OfficerRow]


def _ric(n: int) -> str:
    body = f"33080219850615{n % 1000:03d}"
    return body + stdnum_ric.calc_check_digit(body + "0")


def _subject(db: Session, uscc: str = KC_SCJG) -> EnforcementSubject:
    subject = db.scalar(select(EnforcementSubject).where(EnforcementSubject.uscc == uscc))
    assert subject is not None
    return subject


def _enterprise(db: Session, uscc: str, name: str, region: str) -> Enterprise:
    found = db.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    if found is not None:
        return found
    ent = Enterprise(uscc=uscc, name=name, region_code=region, address="衢州市柯城区示例路1号")
    db.add(ent)
    audit.record(db, actor=SYSTEM_ACTOR, action="test.enterprise", obj=ent)
    return ent


def _persona_user_id(db: Session) -> int:
    from wurao.auth.models import User

    user_id = db.scalar(select(User.id).where(User.username == "kc_scjg_zhang"))
    assert user_id is not None
    return user_id


def make_task(
    db: Session,
    *,
    method: str = "onsite",
    code_status: str | None = "valid",
    officer_names: tuple[str, ...] = ("张明", "赵强"),
    subject_uscc: str = KC_SCJG,
    enterprise_uscc: str = DEMO_USCC,
    enterprise_name: str = "衢州示例制造有限公司",
    region: str = "330802",
) -> Built:
    """A coded task of the demo enterprise, inspected by 柯城区市场监管局 (ORM only)."""
    n = next(_seq)
    today = local_today()
    subject = _subject(db, subject_uscc)
    enterprise = _enterprise(db, enterprise_uscc, enterprise_name, region)
    item = InspectionItem(
        code=f"T-ITEM-{n}-{id(db)}",
        name=f"食品经营许可检查{n}",
        field="市场监管",
        region_code="330802",
        basis_level="法律",
        basis_law="中华人民共和国食品安全法",
        status="published",
        published_on=today - dt.timedelta(days=30),
    )
    db.add(item)
    db.flush()
    lines = [
        ChecklistLine(item_id=item.id, seq=1, text="持有有效的食品经营许可证", basis="第35条"),
        ChecklistLine(item_id=item.id, seq=2, text="从业人员持有健康证明", basis="第45条"),
    ]
    officers = []
    for name in officer_names:
        k = next(_seq)
        if name == "张明":
            mine = db.scalar(select(OfficerRow).where(OfficerRow.user_id == _persona_user_id(db)))
            if mine is not None:
                officers.append(mine)
                continue
        officers.append(
            OfficerRow(
                name=name,
                ric=_ric(k * 7 + n),
                subject_id=subject.id,
                kind="officer",
                cert_no=f"T{n:04d}{k:04d}{id(db) % 10000:04d}",
                cert_valid_from=today - dt.timedelta(days=365),
                cert_valid_to=today + dt.timedelta(days=365),
                # 张明 is the officer persona's own account (kc_scjg_zhang).
                user_id=_persona_user_id(db) if name == "张明" else None,
            )
        )
    task = InspectionTask(
        enterprise_id=enterprise.id,
        region_code=region,
        year=today.year,
        origin="plan",
        method=method,
        window_start=today - dt.timedelta(days=5),
        window_end=today + dt.timedelta(days=25),
        status="coded" if code_status else "draft",
        created_at=utcnow(),
    )
    db.add_all([*lines, *officers, task])
    db.flush()
    rows: list[object] = [
        TaskSubject(task_id=task.id, subject_id=subject.id, lead=True),
        TaskItem(task_id=task.id, item_id=item.id, subject_id=subject.id),
        *[TaskOfficer(task_id=task.id, officer_id=o.id, subject_id=subject.id) for o in officers],
    ]
    code = None
    if code_status:
        if db.get(SigningKey, "test-kid") is None:
            key = SigningKey(kid="test-kid", public_x="dGVzdA", created_at=utcnow())
            db.add(key)
            db.flush()
            rows.append(key)
        code = ActionCode(
            task_id=task.id,
            number=f"{region[:6]}-{today.year}-T{n:05d}",
            jti=f"jti-{n}-{id(db)}",
            kid="test-kid",
            token="dummy.token.value",
            issued_at=utcnow(),
            valid_from=today - dt.timedelta(days=1),
            valid_to=today + dt.timedelta(days=30),
            status=code_status,
        )
        rows.append(code)
    db.add_all(rows)
    db.flush()
    audit.record(
        db,
        actor=SYSTEM_ACTOR,
        action="test.task",
        obj=task,
        covers=[item, *lines, *officers, *rows],  # type: ignore[list-item]
    )
    return Built(task=task, enterprise=enterprise, code=code, lines=lines, officers=officers)


def fill(db: Session, b: Built, officer: Actor, *, ok: bool = True, attest: bool = True) -> None:
    """Start and fill a record completely (the onsite B2 tick and B5 as asked)."""
    records.start_record(db, task=b.task, actor=officer)
    onsite = b.task.method == "onsite"
    records.update_record(
        db,
        task=b.task,
        actor=officer,
        data=records.RecordFields(
            location="企业生产车间" if onsite else None,
            present_person="王经理（生产主管）" if onsite else None,
            data_source=None if onsite else "企业报送的书面材料和省市场监管信息共享数据",
            findings="" if ok else "一名从业人员健康证明过期。",
            outcome="none" if ok else "rectify",
            rectify_deadline=None if ok else local_today() + dt.timedelta(days=15),
            ids_shown=True if onsite else None,
            attested=attest,
        ),
    )
    records.save_checklist(
        db,
        task=b.task,
        actor=officer,
        results=[
            records.LineResult(b.lines[0].id, "ok"),
            records.LineResult(b.lines[1].id, "ok" if ok else "fail", "" if ok else "过期"),
        ],
    )


def finish(db: Session, b: Built, officer: Actor, *, ok: bool = True) -> str:
    """A finished record; returns the raw evaluation token."""
    fill(db, b, officer, ok=ok)
    return record_finish.finish_record(db, task=b.task, actor=officer).evaluation_token


def rule_ids(exc: pytest.ExceptionInfo[RuleViolation]) -> set[str]:
    return {v.rule_id for v in exc.value.violations}


def bearer(db: Session, actor: Actor) -> dict[str, str]:
    _, raw = auth_service.create_api_token(db, actor=actor, name="测试")
    db.commit()  # a failing request rolls back to here; keep the token and the test's rows
    return {"Authorization": f"Bearer {raw}"}


# ---------------------------------------------------------------------------------------


def test_cannot_start_without_a_valid_code(db: Session, personas: Personas) -> None:
    revoked = make_task(db, code_status="revoked")
    with pytest.raises(RuleViolation) as exc:
        records.start_record(db, task=revoked.task, actor=personas.officer)
    assert "已撤销" in exc.value.message
    used = make_task(db, code_status="used")
    with pytest.raises(RuleViolation):
        records.start_record(db, task=used.task, actor=personas.officer)
    uncoded = make_task(db, code_status=None)
    with pytest.raises(Conflict):  # a draft task is not ready for inspection
        records.start_record(db, task=uncoded.task, actor=personas.officer)
    uncoded.task.status = "coded"  # even if the status says so, no code means no inspection
    with pytest.raises(RuleViolation) as exc2:
        records.start_record(db, task=uncoded.task, actor=personas.officer)
    assert "尚未赋行政行为码" in exc2.value.message


def test_start_under_a_valid_code(db: Session, personas: Personas) -> None:
    b = make_task(db)
    record = records.start_record(db, task=b.task, actor=personas.officer)
    assert record.started_at is not None
    assert b.task.status == "in_progress"
    with pytest.raises(Conflict):
        records.start_record(db, task=b.task, actor=personas.officer)


def test_only_assigned_officers_write(db: Session, personas: Personas) -> None:
    b = make_task(db, officer_names=("王五", "赵六"))  # 张明 is not assigned
    with pytest.raises(Forbidden):
        records.start_record(db, task=b.task, actor=personas.officer)
    with pytest.raises(Forbidden):  # an agency administrator does not write records
        records.start_record(db, task=b.task, actor=personas.agency_admin)
    with pytest.raises(Forbidden):  # the supervisor sees the task but does not write it
        records.start_record(db, task=b.task, actor=personas.supervisor)
    # An officer of another subject does not even see the task.
    with pytest.raises(NotFound):
        records.get_task(db, actor=personas.other_officer, task_id=b.task.id)
    mine = make_task(db)
    assert records.may_write(db, actor=personas.officer, task=mine.task)
    assert not records.may_write(db, actor=personas.officer, task=b.task)


def test_b2_show_id_and_b5_attestation_block_finishing(db: Session, personas: Personas) -> None:
    b = make_task(db)
    fill(db, b, personas.officer, attest=False)
    records.update_record(
        db, task=b.task, actor=personas.officer, data=records.RecordFields(ids_shown=False)
    )
    with pytest.raises(RuleViolation) as exc:
        record_finish.finish_record(db, task=b.task, actor=personas.officer)
    assert rule_ids(exc) == {"B2 SHOW-ID", "B5 FIVE-BANS"}
    records.update_record(
        db,
        task=b.task,
        actor=personas.officer,
        data=records.RecordFields(ids_shown=True, attested=True),
    )
    done = record_finish.finish_record(db, task=b.task, actor=personas.officer)
    assert done.record.finished_at is not None and done.record.ended_at is not None


def test_b3_incomplete_checklist_and_outcome_block_finishing(
    db: Session, personas: Personas
) -> None:
    b = make_task(db)
    records.start_record(db, task=b.task, actor=personas.officer)
    records.save_checklist(
        db, task=b.task, actor=personas.officer, results=[records.LineResult(b.lines[0].id, "fail")]
    )
    with pytest.raises(RuleViolation) as exc:
        record_finish.finish_record(db, task=b.task, actor=personas.officer, attest=True)
    details = " ".join(v.detail for v in exc.value.violations)
    assert "还有 1 行未填写" in details
    assert "处理结果" in details
    assert "企业在场人员" in details
    assert "检查发现的问题" in details


def test_finishing_marks_the_code_used_and_the_task_done(db: Session, personas: Personas) -> None:
    b = make_task(db)
    token = finish(db, b, personas.officer, ok=False)
    assert b.code is not None
    db.refresh(b.code)
    assert b.code.status == "used" and b.code.used_at is not None
    assert b.task.status == "done"
    evaluation = db.scalar(select(Evaluation).where(Evaluation.task_id == b.task.id))
    assert evaluation is not None
    assert evaluation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in evaluation.token_hash
    actions = set(db.scalars(select(AuditEntry.action).where(AuditEntry.region_code == "330802")))
    assert {"record.start", "record.finish", "code.use", "evaluation.issue"} <= actions
    with pytest.raises(Conflict):  # a finished record is closed
        records.update_record(
            db, task=b.task, actor=personas.officer, data=records.RecordFields(findings="改")
        )


def test_offsite_records_its_data_source_instead_of_a_visit(
    db: Session, personas: Personas
) -> None:
    b = make_task(db, method="offsite")
    records.start_record(db, task=b.task, actor=personas.officer)
    records.save_checklist(
        db,
        task=b.task,
        actor=personas.officer,
        results=[records.LineResult(line.id, "ok") for line in b.lines],
    )
    records.update_record(
        db,
        task=b.task,
        actor=personas.officer,
        data=records.RecordFields(outcome="none", attested=True),
    )
    with pytest.raises(RuleViolation) as exc:
        record_finish.finish_record(db, task=b.task, actor=personas.officer)
    assert rule_ids(exc) == {"B3 RECORD"}  # no B2: nobody was visited
    assert "数据来源" in exc.value.message
    records.update_record(
        db,
        task=b.task,
        actor=personas.officer,
        data=records.RecordFields(data_source="企业年度报告和信息共享平台数据"),
    )
    record_finish.finish_record(db, task=b.task, actor=personas.officer)
    assert b.task.status == "done"


def test_checklist_line_of_another_task_is_refused(db: Session, personas: Personas) -> None:
    b = make_task(db)
    other = make_task(db)
    records.start_record(db, task=b.task, actor=personas.officer)
    with pytest.raises(InvalidInput):
        records.save_checklist(
            db,
            task=b.task,
            actor=personas.officer,
            results=[records.LineResult(other.lines[0].id, "ok")],
        )


def test_evidence_sha256_equals_the_upload(
    db: Session, personas: Personas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "var_dir", tmp_path)
    b = make_task(db)
    records.start_record(db, task=b.task, actor=personas.officer)
    content = b"\x89PNG fake photo of the workshop " * 1000
    ev = record_evidence.add_evidence_file(
        db, task=b.task, actor=personas.officer, filename="车间照片.png", stream=io.BytesIO(content)
    )
    assert ev.sha256 == hashlib.sha256(content).hexdigest()
    assert ev.size == len(content)
    stored = tmp_path / "evidence" / ev.sha256
    assert stored.read_bytes() == content
    video = record_evidence.add_evidence_external(
        db,
        task=b.task,
        actor=personas.officer,
        filename="执法记录仪.mp4",
        sha256="AB" * 32,
        uri="nas://kc-scjg/2026/0001.mp4",
    )
    assert video.kind == "external" and video.sha256 == "ab" * 32
    with pytest.raises(InvalidInput):
        record_evidence.add_evidence_external(
            db, task=b.task, actor=personas.officer, filename="x.mp4", sha256="xyz", uri="nas://x"
        )


def test_record_through_the_phone_page(
    db: Session, client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "var_dir", tmp_path)
    b = make_task(db)
    db.commit()
    task_id = b.task.id
    csrf = sign_in(client, "kc_scjg_zhang")
    url = f"/tasks/{task_id}/record"
    page = client.get(url)
    assert page.status_code == 200 and "开始检查" in page.text
    assert b.enterprise.name in page.text
    assert client.post(f"{url}/start", data={"csrf_token": csrf}).status_code == 200
    page = client.get(url)
    assert "五个严禁" in page.text and f"result_{b.lines[0].id}" in page.text
    form = {
        "csrf_token": csrf,
        "ids_shown": "1",
        "location": "车间",
        "present_person": "王经理",
        "findings": "",
        "outcome": "none",
        f"result_{b.lines[0].id}": "ok",
        f"result_{b.lines[1].id}": "na",
        f"note_{b.lines[1].id}": "无从业人员",
    }
    assert client.post(url, data=form).status_code == 200
    up = client.post(
        f"{url}/evidence",
        data={"csrf_token": csrf},
        files={"file": ("照片.jpg", b"jpeg-bytes", "image/jpeg")},
    )
    assert up.status_code == 200 and "已登记证据" in up.text
    refused = client.post(f"{url}/finish", data={"csrf_token": csrf})
    assert refused.status_code == 422 and "五个严禁" in refused.text
    attest = {f"attest_{i}": "1" for i in range(len(records.ATTESTATION))}
    done = client.post(f"{url}/finish", data={"csrf_token": csrf, **attest})
    assert done.status_code == 200 and "检查已完成" in done.text
    status = db.scalar(select(InspectionTask.status).where(InspectionTask.id == task_id))
    assert status == "done"


def test_record_api(db: Session, client: TestClient, personas: Personas) -> None:
    b = make_task(db)
    headers = bearer(db, personas.officer)
    base = f"/api/v1/tasks/{b.task.id}/record"
    assert client.get(base, headers=headers).json()["code_status"] == "valid"
    assert client.post(f"{base}/start", headers=headers).status_code == 200
    body = {"ids_shown": True, "present_person": "王经理", "outcome": "none"}
    assert client.put(base, json=body, headers=headers).json()["ids_shown"] is True
    results = [{"line_id": line.id, "result": "ok", "note": ""} for line in b.lines]
    resp = client.put(f"{base}/checklist", json={"results": results}, headers=headers)
    assert len(resp.json()["checklist"]) == 2
    refused = client.post(f"{base}/finish", headers=headers)
    assert refused.status_code == 422
    assert refused.json()["error"] == "rule_violation"
    assert {v["rule_id"] for v in refused.json()["violations"]} == {"B5 FIVE-BANS"}
    client.put(base, json={"attested": True}, headers=headers)
    done = client.post(f"{base}/finish", headers=headers)
    assert done.status_code == 200, done.text
    assert "token" not in done.text  # the evaluation token never reaches the officer
    other = bearer(db, personas.other_officer)
    assert client.get(base, headers=other).status_code == 404


def test_api_upload_evidence(
    db: Session,
    client: TestClient,
    personas: Personas,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "var_dir", tmp_path)
    b = make_task(db)
    records.start_record(db, task=b.task, actor=personas.officer)
    headers = bearer(db, personas.officer)
    content = b"%PDF-1.4 inspection notice"
    resp = client.post(
        f"/api/v1/tasks/{b.task.id}/record/evidence",
        files={"file": ("通知书.pdf", content, "application/pdf")},
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["sha256"] == hashlib.sha256(content).hexdigest()
    assert resp.json()["size"] == len(content)


def test_evaluations_module_is_linked(db: Session, personas: Personas) -> None:
    b = make_task(db)
    token = finish(db, b, personas.officer)
    ctx = evaluations.evaluation_context(db, token=token)
    assert ctx.task.id == b.task.id
