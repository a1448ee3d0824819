"""Rectification items (整改事项) and their history.

One row per thing a subject must fix, whatever raised it: an alert's 风险提示函, a problem
found by a case-file review, a clue or a supervision document (``source_kind`` and
``source_id`` name it). The subject answers with evidence, the supervisor accepts (销号) or
returns it; each step is a ``rectification_event``. Evidence files are kept once by their
SHA-256 in the shared evidence store (core/evidence_store.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId


class RectificationItem(Base):
    """What one subject must fix, by when, and where it stands (statuses.py)."""

    __tablename__ = "rectification_item"
    __table_args__ = (
        Index("ix_rectification_item_source", "source_kind", "source_id"),
        Index("ix_rectification_item_subject_status", "subject_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)  # the subject's region
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"))
    source_kind: Mapped[str] = mapped_column(String(12))  # alert / review / clue / document
    source_id: Mapped[int] = mapped_column(BigId)
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    opened_on: Mapped[dt.date]
    due_on: Mapped[dt.date] = mapped_column(index=True)
    opened_by_id: Mapped[int | None] = mapped_column(Integer)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[dt.datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(Integer)
    returned_times: Mapped[int] = mapped_column(Integer, default=0)
    verdict: Mapped[str] = mapped_column(Text, default="")  # the supervisor's note on 销号/退回
    closed_at: Mapped[dt.datetime | None]  # accepted (销号) or withdrawn
    closed_by_id: Mapped[int | None] = mapped_column(Integer)


class RectificationEvent(Base):
    """One step of an item's history: who, when, what, the status after it."""

    __tablename__ = "rectification_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("rectification_item.id"), index=True)
    at: Mapped[dt.datetime]
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[dt.date | None]


class RectificationEvidence(Base):
    """A file the subject gave with its answer, kept in the evidence store by SHA-256."""

    __tablename__ = "rectification_evidence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("rectification_item.id"), index=True)
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("rectification_event.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
