"""Major-decision filings (重大执法决定备案), their history and the case file attached.

One row per decision that must be filed (a penalty decision, or a coercive measure — ``kind``
and ``source_id`` name it; ``case_id`` links the penalty case when there is one). The subject
files it with a report, the supervisor of the region accepts it or returns it with a 监督意见;
each step is a ``major_filing_event``. The documents of the case as they stood at each
submission are listed with their SHA-256 (``major_filing_document``), so that the supervisor's
review names exactly the files it read.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId


class MajorFiling(Base):
    """One decision to be filed with the supervisor, its deadline and where it stands."""

    __tablename__ = "major_filing"
    __table_args__ = (
        Index("ix_major_filing_source", "kind", "source_id", unique=True),
        Index("ix_major_filing_region_status", "region_code", "status"),
        Index("ix_major_filing_subject_status", "subject_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12))  # the subject's region
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"))
    kind: Mapped[str] = mapped_column(String(12))  # penalty / coercion (statuses.FilingKind)
    source_id: Mapped[int] = mapped_column(BigId)  # the case's id, or the measure's
    case_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("penalty_case.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    grounds: Mapped[str] = mapped_column(Text, default="")  # why it must be filed (the policy)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)  # None: calendar unknown
    status: Mapped[str] = mapped_column(String(12), default="due")
    filed_on: Mapped[dt.date | None] = mapped_column(Date)  # the first filing
    report: Mapped[str] = mapped_column(Text, default="")  # the subject's latest report
    opinion: Mapped[str] = mapped_column(Text, default="")  # the supervisor's latest 监督意见
    returned_times: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime]
    reviewed_at: Mapped[dt.datetime | None]


class MajorFilingEvent(Base):
    """One step of a filing's history: who, when, what, the status after it."""

    __tablename__ = "major_filing_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    filing_id: Mapped[int] = mapped_column(BigId, ForeignKey("major_filing.id"), index=True)
    at: Mapped[dt.datetime]
    day: Mapped[dt.date] = mapped_column(Date)  # the legal date of the step
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")


class MajorFilingDocument(Base):
    """A document or evidence file of the case as attached at one step (creation or filing)."""

    __tablename__ = "major_filing_document"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    filing_id: Mapped[int] = mapped_column(BigId, ForeignKey("major_filing.id"), index=True)
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("major_filing_event.id"))
    source: Mapped[str] = mapped_column(String(12))  # document (文书) / evidence (证据)
    name: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(160), default="")  # 文书编号
    sha256: Mapped[str] = mapped_column(String(64))
