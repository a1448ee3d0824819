"""enterprise names by region: a county's name search reads one index range

A name search within a county or a town (about 10⁵ of a province's 10 million enterprises)
matched the fragment against each row of the county, reached one random row read at a time
through ``ix_enterprise_region_status_class`` — about a second on SQLite at 10 million rows.
With ``(region_code, name)`` the names of a county are one contiguous index range, read
without touching the table; only the page's rows are fetched (docs/benchmarks.md).

Revision ID: 0029_search_index
Revises: 0027_field_sync
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0029_search_index"
down_revision: str | None = "0027_field_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_enterprise_region_name", "enterprise", ["region_code", "name"])


def downgrade() -> None:
    op.drop_index("ix_enterprise_region_name", table_name="enterprise")
