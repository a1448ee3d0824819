"""publication of penalty decisions (D20) and its withdrawal clock

``case_publication`` is one row per decided case: whether its field publishes decisions, the
day publication is due (working days from the decision), when it was published, and — once the
decision is changed or revoked — the three-working-day withdrawal. New table only, so the
downgrade drops it.

Revision ID: 0014_case_publication
Revises: 0013_discretion
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wurao.core.db

revision: str = "0014_case_publication"
down_revision: str | None = "0013_discretion"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "case_publication",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("case_id", _BIG, nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("field", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_on", sa.Date(), nullable=True),
        sa.Column("withdraw_due_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdraw_reason", sa.Text(), nullable=False),
        sa.Column("created_at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["penalty_case.id"],
            name=op.f("fk_case_publication_case_id_penalty_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["enforcement_subject.id"],
            name=op.f("fk_case_publication_subject_id_enforcement_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["app_user.id"],
            name=op.f("fk_case_publication_published_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_publication")),
        sa.UniqueConstraint("case_id", name=op.f("uq_case_publication_case_id")),
    )
    op.create_index(
        "ix_case_publication_region_published",
        "case_publication",
        ["region_code", "published_on"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_case_publication_region_published", table_name="case_publication")
    op.drop_table("case_publication")
