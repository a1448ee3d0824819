"""the clue loop (线索): channels, problem types, routing with a deadline, 督办, answers, 回访

``clue`` gains its public reference, problem type, hotline work-order number and the loop's
dates; ``clue_event`` is each clue's history, ``clue_attachment`` the subject's evidence files
and ``clue_import_mapping`` a region's saved column mapping per hotline. Existing clues get a
reference here so that their reporters can follow them too.

Revision ID: 0015_clue_loop
Revises: 0014_case_publication
Create Date: 2026-12-05
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wurao.core.db

revision: str = "0015_clue_loop"
down_revision: str | None = "0014_case_publication"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as wurao.oversight.models.new_reference


def upgrade() -> None:
    op.create_table(
        "clue_import_mapping",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("mapping", sa.Text(), nullable=False),
        sa.Column("updated_at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clue_import_mapping")),
        sa.UniqueConstraint(
            "region_code", "source", name=op.f("uq_clue_import_mapping_region_code_source")
        ),
    )
    op.create_table(
        "clue_event",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("clue_id", _BIG, nullable=False),
        sa.Column("at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["clue_id"], ["clue.id"], name=op.f("fk_clue_event_clue_id_clue")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clue_event")),
    )
    with op.batch_alter_table("clue_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clue_event_clue_id"), ["clue_id"], unique=False)
    op.create_table(
        "clue_attachment",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("clue_id", _BIG, nullable=False),
        sa.Column("event_id", _BIG, nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clue_id"], ["clue.id"], name=op.f("fk_clue_attachment_clue_id_clue")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["clue_event.id"], name=op.f("fk_clue_attachment_event_id_clue_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clue_attachment")),
    )
    with op.batch_alter_table("clue_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clue_attachment_clue_id"), ["clue_id"], unique=False)

    empty = sa.text("''")
    with op.batch_alter_table("clue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=12), nullable=True))
        batch_op.add_column(
            sa.Column("problem_type", sa.String(length=20), nullable=False, server_default=empty)
        )
        batch_op.add_column(sa.Column("enterprise_id", _BIG, nullable=True))
        batch_op.add_column(
            sa.Column("work_order_no", sa.String(length=60), nullable=False, server_default=empty)
        )
        batch_op.add_column(
            sa.Column("reporter_name", sa.String(length=50), nullable=False, server_default=empty)
        )
        batch_op.add_column(
            sa.Column("received_at", wurao.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("routed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("supervised_times", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("answer", sa.Text(), nullable=False, server_default=empty))
        batch_op.add_column(
            sa.Column("answered_at", wurao.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("follow_up", sa.Text(), nullable=False, server_default=empty))
        batch_op.add_column(
            sa.Column("followed_up_at", wurao.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("closed_at", wurao.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_clue_due_on"), ["due_on"], unique=False)
        batch_op.create_index(
            "ix_clue_source_work_order", ["source", "work_order_no"], unique=False
        )
        batch_op.create_unique_constraint(batch_op.f("uq_clue_reference"), ["reference"])
        batch_op.create_foreign_key(
            batch_op.f("fk_clue_enterprise_id_enterprise"), "enterprise", ["enterprise_id"], ["id"]
        )
    # The model sets these in Python; the server defaults only filled the existing rows.
    with op.batch_alter_table("clue", schema=None) as batch_op:
        for name in ("problem_type", "work_order_no", "reporter_name", "answer", "follow_up"):
            batch_op.alter_column(name, server_default=None)
        batch_op.alter_column("supervised_times", server_default=None)
    bind = op.get_bind()
    clue = sa.table("clue", sa.column("id"), sa.column("reference"))
    ids = bind.execute(sa.select(clue.c.id).where(clue.c.reference.is_(None))).scalars().all()
    for clue_id in ids:
        ref = "XS" + "".join(secrets.choice(_ALPHABET) for _ in range(10))
        bind.execute(sa.update(clue).where(clue.c.id == clue_id).values(reference=ref))


def downgrade() -> None:
    with op.batch_alter_table("clue", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_clue_enterprise_id_enterprise"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_clue_reference"), type_="unique")
        batch_op.drop_index("ix_clue_source_work_order")
        batch_op.drop_index(batch_op.f("ix_clue_due_on"))
        for name in (
            "closed_at",
            "followed_up_at",
            "follow_up",
            "answered_at",
            "answer",
            "supervised_times",
            "due_on",
            "routed_on",
            "received_at",
            "reporter_name",
            "work_order_no",
            "enterprise_id",
            "problem_type",
            "reference",
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("clue_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clue_attachment_clue_id"))
    op.drop_table("clue_attachment")
    with op.batch_alter_table("clue_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clue_event_clue_id"))
    op.drop_table("clue_event")
    op.drop_table("clue_import_mapping")
