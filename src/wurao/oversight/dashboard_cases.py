"""The dashboard's penalty cases, coercive measures and major-decision filings, by subject
(docs/indicators.md "Cases, seizures and filings").

Each section is one grouped statement over its table (joined to the subject for its name), with
this period's and the same period last year's figures as conditional sums, so the page's
statement count does not grow with the data. Case and filing figures count rows dated within
the period; the measures are a state, read on the period's last day (today for this year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor, region_in_scope
from wurao.cases.coercion.models import CoerciveMeasure
from wurao.cases.coercion.statuses import MeasureStatus
from wurao.cases.models import PenaltyCase
from wurao.core import rules as catalogue
from wurao.core.time import local_today
from wurao.oversight import dashboard_outcomes
from wurao.oversight.dashboard import Dashboard, actor_prefix
from wurao.oversight.filings.models import MajorFiling
from wurao.oversight.filings.statuses import FilingStatus
from wurao.oversight.models import Alert
from wurao.registry.models import EnforcementSubject

CASE_FIGURES = ("filed", "decided", "closed")
MEASURE_FIGURES = ("held", "past30", "past60", "expired")
FILING_FIGURES = ("due", "late", "returned", "accepted")
LABELS = {
    "filed": "立案",
    "decided": "作出决定",
    "closed": "结案",
    "overdue": "超期未办（F5）",
    "held": "实施中",
    "past30": "超过30日",
    "past60": "超过60日（延长）",
    "expired": "期满未解除（E7）",
    "due": "应备案",
    "late": "逾期备案（D25）",
    "returned": "被退回",
    "accepted": "审查通过",
}
OPEN_ALERT = ("new", "notified")


@dataclass
class Line:
    """One subject's (or the total's) figures: this period and the same period last year."""

    subject_id: int | None
    name: str
    now: dict[str, int] = field(default_factory=dict)
    last: dict[str, int] = field(default_factory=dict)

    def add(self, other: Line) -> None:
        """Add another line's figures to this one (the total)."""
        for mine, theirs in ((self.now, other.now), (self.last, other.last)):
            for k, v in theirs.items():
                mine[k] = mine.get(k, 0) + v


@dataclass
class Section:
    """A table of the dashboard: its figures, a line per subject and the total."""

    figures: tuple[str, ...]
    lines: list[Line]
    total: Line


@dataclass
class Sections:
    """Cases, measures and filings of a dashboard."""

    cases: Section
    measures: Section
    filings: Section

    def sheets(self) -> list[tuple[str, list[list[Any]]]]:
        """The three tables for the .xlsx export: a sheet each, a row per subject."""
        out = []
        for title, sec in (
            ("行政处罚案件", self.cases),
            ("行政强制措施", self.measures),
            ("重大执法决定备案", self.filings),
        ):
            head = ["执法主体"]
            for k in sec.figures:
                head += [LABELS[k], f"{LABELS[k]}（上年同期）"]
            rows: list[list[Any]] = [head]
            for line in [*sec.lines, sec.total]:
                row: list[Any] = [line.name]
                for k in sec.figures:
                    row += [line.now.get(k, 0), line.last.get(k, "")]
                rows.append(row)
            out.append((title, rows))
        return out


def _n(cond: ColumnElement[bool]) -> Any:
    return func.sum(case((cond, 1), else_=0))


def _within(col: Any, start: dt.date, end: dt.date) -> ColumnElement[bool]:
    return and_(col >= start, col <= end)


def _section(figures: tuple[str, ...], rows: Any, split: int) -> Section:
    total = Line(None, "合计")
    lines = []
    for sid, name, *vals in rows:
        now = dict(zip(figures, (int(v or 0) for v in vals[:split]), strict=False))
        last = dict(zip(figures, (int(v or 0) for v in vals[split:]), strict=False))
        line = Line(sid, name, now, last)
        lines.append(line)
        total.add(line)
    lines.sort(key=lambda x: (-sum(x.now.values()), x.subject_id or 0))
    return Section(figures, lines, total)


def _scoped(stmt: Any, model: Any, prefix: str, subject_id: int | None) -> Any:
    stmt = (
        stmt.select_from(model)
        .join(EnforcementSubject, EnforcementSubject.id == model.subject_id)
        .where(region_in_scope(model.region_code, prefix))
    )
    if subject_id is not None:
        stmt = stmt.where(model.subject_id == subject_id)
    return stmt.group_by(EnforcementSubject.id, EnforcementSubject.name)


def case_section(
    session: Session,
    prefix: str,
    subject_id: int | None,
    periods: tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]],
) -> Section:
    """Cases filed, decided and closed in each period, and open F5 alerts (two statements)."""
    c = PenaltyCase
    cols = [_n(_within(getattr(c, f"{k}_on"), lo, hi)) for lo, hi in periods for k in CASE_FIGURES]
    first = periods[1][0]
    stmt = select(EnforcementSubject.id, EnforcementSubject.name, *cols).where(
        or_(c.filed_on >= first, c.decided_on >= first, c.closed_on >= first)
    )
    sec = _section((*CASE_FIGURES,), session.execute(_scoped(stmt, c, prefix, subject_id)).all(), 3)
    # F5: open alerts of the sweep (one per case and overdue organ's clock), a present state
    a = Alert
    alerts = (
        select(EnforcementSubject.id, EnforcementSubject.name, func.count())
        .select_from(a)
        .join(EnforcementSubject, EnforcementSubject.id == a.subject_id)
        .where(
            a.rule_id == catalogue.F5_CASE_OVERDUE.id,
            a.status.in_(OPEN_ALERT),
            region_in_scope(a.region_code, prefix),
        )
        .group_by(EnforcementSubject.id, EnforcementSubject.name)
    )
    if subject_id is not None:
        alerts = alerts.where(a.subject_id == subject_id)
    overdue = {sid: (name, int(n)) for sid, name, n in session.execute(alerts)}
    lines = {line.subject_id: line for line in sec.lines}
    for sid, (name, n) in overdue.items():
        if sid not in lines:  # a subject with no case dated in either period
            lines[sid] = Line(sid, name, dict.fromkeys(CASE_FIGURES, 0), {})
            sec.lines.append(lines[sid])
        lines[sid].now["overdue"] = n
    sec.total.now["overdue"] = sum(n for _, n in overdue.values())
    sec.figures = (*CASE_FIGURES, "overdue")
    return sec


def _held(m: type[CoerciveMeasure], day: dt.date) -> ColumnElement[bool]:
    return and_(
        m.status != MeasureStatus.APPLIED.value,
        m.starts_on <= day,
        or_(m.outcome_on.is_(None), m.outcome_on > day),
    )


def measure_section(
    session: Session, prefix: str, subject_id: int | None, days: tuple[dt.date, dt.date]
) -> Section:
    """Measures holding property on each day, held over 30 and 60 days, past their last day."""
    m = CoerciveMeasure
    cols = []
    for day in days:
        held = _held(m, day)
        cols += [
            _n(held),
            _n(and_(held, m.starts_on <= day - dt.timedelta(days=30))),
            _n(and_(held, m.starts_on <= day - dt.timedelta(days=60))),
            _n(and_(held, m.ends_on < day)),
        ]
    stmt = select(EnforcementSubject.id, EnforcementSubject.name, *cols).where(
        m.starts_on.is_not(None), m.starts_on <= days[0]
    )
    rows = session.execute(_scoped(stmt, m, prefix, subject_id)).all()
    sec = _section(MEASURE_FIGURES, rows, 4)
    sec.lines = [x for x in sec.lines if any(x.now.values()) or any(x.last.values())]
    return sec


def filing_section(
    session: Session,
    prefix: str,
    subject_id: int | None,
    periods: tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]],
    today: dt.date,
) -> Section:
    """Filings of the decisions taken in each period: how many, late, returned, accepted."""
    f = MajorFiling
    late = and_(
        f.due_on.is_not(None),
        or_(and_(f.filed_on.is_(None), f.due_on < today), f.filed_on > f.due_on),
    )
    cols = []
    for lo, hi in periods:
        inside = _within(f.decided_on, lo, hi)
        cols += [
            _n(inside),
            _n(and_(inside, late)),
            _n(and_(inside, f.returned_times > 0)),
            _n(and_(inside, f.status == FilingStatus.ACCEPTED.value)),
        ]
    stmt = select(EnforcementSubject.id, EnforcementSubject.name, *cols).where(
        f.decided_on >= periods[1][0], f.decided_on <= periods[0][1]
    )
    rows = session.execute(_scoped(stmt, f, prefix, subject_id)).all()
    return _section(FILING_FIGURES, rows, 4)


def build(
    session: Session,
    *,
    prefix: str,
    subject_id: int | None,
    start: dt.date,
    end: dt.date,
    last_end: dt.date,
    today: dt.date,
) -> Sections:
    """The three sections for a region prefix (or one subject of it), 本期 against 上年同期."""
    periods = ((start, end), (start.replace(year=start.year - 1), last_end))
    return Sections(
        cases=case_section(session, prefix, subject_id, periods),
        measures=measure_section(session, prefix, subject_id, (end, last_end)),
        filings=filing_section(session, prefix, subject_id, periods, today),
    )


def extras(
    session: Session, *, actor: Actor, board: Dashboard
) -> tuple[Sections, dashboard_outcomes.Outcomes]:
    """The cases, seizures and filings sections and the outcome indicators of a dashboard."""
    prefix = actor_prefix(actor)
    subject = board.subject
    sid = subject.id if subject is not None else None
    sections = build(
        session,
        prefix=prefix,
        subject_id=sid,
        start=board.start,
        end=board.end,
        last_end=board.last_end,
        today=local_today(),
    )
    outcomes = dashboard_outcomes.build(
        session,
        region_code=actor.region_code,
        prefix=prefix,
        subject=subject,
        start=board.start,
        end=board.end,
        last_end=board.last_end,
        low_max=board.evaluations.low_max,
    )
    return sections, outcomes
