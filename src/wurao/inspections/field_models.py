"""The field page's sync ledger: what each client-generated id already did on the server.

The officer's phone gives every record revision and every photo an id of its own (a UUID);
the ledger keeps the answer given to each, so that a sync retried after a lost reply (the
network dropped before the phone heard back) replays that answer instead of writing twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId


class FieldSyncItem(Base):
    """One record revision or one file a phone sent, and the answer it was given."""

    __tablename__ = "field_sync_item"
    # A replay ledger: the record, checklist and evidence writes it answers for are audited.
    __audit_exempt__ = True

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(36))
    revision: Mapped[int] = mapped_column(Integer, default=0)  # a record's local revision
    kind: Mapped[str] = mapped_column(String(10))  # record / file
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("inspection_task.id"), index=True)
    evidence_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("evidence.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(12))
    answer: Mapped[str] = mapped_column(Text)  # the JSON answer, replayed on a retry
    created_at: Mapped[dt.datetime]

    __table_args__ = (UniqueConstraint("client_id", "revision"),)
