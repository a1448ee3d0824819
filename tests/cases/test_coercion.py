"""Coercive measures (行政强制): each E rule failing and passing, the 30 + 30-day clock across
the National Day holiday with testing time notified and not notified, the freeze's 3 working
days, enforcement at night and on holidays, the court window, scope, documents and the sweep."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from sqlalchemy.orm import Session

from tests.cases import Setup, filed, setup
from tests.conftest import Personas
from tests.inspections import add_officer
from wurao.cases.coercion import access, clocks, documents, enforcement, service, steps
from wurao.cases.coercion.models import CoerciveEnforcement, CoerciveMeasure
from wurao.cases.coercion.service import ItemData, MeasureData
from wurao.core import rules as catalogue
from wurao.core import workdays
from wurao.core.errors import Conflict, Forbidden, NotFound, RuleViolation
from wurao.core.time import LOCAL_TZ
from wurao.oversight import rules_coercion
from wurao.oversight.rule_base import Context

START = dt.date(2026, 9, 15)
CAR = ItemData("小型货车", "1辆", "执法局停车场", identifier="浙H·12345")


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.fixture
def w(db: Session) -> Setup:
    return setup(db)


def data(w: Setup, **changes: object) -> MeasureData:
    values: dict[str, object] = {
        "kind": "detention",
        "reason": "当事人使用该车辆运输不合格产品。",
        "basis": "《中华人民共和国产品质量法》第十八条",
        "officer_ids": tuple(o.id for o in w.officers),
        "items": (CAR,),
        "enterprise_id": w.enterprise.id,
        "heard": True,
    }
    values.update(changes)
    return MeasureData(**values)  # type: ignore[arg-type]


def in_force(
    db: Session, p: Personas, w: Setup, on: dt.date = START, **changes: object
) -> CoerciveMeasure:
    m = service.apply_measure(db, actor=p.officer, data=data(w, **changes), now=at(on, 9))
    steps.approve_measure(db, actor=p.officer, measure=m, approver="王局长", approved_at=at(on))
    return m


def rule_ids(exc: pytest.ExceptionInfo[RuleViolation]) -> set[str]:
    return {v.rule_id for v in exc.value.violations}


# --- E2 ---------------------------------------------------------------------------------------


def test_e2_prior_approval_starts_the_clock(db: Session, personas: Personas, w: Setup) -> None:
    m = service.apply_measure(db, actor=personas.officer, data=data(w), now=at(START, 9))
    assert m.status == "applied" and m.starts_on is None
    assert clocks.measure_deadlines(db, m, START) == []
    steps.approve_measure(
        db, actor=personas.officer, measure=m, approver="王局长", approved_at=at(START)
    )
    assert m.status == "in_force" and m.starts_on == START
    assert m.ends_on == START + dt.timedelta(days=30)


def test_e2_emergency_reported_in_time_is_approved(
    db: Session, personas: Personas, w: Setup
) -> None:
    m = service.apply_measure(
        db,
        actor=personas.officer,
        data=data(w, emergency=True, executed_at=at(START, 20)),
        now=at(START, 21),
    )
    assert m.status == "in_force" and m.starts_on == START
    steps.report_emergency(
        db,
        actor=personas.officer,
        measure=m,
        approver="王局长",
        reported_at=at(START + dt.timedelta(days=1), 19),
        approved=True,
    )
    assert m.approved_at is not None and m.status == "in_force"


def test_e2_emergency_refused_by_the_head_is_released_at_once(
    db: Session, personas: Personas, w: Setup
) -> None:
    m = service.apply_measure(
        db,
        actor=personas.officer,
        data=data(w, emergency=True, executed_at=at(START, 20)),
        now=at(START, 21),
    )
    steps.report_emergency(
        db,
        actor=personas.officer,
        measure=m,
        approver="王局长",
        reported_at=at(START, 22),
        approved=False,
        opinion="不属于情况紧急",
    )
    assert m.status == "released" and m.outcome == "release" and m.outcome_on == START


def test_e2_emergency_reported_after_24_hours_is_refused(
    db: Session, personas: Personas, w: Setup
) -> None:
    m = service.apply_measure(
        db,
        actor=personas.officer,
        data=data(w, emergency=True, executed_at=at(START, 8)),
        now=at(START, 9),
    )
    with pytest.raises(RuleViolation) as exc:
        steps.report_emergency(
            db,
            actor=personas.officer,
            measure=m,
            approver="王局长",
            reported_at=at(START + dt.timedelta(days=1), 9),
            approved=True,
        )
    assert rule_ids(exc) == {catalogue.E2.id}
    assert exc.value.violations[0].evidence["field"] == "reported_at"


# --- E1, E3 -----------------------------------------------------------------------------------


def test_e3_one_officer_is_refused(db: Session, personas: Personas, w: Setup) -> None:
    with pytest.raises(RuleViolation) as exc:
        service.apply_measure(
            db,
            actor=personas.officer,
            data=data(w, officer_ids=(w.officers[0].id,)),
            now=at(START),
        )
    assert rule_ids(exc) == {catalogue.E3.id}


def test_e1_auxiliary_staff_and_another_organs_officer_are_refused(
    db: Session, personas: Personas, w: Setup
) -> None:
    aux = add_officer(db, w.subject, kind="auxiliary", aux_kind="协管员", cert_no=None)
    db.flush()
    ids = (w.officers[0].id, aux.id)
    with pytest.raises(RuleViolation) as exc:
        service.apply_measure(
            db, actor=personas.officer, data=data(w, officer_ids=ids), now=at(START)
        )
    assert rule_ids(exc) == {catalogue.E1.id, catalogue.E3.id}


def test_e3_party_not_heard_and_absent_without_witness_is_refused(
    db: Session, personas: Personas, w: Setup
) -> None:
    with pytest.raises(RuleViolation) as exc:
        service.apply_measure(
            db,
            actor=personas.officer,
            data=data(w, heard=False, party_present=False),
            now=at(START),
        )
    fields = {v.evidence["field"] for v in exc.value.violations}
    assert rule_ids(exc) == {catalogue.E3.id} and fields == {"heard", "witness"}
    ok = service.apply_measure(
        db,
        actor=personas.officer,
        data=data(w, party_present=False, witness="村委会主任李某"),
        now=at(START),
    )
    assert ok.witness == "村委会主任李某"


# --- E4 ---------------------------------------------------------------------------------------


def test_e4_necessities_are_refused(db: Session, personas: Personas, w: Setup) -> None:
    bed = ItemData("床铺被褥", "1套", necessity=True)
    with pytest.raises(RuleViolation) as exc:
        service.apply_measure(
            db, actor=personas.officer, data=data(w, items=(CAR, bed)), now=at(START)
        )
    assert rule_ids(exc) == {catalogue.E4.id}


def test_e4_a_second_seizure_of_the_same_property_is_refused(
    db: Session, personas: Personas, w: Setup
) -> None:
    first = in_force(db, personas, w)
    same = ItemData("小型 货车", "1辆", identifier="浙h 12345")  # spelled differently
    with pytest.raises(RuleViolation) as exc:
        service.apply_measure(
            db, actor=personas.officer, data=data(w, items=(same,)), now=at(START)
        )
    assert rule_ids(exc) == {catalogue.E4.id}
    assert first.number in exc.value.violations[0].detail
    steps.release_measure(db, actor=personas.officer, measure=first, on=START, reason="已查清")
    again = service.apply_measure(
        db, actor=personas.officer, data=data(w, items=(same,)), now=at(START)
    )
    assert again.status == "applied"


# --- E6, E7 -----------------------------------------------------------------------------------


def test_e6_thirty_calendar_days_run_through_the_national_day_holiday(
    db: Session, personas: Personas, w: Setup
) -> None:
    m = in_force(db, personas, w)
    # 30 calendar days: the 1–7 October holiday is counted (DAY-XZQZ: only periods ≤ 10 days
    # are working days)
    assert m.ends_on == dt.date(2026, 10, 15)


def test_e6_testing_time_is_excluded_only_when_notified(
    db: Session, personas: Personas, w: Setup
) -> None:
    told = in_force(db, personas, w)
    steps.add_pause(
        db,
        actor=personas.officer,
        measure=told,
        starts_on=dt.date(2026, 9, 28),
        ends_on=dt.date(2026, 10, 8),
        reason="产品质量检验",
        notified_on=dt.date(2026, 9, 28),
    )
    assert told.ends_on == dt.date(2026, 10, 26)  # 11 days of testing excluded
    untold = in_force(db, personas, w, items=(ItemData("冷柜", "2台", identifier="SN-778"),))
    steps.add_pause(
        db,
        actor=personas.officer,
        measure=untold,
        starts_on=dt.date(2026, 9, 28),
        ends_on=dt.date(2026, 10, 8),
        reason="产品质量检验",
        notified_on=None,
    )
    assert untold.ends_on == dt.date(2026, 10, 15)  # not notified: counted


def test_e6_extension_adds_thirty_days_once_notified_in_writing(
    db: Session, personas: Personas, w: Setup
) -> None:
    m = in_force(db, personas, w)
    with pytest.raises(RuleViolation) as exc:
        steps.extend_measure(
            db,
            actor=personas.officer,
            measure=m,
            approver="王局长",
            on=dt.date(2026, 10, 12),
            notified_on=None,
            reason="需外省协查",
        )
    assert rule_ids(exc) == {catalogue.E6.id}
    steps.extend_measure(
        db,
        actor=personas.officer,
        measure=m,
        approver="王局长",
        on=dt.date(2026, 10, 12),
        notified_on=dt.date(2026, 10, 13),
        reason="需外省协查",
    )
    assert m.status == "extended" and m.ends_on == dt.date(2026, 11, 14)
    with pytest.raises(Conflict):  # once only
        steps.extend_measure(
            db,
            actor=personas.officer,
            measure=m,
            approver="王局长",
            on=dt.date(2026, 10, 20),
            notified_on=dt.date(2026, 10, 20),
            reason="再次",
        )


def test_e6_an_expired_measure_cannot_be_extended(
    db: Session, personas: Personas, w: Setup
) -> None:
    m = in_force(db, personas, w)
    with pytest.raises(RuleViolation) as exc:
        steps.extend_measure(
            db,
            actor=personas.officer,
            measure=m,
            approver="王局长",
            on=dt.date(2026, 10, 16),
            notified_on=dt.date(2026, 10, 16),
            reason="需外省协查",
        )
    assert rule_ids(exc) == {catalogue.E6.id}


def test_e7_confiscation_within_the_period_and_release_only_after_it(
    db: Session, personas: Personas, w: Setup
) -> None:
    late = in_force(db, personas, w)
    with pytest.raises(RuleViolation) as exc:
        steps.decide_measure(
            db,
            actor=personas.officer,
            measure=late,
            outcome="confiscate",
            on=dt.date(2026, 10, 16),
            reason="依法没收",
        )
    assert rule_ids(exc) == {catalogue.E6.id}
    assert clocks.expired(late, [], dt.date(2026, 10, 16))
    steps.decide_measure(
        db,
        actor=personas.officer,
        measure=late,
        outcome="release",
        on=dt.date(2026, 10, 16),
        reason="期限届满",
    )
    assert late.status == "released"
    kept = in_force(db, personas, w)
    steps.decide_measure(
        db,
        actor=personas.officer,
        measure=kept,
        outcome="confiscate",
        on=dt.date(2026, 10, 15),
        reason="系违法运输工具，依法没收",
    )
    assert kept.status == "decided" and not clocks.expired(kept, [], dt.date(2026, 12, 1))


# --- E8 ---------------------------------------------------------------------------------------


def test_e8_freeze_decision_within_three_working_days(
    db: Session, personas: Personas, w: Setup
) -> None:
    account = ItemData("银行存款", "人民币50000元", identifier="6222 0212 0000 1234")
    m = in_force(db, personas, w, on=dt.date(2026, 9, 29), kind="freeze", items=(account,))
    # Tue 29 Sep: Wed 30 Sep, then Thu 8 and Fri 9 Oct (1–7 Oct are holidays)
    assert clocks.E8_NOTICE.deadline(m.starts_on, m.region_code) == dt.date(2026, 10, 9)  # type: ignore[arg-type]
    assert (
        steps.deliver_freeze(db, actor=personas.officer, measure=m, on=dt.date(2026, 10, 9)) == []
    )
    late = in_force(
        db,
        personas,
        w,
        on=dt.date(2026, 9, 29),
        kind="freeze",
        items=(ItemData("银行存款", "人民币1000元", identifier="6222-9999"),),
    )
    found = steps.deliver_freeze(db, actor=personas.officer, measure=late, on=dt.date(2026, 10, 12))
    assert [v.rule_id for v in found] == [catalogue.E8.id]
    assert late.ends_on == dt.date(2026, 10, 29)


# --- E9, E10 ----------------------------------------------------------------------------------


def _enforcement(db: Session, p: Personas, w: Setup, **changes: object) -> CoerciveEnforcement:
    values: dict[str, object] = {
        "obligation": "缴纳罚款人民币20000元",
        "enterprise_id": w.enterprise.id,
        "decision_ref": "柯市监罚决〔2026〕8号",
        "remedy_ends_on": dt.date(2026, 8, 1),
    }
    values.update(changes)
    data = enforcement.EnforcementData(**values)  # type: ignore[arg-type]
    return enforcement.open_enforcement(db, actor=p.officer, data=data, today=dt.date(2026, 9, 1))


def test_e9_no_enforcement_before_the_reminder(db: Session, personas: Personas, w: Setup) -> None:
    enf = _enforcement(db, personas, w)
    with pytest.raises(Conflict):
        enforcement.enforce(
            db, actor=personas.officer, enf=enf, at=at(dt.date(2026, 9, 14)), method="划拨"
        )


def test_e9_night_and_holiday_refused_unless_urgent(
    db: Session, personas: Personas, w: Setup
) -> None:
    enf = _enforcement(db, personas, w)
    enforcement.serve_reminder(
        db, actor=personas.officer, enf=enf, served_on=dt.date(2026, 9, 1), content="限十日内缴纳"
    )
    night = at(dt.date(2026, 9, 15), 23)
    with pytest.raises(RuleViolation) as exc:
        enforcement.enforce(db, actor=personas.officer, enf=enf, at=night, method="拆除")
    assert rule_ids(exc) == {catalogue.E9.id}
    holiday = at(dt.date(2026, 10, 2), 10)
    with pytest.raises(RuleViolation) as exc:
        enforcement.enforce(db, actor=personas.officer, enf=enf, at=holiday, method="拆除")
    assert "法定节假日" in exc.value.violations[0].detail
    enforcement.enforce(
        db,
        actor=personas.officer,
        enf=enf,
        at=holiday,
        method="拆除",
        emergency_reason="违法建筑危及公共安全",
    )
    assert enf.status == "enforced" and enf.emergency_reason


def test_e9_surcharge_needs_thirty_days_and_a_reminder_after_them(
    db: Session, personas: Personas, w: Setup
) -> None:
    early = _enforcement(db, personas, w, surcharge_from=dt.date(2026, 9, 1))
    enforcement.serve_reminder(
        db, actor=personas.officer, enf=early, served_on=dt.date(2026, 9, 20), content="限期缴纳"
    )
    with pytest.raises(RuleViolation):
        enforcement.enforce(
            db, actor=personas.officer, enf=early, at=at(dt.date(2026, 10, 12)), method="划拨"
        )
    ok = _enforcement(db, personas, w, surcharge_from=dt.date(2026, 9, 1))
    enforcement.serve_reminder(
        db, actor=personas.officer, enf=ok, served_on=dt.date(2026, 10, 8), content="限期缴纳"
    )
    enforcement.enforce(
        db, actor=personas.officer, enf=ok, at=at(dt.date(2026, 10, 12)), method="划拨"
    )
    assert ok.status == "enforced"


def test_e9_substitute_three_working_days_after_its_notice(
    db: Session, personas: Personas, w: Setup
) -> None:
    enf = _enforcement(db, personas, w, obligation="拆除违法广告牌")
    enforcement.serve_reminder(
        db, actor=personas.officer, enf=enf, served_on=dt.date(2026, 9, 28), content="限期拆除"
    )
    enforcement.notify_substitute(db, actor=personas.officer, enf=enf, on=dt.date(2026, 9, 29))
    with pytest.raises(RuleViolation) as exc:
        enforcement.substitute(
            db, actor=personas.officer, enf=enf, on=dt.date(2026, 10, 9), how="委托拆除"
        )
    assert rule_ids(exc) == {catalogue.E9.id}
    enforcement.substitute(
        db, actor=personas.officer, enf=enf, on=dt.date(2026, 10, 12), how="委托拆除"
    )
    assert enf.status == "substituted"


def test_e10_court_window(db: Session, personas: Personas, w: Setup) -> None:
    enf = _enforcement(db, personas, w)
    served = dt.date(2026, 9, 14)
    enforcement.serve_reminder(
        db, actor=personas.officer, enf=enf, served_on=served, content="限期缴纳"
    )
    first, last = clocks.court_window(enf)  # type: ignore[misc]
    assert first == workdays.add_working_days(served, 10) + dt.timedelta(days=1)
    assert last == dt.date(2026, 11, 1)  # three months after 1 August
    with pytest.raises(RuleViolation) as exc:
        enforcement.apply_to_court(
            db,
            actor=personas.officer,
            enf=enf,
            on=first - dt.timedelta(days=1),
            court="柯城区人民法院",
        )
    assert rule_ids(exc) == {catalogue.E10.id}
    with pytest.raises(RuleViolation):
        enforcement.apply_to_court(
            db, actor=personas.officer, enf=enf, on=dt.date(2026, 11, 2), court="柯城区人民法院"
        )
    enforcement.apply_to_court(
        db, actor=personas.officer, enf=enf, on=first, court="柯城区人民法院"
    )
    assert enf.status == "court"


# --- scope, documents, sweep -------------------------------------------------------------------


def test_another_subject_or_region_cannot_see_or_act(
    db: Session, personas: Personas, w: Setup
) -> None:
    m = in_force(db, personas, w)
    assert access.get_measure(db, actor=personas.supervisor, measure_id=m.id) is m
    with pytest.raises(NotFound):
        access.get_measure(db, actor=personas.neighbour_supervisor, measure_id=m.id)
    with pytest.raises(NotFound):
        access.get_measure(db, actor=personas.other_officer, measure_id=m.id)
    with pytest.raises(Forbidden):
        steps.release_measure(db, actor=personas.other_officer, measure=m, on=START, reason="x")
    with pytest.raises(Forbidden):
        steps.release_measure(db, actor=personas.supervisor, measure=m, on=START, reason="x")


def test_a_measure_within_a_case_takes_its_party(db: Session, personas: Personas, w: Setup) -> None:
    case = filed(db, personas, w)
    m = in_force(db, personas, w, case_id=case.id, enterprise_id=None)
    assert m.case_id == case.id and m.party_name == case.party_name


def test_documents_open_with_python_docx_and_are_deterministic(
    db: Session, personas: Personas, w: Setup
) -> None:
    m = in_force(db, personas, w)
    steps.extend_measure(
        db,
        actor=personas.officer,
        measure=m,
        approver="王局长",
        on=dt.date(2026, 10, 12),
        notified_on=dt.date(2026, 10, 12),
        reason="需外省协查",
    )
    steps.release_measure(
        db, actor=personas.officer, measure=m, on=dt.date(2026, 10, 20), reason="已查清"
    )
    kinds = documents.available(m)
    assert [k.value for k in kinds] == ["decision", "extension", "release"]
    for kind in kinds:
        row, data = documents.generate(db, actor=personas.officer, owner=m, kind=kind)
        text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
        tables = " ".join(
            c.text for t in Document(io.BytesIO(data)).tables for r in t.rows for c in r.cells
        )
        assert row.number in text and m.party_name in text
        if kind is documents.CoercionDocKind.DECISION:
            assert row.number == m.number and "小型货车" in tables and "扣押" in text
        again, same = documents.generate(db, actor=personas.officer, owner=m, kind=kind)
        assert again.number == row.number and same == data
    _, got = documents.download(db, actor=personas.supervisor, owner=m, kind=kinds[0])
    assert got[:2] == b"PK"
    with pytest.raises(Forbidden):
        documents.generate(db, actor=personas.supervisor, owner=m, kind=kinds[0])


def test_the_reminder_document(db: Session, personas: Personas, w: Setup) -> None:
    enf = _enforcement(db, personas, w)
    assert documents.available(enf) == []
    enforcement.serve_reminder(
        db,
        actor=personas.officer,
        enf=enf,
        served_on=dt.date(2026, 9, 14),
        content="请于十日内缴纳",
    )
    row, data = documents.generate(
        db, actor=personas.officer, owner=enf, kind=documents.CoercionDocKind.REMINDER
    )
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "催告书" in text and "请于十日内缴纳" in text and "催告字" in row.number


def test_the_sweep_raises_e7_once_for_an_expired_measure(
    db: Session, personas: Personas, w: Setup
) -> None:
    expired = in_force(db, personas, w)
    running = in_force(db, personas, w, on=dt.date(2026, 10, 1), items=(ItemData("冷柜", "1台"),))
    ctx = Context(today=dt.date(2026, 10, 20))
    found = list(rules_coercion.expired(db, ctx))
    keys = {f.dedup_key for f in found}
    assert f"E7:{expired.id}" in keys and f"E7:{running.id}" not in keys
    mine = next(f for f in found if f.dedup_key == f"E7:{expired.id}")
    assert "应当立即解除" in mine.detail and mine.region_code == expired.region_code
    steps.release_measure(
        db, actor=personas.officer, measure=expired, on=dt.date(2026, 10, 20), reason="期满"
    )
    assert f"E7:{expired.id}" not in {f.dedup_key for f in rules_coercion.expired(db, ctx)}
