"""The registry's bulk loader (registry/imports/bulk.py): after a load with the indexes
deferred, the table has the same indexes, constraints and search triggers as before, and the
name search finds exactly the rows a scan finds."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session

from tests.conftest import DB_PREFIX, fresh_database_url
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import migrate
from wurao.core.db import make_engine
from wurao.demo.province import generate_province
from wurao.registry.enterprises import service
from wurao.registry.models import Enterprise


def _shape(engine: Engine) -> tuple[set[str], set[str], set[str]]:
    """Index names, unique constraint names and (SQLite) trigger names of ``enterprise``."""
    insp = inspect(engine)
    indexes = {i["name"] or "" for i in insp.get_indexes("enterprise")}
    uniques = {u["name"] or "" for u in insp.get_unique_constraints("enterprise")}
    triggers: set[str] = set()
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            triggers = set(
                conn.scalars(
                    text(
                        "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                        "AND tbl_name = 'enterprise'"
                    )
                )
            )
    return indexes, uniques, triggers


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
