"""tasks name a real draw (foreign key); cross-region (异地) inspection approvals as records

``inspection_task.draw_id`` was a bare integer: a task could claim any 双随机 draw. It becomes a
foreign key to ``draw``. A task whose ``draw_id`` points at no draw had claimed a draw that
never existed; its ``draw_id`` is set to NULL (the claim proves nothing and no row could take
its place), so that task now fails pre-check A4 ("来源为双随机抽查，但未关联抽查记录") instead
of passing on an empty number. The tasks changed are counted in the migration's log line.

``cross_region_approval`` (with the enterprises and items it covers) records a common
superior's approval of a 异地检查 (A8, 衢政办发〔2025〕16号 第10项);
``task_subject.cross_region_approval_id`` binds the approval a code rested on. The old
free-text ``task_subject.remote_approval_ref`` stays as entered, no longer accepted by A8.

``inspection_task.finished_without_code_on``: the day an inspection carried out before its
code was completed, from which the 补码 window counts (衢政办发〔2025〕16号 第7项).

SQLite cannot add a foreign key to an existing table without rebuilding it, and rebuilding
``inspection_task`` with foreign keys enforced would delete every task's subjects, items and
officers (``ON DELETE CASCADE`` fires on the implicit DELETE of ``DROP TABLE``). So on SQLite
the constrained columns are added with ``ALTER TABLE … ADD COLUMN … REFERENCES`` (the old
``draw_id`` is renamed aside, copied and dropped), never by a batch rebuild.

Revision ID: 0009_task_draw_fk_cross_region
Revises: 0008_indicator_times
Create Date: 2026-12-05
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wurao.core.db

revision: str = "0009_task_draw_fk_cross_region"
down_revision: str | None = "0008_indicator_times"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
DRAW_FK = "fk_inspection_task_draw_id_draw"
APPROVAL_FK = "fk_task_subject_cross_region_approval_id_cross_region_approval"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    op.create_table(
        "cross_region_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("organ_name", sa.String(length=120), nullable=False),
        sa.Column("organ_region_code", sa.String(length=12), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("doc_no", sa.String(length=120), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", wurao.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organ_region_code"],
            ["region.code"],
            name=op.f("fk_cross_region_approval_organ_region_code_region"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["app_user.id"],
            name=op.f("fk_cross_region_approval_recorded_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["enforcement_subject.id"],
            name=op.f("fk_cross_region_approval_subject_id_enforcement_subject"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cross_region_approval")),
    )
    op.create_index(
        op.f("ix_cross_region_approval_subject_id"), "cross_region_approval", ["subject_id"]
    )
    op.create_table(
        "cross_region_approval_enterprise",
        sa.Column("approval_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["cross_region_approval.id"],
            name=op.f("fk_cross_region_approval_enterprise_approval_id_cross_region_approval"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_cross_region_approval_enterprise_enterprise_id_enterprise"),
        ),
        sa.PrimaryKeyConstraint(
            "approval_id", "enterprise_id", name=op.f("pk_cross_region_approval_enterprise")
        ),
    )
    op.create_index(
        op.f("ix_cross_region_approval_enterprise_enterprise_id"),
        "cross_region_approval_enterprise",
        ["enterprise_id"],
    )
    op.create_table(
        "cross_region_approval_item",
        sa.Column("approval_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["cross_region_approval.id"],
            name=op.f("fk_cross_region_approval_item_approval_id_cross_region_approval"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["inspection_item.id"],
            name=op.f("fk_cross_region_approval_item_item_id_inspection_item"),
        ),
        sa.PrimaryKeyConstraint(
            "approval_id", "item_id", name=op.f("pk_cross_region_approval_item")
        ),
    )

    op.add_column(
        "inspection_task", sa.Column("finished_without_code_on", sa.Date(), nullable=True)
    )

    # A draw_id that names no draw: the claim is dropped (see the module docstring).
    dangling = op.get_bind().execute(
        sa.text(
            "UPDATE inspection_task SET draw_id = NULL WHERE draw_id IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM draw WHERE draw.id = inspection_task.draw_id)"
        )
    )
    if dangling.rowcount:
        log.warning("0009: %d task(s) named a draw that does not exist; draw_id set to NULL",
                    dangling.rowcount)  # fmt: skip
    if _sqlite():
        op.drop_index("ix_inspection_task_draw_id", table_name="inspection_task")
        op.execute("ALTER TABLE inspection_task RENAME COLUMN draw_id TO draw_id_unchecked")
        op.execute(
            f"ALTER TABLE inspection_task ADD COLUMN draw_id INTEGER"
            f" CONSTRAINT {DRAW_FK} REFERENCES draw (id)"
        )
        op.execute("UPDATE inspection_task SET draw_id = draw_id_unchecked")
        op.execute("ALTER TABLE inspection_task DROP COLUMN draw_id_unchecked")
        op.create_index("ix_inspection_task_draw_id", "inspection_task", ["draw_id"])
        op.execute(
            f"ALTER TABLE task_subject ADD COLUMN cross_region_approval_id INTEGER"
            f" CONSTRAINT {APPROVAL_FK} REFERENCES cross_region_approval (id)"
        )
    else:
        op.create_foreign_key(DRAW_FK, "inspection_task", "draw", ["draw_id"], ["id"])
        op.add_column(
            "task_subject", sa.Column("cross_region_approval_id", sa.Integer(), nullable=True)
        )
        op.create_foreign_key(
            APPROVAL_FK,
            "task_subject",
            "cross_region_approval",
            ["cross_region_approval_id"],
            ["id"],
        )


def downgrade() -> None:
    if _sqlite():
        # Columns added with an inline REFERENCES can be dropped in place (no rebuild).
        op.execute("ALTER TABLE task_subject DROP COLUMN cross_region_approval_id")
        op.drop_index("ix_inspection_task_draw_id", table_name="inspection_task")
        op.execute("ALTER TABLE inspection_task RENAME COLUMN draw_id TO draw_id_checked")
        op.execute("ALTER TABLE inspection_task ADD COLUMN draw_id INTEGER")
        op.execute("UPDATE inspection_task SET draw_id = draw_id_checked")
        op.execute("ALTER TABLE inspection_task DROP COLUMN draw_id_checked")
        op.create_index("ix_inspection_task_draw_id", "inspection_task", ["draw_id"])
    else:
        op.drop_constraint(APPROVAL_FK, "task_subject", type_="foreignkey")
        op.drop_column("task_subject", "cross_region_approval_id")
        op.drop_constraint(DRAW_FK, "inspection_task", type_="foreignkey")
    op.drop_column("inspection_task", "finished_without_code_on")
    op.drop_table("cross_region_approval_item")
    op.drop_index(
        op.f("ix_cross_region_approval_enterprise_enterprise_id"),
        table_name="cross_region_approval_enterprise",
    )
    op.drop_table("cross_region_approval_enterprise")
    op.drop_index(op.f("ix_cross_region_approval_subject_id"), table_name="cross_region_approval")
    op.drop_table("cross_region_approval")
