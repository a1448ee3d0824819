"""一公开: result publication, the 20-working-day deadline (C6) and the late list."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.sampling import add_enterprises, add_item, add_officers, new_draw, subject
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import audit
from wurao.core.errors import Conflict, Forbidden
from wurao.core.time import LOCAL_TZ
from wurao.core.workdays import UnknownCalendarYear
from wurao.inspections.models import InspectionRecord, InspectionTask
from wurao.sampling import freeze, results, run
from wurao.sampling.models import Draw


def test_c6_deadline_counts_working_days_across_the_national_day_holiday() -> None:
    # 2025: 1–8 October off, Saturday 11 October worked (国办发明电〔2024〕12号)
    d = results.publish_deadline("330802", dt.date(2025, 9, 30))
    assert d.warn_on == dt.date(2025, 10, 28)
    assert d.due_on == dt.date(2025, 11, 4)


def test_c6_deadline_in_an_unknown_year_is_an_error_not_a_guess() -> None:
    with pytest.raises(UnknownCalendarYear, match="尚未导入"):
        results.publish_deadline("330802", dt.date(2099, 6, 1))


def _drawn_tasks(db: Session, personas: Personas) -> list[InspectionTask]:
    s = subject(db)
    add_officers(db, s, 4)
    add_enterprises(db, "D" * 3)
    draw = new_draw(db, personas.agency_admin, [s], [add_item(db)])
    freeze.freeze_draw(db, draw=draw, actor=personas.agency_admin)
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    return list(db.scalars(select(InspectionTask).where(InspectionTask.draw_id == draw.id)))


def _finish(db: Session, task: InspectionTask, on: dt.date, outcome: str = "none") -> None:
    task.status = "done"
    at = dt.datetime.combine(on, dt.time(15), LOCAL_TZ)
    rec = InspectionRecord(task_id=task.id, started_at=at, finished_at=at, outcome=outcome)
    db.add(rec)
    audit.record(db, actor=SYSTEM_ACTOR, action="record.test", obj=rec, covers=[task])


def test_c6_late_results_show_for_the_supervisor_with_days_overdue(
    db: Session, personas: Personas
) -> None:
    tasks = _drawn_tasks(db, personas)
    _finish(db, tasks[0], dt.date(2025, 9, 30))
    _finish(db, tasks[1], dt.date(2025, 9, 30), "rectify")
    _finish(db, tasks[2], dt.date(2025, 11, 3), "case")
    results.publish_result(db, task=tasks[1], actor=personas.agency_admin)
    today = dt.date(2025, 11, 7)  # three working days after the 4 November deadline
    found = results.late_results(db, actor=personas.supervisor, today=today)
    rows, total = found.items, found.total
    assert total == 1 and rows[0].task.id == tasks[0].id
    assert rows[0].overdue_days == 3 and rows[0].deadline is not None
    assert rows[0].deadline.due_on == dt.date(2025, 11, 4)
    none = results.late_results(db, actor=personas.neighbour_supervisor, today=today).items
    assert none == []
    with pytest.raises(Forbidden):
        results.late_results(db, actor=personas.agency_admin, today=today)


def test_publishing_a_result_needs_a_finished_record_and_is_audited(
    db: Session, personas: Personas
) -> None:
    tasks = _drawn_tasks(db, personas)
    with pytest.raises(Conflict, match="尚未完成"):
        results.publish_result(db, task=tasks[0], actor=personas.agency_admin)
    _finish(db, tasks[0], dt.date(2026, 3, 10))
    with pytest.raises(Forbidden):
        results.publish_result(db, task=tasks[0], actor=personas.supervisor)
    rec = results.publish_result(db, task=tasks[0], actor=personas.agency_admin)
    assert rec.published_at is not None
    with pytest.raises(Conflict, match="已公示"):
        results.publish_result(db, task=tasks[0], actor=personas.agency_admin)
    draw = db.get(Draw, tasks[0].draw_id)
    assert draw is not None
    found = results.draw_results(db, draw=draw, today=dt.date(2026, 3, 11), published_only=True)
    public, total = found.items, found.total
    assert total == 1 and public[0].record is not None and public[0].state == "published"
    db.commit()  # the audit guard accepts the transaction
