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


# --- audit verify --rows: the chain vouches for the business rows ---------------------------


def _user_id(db: Session, username: str) -> int:
    from wurao.auth.models import User

    found = db.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


def test_rows_written_through_the_platform_verify(db: Session, personas: Personas) -> None:
    from wurao.auth.models import ApiToken

    _new_user(db, personas, "rows_a")
    token, _raw = auth_service.create_api_token(db, actor=personas.officer, name="测试")
    db.flush()
    # bookkeeping columns (__audit_ignore_columns__) change without an entry, legitimately
    db.execute(
        update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=token.created_at)
    )
    result = audit.verify_rows(db)
    assert result.ok, [f.message for f in result.findings]
    assert result.checked >= 2


def test_a_direct_update_and_delete_are_reported_exactly(db: Session, personas: Personas) -> None:
    from wurao.auth.models import User

    for name in ("rows_b", "rows_c", "rows_d"):
        _new_user(db, personas, name)
    assert audit.verify_rows(db).ok
    changed, gone = _user_id(db, "rows_b"), _user_id(db, "rows_c")
    db.execute(update(User).where(User.id == changed).values(display_name="库里直接改的"))
    db.execute(delete(User).where(User.id == gone))
    db.expire_all()
    result = audit.verify_rows(db)
    found = sorted((f.table, f.object_id, f.kind) for f in result.findings)
    assert found == sorted(
        [("app_user", str(changed), "changed"), ("app_user", str(gone), "deleted")]
    )
    assert "在平台之外被改动" in next(f for f in result.findings if f.kind == "changed").message


def test_a_platform_write_after_an_outside_change_still_reports_it(
    db: Session, personas: Personas
) -> None:
    """The next service write snapshots the altered row as its 'before': that contradiction
    is kept, so writing over a tampered row through the platform does not launder it."""
    from wurao.auth.models import User

    _new_user(db, personas, "rows_e")
    uid = _user_id(db, "rows_e")
    db.execute(update(User).where(User.id == uid).values(display_name="库里直接改的"))
    db.expire_all()
    user = db.get(User, uid)
    assert user is not None
    before = audit.snapshot(user)
    user.is_active = False
    audit.record(db, actor=personas.admin, action="user.deactivate", obj=user, before=before)
    found = [(f.table, f.object_id) for f in audit.verify_rows(db).findings]
    assert found == [("app_user", str(uid))]


def test_cli_verify_rows_exits_1_on_a_changed_row(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from wurao.auth.models import User
    from wurao.cli import app
    from wurao.core import db as core_db
    from wurao.core import migrate
    from wurao.core.db import make_engine
    from wurao.demo.seed import seed_foundation

    url = f"sqlite:///{tmp_path / 'rows.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        seed_foundation(session)
        session.commit()
    monkeypatch.setattr(core_db, "get_engine", lambda url=None: engine)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify", "--rows"])
    assert ok.exit_code == 0, ok.output
    assert "业务数据与审计记录一致" in ok.output
    with engine.begin() as conn:
        uid = conn.scalar(select(User.id).where(User.username == "kc_sfj"))
        conn.execute(update(User).where(User.id == uid).values(region_code="330803"))
    bad = runner.invoke(app, ["audit", "verify", "--rows"])
    assert bad.exit_code == 1
    assert f"app_user #{uid}" in bad.output and "发现 1 行" in bad.output
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0  # the chain itself is intact
    engine.dispose()
