"""The joint-visit optimiser on constructed cases whose optimum is known."""

from __future__ import annotations

import dataclasses
import datetime as dt

from wurao.joint.solver import Demand, solve

MON = dt.date(2026, 3, 2)
DAYS = [MON + dt.timedelta(days=i) for i in range(12) if (MON + dt.timedelta(days=i)).weekday() < 5]


def d(
    key: str, ent: int, subject: int, a: int, b: int, method: str = "onsite", team: int = 2
) -> Demand:
    return Demand(
        key,
        ent,
        subject,
        method,
        MON + dt.timedelta(days=a),
        MON + dt.timedelta(days=b),
        ((subject, team),),
    )


def keys(sol) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return sorted(v.keys for v in sol.visits)


def test_chained_windows_need_two_visits_not_one_or_three() -> None:
    # A–B meet (Tue–Wed), B–C meet (Thu), A–C do not: the optimum is two visits.
    demands = [d("A", 1, 1, 0, 2), d("B", 1, 2, 1, 3), d("C", 1, 3, 3, 4)]
    for cp in (True, False):
        sol = solve(demands, DAYS, {}, use_cp_sat=cp)
        assert sol.visit_count == 2 and sol.window_bound == 2 and sol.lower_bound == 1
        assert sum(len(v.keys) for v in sol.visits) == 3
        for v in sol.visits:  # every visit day lies in every member's window
            for k in v.keys:
                m = next(x for x in demands if x.key == k)
                assert m.start <= v.day <= m.end


def test_overlapping_windows_merge_into_one_visit_on_a_working_day() -> None:
    sol = solve([d("A", 1, 1, 0, 6), d("B", 1, 2, 4, 9)], DAYS, {})
    assert keys(sol) == [["A", "B"]]
    assert sol.visits[0].day == MON + dt.timedelta(days=4)  # Friday: the weekend is out
    assert sol.visit_count == sol.lower_bound == 1


def test_weekend_only_intersection_cannot_merge() -> None:
    # A ends Saturday, B starts Saturday: they meet only on the weekend.
    sol = solve([d("A", 1, 1, 0, 5), d("B", 1, 2, 5, 9)], DAYS, {})
    assert sol.visit_count == 2 and sol.reasons == {"A": "windows", "B": "windows"}


def test_method_differs_is_the_reason() -> None:
    sol = solve([d("A", 1, 1, 0, 4), d("B", 1, 2, 0, 4, method="written")], DAYS, {})
    assert sol.visit_count == 2 and sol.lower_bound == 2
    assert sol.reasons == {"A": "method", "B": "method"}


def test_capacity_limits_each_subject_per_day() -> None:
    # Subject 1 can send 2 officers a day; three one-day tasks on Monday cannot all happen.
    demands = [d(f"T{i}", i, 1, 0, 0) for i in range(3)] + [d("W", 0, 2, 0, 4)]
    sol = solve(demands, DAYS, {1: 2})
    assert len(sol.unplaced) == 2 and set(sol.reasons) == set(sol.unplaced)
    assert set(sol.reasons.values()) == {"capacity"} and ["T0", "W"] in keys(sol)
    # With room for all on Monday, W joins T0 (same enterprise) on Monday.
    sol = solve(demands, DAYS, {1: 6})
    assert not sol.unplaced and ["T0", "W"] in keys(sol) and sol.visit_count == 3


def test_capacity_moves_a_merge_to_another_day() -> None:
    # Subject 1 is full on Monday (T0); A+B of another enterprise can share Monday or Tuesday.
    demands = [d("T0", 9, 1, 0, 0), d("A", 1, 1, 0, 1), d("B", 1, 2, 0, 1)]
    for cp in (True, False):
        sol = solve(demands, DAYS, {1: 2}, use_cp_sat=cp)
        assert sol.visit_count == 2 and not sol.unplaced
        ab = next(v for v in sol.visits if v.keys == ["A", "B"])
        assert ab.day == MON + dt.timedelta(days=1)


def test_officer_days_count_one_team_per_subject_per_visit() -> None:
    # The same subject's two tasks at one enterprise: one visit, one team.
    sol = solve([d("A", 1, 1, 0, 4), d("B", 1, 1, 2, 4, team=3)], DAYS, {})
    assert sol.visit_count == 1 and sol.officer_days_before == 5 and sol.officer_days == 3


def test_demands_kept_apart_after_a_decline_are_visited_alone() -> None:
    a, b, c = d("A", 1, 1, 0, 4), d("B", 1, 2, 0, 4), d("C", 1, 3, 0, 4)
    for cp in (True, False):
        sol = solve([dataclasses.replace(a, alone=True), b, c], DAYS, {}, use_cp_sat=cp)
        assert keys(sol) == [["A"], ["B", "C"]]
        assert sol.reasons == {"A": "declined"} and sol.lower_bound == 1
