"""The dashboard's outcome indicators (#16; docs/indicators.md "Outcome indicators"): the
双随机 share of routine inspections, the re-offence rate, rectification on time, satisfaction
and the items never or most used, for the board's period and the same period last year.

The definitions are those of the annual statistics (``wurao.reports.annual.figures``), which
sits above oversight and so cannot be imported here: they are computed again from the same
tables, over the dashboard's periods instead of whole years. Each figure is one statement.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from wurao.auth.scope import region_in_scope
from wurao.core.ids import region_scope_prefix
from wurao.core.time import LOCAL_TZ
from wurao.inspections.models import (
    Evaluation,
    InspectionRecord,
    InspectionTask,
    TaskItem,
    TaskSubject,
)
from wurao.oversight.dashboard import base, same_day_last_year, utc_bounds
from wurao.oversight.indicators import PROBLEM
from wurao.oversight.rectification.models import RectificationItem
from wurao.oversight.rectification.statuses import RectStatus
from wurao.registry.models import EnforcementSubject, InspectionItem

ROUTINE = ("plan", "draw")  # 常规检查: from the annual plan or a 双随机 draw (路桥 三(三)3)
DRAW = "draw"
MOST_USED = 5  # the most used items listed
NEVER_LISTED = 10  # the never used items listed (all are counted)

Period = tuple[dt.date, dt.date]


@dataclass(frozen=True)
class Share:
    """A numerator over a denominator."""

    part: int = 0
    whole: int = 0

    @property
    def rate(self) -> float:
        """part ÷ whole (0 when the denominator is 0)."""
        return self.part / self.whole if self.whole else 0.0


@dataclass(frozen=True)
class Outcomes:
    """The outcome indicators: (本期, 上年同期) each, and the item lists of 本期."""

    random_share: tuple[Share, Share]
    reoffence: tuple[Share, Share]
    rect_on_time: tuple[Share, Share]
    satisfaction: tuple[Share, Share]
    items_published: int
    never_used: list[tuple[str, str]]  # (code, name), at most NEVER_LISTED
    never_count: int
    most_used: list[tuple[str, str, int]]  # (code, name, times)

    def sheet(self) -> list[list[Any]]:
        """The indicators as rows of the .xlsx export."""
        rows: list[list[Any]] = [
            ["指标", "本期分子", "本期分母", "本期", "上年同期分子", "上年同期分母", "上年同期"]
        ]
        for label, (now, last) in (
            ("双随机抽查占常规检查比例", self.random_share),
            ("再次发现问题企业比例", self.reoffence),
            ("整改按期率（已销号中）", self.rect_on_time),
            ("企业满意率", self.satisfaction),
        ):
            rows.append(
                [
                    label,
                    now.part,
                    now.whole,
                    round(now.rate, 4),
                    last.part,
                    last.whole,
                    round(last.rate, 4),
                ]
            )
        rows += [[], ["从未使用的检查事项", self.never_count, self.items_published]]
        rows += [[code, name] for code, name in self.never_used]
        rows += [[], ["使用最多的检查事项", "次数"]]
        rows += [[f"{code} {name}", n] for code, name, n in self.most_used]
        return rows


def _inspections(
    prefix: str, subject_id: int | None, start: dt.date, end: dt.date, *cols: Any
) -> Any:
    stmt = base(None, start, end, *cols).where(region_in_scope(InspectionTask.region_code, prefix))
    if subject_id is not None:
        stmt = stmt.join(TaskSubject, TaskSubject.task_id == InspectionTask.id).where(
            TaskSubject.subject_id == subject_id
        )
    return stmt


def _in(col: Any, period: Period) -> Any:
    lo, hi = utc_bounds(*period)
    return and_(col >= lo, col < hi)


def random_share(
    session: Session, prefix: str, subject_id: int | None, periods: tuple[Period, Period]
) -> tuple[Share, Share]:
    """Inspections from a 双随机 draw ÷ routine inspections (plan or draw), each period."""
    r = InspectionRecord.finished_at
    draw = InspectionTask.origin == DRAW
    cols = []
    for p in periods:
        cols += [
            func.sum(case((and_(_in(r, p), draw), 1), else_=0)),
            func.sum(case((_in(r, p), 1), else_=0)),
        ]
    row = session.execute(
        _inspections(prefix, subject_id, periods[1][0], periods[0][1], *cols).where(
            InspectionTask.origin.in_(ROUTINE)
        )
    ).one()
    v = [int(x or 0) for x in row]
    return Share(v[0], v[1]), Share(v[2], v[3])


def _again(days: dict[int, list[dt.date]], period: Period) -> Share:
    found = again = 0
    for seen in days.values():
        in_period = [d for d in seen if period[0] <= d <= period[1]]
        if not in_period:
            continue
        found += 1
        if any(a < b and a >= same_day_last_year(b) for b in in_period for a in seen):
            again += 1
    return Share(again, found)


def reoffence(
    session: Session, prefix: str, subject_id: int | None, periods: tuple[Period, Period]
) -> tuple[Share, Share]:
    """Enterprises with a problem found in the period, and those among them with a problem
    found again within 12 months of an earlier one (which may precede the period)."""
    first = same_day_last_year(periods[1][0])
    rows = session.execute(
        _inspections(
            prefix,
            subject_id,
            first,
            periods[0][1],
            InspectionTask.enterprise_id,
            InspectionRecord.finished_at,
        ).where(InspectionRecord.outcome.in_(PROBLEM))
    ).all()
    days: dict[int, list[dt.date]] = defaultdict(list)
    for enterprise_id, finished_at in rows:
        days[enterprise_id].append(finished_at.astimezone(LOCAL_TZ).date())
    return _again(days, periods[0]), _again(days, periods[1])


def rect_on_time(
    session: Session, prefix: str, subject_id: int | None, periods: tuple[Period, Period]
) -> tuple[Share, Share]:
    """Rectification items accepted (销号) in the period whose answer came by the due date ÷
    the items accepted in the period."""
    ri = RectificationItem
    lo, _ = utc_bounds(*periods[1])
    _, hi = utc_bounds(*periods[0])
    stmt = select(ri.closed_at, ri.answered_at, ri.due_on).where(
        ri.status == RectStatus.ACCEPTED.value,
        ri.closed_at >= lo,
        ri.closed_at < hi,
        region_in_scope(ri.region_code, prefix),
    )
    if subject_id is not None:
        stmt = stmt.where(ri.subject_id == subject_id)
    out = []
    rows = session.execute(stmt).all()
    for p in periods:
        part = whole = 0
        for closed_at, answered_at, due_on in rows:
            if closed_at is None or not p[0] <= closed_at.astimezone(LOCAL_TZ).date() <= p[1]:
                continue
            whole += 1
            if answered_at is not None and answered_at.astimezone(LOCAL_TZ).date() <= due_on:
                part += 1
        out.append(Share(part, whole))
    return out[0], out[1]


def satisfaction(
    session: Session,
    prefix: str,
    subject_id: int | None,
    periods: tuple[Period, Period],
    low_max: int,
) -> tuple[Share, Share]:
    """Submitted ratings above the policy's low rating ÷ submitted ratings (evaluations of the
    period's inspections)."""
    r = InspectionRecord.finished_at
    high = Evaluation.rating > low_max
    cols = []
    for p in periods:
        cols += [
            func.sum(case((and_(_in(r, p), high), 1), else_=0)),
            func.sum(case((_in(r, p), 1), else_=0)),
        ]
    row = session.execute(
        _inspections(prefix, subject_id, periods[1][0], periods[0][1], *cols)
        .join(Evaluation, Evaluation.task_id == InspectionTask.id)
        .where(Evaluation.submitted_at.is_not(None), Evaluation.rating.is_not(None))
    ).one()
    v = [int(x or 0) for x in row]
    return Share(v[0], v[1]), Share(v[2], v[3])


def item_use(
    session: Session,
    region_code: str,
    prefix: str,
    subject: EnforcementSubject | None,
    period: Period,
) -> tuple[int, list[tuple[str, str]], int, list[tuple[str, str, int]]]:
    """The published items applying to the region (a subject: of its field), how many of them
    no inspection of the period used, a short list of those, and the most used items."""
    subject_id = subject.id if subject is not None else None
    used_stmt = (
        _inspections(prefix, subject_id, *period, TaskItem.item_id, func.count())
        .join(TaskItem, TaskItem.task_id == InspectionTask.id)
        .group_by(TaskItem.item_id)
    )
    if subject_id is not None:
        used_stmt = used_stmt.where(TaskItem.subject_id == subject_id)
    used: dict[int, int] = {int(k): int(v) for k, v in session.execute(used_stmt)}
    stmt = select(InspectionItem).where(InspectionItem.status == "published")
    if subject is not None:
        stmt = stmt.where(InspectionItem.field == subject.field)
    items = [
        i
        for i in session.scalars(stmt.order_by(InspectionItem.code))
        if region_code.startswith(region_scope_prefix(i.region_code))
        or i.id in used  # an item of a town below the region, used in it
    ]
    never = [(i.code, i.name) for i in items if i.id not in used]
    known = {i.id: i for i in items}
    ranked = sorted(
        ((k, n) for k, n in used.items() if k in known), key=lambda kv: (-kv[1], known[kv[0]].code)
    )[:MOST_USED]
    most = [(known[k].code, known[k].name, n) for k, n in ranked]
    return len(items), never[:NEVER_LISTED], len(never), most


def build(
    session: Session,
    *,
    region_code: str,
    prefix: str,
    subject: EnforcementSubject | None,
    start: dt.date,
    end: dt.date,
    last_end: dt.date,
    low_max: int,
) -> Outcomes:
    """The outcome indicators of a region prefix (or one subject of it), 本期 and 上年同期."""
    periods = ((start, end), (start.replace(year=start.year - 1), last_end))
    sid = subject.id if subject is not None else None
    total, never, never_count, most = item_use(
        session, subject.region_code if subject else region_code, prefix, subject, periods[0]
    )
    return Outcomes(
        random_share=random_share(session, prefix, sid, periods),
        reoffence=reoffence(session, prefix, sid, periods),
        rect_on_time=rect_on_time(session, prefix, sid, periods),
        satisfaction=satisfaction(session, prefix, sid, periods, low_max),
        items_published=total,
        never_used=never,
        never_count=never_count,
        most_used=most,
    )
