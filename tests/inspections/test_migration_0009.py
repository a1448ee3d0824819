"""Migration 0009 on a database with tasks in it, on both backends: ``draw_id`` becomes a
foreign key, a task naming a draw that does not exist loses the claim (NULL), and no task's
subjects, items, officers or code are lost on the way up or down.

(On SQLite a batch rebuild of ``inspection_task`` would have deleted the tasks' subjects: the
implicit DELETE of ``DROP TABLE`` fires their ``ON DELETE CASCADE``.)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.conftest import DB_PREFIX, fresh_database_url
from wurao.core import migrate
from wurao.core.db import make_engine

BEFORE, AFTER = "0008_indicator_times", "0009_task_draw_fk_cross_region"
NOW = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)


def _filled(table: sa.Table, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` plus a plain value for every other NOT NULL column (the test needs none)."""
    row = dict(values)
    for col in table.columns:
        if col.name in row or col.nullable or (col.primary_key and col.autoincrement is True):
            continue
        kind = col.type.python_type
        row[col.name] = {str: "", int: 0, bool: False, dt.date: NOW.date()}.get(kind, NOW)
    return row


def _insert(conn: sa.Connection, table_name: str, /, **values: Any) -> None:
    table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
    conn.execute(sa.insert(table).values(**_filled(table, values)))


def _seed(conn: sa.Connection) -> None:
    _insert(conn, "region", code="330802", name="柯城区", level="county")
    _insert(conn, "enforcement_subject", id=1, name="柯城区市场监管局", uscc="11330802MB1A00001T",
            region_code="330802", field="市场监管", level="县级")  # fmt: skip
    _insert(conn, "enterprise", id=1, uscc="91330802MA2A00001X", name="某公司",
            region_code="330802")  # fmt: skip
    _insert(conn, "inspection_item", id=1, code="T-1", name="事项", field="市场监管",
            region_code="330802", basis_level="法律", basis_law="某法")  # fmt: skip
    _insert(conn, "officer", id=1, name="张三", ric="330802198001010011", subject_id=1)
    _insert(conn, "draw", id=1, title="抽查", lead_subject_id=1, region_code="330802",
            status="drawn", created_at=NOW)  # fmt: skip
    for task, draw in ((1, 1), (2, 99), (3, None)):  # 99: a draw that never existed
        _insert(conn, "inspection_task", id=task, enterprise_id=1, region_code="330802",
                year=2026, origin="draw", draw_id=draw, method="onsite", status="coded",
                created_at=NOW)  # fmt: skip
        _insert(conn, "task_subject", task_id=task, subject_id=1, lead=True)
        _insert(conn, "task_item", task_id=task, item_id=1, subject_id=1)
        _insert(conn, "task_officer", task_id=task, officer_id=1, subject_id=1)
    _insert(conn, "signing_key", kid="k1", public_x="x", created_at=NOW)
    _insert(conn, "action_code", id=1, task_id=1, number="330802-2026-000001", jti="j1",
            kid="k1", token="t", issued_at=NOW, status="valid")  # fmt: skip


def _counts(conn: sa.Connection) -> dict[str, int]:
    tables = ("inspection_task", "task_subject", "task_item", "task_officer", "action_code")
    count = sa.select(sa.func.count())
    return {t: int(conn.execute(count.select_from(sa.table(t))).scalar_one()) for t in tables}


def _draw_ids(conn: sa.Connection) -> dict[int, int | None]:
    rows = conn.execute(sa.text("SELECT id, draw_id FROM inspection_task ORDER BY id"))
    return {int(i): d for i, d in rows}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_0009_keeps_every_task_row_and_drops_claims_to_missing_draws(
    kind: str, tmp_path: Path
) -> None:
    url = fresh_database_url(kind, tmp_path, f"{DB_PREFIX}_mig0009")
    migrate.upgrade(url, rev=BEFORE)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _seed(conn)
            kept = _counts(conn)
        migrate.upgrade(url, rev=AFTER)
        with engine.connect() as conn:
            assert _counts(conn) == kept
            assert _draw_ids(conn) == {1: 1, 2: None, 3: None}
            fks = sa.inspect(conn).get_foreign_keys("inspection_task")
            assert any(fk["referred_table"] == "draw" for fk in fks)
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(sa.text("UPDATE inspection_task SET draw_id = 12345 WHERE id = 3"))
        migrate.downgrade(url, rev=BEFORE)
        with engine.connect() as conn:
            assert _counts(conn) == kept
            assert _draw_ids(conn) == {1: 1, 2: None, 3: None}
            assert "cross_region_approval" not in sa.inspect(conn).get_table_names()
    finally:
        engine.dispose()
