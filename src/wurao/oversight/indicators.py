"""The dashboard's pre-computed figures: kept current on every write, rebuilt on demand.

Four derived tables (``wurao.oversight.models``) hold the counts the supervisor's dashboard
shows, so that a page for a province reads a few thousand rows instead of every inspection:

* ``indicator_day`` — per local day and region: inspections, joint, non-site, problem found,
  and the evaluations of those inspections (how many of each rating 1–5, misconduct);
* ``indicator_subject_month`` — per local month, region and subject taking part;
* ``indicator_enterprise_year`` — per year, enterprise and region: its number of inspections;
* ``indicator_times_year`` — per year and region: how many enterprises were inspected 1, 2, 3,
  4, 5+ times (the distribution of the previous table, moved on as each inspection is added).

An inspection enters them when its record is finished (``add_inspection``, called by
``record_finish.finish_record`` in the same transaction) and its evaluation when submitted
(``add_evaluation``). Finished records and submitted evaluations never change, so adding is
exact; ``rebuild`` recomputes all four from the records (``wurao indicators rebuild``, run
after a bulk import) and ``check`` compares them. Definitions: docs/indicators.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, case, cast, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from wurao.core.db import insert_for, is_postgresql
from wurao.core.time import LOCAL_TZ, local_date
from wurao.inspections.models import Evaluation, InspectionRecord, InspectionTask, TaskSubject
from wurao.oversight.models import (
    IndicatorDay,
    IndicatorEnterpriseYear,
    IndicatorSubjectMonth,
    IndicatorTimesYear,
)

NONSITE = ("offsite", "written")  # 非现场检查: method offsite or written
PROBLEM = ("rectify", "case")  # 发现问题: outcome 责令整改 or 移送立案
RATINGS = (1, 2, 3, 4, 5)
LOW_RATING_POLICY = "evaluations.low_rating_max"  # a rating at or below it is a low one (F2)

TIMES_TOP = 5  # the distribution's last group: inspected five times or more
TABLES = (IndicatorDay, IndicatorSubjectMonth, IndicatorEnterpriseYear, IndicatorTimesYear)


def _upsert(
    session: Session, model: Any, keys: dict[str, Any], adds: dict[str, int], *, back: str = ""
) -> int | None:
    """Insert the row with ``adds`` as its counts, or add them to the row already there;
    returns the resulting value of column ``back`` when asked."""
    stmt = insert_for(session, model).values(**keys, **adds)
    table = model.__table__
    pk = [c.name for c in table.primary_key.columns]
    stmt = stmt.on_conflict_do_update(
        index_elements=pk, set_={k: table.c[k] + stmt.excluded[k] for k in adds}
    )
    if back:
        return int(session.execute(stmt.returning(table.c[back])).scalar_one())
    session.execute(stmt)
    return None


def _subjects(session: Session, task_id: int) -> list[int]:
    return list(
        session.scalars(select(TaskSubject.subject_id).where(TaskSubject.task_id == task_id))
    )


def add_inspection(session: Session, *, task: InspectionTask, record: InspectionRecord) -> None:
    """Count a just-finished inspection in the kept tables."""
    assert record.finished_at is not None
    day = local_date(record.finished_at)
    subjects = _subjects(session, task.id)
    counts = {
        "inspections": 1,
        "joint": int(len(subjects) >= 2),
        "nonsite": int(task.method in NONSITE),
        "problem": int(record.outcome in PROBLEM),
    }
    _upsert(session, IndicatorDay, {"day": day, "region_code": task.region_code}, counts)
    month = day.replace(day=1)
    for subject_id in subjects:
        keys = {"month": month, "region_code": task.region_code, "subject_id": subject_id}
        _upsert(session, IndicatorSubjectMonth, keys, counts)
    where = {"year": day.year, "region_code": task.region_code}
    times = _upsert(
        session,
        IndicatorEnterpriseYear,
        {**where, "enterprise_id": task.enterprise_id},
        {"inspections": 1},
        back="inspections",
    )
    assert times is not None
    if times - 1 < TIMES_TOP:  # the enterprise moves up one group (5 and more is the last)
        if times > 1:
            below = {**where, "times": times - 1}
            left = _upsert(
                session, IndicatorTimesYear, below, {"enterprises": -1}, back="enterprises"
            )
            if left == 0:  # a rebuild has no empty groups either
                t = IndicatorTimesYear
                session.execute(delete(t).where(*(getattr(t, k) == v for k, v in below.items())))
        _upsert(session, IndicatorTimesYear, {**where, "times": times}, {"enterprises": 1})


def add_evaluation(session: Session, *, task: InspectionTask, evaluation: Evaluation) -> None:
    """Count a just-submitted evaluation on the day of its inspection."""
    finished = session.scalar(
        select(InspectionRecord.finished_at).where(InspectionRecord.task_id == task.id)
    )
    if finished is None or evaluation.rating is None:  # pragma: no cover - finish issues it
        return
    _upsert(
        session,
        IndicatorDay,
        {"day": local_date(finished), "region_code": task.region_code},
        {f"rated_{evaluation.rating}": 1, "misconduct": int(bool(evaluation.misconduct))},
    )


# --- rebuild ------------------------------------------------------------------------------


def _utc_offset_hours() -> int:
    """Asia/Shanghai's offset: constant (no daylight saving since 1991), so SQL may add it."""
    offsets = {LOCAL_TZ.utcoffset(dt.datetime(1992 + y, m, 1)) for y in range(40) for m in (1, 7)}
    (offset,) = offsets
    assert offset is not None
    return int(offset.total_seconds() // 3600)


def _local(session: Session, unit: str) -> Any:
    """SQL: the local day (unit 'day'), month start ('month') or year ('year') of finished_at."""
    col = InspectionRecord.finished_at
    hours = _utc_offset_hours()
    if is_postgresql(session):
        local = func.timezone(LOCAL_TZ.key, col)
        if unit == "year":
            return cast(func.extract("year", local), Integer)
        return cast(func.date_trunc(unit, local), IndicatorDay.day.type)
    shift = f"+{hours} hours"
    if unit == "year":
        return cast(func.strftime("%Y", col, shift), Integer)
    if unit == "month":
        return func.date(col, shift, "start of month")
    return func.date(col, shift)


def joint_counts() -> Any:
    """Subquery: task id → its number of subjects (two or more: a joint inspection)."""
    return (
        select(TaskSubject.task_id, func.count().label("n"))
        .group_by(TaskSubject.task_id)
        .subquery("joint_counts")
    )


def _count_columns(jc: Any) -> list[Any]:
    def flag(cond: Any) -> Any:
        return func.sum(cast(cond, Integer))

    return [
        func.count(InspectionTask.id).label("inspections"),
        flag(jc.c.n >= 2).label("joint"),
        flag(InspectionTask.method.in_(NONSITE)).label("nonsite"),
        flag(InspectionRecord.outcome.in_(PROBLEM)).label("problem"),
    ]


def _finished(jc: Any, *cols: Any) -> Any:
    return (
        select(*cols)
        .select_from(InspectionTask)
        .join(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
        .join(jc, jc.c.task_id == InspectionTask.id)
        .where(InspectionTask.status == "done", InspectionRecord.finished_at.is_not(None))
    )


@dataclass(frozen=True)
class RebuildResult:
    """Rows written per table."""

    days: int
    subject_months: int
    enterprise_years: int
    times_years: int


def rebuild(session: Session) -> RebuildResult:
    """Recompute the three tables from the finished records and submitted evaluations."""
    for model in TABLES:
        session.execute(delete(model))
    jc = joint_counts()
    day, region = _local(session, "day").label("day"), InspectionTask.region_code
    counts = _count_columns(jc)
    names = ["day", "region_code", "inspections", "joint", "nonsite", "problem"]
    submitted = and_(
        Evaluation.task_id == InspectionTask.id,
        Evaluation.submitted_at.is_not(None),
        Evaluation.rating.is_not(None),
    )
    zero = literal(0)
    evaluated = [
        *(func.coalesce(func.sum(cast(Evaluation.rating == k, Integer)), zero) for k in RATINGS),
        func.coalesce(func.sum(cast(Evaluation.misconduct != literal(""), Integer)), zero),
    ]
    session.execute(
        insert(IndicatorDay).from_select(
            [*names, *(f"rated_{k}" for k in RATINGS), "misconduct"],
            _finished(jc, day, region, *counts, *evaluated)
            .outerjoin(Evaluation, submitted)
            .group_by(day, region),
        )
    )
    month = _local(session, "month").label("month")
    subj = TaskSubject.subject_id
    session.execute(
        insert(IndicatorSubjectMonth).from_select(
            ["month", "region_code", "subject_id", *names[2:]],
            _finished(jc, month, region, subj, *counts)
            .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
            .group_by(month, region, subj),
        )
    )
    year = _local(session, "year").label("year")
    ent = InspectionTask.enterprise_id
    session.execute(
        insert(IndicatorEnterpriseYear).from_select(
            ["year", "enterprise_id", "region_code", "inspections"],
            _finished(jc, year, ent, region, func.count()).group_by(year, ent, region),
        )
    )
    e = IndicatorEnterpriseYear
    times = case((e.inspections >= TIMES_TOP, TIMES_TOP), else_=e.inspections)
    session.execute(
        insert(IndicatorTimesYear).from_select(
            ["year", "region_code", "times", "enterprises"],
            select(e.year, e.region_code, times, func.count()).group_by(
                e.year, e.region_code, times
            ),
        )
    )
    sizes = [session.scalar(select(func.count()).select_from(m)) or 0 for m in TABLES]
    return RebuildResult(*sizes)


def snapshot(session: Session) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of the three tables, for comparing the kept figures with a rebuild."""
    out: dict[str, set[tuple[Any, ...]]] = {}
    for model in TABLES:
        cols = [c for c in model.__table__.columns]
        out[model.__tablename__] = {tuple(r) for r in session.execute(select(*cols))}
    return out
