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


class Alert(Base):
    """An early warning raised by a supervision rule, with its evidence and lifecycle.

    新建 new → 已提醒 notified (a 风险提示函 sent to the subject's inbox) → 已整改 rectified
    (the subject's written response) | 已核销 dismissed (the supervisor's reason). Nothing is
    deleted. ``dedup_key`` makes a sweep idempotent: the same finding raises one alert.
    """

    __tablename__ = "alert"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(40), index=True)  # as in RULES.md / rules page
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    severity: Mapped[str] = mapped_column(String(8))  # WARN / BLOCK / INFO
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("enterprise.id"), index=True
    )
    task_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("inspection_task.id"), index=True)
    evidence: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of {type,id,label}
    status: Mapped[str] = mapped_column(String(12), default="new", index=True)
    created_at: Mapped[dt.datetime]
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("risk_notice.id"))
    notified_at: Mapped[dt.datetime | None]
    response: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[dt.datetime | None]
    responded_by_id: Mapped[int | None] = mapped_column(Integer)
    dismissed_reason: Mapped[str] = mapped_column(Text, default="")
    dismissed_at: Mapped[dt.datetime | None]
    dismissed_by_id: Mapped[int | None] = mapped_column(Integer)


class RiskNotice(Base):
    """A 风险提示函 sent by the supervisor to a subject about one or more alerts."""

    __tablename__ = "risk_notice"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)  # e.g. 柯司风提〔2026〕3号
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    issued_at: Mapped[dt.datetime]
    issued_by_id: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    docx_sha256: Mapped[str] = mapped_column(String(64), default="")


class InboxMessage(Base):
    """A message in a subject's inbox (risk notices, returned filings …)."""

    __tablename__ = "inbox_message"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime]
    read_at: Mapped[dt.datetime | None]
