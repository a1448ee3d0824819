"""Tables of the core mechanisms: the audit chain and the working-day calendar table."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base


class AuditEntry(Base):
    """One append-only, hash-chained record of a change made through the service layer."""

    __tablename__ = "audit_entry"
    __audit_exempt__ = True

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[dt.datetime]
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str] = mapped_column(String(30))
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(Text, default="")
    before_digest: Mapped[str | None] = mapped_column(String(64))
    after_digest: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """A single row holding the chain's last sequence number and hash.

    A commit numbers its transaction's entries under a lock on this row (``SELECT … FOR
    UPDATE`` on PostgreSQL, held from there to COMMIT; SQLite write transactions are already
    serialised), so two transactions can never fork the chain (``core/audit.py`` ``settle``).
    """

    __tablename__ = "audit_head"
    __audit_exempt__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class CalendarDay(Base):
    """A day whose status an administrator has set: a holiday or a make-up working day."""

    __tablename__ = "calendar_day"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_working: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(40), default="")


class CalendarYear(Base):
    """A year whose whole State Council holiday schedule has been imported."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime]
    imported_by: Mapped[str] = mapped_column(String(100))
