"""执法监督员 and 企业联系点 registries; supervisors observing an inspection (伴随式监督)

``enforcement_monitor`` holds the 行政执法监督员 a region's 司法局 appointed (term, document
number, optional sign-in account); ``enterprise_contact_point`` the enterprises that volunteer
to report directly; ``task_observer`` who accompanies an inspection and ``observer_finding``
what they found on it.

Revision ID: 0020_monitors_observers
Revises: 0019_supervision_documents
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import wurao.core.db

revision: str = "0020_monitors_observers"
down_revision: str | None = "0019_supervision_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_AT = wurao.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "enforcement_monitor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("ric", sa.String(length=18), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("organ", sa.String(length=120), nullable=False),
        sa.Column("appointed_by", sa.String(length=120), nullable=False),
        sa.Column("appointment_no", sa.String(length=80), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", _AT, nullable=True),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_enforcement_monitor_region_code_region")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_enforcement_monitor_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_monitor")),
        sa.UniqueConstraint("ric", name=op.f("uq_enforcement_monitor_ric")),
        sa.UniqueConstraint("user_id", name=op.f("uq_enforcement_monitor_user_id")),
    )
    op.create_index(
        op.f("ix_enforcement_monitor_region_code"), "enforcement_monitor", ["region_code"]
    )
    op.create_table(
        "enterprise_contact_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", _BIG, nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("contact_name", sa.String(length=60), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", _AT, nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_enterprise_contact_point_enterprise_id_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["region.code"],
            name=op.f("fk_enterprise_contact_point_region_code_region"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_contact_point")),
        sa.UniqueConstraint(
            "enterprise_id", name=op.f("uq_enterprise_contact_point_enterprise_id")
        ),
    )
    op.create_index(
        op.f("ix_enterprise_contact_point_region_code"),
        "enterprise_contact_point",
        ["region_code"],
    )
    op.create_table(
        "task_observer",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("task_id", _BIG, nullable=False),
        sa.Column("monitor_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("capacity", sa.String(length=20), nullable=False),
        sa.Column("added_at", _AT, nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["app_user.id"], name=op.f("fk_task_observer_added_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["monitor_id"],
            ["enforcement_monitor.id"],
            name=op.f("fk_task_observer_monitor_id_enforcement_monitor"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["inspection_task.id"],
            name=op.f("fk_task_observer_task_id_inspection_task"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_task_observer_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_observer")),
        sa.UniqueConstraint(
            "task_id", "monitor_id", name=op.f("uq_task_observer_task_id_monitor_id")
        ),
        sa.UniqueConstraint("task_id", "user_id", name=op.f("uq_task_observer_task_id_user_id")),
    )
    op.create_index("ix_task_observer_monitor", "task_observer", ["monitor_id"])
    op.create_index(op.f("ix_task_observer_task_id"), "task_observer", ["task_id"])
    op.create_index(op.f("ix_task_observer_user_id"), "task_observer", ["user_id"])
    op.create_table(
        "observer_finding",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("task_id", _BIG, nullable=False),
        sa.Column("observer_id", _BIG, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["app_user.id"],
            name=op.f("fk_observer_finding_created_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["observer_id"],
            ["task_observer.id"],
            name=op.f("fk_observer_finding_observer_id_task_observer"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["inspection_task.id"],
            name=op.f("fk_observer_finding_task_id_inspection_task"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observer_finding")),
    )
    op.create_index(op.f("ix_observer_finding_task_id"), "observer_finding", ["task_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_observer_finding_task_id"), table_name="observer_finding")
    op.drop_table("observer_finding")
    op.drop_index(op.f("ix_task_observer_user_id"), table_name="task_observer")
    op.drop_index(op.f("ix_task_observer_task_id"), table_name="task_observer")
    op.drop_index("ix_task_observer_monitor", table_name="task_observer")
    op.drop_table("task_observer")
    op.drop_index(
        op.f("ix_enterprise_contact_point_region_code"), table_name="enterprise_contact_point"
    )
    op.drop_table("enterprise_contact_point")
    op.drop_index(op.f("ix_enforcement_monitor_region_code"), table_name="enforcement_monitor")
    op.drop_table("enforcement_monitor")
