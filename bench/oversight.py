"""Supervision at province scale: a full rules sweep, its idempotent re-run, and the
dashboard queries, on tasks generated into the 10-million-enterprise ``wurao_bench`` database.

Generation (bulk Core inserts, one covering audit entry): ``tasks`` tasks on random enterprises
of the province (a quarter of them inspected several times), 30 % joint (two subjects), two
officers each, 90 % done with a finished record (outcomes none 70 %, rectify 25 %, case 5 %),
a code on 99 % of started tasks (1 % late), origins plan/draw/complaint, methods onsite 70 % /
offsite 20 % / written 10 %, dates over this year and last. Generated rows carry
``trigger_ref = 'bench-oversight'`` and are kept for the next run (which reuses them when the
count matches); the alert table, written only by this benchmark, is emptied before and after;
other rows of the database (e.g. other benchmarks' tasks) are left alone
but are swept too, and their count is reported.

Timed phases: ``generate``, ``sweep`` (every rule, first run), ``sweep_again`` (must raise 0),
``dashboard_prefecture`` and ``dashboard_province`` (``wurao.oversight.dashboard.build`` for a
supervisor of 330800 and of 330000), ``drill_down`` (first page of one figure).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from wurao.auth.permissions import Role
from wurao.auth.scope import SYSTEM_ACTOR, Actor
from wurao.core import audit, migrate, workdays
from wurao.core.db import make_engine
from wurao.core.holidays import load_calendar
from wurao.core.time import utcnow
from wurao.inspections.models import (
    ActionCode,
    InspectionRecord,
    InspectionTask,
    SigningKey,
    TaskOfficer,
    TaskSubject,
)
from wurao.oversight import dashboard, engine
from wurao.oversight.models import Alert
from wurao.registry.models import Enterprise, Officer

PG_URL = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/wurao_bench"
MARK = "bench-oversight"
CHUNK = 20_000
ID_BASE = 9_000_000_000


def _timed(out: dict[str, float], name: str, fn: Any) -> Any:
    t0 = time.perf_counter()
    value = fn()
    out[name] = round(time.perf_counter() - t0, 3)
    return value


def _cleanup(session: Session, first_alert: int | None) -> None:
    """Remove the generated rows; at the start (None) every alert, which only this writes."""
    ids = select(InspectionTask.id).where(InspectionTask.trigger_ref == MARK)
    session.execute(delete(Alert).where(Alert.id >= (first_alert or 0)))
    for model in (ActionCode, InspectionRecord, TaskOfficer, TaskSubject):
        session.execute(delete(model).where(model.task_id.in_(ids)))
    session.execute(delete(InspectionTask).where(InspectionTask.trigger_ref == MARK))


def generate(session: Session, tasks: int, today: dt.date, seed: int = 2026) -> int:
    """Insert ``tasks`` tasks with subjects, officers, records and codes; returns the count."""
    rng = random.Random(seed)
    max_ent = int(session.scalar(select(func.max(Enterprise.id))) or 0)
    officers: dict[int, list[int]] = {}
    for oid, sid in session.execute(
        select(Officer.id, Officer.subject_id).where(Officer.kind == "officer")
    ):
        officers.setdefault(sid, []).append(oid)
    subjects = sorted(officers)
    n_ents = max(1, tasks * 3 // 4)
    ent_ids = sorted(rng.sample(range(1, max_ent + 1), n_ents))
    regions = (
        dict(
            session.execute(
                select(Enterprise.id, Enterprise.region_code).where(Enterprise.id.in_(ent_ids))
            ).all()
        )
        if n_ents <= 50_000
        else {}
    )
    if not regions:
        for i in range(0, n_ents, CHUNK):
            part = ent_ids[i : i + CHUNK]
            regions.update(
                session.execute(
                    select(Enterprise.id, Enterprise.region_code).where(Enterprise.id.in_(part))
                ).all()
            )
    ents = list(regions)
    if session.get(SigningKey, "bench-oversight") is None:
        session.execute(
            insert(SigningKey).values(kid="bench-oversight", public_x="x", created_at=utcnow())
        )
    # Ids far above any other writer's (another benchmark may be loading tasks concurrently).
    next_id = max(ID_BASE, int(session.scalar(select(func.max(InspectionTask.id))) or 0)) + 1
    first_id = next_id
    now = utcnow()
    start_of_last = dt.date(today.year - 1, 1, 1)
    span = (today - start_of_last).days
    for lo in range(0, tasks, CHUNK):
        rows_t, rows_s, rows_o, rows_r, rows_c = [], [], [], [], []
        for _ in range(lo, min(tasks, lo + CHUNK)):
            tid = next_id
            next_id += 1
            ent = ents[rng.randrange(len(ents))] if rng.random() < 0.25 else ents[tid % len(ents)]
            start = start_of_last + dt.timedelta(days=rng.randrange(span))
            status = "done" if rng.random() < 0.9 else rng.choice(("draft", "coded", "in_progress"))
            method = rng.choices(("onsite", "offsite", "written"), (70, 20, 10))[0]
            rows_t.append(
                {
                    "id": tid,
                    "enterprise_id": ent,
                    "region_code": regions[ent],
                    "year": start.year,
                    "origin": rng.choices(("plan", "draw", "complaint"), (50, 35, 15))[0],
                    "trigger_ref": MARK,
                    "method": method,
                    "window_start": start,
                    "window_end": start + dt.timedelta(days=5),
                    "status": status,
                    "created_at": now,
                }
            )
            subs = rng.sample(subjects, 2 if rng.random() < 0.3 else 1)
            for i, s in enumerate(subs):
                rows_s.append({"task_id": tid, "subject_id": s, "lead": i == 0})
            for oid in rng.sample(officers[subs[0]], min(2, len(officers[subs[0]]))):
                rows_o.append({"task_id": tid, "officer_id": oid, "subject_id": subs[0]})
            if status == "done":
                outcome = rng.choices(("none", "rectify", "case"), (70, 25, 5))[0]
                finished = dt.datetime.combine(start, dt.time(3), dt.UTC)
                rows_r.append(
                    {
                        "id": tid,
                        "task_id": tid,
                        "outcome": outcome,
                        "finished_at": finished,
                        "published_at": finished,
                    }
                )
            if status in ("coded", "in_progress", "done") and rng.random() < 0.99:
                rows_c.append(
                    {
                        "id": tid,
                        "task_id": tid,
                        "number": f"BO-{tid}",
                        "jti": f"bo-{tid}",
                        "kid": "bench-oversight",
                        "token": "-",
                        "issued_at": now,
                        "valid_from": start,
                        "valid_to": start + dt.timedelta(days=5),
                        "late": rng.random() < 0.01,
                    }
                )
        session.execute(insert(InspectionTask), rows_t)
        session.execute(insert(TaskSubject), rows_s)
        session.execute(insert(TaskOfficer), rows_o)
        if rows_r:
            session.execute(insert(InspectionRecord), rows_r)
        if rows_c:
            session.execute(insert(ActionCode), rows_c)
    audit.record(
        session,
        actor=SYSTEM_ACTOR,
        action="bench.generate",
        object_type="inspection_task",
        object_id=f"{first_id}..{next_id - 1}",
        summary=f"benchmark tasks ({MARK})",
    )
    return tasks


def run(db: str = "postgresql", tasks: int = 200_000, *, keep: bool = False) -> dict[str, Any]:
    """Generate, sweep twice, build the dashboards; returns the timings and counts."""
    if db != "postgresql":
        raise ValueError("the oversight benchmark runs on the PostgreSQL wurao_bench database")
    migrate.upgrade(PG_URL)
    eng = make_engine(PG_URL)
    today = dt.date.today()
    out: dict[str, Any] = {"db": db, "tasks_generated": tasks, "today": today.isoformat()}
    times: dict[str, float] = {}
    with Session(eng) as session:
        # Alerts are written only by this benchmark in wurao_bench: start from none.
        session.execute(text("TRUNCATE alert RESTART IDENTITY"))
        session.commit()
        have = session.scalar(
            select(func.count(InspectionTask.id)).where(InspectionTask.trigger_ref == MARK)
        )
        if have != tasks:
            _cleanup(session, None)
            session.commit()
            _timed(times, "generate", lambda: generate(session, tasks, today))
            session.commit()
        out["reused_generated_tasks"] = have == tasks
        session.execute(select(func.count()).select_from(InspectionTask))  # warm
        out["tasks_in_database"] = session.scalar(select(func.count(InspectionTask.id)))
        out["enterprises_in_database"] = session.scalar(select(func.count(Enterprise.id)))
        workdays.configure(lambda: load_calendar(session))
        try:
            first = _timed(times, "sweep", lambda: engine.sweep(session, today=today))
            session.commit()
            print("sweep", times["sweep"], first.total, first.seconds, flush=True)
            again = _timed(times, "sweep_again", lambda: engine.sweep(session, today=today))
            session.commit()
        finally:
            workdays.configure(None)
        out["alerts_raised"] = first.raised
        out["alerts_raised_total"] = first.total
        out["sweep_again_raised"] = again.total
        out["sweep_seconds_by_rule"] = first.seconds
        out["sweep_again_seconds_by_rule"] = again.seconds
        for name, region in (("dashboard_prefecture", "330800"), ("dashboard_province", "330000")):
            actor = Actor(
                user_id=None,
                username="bench",
                display_name="bench",
                role=Role.SUPERVISOR,
                region_code=region,
            )
            board = _timed(times, name, lambda a=actor: dashboard.build(session, actor=a))
            out[f"{name}_inspections"] = board.total.inspections
        _timed(
            times,
            "drill_down",
            lambda: dashboard.indicator_tasks(session, actor=actor, name="joint", year=today.year),
        )
        if not keep:
            # The generated tasks stay for the next run (deleting 200 000 tasks row by row
            # through their foreign keys takes longer than the benchmark); the alerts go.
            session.execute(text("TRUNCATE alert RESTART IDENTITY"))
            session.commit()
    eng.dispose()
    out["seconds"] = times
    return out


if __name__ == "__main__":
    import json
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    print(json.dumps(run("postgresql", n), ensure_ascii=False, indent=2))
