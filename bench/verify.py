"""The code at the enterprise's door: ``POST /api/v1/codes/verify`` against its floor, and the
scan page ``GET /v/{token}``, over HTTP, in one command.

1. Builds a demo-like database (the demo city with ``enterprises`` enterprises, ``tasks`` coded
   on-site tasks for 柯城区市场监督管理局: ``bench.inspections`` does the setup and the issue).
2. Starts the platform with ``wurao serve --workers 1`` and the floor (``bench/verify_floor.py``,
   a bare Starlette app doing the same checks: JWS parse, Ed25519 signature with the published
   key, the code's state by ``jti`` from the same database) under uvicorn, one process each.
3. Drives both with the same load generator — wrk (Debian's package) when installed, else a
   Python asyncio + httpx loop — cycling through the issued tokens, ``connections`` at once,
   ``seconds`` per measure, ``rounds`` times in turn (the machine is shared: the ratio within a
   round is the figure to read); then the scan page on the platform. Before the warm-up,
   each code's page once, one request at a time (``scan_first_render``: every request is the
   code's first render, its server CPU and latency).

Rate limits are switched off for the platform (``WURAO_RATE_LIMITS=false``): every request
comes from one address here, and the per-address limits (300 verifications a minute) would
answer 429 after a second.

Run: ``python -m bench --only verify --db sqlite`` or ``python -m bench.verify``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.inspections import _free_port, _httpx, _issue_many, _setup, _wrk, fresh_database

DATA_DIR = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parent.parent
PG_DB = "wurao_bench_verify"
GOALS = {"verify_ratio": 0.5, "verify_p99_ms": 20.0, "scan_rps": 1000.0, "scan_p99_ms": 50.0}


def _start(argv: list[str], env: dict[str, str], base: str) -> subprocess.Popen[bytes]:
    """Start a server and wait until it answers (up to two minutes: on a busy machine two
    workers take more than 20 s to import the platform)."""
    proc = subprocess.Popen(argv, env=env, cwd=ROOT)
    deadline = time.perf_counter() + 120
    while time.perf_counter() < deadline:
        try:
            httpx.get(f"{base}/healthz-bench", timeout=1)
            return proc
        except httpx.HTTPError:
            if proc.poll() is not None:
                raise RuntimeError(f"{argv} exited with {proc.returncode}") from None
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"{argv} did not start")


def _ms(value: str) -> float:
    """wrk's '1.23ms' / '845.00us' / '1.02s' (or the fallback's '1.2ms') in milliseconds."""
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if value.endswith(unit):
            return round(float(value[: -len(unit)]) * factor, 3)
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(
    load: Any, server: subprocess.Popen[bytes], base: str, path: str, tokens: list[str], **kw: Any
) -> dict[str, Any]:
    """One load run; adds the server's CPU time per request, the figure least moved by the
    other work on a shared machine (throughput and latency also count the time it waited)."""
    cpu = _cpu_seconds(server.pid)
    out: dict[str, Any] = load(base, path, tokens, **kw)
    requests = out["requests_per_second"] * out["seconds"]
    out["server_cpu_us_per_request"] = round((_cpu_seconds(server.pid) - cpu) / requests * 1e6)
    out["p50_ms"] = _ms(out["latency_p50"])
    out["p99_ms"] = _ms(out["latency_p99"])
    return out


def _cold_scans(server: subprocess.Popen[bytes], base: str, tokens: list[str]) -> dict[str, Any]:
    """Each code's page once, one request at a time, on a fresh server: every one is the
    code's first render (the figure #18's scan p99 depends on; no other load from here). An
    invalid code's page and the first code's, not counted: the template's compilation, the
    key set, the first imports and connections (~1 s: it would dominate the mean)."""
    took: list[float] = []
    with httpx.Client(base_url=base) as client:
        client.get("/v/not-a-code")
        client.get(f"/v/{tokens[0]}")
        cpu = _cpu_seconds(server.pid)
        for token in tokens[1:]:
            started = time.perf_counter()
            assert client.get(f"/v/{token}").status_code == 200
            took.append(time.perf_counter() - started)
    took.sort()
    return {
        "requests": len(took),
        "server_cpu_us_per_request": round((_cpu_seconds(server.pid) - cpu) / len(took) * 1e6),
        "p50_ms": round(statistics.median(took) * 1000, 2),
        "max_ms": round(took[-1] * 1000, 2),
    }


def run(
    db: str = "sqlite",
    *,
    tasks: int = 200,
    enterprises: int = 2_000,
    seconds: int = 10,
    connections: int = 16,
    rounds: int = 3,
) -> dict[str, Any]:
    """Set up ``db`` (sqlite or postgresql), measure platform and floor; returns the figures."""
    var = DATA_DIR / f"var-verify-{db}"
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    os.environ["WURAO_VAR_DIR"] = str(var)
    from wurao.core.config import get_settings

    get_settings.cache_clear()
    url = fresh_database(db, sqlite_name="verify-sqlite.sqlite3", pg_name=PG_DB)
    _setup(url, enterprises)
    _, tokens = _issue_many(url, tasks)
    env = {
        **os.environ,
        "WURAO_DATABASE_URL": url,
        "WURAO_VAR_DIR": str(var),
        "WURAO_RATE_LIMITS": "false",
        "BENCH_VERIFY_DB": url,
        "PYTHONPATH": str(ROOT),
    }
    platform_port, floor_port = _free_port(), _free_port()
    platform_base = f"http://127.0.0.1:{platform_port}"
    floor_base = f"http://127.0.0.1:{floor_port}"
    serve = ["serve", "--port", str(platform_port), "--workers", "1"]
    platform = _start([sys.executable, "-m", "wurao.cli", *serve], env, platform_base)
    try:
        uvicorn = ["uvicorn", "bench.verify_floor:app", "--port", str(floor_port)]
        quiet = ["--log-level", "warning", "--no-access-log"]
        floor = _start([sys.executable, "-m", *uvicorn, *quiet], env, floor_base)
    except BaseException:
        platform.terminate()
        raise
    load = _wrk if shutil.which("wrk") else _httpx
    kw = {"seconds": seconds, "connections": connections}
    verify_path = "/api/v1/codes/verify"
    rows: list[dict[str, Any]] = []
    try:
        # Same verdicts first: both say "valid" for an issued code inside its window.
        for base in (platform_base, floor_base):
            got = httpx.post(f"{base}{verify_path}", json={"token": tokens[0]}).json()
            assert got["status"] == "valid", (base, got)
        # The pages' first renders, measured alone (the warm-up below renders them otherwise).
        cold = _cold_scans(platform, platform_base, tokens)
        # Warm-up, not measured: the first seconds of a fresh server (imports finishing,
        # first-use caches, the allocator) would otherwise land in the first round's tail.
        for base, path, post in (
            (platform_base, verify_path, True),
            (floor_base, verify_path, True),
            (platform_base, "/v/", False),
        ):
            load(base, path, tokens, post=post, seconds=min(3, seconds), connections=connections)
        for _ in range(max(1, rounds)):
            plat = _measure(load, platform, platform_base, verify_path, tokens, post=True, **kw)
            flo = _measure(load, floor, floor_base, verify_path, tokens, post=True, **kw)
            scan = _measure(load, platform, platform_base, "/v/", tokens, post=False, **kw)
            rows.append(
                {
                    "verify_platform": plat,
                    "verify_floor": flo,
                    "verify_ratio": round(
                        plat["requests_per_second"] / flo["requests_per_second"], 3
                    ),
                    "verify_cpu_ratio": round(
                        flo["server_cpu_us_per_request"] / plat["server_cpu_us_per_request"], 3
                    ),
                    "scan_page": scan,
                }
            )
    finally:
        for proc in (platform, floor):
            proc.terminate()
            proc.wait(timeout=10)
    ratio = statistics.median(r["verify_ratio"] for r in rows)
    cpu_ratio = statistics.median(r["verify_cpu_ratio"] for r in rows)
    best = max(rows, key=lambda r: r["verify_ratio"])
    return {
        "benchmark": "verify",
        "db": db,
        "enterprises": enterprises,
        "codes": len(tokens),
        "server": "wurao serve --workers 1 (uvicorn, uvloop, httptools); floor: uvicorn, 1 process",
        "generator": rows[0]["verify_platform"]["generator"],
        "scan_first_render": cold,
        "rounds": rows,
        "verify_ratio_median": ratio,
        "verify_cpu_ratio_median": cpu_ratio,
        "goals": GOALS,
        "met": {
            "verify_ratio": ratio >= GOALS["verify_ratio"],
            "verify_p99": best["verify_platform"]["p99_ms"] <= GOALS["verify_p99_ms"],
            "scan_rps": max(r["scan_page"]["requests_per_second"] for r in rows)
            >= GOALS["scan_rps"],
            "scan_p99": min(r["scan_page"]["p99_ms"] for r in rows) <= GOALS["scan_p99_ms"],
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m bench.verify``."""
    parser = argparse.ArgumentParser(prog="python -m bench.verify", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--enterprises", type=int, default=2_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    from wurao.wiring import register_handlers

    register_handlers()
    results = DATA_DIR.parent / "results"
    results.mkdir(parents=True, exist_ok=True)
    for db in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        out = run(
            db,
            tasks=args.tasks,
            enterprises=args.enterprises,
            seconds=args.seconds,
            connections=args.connections,
            rounds=args.rounds,
        )
        out["command"] = "python -m bench.verify " + " ".join(argv or sys.argv[1:])
        out["at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        (results / f"verify-{db}-{stamp}.json").write_text(
            json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
