"""Migrations: one head; upgrade, downgrade, upgrade again on an empty database (both backends)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from tests.conftest import DB_PREFIX, fresh_database_url
from wurao.core import migrate
from wurao.core.db import make_engine


def test_single_head() -> None:
    assert len(migrate.heads()) == 1


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrade_downgrade_upgrade(kind: str, tmp_path: Path) -> None:
    url = fresh_database_url(kind, tmp_path, f"{DB_PREFIX}_migrations")
    migrate.upgrade(url)
    engine = make_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert {"app_user", "audit_entry", "region", "calendar_day"} <= tables
    engine.dispose()
    migrate.downgrade(url, rev="base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrate.upgrade(url)
    engine = make_engine(url)
    assert "app_user" in inspect(engine).get_table_names()
    engine.dispose()
