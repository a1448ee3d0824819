"""双随机 draw at province scale: read the pool, freeze it, draw ≈1 %, assign officers, verify.

The pool is every 存续 enterprise of 浙江省 (the province-wide filter of
`wurao.sampling.freeze.pool_statement`), stratified by credit class; the ratios
A 0.5 %, B 1 %, C 2 %, D 3 % give about 1 % of the pool with the generator's class mix
(A 30 %, B 55 %, C 12 %, D 3 %). Timed phases:

* ``read_pool`` — the floor: the pool query, fetched and sorted by USCC (what every draw
  must do at least once);
* ``freeze`` — pool file, its SHA-256 and the gzip copy the draw stores;
* ``select`` — HMAC keys for every member and the k smallest per stratum;
* ``assign`` — two officers per drawn enterprise from a roster of ``roster`` officers;
* ``verify`` — `wurao.sampling.algorithm.verify` from the artefacts and the pool file, as
  `wurao draw verify` runs it (hash, parse, recompute selection and teams).

Task creation (one ORM task per drawn enterprise) is not part of this benchmark.
The PostgreSQL database ``wurao_bench`` is reused and never dropped; SQLite files are
``bench/data/sampling_<N>.sqlite3``, generated when missing.
"""

from __future__ import annotations

import datetime as dt
import gzip
import secrets
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wurao.core import migrate
from wurao.core.db import make_engine
from wurao.registry.models import Enterprise
from wurao.sampling import algorithm
from wurao.sampling.freeze import pool_statement
from wurao.sampling.models import Draw

PG_URL = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/wurao_bench"
DATA_DIR = Path(__file__).resolve().parent / "data"
RATIOS = {"A": "0.005", "B": "0.01", "C": "0.02", "D": "0.03"}


def database_url(db: str, enterprises: int) -> str:
    """The benchmark database of kind ``db``, migrated to head (generated for SQLite)."""
    if db == "postgresql":
        migrate.upgrade(PG_URL)
        return PG_URL
    path = DATA_DIR / f"sampling_{enterprises}.sqlite3"
    url = f"sqlite:///{path}"
    if not path.exists():
        from wurao.demo.province import generate_province

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        migrate.upgrade(url)
        generate_province(url, enterprises=enterprises)
    migrate.upgrade(url)
    return url


def _timed(out: dict[str, float], name: str, started: float) -> float:
    now = time.perf_counter()
    out[name] = round(now - started, 2)
    return now


def run(
    db: str, enterprises: int, *, roster: int = 100, seed: bytes | None = None
) -> dict[str, Any]:
    """Time one province-wide draw and its verification on ``db``."""
    url = database_url(db, enterprises)
    engine = make_engine(url)
    draw = Draw(region_code="330000", credit_classes="ABCD", industry_codes="", tags="",
                exclude_months=0, draw_date=dt.date(2026, 3, 2))  # fmt: skip
    seconds: dict[str, float] = {}
    with Session(engine) as session:
        total = int(session.scalar(select(func.count()).select_from(Enterprise)) or 0)
        t = time.perf_counter()
        members = [(str(u), str(c)) for u, c in session.execute(pool_statement(draw, []))]
        members.sort()
        t = _timed(seconds, "read_pool", t)
    engine.dispose()
    pool = algorithm.pool_bytes(members)
    counts = algorithm.strata_counts(members)
    seed = seed or secrets.token_bytes(32)
    frozen: dict[str, Any] = {
        "algorithm": algorithm.ALGORITHM,
        "pool": {"sha256": algorithm.sha256_hex(pool), "size": len(members), "strata": counts},
        "ratios": RATIOS,
        "seed_commitment": algorithm.commitment(seed),
        "officers": {"per_subject": 2, "cap": 10_000,
                     "roster": {"BENCH": [f"B{n:06d}" for n in range(roster)]},
                     "conflicts": [], "avoid": []},
    }  # fmt: skip
    stored = gzip.compress(pool, compresslevel=6, mtime=0)
    t = _timed(seconds, "freeze", t)
    key = algorithm.draw_key(seed)
    drawn = algorithm.select(members, RATIOS, key)
    t = _timed(seconds, "select", t)
    off = frozen["officers"]
    teams = algorithm.assign([d.uscc for d in drawn], off["roster"], per_subject=2,
                             cap=off["cap"], key=key)  # fmt: skip
    t = _timed(seconds, "assign", t)
    artefacts = {
        "algorithm": algorithm.ALGORITHM, "frozen": frozen,
        "frozen_sha256": algorithm.sha256_hex(algorithm.canonical(frozen)),
        "public_value": "", "seed": seed.hex(),
        "selection": algorithm.selection_json(drawn), "teams": algorithm.teams_json(teams),
    }  # fmt: skip
    del members
    t = time.perf_counter()
    verdict = algorithm.verify(artefacts, pool)
    _timed(seconds, "verify", t)
    return {
        "benchmark": "sampling",
        "db": db,
        "url": url.split("@")[-1],
        "enterprises": total,
        "pool": len(pool.splitlines()) - 1,
        "strata": counts,
        "ratios": RATIOS,
        "drawn": len(drawn),
        "roster": roster,
        "pool_file_mb": round(len(pool) / 1e6, 1),
        "pool_gzip_mb": round(len(stored) / 1e6, 1),
        "verified": verdict.ok,
        "seconds": seconds,
        "draw_total_seconds": round(sum(v for k, v in seconds.items() if k != "verify"), 2),
    }


def run_service(db: str, enterprises: int) -> dict[str, Any]:
    """Time a county draw end to end through the service (freeze, draw, tasks), rolled back.

    The lead is the first 市场监督管理局 of the generated province; the pool is its county's
    存续 enterprises of credit classes A and B at the policy ratios; nothing is kept.
    """
    from wurao.auth.scope import SYSTEM_ACTOR
    from wurao.core import audit
    from wurao.registry.models import EnforcementSubject, InspectionItem
    from wurao.sampling import artefacts, freeze, service
    from wurao.sampling import run as draw_run

    url = database_url(db, enterprises)
    engine = make_engine(url)
    seconds: dict[str, float] = {}
    with Session(engine) as session:
        lead = session.scalars(
            select(EnforcementSubject)
            .where(EnforcementSubject.field == "市场监管",
                   EnforcementSubject.announced_on.is_not(None))
            .order_by(EnforcementSubject.id)
        ).first()  # fmt: skip
        assert lead is not None
        item = InspectionItem(
            code="BENCH-DSS-1", name="基准测试双随机事项", field="市场监管",
            region_code=lead.region_code, basis_level="法律", basis_law="《产品质量法》",
            status="published", published_on=dt.date(2025, 1, 1), on_dss_list=True,
        )  # fmt: skip
        session.add(item)
        audit.record(session, actor=SYSTEM_ACTOR, action="item.create", obj=item)
        data = service.DrawData(
            title="基准测试", subject_ids=[lead.id], item_ids=[item.id],
            region_code=lead.region_code, draw_date=dt.date(2026, 3, 2), method="onsite",
            window_start=dt.date(2026, 3, 3), window_end=dt.date(2026, 3, 31),
            credit_classes="AB", officer_cap=10_000,
        )  # fmt: skip
        draw = service.create_draw(session, data=data, actor=SYSTEM_ACTOR)
        t = time.perf_counter()
        freeze.freeze_draw(session, draw=draw, actor=SYSTEM_ACTOR)
        t = _timed(seconds, "freeze", t)
        draw_run.run_draw(session, draw=draw, actor=SYSTEM_ACTOR)
        t = _timed(seconds, "draw_and_tasks", t)
        art = artefacts.artefacts(draw)
        ok = algorithm.verify(art, freeze.stored_pool(session, draw)).ok
        _timed(seconds, "verify", t)
        result = {
            "benchmark": "sampling_service", "db": db, "region": lead.region_code,
            "pool": draw.pool_size, "tasks": draw.tasks_created,
            "roster": len(art["frozen"]["officers"]["roster"][lead.uscc]),
            "verified": ok, "seconds": seconds,
        }  # fmt: skip
        session.rollback()
    engine.dispose()
    return result


if __name__ == "__main__":
    import json
    import sys

    result = run(sys.argv[1], int(sys.argv[2]))
    print(json.dumps(result, ensure_ascii=False, indent=2))
