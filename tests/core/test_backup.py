"""Backup and restore on both databases: the restored copy has the same rows and audit head,
its chain verifies, and a database holding data is only overwritten when forced."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.conftest import DB_PREFIX, fresh_database_url
from wurao.auth import service as auth_service
from wurao.auth.permissions import Role
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import backup, migrate
from wurao.core.db import make_engine
from wurao.core.models import AuditEntry, AuditHead
from wurao.demo.seed import seed_foundation


def _populated(url: str) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        seed_foundation(session)
        for n in range(3):
            auth_service.create_user(
                session,
                actor=SYSTEM_ACTOR,
                data=auth_service.NewUser(
                    username=f"backup_{n}",
                    display_name=f"备份测试{n}",
                    password="Passw0rd!x",
                    role=Role.SUPERVISOR,
                    region_code="330802",
                ),
            )
        session.commit()
    engine.dispose()


def _head(url: str) -> tuple[int, str]:
    engine = make_engine(url)
    with Session(engine) as session:
        head = session.scalar(select(AuditHead))
        assert head is not None
        out = (head.last_seq, head.last_hash)
    engine.dispose()
    return out


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_backup_then_restore_into_a_fresh_database(kind: str, tmp_path: Path) -> None:
    source = fresh_database_url(kind, tmp_path, f"{DB_PREFIX}_bk_src")
    target = fresh_database_url(kind, tmp_path, f"{DB_PREFIX}_bk_dst")
    _populated(source)
    file = backup.backup(source, tmp_path / f"wurao.{kind}.backup")
    with pytest.raises(backup.BackupError, match="已存在"):
        backup.backup(source, file)

    result = backup.restore(target, file)

    src_engine, dst_engine = make_engine(source), make_engine(target)
    counts = backup.table_counts(src_engine)
    assert counts["app_user"] >= 3 and counts["audit_entry"] > 0
    assert backup.table_counts(dst_engine) == counts
    assert (result.audit_seq, result.audit_hash) == _head(source) == _head(target)
    assert result.chain.ok and result.chain.checked == result.audit_seq
    assert result.rows == sum(counts.values())

    # the restored database holds data now: a second restore needs --force
    with pytest.raises(backup.BackupError, match="--force"):
        backup.restore(target, file)
    with dst_engine.begin() as conn:  # tamper with the restored copy, then force it back
        conn.execute(update(AuditEntry).where(AuditEntry.seq == 1).values(summary="改过"))
    again = backup.restore(target, file, force=True)
    assert again.chain.ok and backup.table_counts(dst_engine) == counts
    src_engine.dispose()
    dst_engine.dispose()


def test_restore_reports_a_broken_chain(tmp_path: Path) -> None:
    source = fresh_database_url("sqlite", tmp_path, "broken_src")
    _populated(source)
    engine = make_engine(source)
    with engine.begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(summary="改过"))
    engine.dispose()
    file = backup.backup(source, tmp_path / "broken.backup")
    result = backup.restore(fresh_database_url("sqlite", tmp_path, "broken_dst"), file)
    assert not result.chain.ok and result.chain.broken_seq == 2


def test_wrong_kind_of_file_and_missing_pg_dump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup")
    sqlite_url = fresh_database_url("sqlite", tmp_path, "kind")
    with pytest.raises(backup.BackupError, match="不是本平台的备份文件"):
        backup.restore(sqlite_url, junk)
    pg_dump = tmp_path / "dump.backup"
    pg_dump.write_bytes(backup.PG_DUMP_MAGIC + b"rest")
    with pytest.raises(backup.BackupError, match="PostgreSQL 备份"):
        backup.restore(sqlite_url, pg_dump)
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(backup.BackupError, match=r"未找到 pg_dump.*postgresql-client"):
        backup.backup("postgresql://u:p@127.0.0.1:5432/none", tmp_path / "x.backup")
