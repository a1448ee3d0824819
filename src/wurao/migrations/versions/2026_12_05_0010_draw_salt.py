"""per-draw conflict salt, committed like the seed

Revision ID: 0010_draw_salt
Revises: 0009_task_draw_fk_cross_region
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_draw_salt"
down_revision: str | None = "0009_task_draw_fk_cross_region"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # NULL for the draws frozen before: their conflict tags stay unsalted SHA-256 (legacy)
    with op.batch_alter_table("draw") as batch_op:
        batch_op.add_column(sa.Column("conflict_salt_hex", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # a plain ALTER TABLE … DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch would rebuild
    # "draw", and dropping the old table would cascade to draw_subject, draw_item and draw_pool
    op.drop_column("draw", "conflict_salt_hex")
