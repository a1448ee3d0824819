"""SQLite's write-ahead log is copied into the database by a background thread, not in the
commit of a writer holding its turn (core/db.py ``WalCheckpointer``, #18)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from wurao.core.db import WalCheckpointer, make_engine, session_scope, wal_checkpointer

ROWS = 3_000  # about 1 500 pages of 4 KiB: past SQLite's own threshold of 1 000


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    return tmp_path / "log.sqlite3"


def _engine(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER, pad TEXT)"))
    return engine


def _write(engine: Engine, transactions: int = 30) -> None:
    per = ROWS // transactions
    for k in range(transactions):
        with session_scope(engine) as s:
            s.execute(
                text("INSERT INTO t VALUES (:n, :pad)"),
                [{"n": k * per + i, "pad": "x" * 2000} for i in range(per)],
            )


def _rows_in_the_database_file(path: Path, tmp: Path) -> int:
    """The rows the database file holds by itself, without its log (a copy of the file
    alone, opened read-only)."""
    alone = tmp / "alone.sqlite3"
    alone.write_bytes(path.read_bytes())
    with sqlite3.connect(f"file:{alone}?mode=ro", uri=True) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM t").fetchone()[0])
        except sqlite3.OperationalError:  # the table itself is still only in the log
            return 0


def test_a_commit_does_not_copy_the_log(
    sqlite_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WalCheckpointer, "written", lambda self: None)  # no thread
    engine = _engine(sqlite_file)
    _write(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
    # SQLite's own checkpoint would have copied past 1 000 pages of log in a commit
    assert _rows_in_the_database_file(sqlite_file, tmp_path) == 0
    engine.dispose()


def test_the_checkpointer_copies_the_log_after_the_commits(
    sqlite_file: Path, tmp_path: Path
) -> None:
    engine = _engine(sqlite_file)
    checkpointer = wal_checkpointer(engine)
    assert checkpointer is not None
    checkpointer.idle = 0.5  # the thread ends soon after the last commit
    _write(engine)
    thread = checkpointer._thread
    assert thread is not None
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert _rows_in_the_database_file(sqlite_file, tmp_path) == ROWS
    engine.dispose()


def test_no_checkpointer_for_a_database_in_memory() -> None:
    assert wal_checkpointer(make_engine("sqlite://")) is None
