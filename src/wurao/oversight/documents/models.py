"""Tables of this sub-domain: the supervision documents and their per-organ number sequence."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId


class SupervisionDocument(Base):
    """A 监督意见书, 监督建议书, 督办通知 or 评查通报 issued by a region's supervisor to a subject.

    sent 已送达 → replied 已答复 (the subject's written reply) → closed 已办结 (the supervisor
    acknowledges). The number is given once from the sequence row below; the .docx issued is
    kept content-addressed and its SHA-256 stored so that the copy the subject holds can be
    checked. ``sources`` is a JSON list of ``{kind, id, label}`` (clue, alert, review,
    rectification) the document was drawn from.
    """

    __tablename__ = "supervision_document"
    __table_args__ = (UniqueConstraint("region_code", "kind", "year", "seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # documents.statuses.DocumentKind
    # e.g. 柯司监意〔2026〕3号; unique per issuing region through (region_code, kind, year, seq):
    # two organs may share an abbreviation (柯城区 and 柯桥区 both write 柯司).
    number: Mapped[str] = mapped_column(String(80), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)  # the issuing organ's
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sources: Mapped[str] = mapped_column(Text, default="[]")
    dated: Mapped[dt.date] = mapped_column(Date)  # the date the document bears
    issued_at: Mapped[dt.datetime]
    issued_by_id: Mapped[int | None] = mapped_column(Integer)
    docx_sha256: Mapped[str] = mapped_column(String(64), default="")
    template_version: Mapped[str] = mapped_column(String(20), default="")
    reply_due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(12), default="sent", index=True)
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[dt.datetime | None]
    replied_by_id: Mapped[int | None] = mapped_column(Integer)
    close_note: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[dt.datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(Integer)


class SupervisionDocumentSequence(Base):
    """The last number used per issuing region, kind and year (locked while numbering)."""

    __tablename__ = "supervision_document_sequence"
    __audit_exempt__ = True  # a counter; the document it numbers is audited

    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)
