"""The enterprise's one-stop view (docs/enterprise.md): date requests on a coming inspection,
proof against a rectification order, guidance requests, visits recorded by the enterprise's QR
and one-time account activation links."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId


class TaskSchedule(Base):
    """The day an announced inspection is planned for, inside the task's window.

    Set when the subject accepts the enterprise's request to move the date (检查预告); a task
    without a row is planned "within the window"."""

    __tablename__ = "task_schedule"

    task_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("inspection_task.id", ondelete="CASCADE"), primary_key=True
    )
    planned_on: Mapped[dt.date] = mapped_column(Date)
    set_at: Mapped[dt.datetime]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class DateRequest(Base):
    """The enterprise asks the lead subject to move a coming inspection within its window."""

    __tablename__ = "date_request"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("inspection_task.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    wanted_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    # pending → accepted | declined
    status: Mapped[str] = mapped_column(String(10), default="pending")
    answer: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[dt.datetime]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    answered_at: Mapped[dt.datetime | None]


class RectificationProof(Base):
    """A file the enterprise uploads against a 责令整改 order of an inspection record.

    The file is kept once by its SHA-256 (core/evidence_store.py); the subject accepts the
    proof (the order is rectified) or returns it with a reason (the enterprise uploads again)."""

    __tablename__ = "rectification_proof"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    record_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("inspection_record.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigId, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    # submitted → accepted | returned
    status: Mapped[str] = mapped_column(String(10), default="submitted")
    answer: Mapped[str] = mapped_column(Text, default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[dt.datetime]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    answered_at: Mapped[dt.datetime | None]


class GuidanceRequest(Base):
    """邀约式指导 (衢政办发〔2025〕16号 第18项): the enterprise invites a subject to guide it.

    The visit it leads to is an ``EnterpriseVisit`` of kind ``guidance``: no task, no code, no
    record, so it never counts toward the A5 cap and cannot lead to a penalty case."""

    __tablename__ = "guidance_request"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("enterprise.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    topic: Mapped[str] = mapped_column(Text)
    preferred_on: Mapped[dt.date | None] = mapped_column(Date)
    # pending → agreed → visited; declined
    status: Mapped[str] = mapped_column(String(10), default="pending")
    answer: Mapped[str] = mapped_column(Text, default="")
    agreed_on: Mapped[dt.date | None] = mapped_column(Date)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[dt.datetime]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    answered_at: Mapped[dt.datetime | None]


class EnterpriseVisit(Base):
    """An officer's arrival recorded by scanning the enterprise's own QR.

    ``kind``: inspection (presence on an inspection task), guidance (邀约式指导), publicity
    (政策宣传), survey (走访调研). Only the inspection kind names a task; the others are
    non-enforcement visits counted in the supervisor's visit figures, never in the cap."""

    __tablename__ = "enterprise_visit"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("enterprise.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12))  # the enterprise's, for the scope
    kind: Mapped[str] = mapped_column(String(12))
    task_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("inspection_task.id"))
    guidance_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("guidance_request.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    officer_name: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    scanned_at: Mapped[dt.datetime]
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_enterprise_visit_enterprise", "enterprise_id", "scanned_at"),
        Index("ix_enterprise_visit_region", "region_code", "kind"),
    )


class ActivationLink(Base):
    """A one-time link that lets a new enterprise account set its password; only the token's
    SHA-256 is kept."""

    __tablename__ = "activation_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
