"""Migration 0011 adds the case tables and its downgrade removes exactly them (both backends)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from tests.conftest import DB_PREFIX, fresh_database_url
from wurao.core import migrate
from wurao.core.db import make_engine

CASE_TABLES = {
    "penalty_case",
    "case_officer",
    "case_evidence",
    "case_suspension",
    "case_extension",
    "case_step",
    "case_sequence",
}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_0011_upgrade_and_downgrade(kind: str, tmp_path: Path) -> None:
    url = fresh_database_url(kind, tmp_path, f"{DB_PREFIX}_m0011")
    migrate.upgrade(url, rev="0010_draw_salt")
    before = _tables(url)
    assert not CASE_TABLES & before
    migrate.upgrade(url, rev="0011_cases")
    assert _tables(url) == before | CASE_TABLES
    engine = make_engine(url)
    indexes = {i["name"] for i in inspect(engine).get_indexes("penalty_case")}
    engine.dispose()
    assert {"ix_penalty_case_subject_year", "ix_penalty_case_region_status"} <= indexes
    migrate.downgrade(url, rev="0010_draw_salt")
    assert _tables(url) == before
