"""Supervision indicators: the queries behind /oversight/dashboard (definitions in
docs/indicators.md, written on the page too).

An *inspection* is a task with status ``done`` whose record is finished (``finished_at`` set);
it is dated by its task's ``window_start`` and belongs to the task's region (the enterprise's
region at creation). A *joint* inspection has two or more subjects; *non-site* means method
``offsite`` or ``written``; a *problem found* is a record outcome ``rectify`` or ``case``. For a
subject, an inspection counts when the subject takes part in it (lead or not), so a joint
inspection counts once for each of its subjects and once for the region.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, case, extract, func, select, true
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor, region_filter, region_in_scope
from wurao.core.errors import Forbidden
from wurao.core.policy import get_policy
from wurao.core.time import local_today
from wurao.inspections.models import Evaluation, InspectionRecord, InspectionTask, TaskSubject
from wurao.oversight.models import Alert
from wurao.registry.models import EnforcementSubject, Enterprise

NONSITE = ("offsite", "written")
PROBLEM = ("rectify", "case")
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


def _joint_counts() -> Any:
    return (
        select(TaskSubject.task_id, func.count().label("n"))
        .group_by(TaskSubject.task_id)
        .subquery("joint_counts")
    )


def inspections_where(start: dt.date, end: dt.date) -> list[ColumnElement[bool]]:
    """The conditions that make a task an inspection in [start, end]."""
    return [
        InspectionTask.status == "done",
        InspectionRecord.finished_at.is_not(None),
        InspectionTask.window_start >= start,
        InspectionTask.window_start <= end,
    ]


def _rate_columns(jc: Any) -> list[Any]:
    return [
        func.count(InspectionTask.id),
        func.sum(case((jc.c.n >= 2, 1), else_=0)),
        func.sum(case((InspectionTask.method.in_(NONSITE), 1), else_=0)),
        func.sum(case((InspectionRecord.outcome.in_(PROBLEM), 1), else_=0)),
    ]


def _rates(row: Any) -> Rates:
    return Rates(*(int(v or 0) for v in row))


def _base(jc: Any, start: dt.date, end: dt.date, *cols: Any) -> Select[Any]:
    return (
        select(*cols)
        .select_from(InspectionTask)
        .join(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
        .join(jc, jc.c.task_id == InspectionTask.id)
        .where(*inspections_where(start, end))
    )


def region_rates(session: Session, prefix: str, start: dt.date, end: dt.date) -> Rates:
    """Rates of the inspections in a region prefix."""
    jc = _joint_counts()
    stmt = _base(jc, start, end, *_rate_columns(jc)).where(
        region_in_scope(InspectionTask.region_code, prefix)
    )
    return _rates(session.execute(stmt).one())


def subject_rates(
    session: Session, start: dt.date, end: dt.date, prefix: str = ""
) -> dict[int, tuple[str, Rates]]:
    """Subject id → (subject region, rates of the inspections it took part in)."""
    jc = _joint_counts()
    stmt = (
        _base(jc, start, end, TaskSubject.subject_id, *_rate_columns(jc))
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .group_by(TaskSubject.subject_id)
    )
    if prefix:
        stmt = stmt.where(region_in_scope(InspectionTask.region_code, prefix))
    rows = session.execute(stmt).all()
    regions = dict(
        session.execute(
            select(EnforcementSubject.id, EnforcementSubject.region_code).where(
                EnforcementSubject.id.in_([r[0] for r in rows])
            )
        ).all()
    )
    return {r[0]: (regions.get(r[0], ""), _rates(r[1:])) for r in rows}


def monthly(session: Session, prefix: str, year: int, subject_id: int | None = None) -> list[int]:
    """Inspections per month (index 0 = January) of a year."""
    jc = _joint_counts()
    month = extract("month", InspectionTask.window_start)
    stmt = (
        _base(jc, dt.date(year, 1, 1), dt.date(year, 12, 31), month, func.count())
        .where(region_in_scope(InspectionTask.region_code, prefix))
        .group_by(month)
    )
    if subject_id is not None:
        stmt = stmt.join(TaskSubject, TaskSubject.task_id == InspectionTask.id).where(
            TaskSubject.subject_id == subject_id
        )
    out = [0] * 12
    for m, n in session.execute(stmt):
        out[int(m) - 1] = int(n)
    return out


@dataclass
class Dashboard:
    """Everything the dashboard page shows for one region and year."""

    region_code: str
    year: int
    start: dt.date
    end: dt.date
    target: float
    total: Rates
    last_total: Rates
    months: list[int]
    last_months: list[int]
    subjects: list[tuple[EnforcementSubject, Rates]]
    per_enterprise: list[int]
    top: list[tuple[Enterprise, int]]
    evaluations: dict[str, float]
    alerts_by_rule: list[tuple[str, list[int]]]
    subject_id: int | None = None
    notes: dict[str, str] = field(default_factory=dict)


def same_day_last_year(day: dt.date) -> dt.date:
    """The same month and day a year earlier (28 February for 29 February)."""
    if (day.month, day.day) == (2, 29):
        return dt.date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def _prefix(actor: Actor) -> str:
    actor.require(Permission.DASHBOARD_VIEW)
    return actor.scope_prefix if actor.role.value != "sysadmin" else ""


def build(session: Session, *, actor: Actor, year: int | None = None) -> Dashboard:
    """The dashboard for the actor's region: this year to date against last year."""
    prefix = _prefix(actor)
    today = local_today()
    year = year or today.year
    end = min(today, dt.date(year, 12, 31)) if year == today.year else dt.date(year, 12, 31)
    start = dt.date(year, 1, 1)
    last_end = same_day_last_year(end)
    region = actor.region_code
    subj_rates = subject_rates(session, start, end, prefix)
    subjects = session.scalars(
        select(EnforcementSubject)
        .where(region_filter(actor, EnforcementSubject.region_code))
        .order_by(EnforcementSubject.region_code, EnforcementSubject.id)
    ).all()
    rows = [(s, subj_rates.get(s.id, ("", Rates()))[1]) for s in subjects]
    rows.sort(key=lambda r: -r[1].inspections)
    per_ent, top = per_enterprise(session, prefix, start, end)
    return Dashboard(
        region_code=region,
        year=year,
        start=start,
        end=end,
        target=float(get_policy().value("joint.target_rate", region, today)),
        total=region_rates(session, prefix, start, end),
        last_total=region_rates(session, prefix, dt.date(year - 1, 1, 1), last_end),
        months=monthly(session, prefix, year),
        last_months=monthly(session, prefix, year - 1),
        subjects=rows,
        per_enterprise=per_ent,
        top=top,
        evaluations=evaluation_summary(session, prefix, start, end),
        alerts_by_rule=open_alerts(session, actor, today),
    )


def per_enterprise(
    session: Session, prefix: str, start: dt.date, end: dt.date, top_n: int = 10
) -> tuple[list[int], list[tuple[Enterprise, int]]]:
    """Enterprises by number of inspections (buckets 1, 2, 3, 4, 5+) and the most inspected."""
    jc = _joint_counts()
    n = func.count(InspectionTask.id)
    counts = (
        _base(jc, start, end, InspectionTask.enterprise_id.label("ent"), n.label("n"))
        .where(region_in_scope(InspectionTask.region_code, prefix))
        .group_by(InspectionTask.enterprise_id)
        .subquery()
    )
    dist: Counter[int] = Counter()
    bucket = case((counts.c.n >= 5, 5), else_=counts.c.n)
    for k, howmany in session.execute(select(bucket, func.count()).group_by(bucket)):
        dist[int(k)] = int(howmany)
    buckets = [dist.get(i, 0) for i in range(1, 6)]
    top_rows = session.execute(
        select(Enterprise, counts.c.n)
        .join(counts, counts.c.ent == Enterprise.id)
        .order_by(counts.c.n.desc(), Enterprise.id)
        .limit(top_n)
    ).all()
    return buckets, [(e, int(c)) for e, c in top_rows]


def evaluation_summary(
    session: Session, prefix: str, start: dt.date, end: dt.date
) -> dict[str, float]:
    """Submitted evaluations of the period's inspections: count, mean rating, low, misconduct."""
    jc = _joint_counts()
    row = session.execute(
        _base(
            jc,
            start,
            end,
            func.count(Evaluation.id),
            func.avg(Evaluation.rating),
            func.sum(case((Evaluation.rating <= 2, 1), else_=0)),
            func.sum(case((Evaluation.misconduct != "", 1), else_=0)),
        )
        .join(Evaluation, Evaluation.task_id == InspectionTask.id)
        .where(
            region_in_scope(InspectionTask.region_code, prefix),
            Evaluation.submitted_at.is_not(None),
        )
    ).one()
    return {
        "count": int(row[0] or 0),
        "mean": round(float(row[1]), 2) if row[1] is not None else 0.0,
        "low": int(row[2] or 0),
        "misconduct": int(row[3] or 0),
    }


def open_alerts(session: Session, actor: Actor, today: dt.date) -> list[tuple[str, list[int]]]:
    """Open alerts (new or notified) of the region by rule, counted by age buckets."""
    rows = session.execute(
        select(Alert.rule_id, Alert.created_at).where(
            region_filter(actor, Alert.region_code), Alert.status.in_(("new", "notified"))
        )
    ).all()
    by_rule: dict[str, list[int]] = {}
    for rule_id, created in rows:
        age = (today - created.date()).days
        counts = by_rule.setdefault(rule_id, [0] * len(AGE_BUCKETS))
        for i, (_, lo, hi) in enumerate(AGE_BUCKETS):
            if lo <= age <= hi:
                counts[i] += 1
    return sorted(by_rule.items())


def indicator_tasks(
    session: Session,
    *,
    actor: Actor,
    name: str,
    year: int,
    subject_id: int | None = None,
    month: int | None = None,
    enterprise_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[tuple[InspectionTask, InspectionRecord, int]], int]:
    """The inspections behind a figure (drill-down), with their number of subjects."""
    prefix = _prefix(actor)
    if name not in INDICATORS:
        raise Forbidden("未知指标。")
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if year == local_today().year:
        end = local_today()
    if month:
        start = dt.date(year, month, 1)
        end = min(end, (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))
    jc = _joint_counts()
    stmt = _base(jc, start, end, InspectionTask, InspectionRecord, jc.c.n).where(
        region_in_scope(InspectionTask.region_code, prefix)
    )
    extra: ColumnElement[bool] = true()
    if name == "joint":
        extra = jc.c.n >= 2
    elif name == "nonsite":
        extra = InspectionTask.method.in_(NONSITE)
    elif name == "onsite":
        extra = InspectionTask.method.not_in(NONSITE)
    elif name == "problem":
        extra = InspectionRecord.outcome.in_(PROBLEM)
    stmt = stmt.where(extra)
    if subject_id is not None:
        stmt = stmt.where(
            InspectionTask.id.in_(
                select(TaskSubject.task_id).where(TaskSubject.subject_id == subject_id)
            )
        )
    if enterprise_id is not None:
        stmt = stmt.where(InspectionTask.enterprise_id == enterprise_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(InspectionTask.window_start, InspectionTask.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return [(t, r, int(n)) for t, r, n in rows], int(total)


def workbook(board: Dashboard) -> bytes:
    """Every table of the dashboard as one .xlsx, a sheet per table."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "月度检查"
    ws.append(["月份", f"{board.year}年", f"{board.year - 1}年"])
    for i in range(12):
        ws.append([i + 1, board.months[i], board.last_months[i]])
    ws = wb.create_sheet("执法主体")
    ws.append(
        [
            "执法主体",
            "检查次数",
            "联合检查",
            "联合检查率",
            "非现场",
            "非现场占比",
            "发现问题",
            "问题发现率",
        ]
    )
    for s, r in board.subjects:
        ws.append(
            [
                s.name,
                r.inspections,
                r.joint,
                round(r.joint_rate, 4),
                r.nonsite,
                round(r.nonsite_share, 4),
                r.problem,
                round(r.problem_rate, 4),
            ]
        )
    ws = wb.create_sheet("企业检查次数")
    ws.append(["被检查次数", "企业数"])
    for label, n in zip(PER_ENTERPRISE_BUCKETS, board.per_enterprise, strict=True):
        ws.append([label, n])
    ws.append([])
    ws.append(["企业", "统一社会信用代码", "检查次数"])
    for e, n in board.top:
        ws.append([e.name, e.uscc, n])
    ws = wb.create_sheet("企业评价")
    ws.append(["评价数", "平均分", "2分及以下", "反映不当行为"])
    ev = board.evaluations
    ws.append([ev["count"], ev["mean"], ev["low"], ev["misconduct"]])
    ws = wb.create_sheet("未办结预警")
    ws.append(["规则", *(b[0] for b in AGE_BUCKETS)])
    for rule_id, counts in board.alerts_by_rule:
        ws.append([rule_id, *counts])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
