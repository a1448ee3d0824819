"""Penalty cases at province scale: opening and filing a case through the services, the
nightly deadline sweep (F5) over every open case, and a subject's case list page.

The data (bench/cases_data.py): a fresh database per run, 5 000 subjects, 100 000 enterprises
and 200 000 cases of this year bulk loaded. Timed:

- ``open_file``: ``cases.service.open_case`` then ``file_case`` for 200 sample cases of random
  subjects (two officers certified on the day), each committed as a request would be;
- ``sweep``: ``oversight.engine.sweep(only=["F5 CASE-OVERDUE"])`` on an empty alert table,
  with ``rules_cases.candidates`` and the per-case ``case_deadlines`` timed apart (and D20's
  ``publication_candidates`` / ``publication_deadlines``), then the same sweep again (must
  raise 0);
- ``list``: the first page of the busiest subject's cases for one of its officers
  (``cases_visible_to`` + a status filter + ``paginate``, newest first), 20 runs in fresh
  sessions, and the same with the year filter;
- ``fines``: the monthly 罚没收入 read of the whole province (``fines.queries.subject_years``,
  this year and last) and the fine rules' sweep (F1, F2 MAX-PENALTY, F2 SAME-AMOUNT,
  F2 MONTH-END, D15) on an empty alert table, each rule's seconds apart;
- ``coercion``: with 20 000 coercive measures of the year and the D25 filings of the
  qualifying decisions added (``cases_data.measures`` / ``filings``), the E7 sweep rule
  (measures in force past their last day), the D25 late-filing sweep and the fine rules, each
  ``RUNS_SWEEP`` times on an empty alert table (rolled back), median and all runs.

Run: ``python -m bench --only cases --db sqlite`` (or ``python -m bench.cases [sqlite|postgresql]
[cases] [reuse]`` — ``reuse`` times again on the database a previous run loaded).
"""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bench.cases_data import filings, fresh, load, measures, publications, url_for
from wurao.auth.permissions import Role
from wurao.auth.scope import Actor
from wurao.cases import clocks
from wurao.cases.access import cases_visible_to
from wurao.cases.coercion.models import CoerciveMeasure
from wurao.cases.models import PenaltyCase
from wurao.cases.publication import publication_deadlines
from wurao.cases.service import CaseData, file_case, open_case
from wurao.core import rules as catalogue
from wurao.core import workdays
from wurao.core.db import make_engine
from wurao.core.holidays import load_calendar
from wurao.core.paging import paginate
from wurao.core.time import local_today
from wurao.oversight import rules_cases
from wurao.oversight.engine import sweep
from wurao.oversight.filings.models import MajorFiling
from wurao.oversight.fines.queries import subject_years
from wurao.oversight.models import Alert
from wurao.oversight.rule_base import Context
from wurao.registry.models import EnforcementSubject, Enterprise, Officer
from wurao.registry.officers.service import officer_problems

SAMPLE = 200
RUNS = 20
F5 = "F5 CASE-OVERDUE"


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(p99 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "n": len(ordered),
    }


def _officer(subject: EnforcementSubject) -> Actor:
    return Actor(
        user_id=None,
        username="bench",
        display_name="基准测试",
        role=Role.OFFICER,
        region_code=subject.region_code,
        subject_id=subject.id,
    )


def _fit_officers(session: Session, subject: EnforcementSubject, on: dt.date) -> list[int]:
    found = session.scalars(select(Officer).where(Officer.subject_id == subject.id))
    return [o.id for o in found if not officer_problems(o, on, region_code=subject.region_code)]


def open_and_file(eng: Any, today: dt.date, seed: int) -> dict[str, Any]:
    """open_case + file_case + commit, per case, for SAMPLE random subjects."""
    rng = random.Random(f"bench-cases-open:{seed}")
    times: list[float] = []
    with Session(eng) as session:
        subjects = list(session.scalars(select(EnforcementSubject)))
        ents = list(session.scalars(select(Enterprise.id).limit(5000)))
    while len(times) < SAMPLE:
        with Session(eng) as session:
            subject = session.get(EnforcementSubject, rng.choice(subjects).id)
            assert subject is not None
            fit = _fit_officers(session, subject, today)
            if len(fit) < 2:
                continue
            data = CaseData(
                origin="own",
                party_kind="enterprise",
                enterprise_id=rng.choice(ents),
                act_on=today - dt.timedelta(days=20),
                found_on=today - dt.timedelta(days=3),
                facts="当事人销售不合格产品。",
                officer_ids=tuple(fit[:2]),
                provisions_breached="《中华人民共和国产品质量法》第十三条",
                provisions_applied="《中华人民共和国产品质量法》第四十九条",
            )
            actor = _officer(subject)
            t0 = time.perf_counter()
            case = open_case(session, actor=actor, data=data, today=today)
            file_case(session, actor=actor, case=case, on=today)
            session.commit()
            times.append(time.perf_counter() - t0)
    return _ms(times)


def _profile_top(fn: Any, lines: int = 12) -> str:
    prof = cProfile.Profile()
    prof.runcall(fn)
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(lines)
    return out.getvalue()


def sweep_figures(eng: Any, today: dt.date, profile: bool) -> dict[str, Any]:
    """The F5 sweep twice (the second must raise nothing), its candidates and deadlines apart."""
    out: dict[str, Any] = {}
    with Session(eng) as session:
        session.execute(delete(Alert))
        session.commit()
        workdays.configure(lambda: load_calendar(session))
        try:
            ctx = Context(today=today)
            t0 = time.perf_counter()
            found = rules_cases.candidates(session, ctx)
            out["candidates_s"] = round(time.perf_counter() - t0, 3)
            out["candidates"] = len(found)
            t0 = time.perf_counter()
            for case in found:
                clocks.case_deadlines(session, case, today)
            out["case_deadlines_s"] = round(time.perf_counter() - t0, 3)
            t0 = time.perf_counter()  # D20: the decided cases whose publication may be late
            late = rules_cases.publication_candidates(session, ctx)
            out["publication_candidates_s"] = round(time.perf_counter() - t0, 3)
            out["publication_candidates"] = len(late)
            t0 = time.perf_counter()
            for case in late:
                publication_deadlines(session, case, today)
            out["publication_deadlines_s"] = round(time.perf_counter() - t0, 3)
            out["open_cases"] = session.scalar(
                select(func.count()).where(PenaltyCase.closed_on.is_(None))
            )
            session.rollback()
            for label in ("sweep", "sweep_again"):
                t0 = time.perf_counter()
                result = sweep(session, today=today, only=[F5])
                session.commit()
                out[f"{label}_s"] = round(time.perf_counter() - t0, 3)
                out[f"{label}_raised"] = result.raised.get(F5, 0)
                out[f"{label}_phases"] = {k: round(v, 3) for k, v in result.seconds.items()}
            if profile:
                session.expunge_all()
                found = rules_cases.candidates(session, ctx)
                out["profile_case_deadlines"] = _profile_top(
                    lambda: [clocks.case_deadlines(session, c, today) for c in found]
                )
            session.execute(delete(Alert))
            session.commit()
        finally:
            workdays.configure(None)
    return out


FINE_RULES = [
    r.id
    for r in (
        catalogue.F1_FINE_GROWTH,
        catalogue.F2_MAX_PENALTY,
        catalogue.F2_SAME_AMOUNT,
        catalogue.F2_MONTH_END,
        catalogue.D15,
    )
]


def fines_figures(eng: Any, today: dt.date) -> dict[str, Any]:
    """The province's monthly fine revenue read, and the fine rules' sweep (rolled back)."""
    out: dict[str, Any] = {}
    with Session(eng) as session:
        t0 = time.perf_counter()
        figures, _regions = subject_years(
            session, prefix="", first_year=today.year - 1, last_year=today.year
        )
        out["monthly_read_s"] = round(time.perf_counter() - t0, 3)
        out["subject_years"] = len(figures)
        session.execute(delete(Alert))
        t0 = time.perf_counter()
        result = sweep(session, today=today, only=FINE_RULES)
        out["sweep_s"] = round(time.perf_counter() - t0, 3)
        out["raised"] = {k: v for k, v in result.raised.items()}
        out["phases"] = {k: round(v, 3) for k, v in result.seconds.items()}
        session.rollback()
    return out


RUNS_SWEEP = 3
MEASURES = 20_000


def _timed_sweep(eng: Any, today: dt.date, only: list[str]) -> dict[str, Any]:
    """``sweep(only=...)`` RUNS_SWEEP times on an empty alert table, each rolled back."""
    runs: list[float] = []
    raised: dict[str, int] = {}
    phases: dict[str, float] = {}
    notes: list[str] = []
    with Session(eng) as session:
        workdays.configure(lambda: load_calendar(session))
        try:
            for _ in range(RUNS_SWEEP):
                session.execute(delete(Alert))
                t0 = time.perf_counter()
                result = sweep(session, today=today, only=only)
                session.flush()
                runs.append(time.perf_counter() - t0)
                raised = dict(result.raised)
                phases = {k: round(v, 3) for k, v in result.seconds.items()}
                notes = result.notes[:3]
                session.rollback()
                session.expunge_all()
        finally:
            workdays.configure(None)
    return {
        "median_s": round(statistics.median(runs), 3),
        "runs_s": [round(r, 3) for r in runs],
        "raised": raised,
        "phases": phases,
        "notes": notes,
    }


def coercion_figures(eng: Any, today: dt.date) -> dict[str, Any]:
    """E7, D25 and the fine rules over the measures, filings and cases of the year."""
    with Session(eng) as session:
        m = CoerciveMeasure
        out: dict[str, Any] = {
            "measures": session.scalar(select(func.count()).select_from(m)),
            "running_past_ends_on": session.scalar(
                select(func.count()).where(
                    m.status.in_(("in_force", "extended")), m.ends_on < today
                )
            ),
            "filings": session.scalar(select(func.count()).select_from(MajorFiling)),
        }
    out["E7"] = _timed_sweep(eng, today, [catalogue.E7.id])
    out["D25"] = _timed_sweep(eng, today, [catalogue.D25.id])
    out["fines"] = _timed_sweep(eng, today, FINE_RULES)
    return out


def list_figures(eng: Any) -> dict[str, Any]:
    """The first page of the busiest subject's cases for one of its officers."""
    with Session(eng) as session:
        busiest, count = session.execute(
            select(PenaltyCase.subject_id, func.count())
            .group_by(PenaltyCase.subject_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        subject = session.get(EnforcementSubject, busiest)
        assert subject is not None
        actor = _officer(subject)
        year = int(session.scalar(select(func.max(PenaltyCase.year))) or 0)
    out: dict[str, Any] = {"subject_cases": count}
    filters: dict[str, Callable[[Select[Any]], Select[Any]]] = {
        "status_investigating": lambda s: s.where(PenaltyCase.status == "investigating"),
        "year": lambda s: s.where(PenaltyCase.year == year),
        "year_and_status_closed": lambda s: s.where(
            PenaltyCase.year == year, PenaltyCase.status == "closed"
        ),
    }
    for name, where in filters.items():
        times, total = [], 0
        for _ in range(RUNS):
            with Session(eng) as session:
                t0 = time.perf_counter()
                stmt = where(cases_visible_to(actor)).order_by(PenaltyCase.id.desc())
                found = paginate(session, stmt, 1)
                times.append(time.perf_counter() - t0)
                total = found.total
        out[name] = {**_ms(times), "total": total}
    return out


def _loaded(db: str, cases: int) -> bool:
    """Whether the benchmark database already holds the cases (a rerun of the timings)."""
    try:
        eng = make_engine(url_for(db))
        with Session(eng) as session:
            n = session.scalar(select(func.count()).select_from(PenaltyCase))
        eng.dispose()
    except SQLAlchemyError:
        return False
    return int(n or 0) >= cases


def run(
    db: str, *, cases: int = 200_000, seed: int = 2026, profile: bool = True, reuse: bool = False
) -> dict[str, Any]:
    """Load the cases into a fresh database of ``db`` (or, with ``reuse``, keep the one loaded
    before) and time the three operations."""
    today = local_today()
    result: dict[str, Any] = {"db": db, "today": today.isoformat(), "load": {"reused": True}}
    if not (reuse and _loaded(db, cases)):
        result["load"] = load(fresh(db), cases=cases, today=today, seed=seed)
    eng = make_engine(url_for(db))
    with Session(eng) as session:  # a database loaded before the publication rows existed
        result["load"]["publications_added"] = publications(session, seed=seed)
        session.commit()
        t0 = time.perf_counter()
        result["load"]["measures"] = measures(session, count=MEASURES, today=today, seed=seed)
        session.commit()
        result["load"]["filings"] = filings(session, today=today, seed=seed)
        session.commit()
        result["load"]["coercion_filings_s"] = round(time.perf_counter() - t0, 2)
    try:
        result["sweep"] = sweep_figures(eng, today, profile)
        result["list"] = list_figures(eng)
        result["fines"] = fines_figures(eng, today)
        result["coercion"] = coercion_figures(eng, today)
        result["open_file"] = open_and_file(eng, today, seed)
    finally:
        eng.dispose()
    return result


if __name__ == "__main__":
    import json

    from wurao.wiring import register_handlers

    register_handlers()
    which = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    again = "reuse" in sys.argv[3:]
    print(json.dumps(run(which, cases=n, reuse=again), ensure_ascii=False, indent=2, default=str))
