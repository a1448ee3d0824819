"""``python -m bench``: run the benchmarks and write their figures as JSON to bench/results/."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from bench import registry_load

RESULTS = Path(__file__).resolve().parent / "results"


def _machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version()}


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run each benchmark on each database, write one JSON per run."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--enterprises", type=int, action="append", help="repeatable")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--keep-indexes",
        action="store_true",
        help="load with the secondary indexes in place instead of rebuilding them afterwards",
    )
    args = parser.parse_args(argv)
    dbs = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    sizes = args.enterprises or [1_000_000]
    RESULTS.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        for db in dbs:
            print(f"registry_load: {db}, {size:,} enterprises", file=sys.stderr, flush=True)
            result = registry_load.run(
                db,
                size,
                queries=args.queries,
                seed=args.seed,
                defer_indexes=not args.keep_indexes,
            )
            result["machine"] = _machine()
            result["command"] = "python -m bench " + " ".join(argv or sys.argv[1:])
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            out = RESULTS / f"registry_load-{db}-{size}-{stamp}.json"
            out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
            print(json.dumps(result, ensure_ascii=False, indent=2), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
