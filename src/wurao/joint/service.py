"""Joint inspections (综合查一次): entries of different subjects' plans that reach the same
enterprises in the same months, so two visits can become one.

Reads the plans of planning and the enterprises of registry; it sits above planning so that
planning never needs to know about the joint view built on its data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor, region_filter
from wurao.core.ids import region_scope_prefix
from wurao.planning.coverage import scope_condition
from wurao.planning.models import InspectionPlan, PlanEntry, PlanTarget
from wurao.planning.service import LIVE_PUBLIC, months_of
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem


@dataclass(frozen=True)
class JointCandidate:
    """Two entries of different subjects that reach the same enterprises in the same months.

    ``enterprises``: how many enterprises both entries can reach (exact, counted by query).
    ``visits_saved``: see ``joint_candidates``; ``exact`` is False when it is an expectation.
    """

    year: int
    subject_ids: tuple[int, int]
    subject_names: tuple[str, str]
    plan_ids: tuple[int, int]
    entry_ids: tuple[int, int]
    item_names: tuple[str, str]
    selections: tuple[str, str]
    months: tuple[int, ...]
    enterprises: int
    visits_saved: int
    exact: bool


@dataclass
class _Side:
    entry: PlanEntry
    plan: InspectionPlan
    subject: EnforcementSubject
    item_name: str
    months: set[int]
    region: str
    population: int | None = None  # size of the scope (non-targeted entries)
    extra: dict[str, int] = field(default_factory=dict)


def _current_plans(session: Session, actor: Actor, year: int) -> list[InspectionPlan]:
    actor.require(Permission.PLANS_VIEW)
    rows = session.scalars(
        select(InspectionPlan)
        .join(EnforcementSubject, EnforcementSubject.id == InspectionPlan.subject_id)
        .where(
            region_filter(actor, EnforcementSubject.region_code),
            InspectionPlan.year == year,
            InspectionPlan.status.in_(("submitted", "approved", *LIVE_PUBLIC)),
        )
        .order_by(InspectionPlan.subject_id, InspectionPlan.version)
    ).all()
    newest: dict[int, InspectionPlan] = {}
    for plan in rows:
        newest[plan.subject_id] = plan
    return list(newest.values())


def _prefixes_meet(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _count(session: Session, stmt: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def _overlap(session: Session, a: _Side, b: _Side) -> int:
    """Enterprises both entries can reach (counted by query, rows never loaded)."""
    if a.entry.selection == "targeted" and b.entry.selection == "targeted":
        t1, t2 = aliased(PlanTarget), aliased(PlanTarget)
        return _count(
            session,
            select(t1.enterprise_id)
            .join(t2, t2.enterprise_id == t1.enterprise_id)
            .where(t1.entry_id == a.entry.id, t2.entry_id == b.entry.id),
        )
    if b.entry.selection == "targeted":
        a, b = b, a
    if a.entry.selection == "targeted":
        return _count(
            session,
            select(PlanTarget.enterprise_id)
            .join(Enterprise, Enterprise.id == PlanTarget.enterprise_id)
            .where(PlanTarget.entry_id == a.entry.id, scope_condition(b.entry, b.region)),
        )
    pa = region_scope_prefix(a.entry.scope_region or a.region)
    pb = region_scope_prefix(b.entry.scope_region or b.region)
    if not _prefixes_meet(pa, pb) or not _prefixes_meet(
        a.entry.scope_industry, b.entry.scope_industry
    ):
        return 0
    return _count(
        session,
        select(Enterprise.id).where(
            scope_condition(a.entry, a.region), scope_condition(b.entry, b.region)
        ),
    )


def _population(session: Session, side: _Side) -> int:
    if side.population is None:
        side.population = _count(
            session, select(Enterprise.id).where(scope_condition(side.entry, side.region))
        )
    return side.population


def _expected_visits(session: Session, side: _Side, overlap: int) -> float:
    """How many of the ``overlap`` enterprises this entry is expected to visit."""
    if side.entry.selection in ("targeted", "key"):
        return float(overlap)
    population = _population(session, side)
    if population == 0:
        return 0.0
    return overlap * min(1.0, side.entry.planned_count / population)


def joint_candidates(session: Session, *, actor: Actor, year: int) -> list[JointCandidate]:
    """Entries of different subjects' plans that reach the same enterprises in shared months.

    Plans considered: per subject, the newest version for ``year`` that has been submitted
    (drafts are still changing), within the actor's region; an agency sees the candidates
    that involve its own subject. For each pair of entries with at least one month in common:

    * ``enterprises`` = |I|, the enterprises both entries can reach: the named enterprises
      of a targeted entry, or the active enterprises matching a scope entry's region, industry,
      credit classes and tag. Always exact (a COUNT query).
    * Each entry's expected visits within I: all of I for targeted and 重点监管 (key) entries;
      |I| × min(1, planned_count / |scope|) for a 双随机 entry (its draw probability).
    * ``visits_saved`` = floor(min(expected visits of the two entries)): every enterprise that
      both subjects visit is visited once instead of twice when they inspect jointly, and a
      joint (联合) draw can put the smaller side's visits inside the larger side's.
      ``exact`` when neither entry is 双随机 (then it is |I|); otherwise an estimate.

    Sorted by visits saved, largest first. Totals over candidates count an enterprise once per
    pair of entries, so they are an upper bound when one subject's entries overlap each other.
    """
    plans = _current_plans(session, actor, year)
    if len(plans) < 2:
        return []
    by_id = {p.id: p for p in plans}
    subjects = {
        s.id: s
        for s in session.scalars(
            select(EnforcementSubject).where(
                EnforcementSubject.id.in_([p.subject_id for p in plans])
            )
        )
    }
    rows = session.execute(
        select(PlanEntry, InspectionItem.name)
        .join(InspectionItem, InspectionItem.id == PlanEntry.item_id)
        .where(PlanEntry.plan_id.in_(list(by_id)))
        .order_by(PlanEntry.id)
    ).all()
    sides = []
    for entry, item_name in rows:
        plan = by_id[entry.plan_id]
        subject = subjects[plan.subject_id]
        sides.append(
            _Side(entry, plan, subject, item_name, set(months_of(entry)), subject.region_code)
        )
    own = actor.subject_id if actor.role.needs_subject else None
    out: list[JointCandidate] = []
    for a, b in combinations(sides, 2):
        if a.subject.id == b.subject.id or not (a.months & b.months):
            continue
        if own is not None and own not in (a.subject.id, b.subject.id):
            continue
        overlap = _overlap(session, a, b)
        if overlap == 0:
            continue
        saved = math.floor(
            min(_expected_visits(session, a, overlap), _expected_visits(session, b, overlap)) + 1e-9
        )
        out.append(
            JointCandidate(
                year=year,
                subject_ids=(a.subject.id, b.subject.id),
                subject_names=(a.subject.name, b.subject.name),
                plan_ids=(a.plan.id, b.plan.id),
                entry_ids=(a.entry.id, b.entry.id),
                item_names=(a.item_name, b.item_name),
                selections=(a.entry.selection, b.entry.selection),
                months=tuple(sorted(a.months & b.months)),
                enterprises=overlap,
                visits_saved=saved,
                exact="dss" not in (a.entry.selection, b.entry.selection),
            )
        )
    out.sort(key=lambda c: (-c.visits_saved, c.entry_ids))
    return out
