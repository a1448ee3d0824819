"""Two requests racing for the last slot under the on-site cap (A5): exactly one wins.

Real concurrency: a dedicated, committed database per backend, two threads, each with its
own write session and connection, released together by a barrier. The pre-check is slowed
down so that both requests are in flight at the same time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.conftest import DB_PREFIX, fresh_database_url
from tests.inspections import START, TODAY, approval, key_dir, new_task, world
from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.core import migrate
from wurao.core.db import make_engine, session_factory
from wurao.core.errors import RuleViolation
from wurao.core.policy import get_policy
from wurao.demo.seed import seed_foundation
from wurao.inspections import issuing, precheck, rules
from wurao.inspections.models import ActionCode, InspectionTask, OnsiteCount

__all__ = ["key_dir"]


@pytest.fixture(params=["sqlite", "postgresql"])
def race_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh migrated database used only by this test, with the personas committed."""
    url = fresh_database_url(request.param, tmp_path, f"{DB_PREFIX}_race")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        seed_foundation(session)
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def slow_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the race window: every rule run takes a moment longer."""
    real = rules.run

    def slow(session: Session, facts: precheck.TaskFacts) -> precheck.PrecheckResult:
        time.sleep(0.3)
        return real(session, facts)

    monkeypatch.setattr(rules, "run", slow)


def _setup(engine: Engine, counted: int | None) -> tuple[list[int], int, int]:
    with session_factory(engine)() as db:
        user = db.scalar(select(User).where(User.username == "kc_scjg_admin"))
        assert user is not None
        actor = auth_service.actor_for(user)
        w = world(db)
        ok = approval(db, w)
        tasks = [
            new_task(db, actor, w, origin="unplanned", unplanned_id=ok.id).id for _ in range(2)
        ]
        if counted is not None:
            db.add(
                OnsiteCount(
                    enterprise_id=w.enterprise.id,
                    subject_id=w.subject.id,
                    year=START.year,
                    counted=counted,
                    exempt=0,
                )
            )
        db.commit()
        return tasks, w.enterprise.id, w.subject.id


def _race(engine: Engine, task_ids: list[int]) -> list[object]:
    barrier = threading.Barrier(len(task_ids))
    results: list[object] = [None] * len(task_ids)

    def run(i: int, task_id: int) -> None:
        factory = session_factory(engine, write=True)
        with factory() as db:
            user = db.scalar(select(User).where(User.username == "kc_scjg_admin"))
            assert user is not None
            actor = auth_service.actor_for(user)
            db.rollback()  # start the write transaction only after the barrier
            barrier.wait()
            try:
                task = db.get(InspectionTask, task_id)
                assert task is not None
                issued = issuing.issue_code(db, actor=actor, task=task, today=TODAY)
                db.commit()
                results[i] = issued.code.number
            except RuleViolation as exc:
                db.rollback()
                results[i] = exc
            except Exception as exc:  # reported by the assertion below
                db.rollback()
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(task_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _check(
    engine: Engine, results: list[object], enterprise_id: int, subject_id: int, cap: int
) -> None:
    won = [r for r in results if isinstance(r, str)]
    lost = [r for r in results if isinstance(r, RuleViolation)]
    assert len(won) == 1 and len(lost) == 1, results
    assert [v.rule_id for v in lost[0].violations] == ["A5 INSP-FREQ-CAP"]
    with Session(engine) as db:
        row = db.get(OnsiteCount, (enterprise_id, subject_id, START.year))
        assert row is not None and row.counted == cap
        assert len(list(db.scalars(select(ActionCode)))) == 1


def test_A5_race_for_the_last_slot_one_wins(
    race_engine: Engine, key_dir: Path, slow_rules: None
) -> None:
    cap = int(get_policy().value(precheck.CAP_POLICY, "330802", START))
    tasks, enterprise_id, subject_id = _setup(race_engine, counted=cap - 1)
    results = _race(race_engine, tasks)
    _check(race_engine, results, enterprise_id, subject_id, cap)


def test_A5_race_when_the_count_row_does_not_exist_yet(
    race_engine: Engine,
    key_dir: Path,
    slow_rules: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a county whose cap is 1: both requests must create the missing row, one must lose
    policy = tmp_path / "policy.toml"
    policy.write_text(
        "[[inspection.onsite_cap_per_year.values]]\n"
        'region = "330802"\neffective = 2026-01-01\nvalue = 1\nsource = "测试：上限1次"\n',
        encoding="utf-8",
    )
    from wurao.core.config import get_settings

    monkeypatch.setenv("WURAO_POLICY_FILE", str(policy))
    get_settings.cache_clear()
    get_policy.cache_clear()
    try:
        tasks, enterprise_id, subject_id = _setup(race_engine, counted=None)
        results = _race(race_engine, tasks)
        _check(race_engine, results, enterprise_id, subject_id, 1)
    finally:
        monkeypatch.delenv("WURAO_POLICY_FILE")
        get_settings.cache_clear()
        get_policy.cache_clear()
