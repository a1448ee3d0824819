"""Enterprise search on a loaded registry: median and p99 per kind of query.

Runs on a database the ``registry`` suite has loaded (``bench/data/registry_N.sqlite3`` or
the PostgreSQL database ``wurao_bench``, another with ``--pg-db``) and times
`wurao.registry.enterprises.service.list_enterprises` — the function the enterprise pages
and the API call — for each series:

* ``uscc``: an exact 统一社会信用代码 of a random enterprise;
* ``fragment``: a 3–4 character fragment cut at a random position of a random name (as the
  ``registry`` suite does; some are very common, most are not);
* ``common``: fragments that match a large part of the province (有限公司, 股份有限公司 …),
  first page and page 10;
* ``none``: fragments that match nothing (every index entry of their trigrams is read);
* ``county``: random fragments and 有限公司 within one county (the ``region`` filter);
* ``prefix``: 1–2 character terms province-wide (matched at the start of the name).

Each series runs twice: the first pass warms the caches the way a running server has them
warm, the second is timed. ``python -m bench.search --db sqlite --enterprises 10000000``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core.db import make_engine
from wurao.registry.enterprises.service import list_enterprises

DATA_DIR = Path(__file__).resolve().parent / "data"
PG_BASE = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432"
PG_DB = "wurao_bench"
COMMON = (
    "有限公司", "有限公", "限公司", "股份有限公司", "有限责任公司", "科技有限", "化工有限公司",
    "商贸有限", "杭州市", "宁波市", "衢州市柯城区", "浙江省",
)  # fmt: skip
NONE = ("不存在的企业", "无此名称公司", "月球矿业", "火星科技有限公司", "量子咖啡馆", "青藏高原")
PREFIX = ("杭州", "衢州", "浙江", "宁波", "温", "嘉")

Query = dict[str, Any]


def url_for(db: str, enterprises: int, *, pg_db: str = PG_DB) -> str:
    """The database the ``registry`` suite loaded for ``db`` and ``enterprises`` (PostgreSQL:
    the database ``pg_db``)."""
    if db == "sqlite":
        return f"sqlite:///{DATA_DIR / f'registry_{enterprises}.sqlite3'}"
    return f"{PG_BASE}/{pg_db}"


def _ms(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "median_ms": round(statistics.median(samples) * 1000, 3),
        "p99_ms": round(cuts[98] * 1000, 3),
        "max_ms": round(max(samples) * 1000, 3),
        "n": len(samples),
    }


def _series(session: Session, queries: list[Query]) -> dict[str, Any]:
    for q in queries:  # warm-up pass
        list_enterprises(session, actor=SYSTEM_ACTOR, **q)
    samples: list[float] = []
    capped = found = 0
    slowest: tuple[float, Query] = (0.0, {})
    for q in queries:
        started = time.perf_counter()
        page = list_enterprises(session, actor=SYSTEM_ACTOR, **q)
        took = time.perf_counter() - started
        samples.append(took)
        found += bool(page.rows)
        capped += page.capped
        slowest = max(slowest, (took, q), key=lambda s: s[0])
    return {**_ms(samples), "found": found, "capped": capped, "slowest": slowest[1]}


def queries(session: Session, *, count: int, seed: int) -> dict[str, list[Query]]:
    """The query series, drawn from the loaded rows with ``seed``."""
    rng = random.Random(seed)
    top = int(session.scalar(text("SELECT max(id) FROM enterprise")) or 0)
    ids = [rng.randint(1, top) for _ in range(count)]
    rows = session.execute(
        text("SELECT uscc, name, region_code FROM enterprise WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        ),
        {"ids": ids},
    ).all()
    fragments = []
    for _uscc, name, _region in rows:
        size = rng.choice((3, 4))
        start = rng.randrange(0, max(1, len(name) - size))
        fragments.append(name[start : start + size])
    county = rows[0][2]
    return {
        "uscc": [{"q": r[0]} for r in rows],
        "fragment": [{"q": f} for f in fragments],
        "common": [{"q": c} for c in COMMON] + [{"q": c, "page": 10} for c in COMMON],
        "none": [{"q": n} for n in NONE],
        "county": [{"q": f, "region": county} for f in fragments[:50]]
        + [{"q": "有限公司", "region": county}, {"q": "有限公司", "region": county, "page": 10}],
        "prefix": [{"q": p} for p in PREFIX],
    }


def run(url: str, *, count: int = 200, seed: int = 2026) -> dict[str, Any]:
    """Time every series on the database at ``url``."""
    engine = make_engine(url)
    before = os.getloadavg()  # the machine is shared: say how busy it was
    with Session(engine) as session:
        total = int(session.scalar(text("SELECT count(*) FROM enterprise")) or 0)
        series = queries(session, count=count, seed=seed)
        result = {name: _series(session, qs) for name, qs in series.items()}
    engine.dispose()
    loads = [round(v, 2) for v in (*before, *os.getloadavg())]
    return {
        "benchmark": "search", "dialect": engine.dialect.name, "enterprises": total,
        "load_average_before_after": loads, **result,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run on the loaded database of ``--db`` and ``--enterprises``; print JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--enterprises", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pg-db", default=PG_DB, help=f"PostgreSQL database (default {PG_DB})")
    args = parser.parse_args(argv)
    url = url_for(args.db, args.enterprises, pg_db=args.pg_db)
    result = run(url, count=args.queries, seed=args.seed)
    result["command"] = "python -m bench.search " + " ".join(argv or sys.argv[1:])
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
