"""Online backup and restore of the whole database, with the audit chain checked afterwards.

SQLite is copied page by page through the sqlite3 backup API (``Connection.backup``), which
gives a consistent copy while the platform keeps running. PostgreSQL is dumped with
``pg_dump -Fc`` (one consistent snapshot) and restored with ``pg_restore``; both binaries come
from the PostgreSQL client package (Debian: ``postgresql-client``). A restore refuses to
overwrite a database that holds data unless forced, and ends by verifying the audit chain of
what it restored (docs/operations.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from wurao.core import audit
from wurao.core.db import make_engine
from wurao.core.errors import DomainError
from wurao.core.models import AuditHead

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
_BOOKKEEPING = frozenset({"alembic_version"})


class BackupError(DomainError):
    """A backup or restore that cannot be done; the message says why, in Chinese."""

    status_code = 409
    code = "backup_error"


@dataclass(frozen=True)
class RestoreResult:
    """What a restore brought back, and whether its audit chain holds."""

    tables: int
    rows: int
    audit_seq: int
    audit_hash: str
    chain: audit.VerifyResult


def _is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存中的 SQLite 数据库无法备份或恢复。")
    return Path(url.database)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"未找到 {name}：PostgreSQL 数据库的备份与恢复需要 PostgreSQL 客户端程序"
            f"（Debian/Ubuntu：apt-get install postgresql-client，版本不低于服务器）。"
        )
    return found


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password goes in the environment."""
    args = ["--dbname", url.database or "postgres"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    # the tool's path comes from shutil.which, the arguments from the configured URL
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tool = Path(command[0]).name
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{tool} 执行失败：{detail[-1] if detail else done.returncode}")


def _sqlite_copy(source: Path, dest: Path) -> None:
    """Copy a whole SQLite database through the backup API (consistent while in use)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(dest)) as out:
        src.backup(out)


def backup(url: str, dest: Path, *, overwrite: bool = False) -> Path:
    """Write a consistent copy of the database at ``url`` to ``dest``."""
    parsed = make_url(url)
    if dest.exists() and not overwrite:
        raise BackupError(f"备份文件 {dest} 已存在；如需覆盖请加 --force。")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if _is_sqlite(parsed):
            source = _sqlite_path(parsed)
            if not source.exists():
                raise BackupError(f"数据库文件 {source} 不存在。")
            _sqlite_copy(source, partial)
        else:
            args, env = _pg_args(parsed)
            _run([_pg_tool("pg_dump"), "--format=custom", "--file", str(partial), *args], env)
        partial.replace(dest)
    finally:
        partial.unlink(missing_ok=True)
    return dest


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows per table (the migrations' bookkeeping aside), for comparing two databases."""
    names = sorted(set(inspect(engine).get_table_names()) - _BOOKKEEPING)
    with engine.connect() as conn:
        return {
            name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())  # noqa: S608 - names from the schema
            for name in names
        }


def holds_data(engine: Engine) -> bool:
    """Whether any table (the migrations' bookkeeping aside) has a row."""
    names = sorted(set(inspect(engine).get_table_names()) - _BOOKKEEPING)
    with engine.connect() as conn:
        return any(
            conn.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() is not None  # noqa: S608 - names from the schema
            for name in names
        )


def _kind_of(source: Path) -> str:
    with source.open("rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{source} 不是本平台的备份文件（既非 SQLite 数据库，也非 pg_dump 归档）。")


def restore(url: str, source: Path, *, force: bool = False) -> RestoreResult:
    """Replace the database at ``url`` with the backup ``source``; then verify its audit chain."""
    parsed = make_url(url)
    if not source.is_file():
        raise BackupError(f"备份文件 {source} 不存在。")
    kind = _kind_of(source)
    target = "sqlite" if _is_sqlite(parsed) else "postgresql"
    if kind != target:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"备份文件是 {names[kind]} 备份，目标数据库是 {names[target]}，不能直接恢复。"
        )
    engine = make_engine(url)
    try:
        if _is_sqlite(parsed):
            path = _sqlite_path(parsed)
            path.parent.mkdir(parents=True, exist_ok=True)
        if not force and holds_data(engine):
            raise BackupError("目标数据库已有数据；确认要用备份覆盖它时，请加 --force。")
        engine.dispose()
        if _is_sqlite(parsed):
            _sqlite_copy(source, _sqlite_path(parsed))
        else:
            args, env = _pg_args(parsed)
            _run(
                [
                    _pg_tool("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    *args,
                    str(source),
                ],
                env,
            )
        counts = table_counts(engine)
        with Session(engine) as session:
            chain = audit.verify_chain(session)
            head = session.scalar(select(AuditHead).where(AuditHead.id == 1))
        return RestoreResult(
            tables=len(counts),
            rows=sum(counts.values()),
            audit_seq=head.last_seq if head else 0,
            audit_hash=head.last_hash if head else audit.GENESIS_HASH,
            chain=chain,
        )
    finally:
        engine.dispose()
