"""The penalty cases of a province year for bench/cases.py: a fresh database per run, 浙江省's
registry at a modest size (5 000 subjects, their officers, 100 000 enterprises) and 200 000
cases found from 1 January to today, bulk loaded (Core inserts, one covering audit entry).

Where each case stands follows from its dates, as the services would have left it: filed a
few days after the lead (a few leads never filed), decided within 20–85 days of filing (a few
later, some still undecided past 90 days), served within days, paid within the 15 days for
most; 20 % simple-procedure (当场处罚) decisions, 3 % 不予立案, 1 % 撤案, 6 % 不予处罚. 5 % of
the filed cases carry a testing suspension and 3 % an approved D3 extension, and every decided
ordinary penalty its D20 publication row (1 % not published), so that the sweep reads the rows
it reads in service. Deterministic (seed 2026). ``measures`` and ``filings`` add 20 000
coercive measures and the D25 filings of the qualifying decisions (#12). The environment
variable ``WURAO_BENCH_CASES_DB`` names another database (PostgreSQL name and SQLite file
stem) than ``bench_cases_d`` / ``cases_d``.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, create_engine, func, insert, select, text, update
from sqlalchemy.orm import Session

from wurao.auth.scope import SYSTEM_ACTOR
from wurao.cases.coercion.models import CoercionPause, CoerciveMeasure
from wurao.cases.models import (
    CaseExtension,
    CasePublication,
    CaseSequence,
    CaseSuspension,
    PenaltyCase,
)
from wurao.cases.publication import PUBLISH_CLOCK
from wurao.core import audit, migrate, workdays
from wurao.core.db import make_engine
from wurao.core.time import utcnow
from wurao.demo.province import generate_province
from wurao.oversight.filings import service as filing_service
from wurao.oversight.filings.models import MajorFiling
from wurao.registry.models import EnforcementSubject, Enterprise

DATA_DIR = Path(__file__).resolve().parent / "data"
SQLITE_PATH = DATA_DIR / f"{os.environ.get('WURAO_BENCH_CASES_DB', 'cases_d')}.sqlite3"
PG_BASE = "postgresql+psycopg://postgres:postgres@127.0.0.1:5432"
PG_NAME = os.environ.get("WURAO_BENCH_CASES_DB", "bench_cases_d")
ENTERPRISES = 100_000
CHUNK = 20_000
FACTS = (
    "当事人销售的电线电缆经抽样检验导体电阻不合格，违反《中华人民共和国产品质量法》第十三条。",
    "当事人经营超过保质期的预包装食品，违反《中华人民共和国食品安全法》第三十四条第十项。",
    "当事人生产经营场所疏散通道堆放杂物，违反《中华人民共和国消防法》第二十八条。",
)


def url_for(db: str) -> str:
    """The benchmark's own database of ``db`` (SQLite file or PostgreSQL bench_cases_d)."""
    if db == "sqlite":
        return f"sqlite:///{SQLITE_PATH}"
    return f"{PG_BASE}/{PG_NAME}"


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


def _day(start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=days)


def _row(
    rng: random.Random,
    n: int,
    subject: tuple[int, str, str, str],
    ent: tuple[int, str],
    found: dt.date,
    today: dt.date,
) -> tuple[dict[str, Any], str]:
    """One case and what it carries apart from its row ('' / 'suspension' / 'extension')."""
    sid, region, field, _name = subject
    r = rng.random()
    row: dict[str, Any] = {
        "id": n,
        "subject_id": sid,
        "region_code": region,
        "field": field,
        "year": found.year,
        "origin": rng.choice(("record", "own", "referral", "own")),
        "procedure": "ordinary",
        "party_kind": "enterprise",
        "enterprise_id": ent[0],
        "party_name": ent[1],
        "act_on": found - dt.timedelta(days=rng.randint(1, 60)),
        "found_on": found,
        "facts": rng.choice(FACTS),
        "provisions_breached": "《中华人民共和国产品质量法》第十三条",
        "provisions_applied": "《中华人民共和国产品质量法》第四十九条",
        "status": "lead",
        "created_at": dt.datetime.combine(found, dt.time(9), dt.UTC),
    }
    extra = ""
    if r < 0.20:  # 当场处罚: decided and handed over the day it was found
        row.update(
            procedure="simple",
            status="closed",
            outcome="penalty",
            decided_on=found,
            decision_kinds="|fine|",
            fine_fen=rng.choice((20_000, 50_000, 100_000)),
            served_on=found,
            served_how="on_spot",
            paid_on=found,
            paid_fen=0,
            payment_due_on=_day(found, 15),
            closed_on=found,
        )
        row["paid_fen"] = row["fine_fen"]
        return row, extra
    filed = _day(found, rng.randint(1, 12) if rng.random() > 0.01 else rng.randint(25, 40))
    if r < 0.23:
        if filed <= today:
            row.update(status="not_filed", closed_on=filed, closing_note="不符合立案条件")
        return row, extra
    if filed > today:
        return row, extra
    row.update(status="investigating", filed_on=filed)
    extra = "suspension" if rng.random() < 0.05 else "extension" if rng.random() < 0.03 else ""
    if r < 0.24:
        row.update(status="withdrawn", closed_on=_day(filed, rng.randint(10, 60)))
        if row["closed_on"] > today:
            row.update(status="investigating", closed_on=None)
        return row, extra
    late = rng.random() < 0.02
    decided = _day(filed, rng.randint(95, 130) if late else rng.randint(20, 85))
    noticed = _day(decided, -rng.randint(8, 15))
    if noticed <= today:
        row.update(
            status="notified",
            notice_kinds="|fine|",
            notice_served_on=noticed,
            notice_fine_fen=rng.choice((500_000, 1_000_000, 3_000_000)),
        )
        if rng.random() < 0.8:
            row["defence_waived"] = True
            row["defence_recorded_on"] = noticed
    review = _day(noticed, 6)
    if review <= today:
        row.update(status="review", review_sent_on=review)
    if decided > today:
        if review <= today and rng.random() < 0.5:
            row.update(status="reviewed", reviewed_on=_day(review, 1), review_passed=True)
        return row, extra
    no_penalty = rng.random() < 0.08
    fine = 0 if no_penalty else row.get("notice_fine_fen", 500_000)
    row.update(
        status="decided",
        outcome="no_penalty" if no_penalty else "penalty",
        decided_on=decided,
        decision_kinds="" if no_penalty else "|fine|",
        fine_fen=fine,
        reviewed_on=_day(review, 1),
        review_passed=True,
    )
    served = _day(decided, rng.randint(1, 9) if rng.random() > 0.01 else rng.randint(15, 30))
    if served > today:
        return row, extra
    row.update(status="served", served_on=served, served_how="direct")
    if fine:
        row["payment_due_on"] = _day(served, 15)
    paid = _day(served, rng.randint(2, 14) if rng.random() > 0.05 else rng.randint(20, 40))
    if not fine:
        row.update(status="closed", closed_on=served)
    elif paid <= today:
        row.update(
            status="closed",
            paid_on=paid,
            paid_fen=fine,
            paid_channel="online",
            payment_ref=f"3300-{found.year}-{n:08d}",
            closed_on=_day(paid, 3),
        )
    return row, extra


def _rows(
    rng: random.Random,
    total: int,
    subjects: list[tuple[int, str, str, str]],
    ents: list[tuple[int, str]],
    today: dt.date,
) -> Iterator[tuple[dict[str, Any], str]]:
    """``total`` cases in the order they were found, numbered per subject and year."""
    first = dt.date(today.year, 1, 1)
    span = (today - first).days
    weights = [rng.paretovariate(1.5) for _ in subjects]  # a few busy subjects, many quiet ones
    picks = rng.choices(range(len(subjects)), weights, k=total)
    founds = sorted(_day(first, rng.randint(0, span)) for _ in range(total))
    seq: Counter[tuple[int, int]] = Counter()
    for n, (k, found) in enumerate(zip(picks, founds, strict=True), start=1):
        subject = subjects[k]
        row, extra = _row(rng, n, subject, rng.choice(ents), found, today)
        seq[(subject[0], found.year)] += 1
        row["number"] = f"{subject[3]}罚立〔{found.year}〕{seq[(subject[0], found.year)]}号"
        yield row, extra


def load(url: str, *, cases: int, today: dt.date, seed: int = 2026) -> dict[str, Any]:
    """Registry, then ``cases`` penalty cases and their suspensions and extensions; seconds."""
    out: dict[str, Any] = {}
    started = time.perf_counter()
    generate_province(url, enterprises=ENTERPRISES, seed=seed)
    out["registry_s"] = round(time.perf_counter() - started, 2)
    eng = make_engine(url)
    rng = random.Random(f"bench-cases:{seed}")
    started = time.perf_counter()
    with Session(eng) as session:
        subjects = [
            tuple(r)
            for r in session.execute(
                select(
                    EnforcementSubject.id,
                    EnforcementSubject.region_code,
                    EnforcementSubject.field,
                    EnforcementSubject.name,
                ).order_by(EnforcementSubject.id)
            )
        ]
        ents = [tuple(r) for r in session.execute(select(Enterprise.id, Enterprise.name))]
        batch: list[dict[str, Any]] = []
        pauses: list[dict[str, Any]] = []
        extensions: list[dict[str, Any]] = []
        status: Counter[str] = Counter()
        last: Counter[tuple[int, int]] = Counter()
        now = utcnow()
        for row, extra in _rows(rng, cases, subjects, ents, today):  # type: ignore[arg-type]
            status[row["status"]] += 1
            last[(row["subject_id"], row["year"])] += 1
            batch.append(row)
            filed = row.get("filed_on")
            if extra == "suspension" and filed is not None:
                pauses.append(
                    {
                        "case_id": row["id"],
                        "kind": "testing",
                        "starts_on": filed,
                        "ends_on": _day(filed, rng.randint(5, 20)),
                        "reason": "产品送检",
                        "created_at": now,
                    }
                )
            elif extra == "extension" and filed is not None:
                extensions.append(
                    {
                        "case_id": row["id"],
                        "days": 30,
                        "approved_on": _day(filed, 80),
                        "approved_by": "局长",
                        "reason": "案情复杂",
                        "created_at": now,
                    }
                )
            if len(batch) >= CHUNK:
                _flush(session, batch)
        _flush(session, batch)
        for model, rows in ((CaseSuspension, pauses), (CaseExtension, extensions)):
            if rows:
                session.execute(insert(model), rows)
        session.execute(
            insert(CaseSequence),
            [{"subject_id": s, "year": y, "last": n} for (s, y), n in last.items()],
        )
        if session.get_bind().dialect.name == "postgresql":  # explicit ids: move the sequence on
            session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('penalty_case', 'id'), "
                    "(SELECT max(id) FROM penalty_case))"
                )
            )
        out["publications"] = publications(session, seed=seed)
        audit.record(
            session,
            actor=SYSTEM_ACTOR,
            action="bench.generate",
            object_type="penalty_case",
            object_id=f"1..{cases}",
            summary=f"基准测试：批量生成行政处罚案件 {cases} 件（种子 {seed}）",
        )
        session.commit()
        out["cases_load_s"] = round(time.perf_counter() - started, 2)
        out["status"] = dict(sorted(status.items()))
        out["suspensions"], out["extensions"] = len(pauses), len(extensions)
        out["cases"] = session.scalar(select(func.count()).select_from(PenaltyCase))
    _analyze(eng)
    eng.dispose()
    return out


def publications(session: Session, *, seed: int = 2026) -> int:
    """The D20 publication row of every decided ordinary penalty case, as ``publish`` leaves
    it: published within the field's period, 1 % not yet (those past due are the sweep's
    D20 findings). Returns the rows written (none when they exist already)."""
    if session.scalar(select(func.count()).select_from(CasePublication)):
        return 0
    rng = random.Random(f"bench-cases-pub:{seed}")
    due = functools.cache(PUBLISH_CLOCK.field_deadline)  # a few hundred distinct days
    c = PenaltyCase
    stmt = select(c.id, c.subject_id, c.region_code, c.field, c.decided_on).where(
        c.procedure == "ordinary", c.outcome == "penalty", c.decided_on.is_not(None)
    )
    now, rows, written = utcnow(), [], 0
    for case_id, subject_id, region, field, decided in session.execute(stmt.order_by(c.id)):
        assert decided is not None
        try:
            last = due(decided, region, field)
        except workdays.UnknownCalendarYear:  # due next year, whose holidays are not known
            continue
        span = max((last - decided).days, 1)
        published = None if rng.random() < 0.01 else _day(decided, rng.randint(1, span))
        rows.append({"case_id": case_id, "subject_id": subject_id, "region_code": region,
                     "field": field, "year": decided.year, "decided_on": decided,
                     "required": True, "due_on": last, "published_on": published,
                     "withdraw_reason": "", "created_at": now})  # fmt: skip
        if len(rows) >= CHUNK:
            session.execute(insert(CasePublication), rows)
            written, rows = written + len(rows), []
    if rows:
        session.execute(insert(CasePublication), rows)
    return written + len(rows)


def _flush(session: Session, batch: list[dict[str, Any]]) -> None:
    """Insert one chunk; rows missing a column get its default (same keys in every dict)."""
    if not batch:
        return
    keys = {k for r in batch for k in r}
    table = PenaltyCase.__table__
    defaults = {c.name: getattr(c.default, "arg", None) for c in table.columns if c.default}
    rows = [{k: r.get(k, defaults.get(k)) for k in keys} for r in batch]
    session.execute(insert(PenaltyCase), rows)
    batch.clear()


def _analyze(eng: Any) -> None:
    tables = ("penalty_case", "case_suspension", "case_extension", "case_publication", "officer")
    if eng.dialect.name == "postgresql":
        with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in tables:
                conn.execute(text(f"VACUUM (ANALYZE) {table}"))
    else:
        with eng.begin() as conn:
            conn.execute(text("ANALYZE"))


# --- coercive measures and major-decision filings (#12) -------------------------------------

MEASURE_KINDS = (("seizure", "查"), ("detention", "扣"), ("freeze", "冻"))
BIG_FINES = (6_000_000, 8_000_000, 12_000_000, 20_000_000)  # 较大数额 and above (单位 5 万元)


def measures(session: Session, *, count: int, today: dt.date, seed: int = 2026) -> dict[str, Any]:
    """``count`` coercive measures of this year (none when they exist already), in every state:
    2 % applied (not yet in effect), those still inside their 30 (+30) days in force or
    extended, the others decided (没收/销毁) or released within their period, but 1.5 % still in
    force past their last day (E7's findings); 8 % carry a testing period, notified in writing
    for 80 % of them. Returns counts by status."""
    if session.scalar(select(func.count()).select_from(CoerciveMeasure)):
        return {"added": 0}
    rng = random.Random(f"bench-coercion:{seed}")
    subjects = list(
        session.execute(
            select(EnforcementSubject.id, EnforcementSubject.region_code, EnforcementSubject.name)
        )
    )
    ents = list(session.execute(select(Enterprise.id, Enterprise.name).limit(50_000)))
    first, now = dt.date(today.year, 1, 1), utcnow()
    span = (today - first).days
    rows: list[dict[str, Any]] = []
    stops: list[dict[str, Any]] = []
    status: Counter[str] = Counter()
    for n in range(1, count + 1):
        sid, region, name = rng.choice(subjects)
        ent_id, ent_name = rng.choice(ents)
        kind, short = rng.choices(MEASURE_KINDS, (45, 45, 10))[0]
        start = _day(first, rng.randint(0, span))
        row: dict[str, Any] = {
            "id": n, "number": f"{name}{short}字〔{start.year}〕{n}号", "kind": kind,
            "subject_id": sid, "region_code": region, "enterprise_id": ent_id,
            "party_name": ent_name, "reason": "涉嫌生产销售不合格产品，需查清事实。",
            "basis": "《中华人民共和国产品质量法》第十八条", "party_present": True,
            "witness": "", "heard": True, "emergency": False, "approver": "局长",
            "approved_at": dt.datetime.combine(start, dt.time(9), dt.UTC),
            "starts_on": start, "notified_on": start if kind == "freeze" else None,
            "extended_on": None, "extension_approver": "", "extension_notified_on": None,
            "extension_reason": "", "ends_on": _day(start, 29), "outcome": "",
            "outcome_on": None, "outcome_reason": "", "created_by_id": None,
            "created_at": dt.datetime.combine(start, dt.time(8), dt.UTC), "status": "in_force",
        }  # fmt: skip
        if rng.random() < 0.02 and (today - start).days < 10:
            row.update(status="applied", starts_on=None, ends_on=None, approved_at=None)
            row["approver"] = ""
        else:
            extend = rng.random() < 0.15
            last = _day(start, 59 if extend else 29)
            if extend and _day(start, 25) <= today:
                row.update(status="extended", extended_on=_day(start, 25), ends_on=last,
                           extension_approver="局长", extension_notified_on=_day(start, 26),
                           extension_reason="案情复杂，需进一步检测")  # fmt: skip
            if rng.random() < 0.08:
                paused = _day(start, rng.randint(3, 10))
                stops.append({"measure_id": n, "starts_on": paused,
                              "ends_on": _day(paused, rng.randint(5, 15)),
                              "notified_on": paused if rng.random() < 0.8 else None,
                              "reason": "产品送检", "created_at": now})  # fmt: skip
            done = _day(start, rng.randint(5, (last - start).days))
            if last < today and rng.random() < 0.015:
                pass  # still holding the property past its last day: E7
            elif done <= today:
                outcome = rng.choices(("confiscate", "destroy", "release"), (50, 10, 40))[0]
                row.update(
                    status="released" if outcome == "release" else "decided",
                    outcome=outcome,
                    outcome_on=done,
                    outcome_reason="已查清事实",
                )
        status[row["status"]] += 1
        rows.append(row)
    for i in range(0, len(rows), CHUNK):
        session.execute(insert(CoerciveMeasure), rows[i : i + CHUNK])
    if stops:
        session.execute(insert(CoercionPause), stops)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('coercive_measure', 'id'), "
                "(SELECT max(id) FROM coercive_measure))"
            )
        )
    audit.record(
        session,
        actor=SYSTEM_ACTOR,
        action="bench.generate",
        object_type="coercive_measure",
        object_id=f"1..{len(rows)}",
        summary=f"基准测试：批量生成行政强制措施 {len(rows)} 项（种子 {seed}）",
    )
    return {"added": len(rows), "pauses": len(stops), "status": dict(sorted(status.items()))}


def filings(session: Session, *, today: dt.date, seed: int = 2026) -> dict[str, Any]:
    """The D25 filings of the qualifying decisions (none when they exist already): 4 % of the
    decided ordinary penalties get a fine of 较大数额 (6–20 万元, updated in place with what
    was noticed and paid) and are judged by ``filings.service.case_grounds``; every 查封/扣押
    that took effect is a coercion filing (``filing.coercion``). 90 % filed within the period,
    5 % filed late, the rest not yet filed (late when past due). Returns counts."""
    if session.scalar(select(func.count()).select_from(MajorFiling)):
        return {"added": 0}
    rng = random.Random(f"bench-filings:{seed}")
    c = PenaltyCase
    decided = session.scalars(
        select(c).where(c.procedure == "ordinary", c.outcome == "penalty",
                        c.decided_on.is_not(None)).order_by(c.id)
    )  # fmt: skip
    due = functools.cache(filing_service.deadline)
    rows: list[dict[str, Any]] = []
    now = utcnow()

    def add(kind: str, source: int, case_id: int | None, subject: int, region: str,
            title: str, grounds: str, on: dt.date) -> None:  # fmt: skip
        last = due(on, region)
        row = {"region_code": region, "subject_id": subject, "kind": kind, "source_id": source,
               "case_id": case_id, "title": title[:300], "grounds": grounds, "decided_on": on,
               "due_on": last, "status": "due", "filed_on": None, "report": "", "opinion": "",
               "returned_times": 0, "created_at": now, "reviewed_at": None}  # fmt: skip
        r = rng.random()
        filed = None
        if last is not None and r < 0.90:
            filed = _day(on, rng.randint(1, max((last - on).days, 1)))
        elif last is not None and r < 0.95:
            filed = _day(last, rng.randint(1, 20))
        if filed is not None and filed <= today:
            accepted = filed + dt.timedelta(days=3) <= today
            row.update(status="accepted" if accepted else "filed", filed_on=filed,
                       report="已按要求报备。")  # fmt: skip
        rows.append(row)

    bumped: list[dict[str, Any]] = []
    for case in list(decided):
        session.expunge(case)  # judged detached: the new fine is written below in one UPDATE
        if rng.random() >= 0.04:
            continue
        big = rng.choice(BIG_FINES)
        case.fine_fen = big
        case.notice_fine_fen = big
        if case.paid_on is not None:
            case.paid_fen = big
        bumped.append({"b_id": case.id, "fine": big, "paid": case.paid_fen})
        grounds = filing_service.case_grounds(case)
        if grounds:
            assert case.decided_on is not None
            add("penalty", case.id, case.id, case.subject_id, case.region_code,
                case.number, "；".join(grounds), case.decided_on)  # fmt: skip
    if bumped:
        session.connection().execute(
            update(PenaltyCase)
            .where(PenaltyCase.id == bindparam("b_id"))
            .values(
                fine_fen=bindparam("fine"),
                notice_fine_fen=bindparam("fine"),
                paid_fen=bindparam("paid"),
            ),
            bumped,
        )
    m = CoerciveMeasure
    for mid, subject, region, number, start, case_id in session.execute(
        select(m.id, m.subject_id, m.region_code, m.number, m.starts_on, m.case_id)
        .where(m.starts_on.is_not(None), m.kind != "freeze")
        .order_by(m.id)
    ):
        assert start is not None
        if filing_service.coercion_required(region, start):
            add("coercion", mid, case_id, subject, region, number,
                "作出查封、扣押等行政强制措施决定", start)  # fmt: skip
    for i in range(0, len(rows), CHUNK):
        session.execute(insert(MajorFiling), rows[i : i + CHUNK])
    audit.record(
        session,
        actor=SYSTEM_ACTOR,
        action="bench.generate",
        object_type="major_filing",
        object_id=f"{len(rows)}",
        summary=f"基准测试：{len(bumped)} 件案件罚款改为较大数额，批量生成重大执法决定备案 "
        f"{len(rows)} 件（种子 {seed}）",
    )
    kinds = Counter(r["kind"] for r in rows)
    return {"fines_raised": len(bumped), "added": len(rows), "by_kind": dict(kinds)}
