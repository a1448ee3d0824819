"""The checks and clocks of rules D1–D18 on unsaved cases: each failing and passing, at, under
and over its threshold (BOUND: 以上/以下 include the number), and versioned by date."""

from __future__ import annotations

import datetime as dt

import pytest

from wurao.cases import clocks
from wurao.cases import rules as checks
from wurao.cases.execution import late_surcharge_fen
from wurao.cases.models import PenaltyCase
from wurao.core import rules as catalogue
from wurao.demo.identifiers import make_ric

ON = dt.date(2026, 9, 29)


def case(**changes: object) -> PenaltyCase:
    values: dict[str, object] = {
        "region_code": "330802",
        "field": "市场监管",
        "party_kind": "enterprise",
        "procedure": "ordinary",
        "act_on": dt.date(2026, 1, 10),
        "act_end_on": None,
        "found_on": dt.date(2026, 9, 1),
        "grave_harm": False,
        "limitation_override": "",
        "complex_case": False,
        "facts": "事实",
        "provisions_applied": "依据",
        "person_ric": "",
        "notice_kinds": "|fine|",
        "notice_fine_fen": 500_000,
        "notice_confiscation_fen": 0,
        "hearing_held_on": None,
        "fine_fen": 0,
        "payment_due_on": None,
        "remedy_from": None,
        "remedy_to": None,
    }
    values.update(changes)
    return PenaltyCase(**values)


def ids(found: list[object]) -> list[str]:
    return [v.rule_id for v in found]  # type: ignore[attr-defined]


# --- D1 -------------------------------------------------------------------------------------


def test_d1_two_years_from_the_act_inclusive() -> None:
    act = dt.date(2024, 3, 1)
    assert checks.limitation_problems(case(act_on=act, found_on=dt.date(2026, 3, 1))) == []
    late = checks.limitation_problems(case(act_on=act, found_on=dt.date(2026, 3, 2)))
    assert ids(late) == [catalogue.D1.id] and late[0].severity == "BLOCK"


def test_d1_five_years_with_grave_harm_and_from_a_continuing_acts_end() -> None:
    act = dt.date(2022, 3, 1)
    found = dt.date(2026, 3, 2)
    assert checks.limitation_problems(case(act_on=act, found_on=found))
    assert checks.limitation_problems(case(act_on=act, found_on=found, grave_harm=True)) == []
    end = dt.date(2024, 6, 1)
    assert checks.limitation_problems(case(act_on=act, act_end_on=end, found_on=found)) == []


def test_d1_grave_harm_before_the_2021_law_keeps_two_years() -> None:
    old = case(act_on=dt.date(2019, 1, 10), found_on=dt.date(2021, 3, 1), grave_harm=True)
    assert ids(checks.limitation_problems(old)) == [catalogue.D1.id]
    excused = case(
        act_on=dt.date(2019, 1, 10),
        found_on=dt.date(2021, 3, 1),
        limitation_override="《税收征收管理法》第八十六条：五年",
    )
    assert checks.limitation_problems(excused) == []


# --- D6 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("party", "fine_yuan", "triggered"),
    [
        ("enterprise", 49_999, False),
        ("enterprise", 50_000, True),  # BOUND: 以上 includes the number
        ("enterprise", 50_001, True),
        ("person", 2_999, False),
        ("person", 3_000, True),
        ("person", 3_001, True),
    ],
)
def test_d6_hearing_trigger_at_under_and_over_the_threshold(
    party: str, fine_yuan: int, triggered: bool
) -> None:
    reasons = checks.hearing_reasons(case(party_kind=party), {"fine"}, fine_yuan * 100, 0, ON)
    assert bool(reasons) is triggered


def test_d6_heavy_kinds_and_confiscation_trigger_whatever_the_fine() -> None:
    assert checks.hearing_reasons(case(), {"warning", "licence_revoke"}, 0, 0, ON)
    assert checks.hearing_reasons(case(), {"confiscation"}, 0, 5_000_000, ON)
    assert checks.hearing_reasons(case(), {"warning", "confiscation"}, 0, 4_999_900, ON) == []


# --- D5, D12, D10, D11 ----------------------------------------------------------------------


def test_d5_no_heavier_than_notified() -> None:
    c = case(notice_kinds="|fine|", notice_fine_fen=500_000)
    assert checks.heavier_problems(c, {"fine"}, 500_000, 0) == []
    assert checks.heavier_problems(c, {"fine"}, 400_000, 0) == []
    assert ids(checks.heavier_problems(c, {"fine"}, 500_100, 0)) == [catalogue.D5.id]
    assert ids(checks.heavier_problems(c, {"fine", "warning"}, 1, 0)) == [catalogue.D5.id]


def test_d12_reasons_are_required_text() -> None:
    good = {
        "kinds": {"fine"},
        "fine_fen": 100_000,
        "confiscation_fen": 0,
        "reasons": "当事人违法所得较少且积极整改，依据裁量基准在幅度内从轻处罚。",
        "remedy": "六十日内申请行政复议",
        "evidence_count": 1,
    }
    assert checks.content_problems(case(), **good) == []  # type: ignore[arg-type]
    blank = checks.content_problems(case(), **{**good, "reasons": "  "})  # type: ignore[arg-type]
    assert ids(blank) == [catalogue.D12.id]
    assert blank[0].evidence["field"] == "reasons"
    no_evidence = checks.content_problems(case(), **{**good, "evidence_count": 0})  # type: ignore[arg-type]
    assert [v.evidence["field"] for v in no_evidence] == ["evidence"]


def test_d10_review_required_for_every_ordinary_case_in_quzhou_only() -> None:
    assert checks.legal_review_reasons(case(), ON)  # 330802 lies in 衢州 (330800)
    assert checks.legal_review_reasons(case(region_code="330102"), ON) == []
    assert checks.legal_review_reasons(case(region_code="330102", complex_case=True), ON)
    assert checks.legal_review_reasons(case(region_code="330102", hearing_held_on=ON), ON)
    # before 衢政办发〔2025〕16号 took effect
    assert checks.legal_review_reasons(case(), dt.date(2025, 5, 9)) == []


def test_d11_collective_discussion_threshold_inclusive() -> None:
    assert checks.discussion_reasons(case(), {"fine"}, 9_999_900, ON) == []
    assert checks.discussion_reasons(case(), {"fine"}, 10_000_000, ON)
    assert checks.discussion_reasons(case(), {"suspension"}, 0, ON)
    assert checks.discussion_reasons(case(complex_case=True), {"warning"}, 0, ON)


# --- D14 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("party", "on", "fine_yuan", "ok"),
    [
        ("person", ON, 200, True),  # "二百元以下" includes 200
        ("person", ON, 201, False),
        ("enterprise", ON, 3_000, True),
        ("enterprise", ON, 3_001, False),
        ("person", dt.date(2021, 7, 14), 51, False),  # 50 yuan before 2021-07-15
        ("person", dt.date(2021, 7, 15), 51, True),
        ("enterprise", dt.date(2021, 7, 14), 1_000, True),
        ("enterprise", dt.date(2021, 7, 14), 1_001, False),
    ],
)
def test_d14_simple_procedure_caps(party: str, on: dt.date, fine_yuan: int, ok: bool) -> None:
    found = checks.simple_problems(case(party_kind=party), {"fine"}, fine_yuan * 100, on)
    assert (found == []) is ok


def test_d14_only_warning_or_fine() -> None:
    found = checks.simple_problems(case(), {"warning", "confiscation"}, 0, ON)
    assert ids(found) == [catalogue.D14.id]
    assert checks.simple_problems(case(), {"warning"}, 0, ON) == []


# --- D18 ------------------------------------------------------------------------------------


def test_d18_minor_by_the_id_birth_date_at_the_act() -> None:
    act = dt.date(2026, 5, 10)
    born = dt.date(2012, 5, 11)  # 13 on the act's day, 14 the day after
    young = case(party_kind="person", person_ric=make_ric("330802", born, 11), act_on=act)
    found = checks.minor_findings(young)
    assert ids(found) == [catalogue.D18.id] and found[0].severity == "BLOCK"
    fourteen = case(
        party_kind="person", person_ric=make_ric("330802", born, 11), act_on=act + dt.timedelta(1)
    )
    assert [v.severity for v in checks.minor_findings(fourteen)] == ["WARN"]
    adult = case(
        party_kind="person", person_ric=make_ric("330802", dt.date(2008, 5, 10), 11), act_on=act
    )
    assert checks.minor_findings(adult) == []


# --- clocks ---------------------------------------------------------------------------------


def test_d7_window_across_the_2026_national_day_holiday() -> None:
    # served Tue 29 Sep: 30 Sep, 8, 9, 10 (an adjusted Saturday) and 12 Oct are the five
    # working days; 1–7 Oct and Sunday 11 Oct are not counted
    assert clocks.D7_HEARING_REQUEST.deadline(ON, "330802") == dt.date(2026, 10, 12)


def test_d7_window_was_three_days_before_2021_07_15() -> None:
    # VERSIONING: the length in force on the day the notice was served
    assert clocks.D7_HEARING_REQUEST.length(dt.date(2021, 7, 14), "330802") == 3
    assert clocks.D7_HEARING_REQUEST.length(dt.date(2021, 7, 15), "330802") == 5


def test_d8_latest_notice_before_a_hearing_after_the_holiday() -> None:
    hearing = dt.date(2026, 10, 15)
    latest = clocks.latest_hearing_notice(hearing, "330802")
    # a notice on the last holiday still leaves 8, 9, 10, 12, 13, 14 and 15 Oct
    assert latest == dt.date(2026, 10, 7)
    assert clocks.D8_HEARING_NOTICE.deadline(latest, "330802") <= hearing
    assert clocks.D8_HEARING_NOTICE.deadline(dt.date(2026, 10, 8), "330802") > hearing


def test_d13_service_across_the_holiday() -> None:
    assert clocks.D13_SERVICE.deadline(dt.date(2026, 9, 30), "330802") == dt.date(2026, 10, 15)


def test_add_days_skips_pauses() -> None:
    pauses = [(dt.date(2026, 12, 1), dt.date(2026, 12, 10))]
    assert clocks.add_days(dt.date(2026, 11, 30), 5, clocks.CALENDAR, pauses) == dt.date(
        2026, 12, 15
    )


# --- D16 ------------------------------------------------------------------------------------


def test_d16_surcharge_three_percent_a_day_capped_at_the_fine() -> None:
    due = dt.date(2026, 10, 20)
    c = case(fine_fen=100_000, payment_due_on=due)
    assert late_surcharge_fen(c, due) == 0
    assert late_surcharge_fen(c, due + dt.timedelta(days=1)) == 3_000
    assert late_surcharge_fen(c, due + dt.timedelta(days=10)) == 30_000
    assert late_surcharge_fen(c, due + dt.timedelta(days=34)) == 100_000  # 102 % → capped


def test_d16_no_surcharge_during_review_or_litigation() -> None:
    due = dt.date(2026, 10, 20)
    c = case(
        fine_fen=100_000,
        payment_due_on=due,
        remedy_from=dt.date(2026, 10, 18),
        remedy_to=dt.date(2026, 10, 25),
    )
    # 21–25 Oct under review: of the 10 days to 30 Oct only 5 count
    assert late_surcharge_fen(c, dt.date(2026, 10, 30)) == 15_000
