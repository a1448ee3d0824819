"""F5: the sweep raises an alert per open penalty case and overdue organ's clock (D2 filing,
D3 decision, D13 service, D20 publication and withdrawal), by the case's own deadlines; a
closed or withdrawn case never alerts, a rerun raises nothing new, and the supervisor of the
case's region sees the alert (both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.cases import Setup, filed, opened, setup
from tests.cases.test_documents import decided
from tests.conftest import Personas
from wurao.cases import decision, execution, investigation, notice, publication
from wurao.cases.models import PenaltyCase
from wurao.cli import app as cli_app
from wurao.core import rules as catalogue
from wurao.oversight import engine
from wurao.oversight.models import Alert

F5 = catalogue.F5_CASE_OVERDUE.id
REMEDY = "如不服本决定，可在六十日内申请行政复议，或在六个月内提起行政诉讼。"
# filed Wed 2 Sep 2026: D3's ninety days end on Tue 1 Dec
SWEEP_DAY = dt.date(2026, 12, 5)


@pytest.fixture
def w(db: Session) -> Setup:
    return setup(db)


def f5_alerts(db: Session) -> list[Alert]:
    return list(db.scalars(select(Alert).where(Alert.rule_id == F5).order_by(Alert.id)))


def sweep(db: Session, today: dt.date = SWEEP_DAY) -> engine.SweepResult:
    return engine.sweep(db, today=today, only=[F5])


def _decided_without_service(db: Session, p: Personas, w: Setup) -> PenaltyCase:
    """Notice served Tue 29 Sep, decided Tue 27 Oct: D13 ends Thu 5 Nov; never served."""
    case = filed(db, p, w)
    notice.serve_notice(
        db,
        actor=p.officer,
        case=case,
        kinds={"fine"},
        fine_fen=100_000,
        served_on=dt.date(2026, 9, 29),
        hearing_rights=False,
    )
    decision.decide_no_penalty(
        db,
        actor=p.officer,
        case=case,
        reasons="当事人初次违法且危害后果轻微并及时改正，依法不予行政处罚。",
        remedy=REMEDY,
        decided_on=dt.date(2026, 10, 27),
    )
    return case


def test_a_case_past_d3_alerts_once(db: Session, personas: Personas, w: Setup) -> None:
    case = filed(db, personas, w)
    assert sweep(db, dt.date(2026, 12, 1)).raised[F5] == 0  # the last day is still in time
    result = sweep(db)
    assert result.raised[F5] == 1
    (alert,) = f5_alerts(db)
    assert alert.severity == "WARN" and alert.title == "行政处罚案件办理超期"
    assert (alert.region_code, alert.subject_id) == (case.region_code, case.subject_id)
    assert case.number in alert.detail and "作出处罚决定期限为2026-12-01" in alert.detail
    assert "已逾期4日" in alert.detail and "执法主体负责人" in alert.detail
    assert engine.evidence_of(alert) == [
        {"type": "case", "id": case.id, "label": f"行政处罚案件 {case.number}"}
    ]
    again = sweep(db, SWEEP_DAY + dt.timedelta(days=1))
    assert (again.raised[F5], again.known) == (0, 1)
    assert len(f5_alerts(db)) == 1


def test_a_suspension_saves_the_case(db: Session, personas: Personas, w: Setup) -> None:
    case = filed(db, personas, w)
    investigation.suspend(
        db,
        actor=personas.officer,
        case=case,
        kind="announcement",
        starts_on=dt.date(2026, 9, 10),
        ends_on=dt.date(2026, 9, 19),
        reason="公告送达",
    )
    # ten days stood still: the deadline moves to Fri 11 Dec
    assert sweep(db).raised[F5] == 0
    assert sweep(db, dt.date(2026, 12, 12)).raised[F5] == 1
    assert "2026-12-11" in f5_alerts(db)[0].detail


def test_a_lead_past_d2_alerts(db: Session, personas: Personas, w: Setup) -> None:
    opened(db, personas, w)  # found Tue 1 Sep: D2's 15 working days end on Mon 21 Sep
    assert sweep(db, dt.date(2026, 9, 21)).raised[F5] == 0
    assert sweep(db, dt.date(2026, 9, 22)).raised[F5] == 1
    (alert,) = f5_alerts(db)
    assert "决定是否立案期限为2026-09-21" in alert.detail and "已逾期1个工作日" in alert.detail


def test_a_decision_not_served_past_d13_alerts(db: Session, personas: Personas, w: Setup) -> None:
    case = _decided_without_service(db, personas, w)
    assert sweep(db, dt.date(2026, 11, 5)).raised[F5] == 0
    assert sweep(db).raised[F5] == 1  # D3 was met by the decision: only D13
    (alert,) = f5_alerts(db)
    assert "决定书送达期限为2026-11-05" in alert.detail and case.number in alert.detail
    assert "送达决定书" in alert.detail


def test_closed_and_withdrawn_cases_never_alert(db: Session, personas: Personas, w: Setup) -> None:
    served = _decided_without_service(db, personas, w)
    execution.serve(
        db, actor=personas.officer, case=served, served_on=dt.date(2026, 11, 20), how="mail"
    )
    execution.close(db, actor=personas.officer, case=served, on=dt.date(2026, 11, 23))
    assert served.status == "closed"
    withdrawn = filed(db, personas, w)
    execution.withdraw(
        db,
        actor=personas.officer,
        case=withdrawn,
        on=dt.date(2026, 9, 30),
        reason="违法事实不能成立",
    )
    assert withdrawn.status == "withdrawn"
    assert sweep(db).raised[F5] == 0 and f5_alerts(db) == []


def test_the_region_supervisor_sees_the_alert(db: Session, personas: Personas, w: Setup) -> None:
    filed(db, personas, w)
    sweep(db)
    (alert,) = f5_alerts(db)
    mine = engine.list_alerts(db, actor=personas.supervisor, rule_id=F5).items
    assert [a.id for a in mine] == [alert.id]
    theirs = engine.list_alerts(db, actor=personas.neighbour_supervisor, rule_id=F5).items
    assert theirs == []
    subject = engine.list_alerts(db, actor=personas.agency_admin, rule_id=F5).items
    assert [a.id for a in subject] == [alert.id]


def test_rules_page_and_list_show_the_rule(client: TestClient) -> None:
    page = client.get("/public/rules?region=330802")
    assert page.status_code == 200
    assert F5 in page.text and "行政处罚案件办理超期" in page.text
    result = CliRunner().invoke(cli_app, ["rules", "list"])
    assert result.exit_code == 0
    assert f"{F5}\tWARN\t行政处罚案件办理超期" in result.output


def _d20_alerts(db: Session, suffix: str) -> list[Alert]:
    return [a for a in f5_alerts(db) if a.dedup_key.endswith(f":{suffix}")]


def test_an_unpublished_decision_alerts_after_its_field_s_period(
    db: Session, personas: Personas, w: Setup
) -> None:
    """D20: the decision of 13 Oct is published within its field's working days, or alerts."""
    case = decided(db, personas, w)
    on_time = decided(db, personas, w, provisions_breached="《食品安全法》第三十四条")
    assert case.decided_on is not None
    due = publication.PUBLISH_CLOCK.field_deadline(case.decided_on, case.region_code, case.field)
    publication.publish(db, actor=personas.officer, case=on_time, on=due)
    sweep(db, due)
    assert _d20_alerts(db, "D20") == []  # the last day is still in time
    sweep(db, due + dt.timedelta(days=1))
    (alert,) = _d20_alerts(db, "D20")
    assert case.number in alert.detail and "处罚决定公开期限" in alert.detail
    assert f"为{due.isoformat()}" in alert.detail and on_time.number not in alert.detail


def test_a_changed_decision_not_withdrawn_alerts(db: Session, personas: Personas, w: Setup) -> None:
    """D20: a published decision revoked on Wed 14 Oct is withdrawn by Mon 19 Oct, or alerts."""
    case = decided(db, personas, w)
    assert case.decided_on is not None
    publication.publish(db, actor=personas.officer, case=case, on=case.decided_on)
    publication.record_change(
        db, actor=personas.officer, case=case, changed_on=dt.date(2026, 10, 14), reason="复议撤销"
    )
    sweep(db, dt.date(2026, 10, 19))
    assert _d20_alerts(db, "D20W") == []
    sweep(db, dt.date(2026, 10, 20))
    (alert,) = _d20_alerts(db, "D20W")
    assert "撤回公开期限为2026-10-19" in alert.detail and case.number in alert.detail
    assert _d20_alerts(db, "D20") == []  # published in time: only the withdrawal is late
