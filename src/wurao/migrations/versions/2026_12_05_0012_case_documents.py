"""case documents (案件文书): each generated document's number, SHA-256 and template version

``case_document`` holds one row per case and kind (立案审批表, 告知书, 决定书 …): its number, the
date it bears, the SHA-256 of the generated .docx and the template version; regenerating a kind
keeps its number. ``case_document_sequence`` numbers documents per subject, kind and year. New
tables only, so the downgrade drops them.

Revision ID: 0012_case_documents
Revises: 0011_cases
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wurao.core.db

revision: str = "0012_case_documents"
down_revision: str | None = "0011_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "case_document_sequence",
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["enforcement_subject.id"],
            name=op.f("fk_case_document_sequence_subject_id_enforcement_subject"),
        ),
        sa.PrimaryKeyConstraint(
            "subject_id", "kind", "year", name=op.f("pk_case_document_sequence")
        ),
    )
    op.create_table(
        "case_document",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("case_id", _BIG, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=160), nullable=False),
        sa.Column("dated", sa.Date(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("template_version", sa.String(length=20), nullable=False),
        sa.Column("generated_by_id", sa.Integer(), nullable=True),
        sa.Column("generated_at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["penalty_case.id"],
            name=op.f("fk_case_document_case_id_penalty_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["generated_by_id"],
            ["app_user.id"],
            name=op.f("fk_case_document_generated_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_document")),
        sa.UniqueConstraint("number", name=op.f("uq_case_document_number")),
    )
    op.create_index("ix_case_document_case_kind", "case_document", ["case_id", "kind"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_case_document_case_kind", table_name="case_document")
    op.drop_table("case_document")
    op.drop_table("case_document_sequence")
