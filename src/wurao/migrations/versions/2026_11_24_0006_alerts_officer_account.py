"""alerts, risk notices, inbox; officers linked to their accounts

Revision ID: 0006_alerts_officer_account
Revises: 0005_draws
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wurao.core.db

revision: str = "0006_alerts_officer_account"
down_revision: str | None = "0005_draws"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = wurao.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "risk_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("issued_at", Stamp, nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("docx_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["enforcement_subject.id"],
            name=op.f("fk_risk_notice_subject_id_enforcement_subject"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_notice")),
        sa.UniqueConstraint("number", name=op.f("uq_risk_notice_number")),
    )
    op.create_index(op.f("ix_risk_notice_subject_id"), "risk_notice", ["subject_id"])
    op.create_index(op.f("ix_risk_notice_region_code"), "risk_notice", ["region_code"])
    op.create_table(
        "alert",
        sa.Column("id", BigId, nullable=False),
        sa.Column("rule_id", sa.String(length=40), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", BigId, nullable=True),
        sa.Column("task_id", BigId, nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=True),
        sa.Column("notified_at", Stamp, nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("responded_at", Stamp, nullable=True),
        sa.Column("responded_by_id", sa.Integer(), nullable=True),
        sa.Column("dismissed_reason", sa.Text(), nullable=False),
        sa.Column("dismissed_at", Stamp, nullable=True),
        sa.Column("dismissed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["enforcement_subject.id"],
            name=op.f("fk_alert_subject_id_enforcement_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_alert_enterprise_id_enterprise")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["inspection_task.id"], name=op.f("fk_alert_task_id_inspection_task")
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["risk_notice.id"], name=op.f("fk_alert_notice_id_risk_notice")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_alert_dedup_key")),
    )
    for column in ("rule_id", "region_code", "subject_id", "status", "enterprise_id", "task_id"):
        op.create_index(op.f(f"ix_alert_{column}"), "alert", [column])
    op.create_table(
        "inbox_message",
        sa.Column("id", BigId, nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=200), nullable=False),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("read_at", Stamp, nullable=True),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["enforcement_subject.id"],
            name=op.f("fk_inbox_message_subject_id_enforcement_subject"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_message")),
    )
    op.create_index(op.f("ix_inbox_message_subject_id"), "inbox_message", ["subject_id"])
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_officer_user_id"), ["user_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_officer_user_id_app_user"), "app_user", ["user_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_officer_user_id_app_user"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_officer_user_id"), type_="unique")
        batch_op.drop_column("user_id")
    op.drop_index(op.f("ix_inbox_message_subject_id"), table_name="inbox_message")
    op.drop_table("inbox_message")
    for column in ("rule_id", "region_code", "subject_id", "status", "enterprise_id", "task_id"):
        op.drop_index(op.f(f"ix_alert_{column}"), table_name="alert")
    op.drop_table("alert")
    op.drop_index(op.f("ix_risk_notice_region_code"), table_name="risk_notice")
    op.drop_index(op.f("ix_risk_notice_subject_id"), table_name="risk_notice")
    op.drop_table("risk_notice")
