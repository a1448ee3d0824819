"""Supervision indicators: the queries behind /oversight/dashboard (definitions in
docs/indicators.md, written on the page too).

An *inspection* is a task with status ``done`` whose record is finished (``finished_at`` set);
it is dated by the local day its record was finished and belongs to the task's region (the
enterprise's region at creation). A *joint* inspection has two or more subjects; *non-site*
means method ``offsite`` or ``written``; a *problem found* is a record outcome ``rectify`` or
``case``. For a subject, an inspection counts when the subject takes part in it (lead or not),
so a joint inspection counts once for each of its subjects and once for the region.

The page reads the figures kept by ``wurao.oversight.indicators`` (updated in the transaction
that finishes a record); the drill-downs and the F8 trend rule query the records themselves
with the same definitions, and a test holds the two equal.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor, region_filter, region_in_scope
from wurao.core.policy import get_policy
from wurao.core.time import LOCAL_TZ, local_today
from wurao.inspections.models import InspectionRecord, InspectionTask, TaskSubject
from wurao.oversight.indicators import (
    LOW_RATING_POLICY,
    NONSITE,
    PROBLEM,
    RATINGS,
    joint_counts,
)
from wurao.oversight.models import (
    Alert,
    IndicatorDay,
    IndicatorEnterpriseYear,
    IndicatorSubjectMonth,
    IndicatorTimesYear,
)
from wurao.registry.models import EnforcementSubject, Enterprise

INDICATORS = {
    "inspections": "检查次数",
    "joint": "联合检查",
    "nonsite": "非现场检查",
    "onsite": "现场检查",
    "problem": "发现问题的检查",
}
AGE_BUCKETS = (("0–7日", 0, 7), ("8–30日", 8, 30), ("31日以上", 31, 100_000))
PER_ENTERPRISE_BUCKETS = ("1次", "2次", "3次", "4次", "5次及以上")


@dataclass(frozen=True)
class Rates:
    """Counts and rates of one set of inspections."""

    inspections: int = 0
    joint: int = 0
    nonsite: int = 0
    problem: int = 0

    @property
    def onsite(self) -> int:
        """Inspections that are not non-site."""
        return self.inspections - self.nonsite

    def _rate(self, n: int) -> float:
        return n / self.inspections if self.inspections else 0.0

    @property
    def joint_rate(self) -> float:
        """联合检查率 = joint / inspections."""
        return self._rate(self.joint)

    @property
    def nonsite_share(self) -> float:
        """非现场检查占比 = nonsite / inspections."""
        return self._rate(self.nonsite)

    @property
    def problem_rate(self) -> float:
        """问题发现率 = problem / inspections."""
        return self._rate(self.problem)


def utc_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants at which local day ``start`` begins and local day ``end`` ends."""
    lo = dt.datetime.combine(start, dt.time(), LOCAL_TZ).astimezone(dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), LOCAL_TZ).astimezone(dt.UTC)
    return lo, hi


def inspections_where(start: dt.date, end: dt.date) -> list[ColumnElement[bool]]:
    """The conditions that make a task an inspection finished on local days [start, end]."""
    lo, hi = utc_bounds(start, end)
    return [
        InspectionTask.status == "done",
        InspectionRecord.finished_at >= lo,
        InspectionRecord.finished_at < hi,
    ]


def subject_count() -> Any:
    """Per task row: its number of subjects (one index lookup; for lists and one subject)."""
    return (
        select(func.count())
        .where(TaskSubject.task_id == InspectionTask.id)
        .correlate(InspectionTask)
        .scalar_subquery()
    )


def _rate_columns(n: Any) -> list[Any]:
    return [
        func.count(InspectionTask.id),
        func.sum(case((n >= 2, 1), else_=0)),
        func.sum(case((InspectionTask.method.in_(NONSITE), 1), else_=0)),
        func.sum(case((InspectionRecord.outcome.in_(PROBLEM), 1), else_=0)),
    ]


def _rates(row: Any) -> Rates:
    return Rates(*(int(v or 0) for v in row))


def base(jc: Any, start: dt.date, end: dt.date, *cols: Any) -> Select[Any]:
    """Select ``cols`` over the inspections finished on local days [start, end].

    ``jc`` is the ``joint_counts()`` subquery to join (one pass over every task's subjects,
    for aggregates over a whole region), or None when ``subject_count()`` is used instead.
    """
    stmt = (
        select(*cols)
        .select_from(InspectionRecord)
        .join(InspectionTask, InspectionRecord.task_id == InspectionTask.id)
        .where(*inspections_where(start, end))
    )
    return stmt if jc is None else stmt.join(jc, jc.c.task_id == InspectionTask.id)


def subject_rates(
    session: Session,
    start: dt.date,
    end: dt.date,
    prefix: str = "",
    subject_id: int | None = None,
) -> dict[int, tuple[str, Rates]]:
    """Subject id → (subject region, rates of the inspections it took part in), from records."""
    # a whole region's aggregate counts every task's subjects once; one subject's, per row
    jc = joint_counts() if subject_id is None else None
    n = jc.c.n if jc is not None else subject_count()
    stmt = (
        base(jc, start, end, TaskSubject.subject_id, *_rate_columns(n))
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .group_by(TaskSubject.subject_id)
    )
    if prefix:
        stmt = stmt.where(region_in_scope(InspectionTask.region_code, prefix))
    if subject_id is not None:
        stmt = stmt.where(TaskSubject.subject_id == subject_id)
    rows = session.execute(stmt).all()
    regions = dict(
        session.execute(
            select(EnforcementSubject.id, EnforcementSubject.region_code).where(
                EnforcementSubject.id.in_([r[0] for r in rows])
            )
        ).all()
    )
    return {r[0]: (regions.get(r[0], ""), _rates(r[1:])) for r in rows}


# --- the kept figures ---------------------------------------------------------------------


def _sums(model: Any) -> list[Any]:
    return [func.sum(model.inspections), func.sum(model.joint), func.sum(model.nonsite),
            func.sum(model.problem)]  # fmt: skip


def region_rates(session: Session, prefix: str, start: dt.date, end: dt.date) -> Rates:
    """Rates of the inspections of a region prefix finished on local days [start, end]."""
    row = session.execute(
        select(*_sums(IndicatorDay)).where(
            region_in_scope(IndicatorDay.region_code, prefix),
            IndicatorDay.day >= start,
            IndicatorDay.day <= end,
        )
    ).one()
    return _rates(row)


def kept_subject_rates(
    session: Session, prefix: str, first: dt.date, last: dt.date
) -> dict[int, Rates]:
    """Subject id → rates of the inspections in the region, whole months ``first``…``last``."""
    m = IndicatorSubjectMonth
    rows = session.execute(
        select(m.subject_id, *_sums(m))
        .where(
            region_in_scope(m.region_code, prefix),
            m.month >= first.replace(day=1),
            m.month <= last.replace(day=1),
        )
        .group_by(m.subject_id)
    ).all()
    return {r[0]: _rates(r[1:]) for r in rows}


def monthly(session: Session, prefix: str, year: int, subject_id: int | None = None) -> list[int]:
    """Inspections per month (index 0 = January) of a year."""
    out = [0] * 12
    if subject_id is None:
        d = IndicatorDay
        stmt: Any = (
            select(d.day, func.sum(d.inspections))
            .where(
                region_in_scope(d.region_code, prefix),
                d.day >= dt.date(year, 1, 1),
                d.day <= dt.date(year, 12, 31),
            )
            .group_by(d.day)
        )
    else:
        m = IndicatorSubjectMonth
        stmt = (
            select(m.month, func.sum(m.inspections))
            .where(
                region_in_scope(m.region_code, prefix),
                m.subject_id == subject_id,
                m.month >= dt.date(year, 1, 1),
                m.month <= dt.date(year, 12, 1),
            )
            .group_by(m.month)
        )
    for day, n in session.execute(stmt):
        out[day.month - 1] += int(n or 0)
    return out


@dataclass
class Dashboard:
    """Everything the dashboard page shows for one region and year."""

    region_code: str
    year: int
    start: dt.date
    end: dt.date
    last_end: dt.date
    target: float
    total: Rates
    last_total: Rates
    months: list[int]
    last_months: list[int]
    subjects: list[tuple[EnforcementSubject, Rates]]
    per_enterprise: list[int]
    top: list[tuple[Enterprise, int]]
    evaluations: Evaluations
    alerts_by_rule: list[tuple[str, list[int]]]
    subject: EnforcementSubject | None = None  # a subject's own dashboard


def same_day_last_year(day: dt.date) -> dt.date:
    """The same month and day a year earlier (28 February for 29 February)."""
    if (day.month, day.day) == (2, 29):
        return dt.date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def period(year: int | None, today: dt.date) -> tuple[int, dt.date, dt.date, dt.date]:
    """(year, 本期 start, 本期 end, 上年同期 end): this year to today, a past year whole."""
    year = year or today.year
    end = min(today, dt.date(year, 12, 31)) if year == today.year else dt.date(year, 12, 31)
    return year, dt.date(year, 1, 1), end, same_day_last_year(end)


def actor_prefix(actor: Actor) -> str:
    """The region prefix whose figures the actor may see (checks the permission)."""
    actor.require(Permission.DASHBOARD_VIEW)
    return actor.scope_prefix if actor.role.value != "sysadmin" else ""


def build(session: Session, *, actor: Actor, year: int | None = None) -> Dashboard:
    """The dashboard for the actor's region: this year to date against last year."""
    prefix = actor_prefix(actor)
    today = local_today()
    year, start, end, last_end = period(year, today)
    kept = kept_subject_rates(session, prefix, start, end)
    subjects = session.scalars(
        select(EnforcementSubject)
        .where(region_filter(actor, EnforcementSubject.region_code))
        .order_by(EnforcementSubject.region_code, EnforcementSubject.id)
    ).all()
    rows = [(s, kept.get(s.id, Rates())) for s in subjects]
    rows.sort(key=lambda r: -r[1].inspections)
    per_ent, top = per_enterprise(session, prefix, year)
    return Dashboard(
        region_code=actor.region_code,
        year=year,
        start=start,
        end=end,
        last_end=last_end,
        target=float(get_policy().value("joint.target_rate", actor.region_code, today)),
        total=region_rates(session, prefix, start, end),
        last_total=region_rates(session, prefix, dt.date(year - 1, 1, 1), last_end),
        months=monthly(session, prefix, year),
        last_months=monthly(session, prefix, year - 1),
        subjects=rows,
        per_enterprise=per_ent,
        top=top,
        evaluations=evaluation_summary(
            session, prefix, start, end, low_rating_max(actor.region_code, today)
        ),
        alerts_by_rule=open_alerts(session, actor, today),
    )


def per_enterprise(
    session: Session, prefix: str, year: int, top_n: int = 10
) -> tuple[list[int], list[tuple[Enterprise, int]]]:
    """Enterprises by number of inspections in a year (buckets 1…5+) and the most inspected."""
    t = IndicatorTimesYear
    dist: Counter[int] = Counter()
    for k, howmany in session.execute(
        select(t.times, func.sum(t.enterprises))
        .where(t.year == year, region_in_scope(t.region_code, prefix))
        .group_by(t.times)
    ):
        dist[int(k)] = int(howmany or 0)
    top_rows = _most_inspected(session, prefix, year, top_n)
    return [dist.get(i, 0) for i in range(1, 6)], [(ent, int(n)) for ent, n in top_rows]


@dataclass(frozen=True)
class Evaluations:
    """Submitted evaluations of a period's inspections."""

    by_rating: tuple[int, ...]  # how many rated 1, 2, 3, 4, 5
    misconduct: int  # how many reported misconduct
    low_max: int  # a rating at or below it is a low one (policy evaluations.low_rating_max)

    @property
    def count(self) -> int:
        """All submitted evaluations."""
        return sum(self.by_rating)

    @property
    def mean(self) -> float:
        """The mean rating, to two decimals (0 when there is none)."""
        total = sum(k * n for k, n in zip(RATINGS, self.by_rating, strict=True))
        return round(total / self.count, 2) if self.count else 0.0

    @property
    def low(self) -> int:
        """Evaluations rated ``low_max`` or less."""
        return sum(n for k, n in zip(RATINGS, self.by_rating, strict=True) if k <= self.low_max)


def _most_inspected(
    session: Session, prefix: str, year: int, top_n: int
) -> list[tuple[Enterprise, int]]:
    """The ``top_n`` most inspected enterprises of the region (ties by enterprise id).

    Walks the counts downwards from the year's highest, one equality lookup on the
    (year, inspections, region) index each, so that neither database sorts a province's
    million rows whatever its planner's statistics say.
    """
    e = IndicatorEnterpriseYear
    times = session.scalar(select(func.max(e.inspections)).where(e.year == year)) or 0
    found: list[tuple[int, int]] = []
    while times > 0 and len(found) < top_n:
        ids = session.scalars(
            select(e.enterprise_id)
            .where(e.year == year, e.inspections == times, region_in_scope(e.region_code, prefix))
            .order_by(e.enterprise_id)
            .limit(top_n - len(found))
        ).all()
        found += [(i, times) for i in ids]
        below = select(func.max(e.inspections)).where(e.year == year, e.inspections < times)
        times = session.scalar(below) or 0  # the next count anyone has, in the index
    names = {
        x.id: x
        for x in session.scalars(select(Enterprise).where(Enterprise.id.in_([i for i, _ in found])))
    }
    return [(names[i], n) for i, n in found if i in names]


def low_rating_max(region_code: str, on: dt.date) -> int:
    """The policy's highest low rating for a region (F2 EVALUATION)."""
    return int(get_policy().value(LOW_RATING_POLICY, region_code, on))


def evaluation_summary(
    session: Session, prefix: str, start: dt.date, end: dt.date, low_max: int
) -> Evaluations:
    """Submitted evaluations of the period's inspections, by rating, and misconduct reports."""
    d = IndicatorDay
    row = session.execute(
        select(
            *(func.sum(getattr(d, f"rated_{k}")) for k in RATINGS), func.sum(d.misconduct)
        ).where(region_in_scope(d.region_code, prefix), d.day >= start, d.day <= end)
    ).one()
    counts = [int(v or 0) for v in row]
    return Evaluations(tuple(counts[:-1]), counts[-1], low_max)


def open_alerts(
    session: Session, actor: Actor, today: dt.date, *extra: ColumnElement[bool]
) -> list[tuple[str, list[int]]]:
    """Open alerts (new or notified) of the region by rule, counted by age buckets."""
    now = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), LOCAL_TZ)
    cols = [
        func.sum(case((Alert.created_at >= now - dt.timedelta(days=hi + 1), 1), else_=0))
        for _, _, hi in AGE_BUCKETS
    ]
    rows = session.execute(
        select(Alert.rule_id, *cols)
        .where(
            region_filter(actor, Alert.region_code), Alert.status.in_(("new", "notified")), *extra
        )
        .group_by(Alert.rule_id)
        .order_by(Alert.rule_id)
    ).all()
    out = []
    for rule_id, *within in rows:  # alerts at most hi days old, per bucket: cumulative
        counts = [int(within[0] or 0)]
        counts += [int(within[i] or 0) - int(within[i - 1] or 0) for i in range(1, len(within))]
        out.append((rule_id, counts))
    return out


def workbook(board: Dashboard, extra: Iterable[tuple[str, list[list[Any]]]] = ()) -> bytes:
    """Every table of the dashboard as one .xlsx, a sheet per table (``extra``: the cases,
    seizures, filings and outcome sheets, as (title, rows))."""
    import io

    from openpyxl import Workbook

    from wurao.core.xlsx import append_row

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "月度检查"
    append_row(ws, ["月份", f"{board.year}年", f"{board.year - 1}年"])
    for i in range(12):
        append_row(ws, [i + 1, board.months[i], board.last_months[i]])
    ws = wb.create_sheet("执法主体")
    append_row(
        ws,
        [
            "执法主体",
            "检查次数",
            "联合检查",
            "联合检查率",
            "非现场",
            "非现场占比",
            "发现问题",
            "问题发现率",
        ],
    )
    for s, r in board.subjects:
        append_row(
            ws,
            [
                s.name,
                r.inspections,
                r.joint,
                round(r.joint_rate, 4),
                r.nonsite,
                round(r.nonsite_share, 4),
                r.problem,
                round(r.problem_rate, 4),
            ],
        )
    ws = wb.create_sheet("企业检查次数")
    append_row(ws, ["被检查次数", "企业数"])
    for label, n in zip(PER_ENTERPRISE_BUCKETS, board.per_enterprise, strict=True):
        append_row(ws, [label, n])
    append_row(ws, [])
    append_row(ws, ["企业", "统一社会信用代码", "检查次数"])
    for e, n in board.top:
        append_row(ws, [e.name, e.uscc, n])
    ws = wb.create_sheet("企业评价")
    ev = board.evaluations
    append_row(
        ws,
        ["评价数", "平均分", f"{ev.low_max}分及以下", "反映不当行为", *(f"{k}分" for k in RATINGS)],
    )
    append_row(ws, [ev.count, ev.mean, ev.low, ev.misconduct, *ev.by_rating])
    ws = wb.create_sheet("未办结预警")
    append_row(ws, ["规则", *(b[0] for b in AGE_BUCKETS)])
    for rule_id, counts in board.alerts_by_rule:
        append_row(ws, [rule_id, *counts])
    for title, rows in extra:
        ws = wb.create_sheet(title)
        for row in rows:
            append_row(ws, row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
