"""case-file reviews (案卷评查): plans, drawn samples, checklists, scores, problems

Revision ID: 0018_case_file_reviews
Revises: 0017_rectification
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wurao.core.db

revision: str = "0018_case_file_reviews"
down_revision: str | None = "0017_rectification"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "review_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("file_kind", sa.String(length=12), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=True),
        sa.Column("sample_rate", sa.String(length=12), nullable=False),
        sa.Column("focus", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("frozen_json", sa.Text(), nullable=False),
        sa.Column("frozen_sha256", sa.String(length=64), nullable=False),
        sa.Column("pool_file", sa.Text(), nullable=False),
        sa.Column("seed_hex", sa.String(length=64), nullable=False),
        sa.Column("drawn_at", wurao.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", wurao.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_review_plan_created_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_plan")),
    )
    with op.batch_alter_table("review_plan", schema=None) as batch_op:
        batch_op.create_index("ix_review_plan_region_year", ["region_code", "year"], unique=False)

    op.create_table(
        "review_plan_subject",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["review_plan.id"],
            name=op.f("fk_review_plan_subject_plan_id_review_plan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["enforcement_subject.id"],
            name=op.f("fk_review_plan_subject_subject_id_enforcement_subject"),
        ),
        sa.PrimaryKeyConstraint("plan_id", "subject_id", name=op.f("pk_review_plan_subject")),
    )
    op.create_table(
        "review_file",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("file_key", sa.String(length=20), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("draw_key", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("task_id", _BIG, nullable=True),
        sa.Column("case_id", _BIG, nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("grade", sa.String(length=12), nullable=False),
        sa.Column("vetoed", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("checked_at", wurao.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("scored_at", wurao.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("scored_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["penalty_case.id"], name=op.f("fk_review_file_case_id_penalty_case")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["review_plan.id"], name=op.f("fk_review_file_plan_id_review_plan")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["app_user.id"], name=op.f("fk_review_file_reviewer_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["scored_by_id"], ["app_user.id"], name=op.f("fk_review_file_scored_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["enforcement_subject.id"],
            name=op.f("fk_review_file_subject_id_enforcement_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["inspection_task.id"], name=op.f("fk_review_file_task_id_inspection_task")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_file")),
    )
    with op.batch_alter_table("review_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_file_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_file_subject_id"), ["subject_id"], unique=False)

    op.create_table(
        "review_item",
        sa.Column("file_id", _BIG, nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("auto_result", sa.String(length=8), nullable=False),
        sa.Column("auto_note", sa.Text(), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("deduction", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["review_file.id"],
            name=op.f("fk_review_item_file_id_review_file"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_id", "code", name=op.f("pk_review_item")),
    )
    op.create_table(
        "review_problem",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("file_id", _BIG, nullable=False),
        sa.Column("item_code", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("opened", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_review_problem_created_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["review_file.id"], name=op.f("fk_review_problem_file_id_review_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_problem")),
    )
    with op.batch_alter_table("review_problem", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_problem_file_id"), ["file_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_problem", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_problem_file_id"))

    op.drop_table("review_problem")
    op.drop_table("review_item")
    with op.batch_alter_table("review_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_file_subject_id"))
        batch_op.drop_index(batch_op.f("ix_review_file_plan_id"))

    op.drop_table("review_file")
    op.drop_table("review_plan_subject")
    with op.batch_alter_table("review_plan", schema=None) as batch_op:
        batch_op.drop_index("ix_review_plan_region_year")

    op.drop_table("review_plan")
