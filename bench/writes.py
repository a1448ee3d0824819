"""Short write tails (#18): 16 clients writing at once, on SQLite and PostgreSQL.

1. Builds the demo city (衢州市, ``enterprises`` enterprises; ``bench.inspections`` setup),
   then ``tasks`` coded on-site tasks of 柯城区市场监督管理局 assigned to the officer persona
   张明 (kc_scjg_zhang), each record started, and an API token for him.
2. Starts ``wurao serve --workers N`` on the database (rate limits off: every request comes
   from one address here) and drives two write endpoints with ``connections`` clients at once
   (a Python asyncio + httpx loop, one request in flight per client):
   - the public report, ``POST /api/v1/reports/codeless`` (anonymous; it becomes a clue and
     the supervision rule on code-less reports runs after it);
   - an officer saving his record, ``PUT /api/v1/tasks/{id}/record`` (bearer token), cycling
     through the started records.
   Reports requests per second, p50 / p99 / max and the non-2xx answers.
3. Where the time goes: the same requests one at a time in process (``TestClient``), timing
   for each how long its transaction held the database's write lock (first write statement or
   ``BEGIN IMMEDIATE`` to the end of ``COMMIT``) against the whole request, the statements it
   ran meanwhile, the commits' tail (a commit that copies the write-ahead log into the
   database holds up every writer behind it), and the functions under the endpoint taking
   most of it (cProfile). Writers queue on that lock, so at 16 clients a request's p99 is
   roughly 16 × the hold. ``--rounds 0`` runs only this step (e.g. with another version's
   ``src`` first on ``PYTHONPATH``).

Run: ``python -m bench --only writes --db both`` or ``python -m bench.writes --db sqlite``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import json
import os
import pstats
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.orm import Session

from bench.inspections import KC_SCJG, PG_BASE, _free_port, _setup, fresh_database
from bench.verify import _start

DATA_DIR = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parent.parent
PG_DB = "wurao_bench_writes"
OFFICER = "kc_scjg_zhang"
GOAL_P99_MS = 250.0
REPORT_PATH = "/api/v1/reports/codeless"

Request = tuple[str, str, dict[str, Any]]  # method, path, JSON body


def _prepare(url: str, tasks: int) -> tuple[str, list[int], list[str]]:
    """Tasks with started records for the officer persona, his API token, and the
    enterprises a reporter names."""
    from wurao.auth import service as auth_service
    from wurao.auth.models import User
    from wurao.core.db import make_engine, session_scope
    from wurao.core.time import local_today
    from wurao.inspections import creation, issuing, records, service
    from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem, Officer
    from wurao.registry.officers.service import who_may_inspect

    engine = make_engine(url)
    today = local_today()
    with Session(engine) as s:
        admin = s.scalar(select(User).where(User.username == "kc_scjg_admin"))
        officer_user = s.scalar(select(User).where(User.username == OFFICER))
        assert admin is not None and officer_user is not None
        manager = auth_service.actor_for(admin)
        officer = auth_service.actor_for(officer_user)
        subject = s.scalar(select(EnforcementSubject).where(EnforcementSubject.uscc == KC_SCJG))
        assert subject is not None
        own = s.scalar(select(Officer.id).where(Officer.user_id == officer_user.id))
        qualified = who_may_inspect(s, subject_id=subject.id, on=today)
        other = next(o.id for o in qualified if o.id != own)
        item = s.scalar(
            select(InspectionItem.code)
            .where(
                InspectionItem.field == subject.field,
                InspectionItem.status == "published",
                InspectionItem.region_code.in_(["330800", "330802"]),
            )
            .limit(1)
        )
        usccs = list(
            s.scalars(
                select(Enterprise.uscc)
                .where(Enterprise.region_code.like("330802%"), Enterprise.status == "active")
                .order_by(Enterprise.id)
                .limit(max(tasks, 50))
            )
        )
    assert own is not None and item, "the demo city lacks the officer persona or an item"
    task_ids: list[int] = []
    with session_scope(engine) as s:
        for uscc in usccs[:tasks]:
            data = creation.TaskData(
                enterprise_uscc=uscc,
                subject_ids=[subject.id],
                item_codes=[item],
                officer_ids=[own, other],
                method="onsite",
                origin="complaint",
                window_start=today,
                window_end=today,
                trigger_ref="BENCH",
                trigger_reason="基准测试",
            )
            task_ids.append(creation.create_task(s, data=data, actor=manager).id)
    for task_id in task_ids:
        with session_scope(engine) as s:
            task = service.get_task(s, actor=manager, task_id=task_id)
            issuing.issue_code(s, actor=manager, task=task)
        with session_scope(engine) as s:
            task = records.get_task(s, actor=officer, task_id=task_id)
            records.start_record(s, task=task, actor=officer)
    with session_scope(engine) as s:
        _, raw = auth_service.create_api_token(s, actor=officer, name="写入基准测试")
    engine.dispose()
    return raw, task_ids, usccs


def _requests(task_ids: list[int], usccs: list[str]) -> dict[str, Callable[[int], Request]]:
    """For each endpoint, the i-th request a client sends."""

    def report(i: int) -> Request:
        body = {
            "enterprise_uscc": usccs[i % len(usccs)],
            "agency": "柯城区市场监督管理局",
            "people": 2,
            "description": f"基准测试：检查人员未出示行政行为码（第 {i} 次）。",
            "contact": "13800000000",
        }
        return "POST", REPORT_PATH, body

    def record(i: int) -> Request:
        task_id = task_ids[i % len(task_ids)]
        body = {"findings": f"现场检查第 {i} 次保存：设备台账齐全。", "location": "生产车间"}
        return "PUT", f"/api/v1/tasks/{task_id}/record", body

    return {"public_report": report, "record_save": record}


def _warm(base: str, make: Callable[[int], Request], headers: dict[str, str]) -> None:
    """A few requests before measuring, on every worker's first imports and connections."""
    with httpx.Client(base_url=base, timeout=120) as http:
        for i in range(40):
            method, path, body = make(900_000 + i)
            http.request(method, path, json=body, headers=headers)


def _pct(ordered: list[float], q: float) -> float:
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 1)


def _load(
    base: str,
    make: Callable[[int], Request],
    headers: dict[str, str],
    *,
    seconds: int,
    connections: int,
) -> dict[str, Any]:
    """``connections`` clients, each sending its next request when the last one answered."""
    lat: list[float] = []
    statuses: dict[int, int] = {}

    async def client(http: httpx.AsyncClient, offset: int, stop: float) -> None:
        i = offset
        while time.perf_counter() < stop:
            method, path, body = make(i)
            i += connections
            t0 = time.perf_counter()
            r = await http.request(method, path, json=body, headers=headers)
            lat.append(time.perf_counter() - t0)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

    async def main() -> float:
        limits = httpx.Limits(max_connections=connections)
        async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
            start = time.perf_counter()
            await asyncio.gather(*(client(http, n, start + seconds) for n in range(connections)))
            return time.perf_counter() - start

    elapsed = asyncio.run(main())
    ordered = sorted(lat)
    return {
        "requests": len(ordered),
        "requests_per_second": round(len(ordered) / elapsed, 1),
        "p50_ms": _pct(ordered, 0.50),
        "p99_ms": _pct(ordered, 0.99),
        "max_ms": round(ordered[-1] * 1000, 1),
        "non_2xx": sum(n for code, n in statuses.items() if not 200 <= code < 300),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "connections": connections,
        "seconds": seconds,
    }


@contextmanager
def _lock_hold(engine: Engine) -> Iterator[tuple[list[float], list[float], list[int]]]:
    """Time each transaction's hold on what writers queue for — SQLite's write lock from
    ``BEGIN IMMEDIATE``, PostgreSQL's audit head from the first statement naming it — to the
    end of its commit; the commits themselves; and the statements run while holding it."""
    holds: list[float] = []
    commits: list[float] = []
    statements: list[int] = []
    started: dict[int, float] = {}
    counted: dict[int, int] = {}
    dialect = engine.dialect
    do_commit, do_rollback = dialect.do_commit, dialect.do_rollback

    def before(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        key = id(conn.connection)  # the pooled connection, as do_commit receives it
        if key not in started and ("BEGIN IMMEDIATE" in statement or "audit_head" in statement):
            started[key] = time.perf_counter()
        if key in started:
            counted[key] = counted.get(key, 0) + 1

    def commit(dbapi_conn: Any) -> None:
        t0 = time.perf_counter()
        do_commit(dbapi_conn)
        end = time.perf_counter()
        commits.append(end - t0)
        first = started.pop(id(dbapi_conn), None)
        if first is not None:
            holds.append(end - first)
            statements.append(counted.pop(id(dbapi_conn), 0))

    def rollback(dbapi_conn: Any) -> None:
        started.pop(id(dbapi_conn), None)
        counted.pop(id(dbapi_conn), None)
        do_rollback(dbapi_conn)

    event.listen(engine, "before_cursor_execute", before)
    dialect.do_commit = commit  # type: ignore[method-assign,assignment]
    dialect.do_rollback = rollback  # type: ignore[method-assign,assignment]
    try:
        yield holds, commits, statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
        dialect.do_commit, dialect.do_rollback = do_commit, do_rollback  # type: ignore[method-assign]


def _service_work() -> dict[str, Callable[[Session, int], None]]:
    """What each endpoint does inside its transaction, called directly (for the profile)."""
    from wurao.auth import service as auth_service
    from wurao.auth.models import User
    from wurao.inspections import records
    from wurao.oversight import service as oversight

    def report(session: Session, i: int) -> None:
        body = _requests([0], _USCCS)["public_report"](i)[2]
        oversight.report_codeless(
            session,
            report=oversight.CodelessReport(
                enterprise_name="",
                enterprise_uscc=body["enterprise_uscc"],
                occurred_on=None,
                agency=body["agency"],
                people=body["people"],
                description=body["description"],
                contact=body["contact"],
            ),
        )

    def record(session: Session, i: int) -> None:
        user = session.scalar(select(User).where(User.username == OFFICER))
        assert user is not None
        actor = auth_service.actor_for(user)
        task_id = _TASKS[i % len(_TASKS)]
        task = records.get_task(session, actor=actor, task_id=task_id)
        data = records.RecordFields(findings=f"现场检查第 {i} 次保存。", location="生产车间")
        records.update_record(session, task=task, actor=actor, data=data)
        records.record_view(session, actor=actor, task_id=task_id)

    return {"public_report": report, "record_save": record}


_USCCS: list[str] = []
_TASKS: list[int] = []


def _where_time_goes(
    url: str,
    make: Callable[[int], Request],
    headers: dict[str, str],
    work: Callable[[Session, int], None],
    n: int = 300,
) -> dict[str, Any]:
    """The requests one at a time in process: request time, how long each held what writers
    queue for, its commit; then the endpoint's work called directly under cProfile."""
    from fastapi.testclient import TestClient

    from wurao.core.db import make_engine, session_scope
    from wurao.web.app import create_app

    engine = make_engine(url)
    client = TestClient(create_app(engine))
    for i in range(10):  # warm caches and the pool
        method, path, body = make(10_000 + i)
        client.request(method, path, json=body, headers=headers)
    took: list[float] = []
    with _lock_hold(engine) as (holds, commits, statements):
        for i in range(n):
            method, path, body = make(20_000 + i)
            t0 = time.perf_counter()
            r = client.request(method, path, json=body, headers=headers)
            took.append(time.perf_counter() - t0)
            assert r.status_code < 300, (path, r.status_code, r.text[:300])
    profile = cProfile.Profile()
    t0 = time.perf_counter()
    for i in range(n):
        with session_scope(engine) as session:
            profile.enable()
            work(session, 30_000 + i)
            profile.disable()
    total = time.perf_counter() - t0
    engine.dispose()
    top = []
    entries = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    for (file, _line, name), (_cc, _nc, _tt, cum, _callers) in entries.items():
        if "/wurao/" in file and cum / total >= 0.05 and not name.startswith("<"):
            where = file.split("/wurao/", 1)[1]
            top.append({"function": f"{where}:{name}", "share": round(cum / total, 2)})
    top.sort(key=lambda t: -float(t["share"]))
    return {
        "requests": n,
        "request_ms_median": round(statistics.median(took) * 1000, 2),
        "lock_hold_ms_median": round(statistics.median(holds) * 1000, 2) if holds else None,
        "lock_hold_ms_p99": _pct(sorted(holds), 0.99) if holds else None,
        "commit_ms_median": round(statistics.median(commits) * 1000, 2) if commits else None,
        # a commit that copies the write-ahead log into the database holds up the writers
        "commit_ms_p99": _pct(sorted(commits), 0.99) if commits else None,
        "commits_over_5_ms": sum(c > 0.005 for c in commits),
        "statements_in_hold_median": statistics.median(statements) if statements else None,
        "service_ms_per_call": round(total / n * 1000, 2),
        "top_functions_share_of_service_time": top[:12],
    }


def _clone(url: str, name: str) -> str:
    """A copy of the prepared database, so that each server measured starts from the same
    data (the report's cost grows with the open clues before #18's fix)."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        copy = path.with_name(f"{path.stem}-{name}.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
            source.backup(target)  # with what is still in the WAL
        return f"sqlite:///{copy}"
    admin = create_engine(
        PG_BASE.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(  # the setup's pooled connections would stop the copy
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": PG_DB},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DB}_{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{PG_DB}_{name}" TEMPLATE "{PG_DB}"'))
    admin.dispose()
    return f"{PG_BASE}/{PG_DB}_{name}"


def run(
    db: str = "sqlite",
    *,
    enterprises: int = 2_000,
    tasks: int = 100,
    seconds: int = 10,
    connections: int = 16,
    workers: tuple[int, ...] = (1,),
    rounds: int = 1,
    base_src: str = "",
) -> dict[str, Any]:
    """Set up ``db`` (sqlite or postgresql), measure both endpoints; returns the figures.

    ``base_src``: a ``src`` directory of another version of the platform (e.g. ``git archive``
    of the commit before a change), measured in turn with this one on its own copy of the
    same data, round after round — the machine is shared, compare within a round.
    """
    var = DATA_DIR / f"var-writes-{db}"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    os.environ["WURAO_VAR_DIR"] = str(var)
    os.environ["WURAO_RATE_LIMITS"] = "false"
    from wurao.core.config import get_settings

    get_settings.cache_clear()
    url = fresh_database(db, sqlite_name="writes-sqlite.sqlite3", pg_name=PG_DB)
    _setup(url, enterprises)
    token, task_ids, usccs = _prepare(url, tasks)
    makers = _requests(task_ids, usccs)
    _USCCS[:], _TASKS[:] = usccs, task_ids
    work = _service_work()
    auth = {"public_report": {}, "record_save": {"authorization": f"Bearer {token}"}}
    import wurao

    this = str(Path(wurao.__file__).resolve().parent.parent)  # the src/ this process imports
    versions = {"this": this, **({"base": base_src} if base_src else {})}
    urls = {name: _clone(url, name) for name in versions}
    profile = {name: _where_time_goes(url, makers[name], auth[name], work[name]) for name in makers}
    http: list[dict[str, Any]] = []
    for n in range(rounds):
        for count in workers:
            for version, src in versions.items():
                env = {
                    **os.environ,
                    "WURAO_DATABASE_URL": urls[version],
                    "WURAO_VAR_DIR": str(var),
                    "WURAO_RATE_LIMITS": "false",
                    "PYTHONPATH": f"{src}{os.pathsep}{ROOT}",
                }
                port = _free_port()
                base = f"http://127.0.0.1:{port}"
                serve = ["serve", "--port", str(port), "--workers", str(count)]
                server = _start([sys.executable, "-m", "wurao.cli", *serve], env, base)
                try:
                    for name, make in makers.items():
                        _warm(base, make, auth[name])
                    for name, make in makers.items():
                        out = _load(
                            base, make, auth[name], seconds=seconds, connections=connections
                        )
                        row = {"round": n + 1, "workers": count, "version": version}
                        http.append({**row, "endpoint": name, **out})
                        print(json.dumps(http[-1], ensure_ascii=False), file=sys.stderr)
                finally:
                    server.terminate()
                    server.wait(timeout=30)
    return {
        "benchmark": "writes",
        "db": db,
        "enterprises": enterprises,
        "records": len(task_ids),
        "versions": versions,
        "server": "wurao serve --workers N (uvicorn, uvloop, httptools)",
        "generator": "python asyncio + httpx, one request in flight per client",
        "http": http,
        "in_process": profile,
        "goal_p99_ms": GOAL_P99_MS,
        "met": {
            f"{r['endpoint']} workers={r['workers']} round={r['round']}": r["p99_ms"] <= GOAL_P99_MS
            for r in http
            if r["version"] == "this"
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m bench.writes``."""
    parser = argparse.ArgumentParser(prog="python -m bench.writes", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--enterprises", type=int, default=2_000)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, action="append", help="repeatable; default 1")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--base-src", default="", help="another version's src/ to compare with")
    args = parser.parse_args(argv)
    from wurao.wiring import register_handlers

    register_handlers()
    dbs = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    results = DATA_DIR.parent / "results"
    results.mkdir(parents=True, exist_ok=True)
    for db in dbs:
        print(f"writes: {db}", file=sys.stderr, flush=True)
        out = run(
            db,
            enterprises=args.enterprises,
            tasks=args.tasks,
            seconds=args.seconds,
            connections=args.connections,
            workers=tuple(args.workers or [1]),
            rounds=args.rounds,
            base_src=args.base_src,
        )
        out["command"] = "python -m bench.writes " + " ".join(argv or sys.argv[1:])
        out["at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        (results / f"writes-{db}-{stamp}.json").write_text(
            json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
