"""penalty cases (行政处罚案件): the case, its officers, evidence, suspensions, extensions, steps

``penalty_case`` holds one case with its dated milestones (线索发现, 立案, 告知, 听证, 法制审核,
集体讨论, 决定, 送达, 缴款, 结案), from which every statutory clock of rules D2–D16 starts;
``case_suspension`` and ``case_extension`` move the D3 decision clock; ``case_step`` is the
timeline; ``case_sequence`` numbers cases per subject and year. New tables only: nothing
existing changes, so the downgrade drops them (their indexes go with them).

Revision ID: 0011_cases
Revises: 0010_draw_salt
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wurao.core.db

revision: str = "0011_cases"
down_revision: str | None = "0010_draw_salt"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_sequence",
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["enforcement_subject.id"],
            name=op.f("fk_case_sequence_subject_id_enforcement_subject"),
        ),
        sa.PrimaryKeyConstraint("subject_id", "year", name=op.f("pk_case_sequence")),
    )
    op.create_table(
        "penalty_case",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.String(length=160), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("field", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("clue_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("origin_ref", sa.String(length=120), nullable=False),
        sa.Column("procedure", sa.String(length=10), nullable=False),
        sa.Column("party_kind", sa.String(length=12), nullable=False),
        sa.Column(
            "enterprise_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("person_name", sa.String(length=60), nullable=False),
        sa.Column("person_ric", sa.String(length=18), nullable=False),
        sa.Column("party_name", sa.String(length=200), nullable=False),
        sa.Column("act_on", sa.Date(), nullable=False),
        sa.Column("act_end_on", sa.Date(), nullable=True),
        sa.Column("grave_harm", sa.Boolean(), nullable=False),
        sa.Column("limitation_override", sa.Text(), nullable=False),
        sa.Column("complex_case", sa.Boolean(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("provisions_breached", sa.Text(), nullable=False),
        sa.Column("provisions_applied", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("filing_extended", sa.Boolean(), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("notice_kinds", sa.String(length=200), nullable=False),
        sa.Column(
            "notice_fine_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "notice_confiscation_fen",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("notice_hearing_rights", sa.Boolean(), nullable=False),
        sa.Column("notice_served_on", sa.Date(), nullable=True),
        sa.Column("defence_recorded_on", sa.Date(), nullable=True),
        sa.Column("defence_waived", sa.Boolean(), nullable=False),
        sa.Column("defence_note", sa.Text(), nullable=False),
        sa.Column("hearing_requested_on", sa.Date(), nullable=True),
        sa.Column("hearing_notified_on", sa.Date(), nullable=True),
        sa.Column("hearing_on", sa.Date(), nullable=True),
        sa.Column("hearing_presiding_id", sa.Integer(), nullable=True),
        sa.Column("hearing_held_on", sa.Date(), nullable=True),
        sa.Column("hearing_absent", sa.Boolean(), nullable=False),
        sa.Column("hearing_record", sa.Text(), nullable=False),
        sa.Column("review_sent_on", sa.Date(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.Column("review_passed", sa.Boolean(), nullable=True),
        sa.Column("review_opinion", sa.Text(), nullable=False),
        sa.Column("discussed_on", sa.Date(), nullable=True),
        sa.Column("discussion_minutes", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_kinds", sa.String(length=200), nullable=False),
        sa.Column("fine_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "confiscation_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("remedy", sa.Text(), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=True),
        sa.Column("served_how", sa.String(length=12), nullable=False),
        sa.Column("payment_ref", sa.String(length=60), nullable=False),
        sa.Column("payment_due_on", sa.Date(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("paid_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("paid_channel", sa.String(length=12), nullable=False),
        sa.Column(
            "surcharge_fen", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("remedy_from", sa.Date(), nullable=True),
        sa.Column("remedy_to", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clue_id"], ["clue.id"], name=op.f("fk_penalty_case_clue_id_clue")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_penalty_case_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_penalty_case_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["hearing_presiding_id"],
            ["officer.id"],
            name=op.f("fk_penalty_case_hearing_presiding_id_officer"),
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["inspection_record.id"],
            name=op.f("fk_penalty_case_record_id_inspection_record"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["app_user.id"], name=op.f("fk_penalty_case_reviewer_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["enforcement_subject.id"],
            name=op.f("fk_penalty_case_subject_id_enforcement_subject"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_penalty_case")),
        sa.UniqueConstraint("number", name=op.f("uq_penalty_case_number")),
    )
    op.create_index("ix_penalty_case_enterprise", "penalty_case", ["enterprise_id"], unique=False)
    op.create_index("ix_penalty_case_person_ric", "penalty_case", ["person_ric"], unique=False)
    op.create_index(
        "ix_penalty_case_region_status", "penalty_case", ["region_code", "status"], unique=False
    )
    op.create_index(
        "ix_penalty_case_subject_year", "penalty_case", ["subject_id", "year"], unique=False
    )

    op.create_table(
        "case_evidence",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("uri", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["app_user.id"], name=op.f("fk_case_evidence_added_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["penalty_case.id"],
            name=op.f("fk_case_evidence_case_id_penalty_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_evidence")),
    )
    op.create_index(op.f("ix_case_evidence_case_id"), "case_evidence", ["case_id"], unique=False)

    op.create_table(
        "case_extension",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("approved_by", sa.String(length=60), nullable=False),
        sa.Column("collective", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["penalty_case.id"],
            name=op.f("fk_case_extension_case_id_penalty_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_case_extension_recorded_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_extension")),
    )
    op.create_index(op.f("ix_case_extension_case_id"), "case_extension", ["case_id"], unique=False)

    op.create_table(
        "case_officer",
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["penalty_case.id"],
            name=op.f("fk_case_officer_case_id_penalty_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name=op.f("fk_case_officer_officer_id_officer")
        ),
        sa.PrimaryKeyConstraint("case_id", "officer_id", name=op.f("pk_case_officer")),
    )
    op.create_index(
        op.f("ix_case_officer_officer_id"), "case_officer", ["officer_id"], unique=False
    )

    op.create_table(
        "case_step",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_case_step_actor_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["penalty_case.id"],
            name=op.f("fk_case_step_case_id_penalty_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_step")),
    )
    op.create_index(op.f("ix_case_step_case_id"), "case_step", ["case_id"], unique=False)

    op.create_table(
        "case_suspension",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["penalty_case.id"],
            name=op.f("fk_case_suspension_case_id_penalty_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_case_suspension_recorded_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_suspension")),
    )
    op.create_index(
        op.f("ix_case_suspension_case_id"), "case_suspension", ["case_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("case_suspension")
    op.drop_table("case_step")
    op.drop_table("case_officer")
    op.drop_table("case_extension")
    op.drop_table("case_evidence")
    op.drop_table("penalty_case")
    op.drop_table("case_sequence")
