"""the officer's offline field page: client ids for idempotent sync

``field_sync_item``: each record revision and each photo a phone sends carries an id the phone
generated; the answer given to it is kept so that a retried sync replays it instead of writing
a second record or file (docs/field.md).

Revision ID: 0027_field_sync
Revises: 0026_enterprise_portal
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wurao.core.db

revision: str = "0027_field_sync"
down_revision: str | None = "0026_enterprise_portal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "field_sync_item",
        sa.Column("id", BigId, nullable=False),
        sa.Column("client_id", sa.String(length=36), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("task_id", BigId, nullable=False),
        sa.Column("evidence_id", BigId, nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created_at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence.id"],
            name=op.f("fk_field_sync_item_evidence_id_evidence"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["inspection_task.id"],
            name=op.f("fk_field_sync_item_task_id_inspection_task"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_field_sync_item_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_sync_item")),
        sa.UniqueConstraint(
            "client_id", "revision", name=op.f("uq_field_sync_item_client_id_revision")
        ),
    )
    with op.batch_alter_table("field_sync_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_field_sync_item_task_id"), ["task_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_field_sync_item_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("field_sync_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_field_sync_item_user_id"))
        batch_op.drop_index(batch_op.f("ix_field_sync_item_task_id"))
    op.drop_table("field_sync_item")
