"""Running the Alembic migrations shipped inside the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


# Search structures made by hand in migration 0003 (FTS5 on SQLite, a trigram index on
# PostgreSQL) are not in the models; comparing models with the database must skip them.
HAND_MADE = ("enterprise_name_fts", "ix_enterprise_name_trgm")


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic filter: leave the hand-made search structures out of comparisons."""
    return not (reflected and compare_to is None and (name or "").startswith(HAND_MADE))


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(
    url: str | None = None, *, connection: Connection | None = None, rev: str = "head"
) -> None:
    """Apply migrations up to ``rev``."""
    command.upgrade(alembic_config(url, connection), rev)


def downgrade(
    url: str | None = None, *, connection: Connection | None = None, rev: str = "base"
) -> None:
    """Revert migrations down to ``rev``."""
    command.downgrade(alembic_config(url, connection), rev)


def heads() -> list[str]:
    """The migration heads (there must be exactly one)."""
    return list(ScriptDirectory.from_config(alembic_config()).get_heads())
