"""Two approvals racing for the last place under the special-inspection quota (A7): exactly
one wins, on SQLite and on PostgreSQL.

As tests/inspections/test_cap_race.py does for the on-site cap: a dedicated, committed
database per backend, two threads with their own write sessions released together by a
barrier, and the quota read slowed down so that both requests are in flight at once.
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
from tests.planning import MARKET, subject
from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.core import audit, migrate
from wurao.core.audit import SYSTEM
from wurao.core.db import make_engine, session_factory
from wurao.core.errors import RuleViolation
from wurao.core.policy import get_policy
from wurao.core.time import local_today, utcnow
from wurao.demo.seed import seed_foundation
from wurao.planning import special as special_service
from wurao.planning.models import SpecialInspection


@pytest.fixture(params=["sqlite", "postgresql"])
def race_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh migrated database used only by this test, with the personas committed."""
    url = fresh_database_url(request.param, tmp_path, f"{DB_PREFIX}_special_race")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        seed_foundation(session)
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def slow_quota(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the race window: reading the quota takes a moment longer."""
    real = special_service.special_quota

    def slow(session: Session, **kw: object) -> tuple[int, int]:
        found = real(session, **kw)  # type: ignore[arg-type]
        time.sleep(0.3)
        return found

    monkeypatch.setattr(special_service, "special_quota", slow)


def _setup(engine: Engine) -> list[int]:
    """The quota less one approved, and two special inspections waiting for approval."""
    today = local_today()
    with session_factory(engine)() as db:
        s = subject(db, MARKET)
        quota = int(get_policy().value(special_service.QUOTA_PARAM, s.region_code, today))
        rows = [
            SpecialInspection(
                subject_id=s.id, year=today.year, title=f"已批准专项{i}", status="approved",
                approved_on=today, created_at=utcnow(),
            )
            for i in range(quota - 1)
        ] + [
            SpecialInspection(
                subject_id=s.id, year=today.year, title=f"待批准专项{i}", status="discussed",
                legal_review_on=today, discussion_on=today, created_at=utcnow(),
            )
            for i in range(2)
        ]  # fmt: skip
        db.add_all(rows)
        db.flush()
        audit.record(db, actor=SYSTEM, action="special.create", obj=rows[0], covers=rows)
        db.commit()
        return [r.id for r in rows if r.status == "discussed"]


def _race(engine: Engine, special_ids: list[int]) -> list[object]:
    barrier = threading.Barrier(len(special_ids))
    results: list[object] = [None] * len(special_ids)

    def run(i: int, special_id: int) -> None:
        factory = session_factory(engine, write=True)
        with factory() as db:
            user = db.scalar(select(User).where(User.username == "kc_scjg_admin"))
            assert user is not None
            actor = auth_service.actor_for(user)
            db.rollback()  # start the write transaction only after the barrier
            barrier.wait()
            try:
                special = db.get(SpecialInspection, special_id)
                assert special is not None
                special_service.record_special_approval(
                    db, special=special, actor=actor, organ="衢州市柯城区人民政府",
                    ref=f"柯政办〔2026〕{special_id}号", on=local_today(),
                )  # fmt: skip
                db.commit()
                results[i] = special_id
            except Exception as exc:  # a RuleViolation is the expected loss
                db.rollback()
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(special_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_A7_race_for_the_last_place_one_wins(race_engine: Engine, slow_quota: None) -> None:
    waiting = _setup(race_engine)
    results = _race(race_engine, waiting)
    won = [r for r in results if isinstance(r, int)]
    lost = [r for r in results if isinstance(r, RuleViolation)]
    assert len(won) == 1 and len(lost) == 1, results
    assert [v.rule_id for v in lost[0].violations] == ["A7 INSP-SPECIAL-PLAN"]
    with Session(race_engine) as db:
        s = subject(db, MARKET)
        quota, used = special_service.special_quota(db, subject=s, year=local_today().year)
        assert used == quota
        statuses = {r.id: r.status for r in db.scalars(select(SpecialInspection))}
        assert statuses[won[0]] == "approved"
        assert statuses[next(i for i in waiting if i != won[0])] == "discussed"
