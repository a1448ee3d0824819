"""The demo city's inspection history: sizes and trends, consistency with the services'
rules (pre-checks, codes, draws, records, counts), the few alerts it is meant to raise."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import audit, workdays
from wurao.core.config import get_settings
from wurao.core.models import AuditEntry
from wurao.core.time import local_date
from wurao.demo.city import generate_city
from wurao.demo.history import MARKER, HistoryStats, generate_history
from wurao.demo.seed import DEMO_ACCOUNTS, DEMO_SUBJECTS
from wurao.inspections import codes, issuing
from wurao.inspections.models import (
    ActionCode,
    ChecklistResult,
    CodeSequence,
    Evaluation,
    InspectionRecord,
    InspectionTask,
    OnsiteCount,
    TaskItem,
    TaskOfficer,
    TaskSubject,
)
from wurao.oversight.engine import SweepResult, sweep
from wurao.oversight.models import Alert, Clue
from wurao.registry.models import ChecklistLine, EnforcementSubject, Enterprise, Officer
from wurao.registry.officers.service import officer_problems
from wurao.sampling import algorithm, artefacts, freeze
from wurao.sampling.models import Draw

TODAY = dt.date(2026, 11, 23)
LAST_SAME_DAY = dt.date(2025, 11, 23)
INTENDED = {"F3 REPEAT-NONE": 1, "F3 MULTI-AGENCY": 1, "A4 INSP-APPROVAL": 1, "F2 EVALUATION": 5}


def _announced_before(db: Session, year: int) -> int:
    """Subjects announced by the end of the previous year (owing its annual statistics)."""
    last_day = dt.date(year - 1, 12, 31)
    stmt = select(func.count(EnforcementSubject.id)).where(
        EnforcementSubject.announced_on <= last_day
    )
    return int(db.scalar(stmt) or 0)


@dataclass
class History:
    """The demo city with its history, swept once, in a transaction rolled back at the end."""

    db: Session
    stats: HistoryStats
    swept: SweepResult


def test_only_the_intended_alerts_on_another_day(
    db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Balancing the subjects' trends (F8) depends on the day; mid-year once needed more than
    # flipping outcomes. (Runs before the module's shared history holds the database.)
    monkeypatch.setenv("WURAO_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    day = dt.date(2026, 7, 1)
    generate_city(db)
    stats = generate_history(db, today=day)
    assert 700 <= stats.inspections[2026] <= 1000
    raised = {k: v for k, v in sweep(db, today=day).raised.items() if v}
    assert raised.pop("F5 STATS-PUBLICATION", 0) == _announced_before(db, day.year)
    assert raised == INTENDED
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def history(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    """Generated once per database: the tests below only read it (and sweep it again)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WURAO_VAR_DIR", str(tmp_path_factory.mktemp("history-var")))
        get_settings.cache_clear()
        conn = engine.connect()
        trans = conn.begin()
        db = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            generate_city(db)
            stats = generate_history(db, today=TODAY)
            yield History(db, stats, sweep(db, today=TODAY))
        finally:
            db.close()
            trans.rollback()
            conn.close()
            get_settings.cache_clear()


def _finished(db: Session) -> list[tuple[InspectionTask, InspectionRecord]]:
    rows = db.execute(
        select(InspectionTask, InspectionRecord)
        .join(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
        .order_by(InspectionTask.id)
    )
    return [(t, r) for t, r in rows]


def _subjects(db: Session) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for task_id, subject_id in db.execute(select(TaskSubject.task_id, TaskSubject.subject_id)):
        out[task_id].append(subject_id)
    return out


def _by_year(db: Session) -> dict[int, list[tuple[InspectionTask, InspectionRecord, int]]]:
    subjects = _subjects(db)
    out: dict[int, list[tuple[InspectionTask, InspectionRecord, int]]] = defaultdict(list)
    for task, record in _finished(db):
        assert record.finished_at is not None
        out[local_date(record.finished_at).year].append((task, record, len(subjects[task.id])))
    return out


def test_history_is_idempotent(history: History) -> None:
    db = history.db
    before = db.scalar(select(func.count()).select_from(InspectionTask))
    again = generate_history(db, today=TODAY)
    assert again.skipped
    assert db.scalar(select(func.count()).select_from(InspectionTask)) == before
    assert db.scalar(select(func.count()).where(AuditEntry.action == MARKER)) == 1
    assert "跳过" in again.summary() and "2025年" in history.stats.summary()


def test_counts_and_the_year_on_year_decline(history: History) -> None:
    years = _by_year(history.db)
    assert set(years) == {2025, 2026}
    last, this = years[2025], years[2026]
    assert 2300 <= len(last) <= 2700
    assert 1400 <= len(this) <= 2000
    same_period = [
        r for _t, r, _n in last if r.finished_at and local_date(r.finished_at) <= LAST_SAME_DAY
    ]
    change = len(this) / len(same_period) - 1
    assert -0.35 <= change <= -0.15, change  # "down by about a quarter"
    assert history.stats.inspections == {2025: len(last), 2026: len(this)}
    months = Counter(local_date(r.finished_at).month for _t, r, _n in last if r.finished_at)
    assert min(months[1], months[2]) < min(months[5], months[11])  # quiet around Spring Festival
    assert max(r.finished_at for _t, r, _n in this if r.finished_at).date() < TODAY


def test_joint_and_nonsite_shares_rise_problem_rate_stays_plausible(history: History) -> None:
    years = _by_year(history.db)

    def share(year: int, test: object) -> float:
        rows = years[year]
        return sum(1 for row in rows if test(*row)) / len(rows)  # type: ignore[operator]

    joint = [share(y, lambda t, r, n: n >= 2) for y in (2025, 2026)]
    nonsite = [share(y, lambda t, r, n: t.method in ("offsite", "written")) for y in (2025, 2026)]
    problem = [share(y, lambda t, r, n: r.outcome in ("rectify", "case")) for y in (2025, 2026)]
    assert 0.35 <= joint[0] <= 0.55 and 0.6 <= joint[1] <= 0.8, joint
    assert nonsite[1] > nonsite[0] + 0.05, nonsite
    assert all(0.18 <= p <= 0.32 for p in problem), problem


def test_sweep_raises_exactly_the_intended_alerts(history: History) -> None:
    raised = {k: v for k, v in history.swept.raised.items() if v}
    # TODAY lies in the season of next year's holiday schedule (DAY-NEXT-YEAR): one alert per
    # supervising region (柯城区, 衢江区) while the calendar package does not know next year
    schedule = raised.pop("DAY-NEXT-YEAR", 0)
    assert schedule == (0 if TODAY.year + 1 in workdays.package_years() else 2)
    # the history publishes no annual statistics: every subject announced before this year is
    # reminded of last year's (F5 STATS-PUBLICATION, reports/annual), the planted cases aside
    stats = raised.pop("F5 STATS-PUBLICATION", 0)
    assert stats == _announced_before(history.db, TODAY.year)
    assert raised == INTENDED
    yearly = ("DAY-NEXT-YEAR", "F5 STATS-PUBLICATION")
    regions = set(history.db.scalars(select(Alert.region_code).where(Alert.rule_id.not_in(yearly))))
    assert regions == {"330802"}  # 柯城区: what the supervisor persona kc_sfj watches
    again = sweep(history.db, today=TODAY)
    assert again.total == 0


def test_every_task_has_a_genuine_code_issued_before_the_inspection(history: History) -> None:
    db = history.db
    keys = codes.keys_from_db(db)
    ents = {i: u for i, u in db.execute(select(Enterprise.id, Enterprise.uscc))}
    rows = db.execute(
        select(ActionCode, InspectionTask, InspectionRecord)
        .join(InspectionTask, InspectionTask.id == ActionCode.task_id)
        .join(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
    ).all()
    assert len(rows) == db.scalar(select(func.count()).select_from(InspectionTask))
    late = 0
    for code, task, record in rows:
        assert record.started_at is not None and record.finished_at is not None
        verdict = codes.verify(code.token, keys, at=record.started_at)
        assert verdict.state == "valid", (code.number, verdict.reason)
        claims = verdict.claims
        assert (claims["jti"], claims["no"], claims["e"]) == (
            code.jti,
            code.number,
            ents[task.enterprise_id],
        )
        assert code.status == "used" and code.used_at == record.finished_at
        if code.late:
            late += 1
            assert task.started_without_code_on == local_date(record.started_at)
            assert record.started_at < code.issued_at < record.finished_at and claims["late"]
        else:
            assert code.issued_at < record.started_at and task.started_without_code_on is None
    assert late == 1
    for seq in db.scalars(select(CodeSequence)):
        top = db.scalar(select(func.max(ActionCode.number)).where(
            ActionCode.number.like(f"{seq.region_code}-{seq.year}-%")))  # fmt: skip
        assert top == f"{seq.region_code}-{seq.year}-{seq.last:06d}"


def test_sampled_tasks_pass_every_blocking_precheck(history: History) -> None:
    db = history.db
    tasks = list(db.scalars(select(InspectionTask).order_by(InspectionTask.id)))
    sample = random.Random(1).sample(tasks, 120)
    issued = {t: at for t, at in db.execute(select(ActionCode.task_id, ActionCode.issued_at))}
    for task in sample:
        day = local_date(issued[task.id])
        result = issuing.precheck(db, actor=SYSTEM_ACTOR, task=task, today=day)
        assert not result.blocking, (task.id, task.origin, [v.detail for v in result.blocking])
    origins = Counter(t.origin for t in tasks)
    assert {"plan", "draw", "complaint", "referral", "monitoring"} <= set(origins)


def test_officers_are_certified_on_both_ends_of_every_window(history: History) -> None:
    db = history.db
    subjects = {s.id: s for s in db.scalars(select(EnforcementSubject))}
    officers = {o.id: o for o in db.scalars(select(Officer))}
    tasks = {t.id: t for t in db.scalars(select(InspectionTask))}
    per: Counter[tuple[int, int]] = Counter()
    for link in db.scalars(select(TaskOfficer)):
        officer, task = officers[link.officer_id], tasks[link.task_id]
        assert officer.subject_id == link.subject_id and officer.user_id is None
        region = subjects[link.subject_id].region_code
        for day in (task.window_start, task.window_end):
            assert not officer_problems(officer, day, region_code=region), (task.id, officer.id)
        per[(link.task_id, link.subject_id)] += 1
    for task_id, subject_id in db.execute(select(TaskSubject.task_id, TaskSubject.subject_id)):
        assert per[(task_id, subject_id)] >= 2


def test_onsite_counts_are_kept_and_stay_under_the_cap(history: History) -> None:
    db = history.db
    expected: Counter[tuple[int, int, int, str]] = Counter()
    rows = db.execute(
        select(InspectionTask, TaskSubject.subject_id)
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .where(InspectionTask.method == "onsite")
    )
    for task, subject_id in rows:
        kind = "exempt" if task.origin in ("complaint", "referral", "monitoring") else "counted"
        expected[(task.enterprise_id, subject_id, task.year, kind)] += 1
    kept: Counter[tuple[int, int, int, str]] = Counter()
    for c in db.scalars(select(OnsiteCount)):
        assert c.counted <= 1  # the cap is 2 and A5 warns on reaching it
        for kind in ("counted", "exempt"):
            if getattr(c, kind):
                kept[(c.enterprise_id, c.subject_id, c.year, kind)] = getattr(c, kind)
    assert kept == expected


def test_draws_recompute_and_made_their_tasks(history: History) -> None:
    db = history.db
    draws = list(db.scalars(select(Draw)))
    assert len(draws) >= 30
    per_draw = Counter(
        db.scalars(select(InspectionTask.draw_id).where(InspectionTask.draw_id.is_not(None)))
    )
    for draw in draws:
        verdict = algorithm.verify(artefacts.artefacts(draw), freeze.stored_pool(db, draw))
        assert verdict.ok, (draw.id, [text for ok, text in verdict.checks if not ok])
        assert per_draw[draw.id] == draw.tasks_created > 0
        assert draw.window_end < TODAY - dt.timedelta(days=30)


def test_records_checklists_evaluations_and_clues(history: History) -> None:
    db = history.db
    lines: dict[int, set[int]] = defaultdict(set)
    for item_id, line_id in db.execute(select(ChecklistLine.item_id, ChecklistLine.id)):
        lines[item_id].add(line_id)
    wanted: dict[int, set[int]] = defaultdict(set)
    for task_id, item_id in db.execute(select(TaskItem.task_id, TaskItem.item_id)):
        wanted[task_id] |= lines[item_id]
    results: dict[int, dict[int, str]] = defaultdict(dict)
    for r in db.scalars(select(ChecklistResult)):
        results[r.record_id][r.line_id] = r.result
    for task, record in _finished(db):
        assert task.status == "done" and record.attested and record.outcome
        assert set(results[record.id]) == wanted[task.id]
        failed = "fail" in results[record.id].values()
        assert failed == (record.outcome != "none")
        assert (record.rectify_deadline is not None) == (record.outcome == "rectify")
        assert bool(record.present_person) == (task.method == "onsite") == record.ids_shown
        assert (record.published_at is not None) == (task.origin == "draw")
    evaluations = list(db.scalars(select(Evaluation)))
    submitted = [e for e in evaluations if e.submitted_at is not None]
    assert len(evaluations) == len(_finished(db))
    assert 0.25 <= len(submitted) / len(evaluations) <= 0.4
    assert Counter(e.rating for e in submitted).most_common(1)[0][0] == 5
    misconduct = [e for e in submitted if e.misconduct]
    assert 1 <= len(misconduct) <= 2
    clues = list(db.scalars(select(Clue)))
    assert sorted(c.task_id for c in clues) == sorted(e.task_id for e in misconduct)


def test_personas_and_their_enterprise_are_left_alone(history: History) -> None:
    db = history.db
    persona_ids = set(db.scalars(select(EnforcementSubject.id).where(
        EnforcementSubject.uscc.in_([u for _n, u, *_r in DEMO_SUBJECTS]))))  # fmt: skip
    assert not set(db.scalars(select(TaskSubject.subject_id))) & persona_ids
    usccs = [a.uscc for a in DEMO_ACCOUNTS if a.uscc]
    persona_ent = db.scalar(select(Enterprise.id).where(Enterprise.uscc.in_(usccs)))
    assert db.scalar(select(func.count()).where(InspectionTask.enterprise_id == persona_ent)) == 0


def test_audit_chain_verifies(history: History) -> None:
    result = audit.verify_chain(history.db)
    assert result.ok, result.reason
    actions = set(history.db.scalars(select(AuditEntry.action)))
    assert {MARKER, "code.generate", "record.generate", "draw.generate", "plan.generate"} <= actions
