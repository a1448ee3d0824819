"""A case against the benchmarks and the lists: D24 at the decision (a warning, cleared by a
written reason), D17's lists with the party's history, and the recorded choice (both
databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cases import Setup, filed, setup
from tests.conftest import Personas, sign_in
from tests.discretion import FIELD, PROVISION, table
from tests.inspections import add_officer
from wurao.cases import decision, notice
from wurao.cases.models import CaseStep, PenaltyCase
from wurao.core import rules as catalogue
from wurao.core.errors import Conflict, Forbidden, InvalidInput
from wurao.discretion import leniency
from wurao.discretion.leniency import EntryData
from wurao.registry.models import Officer
from wurao.web.form_state import EMPTY

REASONS = "当事人销售不合格产品，依据裁量基准在幅度内处罚。"
REMEDY = "如不服本决定，可在六十日内申请行政复议，或在六个月内提起行政诉讼。"
DECIDED = dt.date(2026, 10, 13)


@pytest.fixture
def w(db: Session) -> Setup:
    return setup(db)


def reviewed(db: Session, p: Personas, w: Setup, fine_fen: int, **changes: object) -> PenaltyCase:
    """A case notified, its defence period over and its review passed."""
    case = filed(db, p, w, **changes)
    notice.serve_notice(
        db,
        actor=p.officer,
        case=case,
        kinds={"fine"},
        fine_fen=fine_fen,
        served_on=dt.date(2026, 9, 29),
        hearing_rights=True,
    )
    decision.send_review(db, actor=p.officer, case=case, on=dt.date(2026, 9, 30))
    if db.scalar(select(Officer.id).where(Officer.user_id == p.legal_reviewer.user_id)) is None:
        add_officer(db, w.subject, user_id=p.legal_reviewer.user_id, legal_qualified=True)
        db.flush()
    decision.record_review(
        db, actor=p.legal_reviewer, case=case, passed=True, opinion="同意", on=dt.date(2026, 9, 30)
    )
    return case


def decide(db: Session, p: Personas, case: PenaltyCase, fine_fen: int) -> decision.Done:
    return decision.decide(
        db,
        actor=p.officer,
        case=case,
        kinds={"fine"},
        fine_fen=fine_fen,
        reasons=REASONS,
        remedy=REMEDY,
        decided_on=DECIDED,
    )


def test_d24_decision_outside_the_range_warns(db: Session, personas: Personas, w: Setup) -> None:
    table(db, personas.supervisor, rows=(("general", 500_000, 2_000_000),))
    case = reviewed(db, personas, w, 2_500_000)
    done = decide(db, personas, case, 2_500_000)
    assert [v.rule_id for v in done.warnings] == [catalogue.D24.id]
    assert case.status == "decided"  # WARN: the decision stands, the warning is on record
    step = db.scalars(
        select(CaseStep).where(CaseStep.case_id == case.id, CaseStep.action == "decide")
    ).one()
    assert "超出" in step.note


def test_d24_decision_at_the_bound_or_with_a_reason_passes(
    db: Session, personas: Personas, w: Setup
) -> None:
    table(db, personas.supervisor, rows=(("general", 500_000, 2_000_000),))
    at_bound = reviewed(db, personas, w, 2_000_000)
    assert decide(db, personas, at_bound, 2_000_000).warnings == []
    reasoned = reviewed(db, personas, w, 2_500_000, act_on=dt.date(2026, 7, 1))
    with pytest.raises(InvalidInput):
        decision.record_discretion(
            db,
            actor=personas.officer,
            case=reasoned,
            circumstance="huge",
            violation_code="",
            reason="",
        )
    with pytest.raises(Forbidden):
        decision.record_discretion(
            db,
            actor=personas.other_officer,
            case=reasoned,
            circumstance="",
            violation_code="",
            reason="x",
        )
    decision.record_discretion(
        db,
        actor=personas.officer,
        case=reasoned,
        circumstance="general",
        violation_code="",
        reason="违法所得数额巨大且拒不改正，经集体讨论在法定幅度内超出基准处罚。",
        on=DECIDED,
    )
    assert decide(db, personas, reasoned, 2_500_000).warnings == []
    with pytest.raises(Conflict):
        decision.record_discretion(
            db, actor=personas.officer, case=reasoned, circumstance="", violation_code="", reason=""
        )


def _entry(db: Session, p: Personas, kind: str, provision: str = PROVISION) -> None:
    data = EntryData("330802", FIELD, kind, "销售不合格产品（货值较小）", "", provision, "首次违法")
    leniency.add_entry(db, actor=p.supervisor, data=data)


def test_d17_leniency_match_history_and_recorded_choice(
    db: Session, personas: Personas, w: Setup
) -> None:
    _entry(db, personas, "may_no_penalty")
    _entry(db, personas, "lighter")
    _entry(db, personas, "heavier", provision="《食品安全法》第三十四条")  # another violation
    earlier = filed(db, personas, w, act_on=dt.date(2026, 7, 1))
    earlier.outcome, earlier.decided_on, earlier.status = "penalty", dt.date(2026, 9, 20), "decided"
    case = reviewed(db, personas, w, 100_000)
    found = leniency.leniency_for(db, case)
    assert found.kinds == ["may_no_penalty", "lighter"]
    assert (found.history.earlier_cases, found.history.same_provision) == (1, 1)
    assert not found.history.first_violation and found.history.corrected_in_time is None
    # D17: a penalty while a sparing list matches and no choice is recorded → warning
    (v,) = leniency.leniency_findings(db, case, penalty=True)
    assert v.rule_id == catalogue.D17.id and v.severity == "WARN"
    with pytest.raises(InvalidInput) as exc:
        decision.record_leniency(db, actor=personas.officer, case=case, choice="none", reason=" ")
    assert exc.value.field == "reason"
    decision.record_leniency(
        db,
        actor=personas.officer,
        case=case,
        choice="lighter",
        reason="非首次违法，不适用首违不罚；货值较小，从轻处罚。",
        on=DECIDED,
    )
    assert case.leniency_list == "|may_no_penalty|lighter|" and case.leniency_choice == "lighter"
    assert leniency.leniency_findings(db, case, penalty=True) == []
    assert decide(db, personas, case, 100_000).warnings == []
    step = db.scalars(
        select(CaseStep).where(CaseStep.case_id == case.id, CaseStep.action == "leniency")
    ).one()
    assert "从轻处罚" in step.note


def test_d17_no_list_no_prompt(db: Session, personas: Personas, w: Setup) -> None:
    _entry(db, personas, "may_no_penalty", provision="《食品安全法》第三十四条")
    case = reviewed(db, personas, w, 100_000)
    found = leniency.leniency_for(db, case)
    assert found.entries == [] and found.history.first_violation
    done = decide(db, personas, case, 100_000)
    assert done.warnings == []


def test_leniency_lists_are_kept_by_their_region(db: Session, personas: Personas) -> None:
    data = EntryData("330802", FIELD, "lighter", "某行为", "", PROVISION, "")
    with pytest.raises(Forbidden):
        leniency.add_entry(db, actor=personas.neighbour_supervisor, data=data)
    with pytest.raises(Forbidden):
        leniency.add_entry(db, actor=personas.officer, data=data)
    entry = leniency.add_entry(db, actor=personas.agency_admin, data=data)  # its region and field
    with pytest.raises(Forbidden):
        leniency.delete_entry(db, actor=personas.neighbour_supervisor, entry_id=entry.id)
    leniency.delete_entry(db, actor=personas.supervisor, entry_id=entry.id)


def test_the_case_fragment_shows_lists_history_range_and_forms(
    db: Session, personas: Personas, w: Setup
) -> None:
    from wurao.web.templating import env

    table(db, personas.supervisor, rows=(("general", 500_000, 2_000_000),))
    _entry(db, personas, "may_no_penalty")
    case = reviewed(db, personas, w, 100_000)
    context = leniency.case_panel(db, case, DECIDED)
    html = env.get_template("cases/_discretion.html").render(
        case=case, may_handle=True, csrf_token="t", form_state=lambda action=None: EMPTY, **context
    )
    assert "可以不予处罚（首违不罚）清单" in html and "首次违法" in html
    assert "5,000元至20,000元" in html
    assert f'action="/cases/{case.id}/leniency"' in html
    assert f'action="/cases/{case.id}/discretion"' in html
    decision.record_leniency(
        db, actor=personas.officer, case=case, choice="none", reason="拒不改正"
    )
    html = env.get_template("cases/_discretion.html").render(
        case=case, may_handle=False, csrf_token="t", **leniency.case_panel(db, case, DECIDED)
    )
    assert "不适用清单（依法处罚）。理由：拒不改正" in html and "<form" not in html


def test_the_case_page_records_the_choice_and_the_circumstance_over_http(
    db: Session, personas: Personas, w: Setup, client: TestClient
) -> None:
    """The 裁量与清单 panel on the case page and its two forms (D17, D24)."""
    table(db, personas.supervisor, rows=(("general", 500_000, 2_000_000),))
    case = reviewed(db, personas, w, 1_000_000)
    db.commit()
    cid = case.id
    token = sign_in(client, "kc_scjg_zhang")
    page = client.get(f"/cases/{cid}")
    assert 'id="discretion"' in page.text and "适用的裁量基准" in page.text
    saved = client.post(
        f"/cases/{cid}/leniency",
        data={"csrf_token": token, "choice": leniency.NONE, "reason": "不符合首违不罚条件。"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    saved = client.post(
        f"/cases/{cid}/discretion",
        data={"csrf_token": token, "circumstance": "general", "discretion_reason": ""},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    # each request ended the test session's transaction: read the case again
    case = db.get(PenaltyCase, cid)
    assert case is not None
    assert (case.leniency_choice, case.circumstance) == (leniency.NONE, "general")
    assert "不符合首违不罚条件。" in client.get(f"/cases/{cid}").text
    # a refused choice brings the page back with the error beside it, the typed reason kept,
    # and changes nothing
    refused = client.post(
        f"/cases/{cid}/leniency",
        data={"csrf_token": token, "_back": f"/cases/{cid}", "choice": "nonsense",
              "reason": "当事人已整改完毕"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert 'id="err-choice"' in refused.text and "当事人已整改完毕" in refused.text
    bad = client.post(
        f"/cases/{cid}/discretion",
        data={"csrf_token": token, "_back": f"/cases/{cid}", "circumstance": "huge",
              "violation_code": "A-1"},
    )  # fmt: skip
    assert bad.status_code == 422 and 'id="err-circumstance"' in bad.text
    assert "error-page" not in bad.text
    assert 'value="A-1"' in bad.text
    db.expire_all()
    assert db.scalar(select(PenaltyCase.leniency_choice).where(PenaltyCase.id == cid)) == "none"
    # a supervisor reads the panel but may not post
    client.post("/logout", data={"csrf_token": token})
    token = sign_in(client, "kc_sfj")
    refused = client.post(
        f"/cases/{cid}/leniency",
        data={"csrf_token": token, "choice": leniency.NONE, "reason": "x"},
        follow_redirects=False,
    )
    assert refused.status_code == 403
