"""Data for the supervision benchmark (bench/oversight.py): a province year of inspections
generated into the 10-million-enterprise databases (PostgreSQL ``wurao_bench``,
``bench/data/sampling_10000000.sqlite3``), reused when present, removed when another count is
asked for.

Generation (one transaction, one covering audit entry): ``tasks`` tasks over last year and this
year to date, on random enterprises of the province (active ones but 2 % of the others; a
quarter of the enterprises inspected 2–5 times, the same lead subject again 40 % of the time).
95 % are done with a finished record (finished at a local daytime of the inspection day, stored
UTC; outcomes none 72 % / rectify 24 % / case 4 %), the rest draft, coded or in progress (an in
progress task has a started record); 45 % are joint (2 subjects, 3 for a quarter of them),
further subjects from the enterprise's county 97 % of the time, otherwise from its prefecture
(with a remote-inspection approval 80 % of the time); two officers of the lead subject each
(with a valid certificate, except for 1.5 % of tasks that take any of its staff); methods onsite
65 % / offsite 25 % / written 10 %; origins plan 50 % / draw 35 % / complaint 15 %; a code on
every coded task and on 99.5 % of started ones (0.5 % of codes late); an evaluation on 30 % of
done tasks (rating 5 60 %, 4 30 %, 3 7 %, ≤ 2 3 %; misconduct 0.5 %). PostgreSQL: Core bulk
inserts in chunks; SQLite: ``executemany`` on the raw DB-API cursor with ``synchronous=OFF``,
a rollback journal, a 2 GB page cache, foreign-key checks off (the rows are built from the
tables they refer to) and the tables' secondary indexes rebuilt after the load. Generated rows
carry ``trigger_ref = 'bench-oversight'`` and ids from 9 000 000 001; they are kept and reused
when their count matches. Other benchmarks' rows (``bench-insp``) are counted and swept too,
never touched. ``onsite_count`` is not maintained (no rule read here uses it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from bench.inspections import DATA_DIR
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import audit
from wurao.core.db import make_engine
from wurao.core.time import LOCAL_TZ, utcnow
from wurao.inspections.models import (
    ActionCode,
    Evaluation,
    InspectionRecord,
    InspectionTask,
    SigningKey,
    TaskOfficer,
    TaskSubject,
)
from wurao.registry.models import EnforcementSubject, Enterprise, Officer

PG_URL = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/wurao_bench"
SQLITE_PATH = DATA_DIR / "sampling_10000000.sqlite3"
MARK = "bench-oversight"
CHUNK = 20_000
ID_BASE = 9_000_000_000

# Every NOT NULL column is listed: the SQLite path bypasses the ORM's Python-side defaults.
COLUMNS: dict[str, tuple[str, ...]] = {
    "inspection_task": (
        "id", "enterprise_id", "region_code", "year", "origin", "trigger_ref", "trigger_reason",
        "method", "window_start", "window_end", "started_without_code_on", "legal_rep_required",
        "status", "created_at",
    ),
    "task_subject": ("task_id", "subject_id", "lead", "remote_approval_ref"),
    "task_officer": ("task_id", "officer_id", "subject_id"),
    "inspection_record": (
        "id", "task_id", "started_at", "ended_at", "ids_shown", "location", "data_source",
        "present_person", "findings", "outcome", "rectify_deadline", "attested", "finished_at",
        "published_at",
    ),
    "action_code": (
        "id", "task_id", "number", "jti", "kid", "token", "issued_at", "valid_from", "valid_to",
        "late", "late_reason", "status", "used_at", "revoked_reason", "warnings",
    ),
    "evaluation": (
        "id", "task_id", "token_hash", "issued_at", "rating", "comment", "misconduct",
        "submitted_at",
    ),
}  # fmt: skip
MODELS: dict[str, Any] = {
    "inspection_task": InspectionTask,
    "task_subject": TaskSubject,
    "task_officer": TaskOfficer,
    "inspection_record": InspectionRecord,
    "action_code": ActionCode,
    "evaluation": Evaluation,
}

Cuts = tuple[tuple[float, Any], ...]
METHOD: Cuts = ((0.65, "onsite"), (0.90, "offsite"), (1.0, "written"))
OUTCOME: Cuts = ((0.72, "none"), (0.96, "rectify"), (1.0, "case"))
ORIGIN: Cuts = ((0.50, "plan"), (0.85, "draw"), (1.0, "complaint"))
OPEN: Cuts = ((1 / 3, "draft"), (2 / 3, "coded"), (1.0, "in_progress"))
RATING: Cuts = ((0.01, 1), (0.03, 2), (0.10, 3), (0.40, 4), (1.0, 5))
REPEATS: Cuts = ((0.50, 2), (0.80, 3), (0.92, 4), (1.0, 5))  # visits of a repeated enterprise
MISCONDUCT = ("no_code", "out_of_scope", "repeated", "solicitation")
FINDINGS = {
    "none": "",
    "rectify": "发现问题，当场责令限期整改。",
    "case": "发现违法线索，移送立案。",
}


def url_for(db: str) -> str:
    """The province-scale database of ``db``."""
    return f"sqlite:///{SQLITE_PATH}" if db == "sqlite" else PG_URL


def _pick(rng: random.Random, cuts: Cuts) -> Any:
    r = rng.random()
    for limit, value in cuts:
        if r < limit:
            return value
    return cuts[-1][1]


# --- generation -----------------------------------------------------------------------------


@dataclass
class _Format:
    """How a value reaches the database: as is (SQLAlchemy) or as SQLite stores it."""

    date: Callable[[dt.date], Any] = lambda d: d
    ts: Callable[[dt.datetime], Any] = lambda t: t
    flag: Callable[[bool], Any] = lambda b: b


SQLITE_FORMAT = _Format(
    date=lambda d: d.isoformat(),
    ts=lambda t: t.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
    flag=int,
)


@dataclass
class _Pools:
    """Subjects by county and prefecture, and the staff of each subject."""

    county: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    prefecture: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    region: dict[int, str] = field(default_factory=dict)
    certified: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    staff: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))


def _pools(session: Session, first: dt.date, today: dt.date) -> _Pools:
    pools = _Pools()
    for sid, region in session.execute(
        select(EnforcementSubject.id, EnforcementSubject.region_code).order_by(
            EnforcementSubject.id
        )
    ):
        pools.county[region].append(sid)
        pools.prefecture[region[:4]].append(sid)
        pools.region[sid] = region
    o = Officer
    for oid, sid, kind, active, since, until in session.execute(
        select(o.id, o.subject_id, o.kind, o.active, o.cert_valid_from, o.cert_valid_to).order_by(
            o.id
        )
    ):
        pools.staff[sid].append(oid)
        if kind == "officer" and active and since and until and since <= first and until >= today:
            pools.certified[sid].append(oid)
    return pools


def _enterprises(session: Session, rng: random.Random, wanted: int) -> list[tuple[int, str]]:
    """``wanted`` distinct random enterprises (id, county): active ones, 2 % of the others."""
    top = int(session.scalar(select(func.max(Enterprise.id))) or 0)
    out: list[tuple[int, str]] = []
    seen: set[int] = set()
    while len(out) < wanted and len(seen) < top:
        need = min(top - len(seen), int((wanted - len(out)) * 1.15) + 100)
        ids = sorted(set(rng.sample(range(1, top + 1), need)) - seen)
        seen.update(ids)
        for i in range(0, len(ids), 10_000):
            rows = session.execute(
                select(Enterprise.id, Enterprise.region_code, Enterprise.status)
                .where(Enterprise.id.in_(ids[i : i + 10_000]))
                .order_by(Enterprise.id)
            )
            out += [(e, r) for e, r, s in rows if s == "active" or rng.random() < 0.02]
    return out[:wanted]


def _visits(rng: random.Random, ents: list[tuple[int, str]], tasks: int) -> list[tuple[int, str]]:
    """One entry per task: a quarter of the enterprises come back 2–5 times."""
    visits: list[tuple[int, str]] = []
    for ent in ents:
        visits += [ent] * (1 if rng.random() < 0.75 else _pick(rng, REPEATS))
    while len(visits) < tasks:
        visits.append(ents[rng.randrange(len(ents))])
    del visits[tasks:]
    rng.shuffle(visits)
    return visits


class _Rows:
    """Builds the rows of every table for one task at a time."""

    def __init__(self, rng: random.Random, pools: _Pools, today: dt.date, fmt: _Format) -> None:
        self.rng, self.pools, self.today, self.fmt = rng, pools, today, fmt
        self.first = dt.date(today.year - 1, 1, 1)
        self.now = utcnow()
        self.lead_of: dict[int, int] = {}
        self.tables: dict[str, list[tuple[Any, ...]]] = {t: [] for t in COLUMNS}

    def take(self) -> dict[str, list[tuple[Any, ...]]]:
        """The rows built since the last call."""
        out, self.tables = self.tables, {t: [] for t in COLUMNS}
        return out

    def _at(self, day: dt.date, minutes: int) -> dt.datetime:
        """UTC instant of local ``day`` at 08:30 plus ``minutes``."""
        local = dt.datetime.combine(day, dt.time(8, 30), LOCAL_TZ) + dt.timedelta(minutes=minutes)
        return local.astimezone(dt.UTC)

    def _subjects(self, ent: int, county: str) -> list[tuple[int, str]]:
        rng, pools = self.rng, self.pools
        pool = pools.county.get(county) or pools.prefecture[county[:4]]
        lead = self.lead_of.get(ent)
        if lead is None or rng.random() >= 0.4:
            lead = rng.choice(pool)
        self.lead_of.setdefault(ent, lead)
        out = [(lead, "")]
        if rng.random() < 0.45:
            n = 2 if rng.random() < 0.75 else 3
            while len(out) < n:
                near = rng.random() < 0.97
                sid = rng.choice(pool if near else pools.prefecture[county[:4]])
                if any(sid == s for s, _ in out):
                    continue
                remote = pools.region[sid] != county and rng.random() < 0.8
                out.append((sid, "异地检查批准（基准测试）" if remote else ""))
        return out

    def add(self, tid: int, ent: int, county: str) -> None:
        """Build the task ``tid`` on enterprise ``ent`` and its subjects, officers, record,
        code and evaluation."""
        rng, fmt, today, t = self.rng, self.fmt, self.today, self.tables
        status = "done" if rng.random() < 0.95 else _pick(rng, OPEN)
        method, origin = _pick(rng, METHOD), _pick(rng, ORIGIN)
        if status == "done":
            day = self.first + dt.timedelta(days=rng.randrange((today - self.first).days))
            start = max(day.replace(month=1, day=1), day - dt.timedelta(days=rng.randrange(8)))
            end = day + dt.timedelta(days=rng.randrange(15))
        elif status == "in_progress":
            day = start = today - dt.timedelta(days=rng.randrange(8))
            end = today + dt.timedelta(days=rng.randrange(15))
        else:
            day = start = today + dt.timedelta(days=rng.randrange(21))
            end = start + dt.timedelta(days=rng.randrange(15))
        created = min(self.now, self._at(start - dt.timedelta(days=5 + rng.randrange(10)), 60))
        subjects = self._subjects(ent, county)
        lead = subjects[0][0]
        for i, (sid, approval) in enumerate(subjects):
            t["task_subject"].append((tid, sid, fmt.flag(i == 0), approval))
        pool = self.pools.certified.get(lead) or self.pools.staff[lead]
        officers = rng.sample(pool, min(2, len(pool)))
        if rng.random() < 0.015:  # anyone of the subject's staff, certificate or not
            other = rng.choice(self.pools.staff[lead])
            officers = [*officers[:1], other] if other not in officers else officers
        for oid in officers:
            t["task_officer"].append((tid, oid, lead))
        started = finished = None
        if status in ("in_progress", "done"):
            started = min(self.now, self._at(day, rng.randrange(420)))
        if status == "done":
            assert started is not None
            ended = started + dt.timedelta(minutes=20 + rng.randrange(150))
            finished = ended + dt.timedelta(minutes=rng.randrange(30))
            outcome = _pick(rng, OUTCOME)
            published = finished + dt.timedelta(days=1 + rng.randrange(15))
            keep = rng.random() < 0.98 and published <= self.now
            t["inspection_record"].append(
                (tid, tid, fmt.ts(started), fmt.ts(ended), fmt.flag(True),
                 "企业生产经营场所" if method == "onsite" else "",
                 "" if method == "onsite" else "企业在线报送材料", "企业负责人",
                 FINDINGS[outcome], outcome,
                 fmt.date(day + dt.timedelta(days=15 + rng.randrange(16)))
                 if outcome == "rectify" else None,
                 fmt.flag(True), fmt.ts(finished), fmt.ts(published) if keep else None)
            )  # fmt: skip
        elif started is not None:
            t["inspection_record"].append(
                (tid, tid, fmt.ts(started), None, fmt.flag(True), "", "", "", "", "", None,
                 fmt.flag(False), None, None)
            )  # fmt: skip
        late_on = None
        if status == "coded" or (started is not None and rng.random() < 0.995):
            late = started is not None and rng.random() < 0.005
            if late:
                assert started is not None
                issued = min(
                    self.now, (finished or started) + dt.timedelta(hours=1 + rng.randrange(20))
                )
                late_on = fmt.date(day)
            else:
                issued = min(
                    self.now, self._at(start - dt.timedelta(days=1 + rng.randrange(5)), 90)
                )
            t["action_code"].append(
                (tid, tid, f"{county}-{start.year}-{tid}", f"bo-{tid}", MARK, "-", fmt.ts(issued),
                 fmt.date(start), fmt.date(end), fmt.flag(late), "紧急情况先行检查" if late else "",
                 "used" if finished else "valid", fmt.ts(finished) if finished else None, "", "")
            )  # fmt: skip
        t["inspection_task"].append(
            (tid, ent, county, start.year, origin, MARK,
             "投诉举报线索" if origin == "complaint" else "", method, fmt.date(start),
             fmt.date(end), late_on, fmt.flag(False), status, fmt.ts(created))
        )  # fmt: skip
        if finished is not None and rng.random() < 0.30:
            rating = _pick(rng, RATING)
            bad = rng.choice(MISCONDUCT) if rng.random() < 0.005 else ""
            submitted = min(self.now, finished + dt.timedelta(hours=2 + rng.randrange(168)))
            t["evaluation"].append(
                (tid, tid, hashlib.sha256(f"{MARK}:{tid}".encode()).hexdigest(),
                 fmt.ts(finished), rating, "检查人员态度生硬。" if rating <= 2 else "",
                 bad, fmt.ts(submitted))
            )  # fmt: skip


def _secondary_indexes(cur: sqlite3.Cursor) -> list[str]:
    """Drop the generated tables' own indexes (not the unique constraints); return their DDL."""
    names = ", ".join(f"'{t}'" for t in COLUMNS)
    found = cur.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"  # noqa: S608 - fixed names
        f" AND tbl_name IN ({names})"
    ).fetchall()
    for name, _sql in found:
        cur.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in found]


def generate(url: str, tasks: int, today: dt.date, seed: int = 2026) -> dict[str, Any]:
    """Insert ``tasks`` marked tasks with everything they carry; returns counts and seconds."""
    started = time.perf_counter()
    rng = random.Random(seed)
    eng = make_engine(url)
    sqlite = eng.dialect.name == "sqlite"
    with Session(eng) as session:
        pools = _pools(session, dt.date(today.year - 1, 1, 1), today)
        ents = _enterprises(session, rng, max(1, int(tasks / 1.445)))
        first_id = max(ID_BASE, int(session.scalar(select(func.max(InspectionTask.id))) or 0)) + 1
        if session.get(SigningKey, MARK) is None:
            session.execute(insert(SigningKey).values(kid=MARK, public_x="-", created_at=utcnow()))
            session.commit()
    visits = _visits(rng, ents, tasks)
    rows = _Rows(rng, pools, today, SQLITE_FORMAT if sqlite else _Format())
    out: dict[str, Any] = {
        "enterprises": len(ents),
        "lookups_seconds": round(time.perf_counter() - started, 1),
    }
    counts: dict[str, int] = defaultdict(int)

    def chunks() -> Any:
        for lo in range(0, tasks, CHUNK):
            for i in range(lo, min(tasks, lo + CHUNK)):
                rows.add(first_id + i, *visits[i])
            part = rows.take()
            for table, values in part.items():
                counts[table] += len(values)
            seconds = time.perf_counter() - started
            print(f"  {MARK}: {min(tasks, lo + CHUNK):,} tasks, {seconds:.0f} s", file=sys.stderr)
            yield part

    loaded = time.perf_counter()
    if sqlite:
        eng.dispose()
        out.update(_load_sqlite(chunks()))
    else:
        with Session(eng) as session:
            for part in chunks():
                for table, values in part.items():
                    if values:
                        cols = COLUMNS[table]
                        session.execute(
                            insert(MODELS[table]), [dict(zip(cols, r, strict=True)) for r in values]
                        )
            _audit(session, first_id, tasks, seed)
            session.commit()
        out["load_seconds"] = round(time.perf_counter() - loaded, 1)
    if sqlite:
        with Session(eng) as session:
            _audit(session, first_id, tasks, seed)
            session.commit()
    eng.dispose()
    out["rows"] = dict(counts)
    return out


def _audit(session: Session, first_id: int, tasks: int, seed: int) -> None:
    audit.record(
        session,
        actor=SYSTEM_ACTOR,
        action="bench.generate",
        object_type="inspection_task",
        object_id=f"{first_id}..{first_id + tasks - 1}",
        summary=f"基准测试：批量生成检查任务 {tasks} 个及其主体、人员、笔录、行为码、评价"
        f"（trigger_ref={MARK}，种子 {seed}）",
    )


def _load_sqlite(parts: Any) -> dict[str, Any]:
    """The project's fast SQLite load: one transaction, raw executemany, indexes afterwards."""
    con = sqlite3.connect(SQLITE_PATH, isolation_level=None, timeout=60)
    try:
        cur = con.cursor()
        mode = cur.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        cur.execute("PRAGMA synchronous=OFF")
        cur.execute("PRAGMA cache_size=-2000000")  # 2 GB
        cur.execute("BEGIN IMMEDIATE")
        rebuild = _secondary_indexes(cur)
        t0 = time.perf_counter()
        for part in parts:
            for table, values in part.items():
                if values:
                    cols = COLUMNS[table]
                    cur.executemany(
                        f"INSERT INTO {table} ({', '.join(cols)})"  # noqa: S608 - fixed names
                        f" VALUES ({', '.join('?' * len(cols))})",
                        values,
                    )
        t1 = time.perf_counter()
        for ddl in rebuild:
            cur.execute(ddl)
        t2 = time.perf_counter()
        cur.execute("COMMIT")
        cur.execute("PRAGMA journal_mode=WAL")
    finally:
        con.close()
    return {
        "load_seconds": round(t1 - t0, 1),
        "index_rebuild_seconds": round(t2 - t1, 1),
        "journal_mode_during_load": mode,
    }


def _cleanup(session: Session) -> None:
    """Remove the generated rows (a run with another task count generates anew)."""
    ids = select(InspectionTask.id).where(InspectionTask.trigger_ref == MARK)
    for model in (Evaluation, ActionCode, InspectionRecord, TaskOfficer, TaskSubject):
        session.execute(delete(model).where(model.task_id.in_(ids)))
    session.execute(delete(InspectionTask).where(InspectionTask.trigger_ref == MARK))
