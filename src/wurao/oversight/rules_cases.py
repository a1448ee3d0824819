"""F5 timeliness of penalty cases: the sweep's alerts for the organ's overdue case clocks.

Why here and not in ``cases``: a late filing, decision or service is a failure the
supervisor (执法监督机构) follows up with a 风险提示函, so it is an alert of the nightly sweep
like C6. The deadlines are the ones the case's timeline shows: each candidate case is held to
``cases.clocks.case_deadlines`` (the one declaration of D2, D3 and D13 with their
suspensions and extensions), never to a second computation here. Only the organ's own
clocks alert — 决定是否立案 (D2), 作出处罚决定 (D3), 送达决定书 (D13), and the publication of
the decision and its withdrawal once changed or revoked (D20, ``cases.publication``); the
party's periods (陈述申辩, 听证申请, 缴纳罚款) are not the organ's lateness. D3's warning day
is shown on the case's timeline and does not raise an alert, as C6's warning day is shown on
the draw's results page only: an alert records a failure the supervisor must notify or dismiss.
Registered in ``wurao.oversight.rules``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from wurao.cases.clocks import D2_FILING, D3_DECISION, D13_SERVICE, Deadline, case_deadlines
from wurao.cases.models import CasePublication, PenaltyCase
from wurao.cases.publication import PUBLISH_CLOCK, WITHDRAW_CLOCK, publication_deadlines
from wurao.cases.statuses import DECIDED_STATES, OPEN, CaseStatus, Procedure
from wurao.core import workdays
from wurao.core.clock import WORKING
from wurao.oversight.rule_base import Context, Finding, cite

# the organ's clocks the sweep holds a case to (the catalogue entries their deadlines carry)
ALERTED = (D2_FILING.rule, D3_DECISION.rule, D13_SERVICE.rule)


def _before(ctx: Context, days: int) -> dt.date:
    return ctx.today - dt.timedelta(days=days)


def candidates(session: Session, ctx: Context) -> list[PenaltyCase]:
    """Open ordinary cases with a running organ's clock that may be past its deadline.

    A period of n days ends no sooner than n calendar days after its start (pauses and
    extensions only add), so a start later than ``today - shortest`` cannot be late yet.
    """
    c = PenaltyCase
    rows = session.scalars(
        select(c)
        .where(
            c.status.in_(sorted(s.value for s in OPEN)),
            c.procedure == Procedure.ORDINARY.value,
            or_(
                and_(
                    c.status == CaseStatus.LEAD.value,
                    c.filed_on.is_(None),
                    c.found_on < _before(ctx, D2_FILING.shortest(ctx.today)),
                ),
                and_(
                    c.filed_on.is_not(None),
                    c.decided_on.is_(None),
                    c.filed_on < _before(ctx, D3_DECISION.shortest(ctx.today)),
                ),
                and_(
                    c.decided_on.is_not(None),
                    c.served_on.is_(None),
                    c.decided_on < _before(ctx, D13_SERVICE.shortest(ctx.today)),
                ),
            ),
        )
        .order_by(c.id)
    )
    return list(rows)


def publication_candidates(session: Session, ctx: Context) -> list[PenaltyCase]:
    """Decided ordinary penalty cases whose publication or its withdrawal may be late (D20):
    no publication row yet and decided longer ago than the shortest field's period, or a row
    past its stored due date and not done."""
    c, p = PenaltyCase, CasePublication
    rows = session.scalars(
        select(c)
        .outerjoin(p, p.case_id == c.id)
        .where(
            c.procedure == Procedure.ORDINARY.value,
            c.outcome == "penalty",
            c.decided_on.is_not(None),
            or_(
                and_(
                    p.id.is_(None),
                    c.status.in_(sorted(s.value for s in DECIDED_STATES)),
                    c.decided_on < _before(ctx, PUBLISH_CLOCK.shortest(ctx.today)),
                ),
                and_(p.required.is_(True), p.published_on.is_(None), p.due_on < ctx.today),
                and_(
                    p.changed_on.is_not(None),
                    p.withdrawn_on.is_(None),
                    p.withdraw_due_on < ctx.today,
                ),
            ),
        )
        .order_by(c.id)
    )
    return list(rows)


def _detail(case: PenaltyCase, d: Deadline) -> str:
    unit = "个工作日" if d.unit == WORKING else "日"
    return (
        f"案件{case.number}：{d.name}为{d.deadline.isoformat()}（自{d.start.isoformat()}起算），"
        f"已逾期{-d.days_left}{unit}，至今未完成。责任方：{d.who}。"
    )


def overdue(session: Session, ctx: Context) -> Iterator[Finding]:
    """One finding per open case and overdue organ's clock (已逾期), keyed by case and rule."""
    unknown: dict[int, int] = {}  # a deadline in a year whose holidays are not imported yet
    for case in candidates(session, ctx):
        try:
            deadlines = case_deadlines(session, case, ctx.today)
        except workdays.UnknownCalendarYear as exc:
            unknown[exc.year] = unknown.get(exc.year, 0) + 1
            continue
        for d in deadlines:
            if d.rule not in ALERTED or d.met_on is not None or not d.overdue:
                continue
            yield Finding(
                dedup_key=f"F5:{case.id}:{d.rule.id.split()[0]}",
                region_code=case.region_code,
                subject_id=case.subject_id,
                enterprise_id=case.enterprise_id,
                detail=_detail(case, d),
                evidence=[cite("case", case.id, f"行政处罚案件 {case.number}")],
            )
    for case in publication_candidates(session, ctx):
        try:
            deadlines = publication_deadlines(session, case, ctx.today)
        except workdays.UnknownCalendarYear as exc:
            unknown[exc.year] = unknown.get(exc.year, 0) + 1
            continue
        for d in deadlines:
            if d.met_on is not None or not d.overdue:
                continue
            which = "D20W" if d.name == WITHDRAW_CLOCK.name else "D20"
            yield Finding(
                dedup_key=f"F5:{case.id}:{which}",
                region_code=case.region_code,
                subject_id=case.subject_id,
                enterprise_id=case.enterprise_id,
                detail=_detail(case, d),
                evidence=[cite("case", case.id, f"行政处罚案件 {case.number}")],
            )
    for year, n in sorted(unknown.items()):  # judged by a later sweep, once imported
        ctx.notes.append(
            f"F5：{n} 件行政处罚案件的期限须按 {year} 年节假日安排计算，"
            "该年安排尚未导入，暂不判断；请用 wurao calendar import 导入。"
        )
