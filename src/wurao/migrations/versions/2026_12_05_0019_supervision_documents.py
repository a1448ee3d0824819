"""supervision documents (监督意见书, 监督建议书, 督办通知, 评查通报), numbered per supervisor and year

Revision ID: 0019_supervision_documents
Revises: 0018_case_file_reviews
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wurao.core.db

revision: str = "0019_supervision_documents"
down_revision: str | None = "0018_case_file_reviews"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = wurao.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "supervision_document",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=80), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("dated", sa.Date(), nullable=False),
        sa.Column("issued_at", _TS, nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("docx_sha256", sa.String(length=64), nullable=False),
        sa.Column("template_version", sa.String(length=20), nullable=False),
        sa.Column("reply_due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("replied_at", _TS, nullable=True),
        sa.Column("replied_by_id", sa.Integer(), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=False),
        sa.Column("closed_at", _TS, nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["enforcement_subject.id"],
            name=op.f("fk_supervision_document_subject_id_enforcement_subject"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_document")),
        sa.UniqueConstraint(
            "region_code",
            "kind",
            "year",
            "seq",
            name=op.f("uq_supervision_document_region_code_kind_year_seq"),
        ),
    )
    with op.batch_alter_table("supervision_document", schema=None) as batch_op:
        for column in ("number", "region_code", "subject_id", "reply_due_on", "status"):
            batch_op.create_index(
                batch_op.f(f"ix_supervision_document_{column}"), [column], unique=False
            )
    op.create_table(
        "supervision_document_sequence",
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "region_code", "kind", "year", name=op.f("pk_supervision_document_sequence")
        ),
    )


def downgrade() -> None:
    op.drop_table("supervision_document_sequence")
    with op.batch_alter_table("supervision_document", schema=None) as batch_op:
        for column in ("status", "reply_due_on", "subject_id", "region_code", "number"):
            batch_op.drop_index(batch_op.f(f"ix_supervision_document_{column}"))
    op.drop_table("supervision_document")
