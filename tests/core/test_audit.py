"""The audit chain: appended on every service write, tamper-evident, guarded at commit."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.conftest import Personas
from wurao.auth import service as auth_service
from wurao.auth.permissions import Role
from wurao.core import audit
from wurao.core.models import AuditEntry
from wurao.registry.models import EnforcementSubject


def _new_user(db: Session, personas: Personas, name: str) -> None:
    auth_service.create_user(
        db,
        actor=personas.admin,
        data=auth_service.NewUser(
            username=name,
            display_name=name,
            password="Passw0rd!x",
            role=Role.SUPERVISOR,
            region_code="330802",
        ),
    )


def test_each_service_write_appends_a_linked_entry(db: Session, personas: Personas) -> None:
    before = audit.count_entries(db)
    _new_user(db, personas, "audit_a")
    _new_user(db, personas, "audit_b")
    entries = db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(2)).all()
    assert audit.count_entries(db) == before + 2
    newest, previous = entries
    assert newest.action == "user.create"
    assert newest.actor_name == personas.admin.display_name
    assert newest.prev_hash == previous.hash
    assert newest.before_digest is None
    assert newest.after_digest is not None
    assert audit.verify_chain(db).ok


def test_editing_one_row_is_found_at_that_row(db: Session, personas: Personas) -> None:
    _new_user(db, personas, "audit_c")
    _new_user(db, personas, "audit_d")
    target = db.scalar(select(func.max(AuditEntry.seq))) - 1  # type: ignore[operator]
    db.execute(update(AuditEntry).where(AuditEntry.seq == target).values(summary="改过了"))
    db.expire_all()
    result = audit.verify_chain(db)
    assert not result.ok
    assert result.broken_seq == target
    assert result.checked == target - 1


def test_deleting_a_row_is_found(db: Session, personas: Personas) -> None:
    _new_user(db, personas, "audit_e")
    _new_user(db, personas, "audit_f")
    last = db.scalar(select(func.max(AuditEntry.seq)))
    assert last is not None
    db.execute(delete(AuditEntry).where(AuditEntry.seq == last - 1))
    result = audit.verify_chain(db)
    assert not result.ok
    assert result.broken_seq == last - 1


def test_deleting_the_newest_row_is_found_through_the_head(db: Session, personas: Personas) -> None:
    _new_user(db, personas, "audit_g")
    last = db.scalar(select(func.max(AuditEntry.seq)))
    db.execute(delete(AuditEntry).where(AuditEntry.seq == last))
    result = audit.verify_chain(db)
    assert not result.ok
    assert result.broken_seq == last


def test_a_write_without_its_entry_cannot_commit(db: Session) -> None:
    subject = db.scalar(select(EnforcementSubject).limit(1))
    assert subject is not None
    subject.name = subject.name + "（改名）"
    with pytest.raises(audit.AuditMissing):
        db.commit()


def test_cli_verify_reports_success_and_breakage(engine, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from wurao.cli import app
    from wurao.core import db as core_db

    monkeypatch.setattr(core_db, "get_engine", lambda url=None: engine)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "审计链完整" in ok.output
    with engine.begin() as conn:
        seq = conn.scalar(select(func.min(AuditEntry.seq)))
        original = conn.scalar(select(AuditEntry.summary).where(AuditEntry.seq == seq))
        conn.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(summary="tampered"))
    try:
        bad = runner.invoke(app, ["audit", "verify"])
        assert bad.exit_code == 1
        assert f"第 {seq} 条" in bad.output
    finally:
        with engine.begin() as conn:
            conn.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(summary=original))
