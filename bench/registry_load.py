"""Registry at province scale: generate and load N enterprises, then time enterprise search.

Loads 浙江省 (subjects, officers scaled to N/100, N enterprises) with
`wurao.demo.province.generate_province`, then times 200 (``queries``) searches by exact
统一社会信用代码 and by a name fragment through the service the pages use
(`wurao.registry.enterprises.service.list_enterprises`, as a provincial system
administrator: the widest scope), reporting median and p99 in milliseconds.

``python -m bench.registry_load --db postgresql --enterprises 1000000 --pg-db NAME`` runs it
alone on a PostgreSQL database of another name (``python -m bench`` uses ``wurao_bench``, which
it drops and recreates).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.orm import Session

from bench import search
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import migrate
from wurao.core.db import make_engine
from wurao.demo.province import generate_province
from wurao.registry.enterprises.service import list_enterprises

PG_BASE = "postgresql://postgres:postgres@127.0.0.1:5432"
PG_DB = "wurao_bench"
DATA_DIR = Path(__file__).resolve().parent / "data"


def fresh_url(db: str, enterprises: int, *, pg_db: str = PG_DB) -> str:
    """An empty database of kind ``db`` (PostgreSQL: ``pg_db``, dropped and recreated),
    migrated to head."""
    if db == "sqlite":
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path = DATA_DIR / f"registry_{enterprises}.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        admin = create_engine(
            PG_BASE.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{pg_db}"'))
        admin.dispose()
        url = f"{PG_BASE}/{pg_db}"
    migrate.upgrade(url)
    return url


def _ms(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "median_ms": round(statistics.median(samples) * 1000, 3),
        "p99_ms": round(cuts[98] * 1000, 3),
        "max_ms": round(max(samples) * 1000, 3),
        "n": len(samples),
    }


def _time_queries(session: Session, terms: list[str]) -> tuple[dict[str, float], int]:
    for q in terms[:5]:  # warm the caches the way a running server has them warm
        list_enterprises(session, actor=SYSTEM_ACTOR, q=q)
    samples = []
    hits = 0
    for q in terms:
        started = time.perf_counter()
        page = list_enterprises(session, actor=SYSTEM_ACTOR, q=q)
        samples.append(time.perf_counter() - started)
        hits += page.total > 0
    return _ms(samples), hits


def search_figures(url: str, *, queries: int, seed: int) -> dict[str, Any]:
    """Median and p99 of USCC and name-fragment searches at the loaded size."""
    engine = make_engine(url)
    rng = random.Random(seed)
    with Session(engine) as session:
        top = int(session.scalar(text("SELECT max(id) FROM enterprise")) or 0)
        ids = [rng.randint(1, top) for _ in range(queries)]
        rows = session.execute(
            text("SELECT uscc, name FROM enterprise WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": ids},
        ).all()
        usccs = [r[0] for r in rows]
        # a 3–4 character fragment cut from a real name at a random position
        fragments = []
        for _uscc, name in rows:
            size = rng.choice((3, 4))
            start = rng.randrange(0, max(1, len(name) - size))
            fragments.append(name[start : start + size])
        by_uscc, uscc_hits = _time_queries(session, usccs)
        by_name, name_hits = _time_queries(session, fragments)
    engine.dispose()
    return {
        "query": "wurao.registry.enterprises.service.list_enterprises(actor=system admin, q=…)",
        "by_uscc": {**by_uscc, "found": uscc_hits},
        "by_name_fragment": {**by_name, "found": name_hits, "examples": fragments[:8]},
    }


def db_version(db: str, url: str) -> str:
    """The database engine's version string."""
    if db == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    engine = make_engine(url)
    with engine.connect() as conn:
        version = str(conn.execute(text("SELECT version()")).scalar())
    engine.dispose()
    return version


def run(
    db: str,
    enterprises: int,
    *,
    queries: int = 200,
    seed: int = 2026,
    defer_indexes: bool = True,
    pg_db: str = PG_DB,
) -> dict[str, Any]:
    """Load ``enterprises`` into a fresh ``db`` database and time searches on it."""
    url = fresh_url(db, enterprises, pg_db=pg_db)
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 10 or done == total:
            last[0] = now
            print(f"  [{db}] {stage}: {done:,}/{total:,}", file=sys.stderr, flush=True)

    load_before = os.getloadavg()  # the machine is shared: say how busy it was
    started = time.perf_counter()
    stats = generate_province(
        url, enterprises=enterprises, seed=seed, progress=progress, defer_indexes=defer_indexes
    )
    total = time.perf_counter() - started
    load_after = os.getloadavg()
    result: dict[str, Any] = {
        "benchmark": "registry_load",
        "db": db,
        "db_version": db_version(db, url),
        "enterprises": stats.enterprises,
        "subjects": stats.subjects,
        "officers": stats.officers,
        "defer_indexes": defer_indexes,
        "seed": seed,
        "load_seconds_total": round(total, 2),
        "phase_seconds": {k: round(v, 2) for k, v in stats.seconds.items()},
        "enterprises_per_second": round(stats.enterprises / stats.seconds["enterprise_load"]),
        "load_average_before_after": [round(v, 2) for v in (*load_before, *load_after)],
    }
    result["search"] = search_figures(url, queries=queries, seed=seed)
    result["search_series"] = search.run(url, count=queries, seed=seed)
    if db == "sqlite":
        result["sqlite_file_bytes"] = Path(url.removeprefix("sqlite:///")).stat().st_size
    return result


def main(argv: list[str] | None = None) -> int:
    """Load and time one database; print JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.registry_load", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pg-db", default=PG_DB, help=f"PostgreSQL database (default {PG_DB})")
    args = parser.parse_args(argv)
    result = run(args.db, args.enterprises, queries=args.queries, seed=args.seed, pg_db=args.pg_db)
    result["command"] = "python -m bench.registry_load " + " ".join(argv or sys.argv[1:])
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
