"""行政行为码 on the request path: pre-check + issue latency, and verifications per second.

1. Builds the demo city (衢州市, ``enterprises`` enterprises) in a fresh database, then creates
   ``tasks`` tasks for 柯城区市场监督管理局 (two qualified officers, one published item, a
   complaint origin so the cap does not stop the run) and times, per task and each in its own
   transaction as a request would be: the read-only pre-check (`issuing.precheck`) and the
   issue (`issuing.issue_code`: every rule again under the count lock, sign, store, audit).
2. Starts ``uvicorn wurao.web.main:app`` (one worker) on the database and drives
   ``POST /api/v1/codes/verify`` and ``GET /v/{token}`` with **wrk** (Debian's package) when
   installed, else with a Python asyncio + httpx loop; reports requests per second and latency.

Run: ``python -m bench.inspections --db sqlite --tasks 300`` (or through ``python -m bench``
once registered there).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

PG_BASE = "postgresql://postgres:postgres@127.0.0.1:5432"
PG_DB = "wurao_bench_inspections"
DATA_DIR = Path(__file__).resolve().parent / "data"
KC_SCJG = "11330802MB1A00001T"


def fresh_database(db: str, *, sqlite_name: str, pg_name: str) -> str:
    """An empty database for one bench run: ``bench/data/<sqlite_name>`` removed with its
    journals, or the PostgreSQL database ``pg_name`` dropped and created again."""
    if db == "sqlite":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path = DATA_DIR / sqlite_name
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = create_engine(
        PG_BASE.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{pg_name}"'))
    admin.dispose()
    return f"{PG_BASE}/{pg_name}"


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(p99 * 1000, 2),
        "n": len(ordered),
    }


def _setup(url: str, enterprises: int) -> None:
    from wurao.core import migrate
    from wurao.core.db import session_scope
    from wurao.demo.city import generate_city
    from wurao.demo.seed import seed_foundation

    migrate.upgrade(url)
    from wurao.core.db import make_engine

    with session_scope(make_engine(url)) as session:
        seed_foundation(session)
        generate_city(session, enterprises=enterprises)


def _issue_many(url: str, tasks: int) -> tuple[dict[str, Any], list[str]]:
    from wurao.auth import service as auth_service
    from wurao.auth.models import User
    from wurao.core.db import make_engine, session_scope
    from wurao.core.time import local_today
    from wurao.inspections import creation, issuing, service
    from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem
    from wurao.registry.officers.service import who_may_inspect

    engine = make_engine(url)
    today = local_today()
    with Session(engine) as s:
        user = s.scalar(select(User).where(User.username == "kc_scjg_admin"))
        assert user is not None
        actor = auth_service.actor_for(user)
        subject = s.scalar(select(EnforcementSubject).where(EnforcementSubject.uscc == KC_SCJG))
        assert subject is not None
        officers = [o.id for o in who_may_inspect(s, subject_id=subject.id, on=today)][:2]
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
                .limit(tasks)
            )
        )
    assert len(officers) == 2 and item, "the demo city lacks officers or items"
    task_ids = []
    with session_scope(engine) as s:
        for uscc in usccs:
            data = creation.TaskData(
                enterprise_uscc=uscc,
                subject_ids=[subject.id],
                item_codes=[item],
                officer_ids=officers,
                method="onsite",
                origin="complaint",
                window_start=today,
                window_end=today,
                trigger_ref="BENCH",
                trigger_reason="基准测试",
            )
            task_ids.append(creation.create_task(s, data=data, actor=actor).id)
    pre, iss, tokens = [], [], []
    for task_id in task_ids:
        t0 = time.perf_counter()
        with session_scope(engine, write=False) as s:
            task = service.get_task(s, actor=actor, task_id=task_id)
            assert issuing.precheck(s, actor=actor, task=task).ok
        t1 = time.perf_counter()
        with session_scope(engine) as s:
            task = service.get_task(s, actor=actor, task_id=task_id, lock=True)  # as the routes
            tokens.append(issuing.issue_code(s, actor=actor, task=task, locked=True).code.token)
        t2 = time.perf_counter()
        pre.append(t1 - t0)
        iss.append(t2 - t1)
    engine.dispose()
    both = [a + b for a, b in zip(pre, iss, strict=True)]
    return {"precheck": _ms(pre), "issue": _ms(iss), "precheck_plus_issue": _ms(both)}, tokens


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wrk(
    base: str, path: str, tokens: list[str], *, post: bool, seconds: int, connections: int
) -> dict[str, Any]:
    bodies = [json.dumps({"token": t}) for t in tokens]
    lua = "local tokens = {" + ",".join(json.dumps(t) for t in tokens) + "}\n"
    lua += "local bodies = {" + ",".join(json.dumps(b) for b in bodies) + "}\nlocal i = 0\n"
    if post:
        lua += (
            'request = function()\n  i = i % #bodies + 1\n  return wrk.format("POST", '
            f'"{path}", {{["Content-Type"]="application/json"}}, bodies[i])\nend\n'
        )
    else:
        lua += (
            'request = function()\n  i = i % #tokens + 1\n  return wrk.format("GET", '
            f'"{path}" .. tokens[i])\nend\n'
        )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", fh.name, base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(fh.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests_per_second": rps,
        "latency_p50": p50.group(1) if p50 else "",
        "latency_p99": p99.group(1) if p99 else "",
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "generator": "wrk 4.1.0 (Debian)",
        "connections": connections,
        "seconds": seconds,
    }


def _httpx(
    base: str, path: str, tokens: list[str], *, post: bool, seconds: int, connections: int
) -> dict[str, Any]:
    import httpx

    lat: list[float] = []
    errors = 0

    async def worker(client: httpx.AsyncClient, offset: int, stop: float) -> None:
        nonlocal errors
        i = offset
        while time.perf_counter() < stop:
            token = tokens[i % len(tokens)]
            i += 1
            t0 = time.perf_counter()
            if post:
                r = await client.post(path, json={"token": token})
            else:
                r = await client.get(path + token)
            lat.append(time.perf_counter() - t0)
            errors += r.status_code != 200

    async def main() -> float:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            start = time.perf_counter()
            stop = start + seconds
            await asyncio.gather(*(worker(client, n, stop) for n in range(connections)))
            return time.perf_counter() - start

    elapsed = asyncio.run(main())
    stats = _ms(lat)
    return {
        "requests_per_second": round(len(lat) / elapsed, 1),
        "latency_p50": f"{stats['median_ms']}ms",
        "latency_p99": f"{stats['p99_ms']}ms",
        "non_2xx": errors,
        "generator": "python asyncio + httpx",
        "connections": connections,
        "seconds": seconds,
    }


def run(
    db: str,
    *,
    tasks: int = 200,
    enterprises: int = 10_000,
    seconds: int = 10,
    connections: int = 16,
) -> dict[str, Any]:
    """Run both parts on ``db`` (sqlite or postgresql); returns the figures."""
    var = DATA_DIR / f"var-{db}"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    os.environ["WURAO_VAR_DIR"] = str(var)
    from wurao.core.config import get_settings

    get_settings.cache_clear()
    url = fresh_database(db, sqlite_name="inspections.sqlite3", pg_name=PG_DB)
    t0 = time.perf_counter()
    _setup(url, enterprises)
    setup_s = time.perf_counter() - t0
    latency, tokens = _issue_many(url, tasks)
    port = _free_port()
    env = {
        **os.environ,
        "WURAO_DATABASE_URL": url,
        "WURAO_VAR_DIR": str(var),
        "WURAO_RATE_LIMITS": "false",
    }  # one address sends everything (as bench.verify)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "wurao.web.main:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import httpx

        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        load = _wrk if shutil.which("wrk") else _httpx
        http = {
            "verify_api": load(
                base,
                "/api/v1/codes/verify",
                tokens,
                post=True,
                seconds=seconds,
                connections=connections,
            ),
            "scan_page": load(
                base, "/v/", tokens, post=False, seconds=seconds, connections=connections
            ),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "benchmark": "inspections",
        "db": db,
        "enterprises": enterprises,
        "tasks": tasks,
        "setup_seconds": round(setup_s, 1),
        "issue": latency,
        "http": http,
        "server": "uvicorn, 1 worker",
        "token_chars": len(tokens[0]),
    }


def run_scale(
    db: str, *, enterprises: int = 10_000_000, inspections: int = 2_000_000, samples: int = 200
) -> dict[str, Any]:
    """The same measures on the province-scale database (see ``bench.inspections_scale``)."""
    from bench.inspections_scale import run_scale as scale

    return scale(db, enterprises=enterprises, inspections=inspections, samples=samples)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m bench.inspections``."""
    parser = argparse.ArgumentParser(prog="python -m bench.inspections", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    dbs = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    results = DATA_DIR.parent / "results"
    results.mkdir(parents=True, exist_ok=True)
    for db in dbs:
        print(f"inspections: {db}", file=sys.stderr, flush=True)
        out = run(
            db,
            tasks=args.tasks,
            enterprises=args.enterprises,
            seconds=args.seconds,
            connections=args.connections,
        )
        out["command"] = "python -m bench.inspections " + " ".join(argv or sys.argv[1:])
        out["at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        (results / f"inspections-{db}-{stamp}.json").write_text(
            json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
