"""The remaining steps of a case, each with its rule failing and passing: the D2 extension,
ending a suspension, D3's warning and overdue states, D11's collective discussion, the
reviewer's return, and a review or lawsuit stopping the D16 surcharge (both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.cases import FILED, Setup, filed, opened, setup
from tests.conftest import Personas
from tests.inspections import add_officer
from wurao.cases import clocks, decision, execution, investigation, notice, service
from wurao.cases.models import CaseStep, PenaltyCase
from wurao.core import rules as catalogue
from wurao.core.errors import Conflict, InvalidInput, RuleViolation
from wurao.registry.models import Officer

REASONS = "依据裁量基准，违法情节一般，在法定幅度内处罚。"
REMEDY = "六十日内申请行政复议，或六个月内提起行政诉讼。"


@pytest.fixture
def w(db: Session) -> Setup:
    return setup(db)


def _reviewed(db: Session, p: Personas, w: Setup, *, complex_case: bool = False) -> PenaltyCase:
    case = filed(db, p, w, complex_case=complex_case)
    notice.serve_notice(
        db,
        actor=p.officer,
        case=case,
        kinds={"fine"},
        fine_fen=200_000,
        served_on=FILED,
        hearing_rights=False,
    )
    notice.record_defence(
        db, actor=p.officer, case=case, on=FILED, note="当事人称系初次违法，已整改"
    )
    decision.send_review(db, actor=p.officer, case=case, on=FILED)
    add_officer(db, w.subject, user_id=p.legal_reviewer.user_id, legal_qualified=True)
    db.flush()
    decision.record_review(
        db, actor=p.legal_reviewer, case=case, passed=True, opinion="同意", on=FILED
    )
    return case


def test_d2_extension_adds_fifteen_working_days_once(
    db: Session, personas: Personas, w: Setup
) -> None:
    case = opened(db, personas, w)
    # 15 working days from Tue 1 Sep end on Mon 21 Sep (Sunday 20 Sep is an adjusted working
    # day); 15 more, without 25 Sep and 1–7 Oct, end on Mon 19 Oct
    assert clocks.filing_deadline(case, [], FILED) == dt.date(2026, 9, 21)
    service.approve_filing_extension(
        db, actor=personas.officer, case=case, approved_by="副局长", reason="需调取外省证据"
    )
    assert clocks.filing_deadline(case, [], FILED) == dt.date(2026, 10, 19)
    assert service.filing_warnings(db, case, dt.date(2026, 10, 19)) == []
    with pytest.raises(Conflict):
        service.approve_filing_extension(
            db, actor=personas.officer, case=case, approved_by="副局长", reason="再次"
        )


def test_an_open_suspension_stops_d3_until_it_ends(
    db: Session, personas: Personas, w: Setup
) -> None:
    case = filed(db, personas, w)
    row = investigation.suspend(
        db,
        actor=personas.officer,
        case=case,
        kind="testing",
        starts_on=dt.date(2026, 9, 10),
        reason="产品送检",
    )
    # still open on 19 Sep: 10 days stand still so far
    assert clocks.decision_deadline(db, case, dt.date(2026, 9, 19))[1] == dt.date(2026, 12, 11)
    with pytest.raises(Conflict, match="重叠"):
        investigation.suspend(
            db,
            actor=personas.officer,
            case=case,
            kind="other",
            starts_on=dt.date(2026, 9, 15),
            reason="重叠",
        )
    with pytest.raises(InvalidInput):
        investigation.end_suspension(
            db,
            actor=personas.officer,
            case=case,
            suspension_id=row.id,
            ends_on=dt.date(2026, 9, 1),
        )
    investigation.end_suspension(
        db, actor=personas.officer, case=case, suspension_id=row.id, ends_on=dt.date(2026, 9, 14)
    )
    assert clocks.decision_deadline(db, case, dt.date(2026, 12, 1))[1] == dt.date(2026, 12, 6)
    steps = db.scalars(
        select(CaseStep.action).where(CaseStep.case_id == case.id).order_by(CaseStep.id)
    ).all()
    assert steps[-2:] == ["suspend", "resume"]
    with pytest.raises(Conflict):
        investigation.end_suspension(
            db,
            actor=personas.officer,
            case=case,
            suspension_id=row.id,
            ends_on=dt.date(2026, 9, 15),
        )


def test_d3_warns_from_day_75_and_is_overdue_after_day_90(
    db: Session, personas: Personas, w: Setup
) -> None:
    case = filed(db, personas, w)

    def d3(today: dt.date) -> clocks.Deadline:
        return next(d for d in clocks.case_deadlines(db, case, today) if d.rule is catalogue.D3)

    assert d3(dt.date(2026, 11, 15)).state == "进行中"
    assert d3(dt.date(2026, 11, 16)).state == "即将到期"
    assert d3(dt.date(2026, 12, 1)).days_left == 0
    late = d3(dt.date(2026, 12, 3))
    assert (late.state, late.days_left, late.overdue) == ("已逾期", -2, True)


def test_d11_collective_discussion_before_deciding_a_complex_case(
    db: Session, personas: Personas, w: Setup
) -> None:
    case = _reviewed(db, personas, w, complex_case=True)
    args = {
        "actor": personas.officer,
        "case": case,
        "kinds": {"fine"},
        "fine_fen": 200_000,
        "reasons": REASONS,
        "remedy": REMEDY,
        "decided_on": dt.date(2026, 9, 10),
    }
    with pytest.raises(RuleViolation) as exc:
        decision.decide(db, **args)  # type: ignore[arg-type]
    assert {v.rule_id for v in exc.value.violations} == {catalogue.D11.id}
    decision.record_discussion(
        db,
        actor=personas.officer,
        case=case,
        on=dt.date(2026, 9, 9),
        minutes="局务会讨论：同意处罚意见。",
    )
    done = decision.decide(db, **args)  # type: ignore[arg-type]
    assert done.case.status == "decided"


def test_the_reviewer_returns_a_case_for_further_investigation(
    db: Session, personas: Personas, w: Setup
) -> None:
    case = filed(db, personas, w)
    decision.send_review(db, actor=personas.officer, case=case, on=FILED)
    add_officer(db, w.subject, user_id=personas.legal_reviewer.user_id, legal_qualified=True)
    db.flush()
    with pytest.raises(InvalidInput):
        decision.record_review(
            db, actor=personas.legal_reviewer, case=case, passed=False, opinion=" ", on=FILED
        )
    decision.record_review(
        db,
        actor=personas.legal_reviewer,
        case=case,
        passed=False,
        opinion="证据不足，补充调查",
        on=FILED,
    )
    assert (case.status, case.review_passed) == ("investigating", False)


def test_a_review_or_lawsuit_stops_the_surcharge(db: Session, personas: Personas, w: Setup) -> None:
    case = _reviewed(db, personas, w)
    decision.decide(
        db,
        actor=personas.officer,
        case=case,
        kinds={"fine"},
        fine_fen=200_000,
        reasons=REASONS,
        remedy=REMEDY,
        decided_on=dt.date(2026, 9, 10),
    )
    served = execution.serve(
        db, actor=personas.officer, case=case, served_on=dt.date(2026, 9, 10), how="on_spot"
    )
    assert served.warnings == []  # D13: handed over on the day of the decision
    assert case.payment_due_on == dt.date(2026, 9, 25)
    execution.record_remedy(
        db,
        actor=personas.officer,
        case=case,
        started_on=dt.date(2026, 9, 20),
        ended_on=dt.date(2026, 11, 18),
    )
    # paid 20 Nov: 26 Sep–20 Nov is 56 days, of which 26 Sep–18 Nov (54) were under review
    assert execution.late_surcharge_fen(case, dt.date(2026, 11, 20)) == 12_000
    execution.record_payment(
        db,
        actor=personas.officer,
        case=case,
        paid_on=dt.date(2026, 11, 20),
        amount_fen=212_000,
        channel="bank",
        payment_ref="缴款书 No.0001",
    )
    assert case.surcharge_fen == 12_000


def test_reviewers_at_least_five_percent_of_the_officers(db: Session, w: Setup) -> None:
    from wurao.cases.rules import reviewer_share_problems

    # the subject has one reviewer account (the persona); 20 officers need 1, 21 need 2
    count = db.scalar(
        select(func.count())
        .select_from(Officer)
        .where(Officer.subject_id == w.subject.id, Officer.kind == "officer", Officer.active)
    )
    for _ in range(20 - int(count or 0)):
        add_officer(db, w.subject)
    db.flush()
    assert reviewer_share_problems(db, w.subject, FILED) == []
    add_officer(db, w.subject)
    db.flush()
    found = reviewer_share_problems(db, w.subject, FILED)
    assert [(v.rule_id, v.severity) for v in found] == [(catalogue.D10.id, "WARN")]
    assert found[0].evidence["needed"] == 2


def test_d4_the_notice_states_the_legal_basis(db: Session, personas: Personas, w: Setup) -> None:
    case = filed(db, personas, w, provisions_applied="")
    args = {"actor": personas.officer, "case": case, "fine_fen": 0, "served_on": FILED}
    with pytest.raises(RuleViolation) as exc:
        notice.serve_notice(db, **args, kinds=set(), hearing_rights=False)  # type: ignore[arg-type]
    assert {v.rule_id for v in exc.value.violations} == {catalogue.D4.id}
    assert {v.evidence["field"] for v in exc.value.violations} == {"provisions_applied", "kinds"}
    case.provisions_applied = "《中华人民共和国产品质量法》第四十九条"
    notice.serve_notice(db, **args, kinds={"warning"}, hearing_rights=False)  # type: ignore[arg-type]
    assert case.status == "notified"


def test_evidence_is_on_the_timeline_on_the_day_it_was_taken(
    db: Session, personas: Personas, w: Setup
) -> None:
    case = filed(db, personas, w)
    digest = "ab" * 32
    taken = dt.date(2026, 9, 8)
    investigation.add_evidence_external(
        db, actor=personas.officer, case=case, filename="执法记录仪视频", sha256=digest,
        uri="nas://evidence/1.mp4", on=taken,
    )  # fmt: skip
    step = db.scalars(
        select(CaseStep)
        .where(CaseStep.case_id == case.id, CaseStep.action == "evidence")
        .order_by(CaseStep.id.desc())
    ).first()
    assert step is not None and step.day == taken and "执法记录仪视频" in step.note
    # before the lead was found, or in the future: refused by its field
    for wrong in (case.found_on - dt.timedelta(days=1), dt.date(2099, 1, 1)):
        with pytest.raises(InvalidInput) as exc:
            investigation.add_evidence_external(
                db, actor=personas.officer, case=case, filename="照片", sha256=digest,
                uri="nas://evidence/2.jpg", on=wrong,
            )  # fmt: skip
        assert exc.value.field == "on"
