"""Whether a draw can be carried out (C3; ``dss.max_inspections_per_officer_week``): the numbers
on constructed rosters, and the freeze refusing an overloaded draw without a reason."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.sampling import START, add_enterprises, add_item, add_officers, new_draw, subject
from wurao.core.errors import RuleViolation
from wurao.core.models import AuditEntry
from wurao.inspections.models import InspectionTask
from wurao.sampling import conflicts, feasibility, freeze
from wurao.sampling.models import Draw

MON, FRI = dt.date(2026, 3, 9), dt.date(2026, 3, 13)  # one working week
WEEKS3 = (dt.date(2026, 3, 9), dt.date(2026, 3, 27))  # three working weeks, no holiday


def _assess(officers: int, *, cap: int = 100, counts: dict[str, int] | None = None,
            window: tuple[dt.date, dt.date] = WEEKS3) -> feasibility.Feasibility:  # fmt: skip
    return feasibility.assess(
        counts=counts or {"C": 511}, ratios={"A": "0.02", "B": "0.05", "C": "1.0"},
        roster=[("11330802MB1A00001T", "柯城区市场监督管理局", officers)],
        per_subject=2, cap=cap, window=window, threshold=10,
    )  # fmt: skip


def test_c3_enough_officers_is_feasible() -> None:
    check = _assess(60, cap=20, counts={"A": 100, "C": 50})
    assert (check.pool_size, check.total) == (150, 52)  # ⌈0.02×100⌉ + 50
    s = check.subjects[0]
    assert s.needed == 104 and s.per_officer == Fraction(104, 60)
    assert check.working_days == 15 and s.per_week == Fraction(104 * 5, 60 * 15)
    assert check.feasible and not check.overloaded and not check.shortages


def test_c3_too_few_officers_for_pairs_is_refused_not_overridable() -> None:
    one = _assess(1, counts={"C": 3})
    assert one.shortages and not one.overridable and not one.feasible
    assert "持证可执法人员 1 名" in one.shortages[0].detail
    capped = _assess(10, cap=10)  # the 511 enterprises, 10 officers, cap 10
    assert capped.shortages and "共抽 511 户" in capped.shortages[0].detail


def test_c3_load_above_the_weekly_threshold_needs_an_override() -> None:
    check = _assess(10, cap=110)  # cap raised: 1 022 visits for 10 officers in 3 weeks
    s = check.subjects[0]
    assert s.per_officer == Fraction(1022, 10) and feasibility.fmt(s.per_week) == "34.1"
    assert check.overloaded == [s] and check.overridable and not check.feasible
    assert "超过每人每周 10 户的上限" in check.load_violation().detail
    # a window shorter than a week carries its whole load in that week
    short = _assess(60, counts={"C": 20}, window=(MON, MON))
    assert short.working_days == 1 and short.subjects[0].per_week == Fraction(40, 60)


def test_an_empty_pool_or_a_zero_quota_is_an_error_not_a_load() -> None:
    assert _assess(10, counts={"A": 0}).errors
    zero = feasibility.assess(counts={"A": 3}, ratios={"A": "0"}, roster=[("x", "x", 5)],
                              per_subject=2, cap=10, window=WEEKS3, threshold=10)  # fmt: skip
    assert zero.total == 0 and "一户也抽不到" in zero.errors[0][0] and not zero.shortages


def test_the_threshold_is_a_policy_parameter() -> None:
    assert feasibility.threshold_for("330802", dt.date(2026, 3, 2)) == 10


def _roster_size(db: Session, draw: Draw) -> int:
    return freeze.assess_draw(db, draw=draw).subjects[0].officers


def test_preview_and_freeze_agree_on_an_overloaded_draw(db: Session, personas: Personas) -> None:
    s = subject(db)
    add_officers(db, s, 4)
    item = add_item(db)
    add_enterprises(db, "C" * 200)
    draw = new_draw(db, personas.agency_admin, [s], [item], window_start=START,
                    window_end=START, officer_cap=400)  # fmt: skip
    check = freeze.assess_draw(db, draw=draw)
    n = _roster_size(db, draw)
    assert check.total >= 200 and check.working_days == 1
    assert check.subjects[0].needed == 2 * check.total
    assert check.subjects[0].per_week == Fraction(2 * check.total, n)
    assert check.overloaded and check.overridable
    before = db.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(RuleViolation, match="超过每人每周 10 户的上限") as info:
        freeze.freeze_draw(db, draw=draw, actor=personas.agency_admin)
    assert info.value.violations[0].rule_id.startswith("C3")
    assert draw.status == "draft" and not draw.frozen_json
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == before
    # with a reason the clerk takes responsibility: frozen, the reason in the audit entry
    freeze.freeze_draw(db, draw=draw, actor=personas.agency_admin,
                       override_reason="专项整治，抽调全局人员集中一日检查")  # fmt: skip
    assert draw.status == "frozen"
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "draw.freeze")
                       .order_by(AuditEntry.seq.desc())).first()  # fmt: skip
    assert entry is not None and "专项整治，抽调全局人员集中一日检查" in entry.summary
    assert "超过上限 10 户，经确认冻结" in entry.summary
    # the published frozen document is what it always was: no override in it
    assert "override" not in json.dumps(json.loads(draw.frozen_json or "{}"))
    # the frozen draw's own assessment (the confirmation page) gives the same numbers
    again = feasibility.from_frozen(json.loads(draw.frozen_json or "{}"), 10)
    assert (again.total, again.subjects[0].per_week) == (check.total, check.subjects[0].per_week)


def test_a_feasible_draw_freezes_without_a_reason(db: Session, personas: Personas) -> None:
    s = subject(db)
    add_officers(db, s, 6)
    add_enterprises(db, "C" * 4)
    draw = new_draw(db, personas.agency_admin, [s], [add_item(db)])
    check = freeze.assess_draw(db, draw=draw)
    assert check.feasible, check
    freeze.freeze_draw(db, draw=draw, actor=personas.agency_admin)
    assert draw.status == "frozen"
    assert db.scalar(select(func.count()).select_from(InspectionTask)
                     .where(InspectionTask.draw_id == draw.id)) == 0  # fmt: skip


def test_declared_conflicts_with_pool_enterprises_are_counted(
    db: Session, personas: Personas
) -> None:
    s = subject(db)
    staff = add_officers(db, s, 3)
    ents = add_enterprises(db, "C" * 3)
    for officer in staff[:2]:
        conflicts.declare_conflict(
            db, officer=officer, enterprise=ents[0], reason="近亲属任该企业高管",
            actor=personas.agency_admin,
        )  # fmt: skip
    draw = new_draw(db, personas.agency_admin, [s], [add_item(db)])
    load = freeze.assess_draw(db, draw=draw).subjects[0]
    assert load.conflicts == 2
    assert load.tight == (1 if load.officers - 2 < 2 else 0)
