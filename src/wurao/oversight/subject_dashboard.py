"""The dashboard of one subject within the supervisor's region (/oversight/dashboard?subject=).

Same indicators and definitions as the region's (docs/indicators.md), counting the
inspections the subject took part in. This year's figures and the monthly chart read the kept
monthly rows; the same period last year (to the day), the per-enterprise distribution and the
evaluations are counted from the records, which for one subject are a few thousand rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor, region_in_scope
from wurao.core.errors import NotFound
from wurao.core.policy import get_policy
from wurao.core.time import local_today
from wurao.inspections.models import Evaluation, InspectionTask, TaskSubject
from wurao.oversight import dashboard as d
from wurao.oversight.indicators import RATINGS
from wurao.oversight.models import Alert
from wurao.registry.models import EnforcementSubject, Enterprise


def _subject(session: Session, actor: Actor, subject_id: int) -> EnforcementSubject:
    prefix = d.actor_prefix(actor)
    subject = session.scalar(
        select(EnforcementSubject).where(
            EnforcementSubject.id == subject_id,
            region_in_scope(EnforcementSubject.region_code, prefix),
        )
    )
    if subject is None:
        raise NotFound("执法主体不存在或不在您的辖区。")
    return subject


def _per_enterprise(
    session: Session, prefix: str, subject_id: int, start: dt.date, end: dt.date
) -> tuple[list[int], list[tuple[Enterprise, int]]]:
    n = func.count(InspectionTask.id)
    counts = (
        d.base(None, start, end, InspectionTask.enterprise_id.label("ent"), n.label("n"))
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .where(
            TaskSubject.subject_id == subject_id,
            region_in_scope(InspectionTask.region_code, prefix),
        )
        .group_by(InspectionTask.enterprise_id)
        .subquery()
    )
    bucket = case((counts.c.n >= 5, 5), else_=counts.c.n)
    dist: Counter[int] = Counter()
    for k, howmany in session.execute(select(bucket, func.count()).group_by(bucket)):
        dist[int(k)] = int(howmany)
    top = session.execute(
        select(Enterprise, counts.c.n)
        .join(counts, counts.c.ent == Enterprise.id)
        .order_by(counts.c.n.desc(), Enterprise.id)
        .limit(10)
    ).all()
    return [dist.get(i, 0) for i in range(1, 6)], [(e, int(c)) for e, c in top]


def _evaluations(
    session: Session, prefix: str, subject: EnforcementSubject, start: dt.date, end: dt.date
) -> d.Evaluations:
    subject_id = subject.id
    rows = session.execute(
        d.base(
            None,
            start,
            end,
            Evaluation.rating,
            func.count(Evaluation.id),
            func.sum(case((Evaluation.misconduct != "", 1), else_=0)),
        )
        .join(Evaluation, Evaluation.task_id == InspectionTask.id)
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .where(
            TaskSubject.subject_id == subject_id,
            region_in_scope(InspectionTask.region_code, prefix),
            Evaluation.submitted_at.is_not(None),
            Evaluation.rating.is_not(None),
        )
        .group_by(Evaluation.rating)
    ).all()
    by_rating = dict.fromkeys(RATINGS, 0)
    for rating, n, _ in rows:
        by_rating[int(rating)] = int(n)
    bad = sum(int(m or 0) for _, _, m in rows)
    low_max = d.low_rating_max(subject.region_code, local_today())
    return d.Evaluations(tuple(by_rating[k] for k in RATINGS), bad, low_max)


def build(
    session: Session, *, actor: Actor, subject_id: int, year: int | None = None
) -> d.Dashboard:
    """The dashboard of one subject of the actor's region."""
    prefix = d.actor_prefix(actor)
    subject = _subject(session, actor, subject_id)
    today = local_today()
    year, start, end, last_end = d.period(year, today)
    kept = d.kept_subject_rates(session, prefix, start, end).get(subject.id, d.Rates())
    last = d.subject_rates(session, dt.date(year - 1, 1, 1), last_end, prefix, subject.id)
    per_ent, top = _per_enterprise(session, prefix, subject.id, start, end)
    return d.Dashboard(
        region_code=actor.region_code,
        year=year,
        start=start,
        end=end,
        last_end=last_end,
        target=float(get_policy().value("joint.target_rate", subject.region_code, today)),
        total=kept,
        last_total=last.get(subject.id, ("", d.Rates()))[1],
        months=d.monthly(session, prefix, year, subject.id),
        last_months=d.monthly(session, prefix, year - 1, subject.id),
        subjects=[(subject, kept)],
        per_enterprise=per_ent,
        top=top,
        evaluations=_evaluations(session, prefix, subject, start, end),
        alerts_by_rule=d.open_alerts(session, actor, today, Alert.subject_id == subject.id),
        subject=subject,
    )
