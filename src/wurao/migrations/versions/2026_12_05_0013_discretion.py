"""discretion benchmarks (裁量基准) and the leniency lists (免罚/减轻/从轻/从重清单)

``discretion_table`` is one published benchmark of a subject or of a city/county region for one
field, ``discretion_row`` its lines (violation, circumstance, fine range in fen),
``leniency_entry`` one entry of a region's leniency list for a field. ``penalty_case`` gains the
violation code, the circumstance, the reason for a fine outside the benchmark (D24) and the
officer's recorded leniency choice (D17). The added columns carry an empty-string default so
existing cases stay valid; the downgrade drops them and the new tables.

Revision ID: 0013_discretion
Revises: 0012_case_documents
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wurao.core.db

revision: str = "0013_discretion"
down_revision: str | None = "0012_case_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_CASE_COLUMNS = (
    ("violation_code", sa.String(length=40)),
    ("circumstance", sa.String(length=8)),
    ("discretion_reason", sa.Text()),
    ("leniency_list", sa.String(length=80)),
    ("leniency_choice", sa.String(length=16)),
    ("leniency_reason", sa.Text()),
)


def upgrade() -> None:
    op.create_table(
        "discretion_table",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("owner_kind", sa.String(length=8), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("level", sa.String(length=12), nullable=False),
        sa.Column("field", sa.String(length=30), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("doc_number", sa.String(length=120), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_discretion_table_created_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["enforcement_subject.id"],
            name=op.f("fk_discretion_table_subject_id_enforcement_subject"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discretion_table")),
    )
    op.create_index(
        "ix_discretion_table_region_field", "discretion_table", ["region_code", "field"]
    )
    op.create_table(
        "discretion_row",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("table_id", _BIG, nullable=False),
        sa.Column("violation_code", sa.String(length=40), nullable=False),
        sa.Column("violation", sa.String(length=300), nullable=False),
        sa.Column("provision", sa.Text(), nullable=False),
        sa.Column("circumstance", sa.String(length=8), nullable=False),
        sa.Column("fine_min_fen", _BIG, nullable=False),
        sa.Column("fine_max_fen", _BIG, nullable=False),
        sa.Column("other_kinds", sa.String(length=300), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["table_id"],
            ["discretion_table.id"],
            name=op.f("fk_discretion_row_table_id_discretion_table"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discretion_row")),
    )
    op.create_index(op.f("ix_discretion_row_table_id"), "discretion_row", ["table_id"])
    op.create_table(
        "leniency_entry",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("field", sa.String(length=30), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("violation_code", sa.String(length=40), nullable=False),
        sa.Column("violation", sa.String(length=300), nullable=False),
        sa.Column("provision", sa.Text(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_leniency_entry_created_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leniency_entry")),
    )
    op.create_index("ix_leniency_entry_region_field", "leniency_entry", ["region_code", "field"])
    for name, type_ in _CASE_COLUMNS:
        # a plain ADD COLUMN: a batch would rebuild penalty_case under its child tables
        op.add_column("penalty_case", sa.Column(name, type_, nullable=False, server_default=""))


def downgrade() -> None:
    for name, _type in reversed(_CASE_COLUMNS):
        op.drop_column("penalty_case", name)
    op.drop_index("ix_leniency_entry_region_field", table_name="leniency_entry")
    op.drop_table("leniency_entry")
    op.drop_index(op.f("ix_discretion_row_table_id"), table_name="discretion_row")
    op.drop_table("discretion_row")
    op.drop_index("ix_discretion_table_region_field", table_name="discretion_table")
    op.drop_table("discretion_table")
