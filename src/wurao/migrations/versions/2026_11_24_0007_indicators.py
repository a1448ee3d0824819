"""indicator figures kept on write (fill them with `wurao indicators rebuild`)

Revision ID: 0007_indicators
Revises: 0006_alerts_officer_account
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_indicators"
down_revision: str | None = "0006_alerts_officer_account"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "indicator_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        *[sa.Column(f"rated_{k}", sa.Integer(), nullable=False) for k in range(1, 6)],
        sa.Column("misconduct", sa.Integer(), nullable=False),
        sa.Column("inspections", sa.Integer(), nullable=False),
        sa.Column("joint", sa.Integer(), nullable=False),
        sa.Column("nonsite", sa.Integer(), nullable=False),
        sa.Column("problem", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "region_code", name=op.f("pk_indicator_day")),
    )
    op.create_table(
        "indicator_enterprise_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column(
            "enterprise_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("inspections", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_indicator_enterprise_year_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint(
            "year", "region_code", "enterprise_id", name=op.f("pk_indicator_enterprise_year")
        ),
    )
    with op.batch_alter_table("indicator_enterprise_year", schema=None) as batch_op:
        batch_op.create_index(
            "ix_indicator_enterprise_year_top", ["year", "inspections"], unique=False
        )

    op.create_table(
        "indicator_subject_month",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("inspections", sa.Integer(), nullable=False),
        sa.Column("joint", sa.Integer(), nullable=False),
        sa.Column("nonsite", sa.Integer(), nullable=False),
        sa.Column("problem", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["enforcement_subject.id"],
            name=op.f("fk_indicator_subject_month_subject_id_enforcement_subject"),
        ),
        sa.PrimaryKeyConstraint(
            "month", "region_code", "subject_id", name=op.f("pk_indicator_subject_month")
        ),
    )
    with op.batch_alter_table("indicator_subject_month", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicator_subject_month_subject_id"), ["subject_id"], unique=False
        )

    with op.batch_alter_table("inspection_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_record_finished_at"), ["finished_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inspection_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_record_finished_at"))

    with op.batch_alter_table("indicator_subject_month", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_subject_month_subject_id"))

    op.drop_table("indicator_subject_month")
    with op.batch_alter_table("indicator_enterprise_year", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_enterprise_year_top")

    op.drop_table("indicator_enterprise_year")
    op.drop_table("indicator_day")
