"""Tables of this sub-domain: a review plan (案卷评查方案), its scope subjects, the files drawn
for it, each file's checklist items (automatic suggestion, the reviewer's result) and the
problems found (each becomes a rectification item of the file's subject)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId


class ReviewPlan(Base):
    """A supervisor's review plan: scope, period, kind of file, sample size or rate, the
    month's focus; its draw (pool file, seed commitment, revealed seed) once drawn."""

    __tablename__ = "review_plan"
    __table_args__ = (Index("ix_review_plan_region_year", "region_code", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12))
    year: Mapped[int] = mapped_column(Integer)  # of period_from: the totals' year
    title: Mapped[str] = mapped_column(String(200))
    file_kind: Mapped[str] = mapped_column(String(12))  # statuses.FileKind
    period_from: Mapped[dt.date]
    period_to: Mapped[dt.date]
    sample_size: Mapped[int | None] = mapped_column(Integer)
    sample_rate: Mapped[str] = mapped_column(String(12), default="")  # decimal string "0.05"
    focus: Mapped[str] = mapped_column(Text, default="")  # 月度评查重点
    status: Mapped[str] = mapped_column(String(12), default="draft")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime]
    # The draw (sampling/algorithm.py, wurao-dss-v1): frozen document, pool and seed.
    frozen_json: Mapped[str] = mapped_column(Text, default="")  # RFC 8785 bytes as text
    frozen_sha256: Mapped[str] = mapped_column(String(64), default="")
    pool_file: Mapped[str] = mapped_column(Text, default="")
    seed_hex: Mapped[str] = mapped_column(String(64), default="")
    drawn_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]


class ReviewPlanSubject(Base):
    """A subject in a plan's scope (none: every subject of the region)."""

    __tablename__ = "review_plan_subject"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("review_plan.id", ondelete="CASCADE"), primary_key=True
    )
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), primary_key=True)


class ReviewFile(Base):
    """One drawn file: an inspection task with its record, or a penalty case."""

    __tablename__ = "review_file"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("review_plan.id"), index=True)
    file_key: Mapped[str] = mapped_column(String(20))  # the pool file's member: T…/C…
    rank: Mapped[int] = mapped_column(Integer)
    draw_key: Mapped[str] = mapped_column(String(64))  # HMAC hex, as published
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("inspection_task.id"))
    case_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("penalty_case.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[str] = mapped_column(String(12), default="pending")  # statuses.FileStatus
    score: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(12), default="")  # statuses.Grade
    vetoed: Mapped[bool] = mapped_column(Boolean, default=False)
    comment: Mapped[str] = mapped_column(Text, default="")
    checked_at: Mapped[dt.datetime | None]  # when the automatic checks ran
    scored_at: Mapped[dt.datetime | None]
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ReviewItem(Base):
    """One checklist item of a file: the platform's suggestion and the reviewer's result."""

    __tablename__ = "review_item"

    file_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("review_file.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    auto_result: Mapped[str] = mapped_column(String(8), default="")  # pass / fail / unknown / ""
    auto_note: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(String(8), default="")  # pass / fail, the reviewer's
    deduction: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")


class ReviewProblem(Base):
    """A problem the reviewer recorded on a file; once the file is scored it is opened as a
    rectification item of the file's subject (source_kind "review", source_id = this id)."""

    __tablename__ = "review_problem"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    file_id: Mapped[int] = mapped_column(BigId, ForeignKey("review_file.id"), index=True)
    item_code: Mapped[str] = mapped_column(String(20), default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    opened: Mapped[bool] = mapped_column(Boolean, default=False)  # rectification item opened
