"""Supervision records. Clues (线索) arrive from the public and from enterprises."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId

# No 0/1/I/L/O: a reporter reads the reference off a page or a phone call and types it back.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    """A clue's public reference: unguessable, since it alone opens the status page."""
    return "XS" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(10))


class Clue(Base):
    """A supervision clue: a report of an inspection without a code, a complaint, a referral.

    Its loop (oversight/clues): received → routed to a subject with a deadline (督办 when late)
    → answered by the subject → verified and closed by the supervisor, or returned.
    """

    __tablename__ = "clue"
    __table_args__ = (Index("ix_clue_source_work_order", "source", "work_order_no"),)

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
    # The loop (oversight/clues); statuses in oversight/clues/statuses.py.
    reference: Mapped[str | None] = mapped_column(String(12), unique=True, default=new_reference)
    problem_type: Mapped[str] = mapped_column(String(20), default="")  # policy clue.problem_types
    # A case names its clue (penalty_case.clue_id); a second key back would make a cycle.
    enterprise_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("enterprise.id"))
    work_order_no: Mapped[str] = mapped_column(String(60), default="")  # 12345/12348 工单编号
    reporter_name: Mapped[str] = mapped_column(String(50), default="")
    received_at: Mapped[dt.datetime | None]  # when the channel received it (受理时间)
    routed_on: Mapped[dt.date | None]
    due_on: Mapped[dt.date | None] = mapped_column(index=True)
    supervised_times: Mapped[int] = mapped_column(Integer, default=0)  # 督办 count
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[dt.datetime | None]
    follow_up: Mapped[str] = mapped_column(Text, default="")  # 回访 of the reporter
    followed_up_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]


class ClueEvent(Base):
    """One step of a clue's history: who did what, the status after it, and the note."""

    __tablename__ = "clue_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    clue_id: Mapped[int] = mapped_column(BigId, ForeignKey("clue.id"), index=True)
    at: Mapped[dt.datetime]
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))  # after the step
    note: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[dt.date | None]


class ClueAttachment(Base):
    """A file a subject attached to its answer (evidence of what it did)."""

    __tablename__ = "clue_attachment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    clue_id: Mapped[int] = mapped_column(BigId, ForeignKey("clue.id"), index=True)
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("clue_event.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ClueImportMapping(Base):
    """A region's saved column mapping for one hotline's work-order export (mapped once)."""

    __tablename__ = "clue_import_mapping"
    __table_args__ = (UniqueConstraint("region_code", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(String(20))
    mapping: Mapped[str] = mapped_column(Text)  # JSON {field: header as in the file}
    updated_at: Mapped[dt.datetime]
    updated_by_id: Mapped[int | None] = mapped_column(Integer)


class Alert(Base):
    """An early warning raised by a supervision rule, with its evidence and lifecycle.

    新建 new → 已提醒 notified (a 风险提示函 sent to the subject's inbox) → 已整改 rectified
    (the subject's written response) | 已核销 dismissed (the supervisor's reason). Nothing is
    deleted. ``dedup_key`` makes a sweep idempotent: the same finding raises one alert.
    """

    __tablename__ = "alert"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(40), index=True)  # as in docs/rules.md / rules page
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
    # Unique per issuing region: 柯城区 and 柯桥区 both write 柯司 (oversight/organs.py).
    __table_args__ = (UniqueConstraint("region_code", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(60))  # e.g. 柯司风提〔2026〕3号
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


class _Counts:
    """The counted columns of an indicator row (definitions in docs/indicators.md)."""

    inspections: Mapped[int] = mapped_column(Integer, default=0)
    joint: Mapped[int] = mapped_column(Integer, default=0)
    nonsite: Mapped[int] = mapped_column(Integer, default=0)
    problem: Mapped[int] = mapped_column(Integer, default=0)


class IndicatorDay(_Counts, Base):
    """Finished inspections of one region on one local day: the dashboard's totals.

    Derived, not a record: ``wurao.oversight.indicators`` adds to it when a record is finished
    or an evaluation submitted, and ``wurao indicators rebuild`` recomputes it from the records.
    """

    __tablename__ = "indicator_day"
    __audit_exempt__ = True  # derived from audited records; rebuilt from them on demand

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    # submitted evaluations of these inspections by rating (1–5), and those reporting misconduct
    rated_1: Mapped[int] = mapped_column(Integer, default=0)
    rated_2: Mapped[int] = mapped_column(Integer, default=0)
    rated_3: Mapped[int] = mapped_column(Integer, default=0)
    rated_4: Mapped[int] = mapped_column(Integer, default=0)
    rated_5: Mapped[int] = mapped_column(Integer, default=0)
    misconduct: Mapped[int] = mapped_column(Integer, default=0)


class IndicatorSubjectMonth(_Counts, Base):
    """Finished inspections a subject took part in, by region and local month (first day)."""

    __tablename__ = "indicator_subject_month"
    __audit_exempt__ = True  # derived from audited records; rebuilt from them on demand

    month: Mapped[dt.date] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    subject_id: Mapped[int] = mapped_column(
        ForeignKey("enforcement_subject.id"), primary_key=True, index=True
    )


class IndicatorEnterpriseYear(Base):
    """Finished inspections of one enterprise in one calendar year (local finish date).

    Keyed by the tasks' region too: an enterprise that moved has a row in each region.
    """

    __tablename__ = "indicator_enterprise_year"
    __audit_exempt__ = True  # derived from audited records; rebuilt from them on demand
    # The most inspected first: read in index order, filtered by region inside the index. The
    # primary key leads with the enterprise, not the region, so that no planner prefers a
    # region range over it and sorts a province's million rows for ten.
    __table_args__ = (
        Index("ix_indicator_enterprise_year_top", "year", "inspections", "region_code"),
    )

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # No foreign key: derived from records that hold one, and checking it row by row made a
    # province's rebuild on PostgreSQL take 37 s of its 55 s.
    enterprise_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)  # the task's region
    inspections: Mapped[int] = mapped_column(Integer, default=0)


class IndicatorTimesYear(Base):
    """How many enterprises of a region were inspected 1, 2, 3, 4, or 5 and more times in a year.

    The distribution of ``indicator_enterprise_year``, kept beside it so that a province's
    page does not group a million rows.
    """

    __tablename__ = "indicator_times_year"
    __audit_exempt__ = True  # derived from audited records; rebuilt from them on demand

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    region_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    times: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 5 = 5+
    enterprises: Mapped[int] = mapped_column(Integer, default=0)
