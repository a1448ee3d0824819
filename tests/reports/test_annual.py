"""Annual statistics (#16) against a small data set computed by hand (docs/indicators.md).

Subjects A (柯城区市场监管局) and B (柯城区应急管理局), enterprises e1–e3 in 330802; the local
(Beijing) day each record was finished:

    T1 e1 [A, B] onsite  plan      none     2025-03-10   joint
    T2 e1 [A]    offsite draw      rectify  2025-04-05   non-site, problem
    T3 e2 [A]    written complaint case     2025-05-20   non-site, problem
    T4 e2 [B]    onsite  draw      none     2025-06-01
    T5 e1 [A]    onsite  plan      rectify  2025-09-01   problem: e1 again within 12 months
    T6 e3 [A]    onsite  plan      rectify  2024-08-01   last year
    T7 e3 [A]    onsite  special   rectify  2025-10-01   problem; T6 is 14 months before
    T8 e3 [A]    in progress, no record                  not an inspection
    T9 e2 [A]    onsite  unplanned none     2025-12-31 23:30 local (15:30 UTC): counts in 2025

A 2025: 6 inspections (T1 T2 T3 T5 T7 T9): onsite 4, offsite 1, written 1; plan 2, draw 1,
complaint 1, special 1, unplanned 1; joint 1 (1/6); non-site 2 (2/6); problems 4 (4/6);
双随机 share of routine (plan + draw) 1/3; problem enterprises e1 e2 e3 = 3, again e1 = 1.
B 2025: T1 T4 = 2, joint 1. Region 330802: 7 (T1 once), joint 1, draw 2 of routine 4.
Evaluations: T1 rated 5, T2 rated 1 → A: 2, mean 3.0, satisfied 1/2; B: 1, mean 5.0, 1/1.
Cases of A: c1 filed 2025-03-01, penalty decided 2025-06-01 (fine 5,000.00, confiscation
1,000.00), paid 2025-06-20, closed 2025-07-01; c2 filed 2024-12-20, no penalty 2025-02-01;
c3 simple, penalty 2025-08-08 (fine 200.00); c4 filed 2025-12-01 → filed 2, penalty 2,
no penalty 1, simple 1, closed 1, fines 520,000 fen, confiscation 100,000, paid 500,000.
Coercion of A: seizure in force from 2025-05-01, detention released from 2025-07-01, a
seizure still applied (not counted), a freeze from 2024-12-30 (last year) → 2 (1, 1, 0).
Filings of A: decided 2025-06-01 filed, 2025-11-01 not filed → 2, 1.
Clues of A: received 2025-04-01 closed 2025-04-20; received 2025-12-31 20:00 local → 2, 1.
Rectification of A: due 2025-05-10 answered 05-08 accepted (on time), due 06-10 answered 06-15
accepted (late), due 07-01 open, due 08-01 withdrawn (excluded), due 2026-01-05 (excluded)
→ 3 due, 1 on time.
Items: T1 and T2 used i1, T3 used i2; i3 never used.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.inspections import add_enterprise, add_item, subject
from tests.oversight.test_rules import KC_SCJG, KC_YJJ, NOW, make_task
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.cases.coercion.models import CoerciveMeasure
from wurao.cases.models import PenaltyCase
from wurao.core import audit
from wurao.core.time import LOCAL_TZ
from wurao.inspections.models import Evaluation, InspectionRecord, InspectionTask, TaskItem
from wurao.oversight.filings.models import MajorFiling
from wurao.oversight.models import Clue
from wurao.oversight.rectification.models import RectificationItem
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem
from wurao.reports.annual import figures, service

TODAY = dt.date(2026, 2, 10)
LAST = dt.date(2025, 12, 31)
_n = itertools.count(1)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A local (Beijing) time of ``day``, as the UTC instant the database stores."""
    return dt.datetime.combine(day, dt.time(hour, minute), LOCAL_TZ).astimezone(dt.UTC)


def done(
    db: Session, ent: Enterprise, subjects: list[EnforcementSubject], day: dt.date, **kw: object
) -> InspectionTask:
    finished = kw.pop("finished", at(day))
    return make_task(db, ent, subjects, start=day, finished=finished, **kw)  # type: ignore[arg-type]


def _case(db: Session, s: EnforcementSubject, **kw: object) -> PenaltyCase:
    n = next(_n)
    values: dict[str, object] = {
        "number": f"TEST-ANNUAL-{n}",
        "subject_id": s.id,
        "region_code": s.region_code,
        "year": 2025,
        "origin": "own",
        "party_kind": "enterprise",
        "party_name": f"当事人{n}",
        "act_on": dt.date(2025, 1, 5),
        "found_on": dt.date(2025, 1, 6),
        "status": "investigating",
        "created_at": NOW,
    }
    values.update(kw)
    return PenaltyCase(**values)


def _measure(db: Session, s: EnforcementSubject, kind: str, status: str, starts: dt.date | None):
    n = next(_n)
    return CoerciveMeasure(
        number=f"TEST-M-{n}",
        kind=kind,
        subject_id=s.id,
        region_code=s.region_code,
        party_name=f"当事人{n}",
        reason="涉嫌违法",
        basis="产品质量法",
        status=status,
        starts_on=starts,
        created_at=NOW,
    )


@dataclass
class Data:
    a: EnforcementSubject
    b: EnforcementSubject
    tasks: list[InspectionTask]
    items: list[InspectionItem]


def build(db: Session) -> Data:
    """The data set of the module docstring."""
    a, b = subject(db, KC_SCJG), subject(db, KC_YJJ)
    e1, e2, e3 = add_enterprise(db), add_enterprise(db), add_enterprise(db)
    d = dt.date
    t = [
        done(db, e1, [a, b], d(2025, 3, 10)),
        done(db, e1, [a], d(2025, 4, 5), method="offsite", origin="draw", outcome="rectify"),
        done(db, e2, [a], d(2025, 5, 20), method="written", origin="complaint", outcome="case"),
        done(db, e2, [b], d(2025, 6, 1), origin="draw"),
        done(db, e1, [a], d(2025, 9, 1), outcome="rectify"),
        done(db, e3, [a], d(2024, 8, 1), outcome="rectify"),
        done(db, e3, [a], d(2025, 10, 1), origin="special", outcome="rectify"),
        done(db, e3, [a], d(2025, 10, 5), status="in_progress", outcome=None),
        done(db, e2, [a], d(2025, 12, 31), origin="unplanned", finished=at(LAST, 23, 30)),
    ]  # fmt: skip
    field = a.field
    items = [add_item(db, field), add_item(db, field), add_item(db, field)]
    rows: list[object] = [
        TaskItem(task_id=t[0].id, item_id=items[0].id, subject_id=a.id),
        TaskItem(task_id=t[1].id, item_id=items[0].id, subject_id=a.id),
        TaskItem(task_id=t[2].id, item_id=items[1].id, subject_id=a.id),
    ]
    for task, rating in ((t[0], 5), (t[1], 1)):
        rows.append(
            Evaluation(
                task_id=task.id, token_hash=f"a{task.id}", issued_at=NOW, rating=rating,
                submitted_at=NOW,
            )
        )  # fmt: skip
    rows += [
        _case(db, a, filed_on=d(2025, 3, 1), decided_on=d(2025, 6, 1), outcome="penalty",
              fine_fen=500_000, confiscation_fen=100_000, paid_on=d(2025, 6, 20),
              paid_fen=500_000, closed_on=d(2025, 7, 1), status="closed"),
        _case(db, a, filed_on=d(2024, 12, 20), decided_on=d(2025, 2, 1), outcome="no_penalty",
              status="decided", year=2024),
        _case(db, a, procedure="simple", decided_on=d(2025, 8, 8), outcome="penalty",
              fine_fen=20_000, status="served"),
        _case(db, a, filed_on=d(2025, 12, 1)),
        _case(db, b, filed_on=d(2025, 4, 1)),
        _measure(db, a, "seizure", "in_force", d(2025, 5, 1)),
        _measure(db, a, "detention", "released", d(2025, 7, 1)),
        _measure(db, a, "seizure", "applied", None),
        _measure(db, a, "freeze", "in_force", d(2024, 12, 30)),
    ]  # fmt: skip
    for decided, filed in ((d(2025, 6, 1), d(2025, 6, 5)), (d(2025, 11, 1), None)):
        rows.append(
            MajorFiling(
                region_code=a.region_code, subject_id=a.id, kind="penalty", source_id=next(_n),
                title="重大决定", decided_on=decided, filed_on=filed, created_at=NOW,
                status="filed" if filed else "due",
            )
        )  # fmt: skip
    for created, closed in (
        (at(d(2025, 4, 1)), at(d(2025, 4, 20))),
        (at(d(2025, 12, 31), 20), None),
    ):
        rows.append(
            Clue(
                source="hotline", region_code=a.region_code, subject_id=a.id,
                description="反映问题", created_at=created, closed_at=closed,
                status="closed" if closed else "routed",
            )
        )  # fmt: skip
    for due, status, answered in (
        (d(2025, 5, 10), "accepted", at(d(2025, 5, 8))),
        (d(2025, 6, 10), "accepted", at(d(2025, 6, 15))),
        (d(2025, 7, 1), "open", None),
        (d(2025, 8, 1), "withdrawn", None),
        (d(2026, 1, 5), "open", None),
    ):
        rows.append(
            RectificationItem(
                region_code=a.region_code, subject_id=a.id, source_kind="alert", source_id=1,
                title="整改", status=status, opened_on=d(2025, 1, 2), due_on=due,
                answered_at=answered,
            )
        )  # fmt: skip
    db.add_all(rows)
    db.flush()
    audit.record(db, actor=SYSTEM_ACTOR, action="test.annual", obj=a, covers=rows)  # type: ignore[arg-type]
    return Data(a, b, t, items)


@pytest.fixture
def data(db: Session) -> Data:
    return build(db)


EXPECTED_A = {
    "inspections": 6, "method_onsite": 4, "method_offsite": 1, "method_written": 1,
    "origin_plan": 2, "origin_draw": 1, "origin_complaint": 1, "origin_special": 1,
    "origin_unplanned": 1, "origin_referral": 0, "origin_monitoring": 0,
    "joint": 1, "joint_rate": 0.1667, "nonsite": 2, "nonsite_share": 0.3333,
    "problem": 4, "problem_rate": 0.6667, "random_share": 0.3333,
    "problem_enterprises": 3, "reoffence_enterprises": 1, "reoffence_rate": 0.3333,
    "evaluations": 2, "evaluation_mean": 3.0, "satisfaction_rate": 0.5,
    "cases_filed": 2, "cases_penalty": 2, "cases_no_penalty": 1, "cases_simple": 1,
    "cases_closed": 1, "fine_fen": 520_000, "confiscation_fen": 100_000, "paid_fen": 500_000,
    "coercion_total": 2, "coercion_seizure": 1, "coercion_detention": 1, "coercion_freeze": 0,
    "filings_due": 2, "filings_filed": 1, "clues_received": 2, "clues_closed": 1,
    "reviews_scored": 0, "reviews_score_mean": 0.0,
    "rect_due": 3, "rect_on_time": 1, "rect_on_time_rate": 0.3333,
}  # fmt: skip


def test_subject_figures_match_the_hand_computed_set(db: Session, data: Data) -> None:
    got = figures.compute(db, figures.Scope(subject=data.a), 2025)
    assert {k: got.figures[k] for k in EXPECTED_A} == EXPECTED_A
    assert got.lists["most_used"][:2] == [
        [data.items[0].code, data.items[0].name, 2],
        [data.items[1].code, data.items[1].name, 1],
    ]
    never = {code for code, _ in got.lists["never_used"]}
    assert data.items[2].code in never and data.items[0].code not in never
    assert got.figures["items_never_used"] == len(got.lists["never_used"])


def test_a_joint_inspection_counts_once_per_subject_and_once_for_the_region(
    db: Session, data: Data
) -> None:
    b = figures.compute(db, figures.Scope(subject=data.b), 2025).figures
    assert (b["inspections"], b["joint"], b["joint_rate"], b["problem"]) == (2, 1, 0.5, 0)
    assert (b["evaluations"], b["evaluation_mean"], b["satisfaction_rate"]) == (1, 5.0, 1.0)
    assert b["cases_filed"] == 1
    region = figures.compute(db, figures.Scope(prefix="330802"), 2025).figures
    assert (region["inspections"], region["joint"], region["problem"]) == (7, 1, 4)
    assert region["random_share"] == 0.5  # draws T2, T4 of routine T1 T2 T4 T5
    assert "items_never_used" not in region
    assert figures.compute(db, figures.Scope(prefix="330803"), 2025).figures["inspections"] == 0


def test_the_draft_stores_the_figures_with_the_query_date(db: Session, data: Data) -> None:
    report = service.generate(db, actor=SYSTEM_ACTOR, subject=data.a, year=2025, today=TODAY)
    stored = service.loads(report.figures)
    assert {k: stored[k] for k in EXPECTED_A} == EXPECTED_A
    assert report.computed_at is not None and report.status == "draft"
    assert service.recompute(db, report) == []


def test_the_current_year_cannot_be_generated(db: Session, data: Data) -> None:
    from wurao.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        service.generate(db, actor=SYSTEM_ACTOR, subject=data.a, year=2026, today=TODAY)


def test_recompute_command_catches_an_edited_record(
    db: Session, data: Data, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``wurao report annual`` exits 0 while the records agree, 1 (printing the figures)
    after a finished record's outcome is changed."""
    from contextlib import contextmanager

    from wurao import cli
    from wurao.reports import cli as reports_cli

    report = service.generate(db, actor=SYSTEM_ACTOR, subject=data.a, year=2025, today=TODAY)

    @contextmanager
    def same_session(write: bool = True):  # type: ignore[no-untyped-def]
        yield db

    monkeypatch.setattr(reports_cli, "session_scope", same_session)
    args = ["report", "annual", "--year", "2025", "--subject", str(data.a.id)]
    ok = CliRunner().invoke(cli.app, args)
    assert ok.exit_code == 0, ok.output
    assert "一致" in ok.output
    record = db.query(InspectionRecord).filter_by(task_id=data.tasks[0].id).one()
    record.outcome = "rectify"  # T1 now found a problem
    db.flush()
    bad = CliRunner().invoke(cli.app, args)
    assert bad.exit_code == 1, bad.output
    assert "problem（发现问题次数）：公布 4，重新计算 5" in bad.output
    assert "problem_rate" in bad.output
    missing = CliRunner().invoke(cli.app, ["report", "annual", "--year", "2024", "--subject", "1"])
    assert missing.exit_code == 2
    assert report.id
