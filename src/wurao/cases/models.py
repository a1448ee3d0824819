"""Penalty cases (行政处罚案件): the case, its officers, evidence, suspensions, extensions and
the step log that is its timeline.

Why one wide ``penalty_case`` row: every statutory clock (D2, D3, D7, D8, D13, D15/D16) starts
from a dated milestone of the case, and the nightly sweep and the subject's case list read
those dates for hundreds of thousands of cases a year — one row per case with its milestones
keeps both a single indexed scan. What repeats (officers, evidence, suspensions, extensions,
steps) has its own table. Amounts are kept in fen (分) as integers, so that thresholds such
as "三千元以下" (BOUND: inclusive) compare exactly on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId

Fen = BigInteger().with_variant(Integer, "sqlite")


class PenaltyCase(Base):
    """One case of one subject against one party, from the lead to the archive."""

    __tablename__ = "penalty_case"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # 立案编号, e.g. "衢州市柯城区市场监督管理局罚立〔2026〕12号": per subject and year
    number: Mapped[str] = mapped_column(String(160), unique=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"))
    # The subject's region: the supervisor's scope over the organ that handles the case.
    region_code: Mapped[str] = mapped_column(String(12))
    field: Mapped[str] = mapped_column(String(30), default="")  # the subject's field (D6 table)
    year: Mapped[int] = mapped_column(Integer)
    # record (检查移送立案) / clue (监督线索) / referral (移送、交办) / own (自行发现)
    origin: Mapped[str] = mapped_column(String(10))
    record_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("inspection_record.id"))
    clue_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("clue.id"))
    origin_ref: Mapped[str] = mapped_column(String(120), default="")  # 移送函文号 …
    # ordinary (普通程序) / simple (简易程序, 当场处罚, D14)
    procedure: Mapped[str] = mapped_column(String(10), default="ordinary")
    # The party: an enterprise of the registry, or a natural person (name + 居民身份证号).
    party_kind: Mapped[str] = mapped_column(String(12))  # enterprise / person
    enterprise_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("enterprise.id"))
    person_name: Mapped[str] = mapped_column(String(60), default="")
    person_ric: Mapped[str] = mapped_column(String(18), default="")  # shown masked only
    party_name: Mapped[str] = mapped_column(String(200))  # as written on the documents
    # The act: its date and, for a continuing act, its end (D1 counts from the end).
    act_on: Mapped[dt.date] = mapped_column(Date)
    act_end_on: Mapped[dt.date | None] = mapped_column(Date)
    grave_harm: Mapped[bool] = mapped_column(Boolean, default=False)  # D1: 5-year limitation
    limitation_override: Mapped[str] = mapped_column(Text, default="")  # 法律另有规定
    complex_case: Mapped[bool] = mapped_column(Boolean, default=False)  # D10/D11 疑难复杂、重大
    facts: Mapped[str] = mapped_column(Text, default="")
    provisions_breached: Mapped[str] = mapped_column(Text, default="")  # 违反的规定
    provisions_applied: Mapped[str] = mapped_column(Text, default="")  # 处罚依据
    # lead → investigating → notified → hearing → review → reviewed → decided → served →
    # executed → closed; not_filed, withdrawn (cases.statuses.CASE_LIFECYCLE)
    status: Mapped[str] = mapped_column(String(16), default="lead")

    # --- milestones ---------------------------------------------------------------------
    found_on: Mapped[dt.date] = mapped_column(Date)  # 线索发现: D2 starts
    filing_extended: Mapped[bool] = mapped_column(Boolean, default=False)  # D2 +15 approved
    filed_on: Mapped[dt.date | None] = mapped_column(Date)  # 立案: D3 starts
    # 告知 (D4–D6): the penalty proposed, whether hearing rights were given, when served
    notice_kinds: Mapped[str] = mapped_column(String(200), default="")  # "|fine|warning|"
    notice_fine_fen: Mapped[int] = mapped_column(Fen, default=0)
    notice_confiscation_fen: Mapped[int] = mapped_column(Fen, default=0)
    notice_hearing_rights: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_served_on: Mapped[dt.date | None] = mapped_column(Date)
    defence_recorded_on: Mapped[dt.date | None] = mapped_column(Date)  # 陈述申辩 heard
    defence_waived: Mapped[bool] = mapped_column(Boolean, default=False)
    defence_note: Mapped[str] = mapped_column(Text, default="")
    # 听证 (D7–D9)
    hearing_requested_on: Mapped[dt.date | None] = mapped_column(Date)
    hearing_notified_on: Mapped[dt.date | None] = mapped_column(Date)
    hearing_on: Mapped[dt.date | None] = mapped_column(Date)
    hearing_presiding_id: Mapped[int | None] = mapped_column(ForeignKey("officer.id"))
    hearing_held_on: Mapped[dt.date | None] = mapped_column(Date)
    hearing_absent: Mapped[bool] = mapped_column(Boolean, default=False)  # waived by absence
    hearing_record: Mapped[str] = mapped_column(Text, default="")
    # 法制审核 (D10)
    review_sent_on: Mapped[dt.date | None] = mapped_column(Date)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date)
    review_passed: Mapped[bool | None] = mapped_column(Boolean)
    review_opinion: Mapped[str] = mapped_column(Text, default="")
    # 集体讨论 (D11)
    discussed_on: Mapped[dt.date | None] = mapped_column(Date)
    discussion_minutes: Mapped[str] = mapped_column(Text, default="")
    # 决定 (D12): penalty or no penalty, with its reasons (说理)
    outcome: Mapped[str] = mapped_column(String(12), default="")  # penalty / no_penalty
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_kinds: Mapped[str] = mapped_column(String(200), default="")
    fine_fen: Mapped[int] = mapped_column(Fen, default=0)
    confiscation_fen: Mapped[int] = mapped_column(Fen, default=0)
    reasons: Mapped[str] = mapped_column(Text, default="")
    remedy: Mapped[str] = mapped_column(Text, default="")  # 复议、诉讼的途径和期限
    # 送达 (D13)
    served_on: Mapped[dt.date | None] = mapped_column(Date)
    served_how: Mapped[str] = mapped_column(String(12), default="")  # on_spot / direct / mail …
    # 执行 (D15, D16): 罚缴分离 — a payment reference, never cash kept by the organ
    payment_ref: Mapped[str] = mapped_column(String(60), default="")
    payment_due_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_fen: Mapped[int] = mapped_column(Fen, default=0)
    paid_channel: Mapped[str] = mapped_column(String(12), default="")  # bank / online / on_spot
    surcharge_fen: Mapped[int] = mapped_column(Fen, default=0)  # D16, computed on payment
    # 行政复议 / 诉讼 after the decision: no surcharge accrues meanwhile (Art 73)
    remedy_from: Mapped[dt.date | None] = mapped_column(Date)
    remedy_to: Mapped[dt.date | None] = mapped_column(Date)
    # 结案 / 撤案 / 不予立案
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    closing_note: Mapped[str] = mapped_column(Text, default="")
    # 裁量 (D24) and the leniency lists (D17), recorded through wurao.discretion
    violation_code: Mapped[str] = mapped_column(String(40), default="")  # 权力事项编码
    circumstance: Mapped[str] = mapped_column(String(8), default="")  # 情节: minor … grave
    discretion_reason: Mapped[str] = mapped_column(Text, default="")  # fine outside the range
    leniency_list: Mapped[str] = mapped_column(String(80), default="")  # "|no_penalty|…|"
    leniency_choice: Mapped[str] = mapped_column(String(16), default="")  # a kind, or "none"
    leniency_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        Index("ix_penalty_case_subject_year", "subject_id", "year"),
        Index("ix_penalty_case_region_status", "region_code", "status"),
        # the subject's list by status, newest first (docs/benchmarks-cases.md)
        Index("ix_penalty_case_subject_status_id", "subject_id", "status", "id"),
        Index("ix_penalty_case_enterprise", "enterprise_id"),
        Index("ix_penalty_case_person_ric", "person_ric"),
    )


class CaseOfficer(Base):
    """An officer handling (investigating) the case; at least two certified (B1, A2)."""

    __tablename__ = "case_officer"

    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("penalty_case.id", ondelete="CASCADE"), primary_key=True
    )
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), primary_key=True, index=True)


class CaseEvidence(Base):
    """A piece of evidence: a stored file or an external recording, by SHA-256."""

    __tablename__ = "case_evidence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("penalty_case.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # file / external
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigId, default=0)
    uri: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # 证明对象
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime]


class CaseSuspension(Base):
    """A period during which the case's clocks stand still (D2 testing; D3 all kinds)."""

    __tablename__ = "case_suspension"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("penalty_case.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))  # testing / hearing / announcement / other
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)  # None: still suspended
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime]


class CaseExtension(Base):
    """An approved extension of the D3 decision period (+30 days; a further one needs a
    collective discussion of the heads)."""

    __tablename__ = "case_extension"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("penalty_case.id", ondelete="CASCADE"), index=True
    )
    days: Mapped[int] = mapped_column(Integer)
    approved_on: Mapped[dt.date] = mapped_column(Date)
    approved_by: Mapped[str] = mapped_column(String(60))  # 批准的负责人
    collective: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime]


class CaseStep(Base):
    """One step of the case — who did what, when: the timeline and the file's 流程记录."""

    __tablename__ = "case_step"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("penalty_case.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))  # a CASE_LIFECYCLE action or a record
    day: Mapped[dt.date] = mapped_column(Date)  # the legal date of the step
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_name: Mapped[str] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime]


class CaseSequence(Base):
    """The last case number used per subject and year."""

    __tablename__ = "case_sequence"
    __audit_exempt__ = True  # a counter; the case it numbers is audited

    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class CaseDocument(Base):
    """A document (文书) generated for a case: its number, who made it, and the SHA-256 of the
    .docx so that the copy the party holds can be checked. One row per case and kind:
    regenerating a kind keeps its number and records the new file."""

    __tablename__ = "case_document"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("penalty_case.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # cases.documents.DocumentKind
    number: Mapped[str] = mapped_column(String(160), unique=True)  # 文书编号
    dated: Mapped[dt.date] = mapped_column(Date)  # the date the document bears
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer, default=0)
    template_version: Mapped[str] = mapped_column(String(20))
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    generated_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_case_document_case_kind", "case_id", "kind", unique=True),)


class CaseDocumentSequence(Base):
    """The last document number used per subject, kind and year."""

    __tablename__ = "case_document_sequence"
    __audit_exempt__ = True  # a counter; the document it numbers is audited

    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class CasePublication(Base):
    """The public disclosure (公开) of a penalty decision (D20): due within the field's working
    days of the decision; withdrawn within three working days once the decision is changed or
    revoked. Subject, region, field and year are copied from the case so that the public list
    filters one indexed table."""

    __tablename__ = "case_publication"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("penalty_case.id", ondelete="CASCADE"), unique=True
    )
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"))
    region_code: Mapped[str] = mapped_column(String(12))
    field: Mapped[str] = mapped_column(String(30), default="")
    year: Mapped[int] = mapped_column(Integer)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    required: Mapped[bool] = mapped_column(Boolean, default=True)  # the field publishes (policy)
    due_on: Mapped[dt.date | None] = mapped_column(Date)  # None when not required
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # the decision was changed or revoked (变更、撤销): withdrawal due within 3 working days
    changed_on: Mapped[dt.date | None] = mapped_column(Date)
    withdraw_due_on: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_case_publication_region_published", "region_code", "published_on"),)
