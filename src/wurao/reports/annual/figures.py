"""The annual figures computed from the records, for one subject or one region (a scope).

Counting rules (docs/indicators.md "Annual statistics"): an inspection is a done task with a
finished record, dated by the local day it was finished; a subject counts every inspection it
took part in, a region counts each task of its region once (so a joint inspection counts once
for the region and once for each of its subjects). Cases, coercive measures, filings, clues and
rectification items belong to their subject (or to the region of their ``region_code``);
reviewed case files to the subject whose file was drawn. The same function serves the draft,
the recompute command and the supervisor's region totals, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import Session

from wurao.auth.scope import region_in_scope
from wurao.cases.coercion.models import CoerciveMeasure
from wurao.cases.coercion.statuses import MeasureStatus
from wurao.cases.models import PenaltyCase
from wurao.core.ids import region_scope_prefix
from wurao.core.time import LOCAL_TZ
from wurao.inspections.models import (
    Evaluation,
    InspectionRecord,
    InspectionTask,
    TaskItem,
    TaskSubject,
)
from wurao.oversight.dashboard import inspections_where, low_rating_max, subject_count, utc_bounds
from wurao.oversight.filings.models import MajorFiling
from wurao.oversight.indicators import NONSITE, PROBLEM
from wurao.oversight.models import Clue
from wurao.oversight.rectification.models import RectificationItem
from wurao.oversight.rectification.statuses import RectStatus
from wurao.oversight.reviews.models import ReviewFile
from wurao.registry.models import EnforcementSubject, InspectionItem
from wurao.reports.annual.catalogue import FIGURES, rate

ROUTINE = ("plan", "draw")  # 常规检查: from the annual plan or a 双随机 draw (路桥 三(三)3)
MOST_USED = 5  # the most used items listed for the item-list review


@dataclass(frozen=True)
class Scope:
    """Whose figures: one subject (any region) or one region prefix (every subject)."""

    subject: EnforcementSubject | None = None
    prefix: str = ""

    @property
    def region_code(self) -> str:
        """The region whose policy applies (the subject's, or the prefix padded to a code)."""
        if self.subject is not None:
            return self.subject.region_code
        return self.prefix.ljust(6, "0")[:6] if len(self.prefix) < 6 else self.prefix

    def where(self, subject_col: Any, region_col: Any) -> ColumnElement[bool]:
        """SQL: a row of this scope, by its subject column or its region column."""
        if self.subject is not None:
            return subject_col == self.subject.id  # type: ignore[no-any-return]
        return region_in_scope(region_col, self.prefix)


@dataclass(frozen=True)
class Computed:
    """The figures (key → number) and the item lists of one scope and year."""

    figures: dict[str, Any]
    lists: dict[str, list[list[Any]]]


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _local_day(value: dt.datetime) -> dt.date:
    return value.astimezone(LOCAL_TZ).date()


def _inspections(scope: Scope, start: dt.date, end: dt.date, *cols: Any) -> Select[Any]:
    stmt = (
        select(*cols)
        .select_from(InspectionRecord)
        .join(InspectionTask, InspectionRecord.task_id == InspectionTask.id)
        .where(*inspections_where(start, end))
    )
    if scope.subject is not None:
        return stmt.join(TaskSubject, TaskSubject.task_id == InspectionTask.id).where(
            TaskSubject.subject_id == scope.subject.id
        )
    return stmt.where(region_in_scope(InspectionTask.region_code, scope.prefix))


def inspection_figures(session: Session, scope: Scope, year: int) -> dict[str, Any]:
    """Inspections by method and origin; joint, non-site and problem counts and rates."""
    start, end = _year_bounds(year)
    joint = case((subject_count() >= 2, 1), else_=0)
    problem = case((InspectionRecord.outcome.in_(PROBLEM), 1), else_=0)
    rows = session.execute(
        _inspections(
            scope, start, end, InspectionTask.method, InspectionTask.origin, joint, problem,
            func.count(),
        ).group_by(InspectionTask.method, InspectionTask.origin, joint, problem)
    ).all()  # fmt: skip
    out: dict[str, Any] = defaultdict(int)
    for f in FIGURES:
        if f.key.startswith(("method_", "origin_")):
            out[f.key] = 0
    for method, origin, is_joint, is_problem, n in rows:
        out["inspections"] += n
        out[f"method_{method}"] += n
        out[f"origin_{origin}"] += n
        out["joint"] += n if is_joint else 0
        out["problem"] += n if is_problem else 0
        out["nonsite"] += n if method in NONSITE else 0
    total = out["inspections"]
    out["joint_rate"] = rate(out["joint"], total)
    out["nonsite_share"] = rate(out["nonsite"], total)
    out["problem_rate"] = rate(out["problem"], total)
    routine = sum(out[f"origin_{o}"] for o in ROUTINE)
    out["random_share"] = rate(out["origin_draw"], routine)
    return dict(out)


def _minus_year(day: dt.date) -> dt.date:
    return (
        day.replace(year=day.year - 1)
        if (day.month, day.day) != (2, 29)
        else day.replace(year=day.year - 1, day=28)
    )


def reoffence_figures(session: Session, scope: Scope, year: int) -> dict[str, Any]:
    """Enterprises with a problem found in the year, and those among them with a problem found
    again within 12 months of an earlier one (the earlier one may fall in the previous year)."""
    start, end = _year_bounds(year)
    cols = (InspectionTask.enterprise_id, InspectionRecord.finished_at)
    rows = session.execute(
        _inspections(scope, _minus_year(start), end, *cols).where(
            InspectionRecord.outcome.in_(PROBLEM)
        )
    ).all()
    days: dict[int, list[dt.date]] = defaultdict(list)
    for enterprise_id, finished_at in rows:
        days[enterprise_id].append(_local_day(finished_at))
    found = again = 0
    for seen in days.values():
        seen.sort()
        in_year = [d for d in seen if d >= start]
        if not in_year:
            continue
        found += 1
        if any(a < b and a >= _minus_year(b) for b in in_year for a in seen):
            again += 1
    return {
        "problem_enterprises": found,
        "reoffence_enterprises": again,
        "reoffence_rate": rate(again, found),
    }


def evaluation_figures(session: Session, scope: Scope, year: int) -> dict[str, Any]:
    """Submitted evaluations of the year's inspections: count, mean and satisfaction."""
    start, end = _year_bounds(year)
    low_max = low_rating_max(scope.region_code, end)
    row = session.execute(
        _inspections(
            scope, start, end, func.count(Evaluation.id), func.sum(Evaluation.rating),
            func.sum(case((Evaluation.rating <= low_max, 1), else_=0)),
        )
        .join(Evaluation, Evaluation.task_id == InspectionTask.id)
        .where(Evaluation.submitted_at.is_not(None), Evaluation.rating.is_not(None))
    ).one()  # fmt: skip
    n, total, low = (int(v or 0) for v in row)
    return {
        "evaluations": n,
        "evaluation_mean": round(total / n, 2) if n else 0.0,
        "satisfaction_rate": rate(n - low, n),
    }


def case_figures(session: Session, scope: Scope, year: int) -> dict[str, Any]:
    """Penalty cases filed, decided (by outcome and procedure), closed; fines and payments."""
    c = PenaltyCase
    start, end = _year_bounds(year)

    def within(col: Any) -> ColumnElement[bool]:
        return and_(col >= start, col <= end)

    decided = within(c.decided_on)
    penalty = and_(decided, c.outcome == "penalty")

    def n(cond: ColumnElement[bool]) -> Any:
        return func.sum(case((cond, 1), else_=0))

    def total(cond: ColumnElement[bool], col: Any) -> Any:
        return func.sum(case((cond, col), else_=0))

    row = session.execute(
        select(
            n(within(c.filed_on)), n(penalty), n(and_(decided, c.outcome == "no_penalty")),
            n(and_(decided, c.procedure == "simple")), n(within(c.closed_on)),
            total(penalty, c.fine_fen), total(penalty, c.confiscation_fen),
            total(within(c.paid_on), c.paid_fen),
        ).where(scope.where(c.subject_id, c.region_code))
    ).one()  # fmt: skip
    keys = ("cases_filed", "cases_penalty", "cases_no_penalty", "cases_simple", "cases_closed",
            "fine_fen", "confiscation_fen", "paid_fen")  # fmt: skip
    return {k: int(v or 0) for k, v in zip(keys, row, strict=True)}


def coercion_figures(session: Session, scope: Scope, year: int) -> dict[str, Any]:
    """Coercive measures carried out (approved, starting in the year), by kind."""
    m = CoerciveMeasure
    start, end = _year_bounds(year)
    rows = session.execute(
        select(m.kind, func.count())
        .where(
            scope.where(m.subject_id, m.region_code),
            m.status != MeasureStatus.APPLIED.value,
            m.starts_on >= start,
            m.starts_on <= end,
        )
        .group_by(m.kind)
    ).all()
    by_kind = {k: int(v) for k, v in rows}
    out = {f"coercion_{k}": by_kind.get(k, 0) for k in ("seizure", "detention", "freeze")}
    out["coercion_total"] = sum(by_kind.values())
    return out


def oversight_figures(session: Session, scope: Scope, year: int) -> dict[str, Any]:
    """Filings, clues, reviewed case files and rectification items of the year."""
    start, end = _year_bounds(year)
    lo, hi = utc_bounds(start, end)
    f = MajorFiling
    filings = session.execute(
        select(func.count(), func.sum(case((f.filed_on.is_not(None), 1), else_=0))).where(
            scope.where(f.subject_id, f.region_code), f.decided_on >= start, f.decided_on <= end
        )
    ).one()
    clue_where = scope.where(Clue.subject_id, Clue.region_code)
    received = session.scalar(
        select(func.count()).where(clue_where, Clue.created_at >= lo, Clue.created_at < hi)
    )
    closed = session.scalar(
        select(func.count()).where(clue_where, Clue.closed_at >= lo, Clue.closed_at < hi)
    )
    r = ReviewFile
    reviews = session.execute(
        select(func.count(), func.sum(r.score))
        .join(EnforcementSubject, EnforcementSubject.id == r.subject_id)
        .where(
            scope.where(r.subject_id, EnforcementSubject.region_code),
            r.scored_at >= lo,
            r.scored_at < hi,
            r.score.is_not(None),
        )
    ).one()
    ri = RectificationItem
    items = session.execute(
        select(ri.status, ri.due_on, ri.answered_at).where(
            scope.where(ri.subject_id, ri.region_code),
            ri.due_on >= start,
            ri.due_on <= end,
            ri.status != RectStatus.WITHDRAWN.value,
        )
    ).all()
    on_time = sum(
        1
        for status, due_on, answered_at in items
        if status == RectStatus.ACCEPTED.value
        and answered_at is not None
        and _local_day(answered_at) <= due_on
    )
    scored = int(reviews[0] or 0)
    return {
        "filings_due": int(filings[0] or 0),
        "filings_filed": int(filings[1] or 0),
        "clues_received": int(received or 0),
        "clues_closed": int(closed or 0),
        "reviews_scored": scored,
        "reviews_score_mean": round(int(reviews[1] or 0) / scored, 2) if scored else 0.0,
        "rect_due": len(items),
        "rect_on_time": on_time,
        "rect_on_time_rate": rate(on_time, len(items)),
    }


def subject_items(session: Session, subject: EnforcementSubject) -> list[InspectionItem]:
    """The published items of the subject's field whose region covers the subject's."""
    items = session.scalars(
        select(InspectionItem)
        .where(InspectionItem.field == subject.field, InspectionItem.status == "published")
        .order_by(InspectionItem.code)
    )
    return [i for i in items if subject.region_code.startswith(region_scope_prefix(i.region_code))]


def item_lists(session: Session, scope: Scope, year: int) -> tuple[int, dict[str, list[list[Any]]]]:
    """A subject's items never used in the year's inspections, and its most used items."""
    if scope.subject is None:
        return 0, {}
    start, end = _year_bounds(year)
    used: dict[int, int] = dict(
        session.execute(
            _inspections(scope, start, end, TaskItem.item_id, func.count())
            .join(TaskItem, TaskItem.task_id == InspectionTask.id)
            .where(TaskItem.subject_id == scope.subject.id)
            .group_by(TaskItem.item_id)
        ).all()
    )
    items = subject_items(session, scope.subject)
    never = [[i.code, i.name] for i in items if not used.get(i.id)]
    names = {
        i.id: i for i in session.scalars(select(InspectionItem).where(InspectionItem.id.in_(used)))
    }
    ranked = sorted(used.items(), key=lambda kv: (-kv[1], names[kv[0]].code))[:MOST_USED]
    most = [[names[k].code, names[k].name, int(v)] for k, v in ranked]
    return len(never), {"never_used": never, "most_used": most}


def compute(session: Session, scope: Scope, year: int) -> Computed:
    """Every figure the platform holds for a scope and year (docs/indicators.md)."""
    figures: dict[str, Any] = {}
    for part in (
        inspection_figures,
        reoffence_figures,
        evaluation_figures,
        case_figures,
        coercion_figures,
        oversight_figures,
    ):
        figures.update(part(session, scope, year))
    never, lists = item_lists(session, scope, year)
    if scope.subject is not None:
        figures["items_never_used"] = never
    return Computed(dict(sorted(figures.items())), lists)
