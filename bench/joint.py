"""Joint-visit optimiser at county-month scale (issue 14): 10 000 tasks of 5 000 enterprises
across 40 subjects, generated in memory with realistic windows; reports visits before and
after, the lower bounds, officer-days and solver time. Goal: visits ≤ 1.02 × bound in ≤ 60 s.

Windows: 50 % the whole month (plan entries scheduled by month), 30 % a two-week draw window,
20 % a 3–7-day window (complaints, referrals). Teams: two officers, one task in six three.
Subjects' shares are skewed (a market-supervision bureau carries far more tasks than a small
one). Capacity: the policy default ``joint.officer_daily_capacity`` per subject.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from typing import Any

from sqlalchemy import select

from wurao.auth.models import User
from wurao.auth.permissions import AGENCY_ROLES, Permission, Role
from wurao.auth.scope import Actor
from wurao.auth.service import actor_for
from wurao.core.db import get_engine, session_factory
from wurao.core.policy import get_policy
from wurao.core.workdays import is_working_day
from wurao.joint import decisions, proposal_reads, proposals
from wurao.joint.models import JointMerge, JointPart
from wurao.joint.solver import Demand, solve
from wurao.oversight import dashboard
from wurao.registry.models import EnforcementSubject
from wurao.wiring import register_handlers

PERIOD = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def generate(
    tasks: int = 10_000,
    enterprises: int = 5_000,
    subjects: int = 40,
    seed: int = 2026,
    short_windows: bool = True,
) -> list[Demand]:
    """The demands of a county-month: each enterprise gets at least one task. Without
    ``short_windows`` (planned work only) the 3–7-day triggered windows become two-week ones."""
    rng = random.Random(seed)
    start, end = PERIOD
    span = (end - start).days
    weights = [1.0 / (i + 1) ** 0.6 for i in range(subjects)]
    owners = list(range(enterprises)) + [
        rng.randrange(enterprises) for _ in range(tasks - enterprises)
    ]
    out: list[Demand] = []
    for n, ent in enumerate(owners):
        s = rng.choices(range(subjects), weights)[0] + 1
        kind = rng.random()
        if kind < 0.5:
            a, b = start, end
        elif kind < 0.8 or not short_windows:
            a = start + dt.timedelta(days=rng.randrange(span - 13))
            b = a + dt.timedelta(days=13)
        else:
            a = start + dt.timedelta(days=rng.randrange(span - 7))
            b = a + dt.timedelta(days=rng.randrange(3, 8))
        method = "onsite" if rng.random() < 0.85 else rng.choice(("offsite", "written"))
        team = 3 if rng.random() < 1 / 6 else 2
        out.append(Demand(f"t{n}", ent + 1, s, method, a, b, ((s, team),)))
    return out


def capacities(
    demands: list[Demand], days: int, floor: int, factor: float = 1.25
) -> dict[int, int]:
    """Officers per day per subject: the policy floor, or 1.25 × its average daily need
    (a subject staffed for its own workload, so that capacity binds on busy days)."""
    need: dict[int, int] = {}
    for d in demands:
        for s, n in d.teams:
            need[s] = need.get(s, 0) + n
    return {s: max(floor, math.ceil(factor * n / days)) for s, n in need.items()}


def run(time_limit: float = 50.0, seed: int = 2026) -> dict[str, Any]:
    """Mixed windows (with triggered ones) and planned work only, with capacity at 1.25 ×,
    1.05 × and 1.0 × each subject's average daily need (1.0: CP-SAT has work to do)."""
    return {
        "mixed": run_one(time_limit, seed, short_windows=True),
        "planned_only": run_one(time_limit, seed, short_windows=False),
        "planned_tight": run_one(time_limit, seed, short_windows=False, factor=1.05),
        "mixed_saturated": run_one(time_limit, seed, short_windows=True, factor=1.0),
    }


def run_one(
    time_limit: float, seed: int, *, short_windows: bool, factor: float = 1.25
) -> dict[str, Any]:
    """Generate, solve with CP-SAT (greedy fallback), and return the figures."""
    started = time.perf_counter()
    demands = generate(seed=seed, short_windows=short_windows)
    generated = time.perf_counter() - started
    start, end = PERIOD
    days = [
        start + dt.timedelta(days=i)
        for i in range((end - start).days + 1)
        if is_working_day(start + dt.timedelta(days=i))
    ]
    floor = int(get_policy().value("joint.officer_daily_capacity", "330802", start))
    cap = capacities(demands, len(days), min(floor, 6), factor)
    subjects = {d.subject_id for d in demands}
    by_key = {d.key: d.subject_id for d in demands}

    def _subjects(keys: list[str]) -> int:
        return len({by_key[k] for k in keys})

    solution = solve(demands, days, cap, time_limit=time_limit)
    return {
        "tasks": len(demands),
        "enterprises": len({d.enterprise_id for d in demands}),
        "subjects": len(subjects),
        "working_days": len(days),
        "capacity_factor": factor,
        "capacity_per_subject_day": [min(cap.values()), max(cap.values())],
        "visits_before": solution.demands,
        "visits_after": solution.visit_count,
        "lower_bound": solution.lower_bound,
        "window_bound": solution.window_bound,
        "ratio_to_bound": round(solution.visit_count / solution.lower_bound, 4),
        "greedy_visits": int(solution.extra["greedy_visits"]),
        "greedy_seconds": round(solution.extra["greedy_seconds"], 2),
        "officer_days_before": solution.officer_days_before,
        "officer_days_after": solution.officer_days,
        "unplaced": len(solution.unplaced),
        # 联合检查率 of the month's visits (docs/indicators.md: ≥ 2 subjects); before, every
        # generated task has one subject, so the rate before is 0
        "joint_visits_after": (joint := sum(1 for v in solution.visits if _subjects(v.keys) >= 2)),
        "joint_rate_after": round(joint / solution.visit_count, 4),
        "solver": solution.solver,
        "solver_status": solution.status,
        "solver_seconds": round(solution.seconds, 2),
        "time_limit": time_limit,
        "generate_seconds": round(generated, 2),
        "goal_met": solution.visit_count <= 1.02 * solution.lower_bound and solution.seconds <= 60,
    }


def demo(start: dt.date, end: dt.date, supervisor: str = "kc_sfj") -> dict[str, Any]:
    """On a built demo (``WURAO_VAR_DIR``): the dashboard's joint rate and the period's visits
    before and after a proposal for ``start``–``end``, every merge accepted by each subject.

    Runs in one transaction that is rolled back: the demo database is left as it was.
    """
    register_handlers()

    with session_factory(get_engine(), write=True)() as session:
        users = session.scalars(select(User).order_by(User.id)).all()
        sup = actor_for(next(u for u in users if u.username == supervisor))
        by_subject: dict[int, Actor] = {}
        for u in users:
            a = actor_for(u)
            if a.role in AGENCY_ROLES and a.subject_id and a.can(Permission.TASKS_MANAGE):
                by_subject.setdefault(a.subject_id, a)

        def stand_in(subject_id: int) -> Actor:  # a subject without a demo account
            subject = session.get(EnforcementSubject, subject_id)
            assert subject is not None
            return Actor(None, f"subject{subject_id}", subject.name, Role.AGENCY_ADMIN,
                         subject.region_code, subject_id)  # fmt: skip

        before = dashboard.build(session, actor=sup).total
        gathered = proposals.gather(session, actor=sup, start=start, end=end).demands
        joint_before = sum(1 for d in gathered if len(d.teams) >= 2)
        p = proposals.run_proposal(session, actor=sup, start=start, end=end)
        merges = list(session.scalars(select(JointMerge).where(JointMerge.proposal_id == p.id)))
        for m in merges:
            subjects = sorted(
                set(session.scalars(select(JointPart.subject_id).where(JointPart.merge_id == m.id)))
            )
            for s in subjects:
                if m.status == "proposed":
                    decisions.decide(
                        session, actor=by_subject.get(s) or stand_in(s), merge=m, accept=True
                    )
        after = dashboard.build(session, actor=sup).total
        accepted = sum(1 for m in merges if m.status == "accepted")
        out = {
            "period": [start.isoformat(), end.isoformat()],
            "demands": p.demands,
            "visits_after": p.visits,
            "lower_bound": p.lower_bound,
            "window_bound": p.window_bound,
            "merges": len(merges),
            "accepted": accepted,
            "leftovers": proposal_reads.leftover_counts(session, p),
            "period_joint_rate_before": round(joint_before / p.demands, 4) if p.demands else None,
            "period_joint_rate_after": round(accepted / p.visits, 4) if p.visits else None,
            "dashboard_before": [before.inspections, before.joint, round(before.joint_rate, 4)],
            "dashboard_after": [after.inspections, after.joint, round(after.joint_rate, 4)],
        }
        session.rollback()
    return out


# WURAO_VAR_DIR=/tmp/j2 .venv/bin/python -m bench.joint 2026-12-01 2026-12-31
if __name__ == "__main__":
    import json
    import sys

    first, last = (dt.date.fromisoformat(a) for a in sys.argv[1:3])
    print(json.dumps(demo(first, last), ensure_ascii=False, indent=1))
