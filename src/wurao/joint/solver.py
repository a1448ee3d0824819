"""The joint-visit optimiser (综合查一次): pure data in, visits out, no database.

Each demand (an open task or an untasked plan target) asks for one visit to one enterprise
within a window, by a method and with a team per subject. Demands of one enterprise with the
same kind of method (on-site, or non-site) can share a visit when their windows meet on a
working day. The optimiser picks, for each visit, one working day inside every member's window
so that each subject's officers on a day stay within its capacity, minimising visits first and
officer-days second (a subject sends one team to a visit, however many of its demands it
carries).

* ``greedy``: per enterprise, the interval-stabbing greedy (sort by window end, open a visit on
  the end of the first window not yet covered) is optimal for visits when capacity never binds;
  visits are then put on the least-loaded feasible day, tightest first, and split when no day
  has room.
* ``solve``: CP-SAT over "demand d on day t" booleans, hinted with the greedy answer; the greedy
  answer is kept when CP-SAT finds nothing better within the time limit.

Bounds: ``lower_bound`` counts the distinct enterprise-method pairs needing a visit (the issue's
bound); ``window_bound`` adds, per pair, the greedy stabbing number, which is also a lower bound
(windows that do not meet can never share a visit) and is tight when capacity does not bind.
"""

from __future__ import annotations

import bisect
import datetime as dt
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

# Up to this many demands CP-SAT sees the whole problem; above, only the enterprises whose
# greedy visits exceed their window bound (the rest are already optimal for visits).
FULL_MODEL_DEMANDS = 3000
NEIGHBOURHOOD_DEMANDS = 600
VISIT_WEIGHT = 100
UNPLACED_WEIGHT = 1000

# How good the answer is known to be (JointProposal.solver_status).
STATUSES = {
    "optimal": "最优（CP-SAT 已证明）",
    "at_bound": "入企次数最优（每家企业均达到时间窗口下界）",
    "feasible": "可行解（CP-SAT 未证明最优）",
    "heuristic": "启发式解（CP-SAT 未能改进）",
    "timeout": "启发式解（CP-SAT 在时限内无解）",
}

# Reasons a demand did not join another demand of its enterprise.
REASONS = {
    "windows": "时间窗口不相交",
    "method": "检查方式不同（现场/非现场）",
    "capacity": "执法力量不足（每日人数上限）",
    "no_day": "时间窗口内无工作日",
    "declined": "已被执法主体拒绝合并",
}


def method_class(method: str) -> str:
    """On-site visits merge with on-site ones; off-site and written checks with each other."""
    return "onsite" if method == "onsite" else "nonsite"


@dataclass(frozen=True)
class Demand:
    """One visit asked for. ``teams``: officers per subject (the lead subject first).

    ``alone``: a subject declined a merge of exactly this demand's set before, so it is
    visited on its own (reason ``declined``) rather than proposed again.
    """

    key: str
    enterprise_id: int
    subject_id: int
    method: str
    start: dt.date
    end: dt.date
    teams: tuple[tuple[int, int], ...]
    alone: bool = False

    @property
    def group(self) -> tuple[int, str]:
        """The enterprise and method class: demands can share a visit only within one."""
        if self.alone:  # a group of its own: it shares a visit with no other demand
            return (self.enterprise_id, f"{method_class(self.method)}:{self.key}")
        return self.bound_group

    @property
    def bound_group(self) -> tuple[int, str]:
        """The enterprise and method class, declines ignored (the lower bound counts these)."""
        return (self.enterprise_id, method_class(self.method))


@dataclass
class Visit:
    """A visit: its day and the demands it carries."""

    day: dt.date
    keys: list[str]
    group: tuple[int, str]


@dataclass
class Solution:
    """Visits, the demands left alone with a reason, and the totals."""

    visits: list[Visit]
    reasons: dict[str, str]  # demand key → reason code (for demands not merged)
    unplaced: list[str]  # demands that found no day at all
    demands: int
    lower_bound: int
    window_bound: int
    officer_days_before: int
    officer_days: int
    solver: str
    status: str
    seconds: float
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def visit_count(self) -> int:
        """Visits after merging (an unplaced demand still needs its own visit)."""
        return len(self.visits) + len(self.unplaced)


@dataclass
class _Prepared:
    days: list[dt.date]
    demands: dict[str, Demand]
    span: dict[str, tuple[int, int]]  # working-day index range
    groups: dict[tuple[int, str], list[str]]
    no_day: list[str]
    cap: dict[int, int]


def _prepare(demands: Sequence[Demand], days: Sequence[dt.date], cap: dict[int, int]) -> _Prepared:
    ordered = sorted(days)
    p = _Prepared(ordered, {d.key: d for d in demands}, {}, defaultdict(list), [], dict(cap))
    for d in demands:
        lo = bisect.bisect_left(ordered, d.start)
        hi = bisect.bisect_right(ordered, d.end) - 1
        if lo > hi or any(n > p.cap.get(s, n) for s, n in d.teams):
            p.no_day.append(d.key)
            continue
        p.span[d.key] = (lo, hi)
        p.groups[d.group].append(d.key)
    return p


def _team(p: _Prepared, keys: Sequence[str]) -> dict[int, int]:
    """Officers each subject sends to a visit carrying ``keys`` (one team per subject)."""
    out: dict[int, int] = {}
    for k in keys:
        for s, n in p.demands[k].teams:
            out[s] = max(out.get(s, 0), n)
    return out


def _stab(p: _Prepared, keys: Sequence[str]) -> list[list[str]]:
    """Minimum number of visits for one group ignoring capacity (interval stabbing)."""
    out: list[list[str]] = []
    point = -1
    for k in sorted(keys, key=lambda k: (p.span[k][1], p.span[k][0], k)):
        lo, hi = p.span[k]
        if out and lo <= point:
            out[-1].append(k)
        else:
            point = hi
            out.append([k])
    return out


def _range(p: _Prepared, keys: Sequence[str]) -> tuple[int, int]:
    return max(p.span[k][0] for k in keys), min(p.span[k][1] for k in keys)


def _greedy(p: _Prepared) -> tuple[list[tuple[int, list[str]]], list[str]]:
    """Stab each group, then place visits tightest first on the least-loaded day with room."""
    load: dict[tuple[int, int], int] = defaultdict(int)
    pending = [ks for keys in p.groups.values() for ks in _stab(p, keys)]
    pending.sort(key=lambda ks: (_range(p, ks)[1] - _range(p, ks)[0], _range(p, ks)[1], ks[0]))
    placed: list[tuple[int, list[str]]] = []
    unplaced: list[str] = []

    def fits(t: int, team: dict[int, int]) -> bool:
        return all(load[(s, t)] + n <= p.cap.get(s, n) for s, n in team.items())

    def put(t: int, keys: list[str], team: dict[int, int]) -> None:
        for s, n in team.items():
            load[(s, t)] += n
        placed.append((t, keys))

    def least_loaded(lo: int, hi: int, team: dict[int, int]) -> int | None:
        best: tuple[float, int] | None = None
        for t in range(lo, hi + 1):
            if fits(t, team):
                score = max(load[(s, t)] / max(p.cap.get(s, 1), 1) for s in team)
                if best is None or score < best[0]:
                    best = (score, t)
        return None if best is None else best[1]

    failed: list[list[str]] = []
    for keys in pending:
        team = _team(p, keys)
        t = least_loaded(*_range(p, keys), team)
        if t is None:
            failed.append(keys)
        else:
            put(t, keys, team)
    for keys in _repair(p, placed, load, failed):
        for k in keys:  # no room for them together, even moving a visit: each on its own
            one = _team(p, [k])
            t = least_loaded(*p.span[k], one)
            if t is None:
                unplaced.append(k)
            else:
                put(t, [k], one)
    return placed, [k for ks in _repair(p, placed, load, [[k] for k in unplaced]) for k in ks]


def _repair(
    p: _Prepared,
    placed: list[tuple[int, list[str]]],
    load: dict[tuple[int, int], int],
    visits: list[list[str]],
) -> list[list[str]]:
    """Place visits that found no day by moving one visit out of a day in their range;
    returns those still without a day.

    Teams of two and three leave a subject's days with one officer spare each (bin-packing
    fragments): moving one visit of the subject short of room to another day frees enough.
    """
    still: list[list[str]] = []
    at: dict[tuple[int, int], list[int]] = defaultdict(list)  # (subject, day) → visit indexes
    for i, (t, ks) in enumerate(placed):
        for s in _team(p, ks):
            at[(s, t)].append(i)

    def fits(t: int, team: dict[int, int]) -> bool:
        return all(load[(s, t)] + n <= p.cap.get(s, n) for s, n in team.items())

    def move(i: int, to: int) -> None:
        t, ks = placed[i]
        for s, n in _team(p, ks).items():
            load[(s, t)] -= n
            load[(s, to)] += n
            at[(s, t)].remove(i)
            at[(s, to)].append(i)
        placed[i] = (to, ks)

    for keys in visits:
        team = _team(p, keys)
        done = False
        lo, hi = _range(p, keys)
        for t in range(lo, hi + 1):
            blocking = [s for s, n in team.items() if load[(s, t)] + n > p.cap.get(s, n)]
            if len(blocking) != 1:
                continue
            for i in list(at[(blocking[0], t)]):
                other = _team(p, placed[i][1])
                a, b = _range(p, placed[i][1])
                target = next((u for u in range(a, b + 1) if u != t and fits(u, other)), None)
                if target is None:
                    continue
                move(i, target)
                if fits(t, team):
                    for s, n in team.items():
                        load[(s, t)] += n
                        at[(s, t)].append(len(placed))
                    placed.append((t, keys))
                    done = True
                    break
                move(i, t)  # not enough: put it back
            if done:
                break
        if not done:
            still.append(keys)
    return still


def _officer_days(p: _Prepared, visits: Sequence[Sequence[str]]) -> int:
    return sum(sum(_team(p, ks).values()) for ks in visits)


def _cp_sat(
    p: _Prepared,
    groups: Sequence[tuple[int, str]],
    hint: list[tuple[int, list[str]]],
    fixed_load: dict[tuple[int, int], int],
    time_limit: float,
    workers: int,
) -> tuple[list[tuple[int, list[str]]], list[str], str] | None:
    """CP-SAT over x[d, t] for the demands of ``groups``, within the capacity that
    ``fixed_load`` (the other groups' visits) leaves; None when it finds nothing in time."""
    model = cp_model.CpModel()
    x: dict[tuple[str, int], cp_model.IntVar] = {}
    placed_vars: dict[str, cp_model.IntVar] = {}
    hinted = {k: t for t, ks in hint for k in ks}
    visit_terms: list[cp_model.IntVar] = []
    team_terms: list[tuple[int, cp_model.IntVar]] = []
    cap_terms: dict[tuple[int, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for keys in (p.groups[g] for g in groups):
        days_of: dict[int, list[str]] = defaultdict(list)
        for k in keys:
            lo, hi = p.span[k]
            row = []
            for t in range(lo, hi + 1):
                v = model.new_bool_var("")
                x[(k, t)] = v
                row.append(v)
                days_of[t].append(k)
                model.add_hint(v, hinted.get(k) == t)
            used = model.new_bool_var("")
            model.add(sum(row) == used)
            placed_vars[k] = used
        for t, ks in days_of.items():
            if len(ks) == 1:
                y = x[(ks[0], t)]
            else:
                y = model.new_bool_var("")
                model.add_max_equality(y, [x[(k, t)] for k in ks])
            visit_terms.append(y)
            by_subject: dict[int, list[tuple[str, int]]] = defaultdict(list)
            for k in ks:
                for s, n in p.demands[k].teams:
                    by_subject[s].append((k, n))
            for s, members in by_subject.items():
                n = max(n for _, n in members)
                if len(members) == 1:
                    z = x[(members[0][0], t)]
                else:
                    z = model.new_bool_var("")
                    model.add_max_equality(z, [x[(k, t)] for k, _ in members])
                team_terms.append((n, z))
                if s in p.cap:
                    cap_terms[(s, t)].append((n, z))
    for (s, t), terms in cap_terms.items():
        room = p.cap[s] - fixed_load.get((s, t), 0)
        if sum(n for n, _ in terms) > room:
            model.add(sum(n * z for n, z in terms) <= room)
    # Lexicographic in practice: a visit carries fewer than VISIT_WEIGHT officers, and placing
    # a demand never needs more than UNPLACED_WEIGHT / VISIT_WEIGHT extra visits. Small weights
    # keep the LP relaxation that CP-SAT leans on well scaled.
    model.minimize(
        UNPLACED_WEIGHT * sum(1 - v for v in placed_vars.values())
        + VISIT_WEIGHT * sum(visit_terms)
        + sum(n * z for n, z in team_terms)
    )
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit, 0.1)
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    at: dict[tuple[tuple[int, str], int], list[str]] = defaultdict(list)
    unplaced: list[str] = []
    for k in (k for g in groups for k in p.groups[g]):
        lo, hi = p.span[k]
        day = next((t for t in range(lo, hi + 1) if solver.value(x[(k, t)])), None)
        if day is None:
            unplaced.append(k)
        else:
            at[(p.demands[k].group, day)].append(k)
    name = "optimal" if status == cp_model.OPTIMAL else "feasible"
    return [(t, ks) for (_g, t), ks in at.items()], unplaced, name


def _above_bound(
    p: _Prepared,
    visits: list[tuple[int, list[str]]],
    unplaced: Sequence[str],
    stabbed: dict[tuple[int, str], int],
) -> list[tuple[int, str]]:
    """Groups whose visits (plus unplaced demands) exceed their stabbing bound."""
    count: dict[tuple[int, str], int] = defaultdict(int)
    for _, ks in visits:
        count[p.demands[ks[0]].group] += 1
    for k in unplaced:
        count[p.demands[k].group] += 1
    return [g for g, n in count.items() if n > stabbed[g]]


def _neighbourhood(
    p: _Prepared, groups: list[tuple[int, str]], visits: list[tuple[int, list[str]]]
) -> list[tuple[int, str]]:
    """The groups above their bound, plus the groups whose visits take a subject's officers on
    a day those groups could use (moving them frees the day), up to ``NEIGHBOURHOOD_DEMANDS``."""
    cells = {
        (s, t)
        for g in groups
        for k in p.groups[g]
        for s, _ in p.demands[k].teams
        for t in range(p.span[k][0], p.span[k][1] + 1)
    }
    chosen, taken = list(groups), set(groups)
    size = sum(len(p.groups[g]) for g in chosen)
    for t, ks in visits:
        g = p.demands[ks[0]].group
        if size >= NEIGHBOURHOOD_DEMANDS:
            break
        if g not in taken and any((s, t) in cells for s in _team(p, ks)):
            chosen.append(g)
            taken.add(g)
            size += len(p.groups[g])
    return chosen


def _improve(
    p: _Prepared,
    groups: list[tuple[int, str]],
    greedy: list[tuple[int, list[str]]],
    g_unplaced: list[str],
    time_limit: float,
    workers: int,
) -> tuple[list[tuple[int, list[str]]], list[str], str] | None:
    """Re-solve ``groups`` with CP-SAT, the other groups' greedy visits kept as they are."""
    chosen = set(groups)
    kept = [(t, ks) for t, ks in greedy if p.demands[ks[0]].group not in chosen]
    fixed: dict[tuple[int, int], int] = defaultdict(int)
    for t, ks in kept:
        for s, n in _team(p, ks).items():
            fixed[(s, t)] += n
    found = _cp_sat(p, groups, greedy, fixed, time_limit, workers)
    if found is None:
        return None
    still = [k for k in g_unplaced if p.demands[k].group not in chosen]
    return kept + found[0], still + found[1], found[2]


def _reasons(
    p: _Prepared, visits: Sequence[Sequence[str]], unplaced: Sequence[str]
) -> dict[str, str]:
    """Why each demand that shares its enterprise with others was left on its own."""
    alone = {ks[0] for ks in visits if len(ks) == 1} | set(unplaced) | set(p.no_day)
    by_enterprise: dict[int, list[str]] = defaultdict(list)
    for d in p.demands.values():
        by_enterprise[d.enterprise_id].append(d.key)
    out: dict[str, str] = {}
    for k in alone:
        d = p.demands[k]
        others = [p.demands[o] for o in by_enterprise[d.enterprise_id] if o != k]
        if k in p.no_day:
            out[k] = "no_day"  # it cannot be visited at all: said even when alone
        elif k in unplaced:
            out[k] = "capacity"
        elif d.alone:
            out[k] = "declined"
        elif others:
            same = [o for o in others if o.group == d.group and o.key in p.span]
            lo, hi = p.span[k]
            meet = [o for o in same if p.span[o.key][0] <= hi and p.span[o.key][1] >= lo]
            out[k] = "method" if not same else ("capacity" if meet else "windows")
    return out


def solve(
    demands: Sequence[Demand],
    days: Sequence[dt.date],
    capacity: dict[int, int],
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    use_cp_sat: bool = True,
) -> Solution:
    """Merge demands into as few visits as possible, then as few officer-days, within capacity.

    ``days``: the working days of the period; ``capacity``: officers per day per subject (a
    subject missing from it is not limited). CP-SAT runs for at most ``time_limit`` seconds;
    the greedy answer stands when CP-SAT finds nothing better.
    """
    started = time.perf_counter()
    p = _prepare(demands, days, capacity)
    greedy, g_unplaced = _greedy(p)
    g_time = time.perf_counter() - started
    best, unplaced, name, status = greedy, g_unplaced, "greedy", "heuristic"

    def score(vs: list[tuple[int, list[str]]], un: list[str]) -> tuple[int, int, int]:
        return (len(vs) + len(un), len(un), _officer_days(p, [ks for _, ks in vs]))

    stabbed = {g: len(_stab(p, keys)) for g, keys in p.groups.items()}
    window_bound = sum(stabbed.values())
    open_groups = _above_bound(p, greedy, g_unplaced, stabbed)
    whole = len(p.span) <= FULL_MODEL_DEMANDS
    if whole:
        open_groups = list(p.groups)  # small enough: CP-SAT also minimises officer-days
    elif open_groups:
        open_groups = _neighbourhood(p, open_groups, greedy)
    if not open_groups:
        status = "at_bound"
    elif use_cp_sat:
        found = _improve(p, open_groups, greedy, g_unplaced, time_limit, workers)
        if found is None:
            status = "timeout"
        elif score(found[0], found[1]) <= score(greedy, g_unplaced):
            best, unplaced, name, status = found[0], found[1], "cp-sat", found[2]
            if not whole and status == "optimal":
                status = "feasible"  # optimal for the neighbourhood only
    if status != "optimal" and not _above_bound(p, best, unplaced, stabbed):
        status = "at_bound"
    visits = [Visit(p.days[t], sorted(ks), p.demands[ks[0]].group) for t, ks in best]
    visits.sort(key=lambda v: (v.group, v.day))
    return Solution(
        visits=visits,
        reasons=_reasons(p, [v.keys for v in visits], unplaced),
        unplaced=sorted(unplaced) + sorted(p.no_day),
        demands=len(p.demands),
        lower_bound=len({d.bound_group for d in p.demands.values()}),
        window_bound=window_bound,
        officer_days_before=_officer_days(p, [[k] for k in p.demands]),
        officer_days=_officer_days(p, [v.keys for v in visits])
        + _officer_days(p, [[k] for k in list(unplaced) + p.no_day]),
        solver=name,
        status=status,
        seconds=time.perf_counter() - started,
        extra={"greedy_seconds": g_time, "greedy_visits": len(greedy) + len(g_unplaced)},
    )
