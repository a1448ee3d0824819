"""行政行为码 on the request path at province scale (10 million enterprises, 2 million inspections).

1. Uses a database that already holds the province (``wurao.demo.province.generate_province``):
   PostgreSQL ``wurao_bench`` or ``bench/data/sampling_10000000.sqlite3``; migrates it to head
   (additive, nothing dropped).
2. Bulk-loads ``inspections`` inspection tasks of the current year, marked
   ``trigger_ref = 'bench-insp'`` (rows of other benchmarks are counted, never touched): two per
   enterprise for every tenth enterprise, each with its ``task_subject`` (a subject of the
   enterprise's county, the second task by the same subject half the time), two
   ``task_officer`` rows of that subject and the matching ``onsite_count`` increments.
   Statuses 85 % done, 5 % coded, 5 % in progress, 3 % cancelled, 2 % draft; methods 80 %
   on-site, 15 % off-site, 5 % written; open tasks have windows around today. PostgreSQL via
   COPY (ids from the table's sequence, counts merged with ``ON CONFLICT DO UPDATE``), SQLite
   via executemany in one transaction with ``PRAGMA synchronous=OFF``; batches of 50 000
   enterprises. Skipped when the marked rows are already there. One audit entry covers it.
3. Creates ``samples`` complaint-origin on-site tasks, each on an enterprise that already has
   bench inspections and for the subject that did one of them (so the cap row and the A6
   merge/joint query find real rows), and times pre-check and issue per task as
   ``bench.inspections`` does, with the SQL statements each sends and this process's CPU time.
4. Serves the database with uvicorn (one worker) and drives verification with wrk.

Run: ``python -m bench.inspections_scale --db both``. For development, a smaller province in a
PostgreSQL database of its own: ``--pg-db wurao_bench_e --enterprises 1000000 --inspections
200000`` (the database generated first with ``generate_province(url, enterprises=1_000_000)``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import time
import zlib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from bench.inspections import DATA_DIR, _free_port, _httpx, _ms, _wrk

PG_SERVER = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/"
PG_DB = "wurao_bench"
PG_URL = PG_SERVER + PG_DB
SQLITE_PATH = DATA_DIR / "sampling_10000000.sqlite3"
MARKER = "bench-insp"
SAMPLE_MARKER = "bench-insp-sample"
BATCH = 50_000  # enterprises per batch (two tasks each)
ITEM_PREFIX = "BENCH-INSP-"
TASK_COLS = (
    "id", "enterprise_id", "region_code", "year", "origin", "trigger_ref", "trigger_reason",
    "method", "window_start", "window_end", "legal_rep_required", "status", "created_at",
)  # fmt: skip


def url_for(db: str, pg_db: str = PG_DB) -> str:
    """The province-scale database of ``db`` (PostgreSQL: the database named ``pg_db``)."""
    return f"sqlite:///{SQLITE_PATH}" if db == "sqlite" else PG_SERVER + pg_db


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            "enterprises": int(conn.scalar(text("SELECT count(*) FROM enterprise")) or 0),
            "tasks_total": int(conn.scalar(text("SELECT count(*) FROM inspection_task")) or 0),
            "tasks_bench_insp": int(
                conn.scalar(
                    text("SELECT count(*) FROM inspection_task WHERE trigger_ref = :m"),
                    {"m": MARKER},
                )
                or 0
            ),
        }


# --- bulk rows ------------------------------------------------------------------------------


def _pick(rnd: random.Random, table: tuple[tuple[float, str], ...]) -> str:
    r = rnd.random()
    for limit, value in table:
        if r < limit:
            return value
    return table[-1][1]


STATUS = ((0.85, "done"), (0.90, "coded"), (0.95, "in_progress"), (0.98, "cancelled"), (1, "draft"))
METHOD = ((0.80, "onsite"), (0.95, "offsite"), (1, "written"))
ORIGIN = ((0.55, "draw"), (0.80, "complaint"), (0.90, "referral"), (1, "monitoring"))
TRIGGERED = {"complaint", "referral", "monitoring"}


def _lookups(engine: Engine) -> tuple[dict[str, list[int]], dict[int, list[int]]]:
    subjects: dict[str, list[int]] = defaultdict(list)
    officers: dict[int, list[int]] = defaultdict(list)
    with engine.connect() as conn:
        for sid, region in conn.execute(
            text("SELECT id, region_code FROM enforcement_subject ORDER BY id")
        ):
            subjects[region[:6]].append(sid)
        for oid, sid in conn.execute(
            text("SELECT id, subject_id FROM officer WHERE kind = 'officer' ORDER BY id")
        ):
            officers[sid].append(oid)
    return subjects, officers


def _enterprise_batches(engine: Engine, wanted: int, after: int) -> Iterator[list[tuple[int, str]]]:
    """(id, county) of every tenth enterprise above ``after``, in batches, streamed."""
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
            text(
                "SELECT id, region_code FROM enterprise WHERE id % 10 = 0 AND id > :a"
                " ORDER BY id LIMIT :n"
            ),
            {"n": wanted, "a": after},
        )
        for part in result.partitions(BATCH):
            yield [(int(i), str(r)) for i, r in part]


def _rows_for(
    batch: list[tuple[int, str]],
    ids: Iterator[int],
    rnd: random.Random,
    subjects: dict[str, list[int]],
    officers: dict[int, list[int]],
    today: dt.date,
) -> tuple[
    list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]
]:
    year = today.year
    jan1 = dt.date(year, 1, 1)
    dec31 = dt.date(year, 12, 31)
    span = (today - jan1).days
    tasks, subj, offi = [], [], []
    counts: dict[tuple[int, int], list[int]] = {}
    for ent, county in batch:
        pool = subjects.get(county) or subjects[next(iter(subjects))]
        first = rnd.choice(pool)
        for n in range(2):
            sid = first if n == 0 or rnd.random() < 0.5 else rnd.choice(pool)
            status = _pick(rnd, STATUS)
            method = _pick(rnd, METHOD)
            origin = _pick(rnd, ORIGIN)
            if status in ("draft", "coded", "in_progress"):
                start = max(jan1, today - dt.timedelta(days=rnd.randint(0, 20)))
                end = min(dec31, today + dt.timedelta(days=rnd.randint(0, 20)))
            else:
                start = jan1 + dt.timedelta(days=rnd.randint(0, max(0, span - 15)))
                end = min(today, start + dt.timedelta(days=rnd.randint(0, 14)))
            created = dt.datetime.combine(start, dt.time(1), dt.UTC) - dt.timedelta(days=1)
            tid = next(ids)
            tasks.append(
                (tid, ent, county, year, origin, MARKER, "基准测试数据", method, start, end,
                 False, status, created)
            )  # fmt: skip
            subj.append((tid, sid, True, ""))
            pool_o = officers.get(sid, [])
            for oid in rnd.sample(pool_o, min(2, len(pool_o))):
                offi.append((tid, oid, sid))
            if method == "onsite" and status in ("done", "coded", "in_progress"):
                c = counts.setdefault((ent, sid), [0, 0])
                c[1 if origin in TRIGGERED else 0] += 1
    onsite = [(e, s, year, c[0], c[1]) for (e, s), c in counts.items()]
    return tasks, subj, offi, onsite


def _load_pg(url: str, inspections: int, today: dt.date, seed: int, after: int) -> dict[str, Any]:
    import psycopg

    from wurao.core.db import make_engine

    engine = make_engine(url)
    subjects, officers = _lookups(engine)
    rnd = random.Random(seed)
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    done = 0
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute(
            "CREATE TEMP TABLE bench_onsite (enterprise_id bigint, subject_id int, year int,"
            " counted int, exempt int)"
        )
        for batch in _enterprise_batches(engine, inspections // 2, after):
            id_list = [
                r[0]
                for r in conn.execute(
                    "SELECT nextval('inspection_task_id_seq') FROM generate_series(1, %s)",
                    (2 * len(batch),),
                )
            ]
            tasks, subj, offi, onsite = _rows_for(
                batch, iter(id_list), rnd, subjects, officers, today
            )
            with conn.cursor() as cur:
                with cur.copy(f"COPY inspection_task ({', '.join(TASK_COLS)}) FROM STDIN") as cp:
                    for row in tasks:
                        cp.write_row(row)
                with cur.copy(
                    "COPY task_subject (task_id, subject_id, lead, remote_approval_ref) FROM STDIN"
                ) as cp:
                    for row in subj:
                        cp.write_row(row)
                with cur.copy(
                    "COPY task_officer (task_id, officer_id, subject_id) FROM STDIN"
                ) as cp:
                    for row in offi:
                        cp.write_row(row)
                with cur.copy("COPY bench_onsite FROM STDIN") as cp:
                    for row in onsite:
                        cp.write_row(row)
                cur.execute(
                    "INSERT INTO onsite_count (enterprise_id, subject_id, year, counted, exempt)"
                    " SELECT enterprise_id, subject_id, year, counted, exempt FROM bench_onsite"
                    " ON CONFLICT (enterprise_id, subject_id, year) DO UPDATE SET"
                    " counted = onsite_count.counted + excluded.counted,"
                    " exempt = onsite_count.exempt + excluded.exempt"
                )
                cur.execute("TRUNCATE bench_onsite")
            conn.commit()
            done += len(tasks)
            print(f"  pg: {done} tasks, {time.perf_counter() - started:.0f} s", file=sys.stderr)
        conn.execute("ANALYZE inspection_task")
        conn.execute("ANALYZE task_subject")
        conn.execute("ANALYZE task_officer")
        conn.execute("ANALYZE onsite_count")
        conn.commit()
    engine.dispose()
    return {"tasks_loaded": done, "load_seconds": round(time.perf_counter() - started, 1)}


def _load_sqlite(
    url: str, inspections: int, today: dt.date, seed: int, after: int
) -> dict[str, Any]:
    from sqlalchemy import create_engine

    engine = create_engine(url, connect_args={"timeout": 60})
    subjects, officers = _lookups(engine)
    rnd = random.Random(seed)
    started = time.perf_counter()
    done = 0
    raw = engine.raw_connection()
    try:
        db = raw.driver_connection
        assert db is not None
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-1000000")  # 1 GB page cache for the index inserts
        next_id = int(db.execute("SELECT coalesce(max(id), 0) FROM inspection_task").fetchone()[0])
        ids = iter(range(next_id + 1, 1 << 62))
        db.execute("BEGIN IMMEDIATE")
        for batch in _enterprise_batches(engine, inspections // 2, after):
            tasks, subj, offi, onsite = _rows_for(batch, ids, rnd, subjects, officers, today)
            db.executemany(
                f"INSERT INTO inspection_task ({', '.join(TASK_COLS)}) VALUES "  # noqa: S608 (constant column list)
                f"({', '.join('?' * len(TASK_COLS))})",
                [
                    (*r[:8], r[8].isoformat(), r[9].isoformat(), int(r[10]), r[11],
                     r[12].replace(tzinfo=None).isoformat(sep=" "))
                    for r in tasks
                ],
            )  # fmt: skip
            db.executemany(
                "INSERT INTO task_subject (task_id, subject_id, lead, remote_approval_ref)"
                " VALUES (?, ?, ?, ?)",
                [(a, b, int(c), d) for a, b, c, d in subj],
            )
            db.executemany(
                "INSERT INTO task_officer (task_id, officer_id, subject_id) VALUES (?, ?, ?)", offi
            )
            db.executemany(
                "INSERT INTO onsite_count (enterprise_id, subject_id, year, counted, exempt)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (enterprise_id, subject_id, year) DO UPDATE"
                " SET counted = counted + excluded.counted, exempt = exempt + excluded.exempt",
                onsite,
            )
            done += len(tasks)
            print(f"  sqlite: {done} tasks, {time.perf_counter() - started:.0f} s", file=sys.stderr)
        db.execute("COMMIT")
        db.execute("ANALYZE")
    finally:
        raw.close()
    engine.dispose()
    return {"tasks_loaded": done, "load_seconds": round(time.perf_counter() - started, 1)}


def _audit_load(url: str, summary: str) -> None:
    from wurao.core import audit
    from wurao.core.db import make_engine, session_scope
    from wurao.demo.common import PROVINCE

    engine = make_engine(url)
    with session_scope(engine) as s:
        audit.record(
            s, actor=audit.SystemActor(display_name="基准测试数据载入"),
            action="inspection_task.bench_load", object_type="inspection_task", object_id="*",
            region_code=PROVINCE, summary=summary,
        )  # fmt: skip
    engine.dispose()


def _ensure_items(url: str, today: dt.date) -> None:
    """One published bench item per field (the province registry ships none)."""
    from wurao.core import audit
    from wurao.core.db import make_engine, session_scope
    from wurao.demo.common import PROVINCE
    from wurao.registry.models import EnforcementSubject, InspectionItem

    engine = make_engine(url)
    with session_scope(engine) as s:
        have = set(
            s.scalars(
                select(InspectionItem.field).where(InspectionItem.code.like(ITEM_PREFIX + "%"))
            )
        )
        fields = sorted(set(s.scalars(select(EnforcementSubject.field).distinct())) - have)
        items = [
            InspectionItem(
                code=f"{ITEM_PREFIX}{zlib.crc32(f.encode()):010d}", name=f"{f}基准检查事项",
                field=f, region_code=PROVINCE, basis_level="法律", basis_law="基准测试依据",
                methods="onsite", status="published", published_on=today - dt.timedelta(days=30),
            )
            for f in fields
        ]  # fmt: skip
        if items:
            s.add_all(items)
            audit.record(
                s, actor=audit.SystemActor(display_name="基准测试数据载入"),
                action="item.bench_load", object_type="inspection_item", object_id="*",
                region_code=PROVINCE, covers=items,
                summary=f"基准测试检查事项 {len(items)} 项（每个执法领域一项）",
            )  # fmt: skip
    engine.dispose()


# --- pre-check + issue ----------------------------------------------------------------------


WARMUP = 10  # pairs run first and reported apart ("cold"): see _samples


def _samples(url: str, samples: int, today: dt.date) -> tuple[dict[str, Any], list[str]]:
    """Create ``samples`` + ``WARMUP`` tasks and time pre-check and issue of each. The first
    ``WARMUP`` pairs are reported apart: a fresh process compiles each statement once and
    psycopg prepares a statement on the server at its fifth use, so the first five pairs took
    2-7 times the rest (their times are the "cold" figures). Before timing, what the process
    holds is frozen out of the collector's reach, as each server worker does after start-up
    (``wurao.web.main``): a full collection over the loaded objects stalled one pair 76 ms."""
    import gc

    from sqlalchemy import event

    from wurao.auth.permissions import Role
    from wurao.auth.scope import Actor
    from wurao.core.db import make_engine, session_scope
    from wurao.inspections import creation, issuing, service
    from wurao.inspections.models import InspectionTask, TaskSubject
    from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem
    from wurao.registry.officers.service import who_may_inspect

    engine = make_engine(url)
    wanted = samples + WARMUP
    picked: list[tuple[str, EnforcementSubject, list[int], str, int]] = []
    with Session(engine) as s:
        item_of = {
            i.field: i.code
            for i in s.scalars(
                select(InspectionItem).where(InspectionItem.code.like(ITEM_PREFIX + "%"))
            )
        }
        qualified: dict[int, list[int]] = {}
        max_id = int(
            s.scalar(
                select(func.max(InspectionTask.enterprise_id)).where(
                    InspectionTask.trigger_ref == MARKER
                )
            )
            or 0
        )
        step = max(10, (max_id // (wanted * 3)) // 10 * 10)
        sampled = set(  # earlier runs' samples: their tasks would make A6 warn on every one
            s.scalars(
                select(InspectionTask.enterprise_id).where(
                    InspectionTask.trigger_ref == SAMPLE_MARKER
                )
            )
        )
        spread = (e for shift in range(step) for e in range(step + shift, max_id + 1, step))
        for ent_id in spread:
            if len(picked) >= wanted:
                break
            if ent_id in sampled:
                continue
            row = s.execute(
                select(Enterprise.uscc, Enterprise.status, TaskSubject.subject_id)
                .join(InspectionTask, InspectionTask.enterprise_id == Enterprise.id)
                .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
                .where(Enterprise.id == ent_id, InspectionTask.trigger_ref == MARKER)
                .order_by(InspectionTask.id)
                .limit(1)
            ).first()
            if row is None or row.status != "active":
                continue
            subject = s.get(EnforcementSubject, row.subject_id)
            assert subject is not None
            if subject.confirmed_on is None or subject.announced_on is None:
                continue
            if subject.id not in qualified:
                ok = who_may_inspect(s, subject_id=subject.id, on=today)
                qualified[subject.id] = [o.id for o in ok][:2]
            if len(qualified[subject.id]) < 2 or subject.field not in item_of:
                continue
            s.expunge(subject)
            picked.append(
                (row.uscc, subject, qualified[subject.id], item_of[subject.field], ent_id)
            )
    assert len(picked) == wanted, f"only {len(picked)} usable enterprises found"
    created, pre, iss = [], [], []
    task_ids: list[tuple[int, Actor]] = []
    for uscc, subject, officer_ids, item, _ent in picked:
        actor = Actor(
            user_id=None, username="bench", display_name="基准测试", role=Role.AGENCY_ADMIN,
            region_code=subject.region_code, subject_id=subject.id,
        )  # fmt: skip
        data = creation.TaskData(
            enterprise_uscc=uscc, subject_ids=[subject.id], item_codes=[item],
            officer_ids=officer_ids, method="onsite", origin="complaint", window_start=today,
            window_end=today, trigger_ref=SAMPLE_MARKER, trigger_reason="基准测试",
        )  # fmt: skip
        t0 = time.perf_counter()
        with session_scope(engine) as s:
            task_ids.append((creation.create_task(s, data=data, actor=actor).id, actor))
        created.append(time.perf_counter() - t0)
    tokens: list[str] = []
    warned = 0
    ran = [0]
    event.listen(engine, "before_cursor_execute", lambda *_a: ran.__setitem__(0, ran[0] + 1))
    n_pre = n_iss = 0
    cpu_pre, cpu_iss = [], []  # this process's CPU time: less sensitive to the shared cores
    gc.collect()
    gc.freeze()
    for task_id, actor in task_ids:
        p0 = time.process_time()
        t0, c0 = time.perf_counter(), ran[0]
        with session_scope(engine, write=False) as s:
            task = service.get_task(s, actor=actor, task_id=task_id)
            result = issuing.precheck(s, actor=actor, task=task)
            assert result.ok, result.blocking
            warned += bool(result.warnings)
        t1, c1, p1 = time.perf_counter(), ran[0], time.process_time()
        with session_scope(engine) as s:  # as the routes: the task read locked
            task = service.get_task(s, actor=actor, task_id=task_id, lock=True)
            issued = issuing.issue_code(s, actor=actor, task=task, locked=True)
            tokens.append(issued.code.token)
        t2 = time.perf_counter()
        cpu_pre.append(p1 - p0)
        cpu_iss.append(time.process_time() - p1)
        pre.append(t1 - t0)
        iss.append(t2 - t1)
        n_pre, n_iss = n_pre + c1 - c0, n_iss + ran[0] - c1
    engine.dispose()
    gc.unfreeze()
    both = [a + b for a, b in zip(pre, iss, strict=True)]
    cold, both = both[:WARMUP], both[WARMUP:]
    pre, iss, cpu_pre, cpu_iss = (v[WARMUP:] for v in (pre, iss, cpu_pre, cpu_iss))
    return {
        "warmup_pairs": WARMUP,
        "cold_precheck_plus_issue_ms": [round(v * 1000, 1) for v in cold],
        "create": _ms(created),
        "precheck": _ms(pre),
        "issue": _ms(iss),
        "precheck_plus_issue": _ms(both),
        "precheck_client_cpu": _ms(cpu_pre),
        "issue_client_cpu": _ms(cpu_iss),
        "tasks_with_warnings": warned,
        # SQL statements sent (the task read by id included; BEGIN/COMMIT are not statements)
        "statements_per_precheck": round(n_pre / len(task_ids), 2),
        "statements_per_issue": round(n_iss / len(task_ids), 2),
        "sample_enterprise_ids": [p[4] for p in picked[:5]] + ["…"],
        "sample_task_id": task_ids[-1][0],
    }, tokens


def _explain(url: str, task_id: int) -> dict[str, str]:
    """Plans of the two pre-check reads of the big tables (A6/F9 other tasks, A5 count)."""
    from wurao.inspections.models import InspectionTask

    engine = __import__("wurao.core.db", fromlist=["make_engine"]).make_engine(url)
    out = {}
    with Session(engine) as s:
        task = s.get(InspectionTask, task_id)
        assert task is not None
        params = {
            "e": task.enterprise_id,
            "t": task.id,
            "ws": task.window_start,
            "we": task.window_end,
            "y": task.year,
        }
        a6 = (  # precheck.others_of: A6's open overlapping tasks or F9's triggered ones
            "SELECT inspection_task.id, task_subject.subject_id, inspection_task.status,"
            " inspection_task.method, inspection_task.origin, inspection_task.year,"
            " inspection_task.window_start, inspection_task.window_end FROM inspection_task"
            " LEFT OUTER JOIN task_subject ON task_subject.task_id = inspection_task.id WHERE"
            " inspection_task.enterprise_id = CAST(:e AS BIGINT) AND"
            " inspection_task.id != CAST(:t AS BIGINT) AND"
            " ((inspection_task.status IN ('draft', 'coded', 'in_progress') AND"
            " inspection_task.window_start <= :we AND inspection_task.window_end >= :ws) OR"
            " (inspection_task.year = CAST(:y AS INTEGER) AND inspection_task.origin IN"
            " ('complaint', 'monitoring', 'referral') AND inspection_task.method = 'onsite' AND"
            " inspection_task.status IN ('coded', 'in_progress', 'done')))"
        )
        a5 = (
            "SELECT * FROM onsite_count WHERE enterprise_id = CAST(:e AS BIGINT)"
            " AND year = CAST(:y AS INTEGER)"
        )
        sqlite = s.get_bind().dialect.name == "sqlite"
        prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (ANALYZE, BUFFERS) "
        for name, sql in (("A6_F9_other_tasks", a6), ("A5_onsite_count", a5)):
            rows = s.execute(text(prefix + sql), params).all()
            out[name] = "\n".join(
                " ".join(str(c) for c in r[-1:]) if sqlite else str(r[0]) for r in rows
            )
    engine.dispose()
    return out


def profile_precheck(db: str, *, tasks: int = 200, pg_db: str = PG_DB) -> dict[str, Any]:
    """Time every SQL statement of a read-only pre-check on the latest sample tasks of ``db``.

    Returns, per statement shape, how often it ran and its median / p99 / max milliseconds,
    slowest first, plus the whole pre-check's median / p99 and statements per pre-check
    (the task read by id included).
    """
    from sqlalchemy import event

    from wurao.auth.permissions import Role
    from wurao.auth.scope import Actor
    from wurao.core.db import make_engine, session_scope
    from wurao.inspections import issuing, service
    from wurao.inspections.models import InspectionTask, TaskSubject
    from wurao.registry.models import EnforcementSubject

    engine = make_engine(url_for(db, pg_db))
    times: dict[str, list[float]] = defaultdict(list)

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info.setdefault("t0", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _stop(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        times[" ".join(statement.split())[:160]].append(time.perf_counter() - conn.info["t0"].pop())

    with Session(engine) as s:
        rows = s.execute(
            select(InspectionTask.id, EnforcementSubject.id, EnforcementSubject.region_code)
            .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
            .join(EnforcementSubject, EnforcementSubject.id == TaskSubject.subject_id)
            .where(InspectionTask.trigger_ref == SAMPLE_MARKER)
            .order_by(InspectionTask.id.desc())
            .limit(tasks)
        ).all()
    times.clear()
    whole = []
    for task_id, subject_id, region in rows:
        actor = Actor(
            user_id=None, username="bench", display_name="基准测试", role=Role.AGENCY_ADMIN,
            region_code=region, subject_id=subject_id,
        )  # fmt: skip
        t0 = time.perf_counter()
        with session_scope(engine, write=False) as s:
            task = service.get_task(s, actor=actor, task_id=task_id)
            issuing.precheck(s, actor=actor, task=task)
        whole.append(time.perf_counter() - t0)
    engine.dispose()
    stats: list[dict[str, Any]] = [
        {"statement": k, **_ms(v), "max_ms": round(max(v) * 1000, 2)} for k, v in times.items()
    ]
    stats.sort(key=lambda r: -float(r["p99_ms"]))
    per = sum(len(v) for v in times.values()) / max(1, len(whole))
    return {
        "db": db,
        "precheck": _ms(whole),
        "statements_per_precheck": round(per, 2),
        "statements": stats,
    }


# --- HTTP -----------------------------------------------------------------------------------


def _http(url: str, tokens: list[str], var: Path, seconds: int, connections: int) -> dict[str, Any]:
    import httpx

    port = _free_port()
    # rate limits off (as bench.verify): every request comes from one address, and the limits
    # answered most of them with 429 (a refusal measured as if it were a verification)
    env = {**os.environ, "WURAO_DATABASE_URL": url, "WURAO_VAR_DIR": str(var),
           "WURAO_RATE_LIMITS": "false"}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "wurao.web.main:app", "--port", str(port),
         "--log-level", "warning", "--no-access-log"],
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        load = _wrk if shutil.which("wrk") else _httpx
        return {
            "verify_api": load(
                base, "/api/v1/codes/verify", tokens, post=True, seconds=seconds,
                connections=connections,
            ),
            "scan_page": load(
                base, "/v/", tokens, post=False, seconds=seconds, connections=connections
            ),
        }  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)


# --- entry point ----------------------------------------------------------------------------


def run_scale(
    db: str,
    *,
    enterprises: int = 10_000_000,
    inspections: int = 2_000_000,
    samples: int = 200,
    seconds: int = 10,
    connections: int = 16,
    seed: int = 2026,
    pg_db: str = PG_DB,
) -> dict[str, Any]:
    """Load ``inspections`` tasks into the province database of ``db`` and measure
    (PostgreSQL: the database ``pg_db``, ``wurao_bench`` unless told)."""
    from wurao.core import migrate
    from wurao.core.config import get_settings
    from wurao.core.db import make_engine
    from wurao.core.time import local_today
    from wurao.wiring import register_handlers

    register_handlers()  # creating a task and issuing its code emit events (oversight reacts)
    var = DATA_DIR / f"var-scale-{db}"
    var.mkdir(parents=True, exist_ok=True)  # kept: it holds the signing key of the codes
    os.environ["WURAO_VAR_DIR"] = str(var)
    get_settings.cache_clear()
    url = url_for(db, pg_db)
    if db == "sqlite" and not SQLITE_PATH.exists():
        raise SystemExit(
            f"{SQLITE_PATH} is missing: generate it first with "
            f"generate_province('{url}', enterprises={enterprises})"
        )
    migrate.upgrade(url)
    today = local_today()
    engine = make_engine(url)
    before = _counts(engine)
    engine.dispose()
    if before["enterprises"] < enterprises:
        raise SystemExit(f"{db}: only {before['enterprises']} enterprises, {enterprises} wanted")
    load: dict[str, Any] = {"tasks_loaded": 0, "load_seconds": 0.0, "skipped": True}
    if before["tasks_bench_insp"] < inspections:
        wanted = inspections - before["tasks_bench_insp"]
        engine = make_engine(url)
        with engine.connect() as conn:  # a partial earlier load is topped up, never repeated
            after = int(
                conn.scalar(
                    text("SELECT coalesce(max(enterprise_id), 0) FROM inspection_task"
                         " WHERE trigger_ref = :m"), {"m": MARKER},
                ) or 0
            )  # fmt: skip
        engine.dispose()
        loader = _load_pg if db == "postgresql" else _load_sqlite
        load = loader(url, wanted, today, seed + after, after)
        _audit_load(
            url,
            f"基准测试：批量载入{today.year}年检查任务 {load['tasks_loaded']} 个"
            f"（trigger_ref={MARKER}，种子 {seed}）",
        )
    _ensure_items(url, today)
    engine = make_engine(url)
    rows_now = _counts(engine)
    engine.dispose()
    latency, tokens = _samples(url, samples, today)
    explain = _explain(url, int(latency.pop("sample_task_id")))
    http = _http(url, tokens, var, seconds, connections)
    return {
        "benchmark": "inspections_scale",
        "db": db,
        "rows_before": before,
        "rows_after": rows_now,
        "load": load,
        "samples": samples,
        "issue": latency,
        "explain": explain,
        "http": http,
        "server": "uvicorn, 1 worker",
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m bench.inspections_scale``."""
    parser = argparse.ArgumentParser(prog="python -m bench.inspections_scale", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--enterprises",
        type=int,
        default=10_000_000,
        help="enterprises the database must already hold (a smaller province for development)",
    )
    parser.add_argument(
        "--pg-db", default=PG_DB, help=f"PostgreSQL database of the province (default {PG_DB})"
    )
    parser.add_argument("--inspections", type=int, default=2_000_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--profile-precheck",
        action="store_true",
        help="only time each SQL statement of a pre-check on the sample tasks already issued",
    )
    args = parser.parse_args(argv)
    dbs = ("postgresql", "sqlite") if args.db == "both" else (args.db,)
    if args.profile_precheck:
        for db in dbs:
            print(
                json.dumps(
                    profile_precheck(db, tasks=args.samples, pg_db=args.pg_db),
                    ensure_ascii=False,
                    indent=2,
                )
            )
        return 0
    results = DATA_DIR.parent / "results"
    results.mkdir(parents=True, exist_ok=True)
    for db in dbs:
        print(f"inspections at scale: {db}", file=sys.stderr, flush=True)
        out = run_scale(
            db, enterprises=args.enterprises, inspections=args.inspections,
            samples=args.samples, seconds=args.seconds, connections=args.connections,
            pg_db=args.pg_db,
        )  # fmt: skip
        out["command"] = "python -m bench.inspections_scale " + " ".join(argv or sys.argv[1:])
        out["at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        (results / f"inspections-scale-{db}-{stamp}.json").write_text(
            json.dumps(out, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
        print(json.dumps(out, ensure_ascii=False, indent=2, default=str), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
