"""The province's annual statistics (#16) over a province's inspections: the supervisor's region
total (``reports.annual.queries.region_totals``, the province 330000) and one subject's draft
(``reports.annual.service.generate``, the subject that took part in the most inspections), last
year (the finished year the data covers whole).

The data: a fresh database per run (SQLite ``bench/data/annual.sqlite3``; PostgreSQL
``wurao_bench_annual`` on 127.0.0.1:5432), migrated to head; 浙江省's registry at a modest size
(``demo.province.generate_province``: 5 000 subjects, their officers, ``ENTERPRISES``
enterprises); then ``tasks`` inspection tasks over last year and this year to date through the
oversight benchmark's generator (``bench.oversight_data.generate``: subjects, officers, records,
codes, evaluations), and ``ANALYZE``. Each measure runs ``RUNS`` times in a fresh session
(rolled back); the statements each issues are counted on the engine (``before_cursor_execute``).

Run: ``python -m bench --only annual --db both --tasks 2000000`` (or ``python -m bench.annual
[sqlite|postgresql] [tasks] [reuse]`` — ``reuse`` times again on the database a previous run
loaded with the same task count). ``region_parts_s``: each part of ``figures.compute`` for the
province timed once, to show where the region total's time goes.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from typing import Any

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bench import oversight_data
from bench.inspections import DATA_DIR
from wurao.auth.permissions import Role
from wurao.auth.scope import Actor
from wurao.core import migrate
from wurao.core.db import make_engine
from wurao.core.time import local_today
from wurao.demo.province import generate_province
from wurao.inspections.models import InspectionRecord, InspectionTask, TaskSubject
from wurao.registry.models import EnforcementSubject
from wurao.reports.annual import figures, queries, service

SQLITE_PATH = DATA_DIR / "annual.sqlite3"
PG_BASE = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432"
PG_NAME = "wurao_bench_annual"
ENTERPRISES = 200_000
RUNS = 3
PROVINCE = "330000"


def url_for(db: str) -> str:
    """The benchmark's own database of ``db``."""
    if db == "sqlite":
        return f"sqlite:///{SQLITE_PATH}"
    return f"{PG_BASE}/{PG_NAME}"


def fresh(db: str) -> str:
    """Drop and recreate the database, migrate it to head; returns its URL."""
    if db == "sqlite":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            SQLITE_PATH.with_name(SQLITE_PATH.name + suffix).unlink(missing_ok=True)
    else:
        admin = create_engine(f"{PG_BASE}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
        admin.dispose()
    url = url_for(db)
    migrate.upgrade(url)
    return url


def _tasks(db: str) -> int:
    """The generated tasks already in the benchmark database (0 when there is none)."""
    if db == "sqlite" and not SQLITE_PATH.exists():
        return 0
    try:
        eng = make_engine(url_for(db))
        with Session(eng) as session:
            n = session.scalar(
                select(func.count()).where(InspectionTask.trigger_ref == oversight_data.MARK)
            )
        eng.dispose()
    except SQLAlchemyError:
        return 0
    return int(n or 0)


def load(db: str, tasks: int, today: dt.date) -> dict[str, Any]:
    """Registry, then the inspections (the oversight generator, pointed at this database)."""
    url = fresh(db)
    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    generate_province(url, enterprises=ENTERPRISES)
    out["registry_s"] = round(time.perf_counter() - t0, 1)
    oversight_data.SQLITE_PATH = SQLITE_PATH  # its fast SQLite load opens the file itself
    t0 = time.perf_counter()
    out["inspections"] = oversight_data.generate(url, tasks, today)
    out["inspections_s"] = round(time.perf_counter() - t0, 1)
    eng = make_engine(url)
    t0 = time.perf_counter()
    if eng.dialect.name == "postgresql":
        with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE)"))
    else:
        with eng.begin() as conn:
            conn.execute(text("ANALYZE"))
    out["analyze_s"] = round(time.perf_counter() - t0, 1)
    eng.dispose()
    return out


def _version(eng: Any) -> str:
    with eng.connect() as conn:
        if eng.dialect.name == "sqlite":
            return f"SQLite {conn.scalar(text('SELECT sqlite_version()'))}"
        return str(conn.scalar(text("SELECT version()")))


def _timed(eng: Any, fn: Any) -> dict[str, Any]:
    """``fn(session)`` RUNS times, each in a fresh session rolled back; seconds and statements."""
    counted: list[int] = []

    def count(*_args: Any) -> None:
        counted[-1] += 1

    event.listen(eng, "before_cursor_execute", count)
    runs: list[float] = []
    try:
        for _ in range(RUNS):
            counted.append(0)
            with Session(eng) as session:
                t0 = time.perf_counter()
                fn(session)
                session.flush()
                runs.append(time.perf_counter() - t0)
                session.rollback()
    finally:
        event.remove(eng, "before_cursor_execute", count)
    return {
        "median_s": round(statistics.median(runs), 3),
        "runs_s": [round(r, 3) for r in runs],
        "statements": counted[-1],
    }


def _parts(eng: Any, year: int) -> dict[str, float]:
    """Seconds of each part of ``figures.compute`` for the province, once (where time goes)."""
    scope = figures.Scope(prefix=PROVINCE[:2])
    out: dict[str, float] = {}
    with Session(eng) as session:
        for part in (
            figures.inspection_figures,
            figures.reoffence_figures,
            figures.evaluation_figures,
            figures.case_figures,
            figures.coercion_figures,
            figures.oversight_figures,
            figures.item_lists,
        ):
            t0 = time.perf_counter()
            part(session, scope, year)
            out[part.__name__] = round(time.perf_counter() - t0, 3)
    return out


def run(db: str, *, tasks: int = 2_000_000, reuse: bool = False) -> dict[str, Any]:
    """Load (unless ``reuse`` finds the same task count) and time the two generations."""
    today = local_today()
    year = today.year - 1
    result: dict[str, Any] = {"db": db, "today": today.isoformat(), "year": year, "tasks": tasks}
    if reuse and _tasks(db) == tasks:
        result["load"] = {"reused": True}
    else:
        result["load"] = load(db, tasks, today)
    eng = make_engine(url_for(db))
    try:
        result["version"] = _version(eng)
        with Session(eng) as session:
            first = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
            last = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
            result["records_finished_in_year_utc"] = session.scalar(
                select(func.count()).where(
                    InspectionRecord.finished_at >= first, InspectionRecord.finished_at < last
                )
            )
            busiest, n = session.execute(
                select(TaskSubject.subject_id, func.count())
                .group_by(TaskSubject.subject_id)
                .order_by(func.count().desc())
                .limit(1)
            ).one()
        result["subject"] = {"id": busiest, "task_subject_rows": n}
        supervisor = Actor(
            user_id=None, username="bench", display_name="基准测试", role=Role.SUPERVISOR,
            region_code=PROVINCE,
        )  # fmt: skip
        admin = Actor(
            user_id=None, username="bench", display_name="基准测试", role=Role.SYSADMIN,
            region_code="000000",
        )  # fmt: skip

        def region(session: Session) -> None:
            figures = queries.region_totals(session, actor=supervisor, year=year).figures
            result["region_inspections"] = figures.get("inspections")

        def subject(session: Session) -> None:
            found = session.get(EnforcementSubject, busiest)
            assert found is not None
            report = service.generate(session, actor=admin, subject=found, year=year, today=today)
            result["subject_inspections"] = service.loads(report.figures).get("inspections")

        result["region_total"] = _timed(eng, region)
        result["region_parts_s"] = _parts(eng, year)
        result["subject_draft"] = _timed(eng, subject)
    finally:
        eng.dispose()
    return result


if __name__ == "__main__":
    import json

    from wurao.wiring import register_handlers

    register_handlers()
    which = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
    again = "reuse" in sys.argv[3:]
    print(json.dumps(run(which, tasks=n, reuse=again), ensure_ascii=False, indent=2, default=str))
