"""Major-decision filings (D25 MAJOR-CASE-FILING): which decisions qualify (the 较大数额 per
party kind, the listed penalty kinds, coercive measures), the filing opened by the decision's
event with the case file attached, the subject's filing and the supervisor's acceptance or
return, who may do what, the deadline across a holiday and the sweep's late-filing alert."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cases import FILED, SHA, Setup, filed, setup
from tests.conftest import Personas, csrf_of, sign_in
from tests.inspections import add_officer
from tests.web.test_query_counts import queries_for
from wurao.cases import decision, notice
from wurao.cases.models import PenaltyCase
from wurao.core import audit, workdays
from wurao.core import rules as catalogue
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.oversight import engine
from wurao.oversight.filings import queries, service
from wurao.oversight.filings.models import MajorFiling
from wurao.oversight.models import Alert, InboxMessage

D25 = catalogue.D25.id
REASONS = "依据裁量基准，违法情节较重，在法定幅度内处罚。"
REMEDY = "六十日内申请行政复议，或六个月内提起行政诉讼。"
DECIDED = dt.date(2026, 9, 15)


@pytest.fixture
def w(db: Session) -> Setup:
    return setup(db)


def _case(**values: object) -> PenaltyCase:
    base: dict[str, object] = {
        "outcome": "penalty",
        "decision_kinds": "|fine|",
        "fine_fen": 0,
        "party_kind": "enterprise",
        "field": "",
        "region_code": "330802",
        "decided_on": DECIDED,
    }
    base.update(values)
    return PenaltyCase(**base)


def _decide(
    db: Session, p: Personas, w: Setup, *, fine_fen: int, on: dt.date = DECIDED
) -> PenaltyCase:
    """A case carried through 告知 (with hearing rights), 法制审核 and 集体讨论 to a decision."""
    case = filed(db, p, w)
    notice.serve_notice(
        db,
        actor=p.officer,
        case=case,
        kinds={"fine"},
        fine_fen=fine_fen,
        served_on=FILED,
        hearing_rights=True,
    )
    notice.record_defence(db, actor=p.officer, case=case, on=FILED, note="无异议")
    decision.send_review(db, actor=p.officer, case=case, on=FILED)
    add_officer(db, w.subject, user_id=p.legal_reviewer.user_id, legal_qualified=True)
    db.flush()
    decision.record_review(
        db, actor=p.legal_reviewer, case=case, passed=True, opinion="同意", on=FILED
    )
    decision.record_discussion(db, actor=p.officer, case=case, on=FILED, minutes="同意。")
    decision.decide(
        db,
        actor=p.officer,
        case=case,
        kinds={"fine"},
        fine_fen=fine_fen,
        reasons=REASONS,
        remedy=REMEDY,
        decided_on=on,
    )
    return case


def _filing(db: Session, case: PenaltyCase) -> MajorFiling | None:
    return db.scalar(select(MajorFiling).where(MajorFiling.case_id == case.id))


# --- which decisions qualify --------------------------------------------------------------


def test_d25_fine_thresholds_per_party_kind_inclusive() -> None:
    # the 较大数额 of case.hearing_fine_thresholds: 50 000 yuan for an organisation, 3 000 for
    # a person, the number itself included
    assert service.case_grounds(_case(fine_fen=4_999_999)) == []
    assert service.case_grounds(_case(fine_fen=5_000_000)) != []
    assert service.case_grounds(_case(party_kind="person", fine_fen=299_999)) == []
    grounds = service.case_grounds(_case(party_kind="person", fine_fen=300_000))
    assert grounds and "个人" in grounds[0]


def test_d25_listed_kinds_qualify_and_others_do_not() -> None:
    assert service.case_grounds(_case(decision_kinds="|licence_revoke|")) != []
    assert service.case_grounds(_case(decision_kinds="|warning|suspension|")) != []
    assert service.case_grounds(_case(decision_kinds="|warning|")) == []
    assert service.case_grounds(_case(outcome="no_penalty", decision_kinds="")) == []


def test_d25_coercion_is_filed_through_the_same_service(db: Session, w: Setup) -> None:
    filing = service.open_filing(
        db,
        actor=audit.SYSTEM,
        kind="coercion",
        source_id=77,
        subject_id=w.subject.id,
        region_code=w.subject.region_code,
        title="查封决定（柯城市监强〔2026〕3号）",
        decided_on=DECIDED,
    )
    assert filing is not None and filing.kind == "coercion" and filing.case_id is None
    again = service.open_filing(
        db,
        actor=audit.SYSTEM,
        kind="coercion",
        source_id=77,
        subject_id=w.subject.id,
        region_code=w.subject.region_code,
        title="查封决定",
        decided_on=DECIDED,
    )
    assert again is filing  # one filing per decision


# --- opened by the decision ---------------------------------------------------------------


def test_d25_a_qualifying_decision_opens_its_filing_with_the_case_file(
    db: Session, personas: Personas, w: Setup
) -> None:
    case = _decide(db, personas, w, fine_fen=6_000_000)
    filing = _filing(db, case)
    assert filing is not None
    assert (filing.status, filing.subject_id, filing.decided_on) == ("due", w.subject.id, DECIDED)
    assert filing.due_on == workdays.add_working_days(DECIDED, 15)
    assert "较大数额" in filing.grounds
    docs = queries.documents(db, filing=filing)
    assert [(d.source, d.sha256) for d in docs] == [("evidence", SHA)]
    msg = db.scalar(
        select(InboxMessage).where(InboxMessage.link == f"/oversight/filings/{filing.id}")
    )
    assert msg is not None and msg.subject_id == w.subject.id


def test_d25_a_small_fine_opens_no_filing(db: Session, personas: Personas, w: Setup) -> None:
    case = _decide(db, personas, w, fine_fen=200_000)
    assert case.status == "decided" and _filing(db, case) is None


def test_the_deadline_counts_working_days_across_the_national_day_holiday(
    db: Session, personas: Personas, w: Setup
) -> None:
    # decided Wed 30 September 2026: 1–7 October are holidays and Sat 10 October a working
    # day, so the 15 working days are 8–10, 12–16, 19–23, 26 and 27 October
    case = _decide(db, personas, w, fine_fen=6_000_000, on=dt.date(2026, 9, 30))
    filing = _filing(db, case)
    assert filing is not None and filing.due_on == dt.date(2026, 10, 27)


# --- filed, returned, re-filed, accepted --------------------------------------------------


def test_returned_with_an_opinion_then_refiled_and_accepted(
    db: Session, personas: Personas, w: Setup
) -> None:
    filing = _filing(db, _decide(db, personas, w, fine_fen=6_000_000))
    assert filing is not None
    with pytest.raises(InvalidInput):
        service.file(db, filing=filing, actor=personas.agency_admin, report=" ")
    service.file(
        db, filing=filing, actor=personas.agency_admin, report="报备", on=dt.date(2026, 9, 18)
    )
    assert (filing.status, filing.filed_on) == ("filed", dt.date(2026, 9, 18))
    with pytest.raises(InvalidInput):  # the 监督意见 is required
        service.send_back(db, filing=filing, actor=personas.supervisor, opinion="")
    service.send_back(db, filing=filing, actor=personas.supervisor, opinion="补充货值认定说理")
    assert (filing.status, filing.returned_times) == ("returned", 1)
    with pytest.raises(Conflict):
        service.accept(db, filing=filing, actor=personas.supervisor)
    service.file(
        db, filing=filing, actor=personas.officer, report="已补充", on=dt.date(2026, 9, 25)
    )
    assert filing.status == "refiled" and filing.filed_on == dt.date(2026, 9, 18)
    service.accept(db, filing=filing, actor=personas.supervisor)
    assert filing.status == "accepted"
    actions = [e.action for e in queries.history(db, filing=filing)]
    assert actions == ["open", "file", "return", "refile", "accept"]
    assert not service.is_late(filing, dt.date(2027, 1, 1))


def test_only_the_subject_files_and_only_the_supervisor_reviews(
    db: Session, personas: Personas, w: Setup
) -> None:
    filing = _filing(db, _decide(db, personas, w, fine_fen=6_000_000))
    assert filing is not None
    with pytest.raises(Forbidden):  # the supervisor does not file for the subject
        service.file(db, filing=filing, actor=personas.supervisor, report="x")
    with pytest.raises(Forbidden):  # another agency's officer
        service.file(db, filing=filing, actor=personas.other_officer, report="x")
    service.file(db, filing=filing, actor=personas.agency_admin, report="报备")
    with pytest.raises(Forbidden):  # the subject cannot accept its own filing
        service.accept(db, filing=filing, actor=personas.agency_admin)
    with pytest.raises(Forbidden):
        service.send_back(db, filing=filing, actor=personas.officer, opinion="x")
    assert service.allowed_actions(personas.agency_admin, filing) == []
    assert service.allowed_actions(personas.supervisor, filing) == ["accept", "return"]


def test_a_neighbouring_supervisor_and_another_agency_are_refused(
    db: Session, personas: Personas, w: Setup
) -> None:
    filing = _filing(db, _decide(db, personas, w, fine_fen=6_000_000))
    assert filing is not None
    service.file(db, filing=filing, actor=personas.agency_admin, report="报备")
    for outsider in (personas.neighbour_supervisor, personas.other_officer):
        with pytest.raises(NotFound):
            queries.get_filing(db, actor=outsider, filing_id=filing.id)
    with pytest.raises(Forbidden):
        service.accept(db, filing=filing, actor=personas.neighbour_supervisor)
    found = queries.list_filings(
        db, actor=personas.neighbour_supervisor, filters=queries.FilingFilters()
    )
    assert found.total == 0


# --- the sweep ----------------------------------------------------------------------------


def test_d25_late_filing_raises_one_alert(db: Session, personas: Personas, w: Setup) -> None:
    filing = _filing(db, _decide(db, personas, w, fine_fen=6_000_000))
    assert filing is not None and filing.due_on is not None
    assert engine.sweep(db, today=filing.due_on, only=[D25]).raised[D25] == 0  # last day
    after = filing.due_on + dt.timedelta(days=1)
    assert engine.sweep(db, today=after, only=[D25]).raised[D25] == 1
    assert engine.sweep(db, today=after, only=[D25]).raised[D25] == 0  # dedup per filing
    alert = db.scalar(select(Alert).where(Alert.dedup_key == f"D25:{filing.id}"))
    assert alert is not None and alert.subject_id == w.subject.id and "至今未报备" in alert.detail
    counts = queries.counts(db, actor=personas.supervisor, today=after)
    assert (counts.due, counts.late) == (1, 1)


def test_d25_filed_in_time_raises_no_alert(db: Session, personas: Personas, w: Setup) -> None:
    filing = _filing(db, _decide(db, personas, w, fine_fen=6_000_000))
    assert filing is not None and filing.due_on is not None
    service.file(db, filing=filing, actor=personas.agency_admin, report="报备", on=filing.due_on)
    later = filing.due_on + dt.timedelta(days=30)
    assert engine.sweep(db, today=later, only=[D25]).raised[D25] == 0


# --- pages and API ------------------------------------------------------------------------


def test_pages_and_api(client: TestClient, db: Session, personas: Personas, w: Setup) -> None:
    case = _decide(db, personas, w, fine_fen=6_000_000)
    filing = _filing(db, case)
    assert filing is not None
    db.flush()
    token = sign_in(client, "kc_scjg_admin")
    page = client.get("/oversight/filings")
    assert page.status_code == 200 and case.number in page.text
    detail = client.get(f"/oversight/filings/{filing.id}")
    assert detail.status_code == 200 and "报备" in detail.text and SHA in detail.text
    line = client.get(f"/oversight/filings/case/{case.id}", headers={"HX-Request": "true"})
    assert "待报备" in line.text
    back = f"/oversight/filings/{filing.id}"
    refused = client.post(
        f"{back}/file", data={"csrf_token": csrf_of(detail.text), "_back": back, "report": " "}
    )
    assert refused.status_code == 422 and "error-page" not in refused.text
    assert 'id="err-report">请填写备案报告' in refused.text
    long = "报" * 4001
    refused = client.post(
        f"{back}/file", data={"csrf_token": csrf_of(detail.text), "_back": back, "report": long}
    )
    assert refused.status_code == 422 and 'id="err-report"' in refused.text and long in refused.text
    db.expire_all()
    assert db.get(MajorFiling, filing.id).status == "due"  # type: ignore[union-attr]
    resp = client.post(
        f"/api/v1/filings/{filing.id}/file",
        json={"report": "报备"},
        headers={"X-CSRF-Token": token},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "filed"
    sign_in(client, "kc_sfj")
    listed = client.get("/api/v1/filings", params={"status": "filed"}).json()
    assert [f["id"] for f in listed["items"]] == [filing.id]
    sign_in(client, "qj_sfj")
    assert client.get(f"/api/v1/filings/{filing.id}").status_code == 404


def test_the_inbox_has_no_n_plus_one(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    def add(n: int) -> None:
        service.open_filing(
            db,
            actor=audit.SYSTEM,
            kind="coercion",
            source_id=1000 + n,
            subject_id=w.subject.id,
            region_code=w.subject.region_code,
            title=f"扣押决定 {n}",
            decided_on=DECIDED,
        )

    add(0)
    db.flush()
    sign_in(client, "kc_sfj")
    one = queries_for(client, db, "/oversight/filings")
    for n in range(1, 8):
        add(n)
    db.flush()
    assert queries_for(client, db, "/oversight/filings") == one
