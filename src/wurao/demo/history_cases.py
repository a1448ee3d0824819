"""The deliberate cases of the demo history and the finishing touches to it.

``plant`` adds, in 柯城区 so that its supervisor persona sees them, one enterprise inspected
as often this year by one subject without a finding as F3 REPEAT-NONE warns at, one inspected
by as many subjects in the rule's window as F3 MULTI-AGENCY warns at, and one inspection
whose code followed it (A4, 补码). ``balance`` nudges a few of this year's outcomes, methods
and teams (or last year's joint teams) so that no subject's figures move against the targets
of F8. ``rate`` gives about a third of the inspections the enterprise's evaluation, a few of
them low or reporting misconduct (F2 EVALUATION).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass

from wurao.core.policy import get_policy
from wurao.demo.history_sim import TRIGGERED, Sim, Spec, at
from wurao.demo.history_world import Ent, Subj
from wurao.oversight.dashboard import same_day_last_year
from wurao.oversight.indicators import NONSITE, PROBLEM

COUNTY = "330802"  # 柯城区: the supervisor persona's county
RATINGS = ((5, 62), (4, 32), (3, 6))
COMMENTS = {
    5: ("检查规范，出示了行政行为码，未影响生产。", "执法人员态度好，指导细致。",
        "多个部门一次查完，省时省力。", ""),
    4: ("整体规范，检查时间稍长。", "希望提前告知需准备的材料。", ""),
    3: ("检查要求讲解不够清楚。", "整改要求较多，希望给予更多指导。"),
}  # fmt: skip
# rating, misconduct, comment; the last is last year's
LOW = (
    (2, "repeated", "半个月内同一事项被检查两次，重复提交材料。"),
    (1, "", "检查人员态度生硬，未说明检查依据。"),
    (3, "disturbance", "检查期间要求停产配合近半天，影响交货。"),
    (2, "", "整改期限过短，难以按期完成。"),
    (2, "", "检查时间过长，影响正常生产。"),
)


def _days(sim: Sim, first: dt.date) -> list[dt.date]:
    return sim.workday.between(first, sim.last)


def _plan_ready(sim: Sim, s: Subj, day: dt.date) -> bool:
    plan = sim.plans.get((s.id, day.year))
    return plan is not None and plan.published_on <= day - dt.timedelta(days=5)


def _one(sim: Sim, day: dt.date, s: Subj, ent: Ent, method: str, tag: str) -> Spec | None:
    """A single-subject inspection: planned when the plan allows, else triggered."""
    if _plan_ready(sim, s, day):
        origin = "plan"
    else:
        origin = "complaint" if method == "onsite" else "monitoring"
    end = min(day + dt.timedelta(days=10), dt.date(day.year, 12, 31))
    return sim.add(day, [s], ent, origin, method, (day, end), planted=tag)


def _enterprise(sim: Sim, subs: list[Subj]) -> Ent | None:
    """An enterprise of 柯城区 that all of ``subs`` may inspect, not used by another case."""
    ents = [
        e
        for e in sim.world.enterprises
        if e.region == COUNTY and e.id not in sim.world.reserved and all(s.covers(e) for s in subs)
    ]
    return sim.rng.choice(ents) if ents else None


def _repeat(sim: Sim) -> None:
    n = sim.world.repeat_min
    fractions = [0.15 + 0.7 * k / max(n - 1, 1) for k in range(n)]  # spread over the year so far
    days = _days(sim, dt.date(sim.world.today.year, 1, 1))
    for s in sorted(sim.world.subjects, key=lambda s: (s.region != COUNTY, s.id)):
        usable = [d for d in days if s.items_on(d) and s.announced <= d]
        picks = sorted({usable[int(len(usable) * f)] for f in fractions} if usable else [])
        ent = _enterprise(sim, [s]) if len(picks) == n else None
        if ent is None:
            continue
        sim.world.reserved.add(ent.id)
        for k, day in enumerate(picks):
            spec = _one(sim, day, s, ent, "onsite" if k == 0 else "written", "repeat")
            if spec is not None:
                spec.outcome = "none"
        return


def _multi(sim: Sim) -> None:
    today, n = sim.world.today, sim.world.multi_min
    # inside the rule's window, with two days to spare for a sweep run a little later
    since = today - dt.timedelta(days=sim.world.window_days - 2)
    days = _days(sim, max(dt.date(today.year, 1, 1), since))
    if len(days) < n:
        return
    picks = [days[(len(days) - 1) * k // max(n - 1, 1)] for k in range(n)]
    for ent in sim.rng.sample(sim.world.enterprises, len(sim.world.enterprises)):
        if ent.region != COUNTY or ent.id in sim.world.reserved:
            continue
        subs: list[Subj] = []
        for s in sim.world.subjects:
            if (
                s.covers(ent)
                and s.field not in {x.field for x in subs}
                and all(s.items_on(d) for d in picks)
            ):
                subs.append(s)
        if len(subs) >= n:
            sim.world.reserved.add(ent.id)
            for k, (day, s) in enumerate(zip(picks, subs, strict=False)):
                spec = _one(sim, day, s, ent, "written" if k == n - 1 else "onsite", "multi")
                if spec is not None:
                    spec.outcome = "rectify" if k == 1 else "none"
            return


def _late(sim: Sim) -> None:
    today = sim.world.today
    days = _days(sim, dt.date(today.year, 1, 1))[:-1]  # finished on a later working day
    subs = [s for s in sim.world.subjects if s.field == "综合行政执法"]
    for s in sorted(subs, key=lambda s: (not s.city_level, s.id)):
        usable = [d for d in days if s.items_on(d) and s.announced <= d]
        gas = [e for e in sim.world.candidates(s) if e.region == COUNTY and e.industry == "D4420"]
        ent = sim.rng.choice(gas) if gas else _enterprise(sim, [s])
        if not usable or ent is None or ent.id in sim.world.reserved:
            continue
        day = usable[len(usable) * 2 // 5]
        end = min(day + dt.timedelta(days=7), dt.date(day.year, 12, 31))
        spec = sim.add(day, [s], ent, "complaint", "onsite", (day, end), planted="late")
        if spec is None:
            continue
        sim.world.reserved.add(ent.id)
        after = sim.workday.after(day)
        spec.created, spec.started = at(day, 20.2), at(day, 20.5)
        spec.issued, spec.finished, spec.day = at(after, 9.0), at(after, 10.0), after
        spec.trigger = (
            spec.trigger[0],
            "夜间群众举报液化气瓶组间疑似泄漏，情况紧急，先行到场处置。",
        )
        spec.late_reason = (
            "夜间接群众紧急举报，为防止燃气泄漏事故先行到场检查，次日补办批准手续并赋码。"
        )
        return


def plant(sim: Sim) -> None:
    """Add the deliberate cases (each skipped when this year is too young to hold it)."""
    _repeat(sim)
    _multi(sim)
    _late(sim)


# --- F8: no subject's figures move the wrong way -------------------------------------------


@dataclass
class _Rates:
    n: int = 0
    joint: int = 0
    nonsite: int = 0
    problem: int = 0


def _in(specs: list[Spec], first: dt.date, last: dt.date) -> Iterator[Spec]:
    return (s for s in specs if first <= s.day <= last)


def _rates(specs: list[Spec], first: dt.date, last: dt.date) -> dict[int, _Rates]:
    out: dict[int, _Rates] = {}
    for spec in _in(specs, first, last):
        for s in spec.subjects:
            r = out.setdefault(s.id, _Rates())
            r.n += 1
            r.joint += len(spec.subjects) >= 2
            r.nonsite += spec.method in NONSITE
            r.problem += spec.outcome in PROBLEM
    return out


def _short(now: int, n: int, before: int, nb: int) -> int:
    """How many more of ``n`` must count for now/n to reach before/nb."""
    return max(0, math.ceil(before * n / nb - now - 1e-9)) if nb else 0


def balance(sim: Sim) -> int:
    """Flip the fewest outcomes and methods so that F8 finds nothing; returns the flips."""
    today = sim.world.today
    this = (dt.date(today.year, 1, 1), today)
    last_day = same_day_last_year(today)
    last = (dt.date(last_day.year, 1, 1), last_day)
    regions = {s.id: s.region for s in sim.world.subjects}
    policy, flips = get_policy(), 0
    for _ in range(40):
        now, before = _rates(sim.specs, *this), _rates(sim.specs, *last)
        changed = 0
        for sid, r in now.items():
            b = before.get(sid)
            floor = int(policy.value("oversight.trend_min_inspections", regions[sid], today))
            if b is None or min(r.n, b.n) < floor:
                continue
            mine = [
                s
                for s in _in(sim.specs, *this)
                if not s.planted and any(x.id == sid for x in s.subjects)
            ]
            nones = [s for s in mine if s.outcome == "none"]
            for spec in nones[: _short(r.problem, r.n, b.problem, b.n)]:
                spec.outcome = "rectify"
                changed += 1
            onsite = [s for s in mine if s.method == "onsite" and s.draw is None]
            for spec in onsite[: _short(r.nonsite, r.n, b.nonsite, b.n)]:
                spec.method = "offsite" if spec.origin in TRIGGERED else "written"
                changed += 1
            target = float(policy.value("joint.target_rate", regions[sid], today))
            if r.joint < target * r.n and r.joint * b.n < b.joint * r.n:
                singles = [s for s in mine if len(s.subjects) == 1 and s.draw is None]
                wanted = _short(r.joint, r.n, b.joint, b.n)
                joined = 0
                for spec in singles:  # this year: more of its inspections joint …
                    if joined >= wanted:
                        break
                    joined += sim.join(spec)
                # … or, failing that, last year: fewer
                changed += joined or _thin(sim, sid, last, (r.joint, r.n, b.joint, b.n))
        flips += changed
        if not changed:
            break
    return flips


def _thin(sim: Sim, sid: int, last: tuple[dt.date, dt.date], r: tuple[int, ...]) -> int:
    """Make last year's joint inspections of the subject single-subject ones until its joint
    rate last year is no higher than this year's; returns how many were changed."""
    joint, n, joint_before, n_before = r
    changed = 0
    for spec in _in(sim.specs, *last):
        if joint * n_before >= joint_before * n:
            break
        if (
            spec.draw is None
            and not spec.planted
            and len(spec.subjects) >= 2
            and any(s.id == sid for s in spec.subjects)
        ):
            keep = spec.lead.id
            joint_before -= 1
            if keep != sid:  # the subject leaves the inspection altogether
                n_before -= 1
            spec.subjects = [spec.lead]
            spec.items = [(i, s) for i, s in spec.items if s.id == keep]
            spec.officers = [o for o in spec.officers if o.subject_id == keep]
            changed += 1
    return changed


# --- evaluations ----------------------------------------------------------------------


def rate(sim: Sim) -> None:
    """About a third of the enterprises rate their inspection, a handful badly."""
    rng, now = sim.rng, at(sim.world.today, 0)
    for spec in sim.specs:
        if rng.random() >= 1 / 3:
            continue
        rated = spec.finished + dt.timedelta(hours=rng.uniform(1, 96))
        if rated >= now:
            continue
        spec.rating = rng.choices([r for r, _ in RATINGS], [w for _, w in RATINGS])[0]
        spec.comment = rng.choice(COMMENTS[spec.rating])
        spec.rated_at = rated
    year = sim.world.today.year
    pool = [s for s in sim.specs if s.ent.region == COUNTY and not s.planted]
    this = [s for s in pool if s.day.year == year]
    before = [s for s in pool if s.day.year < year]
    picks = rng.sample(this, min(len(this), len(LOW) - 1)) + rng.sample(before, min(len(before), 1))
    for spec, (rating, misconduct, comment) in zip(picks, LOW, strict=False):
        spec.rating, spec.misconduct, spec.comment = rating, misconduct, comment
        spec.rated_at = min(spec.finished + dt.timedelta(hours=20), now - dt.timedelta(hours=1))
