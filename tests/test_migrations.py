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


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_models_match_the_migrations(kind: str, tmp_path: Path) -> None:
    """Every model change has its migration: autogenerate finds nothing to do at head."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from wurao.core.db import Base
    from wurao.core.models_registry import import_all_models

    import_all_models()
    url = fresh_database_url(kind, tmp_path, f"{DB_PREFIX}_compare")
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": migrate.include_object}
        )
        diffs = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diffs == []
