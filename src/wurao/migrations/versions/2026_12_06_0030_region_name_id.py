"""enterprise names by region, with the id: a county's name search never reads the table

A county or town name search takes the ids of the county's names that contain the fragment,
in id order. On SQLite ``ix_enterprise_region_name (region_code, name)`` already carries the
rowid, the enterprise id; a PostgreSQL B-tree entry carries only its columns, so the id was
read from the table, a random page per entry of the county (about 10⁵ at 10 million rows).
With ``INCLUDE (id)`` PostgreSQL answers from the index alone (an index-only scan) where the
table's pages are marked all-visible, as a bulk load's ``COPY … FREEZE`` leaves them
(docs/benchmarks.md, "County scope on PostgreSQL: index-only"). SQLite keeps its index.

Revision ID: 0030_region_name_id
Revises: 0029_search_index
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0030_region_name_id"
down_revision: str | None = "0029_search_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_enterprise_region_name"


def _recreate(include: list[str]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(INDEX, table_name="enterprise")
    op.create_index(INDEX, "enterprise", ["region_code", "name"], postgresql_include=include)


def upgrade() -> None:
    _recreate(["id"])


def downgrade() -> None:
    _recreate([])
