"""The registry's bulk loader (registry/imports/bulk.py): after a load with the indexes
deferred, the table has the same indexes, constraints and search triggers as before, and the
name search finds exactly the rows a scan finds. On PostgreSQL a load into an empty table
leaves every page all-visible (``COPY … FREEZE``), and one into a table with rows, or while a
table referencing it has rows, truncates nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from tests.conftest import DB_PREFIX, fresh_database_url
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import migrate
from wurao.core.db import make_engine
from wurao.demo.province import generate_province
from wurao.demo.rows import ENTERPRISE_COLUMNS
from wurao.registry.enterprises import service
from wurao.registry.imports.bulk import load_enterprises
from wurao.registry.models import Enterprise


def _shape(engine: Engine) -> set[tuple[str, ...]]:
    """The DDL of the table's indexes, constraints and (SQLite) triggers, as the database
    prints it back: a rebuilt index or constraint must come back exactly as migrated."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(
                text("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'enterprise'")
            )
            return {(str(t), str(n), str(s)) for t, n, s in rows}
        indexes = conn.execute(
            text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'enterprise'")
        )
        constraints = conn.execute(
            text(
                "SELECT conname, contype, condeferrable, convalidated, "
                "pg_get_constraintdef(oid), coalesce(conindid::regclass::text, '') "
                "FROM pg_constraint WHERE conrelid = 'enterprise'::regclass"
            )
        )
        return {tuple(map(str, r)) for r in [*indexes, *constraints]}


def _pages_all_visible(engine: Engine) -> tuple[bool, bool]:
    """Whether the enterprise table has pages, and whether every one is all-visible in the
    visibility map (``pg_visibility``)."""
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_visibility"))
        visible, pages = conn.execute(
            text(
                "SELECT all_visible, pg_relation_size('enterprise') / "
                "current_setting('block_size')::int FROM pg_visibility_map_summary('enterprise')"
            )
        ).one()
    return pages > 0, visible == pages


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_bulk_load_keeps_the_schema_and_the_search(tmp_path: Path, kind: str) -> None:
    url = fresh_database_url(kind, tmp_path, f"{DB_PREFIX}_bulk")
    migrate.upgrade(url)
    engine = make_engine(url)
    before = _shape(engine)
    engine.dispose()  # the loader changes SQLite's journal mode: no other connection open
    stats = generate_province(url, enterprises=3_000, subjects=100, batch=700)
    assert stats.enterprises == 3_000
    assert _shape(engine) == before
    if kind == "postgresql":  # copied frozen: a county's ids need no look at the table
        assert _pages_all_visible(engine) == (True, True)
    with Session(engine) as session:
        names = list(session.scalars(select(Enterprise.name)))
        for fragment in ("有限公司", "恒达", names[1234][2:6], "不存在的名称"):
            page = service.list_enterprises(session, actor=SYSTEM_ACTOR, q=fragment)
            wide_prefix = len(fragment) < 3
            expected = sum(
                (n.startswith(fragment) if wide_prefix else fragment in n) for n in names
            )
            assert page.total == min(expected, service.COUNT_CAP), fragment
        if kind == "sqlite":  # the search table is in step with the rows, and stays so
            session.execute(text("INSERT INTO enterprise_name_fts(enterprise_name_fts) "
                                 "VALUES ('integrity-check')"))  # fmt: skip
            row = session.scalars(select(Enterprise).order_by(Enterprise.id).limit(1)).one()
            row.name = "批量载入后改名测试有限公司"
            session.flush()
            found = service.list_enterprises(session, actor=SYSTEM_ACTOR, q="载入后改名")
            assert [r.id for r in found.rows] == [row.id]
    engine.dispose()


def _rows_with_awkward_text() -> list[tuple[Any, ...]]:
    """Rows whose text holds what COPY's text format must escape, and a NULL timestamp."""
    stamp = dt.datetime(2026, 12, 6, 3, 4, 5, 678901, tzinfo=dt.UTC)
    base = ("330802", "浙江省衢州市柯城区", "C2611", "operating", "A", "", "张三", "13800000000")
    names = ["反斜杠\\公司", "制表\t符公司", "换行\n公司", "回车\r公司", "\\N", "普通有限公司"]
    return [
        (f"91330802MA2{i:07d}", name, *base, "", stamp if i % 2 else None)
        for i, name in enumerate(names)
    ]


def test_copy_text_round_trips_through_postgresql(tmp_path: Path) -> None:
    url = fresh_database_url("postgresql", tmp_path, f"{DB_PREFIX}_copy")
    migrate.upgrade(url)
    engine = _with_county(url)
    rows = _rows_with_awkward_text()
    load_enterprises(url, iter(rows), columns=ENTERPRISE_COLUMNS, total=len(rows))
    with engine.connect() as conn:
        got = conn.execute(
            text(f"SELECT {', '.join(ENTERPRISE_COLUMNS)} FROM enterprise ORDER BY id")  # noqa: S608
        ).all()
    engine.dispose()
    assert [tuple(r) for r in got] == rows


def _with_county(url: str) -> Engine:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO region (code, name, level, parent_code) "
                "SELECT '330802', '柯城区', 'county', NULL "
                "WHERE NOT EXISTS (SELECT 1 FROM region WHERE code = '330802')"
            )
        )
    return engine


def test_a_load_truncates_nothing_that_has_rows(tmp_path: Path) -> None:
    """Only an empty table, with every table referencing it empty, is truncated for FREEZE:
    a referencing row (an alert without an enterprise) and loaded rows stay."""
    url = fresh_database_url("postgresql", tmp_path, f"{DB_PREFIX}_freeze")
    migrate.upgrade(url)
    engine = _with_county(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO alert (rule_id, dedup_key, severity, title, detail, source, "
                "region_code, evidence, status, created_at, response, dismissed_reason) "
                "VALUES ('T1', 'bulk-freeze', 'warn', '测试', '', '', '330802', '', 'open', "
                "now(), '', '')"
            )
        )
    first = _rows_with_awkward_text()
    load_enterprises(url, iter(first), columns=ENTERPRISE_COLUMNS, total=len(first))
    second = [(f"91330802MA3{i:07d}", *r[1:]) for i, r in enumerate(first)]
    load_enterprises(url, iter(second), columns=ENTERPRISE_COLUMNS, total=len(second))
    with engine.connect() as conn:
        alerts = conn.scalar(text("SELECT count(*) FROM alert WHERE dedup_key = 'bulk-freeze'"))
        usccs = list(conn.scalars(text("SELECT uscc FROM enterprise ORDER BY id")))
    assert alerts == 1
    assert usccs == [r[0] for r in first + second]
    # the alert row kept the first load from truncating: nothing was copied frozen
    assert _pages_all_visible(engine) == (True, False)
    engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_failed_load_rolls_back_to_the_migrated_table(tmp_path: Path, kind: str) -> None:
    url = fresh_database_url(kind, tmp_path, f"{DB_PREFIX}_fail")
    migrate.upgrade(url)
    engine = make_engine(url)
    before = _shape(engine)
    engine.dispose()

    def failing() -> Iterator[tuple[Any, ...]]:
        yield from _rows_with_awkward_text()[1::2]  # with a timestamp: SQLite formats it
        raise ValueError("生成中断")

    with pytest.raises((RuntimeError, ValueError)):
        load_enterprises(url, failing(), columns=ENTERPRISE_COLUMNS, total=7)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM enterprise")) == 0
    assert _shape(engine) == before
    engine.dispose()
