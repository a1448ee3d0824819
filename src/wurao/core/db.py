"""Database engine, sessions and the declarative base.

One request (or one CLI command) is one transaction, opened and committed at the edge
(`session_scope`); services only ``flush()``. SQLite runs in WAL mode with foreign keys on;
write transactions on SQLite start with ``BEGIN IMMEDIATE`` so that two writers serialise
instead of failing on a stale snapshot (see docs/adr/0003-transactions-and-locking.md), a
process's writers queue for that lock in turn (``WriterQueue``) instead of in SQLite's busy
handler, and the write-ahead log is copied into the database by a background thread
(``WalCheckpointer``), not inside a writer's turn (docs/benchmarks-writes.md).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import sqlite3
import threading
import time
import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from wurao.core.config import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always returned timezone-aware (UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        value = value.astimezone(dt.UTC)
        # SQLite keeps no zone: store naive UTC there.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base for every table; constraint names follow NAMING_CONVENTION."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime()}


class WriterQueue:
    """A first-come, first-served lock for one process's SQLite writers.

    SQLite's busy handler lets a writer that finds the database locked sleep and retry, with
    sleeps growing to 100 ms; a writer that arrives as the lock is released takes it ahead of
    the sleepers, so under steady writes one of them can wait for seconds (#18: a p99 of
    11 s at 16 clients with a median of 80 ms). Here the process's writers wait in line and
    each is handed the lock by the one before it. Between processes (uvicorn workers, a CLI
    command) the first writer in each line takes a lock file beside the database
    (``flock``), so they too wait in the kernel and are woken when it is released. A writer
    that waited its ``busy_timeout`` in line goes on to SQLite's lock as before: the queue
    only orders writers, SQLite's lock still guards the data.
    """

    def __init__(self, path: str | None = None) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Lock] = deque()
        self._path = path  # the lock file shared with other processes; None: this one only
        self._fd: int | None = None
        self._pid = 0
        self._file_held = False

    def _between_processes(self, *, wait: bool) -> None:
        if self._path is None:
            return
        if self._fd is None or self._pid != os.getpid():  # opened again in a forked worker
            self._fd, self._pid = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
            weakref.finalize(self, os.close, self._fd)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._file_held = True
        except BlockingIOError:
            pass  # a write that must not wait: SQLite's lock answers it

    def acquire(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for this writer's turn; whether it came."""
        if self._take_turn(timeout):
            self._between_processes(wait=timeout > 0)
            return True
        return False

    def _take_turn(self, timeout: float) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            if timeout <= 0:
                return False
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        if turn.acquire(timeout=timeout):
            return True
        with self._mutex:
            if turn in self._waiting:
                self._waiting.remove(turn)
                return False
        return True  # handed over just as the wait ran out: the turn is ours

    @property
    def held(self) -> bool:
        """Whether a writer of this process holds the lock."""
        return self._held

    def release(self) -> None:
        """Hand the lock to the next writer in line, or free it."""
        with self._mutex:
            if self._file_held and self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                self._file_held = False
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._held = False


class WalCheckpointer:
    """Copies a SQLite database's write-ahead log into the database file, outside the writers'
    line.

    SQLite checkpoints in the ``COMMIT`` of the writer whose commit takes the log past 1 000
    pages (``wal_autocheckpoint``), while that writer still holds its turn: every writer behind
    it waits for the copy and its ``fsync`` (#18: one public report in 32 committed in 17 ms
    instead of 0.2 ms, in process; the record save, one in 100). Here the engine's connections
    do not checkpoint; after a commit, a thread of the process runs a ``PASSIVE`` checkpoint,
    which waits for no reader or writer (SQLite's ``PRAGMA wal_checkpoint``), at most once every
    ``interval`` seconds. The thread ends after ``idle`` seconds without a commit and starts
    again at the next.
    """

    def __init__(self, path: str, *, interval: float = 0.2, idle: float = 5.0) -> None:
        self.path = path
        self.interval = interval
        self.idle = idle
        self._due = threading.Event()
        self._mutex = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def written(self) -> None:
        """A transaction committed: checkpoint soon (a forked worker starts its own thread)."""
        self._due.set()
        with self._mutex:
            if self._thread is None or self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._run, name="wurao-wal-checkpoint", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        # A connection for each checkpoint: none stays open to hinder a change of journal
        # mode (registry/imports/bulk.py), and a database removed is not created again.
        uri = Path(self.path).resolve().as_uri() + "?mode=rw"
        while True:
            if not self._due.wait(timeout=self.idle):
                with self._mutex:
                    if not self._due.is_set():
                        self._thread = None
                        return
            time.sleep(self.interval)  # the commit that called finishes; a few gather
            self._due.clear()
            # an error (e.g. busy elsewhere) leaves the log for the next checkpoint
            with (
                suppress(sqlite3.Error),
                closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as conn,
            ):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


_IN_LINE = "wurao_writer_turn"  # set in a pooled connection's info while it holds the turn
_QUEUES: weakref.WeakKeyDictionary[Engine, WriterQueue] = weakref.WeakKeyDictionary()
_CHECKPOINTERS: weakref.WeakKeyDictionary[Engine, WalCheckpointer] = weakref.WeakKeyDictionary()


def writer_queue(engine: Engine) -> WriterQueue | None:
    """The writers' queue of a SQLite engine (None for PostgreSQL)."""
    return _QUEUES.get(engine)


def wal_checkpointer(engine: Engine) -> WalCheckpointer | None:
    """The log's checkpointer of a SQLite engine on disk (None in memory and for PostgreSQL)."""
    return _CHECKPOINTERS.get(engine)


def _install_sqlite_hooks(engine: Engine) -> None:
    database = engine.url.database or ""
    on_disk = database not in ("", ":memory:") and not database.startswith("file:")
    queue = _QUEUES[engine] = WriterQueue(f"{database}-writers" if on_disk else None)
    checkpointer = WalCheckpointer(database) if on_disk else None
    if checkpointer is not None:
        _CHECKPOINTERS[engine] = checkpointer

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        if checkpointer is not None:  # the checkpointer's thread copies the log, not a commit
            cur.execute("PRAGMA wal_autocheckpoint=0")
        cur.close()

    if checkpointer is not None:
        # after a transaction of the engine, and when a connection comes back to the pool
        # (a raw connection's own commits do not pass through the engine)
        event.listen(engine, "commit", lambda *_: checkpointer.written())
        event.listen(engine, "checkin", lambda *_: checkpointer.written())

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        pooled = conn.connection
        if mode == "IMMEDIATE" and not pooled.info.get(_IN_LINE):
            # As patient as SQLite would be: the connection's busy_timeout (0 for a write
            # that must not wait, e.g. marking a token's use).
            raw: Any = pooled.driver_connection
            if queue.acquire(timeout=raw.execute("PRAGMA busy_timeout").fetchone()[0] / 1000):
                pooled.info[_IN_LINE] = True
        conn.exec_driver_sql(f"BEGIN {mode}")

    # The turn passes on when the connection goes back to the pool (right after the commit
    # or rollback that ends a request's or a command's transaction), or is thrown away.
    def _pass_turn(_dbapi_conn: Any, entry: ConnectionPoolEntry, *_: Any) -> None:
        if entry.info.pop(_IN_LINE, False):
            queue.release()

    for name in ("checkin", "invalidate", "detach"):
        event.listen(engine, name, _pass_turn)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine with the project's settings for SQLite or PostgreSQL."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _install_sqlite_hooks(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """Return the process-wide engine for ``url`` (default: the configured database)."""
    settings = get_settings()
    return make_engine(url or settings.resolved_database_url(), echo=settings.sql_echo)


def session_factory(engine: Engine, *, write: bool = True) -> sessionmaker[Session]:
    """Return a session factory; ``write`` sessions take SQLite's write lock up front."""
    bind = engine.execution_options(sqlite_begin="IMMEDIATE") if write else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=True)


@contextmanager
def session_scope(engine: Engine | None = None, *, write: bool = True) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    factory = session_factory(engine or get_engine(), write=write)
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def is_postgresql(session: Session) -> bool:
    """Whether the session is bound to PostgreSQL."""
    return session.get_bind().dialect.name == "postgresql"


def insert_for(session: Session, table: Any) -> Any:
    """An INSERT in the session's dialect, which offers ON CONFLICT (PostgreSQL and SQLite)."""
    from sqlalchemy.dialects import postgresql, sqlite

    return (postgresql.insert if is_postgresql(session) else sqlite.insert)(table)
