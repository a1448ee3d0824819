"""``python -m bench``: run the benchmarks and write their figures as JSON to bench/results/."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from bench import (
    annual,
    cases,
    clues,
    inspections,
    joint,
    oversight,
    registry_load,
    reviews,
    sampling,
    verify,
    writes,
)
from wurao.wiring import register_handlers

SUITES = (
    "registry",
    "sampling",
    "inspections",
    "inspections-scale",
    "oversight",
    "cases",
    "clues",
    "reviews",
    "verify",
    "joint",
    "annual",
    "writes",
)

RESULTS = Path(__file__).resolve().parent / "results"


def _machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError):  # no /proc: the CPU stays unnamed
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version()}


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run each benchmark on each database, write one JSON per run."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--enterprises", type=int, action="append", help="repeatable")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--tasks", type=int, default=2_000_000, help="oversight: inspection tasks to generate"
    )
    parser.add_argument(
        "--keep-indexes",
        action="store_true",
        help="load with the secondary indexes in place instead of rebuilding them afterwards",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=SUITES,
        help="run only these suites (repeatable; default all, in this order — registry first, "
        "since it rebuilds the benchmark database the sampling suite reads)",
    )
    args = parser.parse_args(argv)
    register_handlers()  # the benchmarks write through the services: oversight reacts
    suites = args.only or list(SUITES)
    dbs = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    sizes = args.enterprises or [1_000_000]
    RESULTS.mkdir(parents=True, exist_ok=True)
    command = "python -m bench " + " ".join(argv or sys.argv[1:])
    for size in sizes:
        for db in dbs:
            if "registry" in suites:
                print(f"registry_load: {db}, {size:,} enterprises", file=sys.stderr, flush=True)
                _write(
                    "registry_load",
                    db,
                    size,
                    command,
                    registry_load.run(
                        db,
                        size,
                        queries=args.queries,
                        seed=args.seed,
                        defer_indexes=not args.keep_indexes,
                    ),
                )
            if "sampling" in suites:
                print(f"sampling: {db}, {size:,} enterprises", file=sys.stderr, flush=True)
                _write("sampling", db, size, command, sampling.run(db, size))
    if "inspections" in suites:
        for db in dbs:
            print(f"inspections: {db}", file=sys.stderr, flush=True)
            _write("inspections", db, 0, command, inspections.run(db))
    if "inspections-scale" in suites:
        for db in dbs:
            print(f"inspections at province scale: {db}", file=sys.stderr, flush=True)
            _write("inspections-scale", db, 10_000_000, command, inspections.run_scale(db))
    if "oversight" in suites:
        for db in dbs:
            print(f"oversight at province scale: {db}", file=sys.stderr, flush=True)
            _write("oversight", db, 10_000_000, command, oversight.run(db, tasks=args.tasks))
    if "cases" in suites:
        for db in dbs:
            print(f"penalty cases at province scale: {db}", file=sys.stderr, flush=True)
            _write("cases", db, 200_000, command, cases.run(db))
    if "clues" in suites:
        for db in dbs:
            print(f"hotline work-order import: {db}", file=sys.stderr, flush=True)
            _write("clues", db, clues.ROWS, command, clues.run(db))
    if "reviews" in suites:
        for db in dbs:
            print(f"case-file review sample and checks: {db}", file=sys.stderr, flush=True)
            _write("reviews", db, reviews.RECORDS, command, reviews.run(db))
    if "verify" in suites:
        for db in dbs:
            print(f"code verification against its floor, scan page: {db}", file=sys.stderr)
            _write("verify", db, 2_000, command, verify.run(db))
    if "joint" in suites:  # in memory: the optimiser alone, no database
        print("joint visits: 10 000 tasks, 5 000 enterprises, 40 subjects", file=sys.stderr)
        _write("joint", "memory", 10_000, command, joint.run())
    if "annual" in suites:  # --tasks: the inspections generated (default 2 million)
        for db in dbs:
            print(f"annual statistics, {args.tasks:,} inspections: {db}", file=sys.stderr)
            _write("annual", db, args.tasks, command, annual.run(db, tasks=args.tasks))
    if "writes" in suites:  # 16 clients writing at once: the public report, a record save
        for db in dbs:
            print(f"short write tails: {db}", file=sys.stderr, flush=True)
            _write("writes", db, 2_000, command, writes.run(db))
    return 0


def _write(suite: str, db: str, size: int, command: str, result: dict[str, Any]) -> None:
    result["machine"] = _machine()
    result["command"] = command
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"{suite}-{db}-{size}-{stamp}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False, indent=2), flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
