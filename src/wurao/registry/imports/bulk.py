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
* PostgreSQL rebuilds the unique constraint and the indexes side by side, one connection
  each, so the trigram GIN index (the longest) is not waited for by the others.

The rollback journal stays on during the SQLite load: rows appended to an empty table are
written to new pages, which the journal does not copy, so ``journal_mode=OFF`` would save
little and would lose the rollback a failed load relies on.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Any

from sqlalchemy import Engine

from wurao.core.db import make_engine

Progress = Callable[[str, int, int], None]

SEARCH_TABLE = "enterprise_name_fts"  # migration 0003_enterprise_search, SQLite only
_PG_MAINTENANCE_MEM = "512MB"  # per rebuilding connection; four may run at once


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


def _pg_deferred(cur: Any) -> list[str]:
    """Drop the unique constraints and secondary indexes; return the DDL that rebuilds them."""
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'enterprise'::regclass AND contype = 'u'"
    )
    constraints = list(cur.fetchall())
    for name, _def in constraints:
        cur.execute(f'ALTER TABLE enterprise DROP CONSTRAINT "{name}"')
    cur.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'enterprise' "
        "AND i.schemaname = current_schema() AND i.indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = 'enterprise'::regclass)"
    )
    indexes = list(cur.fetchall())
    for name, _def in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    return [f'ALTER TABLE enterprise ADD CONSTRAINT "{n}" {d}' for n, d in constraints] + [
        d for _n, d in indexes
    ]


def _pg_rebuild(engine: Engine, ddl: list[str]) -> None:
    """Run each rebuild statement on its own connection, all at once (each in its own
    transaction: a unique constraint that fails leaves the others built and raises)."""

    def one(statement: str) -> None:
        raw = engine.raw_connection()
        try:
            con: Any = raw.driver_connection
            cur = con.cursor()
            cur.execute(f"SET maintenance_work_mem = '{_PG_MAINTENANCE_MEM}'")
            cur.execute(statement)
            con.commit()
        finally:
            raw.close()

    with ThreadPoolExecutor(max_workers=max(1, len(ddl))) as pool:
        for future in [pool.submit(one, s) for s in ddl]:
            future.result()


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
        if dialect == "sqlite":
            cur.execute("PRAGMA journal_mode=DELETE")
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-524288")
            cur.execute("BEGIN")
            if defer_indexes:
                rebuild, fill_search = _sqlite_deferred(cur)
        else:
            # dropped in the load's transaction: a failed COPY rolls back to the indexes
            rebuild = _pg_deferred(cur) if defer_indexes else []
        started = time.perf_counter()
        if dialect == "sqlite":
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO enterprise ({cols}) VALUES ({marks})"  # noqa: S608 - fixed names
            _load_sqlite(
                cur, sql, rows, batch=batch, fill_search=fill_search, total=total,
                progress=progress,
            )  # fmt: skip
        else:
            done = 0
            with cur.copy(f"COPY enterprise ({cols}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
                    done += 1
                    if progress and done % batch == 0:
                        progress("enterprise", done, total)
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
            _pg_rebuild(engine, rebuild)
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
