"""the subject's case list by status, newest first: one index walk per page

The case list filters a subject's cases by status and shows the newest first; without this
index PostgreSQL walked the primary key backwards and discarded most rows for one page at
200 000 cases a year (docs/benchmarks-cases.md).

Revision ID: 0016_case_list_index
Revises: 0015_clue_loop
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016_case_list_index"
down_revision: str | None = "0015_clue_loop"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_penalty_case_subject_status_id", "penalty_case", ["subject_id", "status", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_penalty_case_subject_status_id", table_name="penalty_case")
