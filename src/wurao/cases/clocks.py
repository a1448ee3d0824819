"""The statutory clocks of a penalty case, declared once, and the case's deadlines.

Why here: the service refuses or warns by these clocks, the timeline page (phase 2) lists them
and the nightly sweep raises alerts by them — one declaration keeps the three in agreement
(docs/architecture.md "Adding a clock"). Each clock reads its length from the policy file on
its start date (VERSIONING: a 告知 served before 2021-07-15 has a 3-day hearing window) and
counts working days where the 行政处罚法 says 日 for periods of 二、三、五、七日 (第85条).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.cases.models import CaseExtension, CaseSuspension, PenaltyCase
from wurao.cases.statuses import CaseStatus, SuspensionKind
from wurao.core import rules, workdays
from wurao.core.clock import CALENDAR, WORKING, Clock, Pause
from wurao.core.rules import RuleDef

D2_FILING = Clock(rules.D2, "决定是否立案期限", "发现案件线索", "case.filing_working_days", WORKING)
D2_FILING_EXTENSION = Clock(
    rules.D2, "决定是否立案延长期限", "发现案件线索", "case.filing_extension_working_days"
)
D3_DECISION = Clock(rules.D3, "作出处罚决定期限", "立案", "case.decision_days", CALENDAR)
D3_WARN = Clock(rules.D3, "作出处罚决定预警点", "立案", "case.decision_warn_days", CALENDAR)
D3_EXTENSION = Clock(
    rules.D3, "处罚决定期限延长", "批准延长", "case.decision_extension_days", CALENDAR
)
D4_DEFENCE = Clock(
    rules.D4, "陈述申辩期限", "送达行政处罚事先告知书", "case.defence_working_days", WORKING
)
D7_HEARING_REQUEST = Clock(
    rules.D7,
    "听证申请期限",
    "送达行政处罚事先告知书",
    "case.hearing_request_working_days",
    WORKING,
)
D8_HEARING_NOTICE = Clock(
    rules.D8, "听证通知提前期", "通知当事人听证", "case.hearing_notice_working_days", WORKING
)
D13_SERVICE = Clock(
    rules.D13, "决定书送达期限", "作出处罚决定", "case.service_working_days", WORKING
)
D15_PAYMENT = Clock(rules.D15, "罚款缴纳期限", "收到行政处罚决定书", "case.payment_days", CALENDAR)


def _counts(day: dt.date, unit: str, pauses: list[Pause]) -> bool:
    if any(first <= day <= last for first, last in pauses):
        return False
    return unit == CALENDAR or workdays.is_working_day(day)


def add_days(after: dt.date, n: int, unit: str, pauses: Iterable[Pause] = ()) -> dt.date:
    """The day the n-th counted day after ``after`` falls on (an extension added to a
    deadline counts the way the clock it extends does, skipping the same pauses)."""
    stops = list(pauses)
    day, left = after, n
    while left > 0:
        day += dt.timedelta(days=1)
        if _counts(day, unit, stops):
            left -= 1
    return day


def counted_between(after: dt.date, until: dt.date, unit: str) -> int:
    """Counted days in (after, until] — the days left shown on the timeline."""
    if unit == CALENDAR:
        return (until - after).days
    return workdays.working_days_between(after, until)


def suspensions(session: Session, case: PenaltyCase) -> list[CaseSuspension]:
    """The case's suspensions, oldest first."""
    stmt = select(CaseSuspension).where(CaseSuspension.case_id == case.id)
    return list(session.scalars(stmt.order_by(CaseSuspension.starts_on, CaseSuspension.id)))


def pauses_of(
    rows: Iterable[CaseSuspension], today: dt.date, *, kinds: frozenset[str] | None = None
) -> list[Pause]:
    """Closed intervals of the suspensions (an open one stands still through ``today``)."""
    return [
        (s.starts_on, s.ends_on or max(today, s.starts_on))
        for s in rows
        if kinds is None or s.kind in kinds
    ]


def filing_deadline(case: PenaltyCase, rows: Iterable[CaseSuspension], today: dt.date) -> dt.date:
    """D2: from the lead's discovery; testing time excluded; +15 working days if approved."""
    pauses = pauses_of(rows, today, kinds=frozenset({SuspensionKind.TESTING.value}))
    due = D2_FILING.deadline(case.found_on, case.region_code, pauses)
    if case.filing_extended:
        extra = D2_FILING_EXTENSION.length(case.found_on, case.region_code)
        due = add_days(due, extra, WORKING, pauses)
    return due


def extension_days(session: Session, case: PenaltyCase) -> list[int]:
    """The days of each approved D3 extension of the case."""
    stmt = select(CaseExtension.days).where(CaseExtension.case_id == case.id)
    return list(session.scalars(stmt.order_by(CaseExtension.id)))


Loaded = tuple[list[CaseSuspension], list[int]]
"""A case's suspensions and extension days read beforehand (the case list reads them for a
whole page in two statements)."""


def decision_deadline(
    session: Session, case: PenaltyCase, today: dt.date, loaded: Loaded | None = None
) -> tuple[dt.date, dt.date]:
    """D3: the warning day and the deadline, from 立案, suspensions excluded, extensions added."""
    assert case.filed_on is not None
    rows, days = loaded or (suspensions(session, case), extension_days(session, case))
    pauses = pauses_of(rows, today)
    warn = D3_WARN.deadline(case.filed_on, case.region_code, pauses)
    due = D3_DECISION.deadline(case.filed_on, case.region_code, pauses)
    extra = sum(days)
    if extra:
        due = add_days(due, extra, CALENDAR, pauses)
    return warn, due


def latest_hearing_notice(hearing_on: dt.date, region: str) -> dt.date:
    """D8: the last day on which the party may be notified of a hearing held on
    ``hearing_on`` (at least seven working days before it, 行政处罚法 第64条)."""
    day = hearing_on - dt.timedelta(days=1)
    while D8_HEARING_NOTICE.deadline(day, region) > hearing_on:
        day -= dt.timedelta(days=1)
    return day


@dataclass(frozen=True)
class Deadline:
    """One deadline of a case as the timeline shows it."""

    name: str  # Chinese: "作出处罚决定期限"
    rule: RuleDef
    start: dt.date
    deadline: dt.date
    who: str  # Chinese: who must act
    unit: str  # WORKING or CALENDAR
    met_on: dt.date | None  # the day the act was done (None: still running)
    days_left: int  # counted days from today to the deadline; negative when overdue
    warn_on: dt.date | None = None  # D3: the day from which the timeline and sweep warn
    warning: bool = False  # still running and on or past ``warn_on``

    @property
    def overdue(self) -> bool:
        """Not done and past its last day, or done after it."""
        if self.met_on is not None:
            return self.met_on > self.deadline
        return self.days_left < 0

    @property
    def state(self) -> str:
        """In Chinese: 进行中 / 即将到期 / 已按期完成 / 逾期完成 / 已逾期."""
        if self.met_on is not None:
            return "逾期完成" if self.overdue else "已按期完成"
        if self.overdue:
            return "已逾期"
        return "即将到期" if self.warning else "进行中"


def _deadline(
    clock: Clock,
    start: dt.date,
    due: dt.date,
    who: str,
    met_on: dt.date | None,
    today: dt.date,
    warn_on: dt.date | None = None,
) -> Deadline:
    if today <= due:
        left = counted_between(today, due, clock.unit)
    else:
        left = -counted_between(due, today, clock.unit)
    warning = met_on is None and warn_on is not None and warn_on <= today <= due
    return Deadline(
        clock.name, clock.rule, start, due, who, clock.unit, met_on, left, warn_on, warning
    )


def case_deadlines(
    session: Session, case: PenaltyCase, today: dt.date, *, loaded: Loaded | None = None
) -> list[Deadline]:
    """Every deadline that applies to the case so far, in the order of the procedure
    (``loaded``: its suspensions and extension days, when read for many cases at once)."""
    out: list[Deadline] = []
    rows = loaded[0] if loaded is not None else suspensions(session, case)
    region = case.region_code
    ended = case.status in (CaseStatus.NOT_FILED, CaseStatus.WITHDRAWN)
    if case.procedure == "ordinary":
        filed = case.filed_on or (case.closed_on if ended else None)
        due = filing_deadline(case, rows, today)
        out.append(
            _deadline(D2_FILING, case.found_on, due, "执法主体（决定是否立案）", filed, today)
        )
    if case.filed_on is not None and case.procedure == "ordinary":
        both = loaded if loaded is not None else (rows, extension_days(session, case))
        warn, due = decision_deadline(session, case, today, both)
        done = case.decided_on or (case.closed_on if ended else None)
        who = "执法主体负责人（作出决定）"
        out.append(_deadline(D3_DECISION, case.filed_on, due, who, done, today, warn))
    served = case.notice_served_on
    if served is not None:
        due = D4_DEFENCE.deadline(served, region)
        done = case.defence_recorded_on or (served if case.defence_waived else None)
        out.append(_deadline(D4_DEFENCE, served, due, "当事人（陈述、申辩）", done, today))
        if case.notice_hearing_rights:
            due = D7_HEARING_REQUEST.deadline(served, region)
            done = case.hearing_requested_on or case.decided_on
            out.append(
                _deadline(D7_HEARING_REQUEST, served, due, "当事人（申请听证）", done, today)
            )
    if case.hearing_notified_on is not None and case.hearing_on is not None:
        latest = latest_hearing_notice(case.hearing_on, region)
        out.append(
            _deadline(
                D8_HEARING_NOTICE,
                case.hearing_notified_on,
                latest,
                "执法主体（通知当事人听证）",
                case.hearing_notified_on,
                today,
            )
        )
    if case.decided_on is not None and case.procedure == "ordinary":
        due = D13_SERVICE.deadline(case.decided_on, region)
        out.append(
            _deadline(
                D13_SERVICE, case.decided_on, due, "执法主体（送达决定书）", case.served_on, today
            )
        )
    if case.served_on is not None and case.payment_due_on is not None and case.fine_fen > 0:
        out.append(
            _deadline(
                D15_PAYMENT,
                case.served_on,
                case.payment_due_on,
                "当事人（缴纳罚款）",
                case.paid_on,
                today,
            )
        )
    return out
