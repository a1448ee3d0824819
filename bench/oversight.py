"""Supervision at province scale: the indicator rebuild, a full rules sweep and its idempotent
re-run, the dashboard, its drill-down and the rules evaluated on write, on tasks generated into
the 10-million-enterprise databases by bench/oversight_data.py (which describes what is generated
and how it is loaded and reused).

Timed phases: ``generate``; ``rebuild`` (``indicators.rebuild`` + commit); ``sweep`` (every
rule, on an emptied alert table — alerts are written only by this benchmark) and
``sweep_again`` (must raise 0); ``dashboard.build`` for a supervisor of a county (330802), a
prefecture (330800) and the province (330000), and the drill-down's first page (joint, this
year, prefecture), each 5 runs in a fresh session; the write path on 200 random done tasks:
``engine.evaluate_for_task`` with ``triggers.ON_FINISH``, with ``triggers.ON_CREATE`` (what a
task's creation, edit or draw runs) and with ``triggers.ON_CODE`` (both of its rules: a code's
issue runs them only when late or warned F9), and ``indicators.add_inspection``, each rolled
back.

Run: ``python -m bench --only oversight --db postgresql`` (or ``python -m bench.oversight
[sqlite|postgresql] [tasks]``).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.orm import Session

from bench.inspections import _ms
from bench.oversight_data import COLUMNS, MARK, SQLITE_PATH, _cleanup, generate, url_for
from wurao.auth.permissions import Role
from wurao.auth.scope import Actor
from wurao.core import migrate, workdays
from wurao.core.db import make_engine
from wurao.core.holidays import load_calendar
from wurao.core.time import local_today
from wurao.inspections.models import ActionCode, Evaluation, InspectionRecord, InspectionTask
from wurao.oversight import dashboard, drill_down, engine, indicators, triggers
from wurao.oversight.models import Alert
from wurao.registry.models import Enterprise

RUNS = 5
WRITES = 200
SUPERVISORS = (("county", "330802"), ("prefecture", "330800"), ("province", "330000"))


def _empty_alerts(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("TRUNCATE alert RESTART IDENTITY"))
    else:
        session.execute(delete(Alert))


def _analyze(eng: Engine) -> None:
    """Fresh planner statistics (and on PostgreSQL a vacuum, so autovacuum stays quiet)."""
    tables = [*COLUMNS, "alert", "indicator_day", "indicator_subject_month",
              "indicator_enterprise_year"]  # fmt: skip
    if eng.dialect.name == "postgresql":
        with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in tables:
                conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    else:
        with eng.begin() as conn:
            for table in tables:
                conn.execute(text(f"ANALYZE {table}"))


# --- measures -------------------------------------------------------------------------------


def _version(eng: Engine) -> str:
    if eng.dialect.name == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with eng.connect() as conn:
        return str(conn.scalar(text("SELECT version()")))


def _source() -> dict[str, Any]:
    """The commit measured, and whether src/ had uncommitted changes (others edit it too)."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "src"], cwd=root, capture_output=True, text=True
        ).stdout.split("\n")
    except OSError:
        return {}
    return {"commit": head, "src_uncommitted": [line for line in dirty if line]}


def _census(session: Session) -> dict[str, Any]:
    by_ref = dict(
        session.execute(
            select(InspectionTask.trigger_ref, func.count()).group_by(InspectionTask.trigger_ref)
        ).all()
    )
    known = {MARK: by_ref.pop(MARK, 0), "bench-insp": by_ref.pop("bench-insp", 0)}
    return {
        "enterprises": session.scalar(select(func.count()).select_from(Enterprise)),
        "tasks_total": sum(known.values()) + sum(by_ref.values()),
        "tasks_by_trigger_ref": {**known, "other": sum(by_ref.values())},
        "finished_records": session.scalar(
            select(func.count()).where(InspectionRecord.finished_at.is_not(None))
        ),
        "codes": session.scalar(select(func.count()).select_from(ActionCode)),
        "evaluations": session.scalar(select(func.count()).select_from(Evaluation)),
    }


def _supervisor(region: str) -> Actor:
    return Actor(
        user_id=None, username="bench", display_name="基准测试", role=Role.SUPERVISOR,
        region_code=region,
    )  # fmt: skip


def _build(session: Session, *, actor: Actor) -> dashboard.Dashboard:
    return dashboard.build(session, actor=actor)


def _runs(eng: Engine, fn: Callable[[Session], Any]) -> tuple[dict[str, Any], Any]:
    """``fn`` RUNS times, each in a fresh session as a page request would; seconds."""
    seconds, value = [], None
    for _ in range(RUNS):
        with Session(eng) as session:
            t0 = time.perf_counter()
            value = fn(session)
            seconds.append(time.perf_counter() - t0)
    return {
        "median_s": round(statistics.median(seconds), 3),
        "max_s": round(max(seconds), 3),
        "runs_s": [round(s, 3) for s in seconds],
    }, value


def _write_path(session: Session, rng: random.Random, today: dt.date) -> dict[str, Any]:
    """Rules on finish, rules on code issue and the indicator upserts, each rolled back."""
    lo, hi = session.execute(
        select(func.min(InspectionTask.id), func.max(InspectionTask.id)).where(
            InspectionTask.trigger_ref == MARK
        )
    ).one()
    ids = sorted(rng.sample(range(int(lo), int(hi) + 1), WRITES * 2))
    done = list(
        session.scalars(
            select(InspectionTask.id).where(
                InspectionTask.id.in_(ids), InspectionTask.status == "done"
            )
        )
    )[:WRITES]
    session.rollback()
    times: dict[str, list[float]] = {
        "on_finish": [], "on_create": [], "on_code": [], "add_inspection": []
    }  # fmt: skip
    raised = 0
    for tid in done:
        for name, only in (
            ("on_finish", triggers.ON_FINISH),
            ("on_create", triggers.ON_CREATE),
            ("on_code", triggers.ON_CODE),
        ):
            task = session.get(InspectionTask, tid)
            assert task is not None
            t0 = time.perf_counter()
            raised += len(engine.evaluate_for_task(session, task, only=only, today=today))
            times[name].append(time.perf_counter() - t0)
            session.rollback()
        task = session.get(InspectionTask, tid)
        record = session.scalar(select(InspectionRecord).where(InspectionRecord.task_id == tid))
        assert task is not None and record is not None
        t0 = time.perf_counter()
        indicators.add_inspection(session, task=task, record=record)
        session.flush()
        times["add_inspection"].append(time.perf_counter() - t0)
        session.rollback()
    return {**{k: _ms(v) for k, v in times.items()}, "alerts_raised": raised}


def run(
    db: str = "postgresql", tasks: int = 2_000_000, *, seed: int = 2026, keep: bool = False
) -> dict[str, Any]:
    """Generate (or reuse), rebuild, sweep twice, build dashboards, time the write path."""
    if db == "sqlite" and not SQLITE_PATH.exists():
        raise SystemExit(f"{SQLITE_PATH} is missing: generate the province first")
    url = url_for(db)
    migrate.upgrade(url)
    today = local_today()
    eng = make_engine(url)
    out: dict[str, Any] = {
        "benchmark": "oversight", "db": db, "database": _version(eng), "today": today.isoformat(),
        "tasks_generated": tasks, "seed": seed, "source": _source(),
    }  # fmt: skip
    times: dict[str, float] = {}
    with Session(eng) as session:
        _empty_alerts(session)  # alerts are written only by this benchmark
        have = session.scalar(select(func.count()).where(InspectionTask.trigger_ref == MARK))
        if have and have != tasks:
            _cleanup(session)
        session.commit()
    out["reused_generated_tasks"] = have == tasks
    if have != tasks:
        eng.dispose()  # the SQLite load switches the journal mode: no other connection open
        t0 = time.perf_counter()
        out["generate"] = generate(url, tasks, today, seed)
        times["generate"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    _analyze(eng)
    times["analyze"] = round(time.perf_counter() - t0, 1)
    with Session(eng) as session:
        out["rows"] = _census(session)
    out["loadavg_before_timed_phases"] = [round(x, 2) for x in os.getloadavg()]
    print(f"oversight {db}: {out['rows']}", file=sys.stderr, flush=True)
    with Session(eng) as session:
        t0 = time.perf_counter()
        built = indicators.rebuild(session)
        session.commit()
        times["rebuild"] = round(time.perf_counter() - t0, 2)
        out["indicator_rows"] = asdict(built)
        print(f"  rebuild {times['rebuild']} s {built}", file=sys.stderr, flush=True)
    _analyze(eng)
    with Session(eng) as session:
        workdays.configure(lambda: load_calendar(session))
        try:
            t0 = time.perf_counter()
            first = engine.sweep(session, today=today)
            session.commit()
            times["sweep"] = round(time.perf_counter() - t0, 1)
            print(f"  sweep {times['sweep']} s {first.raised}", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            again = engine.sweep(session, today=today)
            session.commit()
            times["sweep_again"] = round(time.perf_counter() - t0, 1)
            print(f"  again {times['sweep_again']} s {again.total}", file=sys.stderr, flush=True)
            out["sweep"] = {
                "raised_total": first.total, "raised": first.raised, "seconds": first.seconds,
            }  # fmt: skip
            out["sweep_again"] = {
                "raised_total": again.total, "known": again.known, "seconds": again.seconds,
            }  # fmt: skip
            _analyze(eng)
            boards: dict[str, Any] = {}
            for name, region in SUPERVISORS:
                actor = _supervisor(region)
                figures, board = _runs(eng, partial(_build, actor=actor))
                boards[name] = {
                    "region": region, **figures, "inspections_this_year": board.total.inspections,
                    "inspections_last_year_to_date": board.last_total.inspections,
                    "subjects": len(board.subjects),
                }  # fmt: skip
                print(f"  dashboard {name} {figures}", file=sys.stderr, flush=True)
            out["dashboard"] = boards
            actor = _supervisor("330800")
            figures, found = _runs(
                eng,
                lambda s: drill_down.indicator_tasks(s, actor=actor, name="joint", year=today.year),
            )
            out["drill_down"] = {
                "region": "330800", **figures, "rows": len(found.items), "total": found.total,
            }  # fmt: skip
            out["write_path"] = _write_path(session, random.Random(seed), today)
            print(f"  write path {out['write_path']}", file=sys.stderr, flush=True)
        finally:
            workdays.configure(None)
        if not keep:
            _empty_alerts(session)
            session.commit()
    eng.dispose()
    out["seconds"] = times
    return out


if __name__ == "__main__":
    import json

    args = sys.argv[1:]
    which = args.pop(0) if args and not args[0].isdigit() else "postgresql"
    n = int(args[0]) if args else 2_000_000
    print(json.dumps(run(which, n), ensure_ascii=False, indent=2, default=str))
