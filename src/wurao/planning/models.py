"""Plans (年度行政检查计划), special inspections (专项检查) and unplanned approvals (计划外检查).

"五公告一备案" (铜山), "除重点监管领域及上级任务外，原则上不得开展计划外检查" (路桥方案 二(二)1),
衢政办发〔2025〕16号 items 4 and 6.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId


class InspectionPlan(Base):
    """One version of a subject's annual plan; an amendment is a new version."""

    __tablename__ = "inspection_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(200))
    # draft → submitted → approved → published → filed (accepted) | returned; superseded
    status: Mapped[str] = mapped_column(String(16), default="draft")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_plan.id"))
    amendment_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[dt.datetime | None]
    approved_at: Mapped[dt.datetime | None]
    approved_by: Mapped[str] = mapped_column(String(60), default="")  # the subject's head
    approval_comment: Mapped[str] = mapped_column(Text, default="")
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    filed_at: Mapped[dt.datetime | None]
    # pending / accepted / returned (备案审核 by the supervisor)
    filing_status: Mapped[str] = mapped_column(String(12), default="")
    filing_comment: Mapped[str] = mapped_column(Text, default="")
    filing_reviewed_at: Mapped[dt.datetime | None]
    filing_reviewer: Mapped[str] = mapped_column(String(60), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    __table_args__ = (UniqueConstraint("subject_id", "year", "version"),)


class PlanEntry(Base):
    """A line of a plan: which item, which enterprises, how, how many, when, by how many."""

    __tablename__ = "plan_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_plan.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_item.id"))
    method: Mapped[str] = mapped_column(String(10), default="onsite")  # onsite/offsite/written
    # dss (双随机), targeted (listed enterprises), key (重点监管 full coverage of a scope)
    selection: Mapped[str] = mapped_column(String(10), default="dss")
    scope_region: Mapped[str] = mapped_column(String(12), default="")
    scope_industry: Mapped[str] = mapped_column(String(5), default="")  # GB/T 4754 prefix
    scope_credit: Mapped[str] = mapped_column(String(8), default="")  # e.g. "C,D"
    scope_tag: Mapped[str] = mapped_column(String(40), default="")
    planned_count: Mapped[int] = mapped_column(Integer, default=0)
    months: Mapped[str] = mapped_column(String(40), default="")  # "3,4,5"
    officers_per_team: Mapped[int] = mapped_column(Integer, default=2)
    note: Mapped[str] = mapped_column(Text, default="")


class PlanTarget(Base):
    """An enterprise named in a targeted plan entry."""

    __tablename__ = "plan_target"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("plan_entry.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("enterprise.id"), index=True)

    __table_args__ = (UniqueConstraint("entry_id", "enterprise_id"),)


class SpecialInspection(Base):
    """A 专项检查: needs legal review, collective discussion and government approval (A7)."""

    __tablename__ = "special_inspection"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    necessity: Mapped[str] = mapped_column(Text, default="")  # 必要性评估
    scope: Mapped[str] = mapped_column(Text, default="")
    start_on: Mapped[dt.date | None] = mapped_column(Date)
    end_on: Mapped[dt.date | None] = mapped_column(Date)
    # draft → reviewed (法制审核) → discussed (集体讨论) → approved → published → filed; refused
    status: Mapped[str] = mapped_column(String(12), default="draft")
    legal_review_by: Mapped[str] = mapped_column(String(60), default="")
    legal_review_on: Mapped[dt.date | None] = mapped_column(Date)
    legal_review_opinion: Mapped[str] = mapped_column(Text, default="")
    discussion_on: Mapped[dt.date | None] = mapped_column(Date)
    discussion_record: Mapped[str] = mapped_column(Text, default="")
    approval_organ: Mapped[str] = mapped_column(String(120), default="")
    approval_ref: Mapped[str] = mapped_column(String(120), default="")
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    filed_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]


class SpecialInspectionSubject(Base):
    """A further department of a joint special inspection (联合专项检查)."""

    __tablename__ = "special_inspection_subject"

    special_id: Mapped[int] = mapped_column(
        ForeignKey("special_inspection.id", ondelete="CASCADE"), primary_key=True
    )
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), primary_key=True)


class SpecialInspectionItem(Base):
    """An item checked in a special inspection."""

    __tablename__ = "special_inspection_item"

    special_id: Mapped[int] = mapped_column(
        ForeignKey("special_inspection.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_item.id"), primary_key=True)


class UnplannedApproval(Base):
    """An inspection outside any plan: approved by the head, filed with the supervisor."""

    __tablename__ = "unplanned_approval"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("enterprise.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    key_area: Mapped[bool] = mapped_column(Boolean, default=False)  # 重点监管领域或上级任务
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[dt.datetime]
    # requested → approved | refused; then filed (报备) with the supervisor
    status: Mapped[str] = mapped_column(String(12), default="requested")
    approved_by: Mapped[str] = mapped_column(String(60), default="")
    decided_at: Mapped[dt.datetime | None]
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    filed_at: Mapped[dt.datetime | None]
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
