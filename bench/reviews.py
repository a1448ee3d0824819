"""案卷评查 at county scale: a year of a county's inspection records (20 000 finished tasks of
eight subjects), the review sample drawn over them and the automatic checks.

A fresh database per run (SQLite file or PostgreSQL ``bench_reviews``), migrated to head, the
demo foundation (regions, subjects, personas) seeded and the year's records bulk-loaded. Timed:

- ``pool``: ``draw.pool`` — the eligible files of the year (records finished in 2026, lead
  subject in the county), sorted by key;
- ``compute``: the pure draw over that pool (pool file, frozen document, HMAC ranking);
- ``draw_plan``: ``service.draw_plan`` at a 5 % rate as the page runs it — pool, draw,
  automatic checks on every drawn file, the files and checklist rows written, audit entry,
  commit;
- ``checks_all``: the automatic checks on every record of the year (facts loaded 500 tasks at
  a time, the nine inspection checks run), records/s;
- ``verify``: ``sampling.algorithm.verify`` of the published artefacts against the pool file.

Run: ``python -m bench --only reviews --db both`` (or ``python -m bench.reviews [sqlite|
postgresql] [records]``).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.core import migrate
from wurao.core.db import make_engine
from wurao.demo.identifiers import make_ric, make_uscc
from wurao.demo.seed import seed_foundation
from wurao.inspections.models import (
    ActionCode,
    Evidence,
    InspectionRecord,
    InspectionTask,
    SigningKey,
    TaskItem,
    TaskOfficer,
    TaskSubject,
)
from wurao.oversight.reviews import checks, draw, queries, service
from wurao.oversight.reviews.checklist import checklist
from wurao.oversight.reviews.models import ReviewPlan
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem, Officer
from wurao.sampling import algorithm

DATA_DIR = Path(__file__).resolve().parent / "data"
SQLITE_PATH = DATA_DIR / "reviews.sqlite3"
PG_BASE = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432"
PG_NAME = "bench_reviews"
RECORDS = 20_000
SUBJECTS = 8
COUNTY = "330802"
YEAR = 2026
RATE = "5"  # per cent
T0 = dt.datetime(YEAR, 1, 5, 1, 0, tzinfo=dt.UTC)


def url_for(db: str) -> str:
    """The benchmark's own database."""
    return f"sqlite:///{SQLITE_PATH}" if db == "sqlite" else f"{PG_BASE}/{PG_NAME}"


def fresh(db: str) -> str:
    """Drop and recreate the database, migrate it to head; returns its URL."""
    if db == "sqlite":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        SQLITE_PATH.unlink(missing_ok=True)
    else:
        admin = create_engine(f"{PG_BASE}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
        admin.dispose()
    url = url_for(db)
    migrate.upgrade(url)
    return url


def load(session: Session, records: int, seed: int = 2026) -> dict[str, Any]:
    """Bulk-load the county's year: subjects, officers, items, enterprises, tasks with their
    records, codes, officers, items and evidence (about one record in seven imperfect)."""
    rng = random.Random(seed)
    seed_foundation(session)
    session.flush()
    now = T0
    base = 900_000
    subjects = [
        {"id": base + i, "name": f"柯城区基准执法主体{i}", "uscc": make_uscc("11", COUNTY, 700 + i),
         "region_code": COUNTY, "field": "市场监管", "level": "county", "kind": "organ",
         "confirmed_on": dt.date(2024, 1, 1), "announced_on": dt.date(2024, 1, 10),
         "created_at": now}
        for i in range(SUBJECTS)
    ]  # fmt: skip
    session.execute(insert(EnforcementSubject), subjects)
    officers = []
    for i in range(SUBJECTS * 6):
        expired = i % 17 == 0
        officers.append(
            {"id": base + i, "name": f"执法员{i}", "subject_id": base + i // 6,
             "ric": make_ric(COUNTY, dt.date(1980, 1, 1) + dt.timedelta(days=i), i % 1000),
             "kind": "officer", "cert_no": f"BENCH{i:06d}",
             "cert_valid_from": dt.date(2023, 1, 1),
             "cert_valid_to": dt.date(2025, 6, 30) if expired else dt.date(2029, 12, 31),
             "active": True, "created_at": now}
        )  # fmt: skip
    session.execute(insert(Officer), officers)
    items = [
        {"id": base + i, "code": f"BENCH-{i:04d}", "name": f"基准检查事项{i}", "field": "市场监管",
         "region_code": COUNTY, "basis_level": "法律", "basis_law": "《产品质量法》",
         "basis_article": "第十五条", "methods": "onsite", "status": "published",
         "published_on": dt.date(2025, 6, 1)}
        for i in range(20)
    ]  # fmt: skip
    session.execute(insert(InspectionItem), items)
    enterprises = [
        {"id": base + i, "uscc": make_uscc("91", COUNTY, 500_000 + i), "name": f"基准企业{i}",
         "region_code": COUNTY, "status": "active", "credit_class": "ABCD"[i % 4]}
        for i in range(5000)
    ]  # fmt: skip
    session.execute(insert(Enterprise), enterprises)
    session.execute(insert(SigningKey), [{"kid": "bench", "public_x": "x", "created_at": now}])
    tasks, subs, recs, codes, tofs, titems, evid = [], [], [], [], [], [], []
    for n in range(records):
        tid = base + n
        sid = base + n % SUBJECTS
        day = dt.date(YEAR, 1, 5) + dt.timedelta(days=n * 350 // records)
        start = dt.datetime.combine(day, dt.time(1, 0), dt.UTC)
        bad = rng.random() < 0.15
        tasks.append(
            {"id": tid, "enterprise_id": base + n % 5000, "region_code": COUNTY, "year": YEAR,
             "origin": "plan", "method": "onsite", "window_start": day,
             "window_end": day + dt.timedelta(days=3), "status": "done", "created_at": now}
        )  # fmt: skip
        subs.append({"task_id": tid, "subject_id": sid, "lead": True})
        o = (n % SUBJECTS) * 6 + (n // SUBJECTS) % 5
        for k in (o, o + 1):
            tofs.append({"task_id": tid, "officer_id": base + k, "subject_id": sid})
        if not (bad and rng.random() < 0.3):
            titems.append({"task_id": tid, "item_id": base + n % 20, "subject_id": sid})
        codes.append(
            {"id": tid, "task_id": tid, "number": f"330802-{YEAR}-{n:07d}", "jti": f"j{tid}",
             "kid": "bench", "token": "t", "issued_at": start - dt.timedelta(days=1),
             "valid_from": day, "valid_to": day + dt.timedelta(days=3),
             "late": bad and rng.random() < 0.2, "status": "used"}
        )  # fmt: skip
        recs.append(
            {"id": tid, "task_id": tid, "started_at": start,
             "ended_at": start + dt.timedelta(hours=1), "ids_shown": not bad,
             "location": "生产车间", "present_person": "" if bad else "负责人",
             "findings": "检查产品合格证明。", "outcome": "none", "attested": True,
             "finished_at": start + dt.timedelta(hours=1),
             "published_at": None if bad else start + dt.timedelta(days=2)}
        )  # fmt: skip
        if not bad:
            evid.append(
                {"record_id": tid, "kind": "external", "filename": "现场照片", "sha256": "ab" * 32,
                 "size": 0, "uri": "s3://bench", "created_at": start}
            )  # fmt: skip
    for model, rows in ((InspectionTask, tasks), (TaskSubject, subs), (InspectionRecord, recs),
                        (ActionCode, codes), (TaskOfficer, tofs), (TaskItem, titems),
                        (Evidence, evid)):  # fmt: skip
        for i in range(0, len(rows), 5000):
            session.execute(insert(model), rows[i : i + 5000])
    session.commit()
    return {"records": records, "subjects": SUBJECTS}


def run(db: str, records: int = RECORDS) -> dict[str, Any]:
    """Load the year and time the sample and the checks."""
    url = fresh(db)
    engine = make_engine(url)
    out: dict[str, Any] = {"db": db, "records": records}
    with Session(engine) as session:
        t = time.perf_counter()
        out["load"] = load(session, records)
        out["load_s"] = round(time.perf_counter() - t, 2)
        user = session.scalar(select(User).where(User.username == "kc_sfj"))
        assert user is not None
        actor = auth_service.actor_for(user)
        plan = service.create_plan(
            session,
            actor=actor,
            data=service.PlanInput(
                f"{YEAR}年行政检查案卷评查（基准）", "inspection", dt.date(YEAR, 1, 1),
                dt.date(YEAR, 12, 31), sample_rate=RATE,
            ),
        )  # fmt: skip
        session.commit()

        t = time.perf_counter()
        members = draw.pool(session, plan, [])
        out["pool"] = {"files": len(members), "s": round(time.perf_counter() - t, 3)}
        t = time.perf_counter()
        result = draw.run(plan, members, [])
        out["compute"] = {"drawn": len(result.selection), "s": round(time.perf_counter() - t, 3)}
        session.rollback()

        t = time.perf_counter()
        files = service.draw_plan(session, plan=plan, actor=actor)
        session.commit()
        plan_id = plan.id
        out["draw_plan"] = {"drawn": len(files), "s": round(time.perf_counter() - t, 2)}

        keys = [i.check for i in checklist().of("inspection")]
        ids = [(m.task_id, m.subject_id) for m in members if m.task_id is not None]
        t = time.perf_counter()
        failed = 0
        for i in range(0, len(ids), checks.CHUNK):
            facts = checks.task_facts(session, ids[i : i + checks.CHUNK])
            for f in facts.values():
                failed += any(
                    o.result.value == "fail" for o in checks.run(session, f, keys).values()
                )
            session.expunge_all()
        s = time.perf_counter() - t
        out["checks_all"] = {"records": len(ids), "with_a_failure": failed, "s": round(s, 2),
                             "records_per_s": round(len(ids) / s)}  # fmt: skip

        stored = session.get(ReviewPlan, plan_id)
        assert stored is not None
        plan = stored
        pool = plan.pool_file.encode("utf-8")
        t = time.perf_counter()
        verdict = algorithm.verify(draw.artefacts(plan, queries.plan_files(session, plan)), pool)
        out["verify"] = {"ok": verdict.ok, "s": round(time.perf_counter() - t, 3)}
    engine.dispose()
    return out


if __name__ == "__main__":
    import json

    from wurao.wiring import register_handlers

    register_handlers()
    which = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    size = int(sys.argv[2]) if len(sys.argv) > 2 else RECORDS
    print(json.dumps(run(which, size), ensure_ascii=False, indent=2))
