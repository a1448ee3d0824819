"""Tables of this sub-domain: a coercive measure (查封、扣押、冻结) with its officers, property
list, testing pauses and steps; an enforcement (强制执行) with its 催告 and court application;
their documents and numbering.

Why a measure row carries its own dates: the 30 + 30-day clock (E6, E8) starts from the day
the measure takes effect and is extended once; the nightly sweep and the list read one indexed
row per measure. A measure may exist before any case (``case_id`` null), so it keeps its own
subject, region and party.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId


class CoerciveMeasure(Base):
    """One 查封, 扣押 or 冻结 decided by one subject against one party."""

    __tablename__ = "coercive_measure"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(160), unique=True)  # 决定书编号
    kind: Mapped[str] = mapped_column(String(10))  # seizure / detention / freeze
    case_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("penalty_case.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"))
    region_code: Mapped[str] = mapped_column(String(12))
    enterprise_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("enterprise.id"))
    party_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)  # 理由 (facts)
    basis: Mapped[str] = mapped_column(Text)  # 依据 (the provision)
    # E3: the party present (or a witness signed), heard, told reasons and remedies
    party_present: Mapped[bool] = mapped_column(Boolean, default=True)
    witness: Mapped[str] = mapped_column(String(60), default="")
    heard: Mapped[bool] = mapped_column(Boolean, default=False)
    # applied → in_force → extended → decided | released (statuses.MEASURE_LIFECYCLE)
    status: Mapped[str] = mapped_column(String(12), default="applied")
    # E2: prior approval, or an emergency reported within 24 hours and approved afterwards
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    emergency_at: Mapped[dt.datetime | None]  # when it was carried out on the spot
    reported_at: Mapped[dt.datetime | None]  # when the head was told (emergency)
    approver: Mapped[str] = mapped_column(String(60), default="")
    approved_at: Mapped[dt.datetime | None]
    # the clock (E6/E8): from the day the measure took effect
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    notified_on: Mapped[dt.date | None] = mapped_column(Date)  # freeze: decision handed over
    extended_on: Mapped[dt.date | None] = mapped_column(Date)
    extension_approver: Mapped[str] = mapped_column(String(60), default="")
    extension_notified_on: Mapped[dt.date | None] = mapped_column(Date)
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    ends_on: Mapped[dt.date | None] = mapped_column(Date)  # the last day, kept for the sweep
    # the ending: confiscate / destroy (decided), release (released)
    outcome: Mapped[str] = mapped_column(String(12), default="")
    outcome_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        Index("ix_coercive_measure_region_status", "region_code", "status"),
        Index("ix_coercive_measure_subject_status", "subject_id", "status", "id"),
        Index("ix_coercive_measure_status_ends", "status", "ends_on"),
    )


class CoercionOfficer(Base):
    """An officer carrying out the measure (E1, E3: two certified officers of the subject)."""

    __tablename__ = "coercion_officer"

    measure_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("coercive_measure.id", ondelete="CASCADE"), primary_key=True
    )
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), primary_key=True, index=True)


class CoercionItem(Base):
    """One line of the 清单 (E4, E5): what, how many, where, whose; ``key`` is the normalised
    identifier (plate, serial number, account) with the description, to refuse a second
    seizure of what an open measure already holds."""

    __tablename__ = "coercion_item"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("coercive_measure.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[str] = mapped_column(String(60))
    location: Mapped[str] = mapped_column(String(200), default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    identifier: Mapped[str] = mapped_column(String(80), default="")
    key: Mapped[str] = mapped_column(String(400), index=True)


class CoercionPause(Base):
    """A testing, inspection, quarantine or appraisal period (E6): excluded from the clock only
    when its period was notified to the party in writing (``notified_on``)."""

    __tablename__ = "coercion_pause"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("coercive_measure.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    notified_on: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class CoerciveEnforcement(Base):
    """One 强制执行 of an administrative decision the party did not carry out: 催告 first,
    then enforcement by the organ (E9) or an application to the court (E10)."""

    __tablename__ = "coercive_enforcement"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(160), unique=True)
    case_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("penalty_case.id"), index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"))
    region_code: Mapped[str] = mapped_column(String(12))
    enterprise_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("enterprise.id"))
    party_name: Mapped[str] = mapped_column(String(200))
    obligation: Mapped[str] = mapped_column(Text)  # the duty the decision imposed
    decision_ref: Mapped[str] = mapped_column(String(160), default="")  # 决定书文号
    remedy_ends_on: Mapped[dt.date | None] = mapped_column(Date)  # 复议、诉讼期限届满
    surcharge_from: Mapped[dt.date | None] = mapped_column(Date)  # 加处罚款 runs from
    # open → reminded → enforced | substituted | court | closed (statuses.ENFORCEMENT_LIFECYCLE)
    status: Mapped[str] = mapped_column(String(12), default="open")
    reminder_served_on: Mapped[dt.date | None] = mapped_column(Date)  # 催告书送达
    reminder_text: Mapped[str] = mapped_column(Text, default="")
    enforced_at: Mapped[dt.datetime | None]
    enforcement_method: Mapped[str] = mapped_column(Text, default="")
    emergency_reason: Mapped[str] = mapped_column(Text, default="")
    substitute_notified_on: Mapped[dt.date | None] = mapped_column(Date)  # 代履行决定书 served
    substituted_on: Mapped[dt.date | None] = mapped_column(Date)
    court_applied_on: Mapped[dt.date | None] = mapped_column(Date)
    court: Mapped[str] = mapped_column(String(120), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        Index("ix_coercive_enforcement_region_status", "region_code", "status"),
        Index("ix_coercive_enforcement_subject_status", "subject_id", "status"),
    )


class CoercionStep(Base):
    """One step of a measure or an enforcement: who did what on which legal date."""

    __tablename__ = "coercion_step"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    measure_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("coercive_measure.id", ondelete="CASCADE"), index=True
    )
    enforcement_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("coercive_enforcement.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))
    day: Mapped[dt.date] = mapped_column(Date)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_name: Mapped[str] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime]


class CoercionDocument(Base):
    """A document of a measure or an enforcement: number, date, SHA-256 of the .docx."""

    __tablename__ = "coercion_document"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    measure_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("coercive_measure.id", ondelete="CASCADE")
    )
    enforcement_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("coercive_enforcement.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(20))  # coercion.documents.CoercionDocKind
    number: Mapped[str] = mapped_column(String(160), unique=True)
    dated: Mapped[dt.date] = mapped_column(Date)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer, default=0)
    template_version: Mapped[str] = mapped_column(String(20))
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    generated_at: Mapped[dt.datetime]

    __table_args__ = (
        Index("ix_coercion_document_measure_kind", "measure_id", "kind"),
        Index("ix_coercion_document_enforcement_kind", "enforcement_id", "kind"),
    )


class CoercionSequence(Base):
    """The last number used per subject, series and year (measures, enforcements, documents)."""

    __tablename__ = "coercion_sequence"
    __audit_exempt__ = True  # a counter; what it numbers is audited

    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), primary_key=True)
    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)
