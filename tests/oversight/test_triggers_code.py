"""Supervision on write around a code's issue (#18): the rules a task's inputs bring run when
the task is created, edited or drawn; the issue runs only A4 (a late code) and F9 (when its
own pre-check warned). A code's issue must leave the rules it no longer runs nothing to find."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.inspections import KC_YJJ, QJ_SCJG, approval, issue, key_dir, new_task, world
from tests.oversight.test_rules import extra_subject, make_task
from tests.sampling import add_enterprises, add_item, add_officers, new_draw
from tests.sampling import subject as draw_subject
from wurao.core import rules as R
from wurao.core.policy import get_policy
from wurao.core.time import local_today
from wurao.inspections import task_changes
from wurao.inspections.models import InspectionTask
from wurao.oversight import engine
from wurao.oversight.models import Alert
from wurao.sampling import freeze, run

__all__ = ["key_dir"]

# What the code's issue evaluated before #18: its inputs are the creation's
BEFORE = (R.A5, R.A6, R.A2, R.A4, R.A8, R.F9, R.F2_DEREGISTERED)


def nothing_left(db: Session, task: InspectionTask) -> None:
    """Every rule the issue used to run finds nothing new for the task."""
    assert engine.evaluate_for_task(db, task, only=[r.id for r in BEFORE]) == []


def alerts(db: Session, rule: R.RuleDef) -> list[Alert]:
    return list(db.scalars(select(Alert).where(Alert.rule_id == rule.id).order_by(Alert.id)))


def test_the_cap_is_judged_when_the_task_reaching_it_is_created(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    w = world(db)
    filed = approval(db, w)
    db.flush()
    cap = int(get_policy().value("inspection.onsite_cap_per_year", "330802", local_today()))
    tasks = [
        new_task(db, personas.agency_admin, w, origin="unplanned", unplanned_id=filed.id)
        for _ in range(cap)
    ]
    (a5,) = alerts(db, R.A5)  # a draft counts: the visit is planned
    assert a5.enterprise_id == w.enterprise.id and f"已达到年度上限{cap}次" in a5.detail
    for task in tasks:
        issued = issue(db, personas.agency_admin, task)
        assert issued.code.status == "valid"
        nothing_left(db, task)
    assert len(alerts(db, R.A5)) == 1


def test_triggered_codes_past_the_number_raise_F9_and_leave_nothing(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    limit = int(get_policy().value("oversight.triggered_max_per_year", "330802", local_today()))
    w = world(db)
    other = world(db, KC_YJJ)
    other.enterprise = w.enterprise
    for n in range(limit + 2):
        actor, where = (personas.other_officer, other) if n % 2 else (personas.agency_admin, w)
        task = new_task(db, actor, where)
        issued = issue(db, actor, task)
        warned = "F9 TRIGGERED-FREQ" in issued.code.warnings
        assert warned == (n + 1 > limit)
        nothing_left(db, task)
    counts = [a.dedup_key.rsplit(":", 1)[1] for a in alerts(db, R.F9)]
    assert counts == [str(limit + 1), str(limit + 2)]  # one per code past the number


def test_a_late_code_raises_A4_and_leaves_nothing(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    w = world(db)
    started = dt.date(2026, 9, 30)
    task = new_task(
        db,
        personas.agency_admin,
        w,
        window_start=started,
        window_end=dt.date(2026, 10, 9),
        started_without_code_on=started,
    )
    assert alerts(db, R.A4) == []
    issue(db, personas.agency_admin, task, today=dt.date(2026, 10, 8), late_reason="夜间突发险情")
    raised = alerts(db, R.A4)
    assert [a.task_id for a in raised] == [task.id]
    assert "事后补码" in raised[0].detail
    nothing_left(db, task)


def test_the_early_warning_is_given_when_the_fourth_visit_is_planned(
    db: Session, personas: Personas, key_dir: Path
) -> None:
    today = local_today()
    w = world(db)
    for n, s in enumerate((world(db, KC_YJJ).subject, world(db, QJ_SCJG).subject)):
        make_task(db, w.enterprise, [s], start=today - dt.timedelta(days=3 + n), code=False)
    make_task(db, w.enterprise, [extra_subject(db)], start=today - dt.timedelta(days=6), code=False)
    task = new_task(
        db, personas.agency_admin, w, window_start=today + dt.timedelta(days=1),
        window_end=today + dt.timedelta(days=3),
    )  # fmt: skip
    (a6,) = alerts(db, R.A6)
    assert (a6.subject_id, a6.enterprise_id) == (w.subject.id, w.enterprise.id)
    issue(db, personas.agency_admin, task, today=today, now=None)
    nothing_left(db, task)


def test_an_edit_judges_the_officers_it_brings(db: Session, personas: Personas) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w)
    assert alerts(db, R.A2) == []
    lapsed = w.officers[0]
    lapsed.cert_valid_to = dt.date(2025, 12, 31)  # lapsed before the window
    edit = task_changes.TaskEdit(
        window_start=task.window_start,
        window_end=task.window_end,
        officer_ids=[o.id for o in w.officers],
        trigger_reason=task.trigger_reason,
    )
    task_changes.edit_task(db, actor=personas.agency_admin, task=task, edit=edit)
    assert [(a.task_id, a.dedup_key) for a in alerts(db, R.A2)] == [
        (task.id, f"A2:{task.id}:{lapsed.id}")
    ]


def test_a_draw_judges_all_its_tasks_at_once(db: Session, personas: Personas) -> None:
    s = draw_subject(db)
    add_officers(db, s, 6)
    item = add_item(db)
    ents = add_enterprises(db, "CCC")  # C: every one drawn
    draw = new_draw(db, personas.agency_admin, [s], [item])
    cap = int(get_policy().value("inspection.onsite_cap_per_year", "330802", draw.window_start))
    for ent in ents:  # each already inspected cap - 1 times this year: the draw reaches the cap
        for _ in range(cap - 1):
            make_task(db, ent, [s], start=draw.window_start - dt.timedelta(days=20), code=False)
    freeze.freeze_draw(db, draw=draw, actor=personas.agency_admin)
    assert alerts(db, R.A5) == []
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    drawn = db.scalars(
        select(InspectionTask.enterprise_id).where(InspectionTask.draw_id == draw.id)
    )
    assert (
        sorted(a.enterprise_id for a in alerts(db, R.A5))
        == sorted(drawn)
        == sorted(e.id for e in ents)
    )
