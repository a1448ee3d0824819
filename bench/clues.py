"""Hotline work-order imports at scale: 100 000 12345 work orders through the import service.

A fresh database per run (SQLite file or PostgreSQL ``bench_clues``), migrated to head. Timed,
each committed as the confirm request would be:

- ``seed``: every 20th work order (5 000) imported first: ~5 % of the big file already held;
- ``import``: ``imports.check`` then ``imports.apply`` of a 100 000-row CSV export (generated
  rows, the seeded 5 000 among them: merged, not created) — rows/s over check + apply + commit;
- ``reimport``: the same file again (every row a duplicate: 100 000 merges);
- ``before``: the per-row path the import used before it was chunked (``service.new_event``
  flushing around each row), re-created here, on 10 000 fresh rows — for the comparison in
  docs/benchmarks-clues.md;
- the audit chain is verified at the end.

Run: ``python -m bench --only clues --db both`` (or ``python -m bench.clues [sqlite|postgresql]
[rows]``).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from wurao.auth.permissions import Role
from wurao.auth.scope import Actor
from wurao.core import audit, migrate
from wurao.core.db import Base, make_engine
from wurao.core.time import utcnow
from wurao.oversight.clues import imports, service
from wurao.oversight.clues.statuses import ClueStatus
from wurao.oversight.models import Clue

DATA_DIR = Path(__file__).resolve().parent / "data"
SQLITE_PATH = DATA_DIR / "clues.sqlite3"
PG_BASE = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432"
PG_NAME = "bench_clues"
ROWS = 100_000
HELD_PCT = 5  # ~5 % of the file already imported (every 20th work order)
BEFORE_ROWS = 10_000
MAPPING = {
    "work_order_no": "工单编号",
    "description": "诉求内容",
    "subject_text": "被反映单位",
    "reporter_name": "反映人",
    "reporter_contact": "联系电话",
    "received_at": "受理时间",
    "problem_type": "问题类型",
}
SUPERVISOR = Actor(
    user_id=None,
    username="bench_kc_sfj",
    display_name="柯城区司法局（基准测试）",
    role=Role.SUPERVISOR,
    region_code="330802",
)
COMPLAINTS = (
    "同一周内三个部门先后上门检查，要求重复提交材料",
    "检查人员未出示行政执法证件，也未扫码亮证",
    "检查后以整改为名推荐指定机构收费",
    "反映执法人员态度粗暴，现场拍照后未告知结果",
    "举报涉企检查未纳入年度计划，频次过高",
)
TYPES = ("逐利执法", "执法不规范", "低质量执法", "协作不畅", "不作为", "其他", "")
UNITS = ("柯城区市场监管局", "柯城区应急管理局", "柯城区生态环境分局", "柯城区消防救援大队")


def url_for(db: str) -> str:
    """The benchmark's own database (SQLite file or PostgreSQL ``bench_clues``)."""
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


def export(numbers: range, *, seed: int = 2026) -> bytes:
    """A 12345 CSV export (UTF-8) with one generated work order per number."""
    rng = random.Random(seed)
    lines = [",".join(MAPPING.values())]
    for n in numbers:
        day = 1 + n % 28
        lines.append(
            f"GD2026{n:08d},{rng.choice(COMPLAINTS)}（工单{n}）,{rng.choice(UNITS)},"
            f"市民{n % 997},139{n:08d},2026-03-{day:02d} {9 + n % 9:02d}:{n % 60:02d},"
            f"{rng.choice(TYPES)}"
        )
    return "\r\n".join(lines).encode("utf-8")


def _timed_import(session: Session, data: bytes) -> dict[str, Any]:
    t0 = time.perf_counter()
    report = imports.check(
        session, actor=SUPERVISOR, source="hotline_12345", data=data, filename="工单.csv",
        mapping=MAPPING,
    )  # fmt: skip
    t1 = time.perf_counter()
    imports.apply(session, actor=SUPERVISOR, report=report)
    session.commit()
    t2 = time.perf_counter()
    return {
        "rows": report.total,
        "created": report.created,
        "merged": report.merged,
        "rejected": report.rejected,
        "check_s": round(t1 - t0, 2),
        "apply_commit_s": round(t2 - t1, 2),
        "total_s": round(t2 - t0, 2),
        "rows_per_s": round(report.total / (t2 - t0)),
    }


def _apply_per_row(session: Session, report: imports.ImportReport) -> None:
    """The import's write path before chunking: one unit-of-work flush around each row."""
    existing = {
        c.work_order_no: c
        for c in session.scalars(
            select(Clue).where(
                Clue.source == report.source,
                Clue.work_order_no.in_([v["work_order_no"] for _, v in report.valid]),
            )
        )
    }
    written: list[Base] = []
    now = utcnow()
    for _number, values in report.valid:
        clue = Clue(
            source=report.source,
            region_code=SUPERVISOR.region_code,
            status=ClueStatus.NEW.value,
            created_at=now,
            work_order_no=values["work_order_no"],
            description=values["description"],
            received_at=None,
        )
        session.add(clue)
        existing[clue.work_order_no] = clue
        event = service.new_event(session, clue=clue, actor=SUPERVISOR, action="receive")
        written += [clue, event]
    audit.record(
        session, actor=SUPERVISOR, action="clue.import", object_type="clue",
        object_id=f"file:{report.digest[:16]}", summary="基准测试：逐行写入", covers=written,
    )  # fmt: skip


def _before(session: Session, data: bytes) -> dict[str, Any]:
    report = imports.check(
        session, actor=SUPERVISOR, source="hotline_12345", data=data, filename="工单.csv",
        mapping=MAPPING,
    )  # fmt: skip
    t0 = time.perf_counter()
    _apply_per_row(session, report)
    session.commit()
    t1 = time.perf_counter()
    report2 = imports.check(
        session, actor=SUPERVISOR, source="hotline_12348", data=data, filename="工单.csv",
        mapping=MAPPING,
    )  # fmt: skip
    t2 = time.perf_counter()
    imports.apply(session, actor=SUPERVISOR, report=report2)
    session.commit()
    t3 = time.perf_counter()
    return {
        "rows": report.total,
        "per_row_apply_s": round(t1 - t0, 2),
        "chunked_apply_s": round(t3 - t2, 2),
        "per_row_rows_per_s": round(report.total / (t1 - t0)),
        "chunked_rows_per_s": round(report.total / (t3 - t2)),
    }


def run(db: str, rows: int = ROWS) -> dict[str, Any]:
    """Load, import, re-import and compare; the figures as a dict."""
    url = fresh(db)
    engine = make_engine(url)
    result: dict[str, Any] = {"suite": "clues", "db": db, "rows": rows, "chunk": imports.CHUNK}
    big = export(range(1, rows + 1))
    with Session(engine) as session:
        result["seed"] = _timed_import(session, export(range(1, rows + 1, 100 // HELD_PCT)))
        result["import"] = _timed_import(session, big)
        result["reimport"] = _timed_import(session, big)
        result["before"] = _before(session, export(range(10**7, 10**7 + BEFORE_ROWS)))
        clues = session.scalar(select(func.count()).select_from(Clue))
        result["clues"] = clues
        t0 = time.perf_counter()
        verdict = audit.verify_chain(session)
        result["audit_verify"] = {"ok": verdict.ok, "entries": verdict.checked,
                                  "s": round(time.perf_counter() - t0, 2)}  # fmt: skip
    engine.dispose()
    return result


if __name__ == "__main__":
    import json

    which = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    count = int(sys.argv[2]) if len(sys.argv) > 2 else ROWS
    print(json.dumps(run(which, count), ensure_ascii=False, indent=2))
