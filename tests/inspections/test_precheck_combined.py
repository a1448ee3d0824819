"""The pre-check's combined reads (#18) give the verdicts of the separate queries they replaced.

A6 (merge/joint) and F9 (triggered frequency) read the enterprise's other tasks in one
statement (``precheck.others_of``); the A5 counts come with the task's subjects
(``issuing._bundle_and_counts``); issuing locks the count rows and advances the code sequence
with one ``INSERT … ON CONFLICT DO UPDATE`` each. The reference answers below are the
statements used before.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.inspections import KC_YJJ, TODAY, issue, key_dir, new_task, world
from wurao.inspections import issuing
from wurao.inspections.models import InspectionTask, OnsiteCount, TaskOfficer, TaskSubject
from wurao.inspections.precheck import Outcome
from wurao.inspections.rules_frequency import triggered_count
from wurao.inspections.statuses import OPEN_STATUSES

__all__ = ["key_dir"]


def _a6_reference(db: Session, task: InspectionTask, own: set[int]) -> tuple[list[int], list[int]]:
    """The A6 statement as it was: open tasks of the enterprise overlapping the window, joined
    to their subjects; (same subject, other subjects)."""
    rows = db.execute(
        select(InspectionTask.id, TaskSubject.subject_id)
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .where(
            InspectionTask.enterprise_id == task.enterprise_id,
            InspectionTask.id != task.id,
            InspectionTask.status.in_(OPEN_STATUSES),
            InspectionTask.window_start <= task.window_end,
            InspectionTask.window_end >= task.window_start,
        )
    ).all()
    return sorted({t for t, s in rows if s in own}), sorted({t for t, s in rows if s not in own})


def _outcome(db: Session, personas: Personas, task: InspectionTask, key: str) -> Outcome:
    result = issuing.precheck(db, actor=personas.agency_admin, task=task, today=TODAY)
    return next(o for o in result.outcomes if o.rule.key == key)


def _set(db: Session, task: InspectionTask, **values: object) -> None:
    for name, value in values.items():
        setattr(task, name, value)
    db.flush()


def test_A6_and_F9_from_one_read_match_the_separate_queries(
    db: Session, personas: Personas
) -> None:
    w = world(db)
    other = world(db, KC_YJJ)
    other.enterprise = w.enterprise
    both = [w.subject.id, other.subject.id]
    officers = [o.id for o in w.officers + other.officers]
    task = new_task(db, personas.agency_admin, w)
    same_open = new_task(db, personas.agency_admin, w, origin="draw", method="written")
    other_open = new_task(db, personas.other_officer, other)
    joint = new_task(db, personas.agency_admin, w, subject_ids=both, officer_ids=officers)
    _set(db, joint, status="coded")  # A6 (both subjects) and F9, counted once
    done = new_task(db, personas.agency_admin, w)
    _set(db, done, status="done", window_start=dt.date(2026, 1, 5), window_end=dt.date(2026, 1, 6))
    cancelled = new_task(db, personas.agency_admin, w)
    _set(db, cancelled, status="cancelled")  # neither
    last_year = new_task(db, personas.agency_admin, w)
    _set(
        db,
        last_year,
        status="done",
        year=2025,
        window_start=dt.date(2025, 5, 6),
        window_end=dt.date(2025, 5, 7),
    )  # neither: another year, another window
    no_subject = new_task(db, personas.agency_admin, w)
    _set(db, no_subject, status="in_progress", window_start=dt.date(2026, 2, 2))
    db.execute(delete(TaskOfficer).where(TaskOfficer.task_id == no_subject.id))
    db.execute(delete(TaskSubject).where(TaskSubject.task_id == no_subject.id))  # F9 only

    same, others = _a6_reference(db, task, {w.subject.id})
    assert same == sorted([same_open.id, joint.id])  # not no_subject: it has no subject
    assert others == [other_open.id, joint.id]
    a6 = _outcome(db, personas, task, "merge_joint")
    assert a6.status == "warn"
    assert [v.evidence["tasks"] for v in a6.violations] == [same, others]

    done_f9 = triggered_count(
        db, enterprise_id=task.enterprise_id, year=task.year, excluding=task.id
    )
    assert done_f9 == 3  # joint, done, no_subject; last year's and the written one not
    f9 = _outcome(db, personas, task, "triggered_freq")
    assert f"已接受触发式检查 {done_f9} 次" in f9.note


def test_A6_passes_and_F9_counts_nothing_without_other_tasks(
    db: Session, personas: Personas
) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w)
    assert _a6_reference(db, task, {w.subject.id}) == ([], [])
    assert _outcome(db, personas, task, "merge_joint").status == "pass"
    assert "已接受触发式检查 0 次" in _outcome(db, personas, task, "triggered_freq").note


def test_A5_counts_read_with_the_subjects_are_the_count_rows(
    db: Session, personas: Personas
) -> None:
    """The unlocked pre-check reads each subject's count row through its task_subject row;
    a subject without a row counts 0."""
    w = world(db)
    other = world(db, KC_YJJ)
    other.enterprise = w.enterprise
    both = [w.subject.id, other.subject.id]
    officers = [o.id for o in w.officers + other.officers]
    task = new_task(db, personas.agency_admin, w, subject_ids=both, officer_ids=officers)
    db.add(
        OnsiteCount(
            enterprise_id=w.enterprise.id, subject_id=w.subject.id, year=2026, counted=4, exempt=3
        )
    )
    db.add(  # another year: not read
        OnsiteCount(
            enterprise_id=w.enterprise.id, subject_id=other.subject.id, year=2025, counted=9
        )
    )
    db.flush()
    b, counts = issuing._bundle_and_counts(db, task)
    assert [s.id for s in b.subjects] == both
    assert counts == {w.subject.id: (4, 3)}
    cap = _outcome(db, personas, task, "frequency_cap")
    assert f"{w.subject.name}：2026年已计数 4/" in cap.note and "触发式 3 次" in cap.note
    assert f"{other.subject.name}：2026年已计数 0/" in cap.note


def test_issue_counts_the_slot_and_numbers_codes_in_sequence(
    db: Session, personas: Personas, key_dir: object
) -> None:
    """The count row is created and advanced under its lock, and two codes of one region and
    year get consecutive numbers from the sequence row."""
    w = world(db)
    first = issue(db, personas.agency_admin, new_task(db, personas.agency_admin, w)).code
    second = issue(db, personas.agency_admin, new_task(db, personas.agency_admin, w)).code
    region, year, n = first.number.rsplit("-", 2)
    assert second.number == f"{region}-{year}-{int(n) + 1:06d}"
    row = db.get(OnsiteCount, (w.enterprise.id, w.subject.id, 2026))
    assert row is not None and (row.counted, row.exempt) == (0, 2)  # complaint: exempt
