"""双随机 draws, their frozen pool and declared conflicts of interest (回避).

A draw goes draft → frozen (pool hashed, seed committed) → drawn (seed revealed, tasks
created); draft or frozen → cancelled, which keeps the row and reveals a committed seed, so a
cancelled draw cannot hide a re-roll (docs/rules.md C2).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId


class Draw(Base):
    """One 双随机 draw of one subject, or of several for a 部门联合双随机."""

    __tablename__ = "draw"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    lead_subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    # the pool's region (and the draw's scope): the enterprises in it and below
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    draw_date: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(10))  # onsite / offsite / written
    window_start: Mapped[dt.date] = mapped_column(Date)
    window_end: Mapped[dt.date] = mapped_column(Date)
    # pool filter
    industry_codes: Mapped[str] = mapped_column(String(200), default="")  # comma list of prefixes
    credit_classes: Mapped[str] = mapped_column(String(8), default="ABCD")
    tags: Mapped[str] = mapped_column(String(200), default="")  # comma list, any of
    exclude_months: Mapped[int] = mapped_column(Integer, default=0)
    officers_per_subject: Mapped[int] = mapped_column(Integer, default=2)
    officer_cap: Mapped[int] = mapped_column(Integer, default=10)
    public_value_note: Mapped[str] = mapped_column(String(200), default="")
    public_value: Mapped[str] = mapped_column(String(200), default="")
    public_value_at: Mapped[dt.datetime | None]
    # draft / frozen / drawn / cancelled
    status: Mapped[str] = mapped_column(String(10), default="draft")
    pool_sha256: Mapped[str] = mapped_column(String(64), default="")
    pool_size: Mapped[int] = mapped_column(BigId, default=0)
    seed_commitment: Mapped[str] = mapped_column(String(64), default="")
    # secret until the draw (or a cancellation) reveals it; never shown before
    seed_hex: Mapped[str] = mapped_column(String(64), default="")
    seed_revealed: Mapped[bool] = mapped_column(default=False)
    # the salt of the published conflict tags (committed at freeze, never on the public page);
    # NULL for a draw frozen before salting existed: its tags are plain SHA-256 (legacy)
    conflict_salt_hex: Mapped[str | None] = mapped_column(String(64), default=None)
    frozen_json: Mapped[str] = mapped_column(Text, default="")  # canonical JSON, see algorithm
    frozen_sha256: Mapped[str] = mapped_column(String(64), default="")
    result_json: Mapped[str] = mapped_column(Text, default="")  # selection and teams
    tasks_created: Mapped[int] = mapped_column(Integer, default=0)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime]
    frozen_at: Mapped[dt.datetime | None]
    drawn_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]


class DrawSubject(Base):
    """A subject taking part in a draw; the lead defines it."""

    __tablename__ = "draw_subject"

    draw_id: Mapped[int] = mapped_column(
        ForeignKey("draw.id", ondelete="CASCADE"), primary_key=True
    )
    subject_id: Mapped[int] = mapped_column(
        ForeignKey("enforcement_subject.id"), primary_key=True, index=True
    )
    seq: Mapped[int] = mapped_column(Integer, default=0)  # the lead is 0


class DrawItem(Base):
    """An item (on the 随机抽查事项清单) a subject checks at every drawn enterprise."""

    __tablename__ = "draw_item"

    draw_id: Mapped[int] = mapped_column(
        ForeignKey("draw.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_item.id"), primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"))


class DrawPool(Base):
    """The frozen pool file of a draw, gzip-compressed; its SHA-256 is of the plain file."""

    __tablename__ = "draw_pool"

    draw_id: Mapped[int] = mapped_column(
        ForeignKey("draw.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigId)
    content_gz: Mapped[bytes] = mapped_column(LargeBinary)


class OfficerConflict(Base):
    """A declared conflict of interest (回避) between an officer and an enterprise (B4)."""

    __tablename__ = "officer_conflict"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("enterprise.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    declared_at: Mapped[dt.datetime]
    withdrawn_at: Mapped[dt.datetime | None]
