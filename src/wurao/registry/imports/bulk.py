"""Bulk load of the enterprise registry (检查对象名录库) into an empty or nearly empty table.

Millions of rows, in bounded memory, outside the ORM: PostgreSQL ``COPY … FROM STDIN``
through psycopg; SQLite ``executemany`` in batches inside one transaction. With
``defer_indexes`` the table's secondary indexes (and on SQLite the triggers that keep the
name-search table ``enterprise_name_fts`` in step) are dropped first and rebuilt after the
load, which is faster than keeping them (docs/benchmarks.md, "Index rebuild after the load"):

* SQLite fills the search table batch by batch during the load (``INSERT … SELECT`` of the
  batch's rows) instead of FTS5's ``'rebuild'`` afterwards: one FTS5 statement over ten
  million rows grows its in-memory term list far beyond the CPU caches and runs about three
  times slower than the same work in batches of 50 000 rows.
* PostgreSQL: the rows are made and written as COPY text by a forked process while the
  server ingests them; the foreign keys are dropped too and added back after (their per-row
  trigger was 60 % of the server's COPY); the indexes are rebuilt on one connection a core,
  a unique constraint as its index then attached (docs/benchmarks.md, "PostgreSQL at 10 M").
  Into an empty table (and empty tables referencing it) the rows are copied ``FREEZE`` after
  a ``TRUNCATE`` in the same transaction: the pages are written all-visible, so a county's
  name search is an index-only scan from the first query instead of after a vacuum
  (``_pg_truncated``; docs/benchmarks.md, "County scope on PostgreSQL: index-only").

The rollback journal stays on during the SQLite load: rows appended to an empty table are
written to new pages, which the journal does not copy, so ``journal_mode=OFF`` would save
little and would lose the rollback a failed load relies on.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from queue import Empty, SimpleQueue
from typing import Any

from sqlalchemy import Engine

from wurao.core.db import make_engine

Progress = Callable[[str, int, int], None]

SEARCH_TABLE = "enterprise_name_fts"  # migration 0003_enterprise_search, SQLite only
_PG_MAINTENANCE_MEM = "1GB"  # per rebuilding connection (one a core): the sorts of 10⁷ keys fit
_COPY_BLOCK = 5_000  # rows per block of COPY text from the generating process


def _sqlite_deferred(cur: Any) -> tuple[list[str], bool]:
    """Drop the secondary indexes and the search triggers; return their DDL and whether the
    search table must be filled by the loader."""
    cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name = 'enterprise' AND sql IS NOT NULL"
    )
    indexes = list(cur.fetchall())
    cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'enterprise'"
    )
    triggers = list(cur.fetchall())
    for name, _sql in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    for name, _sql in triggers:
        cur.execute(f'DROP TRIGGER "{name}"')
    cur.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (SEARCH_TABLE,))
    has_search = cur.fetchone() is not None
    return [sql for _n, sql in indexes] + [sql for _n, sql in triggers], has_search


def _pg_deferred(cur: Any) -> tuple[list[str], list[str]]:
    """Drop the unique constraints, the foreign keys and the secondary indexes of the table;
    return the DDL that rebuilds them: the index builds, then the statements that finish.

    * A unique constraint comes back as its index, built like the others, then attached
      (``ADD CONSTRAINT … UNIQUE USING INDEX``): ``ADD CONSTRAINT … UNIQUE`` itself takes
      an ``ACCESS EXCLUSIVE`` lock and would wait for, or hold up, every other build.
    * A foreign key (region_code → region) is checked once over the loaded table when it is
      added back, instead of by a trigger for each row copied: 60 % of the server's COPY
      time (500 000 rows: 21 µs a row with it, 8.4 without; docs/benchmarks.md).
    The primary key stays: ids come in order, so its index only grows at its right edge."""
    cur.execute(
        "SELECT conname, contype, condeferrable, pg_get_constraintdef(oid), "
        "pg_get_indexdef(conindid) FROM pg_constraint "
        "WHERE conrelid = 'enterprise'::regclass AND contype IN ('u', 'f') ORDER BY conname"
    )
    constraints = list(cur.fetchall())
    builds: list[str] = []
    finish: list[str] = []
    for name, kind, deferrable, definition, index in constraints:
        cur.execute(f'ALTER TABLE enterprise DROP CONSTRAINT "{name}"')
        if kind == "u" and not deferrable:
            builds.append(index)
            finish.append(
                f'ALTER TABLE enterprise ADD CONSTRAINT "{name}" UNIQUE USING INDEX "{name}"'
            )
        else:
            finish.append(f'ALTER TABLE enterprise ADD CONSTRAINT "{name}" {definition}')
    cur.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'enterprise' "
        "AND i.schemaname = current_schema() AND i.indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = 'enterprise'::regclass) "
        "ORDER BY i.indexname"
    )
    for name, definition in list(cur.fetchall()):
        cur.execute(f'DROP INDEX "{name}"')
        builds.append(definition)
    builds.sort(key=lambda d: " USING gin " not in d)  # the longest first
    return builds, finish


def _pg_truncated(cur: Any) -> bool:
    """TRUNCATE the enterprise table if it is empty, so that ``COPY … FREEZE`` may write its
    rows frozen and all-visible (PostgreSQL requires the table created or truncated in the
    same transaction; from version 14 it then sets the visibility map's bits). TRUNCATE must
    name every table that references it, directly or through another: only when all of them
    are empty too, checked under a lock that keeps writers out until the truncation, is it
    done; otherwise nothing is, the locks are let go (a savepoint) and the load copies as
    usual. Returns whether it truncated."""
    cur.execute(
        "WITH RECURSIVE refs(oid) AS (SELECT 'enterprise'::regclass::oid UNION "
        "SELECT c.conrelid FROM pg_constraint c JOIN refs r ON c.confrelid = r.oid "
        "WHERE c.contype = 'f') SELECT oid::regclass::text FROM refs ORDER BY 1"
    )
    names = [name for (name,) in cur.fetchall()]  # quoted by regclass where need be
    tables = ", ".join(names)
    cur.execute("SAVEPOINT bulk_freeze")
    cur.execute(f"LOCK TABLE {tables} IN SHARE MODE")
    rows = " OR ".join(f"EXISTS (SELECT FROM {t})" for t in names)
    cur.execute(f"SELECT {rows}")
    if cur.fetchone()[0]:
        cur.execute("ROLLBACK TO SAVEPOINT bulk_freeze")
        cur.execute("RELEASE SAVEPOINT bulk_freeze")
        return False
    cur.execute(f"TRUNCATE {tables}")
    cur.execute("RELEASE SAVEPOINT bulk_freeze")
    return True


def _pg_rebuild(engine: Engine, builds: list[str], finish: list[str]) -> dict[str, float]:
    """Build the indexes on one connection a core, each taking the next statement when it is
    done (the GIN index first: one process builds it, whatever
    ``max_parallel_maintenance_workers`` says, so the btrees get no parallel workers either,
    which would take the cores the others use); then run ``finish`` on one. Each statement
    is its own transaction: a unique index that fails leaves the others built and raises.
    Returns the seconds of each statement."""
    took: dict[str, float] = {}

    def queued(statements: list[str]) -> SimpleQueue[str]:
        todo: SimpleQueue[str] = SimpleQueue()
        for statement in statements:
            todo.put(statement)
        return todo

    def worker(todo: SimpleQueue[str]) -> None:
        raw = engine.raw_connection()
        try:
            con: Any = raw.driver_connection
            cur = con.cursor()
            cur.execute(f"SET maintenance_work_mem = '{_PG_MAINTENANCE_MEM}'")
            cur.execute("SET max_parallel_maintenance_workers = 0")
            while True:
                try:
                    statement = todo.get_nowait()
                except Empty:
                    return
                started = time.perf_counter()
                cur.execute(statement)
                con.commit()
                took[_ddl_name(statement)] = time.perf_counter() - started
        finally:
            raw.close()

    todo = queued(builds)
    lanes = max(1, min(len(builds), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=lanes) as pool:
        for future in [pool.submit(worker, todo) for _ in range(lanes)]:
            future.result()
    worker(queued(finish))
    return took


def _ddl_name(statement: str) -> str:
    """``build <index>`` or ``add <constraint>``, for the timings."""
    words = statement.replace('"', "").split()
    if words[0] == "CREATE":
        return "build " + words[words.index("INDEX") + 1]
    return "add " + words[words.index("CONSTRAINT") + 1]


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value: Any) -> str:
    """One value in COPY's text format (PostgreSQL docs, COPY, "Text Format")."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).translate(_COPY_ESCAPES)  # datetime: ISO 8601 with a space


def copy_text(rows: list[tuple[Any, ...]]) -> str:
    """``rows`` as the text of ``COPY … FROM STDIN``: one line each, fields split by tabs.

    Column by column, in C loops rather than a Python call per value: a text column with no
    tab, line break or backslash is taken as it is, any other is escaped; a column of other
    values (timestamps, ``None``) is written through a table of its distinct values."""
    columns: list[Sequence[str]] = []
    for col in zip(*rows, strict=True):
        try:
            joined = "".join(col)  # a TypeError: not all text
        except TypeError:
            text = {v: _copy_field(v) for v in set(col)}
            columns.append(list(map(text.__getitem__, col)))
            continue
        if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
            col = tuple(v.translate(_COPY_ESCAPES) for v in col)
        columns.append(col)
    return "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n" if rows else ""


def _feed(rows: Iterator[tuple[Any, ...]], fd: int) -> None:
    """In the forked child: turn ``rows`` into COPY text, block by block, into the pipe.

    The cyclic garbage collector is off: the rows make no cycles, and its passes over the
    objects inherited from the parent cost about a third of the generation time (measured).
    """
    gc.disable()
    with os.fdopen(fd, "wb") as out:
        while chunk := list(islice(rows, _COPY_BLOCK)):
            out.write(copy_text(chunk).encode())


def _pg_copy(
    cur: Any, sql: str, rows: Iterator[tuple[Any, ...]], *, batch: int, total: int,
    progress: Progress | None,
) -> int:  # fmt: skip
    """``COPY`` the rows, generated and written as COPY text by a forked child process while
    this one relays its blocks to the server: the Python work of making the rows runs on one
    core while the server ingests them on the other. Where ``fork`` is missing, in turn."""
    if not hasattr(os, "fork"):
        with cur.copy(sql) as copy:
            while chunk := list(islice(rows, _COPY_BLOCK)):
                copy.write(copy_text(chunk).encode())
        return int(cur.rowcount)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no cleanup of the parent's objects, only its exit code
        code = 0
        try:
            os.close(read_fd)
            _feed(rows, write_fd)
        except BaseException:
            traceback.print_exc()
            code = 1
        os._exit(code)
    os.close(write_fd)
    done = mark = 0
    try:
        with os.fdopen(read_fd, "rb") as feed, cur.copy(sql) as copy:
            while block := feed.read(1 << 20):
                copy.write(block)
                done += block.count(b"\n")  # a line break inside a value is escaped
                if progress and done - mark >= batch:
                    mark = done
                    progress("enterprise", done, total)
            _pid, status = os.waitpid(pid, 0)
            pid = 0
            if status != 0:  # a failed generator: the COPY and the dropped indexes roll back
                raise RuntimeError(f"row generation failed (wait status {status})")
    finally:
        if pid:  # the COPY failed first: the child may still be generating
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
    if progress:
        progress("enterprise", done, total)
    return done


def _load_sqlite(
    cur: Any,
    sql: str,
    rows: Iterator[tuple[Any, ...]],
    *,
    batch: int,
    fill_search: bool,
    total: int,
    progress: Progress | None,
) -> int:
    fmt: dict[dt.datetime, str] = {}
    cur.execute("SELECT coalesce(max(id), 0) FROM enterprise")
    last = int(cur.fetchone()[0])
    done = 0
    while chunk := list(islice(rows, batch)):
        for i, r in enumerate(chunk):
            ts = r[-1]  # updated_at, stored as SQLAlchemy writes it
            s = fmt.get(ts) or fmt.setdefault(ts, ts.strftime("%Y-%m-%d %H:%M:%S.%f"))
            chunk[i] = (*r[:-1], s)
        cur.executemany(sql, chunk)
        if fill_search:
            cur.execute(
                f"INSERT INTO {SEARCH_TABLE}(rowid, name) "  # noqa: S608 - fixed names
                "SELECT id, name FROM enterprise WHERE id > ?",
                (last,),
            )
            cur.execute("SELECT max(id) FROM enterprise")
            last = int(cur.fetchone()[0])
        done += len(chunk)
        if progress:
            progress("enterprise", done, total)
    return done


def load_enterprises(
    url: str,
    rows: Iterator[tuple[Any, ...]],
    *,
    columns: tuple[str, ...],
    total: int,
    batch: int = 50_000,
    defer_indexes: bool = True,
    progress: Progress | None = None,
) -> dict[str, float]:
    """Bulk-load enterprise rows (``columns`` order; ``updated_at`` last): COPY on PostgreSQL,
    batched executemany in one transaction on SQLite.

    Returns the seconds of the load, of the index rebuild and of ``ANALYZE``.
    """
    engine = make_engine(url)
    dialect = engine.dialect.name
    raw = engine.raw_connection()
    timings: dict[str, float] = {}
    cols = ", ".join(columns)
    try:
        con: Any = raw.driver_connection
        cur = con.cursor()
        fill_search = False
        rebuild: list[str] = []
        finish: list[str] = []
        if dialect == "sqlite":
            cur.execute("PRAGMA journal_mode=DELETE")
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-524288")
            cur.execute("BEGIN")
            if defer_indexes:
                rebuild, fill_search = _sqlite_deferred(cur)
        else:
            # dropped in the load's transaction: a failed COPY rolls back to the indexes
            rebuild, finish = _pg_deferred(cur) if defer_indexes else ([], [])
        started = time.perf_counter()
        if dialect == "sqlite":
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO enterprise ({cols}) VALUES ({marks})"  # noqa: S608 - fixed names
            collecting = gc.isenabled()
            gc.disable()  # the rows make no cycles; the collector's passes cost a third (_feed)
            try:
                _load_sqlite(
                    cur, sql, rows, batch=batch, fill_search=fill_search, total=total,
                    progress=progress,
                )  # fmt: skip
            finally:
                if collecting:
                    gc.enable()
        else:
            frozen = " WITH (FREEZE)" if _pg_truncated(cur) else ""
            sql = f"COPY enterprise ({cols}) FROM STDIN{frozen}"
            _pg_copy(cur, sql, rows, batch=batch, total=total, progress=progress)
            con.commit()  # the rebuilding connections must see the rows
        timings["load"] = time.perf_counter() - started
        started = time.perf_counter()
        if dialect == "sqlite":
            for ddl in rebuild:
                cur.execute(ddl)
            cur.execute("COMMIT")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        else:
            timings.update(_pg_rebuild(engine, rebuild, finish))
        timings["indexes"] = time.perf_counter() - started
        started = time.perf_counter()
        cur.execute("ANALYZE enterprise")
        if dialect != "sqlite":
            con.commit()
        timings["analyze"] = time.perf_counter() - started
    finally:
        raw.close()
        engine.dispose()
    return timings
