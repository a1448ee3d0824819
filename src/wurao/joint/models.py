"""Tables of the joint domain: proposals of merged visits and each subject's decision.

A proposal (综合查一次方案) is computed for a region and a period from the open tasks and the
untasked targeted plan entries of every subject there; its merges are the visits that bring two
or more of them together, each with its parts (one per task or plan target) and each part's
subject's decision. When every subject of a merge has accepted, one joint task replaces its
parts' tasks. A delegation (委托查) lets one subject of a joint task have another check its
items; its table lives in ``inspections.models`` (``TaskDelegation``) for the record page.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId


class JointProposal(Base):
    """One run of the solver over a region and period, with its totals."""

    __tablename__ = "joint_proposal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    demands: Mapped[int] = mapped_column(Integer, default=0)  # visits before: one per demand
    visits: Mapped[int] = mapped_column(Integer, default=0)  # visits after
    lower_bound: Mapped[int] = mapped_column(Integer, default=0)  # distinct enterprise-methods
    window_bound: Mapped[int] = mapped_column(Integer, default=0)  # stabbing bound (tighter)
    officer_days_before: Mapped[int] = mapped_column(Integer, default=0)
    officer_days: Mapped[int] = mapped_column(Integer, default=0)
    solver: Mapped[str] = mapped_column(String(12), default="")  # cp-sat / greedy
    solver_status: Mapped[str] = mapped_column(String(20), default="")
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime]


class JointMerge(Base):
    """A proposed joint visit: one enterprise, one date, a lead subject, two or more parts.

    status: proposed → accepted (every subject accepted; ``joint_task_id`` set) | declined.
    """

    __tablename__ = "joint_merge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("joint_proposal.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("enterprise.id"), index=True)
    visit_date: Mapped[dt.date] = mapped_column(Date)
    window_start: Mapped[dt.date] = mapped_column(Date)  # intersection of the parts' windows
    window_end: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(10))
    lead_subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"))
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    joint_task_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("inspection_task.id"))


class JointPart(Base):
    """A task or a plan target brought into a merge, with its subject's decision."""

    __tablename__ = "joint_part"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merge_id: Mapped[int] = mapped_column(
        ForeignKey("joint_merge.id", ondelete="CASCADE"), index=True
    )
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("inspection_task.id"))
    plan_entry_id: Mapped[int | None] = mapped_column(ForeignKey("plan_entry.id"))
    window_start: Mapped[dt.date] = mapped_column(Date)
    window_end: Mapped[dt.date] = mapped_column(Date)
    decision: Mapped[str] = mapped_column(String(10), default="")  # "" / accepted / declined
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[dt.datetime | None]


class JointLeftover(Base):
    """A task or plan target that could not join another of its enterprise, and why."""

    __tablename__ = "joint_leftover"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("joint_proposal.id", ondelete="CASCADE"), index=True
    )
    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("enterprise.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"))
    task_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("inspection_task.id"))
    plan_entry_id: Mapped[int | None] = mapped_column(ForeignKey("plan_entry.id"))
    # windows / method / capacity / no_day / declined (labels: joint.solver.REASONS)
    reason: Mapped[str] = mapped_column(String(10))
