"""The field page's sync: idempotent per client id, conflicts reported and never overwritten,
and the online path's rules (A4 无码不查 and its late window, B2/B3/B5) on what was filled
offline."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.inspections.test_records import Built, make_task
from wurao.core.config import get_settings
from wurao.core.time import utcnow
from wurao.inspections import field_sync, records
from wurao.inspections.field_models import FieldSyncItem
from wurao.inspections.models import Evidence, InspectionRecord

PHOTO = b"\xff\xd8\xff\xe0 a photo taken in the basement"


@pytest.fixture(autouse=True)
def _evidence_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "var_dir", tmp_path)


def coded(db: Session) -> Built:
    """A task whose code was issued yesterday."""
    b = make_task(db)
    assert b.code is not None
    b.code.issued_at = utcnow() - dt.timedelta(days=1)
    return b


def item(
    b: Built,
    *,
    client_id: str,
    revision: int = 1,
    base: str = "",
    present: str = "王经理（安全主管）",
    finish: bool = True,
    started: dt.datetime | None = None,
    photo: bytes | None = PHOTO,
    photo_id: str = "",
    sha: str | None = None,
) -> field_sync.RecordIn:
    """A record filled on the phone: every line 符合, 无问题, attested."""
    start = started or utcnow() - dt.timedelta(hours=1)
    files = []
    if photo is not None:
        files.append(
            field_sync.FileIn(
                photo_id or str(uuid.uuid4()),
                "现场照片.jpg",
                sha or hashlib.sha256(photo).hexdigest(),
                photo,
            )
        )
    return field_sync.RecordIn(
        client_id=client_id,
        revision=revision,
        task_id=b.task.id,
        base_version=base,
        started_at=start,
        completed_at=start + dt.timedelta(minutes=40) if finish else None,
        fields=records.RecordFields(
            location="生产车间",
            present_person=present,
            outcome="none",
            ids_shown=True,
            attested=True,
        ),
        lines=[records.LineResult(line.id, "ok") for line in b.lines],
        files=files,
    )


def _count(db: Session, model: type[object], *where: object) -> int:
    return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def test_a_retried_sync_writes_the_record_and_the_photo_once(
    db: Session, personas: Personas
) -> None:
    b = coded(db)
    sent = item(b, client_id=str(uuid.uuid4()), photo_id=str(uuid.uuid4()))
    first = field_sync.sync_batch(db, actor=personas.officer, items=[sent])
    assert [(a.kind, a.status) for a in first] == [("record", "applied"), ("file", "applied")], (
        first[0].message
    )
    assert first[0].finished and first[1].sha256 == hashlib.sha256(PHOTO).hexdigest()
    again = field_sync.sync_batch(db, actor=personas.officer, items=[sent])
    assert [(a.status, a.replayed) for a in again] == [("applied", True), ("applied", True)]
    assert again[0].version == first[0].version
    assert _count(db, InspectionRecord, InspectionRecord.task_id == b.task.id) == 1
    record = records.get_record(db, task=b.task)
    assert record is not None and record.finished_at is not None
    assert _count(db, Evidence, Evidence.record_id == record.id) == 1
    assert _count(db, FieldSyncItem, FieldSyncItem.task_id == b.task.id) == 2
    assert b.task.status == "done"


def test_the_record_keeps_the_times_the_phone_stated(db: Session, personas: Personas) -> None:
    b = coded(db)
    start = utcnow() - dt.timedelta(hours=3)
    (answer, _) = field_sync.sync_batch(
        db, actor=personas.officer, items=[item(b, client_id=str(uuid.uuid4()), started=start)]
    )
    record = records.get_record(db, task=b.task)
    assert answer.status == "applied" and record is not None
    assert record.started_at == start
    assert record.finished_at == start + dt.timedelta(minutes=40)


def test_a_conflict_is_reported_and_never_overwrites(db: Session, personas: Personas) -> None:
    b = coded(db)
    cid = str(uuid.uuid4())
    (first, _) = field_sync.sync_batch(
        db, actor=personas.officer, items=[item(b, client_id=cid, finish=False)]
    )
    assert first.status == "applied" and not first.finished
    # A colleague changes the record online meanwhile.
    records.update_record(
        db, task=b.task, actor=personas.officer,
        data=records.RecordFields(present_person="李主任（服务器上填写）"),
    )  # fmt: skip
    stale = item(b, client_id=cid, revision=2, base=first.version, present="本机填写", finish=False)
    answers = field_sync.sync_batch(db, actor=personas.officer, items=[stale])
    assert [a.status for a in answers] == ["conflict", "waiting"]
    assert answers[0].server is not None
    assert answers[0].server["present_person"] == "李主任（服务器上填写）"
    record = records.get_record(db, task=b.task)
    assert record is not None and record.present_person == "李主任（服务器上填写）"
    # The officer chose to keep the phone's version: a new revision on the server's version.
    mine = item(b, client_id=cid, revision=3, base=answers[0].version, present="本机填写")
    resolved = field_sync.sync_batch(db, actor=personas.officer, items=[mine])
    assert [a.status for a in resolved] == ["applied", "applied"]
    assert record.present_person == "本机填写" and record.finished_at is not None


def test_A4_no_start_without_a_valid_code(db: Session, personas: Personas) -> None:
    b = make_task(db, code_status="revoked")
    assert b.code is not None
    b.code.issued_at = utcnow() - dt.timedelta(days=1)
    answers = field_sync.sync_batch(
        db, actor=personas.officer, items=[item(b, client_id=str(uuid.uuid4()))]
    )
    assert [a.status for a in answers] == ["refused", "waiting"]
    assert "已撤销" in answers[0].message
    assert records.get_record(db, task=b.task) is None


def test_A4_not_before_the_code_was_issued(db: Session, personas: Personas) -> None:
    b = coded(db)
    early = utcnow() - dt.timedelta(hours=2)
    assert b.code is not None
    b.code.issued_at = early + dt.timedelta(hours=1)
    (answer, _) = field_sync.sync_batch(
        db, actor=personas.officer, items=[item(b, client_id=str(uuid.uuid4()), started=early)]
    )
    assert answer.status == "refused" and "早于行政行为码签发时间" in answer.message


def test_A4_late_window_counted_from_the_stated_completion(db: Session, personas: Personas) -> None:
    b = coded(db)
    assert b.code is not None
    long_ago = utcnow() - dt.timedelta(days=20)
    b.code.valid_from = (long_ago - dt.timedelta(days=1)).date()
    b.code.issued_at = long_ago - dt.timedelta(days=1)
    (answer, _) = field_sync.sync_batch(
        db, actor=personas.officer, items=[item(b, client_id=str(uuid.uuid4()), started=long_ago)]
    )
    assert answer.status == "refused"
    assert any("补录期限" in p for p in answer.problems)
    assert records.get_record(db, task=b.task) is None


def test_B3_an_incomplete_record_is_saved_but_not_finished(db: Session, personas: Personas) -> None:
    b = coded(db)
    sent = item(b, client_id=str(uuid.uuid4()))
    sent = field_sync.RecordIn(**{**sent.__dict__, "lines": sent.lines[:1]})
    (answer, photo) = field_sync.sync_batch(db, actor=personas.officer, items=[sent])
    assert answer.status == "saved" and not answer.finished
    assert any("未填写" in p for p in answer.problems)
    assert photo.status == "applied"
    record = records.get_record(db, task=b.task)
    assert record is not None and record.present_person and record.finished_at is None


def test_a_photo_whose_hash_differs_is_refused(db: Session, personas: Personas) -> None:
    b = coded(db)
    sent = item(b, client_id=str(uuid.uuid4()), sha="0" * 64, finish=False)
    (_, photo) = field_sync.sync_batch(db, actor=personas.officer, items=[sent])
    assert photo.status == "refused" and "SHA-256" in photo.message
    record = records.get_record(db, task=b.task)
    assert record is not None
    assert _count(db, Evidence, Evidence.record_id == record.id) == 0


def test_another_officer_cannot_sync_the_task(db: Session, personas: Personas) -> None:
    b = coded(db)
    (answer, _) = field_sync.sync_batch(
        db, actor=personas.other_officer, items=[item(b, client_id=str(uuid.uuid4()))]
    )
    assert answer.status == "refused"
    assert records.get_record(db, task=b.task) is None
