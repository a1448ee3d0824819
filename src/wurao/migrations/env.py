"""Alembic environment: the project's metadata, one connection, batch mode on SQLite."""

from __future__ import annotations

from alembic import context

from wurao.core.db import Base, make_engine
from wurao.core.models_registry import import_all_models

import_all_models()
config = context.config
target_metadata = Base.metadata


# Search structures made by hand in migration 0003 (FTS5 on SQLite, a trigram index on
# PostgreSQL) are not in the models; autogenerate must not propose dropping them.
_HAND_MADE = ("enterprise_name_fts", "ix_enterprise_name_trgm")


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (reflected and compare_to is None and (name or "").startswith(_HAND_MADE))


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `wurao db upgrade`")
run_migrations_online()
