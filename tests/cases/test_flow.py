"""A case from an inspection's 移送立案 through hearing, review, decision, service and payment
to its close, with each step's rule failing first and then passing (both databases)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cases import FILED, FOUND, Setup, filed, opened, setup
from tests.conftest import Personas
from tests.inspections import add_officer
from tests.oversight.test_rules import make_task
from wurao.cases import clocks, decision, execution, investigation, notice, service
from wurao.cases.models import CaseStep, CaseSuspension, PenaltyCase
from wurao.core import rules as catalogue
from wurao.core.config import get_settings
from wurao.core.errors import Conflict, InvalidInput, RuleViolation
from wurao.inspections.models import InspectionRecord

REASONS = "当事人销售的产品经检验不合格，货值较大，依据裁量基准在法定幅度内处罚。"
REMEDY = "如不服本决定，可在六十日内申请行政复议，或在六个月内提起行政诉讼。"


def rule_ids(exc: pytest.ExceptionInfo[RuleViolation]) -> set[str]:
    return {v.rule_id for v in exc.value.violations}


@pytest.fixture
def w(db: Session) -> Setup:
    return setup(db)


def test_open_from_a_record_referred_for_a_case(db: Session, personas: Personas, w: Setup) -> None:
    task = make_task(db, w.enterprise, [w.subject], outcome="rectify")
    record = db.scalar(select(InspectionRecord).where(InspectionRecord.task_id == task.id))
    assert record is not None
    with pytest.raises(Conflict, match="移送立案"):
        opened(db, personas, w, origin="record", record_id=record.id)
    record.outcome = "case"
    other = make_task(db, w.enterprise, [w.subject], outcome="case")
    other_record = db.scalar(select(InspectionRecord).where(InspectionRecord.task_id == other.id))
    assert other_record is not None
    case = opened(db, personas, w, origin="record", record_id=other_record.id)
    assert case.status == "lead" and case.record_id == other_record.id
    assert case.number == f"{w.subject.name}罚立〔2026〕1号"
    second = opened(db, personas, w)
    assert second.number.endswith("〔2026〕2号")
    steps = db.scalars(select(CaseStep).where(CaseStep.case_id == case.id)).all()
    assert [s.action for s in steps] == ["open"]


def test_a_person_party_is_validated_and_masked(db: Session, personas: Personas, w: Setup) -> None:
    with pytest.raises(InvalidInput) as exc:
        opened(db, personas, w, party_kind="person", person_name="赵六", person_ric="330802")
    assert exc.value.field == "person_ric"
    from wurao.demo.identifiers import make_ric

    ric = make_ric("330802", dt.date(1990, 1, 2), 5)
    case = opened(db, personas, w, party_kind="person", person_name="赵六", person_ric=ric)
    label = service.party_label(case)
    assert ric not in label and label.startswith("赵六（330802")


def test_file_needs_two_certified_officers_and_the_limitation(
    db: Session, personas: Personas, w: Setup
) -> None:
    w.officers[1].cert_valid_to = dt.date(2026, 1, 1)
    case = opened(db, personas, w)
    with pytest.raises(RuleViolation) as exc:
        service.file_case(db, actor=personas.officer, case=case, on=FILED)
    assert catalogue.B1.id in rule_ids(exc)
    w.officers[1].cert_valid_to = dt.date(2028, 12, 31)
    old = opened(db, personas, w, act_on=dt.date(2024, 8, 31))
    with pytest.raises(RuleViolation) as exc:
        service.file_case(db, actor=personas.officer, case=old, on=FILED)
    assert rule_ids(exc) == {catalogue.D1.id}
    done = service.file_case(db, actor=personas.officer, case=case, on=FILED)
    assert done.case.status == "investigating" and done.warnings == []


def test_d2_late_filing_is_a_warning_and_testing_time_is_excluded(
    db: Session, personas: Personas, w: Setup
) -> None:
    case = opened(db, personas, w)
    # 15 working days from Tue 1 Sep 2026 end on Mon 21 Sep (Sunday 20 Sep is worked)
    assert service.filing_warnings(db, case, dt.date(2026, 9, 21)) == []
    late = service.filing_warnings(db, case, dt.date(2026, 9, 22))
    assert [v.rule_id for v in late] == [catalogue.D2.id]
    investigation.suspend(
        db,
        actor=personas.officer,
        case=case,
        kind="testing",
        starts_on=dt.date(2026, 9, 3),
        ends_on=dt.date(2026, 9, 9),
        reason="送检",
    )
    assert service.filing_warnings(db, case, dt.date(2026, 9, 23)) == []
    done = service.file_case(db, actor=personas.officer, case=case, on=dt.date(2026, 9, 23))
    assert done.warnings == []


def test_d3_suspension_and_extension_move_the_decision_deadline(
    db: Session, personas: Personas, w: Setup
) -> None:
    case = filed(db, personas, w)
    today = dt.date(2026, 10, 1)
    warn, due = clocks.decision_deadline(db, case, today)
    assert (warn, due) == (dt.date(2026, 11, 16), dt.date(2026, 12, 1))
    investigation.suspend(
        db,
        actor=personas.officer,
        case=case,
        kind="announcement",
        starts_on=dt.date(2026, 9, 10),
        ends_on=dt.date(2026, 9, 19),
        reason="公告送达",
    )
    assert clocks.decision_deadline(db, case, today)[1] == dt.date(2026, 12, 11)
    investigation.extend(
        db,
        actor=personas.officer,
        case=case,
        approved_by="局长",
        approved_on=dt.date(2026, 12, 1),
        reason="案情复杂",
    )
    assert clocks.decision_deadline(db, case, today)[1] == dt.date(2027, 1, 10)
    with pytest.raises(RuleViolation) as exc:
        investigation.extend(
            db,
            actor=personas.officer,
            case=case,
            approved_by="局长",
            approved_on=dt.date(2027, 1, 5),
            reason="再次延长",
        )
    assert rule_ids(exc) == {catalogue.D3.id}
    investigation.extend(
        db,
        actor=personas.officer,
        case=case,
        approved_by="局务会",
        approved_on=dt.date(2027, 1, 5),
        reason="再次延长",
        collective=True,
    )
    assert clocks.decision_deadline(db, case, today)[1] == dt.date(2027, 2, 9)
    names = [d.name for d in clocks.case_deadlines(db, case, today)]
    assert names == ["决定是否立案期限", "作出处罚决定期限"]


def _notified(db: Session, p: Personas, w: Setup, fine_yuan: int = 60_000) -> PenaltyCase:
    case = filed(db, p, w)
    notice.serve_notice(
        db,
        actor=p.officer,
        case=case,
        kinds={"fine"},
        fine_fen=fine_yuan * 100,
        served_on=dt.date(2026, 9, 29),
        hearing_rights=True,
    )
    return case


def test_d6_notice_must_give_hearing_rights_at_the_threshold(
    db: Session, personas: Personas, w: Setup
) -> None:
    case = filed(db, personas, w)
    args = {"actor": personas.officer, "case": case, "kinds": {"fine"}}
    with pytest.raises(RuleViolation) as exc:
        notice.serve_notice(db, **args, fine_fen=5_000_000, served_on=FILED, hearing_rights=False)  # type: ignore[arg-type]
    assert rule_ids(exc) == {catalogue.D6.id}
    notice.serve_notice(db, **args, fine_fen=4_999_900, served_on=FILED, hearing_rights=False)  # type: ignore[arg-type]
    assert case.status == "notified" and not case.notice_hearing_rights


def test_hearing_review_decision_service_payment_and_close(
    db: Session, personas: Personas, w: Setup
) -> None:
    p = personas
    case = _notified(db, p, w)
    # D7: five working days from Tue 29 Sep end on Mon 12 Oct (the holiday is not counted)
    with pytest.raises(RuleViolation) as exc:
        notice.request_hearing(db, actor=p.officer, case=case, requested_on=dt.date(2026, 10, 13))
    assert rule_ids(exc) == {catalogue.D7.id}
    notice.request_hearing(db, actor=p.officer, case=case, requested_on=dt.date(2026, 10, 12))
    assert case.status == "hearing"
    # D8 and D9: notified 13 Oct, the hearing may not be before 22 Oct; presiding not investigator
    with pytest.raises(RuleViolation) as exc:
        notice.notify_hearing(
            db,
            actor=p.officer,
            case=case,
            notified_on=dt.date(2026, 10, 13),
            hearing_on=dt.date(2026, 10, 21),
            presiding_id=w.officers[0].id,
        )
    assert rule_ids(exc) == {catalogue.D8.id, catalogue.D9.id}
    notice.notify_hearing(
        db,
        actor=p.officer,
        case=case,
        notified_on=dt.date(2026, 10, 13),
        hearing_on=dt.date(2026, 10, 22),
        presiding_id=w.presiding.id,
    )
    with pytest.raises(RuleViolation) as exc:
        decision.decide(
            db,
            actor=p.officer,
            case=case,
            kinds={"fine"},
            fine_fen=6_000_000,
            reasons=REASONS,
            remedy=REMEDY,
            decided_on=dt.date(2026, 10, 20),
        )
    assert {catalogue.D9.id, catalogue.D10.id} <= rule_ids(exc)
    notice.hold_hearing(
        db, actor=p.officer, case=case, held_on=dt.date(2026, 10, 22), record="当事人陈述意见"
    )
    hearing = db.scalars(select(CaseSuspension).where(CaseSuspension.case_id == case.id)).one()
    assert (hearing.kind, hearing.starts_on, hearing.ends_on) == (
        "hearing",
        dt.date(2026, 10, 12),
        dt.date(2026, 10, 22),
    )
    # D3 stands still while the hearing runs: 11 days later than 1 Dec
    assert clocks.decision_deadline(db, case, dt.date(2026, 10, 23))[1] == dt.date(2026, 12, 12)
    decision.send_review(db, actor=p.officer, case=case, on=dt.date(2026, 10, 23))
    # D10: a first-time reviewer without the 法律职业资格 is refused
    with pytest.raises(RuleViolation) as exc:
        decision.record_review(
            db,
            actor=p.legal_reviewer,
            case=case,
            passed=True,
            opinion="同意",
            on=dt.date(2026, 10, 26),
        )
    assert rule_ids(exc) == {catalogue.D10.id}
    add_officer(db, w.subject, user_id=p.legal_reviewer.user_id, legal_qualified=True)
    db.flush()
    decision.record_review(
        db,
        actor=p.legal_reviewer,
        case=case,
        passed=True,
        opinion="事实清楚，证据确凿，适用依据正确，程序合法，同意。",
        on=dt.date(2026, 10, 26),
    )
    assert case.status == "reviewed"
    base = {
        "actor": p.officer,
        "case": case,
        "kinds": {"fine"},
        "remedy": REMEDY,
        "decided_on": dt.date(2026, 10, 27),
    }
    with pytest.raises(RuleViolation) as exc:
        decision.decide(db, **base, fine_fen=6_000_100, reasons=" ")  # type: ignore[arg-type]
    assert rule_ids(exc) == {catalogue.D5.id, catalogue.D12.id}
    done = decision.decide(db, **base, fine_fen=6_000_000, reasons=REASONS)  # type: ignore[arg-type]
    assert done.case.status == "decided" and done.warnings == []
    # D13: decided Tue 27 Oct, served after Thu 5 Nov is a warning
    served = execution.serve(
        db, actor=p.officer, case=case, served_on=dt.date(2026, 11, 6), how="mail"
    )
    assert [v.rule_id for v in served.warnings] == [catalogue.D13.id]
    assert case.payment_due_on == dt.date(2026, 11, 21)
    # D15: no cash collected by the organ; a payment reference is required
    with pytest.raises(RuleViolation) as exc:
        execution.record_payment(
            db,
            actor=p.officer,
            case=case,
            paid_on=dt.date(2026, 11, 20),
            amount_fen=6_000_000,
            channel="on_spot",
        )
    assert rule_ids(exc) == {catalogue.D15.id}
    with pytest.raises(RuleViolation) as exc:
        execution.record_payment(
            db,
            actor=p.officer,
            case=case,
            paid_on=dt.date(2026, 11, 20),
            amount_fen=6_000_000,
            channel="bank",
        )
    assert rule_ids(exc) == {catalogue.D15.id}
    with pytest.raises(Conflict):
        execution.close(db, actor=p.officer, case=case, on=dt.date(2026, 11, 20))
    # D16: two days late → 6 % surcharge is due with the fine
    with pytest.raises(InvalidInput, match="加处罚款"):
        execution.record_payment(
            db,
            actor=p.officer,
            case=case,
            paid_on=dt.date(2026, 11, 23),
            amount_fen=6_000_000,
            channel="online",
            payment_ref="3308-2026-000123",
        )
    execution.record_payment(
        db,
        actor=p.officer,
        case=case,
        paid_on=dt.date(2026, 11, 23),
        amount_fen=6_360_000,
        channel="online",
        payment_ref="3308-2026-000123",
    )
    assert (case.status, case.surcharge_fen) == ("executed", 360_000)
    execution.close(db, actor=p.officer, case=case, on=dt.date(2026, 11, 24), note="归档")
    assert case.status == "closed"
    deadlines = clocks.case_deadlines(db, case, dt.date(2026, 11, 24))
    states = {d.name: d.state for d in deadlines}
    assert states["听证申请期限"] == "已按期完成"
    assert states["决定书送达期限"] == "逾期完成"
    assert states["罚款缴纳期限"] == "逾期完成"
    steps = db.scalars(
        select(CaseStep.action).where(CaseStep.case_id == case.id).order_by(CaseStep.id)
    ).all()
    assert steps[:4] == ["open", "file", "evidence", "notify"] and steps[-1] == "close"


def test_d4_decision_waits_for_the_defence_period(
    db: Session, personas: Personas, w: Setup
) -> None:
    case = _notified(db, personas, w, fine_yuan=1_000)
    decision.send_review(db, actor=personas.officer, case=case, on=dt.date(2026, 9, 30))
    add_officer(db, w.subject, user_id=personas.legal_reviewer.user_id, legal_qualified=True)
    db.flush()
    decision.record_review(
        db,
        actor=personas.legal_reviewer,
        case=case,
        passed=True,
        opinion="同意",
        on=dt.date(2026, 9, 30),
    )
    args = {
        "actor": personas.officer,
        "case": case,
        "kinds": {"fine"},
        "fine_fen": 100_000,
        "reasons": REASONS,
        "remedy": REMEDY,
    }
    # five working days from 29 Sep end on 12 Oct
    with pytest.raises(RuleViolation) as exc:
        decision.decide(db, **args, decided_on=dt.date(2026, 10, 12))  # type: ignore[arg-type]
    assert rule_ids(exc) == {catalogue.D4.id}
    decision.decide(db, **args, decided_on=dt.date(2026, 10, 13))  # type: ignore[arg-type]
    assert case.status == "decided"


def test_d19_no_second_fine_for_the_same_act(db: Session, personas: Personas, w: Setup) -> None:
    from wurao.cases.rules import double_fine_problems

    first = filed(db, personas, w)
    first.status, first.fine_fen = "decided", 100_000
    db.flush()
    second = filed(db, personas, w, act_on=dt.date(2026, 8, 20))
    assert [v.rule_id for v in double_fine_problems(db, second)] == [catalogue.D19.id]
    other_act = filed(db, personas, w, provisions_breached="《食品安全法》第三十四条")
    assert double_fine_problems(db, other_act) == []


def test_d18_no_penalty_for_a_child_and_the_no_penalty_decision(
    db: Session, personas: Personas, w: Setup
) -> None:
    from wurao.demo.identifiers import make_ric

    ric = make_ric("330802", dt.date(2013, 1, 1), 7)  # 13 on 20 Aug 2026
    case = filed(db, personas, w, party_kind="person", person_name="小明", person_ric=ric)
    notice.serve_notice(
        db,
        actor=personas.officer,
        case=case,
        kinds={"warning"},
        fine_fen=0,
        served_on=FILED,
        hearing_rights=False,
    )
    notice.record_defence(db, actor=personas.officer, case=case, on=FILED, waived=True)
    with pytest.raises(RuleViolation) as exc:
        decision.decide(
            db,
            actor=personas.officer,
            case=case,
            kinds={"warning"},
            fine_fen=0,
            reasons=REASONS,
            remedy=REMEDY,
            decided_on=dt.date(2026, 9, 3),
        )
    assert catalogue.D18.id in rule_ids(exc)
    decision.decide_no_penalty(
        db,
        actor=personas.officer,
        case=case,
        reasons="违法行为发生时不满十四周岁。",
        remedy=REMEDY,
        decided_on=dt.date(2026, 9, 3),
    )
    execution.serve(
        db, actor=personas.officer, case=case, served_on=dt.date(2026, 9, 3), how="on_spot"
    )
    execution.close(db, actor=personas.officer, case=case, on=dt.date(2026, 9, 4))
    assert (case.outcome, case.status) == ("no_penalty", "closed")


def test_simple_procedure_on_the_spot(db: Session, personas: Personas, w: Setup) -> None:
    case = opened(db, personas, w, procedure="simple")
    args = {
        "actor": personas.officer,
        "case": case,
        "kinds": {"fine"},
        "reasons": "当场查实，情节轻微。",
        "remedy": REMEDY,
        "decided_on": FOUND,
    }
    with pytest.raises(RuleViolation) as exc:
        decision.decide_on_the_spot(db, **args, fine_fen=300_100)  # type: ignore[arg-type]
    assert rule_ids(exc) == {catalogue.D14.id}
    done = decision.decide_on_the_spot(db, **args, fine_fen=10_000)  # type: ignore[arg-type]
    assert done.case.status == "served" and case.served_how == "on_spot"
    execution.record_payment(
        db, actor=personas.officer, case=case, paid_on=FOUND, amount_fen=10_000, channel="on_spot"
    )
    assert case.status == "executed"


def test_not_filed_and_withdrawn_end_the_case(db: Session, personas: Personas, w: Setup) -> None:
    lead = opened(db, personas, w)
    service.not_file(db, actor=personas.officer, case=lead, reason="不属于本机关管辖", on=FILED)
    assert lead.status == "not_filed"
    assert [d.state for d in clocks.case_deadlines(db, lead, FILED)] == ["已按期完成"]
    case = filed(db, personas, w)
    execution.withdraw(db, actor=personas.officer, case=case, on=FILED, reason="违法事实不成立")
    assert case.status == "withdrawn"
    with pytest.raises(Conflict, match="已撤案"):
        notice.serve_notice(
            db,
            actor=personas.officer,
            case=case,
            kinds={"warning"},
            fine_fen=0,
            served_on=FILED,
            hearing_rights=False,
        )


def test_open_from_a_clue_or_a_referral(db: Session, personas: Personas, w: Setup) -> None:
    from wurao.core import audit
    from wurao.core.time import utcnow
    from wurao.oversight.models import Clue

    far = Clue(
        source="hotline", region_code="330803", description="衢江区的线索", created_at=utcnow()
    )
    near = Clue(
        source="hotline", region_code="330802", description="柯城区的线索", created_at=utcnow()
    )
    db.add_all([far, near])
    db.flush()
    audit.record(db, actor=personas.admin, action="test.clue", obj=far, covers=[near])
    with pytest.raises(InvalidInput) as exc:
        opened(db, personas, w, origin="clue", clue_id=far.id)
    assert exc.value.field == "clue_id"
    assert opened(db, personas, w, origin="clue", clue_id=near.id).clue_id == near.id
    with pytest.raises(InvalidInput) as exc:
        opened(db, personas, w, origin="referral")
    assert exc.value.field == "origin_ref"
    case = opened(db, personas, w, origin="referral", origin_ref="衢市监移〔2026〕3号")
    assert case.origin_ref == "衢市监移〔2026〕3号"


def test_evidence_file_is_stored_by_its_sha256(
    db: Session, personas: Personas, w: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "var_dir", tmp_path)
    case = filed(db, personas, w)
    content = b"%PDF-1.4 test evidence"
    row = investigation.add_evidence_file(
        db,
        actor=personas.officer,
        case=case,
        filename="C:\\取证\\检验报告.pdf",
        stream=io.BytesIO(content),
        description="证明产品不合格",
    )
    assert row.filename == "检验报告.pdf"
    assert row.sha256 == hashlib.sha256(content).hexdigest()
    assert (tmp_path / "evidence" / row.sha256).read_bytes() == content
    assert [e.kind for e in investigation.evidence_of(db, case)] == ["external", "file"]
    with pytest.raises(InvalidInput):
        investigation.add_evidence_file(
            db, actor=personas.officer, case=case, filename="空.txt", stream=io.BytesIO(b"")
        )
