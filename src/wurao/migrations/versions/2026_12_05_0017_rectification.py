"""rectification items shared by alerts, reviews and clues (整改与对账销号)

One table of items a subject must fix, whatever raised them (an alert's 风险提示函, a review
problem, a clue, a supervision document), their history and the answer's evidence files.
Alerts gain the status ``answered`` (待核实): no column changes, the status is a string.
A 风险提示函's number starts with its organ's short form (柯司风提〔2026〕3号) and is unique per
region, no longer across the province (柯城区 and 柯桥区 both write 柯司).

Revision ID: 0017_rectification
Revises: 0016_case_list_index
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wurao.core.db

revision: str = "0017_rectification"
down_revision: str | None = "0016_case_list_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("risk_notice", schema=None) as batch_op:
        batch_op.drop_constraint("uq_risk_notice_number", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_risk_notice_region_code_number"), ["region_code", "number"]
        )
    op.create_table(
        "rectification_item",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("source_kind", sa.String(length=12), nullable=False),
        sa.Column(
            "source_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_at", wurao.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("returned_times", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.Text(), nullable=False),
        sa.Column("closed_at", wurao.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["enforcement_subject.id"],
            name=op.f("fk_rectification_item_subject_id_enforcement_subject"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_item")),
    )
    with op.batch_alter_table("rectification_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rectification_item_due_on"), ["due_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rectification_item_region_code"), ["region_code"], unique=False
        )
        batch_op.create_index(
            "ix_rectification_item_source", ["source_kind", "source_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rectification_item_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_rectification_item_subject_status", ["subject_id", "status"], unique=False
        )

    op.create_table(
        "rectification_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["rectification_item.id"],
            name=op.f("fk_rectification_event_item_id_rectification_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_event")),
    )
    with op.batch_alter_table("rectification_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rectification_event_item_id"), ["item_id"], unique=False
        )

    op.create_table(
        "rectification_evidence",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["rectification_event.id"],
            name=op.f("fk_rectification_evidence_event_id_rectification_event"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["rectification_item.id"],
            name=op.f("fk_rectification_evidence_item_id_rectification_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_evidence")),
    )
    with op.batch_alter_table("rectification_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rectification_evidence_item_id"), ["item_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("risk_notice", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_risk_notice_region_code_number"), type_="unique")
        batch_op.create_unique_constraint("uq_risk_notice_number", ["number"])
    with op.batch_alter_table("rectification_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_evidence_item_id"))

    op.drop_table("rectification_evidence")
    with op.batch_alter_table("rectification_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rectification_event_item_id"))

    op.drop_table("rectification_event")
    with op.batch_alter_table("rectification_item", schema=None) as batch_op:
        batch_op.drop_index("ix_rectification_item_subject_status")
        batch_op.drop_index(batch_op.f("ix_rectification_item_status"))
        batch_op.drop_index("ix_rectification_item_source")
        batch_op.drop_index(batch_op.f("ix_rectification_item_region_code"))
        batch_op.drop_index(batch_op.f("ix_rectification_item_due_on"))

    op.drop_table("rectification_item")
