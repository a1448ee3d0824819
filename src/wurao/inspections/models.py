"""Inspection tasks, their 行政行为码, the on-site record and the enterprise's evaluation.

"无码不查" (路桥方案 二(二)6；衢政办发〔2025〕16号 第7项): a task gets a code only when
every pre-check passes; the record closes the code.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId


class InspectionTask(Base):
    """One inspection of one enterprise by one or more subjects (a joint task has several)."""

    __tablename__ = "inspection_task"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("enterprise.id"), index=True)
    # The enterprise's region at creation: the scope and shard key of the task.
    region_code: Mapped[str] = mapped_column(String(12))
    year: Mapped[int] = mapped_column(Integer)
    # plan / draw / special / unplanned / complaint / referral / monitoring
    origin: Mapped[str] = mapped_column(String(12))
    plan_entry_id: Mapped[int | None] = mapped_column(ForeignKey("plan_entry.id"))
    special_id: Mapped[int | None] = mapped_column(ForeignKey("special_inspection.id"))
    unplanned_id: Mapped[int | None] = mapped_column(ForeignKey("unplanned_approval.id"))
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draw.id"), index=True)
    trigger_ref: Mapped[str] = mapped_column(String(80), default="")  # complaint or referral no.
    trigger_reason: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(10))  # onsite / offsite / written
    window_start: Mapped[dt.date] = mapped_column(Date)
    window_end: Mapped[dt.date] = mapped_column(Date)
    # Emergency: inspected before approval; the code must follow within the policy window (A4),
    # counted from the day that inspection was completed (衢政办发〔2025〕16号 第7项).
    started_without_code_on: Mapped[dt.date | None] = mapped_column(Date)
    finished_without_code_on: Mapped[dt.date | None] = mapped_column(Date)
    legal_rep_required: Mapped[bool] = mapped_column(Boolean, default=False)  # B5 WARN
    # draft → coded → in_progress → done; cancelled
    status: Mapped[str] = mapped_column(String(12), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_inspection_task_region_year", "region_code", "year"),)


class TaskSubject(Base):
    """A subject taking part in a task; the first is the lead."""

    __tablename__ = "task_subject"

    task_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("inspection_task.id", ondelete="CASCADE"), primary_key=True
    )
    subject_id: Mapped[int] = mapped_column(
        ForeignKey("enforcement_subject.id"), primary_key=True, index=True
    )
    lead: Mapped[bool] = mapped_column(Boolean, default=False)
    # 异地检查 (A8): before migration 0009 a free-text reference, kept as it was entered but no
    # longer accepted; the approval a code rests on is now a record, bound when it is issued.
    remote_approval_ref: Mapped[str] = mapped_column(String(120), default="")
    cross_region_approval_id: Mapped[int | None] = mapped_column(
        ForeignKey("cross_region_approval.id")
    )


class CrossRegionApproval(Base):
    """A common superior's approval for a subject to inspect outside its area (异地检查, A8).

    衢政办发〔2025〕16号 第10项: 确需开展异地检查的，应当报共同上一级行政执法机关批准，并告知
    当地主管部门. The approving organ's area (``organ_region_code``) contains both the subject's
    and the enterprise's; the scope is the enterprises and items listed and the period.
    """

    __tablename__ = "cross_region_approval"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    organ_name: Mapped[str] = mapped_column(String(120))
    organ_region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    approved_on: Mapped[dt.date] = mapped_column(Date)
    doc_no: Mapped[str] = mapped_column(String(120))  # 批准文号
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")  # 异地检查事由
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime]


class CrossRegionApprovalEnterprise(Base):
    """An enterprise a 异地检查 approval covers."""

    __tablename__ = "cross_region_approval_enterprise"

    approval_id: Mapped[int] = mapped_column(
        ForeignKey("cross_region_approval.id", ondelete="CASCADE"), primary_key=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("enterprise.id"), primary_key=True, index=True
    )


class CrossRegionApprovalItem(Base):
    """An inspection item a 异地检查 approval covers."""

    __tablename__ = "cross_region_approval_item"

    approval_id: Mapped[int] = mapped_column(
        ForeignKey("cross_region_approval.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_item.id"), primary_key=True)


class TaskItem(Base):
    """An item a subject checks in a task."""

    __tablename__ = "task_item"

    task_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("inspection_task.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_item.id"), primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"))


class TaskOfficer(Base):
    """An officer assigned to a task for a subject."""

    __tablename__ = "task_officer"

    task_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("inspection_task.id", ondelete="CASCADE"), primary_key=True
    )
    officer_id: Mapped[int] = mapped_column(ForeignKey("officer.id"), primary_key=True, index=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"))


class OnsiteCount(Base):
    """Counted on-site inspections of an enterprise by a subject in a year (A5).

    Issuing a code locks this row, so two requests racing for the last slot under the cap
    are serialised on PostgreSQL as on SQLite.
    """

    __tablename__ = "onsite_count"
    __audit_exempt__ = True  # a derived counter; the code issue that moves it is audited

    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("enterprise.id"), primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    counted: Mapped[int] = mapped_column(Integer, default=0)
    exempt: Mapped[int] = mapped_column(Integer, default=0)  # triggered, shown not counted


class CodeSequence(Base):
    """The last human-readable code number used per region and year."""

    __tablename__ = "code_sequence"
    __audit_exempt__ = True  # a counter; the code it numbers is audited

    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class SigningKey(Base):
    """An Ed25519 key of the platform; the private half is kept outside the database."""

    __tablename__ = "signing_key"

    kid: Mapped[str] = mapped_column(String(40), primary_key=True)
    public_x: Mapped[str] = mapped_column(String(60))  # base64url raw public key (JWK "x")
    created_at: Mapped[dt.datetime]
    retired_at: Mapped[dt.datetime | None]  # no new codes; old codes stay verifiable


class ActionCode(Base):
    """A 行政行为码: a signed JWS token plus a short number for phone calls and paper."""

    __tablename__ = "action_code"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("inspection_task.id"), unique=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # region-year-sequence
    jti: Mapped[str] = mapped_column(String(40), unique=True)
    kid: Mapped[str] = mapped_column(ForeignKey("signing_key.kid"))
    token: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[dt.datetime]
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # 补码 (A4)
    late_reason: Mapped[str] = mapped_column(Text, default="")
    # valid → used (record finished) | revoked
    status: Mapped[str] = mapped_column(String(10), default="valid")
    used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    revoked_reason: Mapped[str] = mapped_column(Text, default="")
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    warnings: Mapped[str] = mapped_column(Text, default="")  # WARN rules at issue, for the record


class InspectionRecord(Base):
    """The 检查笔录: start and end, identification shown, findings, outcome."""

    __tablename__ = "inspection_record"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("inspection_task.id"), unique=True)
    started_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
    ids_shown: Mapped[bool] = mapped_column(Boolean, default=False)  # B2 执法证件 and code shown
    location: Mapped[str] = mapped_column(String(200), default="")
    data_source: Mapped[str] = mapped_column(Text, default="")  # non-site inspections
    present_person: Mapped[str] = mapped_column(String(60), default="")  # 企业在场人员
    findings: Mapped[str] = mapped_column(Text, default="")
    # none (无问题) / rectify (责令整改) / case (移送立案)
    outcome: Mapped[str] = mapped_column(String(10), default="")
    rectify_deadline: Mapped[dt.date | None] = mapped_column(Date)
    attested: Mapped[bool] = mapped_column(Boolean, default=False)  # B5 五个严禁 attestation
    finished_at: Mapped[dt.datetime | None] = mapped_column(index=True)  # dashboard drill-downs
    # Published result (一公开) for draws; the deadline is tracked by the sampling domain.
    published_at: Mapped[dt.datetime | None]


class ChecklistResult(Base):
    """One checklist line's result in a record."""

    __tablename__ = "checklist_result"

    record_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("inspection_record.id", ondelete="CASCADE"), primary_key=True
    )
    line_id: Mapped[int] = mapped_column(ForeignKey("checklist_line.id"), primary_key=True)
    result: Mapped[str] = mapped_column(String(8))  # ok / fail / na
    note: Mapped[str] = mapped_column(Text, default="")


class Evidence(Base):
    """A file or an external recording referenced by its SHA-256."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    record_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("inspection_record.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # file / external
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigId, default=0)
    uri: Mapped[str] = mapped_column(String(300), default="")  # where an external recording lives
    created_at: Mapped[dt.datetime]


class Evaluation(Base):
    """The enterprise's one-time rating of an inspection."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("inspection_task.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[dt.datetime]
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    # comma list: no_code (未亮码), out_of_scope (超范围检查), repeated (重复检查),
    # solicitation (索要财物) …
    misconduct: Mapped[str] = mapped_column(String(200), default="")
    submitted_at: Mapped[dt.datetime | None]

    __table_args__ = (UniqueConstraint("token_hash"),)


class TaskObserver(Base):
    """A supervisor or 执法监督员 accompanying an inspection (伴随式监督, F8 OBSERVER)."""

    __tablename__ = "task_observer"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("inspection_task.id"), index=True)
    # One of the two: an appointed monitor, or a supervisor's own account.
    monitor_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_monitor.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    capacity: Mapped[str] = mapped_column(String(20))  # 执法监督员 / 执法监督机构
    added_at: Mapped[dt.datetime]
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    __table_args__ = (
        UniqueConstraint("task_id", "monitor_id"),
        UniqueConstraint("task_id", "user_id"),
        Index("ix_task_observer_monitor", "monitor_id"),
    )


class ObserverFinding(Base):
    """What an observer found on the inspection they accompanied."""

    __tablename__ = "observer_finding"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("inspection_task.id"), index=True)
    observer_id: Mapped[int] = mapped_column(BigId, ForeignKey("task_observer.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class TaskDelegation(Base):
    """委托查 (衢政办发〔2025〕16号 第5项): a subject of a joint task asks another of its
    subjects to check its items on its behalf. Written by ``joint.proposals.delegate``; kept
    here (table ``joint_delegation``) so that the record pages can show it without importing
    the joint domain."""

    __tablename__ = "joint_delegation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("inspection_task.id"), index=True)
    from_subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"))
    to_subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"))
    item_ids: Mapped[str] = mapped_column(String(400))  # comma list of inspection_item ids
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime]
