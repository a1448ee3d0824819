"""the distribution of enterprises by times inspected; the most-inspected index covers region;
the per-enterprise counts lose their foreign key (a derived table, rebuilt in bulk) and their
primary key leads with the enterprise

Revision ID: 0008_indicator_times
Revises: 0007_indicators
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_indicator_times"
down_revision: str | None = "0007_indicators"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "indicator_times_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("times", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("enterprises", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "year", "region_code", "times", name=op.f("pk_indicator_times_year")
        ),
    )
    with op.batch_alter_table("indicator_enterprise_year") as batch_op:
        batch_op.drop_constraint(
            "fk_indicator_enterprise_year_enterprise_id_enterprise", type_="foreignkey"
        )
        batch_op.drop_constraint("pk_indicator_enterprise_year", type_="primary")
        batch_op.create_primary_key(
            "pk_indicator_enterprise_year", ["year", "enterprise_id", "region_code"]
        )
        batch_op.drop_index("ix_indicator_enterprise_year_top")
        batch_op.create_index(
            "ix_indicator_enterprise_year_top", ["year", "inspections", "region_code"]
        )
    # Filled from indicator_enterprise_year, which 0007 left to `wurao indicators rebuild`.
    op.execute(
        "INSERT INTO indicator_times_year (year, region_code, times, enterprises)"
        " SELECT year, region_code, CASE WHEN inspections >= 5 THEN 5 ELSE inspections END,"
        " count(*) FROM indicator_enterprise_year"
        " GROUP BY year, region_code, CASE WHEN inspections >= 5 THEN 5 ELSE inspections END"
    )


def downgrade() -> None:
    op.drop_table("indicator_times_year")
    with op.batch_alter_table("indicator_enterprise_year") as batch_op:
        batch_op.drop_constraint("pk_indicator_enterprise_year", type_="primary")
        batch_op.create_primary_key(
            "pk_indicator_enterprise_year", ["year", "region_code", "enterprise_id"]
        )
        batch_op.drop_index("ix_indicator_enterprise_year_top")
        batch_op.create_index("ix_indicator_enterprise_year_top", ["year", "inspections"])
        batch_op.create_foreign_key(
            "fk_indicator_enterprise_year_enterprise_id_enterprise",
            "enterprise",
            ["enterprise_id"],
            ["id"],
        )
