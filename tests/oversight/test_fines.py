"""Fine revenue (罚没收入): the monthly figures from paid cases and imports, and each fine rule on
a constructed series — F1 FINE-GROWTH, F2 MAX-PENALTY, F2 SAME-AMOUNT, F2 MONTH-END and D15
FINE-SEPARATION — firing above its threshold and not at it (both databases)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.inspections import KC_SCJG, KC_YJJ, QJ_SCJG, subject
from tests.oversight.test_rules import CountyPolicy, county_policy  # noqa: F401 (fixture)
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.cases.models import PenaltyCase
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.time import utcnow
from wurao.discretion.models import BenchmarkRow, BenchmarkTable
from wurao.oversight import engine
from wurao.oversight.fines import queries
from wurao.oversight.fines.models import FineRevenueMonth
from wurao.oversight.models import Alert
from wurao.registry.models import EnforcementSubject

TODAY = dt.date(2026, 12, 5)  # the whole months compared: January to November
_serial = itertools.count(1)


def add_case(
    db: Session,
    s: EnforcementSubject,
    *,
    fine_yuan: int,
    decided_on: dt.date,
    paid_on: dt.date | None = None,
    paid_yuan: int | None = None,
    procedure: str = "ordinary",
    channel: str = "online",
    violation_code: str = "",
    payment_ref: str = "",
) -> PenaltyCase:
    """A decided (and, with ``paid_on``, paid) case written directly: the rules read rows."""
    n = next(_serial)
    paid = paid_on is not None
    case = PenaltyCase(
        number=f"测试罚字〔{decided_on.year}〕F{n}号",
        subject_id=s.id,
        region_code=s.region_code,
        field=s.field,
        year=decided_on.year,
        origin="own",
        procedure=procedure,
        party_kind="enterprise",
        party_name=f"测试企业{n}",
        act_on=decided_on - dt.timedelta(days=40),
        found_on=decided_on - dt.timedelta(days=30),
        filed_on=decided_on - dt.timedelta(days=29),
        status="executed" if paid else "served",
        outcome="penalty",
        decided_on=decided_on,
        decision_kinds="|fine|",
        fine_fen=fine_yuan * 100,
        served_on=decided_on,
        paid_on=paid_on,
        paid_fen=(fine_yuan if paid_yuan is None else paid_yuan) * 100 if paid else 0,
        paid_channel=channel if paid else "",
        payment_ref=payment_ref or (f"REF{n}" if paid and channel != "on_spot" else ""),
        violation_code=violation_code,
        created_at=utcnow(),
    )
    db.add(case)
    db.flush()
    audit.record(db, actor=SYSTEM_ACTOR, action="case.test", obj=case)
    return case


def add_month(db: Session, s: EnforcementSubject, month: dt.date, yuan: int) -> FineRevenueMonth:
    row = FineRevenueMonth(
        subject_id=s.id,
        region_code=s.region_code,
        month=month,
        amount_fen=yuan * 100,
        imported_at=utcnow(),
    )
    db.add(row)
    db.flush()
    audit.record(db, actor=SYSTEM_ACTOR, action="fines.test", obj=row)
    return row


def alerts(db: Session, rule: catalogue.RuleDef) -> list[Alert]:
    return list(db.scalars(select(Alert).where(Alert.rule_id == rule.id).order_by(Alert.id)))


def sweep(db: Session, rule: catalogue.RuleDef) -> int:
    return engine.sweep(db, today=TODAY, only=[rule.id]).raised[rule.id]


# --- the monthly figures ----------------------------------------------------------------------


def test_monthly_figures_count_paid_cases_by_payment_month(db: Session, personas: Personas) -> None:
    s = subject(db, KC_SCJG)
    add_case(db, s, fine_yuan=1000, decided_on=dt.date(2026, 1, 20), paid_on=dt.date(2026, 2, 3))
    add_case(db, s, fine_yuan=2000, decided_on=dt.date(2026, 2, 10), paid_on=dt.date(2026, 2, 28))
    add_case(  # the D16 surcharge is part of what was paid
        db,
        s,
        fine_yuan=500,
        decided_on=dt.date(2026, 3, 1),
        paid_on=dt.date(2026, 3, 31),
        paid_yuan=560,
    )
    add_case(db, s, fine_yuan=9000, decided_on=dt.date(2026, 3, 2))  # not paid: not counted
    found = queries.table(db, actor=personas.supervisor, year=2026, today=TODAY)
    (row,) = [r for r in found.rows if r.key == str(s.id)]
    assert row.now.months[:4] == [0, 300_000, 56_000, 0]
    assert row.now.sources[:4] == ["", queries.CASES, queries.CASES, ""]
    assert row.total == 356_000 and row.last_total == 0 and row.growth is None
    page = queries.paid_cases(db, actor=personas.supervisor, year=2026, month=2, subject_id=s.id)
    assert page.total == 2


def test_an_imported_month_replaces_the_cases_of_that_month(
    db: Session, personas: Personas
) -> None:
    s = subject(db, KC_SCJG)
    add_case(db, s, fine_yuan=1000, decided_on=dt.date(2025, 3, 1), paid_on=dt.date(2025, 3, 5))
    add_month(db, s, dt.date(2025, 3, 1), 4000)
    add_month(db, s, dt.date(2025, 4, 1), 2500)
    add_case(db, s, fine_yuan=3000, decided_on=dt.date(2026, 3, 1), paid_on=dt.date(2026, 3, 9))
    found = queries.table(db, actor=personas.supervisor, year=2026, today=TODAY)
    (row,) = [r for r in found.rows if r.key == str(s.id)]
    assert row.last.months[2:4] == [400_000, 250_000]
    assert row.last.sources[2:4] == [queries.IMPORTED, queries.IMPORTED]
    assert row.total == 300_000 and row.last_total == 650_000
    assert row.growth == pytest.approx(-350_000 / 650_000)
    by_region = queries.table(db, actor=personas.supervisor, year=2026, today=TODAY, by="region")
    assert [r.key for r in by_region.rows] == ["330802"]
    assert by_region.total.last_total == 650_000


def test_cross_region_figures_are_not_seen(db: Session, personas: Personas) -> None:
    s = subject(db, KC_SCJG)
    add_case(db, s, fine_yuan=1000, decided_on=dt.date(2026, 3, 1), paid_on=dt.date(2026, 3, 5))
    found = queries.table(db, actor=personas.neighbour_supervisor, year=2026, today=TODAY)
    assert all(r.key != str(s.id) for r in found.rows) and found.total.total == 0
    assert queries.paid_cases(db, actor=personas.neighbour_supervisor, year=2026).total == 0
    with pytest.raises(Exception, match="管辖范围"):
        queries.subject_in_scope(db, actor=personas.neighbour_supervisor, subject_id=s.id)


def test_compared_months_are_the_whole_months_over() -> None:
    assert queries.compared_months(2026, TODAY) == 11
    assert queries.compared_months(2025, TODAY) == 12
    assert queries.compared_months(2026, dt.date(2026, 1, 31)) == 0


# --- F1 FINE-GROWTH ---------------------------------------------------------------------------


def _growth_series(db: Session, this_year_yuan: int, last_monthly_yuan: int = 10_000) -> None:
    s = subject(db, KC_SCJG)
    for m in range(1, 13):
        add_month(db, s, dt.date(2025, m, 1), last_monthly_yuan)  # December not compared
    add_case(
        db,
        s,
        fine_yuan=this_year_yuan,
        decided_on=dt.date(2026, 5, 4),
        paid_on=dt.date(2026, 5, 11),
    )
    add_case(  # paid in December: outside the compared months
        db, s, fine_yuan=999_000, decided_on=dt.date(2026, 11, 20), paid_on=dt.date(2026, 12, 1)
    )


def test_f1_fine_growth_does_not_fire_at_the_threshold(db: Session) -> None:
    _growth_series(db, 132_000)  # 11 × 10 000 last year: +20 % exactly
    assert sweep(db, catalogue.F1_FINE_GROWTH) == 0


def test_f1_fine_growth_fires_above_the_threshold(db: Session) -> None:
    _growth_series(db, 132_001)
    assert sweep(db, catalogue.F1_FINE_GROWTH) == 2  # the subject and its county
    subject_alert, region_alert = alerts(db, catalogue.F1_FINE_GROWTH)
    assert subject_alert.subject_id == subject(db, KC_SCJG).id
    assert "2026年1–11月罚没收入132,001.00元" in subject_alert.detail
    assert "上年同期110,000.00元" in subject_alert.detail and "20.0%" in subject_alert.detail
    assert region_alert.subject_id is None and region_alert.region_code == "330802"
    assert sweep(db, catalogue.F1_FINE_GROWTH) == 0  # once per year


def test_f1_fine_growth_needs_last_years_floor(db: Session) -> None:
    _growth_series(db, 50_000, last_monthly_yuan=900)  # 9 900 yuan < the 10 000 floor
    assert sweep(db, catalogue.F1_FINE_GROWTH) == 0


# --- F2 MAX-PENALTY ---------------------------------------------------------------------------


def _benchmark(db: Session, s: EnforcementSubject) -> None:
    table = BenchmarkTable(
        owner_kind="subject",
        subject_id=s.id,
        region_code=s.region_code,
        level="county",
        field=s.field,
        title="测试裁量基准",
        effective_from=dt.date(2025, 1, 1),
        published=True,
        published_on=dt.date(2025, 1, 1),
        created_at=utcnow(),
    )
    db.add(table)
    db.flush()
    rows = [
        BenchmarkRow(
            table_id=table.id,
            violation_code="V1",
            violation="违法行为一",
            circumstance="general",
            fine_min_fen=100_000,
            fine_max_fen=300_000,
        ),
        BenchmarkRow(
            table_id=table.id,
            violation_code="V1",
            violation="违法行为一",
            circumstance="grave",
            fine_min_fen=300_000,
            fine_max_fen=500_000,
        ),
    ]
    db.add_all(rows)
    db.flush()
    audit.record(db, actor=SYSTEM_ACTOR, action="discretion.test", obj=table, covers=rows)


def _max_series(db: Session, at_top: int, total: int = 20) -> None:
    s = subject(db, KC_SCJG)
    _benchmark(db, s)
    for i in range(total):
        fine = 5000 if i < at_top else 3000  # the top is 5 000 yuan, over every circumstance
        add_case(db, s, fine_yuan=fine, decided_on=dt.date(2026, 3, 2 + i), violation_code="V1")
    # no benchmark for this violation: not judged either way
    add_case(db, s, fine_yuan=5000, decided_on=dt.date(2026, 4, 1), violation_code="X9")


def test_f2_max_penalty_does_not_fire_at_the_threshold(db: Session) -> None:
    _max_series(db, at_top=6)  # 6 of 20 = 30 %
    assert sweep(db, catalogue.F2_MAX_PENALTY) == 0


def test_f2_max_penalty_fires_above_the_threshold(db: Session) -> None:
    _max_series(db, at_top=7)
    assert sweep(db, catalogue.F2_MAX_PENALTY) == 1
    (alert,) = alerts(db, catalogue.F2_MAX_PENALTY)
    assert "罚款决定20件" in alert.detail and "顶格（达到基准幅度上限）7件" in alert.detail
    assert len(engine.evidence_of(alert)) == 7


def test_f2_max_penalty_needs_the_floor_of_cases(db: Session) -> None:
    _max_series(db, at_top=19, total=19)
    assert sweep(db, catalogue.F2_MAX_PENALTY) == 0


# --- F2 SAME-AMOUNT ---------------------------------------------------------------------------


def _same_series(db: Session, same: int, total: int = 20) -> None:
    s = subject(db, KC_YJJ)
    for i in range(total):
        fine = 5000 if i < same else 1000 + 100 * i
        add_case(db, s, fine_yuan=fine, decided_on=dt.date(2026, 6, 1 + i))
    for i in range(10):  # 当场处罚 tickets of one amount are not counted
        add_case(db, s, fine_yuan=200, decided_on=dt.date(2026, 7, 1 + i), procedure="simple")


def test_f2_same_amount_does_not_fire_at_the_threshold(db: Session) -> None:
    _same_series(db, same=10)  # 10 of 20 = 50 %
    assert sweep(db, catalogue.F2_SAME_AMOUNT) == 0


def test_f2_same_amount_fires_above_the_threshold(db: Session) -> None:
    _same_series(db, same=11)
    assert sweep(db, catalogue.F2_SAME_AMOUNT) == 1
    (alert,) = alerts(db, catalogue.F2_SAME_AMOUNT)
    assert "普通程序罚款决定20件" in alert.detail and "5,000.00元的11件" in alert.detail
    assert alert.subject_id == subject(db, KC_YJJ).id


# --- F2 MONTH-END -----------------------------------------------------------------------------


def _month_end_series(db: Session, late: int, total: int = 20) -> None:
    """Months of 30 days: the last 5 days are expected to hold 1/6 of the decisions."""
    s = subject(db, KC_SCJG)
    months = (4, 6, 9, 11)
    for i in range(total):
        month = months[i % 4]
        day = 27 if i < late else 3 + i
        add_case(db, s, fine_yuan=1000 + i, decided_on=dt.date(2026, month, day))
    add_case(db, s, fine_yuan=1000, decided_on=dt.date(2026, 12, 1))  # December is not over


def test_f2_month_end_does_not_fire_at_the_threshold(db: Session) -> None:
    _month_end_series(db, late=6)  # 30 % < 2 × 16.7 %
    assert sweep(db, catalogue.F2_MONTH_END) == 0


def test_f2_month_end_fires_above_the_threshold(db: Session) -> None:
    _month_end_series(db, late=7)  # 35 % > 33.3 %
    assert sweep(db, catalogue.F2_MONTH_END) == 1
    (alert,) = alerts(db, catalogue.F2_MONTH_END)
    assert "罚款决定20件" in alert.detail and "最后5日作出的7件，占35.0%" in alert.detail
    assert "预期占16.7%" in alert.detail


# --- D15 FINE-SEPARATION ----------------------------------------------------------------------


def test_d15_fine_collected_by_the_organ_alerts(db: Session) -> None:
    s = subject(db, KC_SCJG)
    day = dt.date(2026, 5, 6)
    add_case(
        db, s, fine_yuan=100, decided_on=day, paid_on=day, procedure="simple", channel="on_spot"
    )  # 第68条第1项: within the cap
    add_case(db, s, fine_yuan=100, decided_on=day, paid_on=day)  # paid at a bank
    wrong = add_case(
        db,
        s,
        fine_yuan=2000,
        decided_on=day,
        paid_on=day,
        channel="on_spot",
        payment_ref="当事人位于边远山区",
    )
    ticket = add_case(
        db, s, fine_yuan=200, decided_on=day, paid_on=day, procedure="simple", channel="on_spot"
    )
    assert sweep(db, catalogue.D15) == 2
    first, second = alerts(db, catalogue.D15)
    assert first.severity == "WARN"
    assert wrong.number in first.detail and "所写理由：当事人位于边远山区" in first.detail
    assert ticket.number in second.detail and "未写明理由" in second.detail
    assert sweep(db, catalogue.D15) == 0


def test_the_rules_are_keyed_per_subject_and_year(db: Session) -> None:
    other = subject(db, QJ_SCJG)
    for i in range(21):
        add_case(db, other, fine_yuan=5000, decided_on=dt.date(2026, 2, 20 + i % 8))
    assert sweep(db, catalogue.F2_SAME_AMOUNT) == 1
    (alert,) = alerts(db, catalogue.F2_SAME_AMOUNT)
    assert alert.region_code == other.region_code and alert.dedup_key.endswith(f":{other.id}:2026")


def test_a_county_sets_its_own_floor(db: Session, county_policy: CountyPolicy) -> None:  # noqa: F811
    county_policy({"oversight.fine_pattern_min_cases": 30})  # 衢江区 only
    here, there = subject(db, QJ_SCJG), subject(db, KC_SCJG)
    for s in (here, there):
        for i in range(21):
            add_case(db, s, fine_yuan=5000, decided_on=dt.date(2026, 2, 2 + i))
    assert sweep(db, catalogue.F2_SAME_AMOUNT) == 1
    (alert,) = alerts(db, catalogue.F2_SAME_AMOUNT)
    assert alert.subject_id == there.id
