"""enterprise name search indexes

Name-fragment search over the enterprise registry (10 million rows in a province) must not
scan the table. PostgreSQL: a pg_trgm GIN index on ``enterprise.name`` serves
``name ILIKE '%fragment%'``. SQLite: an FTS5 table with the trigram tokenizer, external
content on ``enterprise`` and kept in step by triggers. Each backend gets only its own
objects; the ORM metadata knows neither (they are search accelerators, not tables).

Revision ID: 0003_enterprise_search
Revises: 0002_registries
Create Date: 2026-11-23 23:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003_enterprise_search"
down_revision: str | None = "0002_registries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_UP = (
    # External content: the FTS table stores only the trigram index, the text stays in
    # enterprise.name; rowid is enterprise.id.
    "CREATE VIRTUAL TABLE enterprise_name_fts USING fts5("
    "name, content='enterprise', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER enterprise_name_fts_ai AFTER INSERT ON enterprise BEGIN "
    "INSERT INTO enterprise_name_fts(rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER enterprise_name_fts_ad AFTER DELETE ON enterprise BEGIN "
    "INSERT INTO enterprise_name_fts(enterprise_name_fts, rowid, name) "
    "VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER enterprise_name_fts_au AFTER UPDATE OF name ON enterprise BEGIN "
    "INSERT INTO enterprise_name_fts(enterprise_name_fts, rowid, name) "
    "VALUES ('delete', old.id, old.name); "
    "INSERT INTO enterprise_name_fts(rowid, name) VALUES (new.id, new.name); END",
    # Index the rows that exist already.
    "INSERT INTO enterprise_name_fts(enterprise_name_fts) VALUES ('rebuild')",
)
_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS enterprise_name_fts_au",
    "DROP TRIGGER IF EXISTS enterprise_name_fts_ad",
    "DROP TRIGGER IF EXISTS enterprise_name_fts_ai",
    "DROP TABLE IF EXISTS enterprise_name_fts",
)
_PG_UP = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_enterprise_name_trgm ON enterprise "
    "USING gin (name gin_trgm_ops)",
)
# The extension stays: other objects may use it, and dropping it needs more privileges.
_PG_DOWN = ("DROP INDEX IF EXISTS ix_enterprise_name_trgm",)


def _run(statements: Sequence[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(_SQLITE_UP)
    elif dialect == "postgresql":
        _run(_PG_UP)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(_SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(_PG_DOWN)
