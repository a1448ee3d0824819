"""Supervision records. Clues (线索) arrive from the public and from enterprises."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId


class Clue(Base):
    """A supervision clue: a report of an inspection without a code, a complaint, a referral."""

    __tablename__ = "clue"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # codeless_report / evaluation / hotline / referral
    source: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    enterprise_uscc: Mapped[str] = mapped_column(String(18), default="")
    enterprise_name: Mapped[str] = mapped_column(String(200), default="")
    subject_text: Mapped[str] = mapped_column(String(200), default="")  # who came, as reported
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_subject.id"))
    occurred_on: Mapped[dt.date | None]
    description: Mapped[str] = mapped_column(Text)
    reporter_contact: Mapped[str] = mapped_column(String(100), default="")
    task_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("inspection_task.id"))
    # new → handling → closed
    status: Mapped[str] = mapped_column(String(12), default="new")
    created_at: Mapped[dt.datetime]
    handled_note: Mapped[str] = mapped_column(Text, default="")
    handled_by_id: Mapped[int | None] = mapped_column(Integer)
