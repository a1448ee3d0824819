"""法制审核, 集体讨论 and the decision (普通程序, 不予处罚, 当场处罚).

Why together: a decision is allowed only once every earlier step the law requires is done,
and the checks that say so (D4 告知 and 陈述申辩, D5, D9 the hearing record, D10 review, D11
discussion, D12 content, D14 on the spot, D18 minors, D19 one fine per act) read the same
case at the same moment; the reviewer's and the discussion's records are what D10 and D11 look
for. Service, payment and closing follow in ``cases.execution``.
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.cases import clocks, publication
from wurao.cases import rules as checks
from wurao.cases.access import check_handle, check_review
from wurao.cases.models import CaseEvidence, PenaltyCase
from wurao.cases.notice import clean_kinds
from wurao.cases.service import Done, log_step, officers_problems, text
from wurao.cases.statuses import CASE_LIFECYCLE, PenaltyKind, Procedure, kinds_label, kinds_text
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import Conflict, InvalidInput, RuleViolation, Violation
from wurao.core.events import Event, emit
from wurao.core.time import local_today
from wurao.core.workdays import UnknownCalendarYear
from wurao.discretion import leniency as lists
from wurao.discretion.models import Circumstance
from wurao.discretion.service import discretion_findings
from wurao.registry.models import Officer

# The review and litigation routes every decision states (行政处罚法 第59条第5项); the organ
# names the reviewing body and court in the text it enters.
REMEDY_HINT = (
    "如不服本决定，可以在收到本决定书之日起六十日内申请行政复议，或者在六个月内依法向人民法院"
    "提起行政诉讼。"
)


# --- 法制审核 (D10) -------------------------------------------------------------------------


def send_review(session: Session, *, actor: Actor, case: PenaltyCase, on: dt.date) -> PenaltyCase:
    """Send the case to the subject's 法制审核 reviewers."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "send_review")
    if case.hearing_requested_on is not None and case.hearing_held_on is None:
        raise Conflict("当事人已要求听证，须听证结束后再送法制审核。")
    before = audit.snapshot(case)
    CASE_LIFECYCLE.advance(case, "send_review")
    case.review_sent_on = on
    case.review_passed = None
    log_step(
        session,
        actor=actor,
        case=case,
        action="send_review",
        day=on,
        note="送法制审核",
        before=before,
    )
    return case


def reviewer_problems(session: Session, actor: Actor, case: PenaltyCase) -> list[Violation]:
    """D10: a reviewer with no earlier review holds the 法律职业资格 (衢州 第13项)."""
    earlier = session.scalar(
        select(func.count())
        .select_from(PenaltyCase)
        .where(
            PenaltyCase.reviewer_id == actor.user_id,
            PenaltyCase.reviewed_on.is_not(None),
            PenaltyCase.id != case.id,
        )
    )
    if earlier:
        return []
    qualified = session.scalar(
        select(Officer.id).where(Officer.user_id == actor.user_id, Officer.legal_qualified)
    )
    if qualified is not None and actor.user_id is not None:
        return []
    return [
        catalogue.D10.violation(
            f"{actor.display_name}初次从事行政处罚决定法制审核，须取得法律职业资格"
            "（执法人员名录中未登记）。",
            field="reviewer",
        )
    ]


def record_review(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    passed: bool,
    opinion: str,
    on: dt.date,
) -> PenaltyCase:
    """The reviewer's 法制审核意见: passed (the case waits for the decision) or returned for
    further investigation."""
    check_review(actor, case)
    action = "review_pass" if passed else "review_return"
    CASE_LIFECYCLE.check(case, action)
    problems = reviewer_problems(session, actor, case)
    if problems:
        raise RuleViolation(problems)
    written = text(opinion, field="opinion", label="法制审核意见", required=True)
    assert case.review_sent_on is not None
    if on < case.review_sent_on:
        raise InvalidInput("审核日期早于送审日期。", field="on")
    before = audit.snapshot(case)
    CASE_LIFECYCLE.advance(case, action)
    case.reviewer_id = actor.user_id
    case.reviewed_on = on
    case.review_passed = passed
    case.review_opinion = written
    note = ("法制审核通过：" if passed else "法制审核退回补充调查：") + written
    log_step(session, actor=actor, case=case, action=action, day=on, note=note, before=before)
    return case


# --- 集体讨论 (D11) -------------------------------------------------------------------------


def record_discussion(
    session: Session, *, actor: Actor, case: PenaltyCase, on: dt.date, minutes: str
) -> PenaltyCase:
    """The heads' collective discussion, with its minutes (集体讨论记录)."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "discuss")
    written = text(minutes, field="minutes", label="集体讨论记录", required=True)
    before = audit.snapshot(case)
    case.discussed_on = on
    case.discussion_minutes = written
    log_step(
        session,
        actor=actor,
        case=case,
        action="discuss",
        day=on,
        note=f"集体讨论：{written}",
        before=before,
    )
    return case


# --- the decision ---------------------------------------------------------------------------


def _evidence_count(session: Session, case: PenaltyCase) -> int:
    stmt = select(func.count()).select_from(CaseEvidence).where(CaseEvidence.case_id == case.id)
    return int(session.scalar(stmt) or 0)


def prerequisite_problems(
    case: PenaltyCase, kinds: set[str], fine_fen: int, on: dt.date
) -> list[Violation]:
    """What must be done before an ordinary-procedure decision (D4, D9, D10, D11)."""
    out: list[Violation] = []
    if case.notice_served_on is None:
        out.append(catalogue.D4.violation("尚未送达行政处罚事先告知书。", field="notice"))
    elif not (case.defence_waived or case.defence_recorded_on is not None):
        due = clocks.D4_DEFENCE.deadline(case.notice_served_on, case.region_code)
        if on <= due:
            out.append(
                catalogue.D4.violation(
                    f"陈述申辩期限至{due.isoformat()}届满，当事人未明确放弃，期限届满前不得作出决定。",
                    field="decided_on",
                    deadline=due.isoformat(),
                )
            )
    if case.hearing_requested_on is not None and case.hearing_held_on is None:
        out.append(
            catalogue.D9.violation("当事人已要求听证，须依据听证笔录作出决定。", field="hearing")
        )
    review = checks.legal_review_reasons(case, on)
    if review and case.review_passed is not True:
        out.append(
            catalogue.D10.violation(
                "作出决定前须经法制审核并通过（" + "；".join(review) + "）。", field="review"
            )
        )
    discuss = checks.discussion_reasons(case, kinds, fine_fen, on)
    if discuss and case.discussed_on is None:
        out.append(
            catalogue.D11.violation(
                "须由负责人集体讨论决定（" + "；".join(discuss) + "）。", field="discussion"
            )
        )
    return out


def _decision_checks(
    session: Session,
    case: PenaltyCase,
    problems: list[Violation],
    chosen: set[str],
    fine_fen: int,
    confiscation_fen: int,
    reasons: str,
    remedy: str,
    on: dt.date,
) -> list[Violation]:
    """What every decision with a penalty must pass, whatever the procedure: D12's content
    (reasons included), D18 for a minor and D19 against a second fine. Raises with
    ``problems`` and these together; returns the warnings (a minor aged 14–17, D24 a fine
    outside the benchmark without a reason, D17 a sparing list with no recorded choice)."""
    problems = problems + checks.content_problems(
        case,
        kinds=chosen,
        fine_fen=fine_fen,
        confiscation_fen=confiscation_fen,
        reasons=reasons,
        remedy=remedy,
        evidence_count=_evidence_count(session, case),
    )
    minor = checks.minor_findings(case)
    problems += [v for v in minor if v.severity == "BLOCK"]
    if PenaltyKind.FINE in chosen:
        problems += checks.double_fine_problems(session, case)
    if problems:
        raise RuleViolation(problems)
    return (
        [v for v in minor if v.severity == "WARN"]
        + discretion_findings(session, case, fine_fen, on)
        + lists.leniency_findings(session, case, penalty=True)
    )


def decide(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    kinds: set[str],
    fine_fen: int,
    reasons: str,
    remedy: str,
    decided_on: dt.date,
    confiscation_fen: int = 0,
) -> Done:
    """行政处罚决定 in the ordinary procedure, once every step before it is done."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "decide")
    chosen = clean_kinds(kinds)
    if case.notice_served_on is not None and decided_on < case.notice_served_on:
        raise InvalidInput("决定日期早于告知书送达日期。", field="decided_on")
    problems = prerequisite_problems(case, chosen, fine_fen, decided_on)
    problems += checks.heavier_problems(case, chosen, fine_fen, confiscation_fen)
    warnings = _decision_checks(
        session, case, problems, chosen, fine_fen, confiscation_fen, reasons, remedy, decided_on
    ) + _late_decision(session, case, decided_on)
    before = audit.snapshot(case)
    _apply(case, "penalty", chosen, fine_fen, confiscation_fen, reasons, remedy, decided_on)
    CASE_LIFECYCLE.advance(case, "decide")
    note = f"作出行政处罚决定：{kinds_label(case.decision_kinds)}"
    if fine_fen:
        note += f"，罚款{checks.yuan(fine_fen)}"
    note += "".join(f"；{w.detail}" for w in warnings)
    log_step(
        session,
        actor=actor,
        case=case,
        action="decide",
        day=decided_on,
        note=note,
        before=before,
    )
    # D20: the publication's due day, by the field's working days; when next year's holidays
    # are not imported yet, the row is opened when the decision is published
    if publication.publishable(case):
        with suppress(UnknownCalendarYear):
            publication.open_publication(session, actor=actor, case=case)
    emit(session, Event.CASE_DECIDED, case=case, actor=actor)  # D25: oversight files it
    return Done(case, warnings)


def _late_decision(session: Session, case: PenaltyCase, on: dt.date) -> list[Violation]:
    """D3 (WARN): decided after the 90 days (suspensions excluded, extensions added)."""
    if case.filed_on is None:
        return []
    _warn, due = clocks.decision_deadline(session, case, on)
    if on <= due:
        return []
    return [
        catalogue.D3.violation(
            f"应于{due.isoformat()}前作出决定，实际{on.isoformat()}作出。",
            deadline=due.isoformat(),
        )
    ]


def _apply(
    case: PenaltyCase,
    outcome: str,
    kinds: set[str],
    fine_fen: int,
    confiscation_fen: int,
    reasons: str,
    remedy: str,
    decided_on: dt.date,
) -> None:
    case.outcome = outcome
    case.decision_kinds = kinds_text(kinds)
    case.fine_fen = fine_fen
    case.confiscation_fen = confiscation_fen
    case.reasons = text(reasons, field="reasons", label="处罚理由")
    case.remedy = text(remedy, field="remedy", label="救济途径")
    case.decided_on = decided_on


def decide_no_penalty(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    reasons: str,
    remedy: str,
    decided_on: dt.date,
) -> PenaltyCase:
    """不予行政处罚决定 (a minor, a first minor violation corrected, no fault …), with reasons."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "decide_no_penalty")
    problems = []
    if not reasons.strip():
        problems.append(catalogue.D12.violation("请写明不予处罚的理由。", field="reasons"))
    if not remedy.strip():
        problems.append(
            catalogue.D12.violation(
                "请写明申请行政复议、提起行政诉讼的途径和期限。", field="remedy"
            )
        )
    if problems:
        raise RuleViolation(problems)
    before = audit.snapshot(case)
    _apply(case, "no_penalty", set(), 0, 0, reasons, remedy, decided_on)
    CASE_LIFECYCLE.advance(case, "decide_no_penalty")
    log_step(
        session,
        actor=actor,
        case=case,
        action="decide_no_penalty",
        day=decided_on,
        note=f"作出不予行政处罚决定：{case.reasons}",
        before=before,
    )
    return case


def decide_on_the_spot(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    kinds: set[str],
    fine_fen: int,
    reasons: str,
    remedy: str,
    decided_on: dt.date,
) -> Done:
    """当场处罚 (简易程序): D14's caps, two certified officers, the decision handed over at once
    (served the same day)."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "decide_on_spot")
    if case.procedure != Procedure.SIMPLE:
        raise Conflict("普通程序案件不能当场作出处罚决定。")
    chosen = clean_kinds(kinds)
    problems = checks.simple_problems(case, chosen, fine_fen, decided_on)
    problems += checks.limitation_problems(case)
    problems += officers_problems(session, case, decided_on, case.region_code)
    warnings = _decision_checks(
        session, case, problems, chosen, fine_fen, 0, reasons, remedy, decided_on
    )
    before = audit.snapshot(case)
    _apply(case, "penalty", chosen, fine_fen, 0, reasons, remedy, decided_on)
    CASE_LIFECYCLE.advance(case, "decide_on_spot")
    case.served_on = decided_on
    case.served_how = "on_spot"
    if fine_fen:
        case.payment_due_on = clocks.D15_PAYMENT.deadline(decided_on, case.region_code)
    note = f"当场作出行政处罚决定并交付：{kinds_label(case.decision_kinds)}"
    if fine_fen:
        note += f"，罚款{checks.yuan(fine_fen)}"
    note += "".join(f"；{w.detail}" for w in warnings)
    log_step(
        session,
        actor=actor,
        case=case,
        action="decide_on_spot",
        day=decided_on,
        note=note,
        before=before,
    )
    emit(session, Event.CASE_DECIDED, case=case, actor=actor)
    return Done(case, warnings)


# --- 裁量 (D24) and the leniency lists (D17) -----------------------------------------------


def _before_decision(actor: Actor, case: PenaltyCase) -> None:
    check_handle(actor, case)
    if case.decided_on is not None or case.status in ("not_filed", "withdrawn", "closed"):
        raise Conflict("案件已作出决定或已终结，不能再更改裁量记录。")


def record_leniency(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    choice: str,
    reason: str,
    on: dt.date | None = None,
) -> PenaltyCase:
    """The officer's choice on the leniency lists the violation is on (D17), with its reason;
    the lists matched at this moment are kept with it."""
    _before_decision(actor, case)
    for field, problem in lists.choice_problems(choice, reason):
        raise InvalidInput(problem + "。", field=field)
    written = text(reason, field="reason", label="理由", required=True)
    found = lists.leniency_for(session, case)
    before = audit.snapshot(case)
    case.leniency_list = lists.today_lists(found)
    case.leniency_choice = choice
    case.leniency_reason = written
    log_step(
        session,
        actor=actor,
        case=case,
        action="leniency",
        day=on or local_today(),
        note=f"清单适用：{lists.CHOICES[choice]}。理由：{written}",
        before=before,
    )
    return case


def record_discretion(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    circumstance: str,
    violation_code: str,
    reason: str,
    on: dt.date | None = None,
) -> PenaltyCase:
    """The circumstance (情节) and violation code that pick the benchmark row, and the written
    reason for a fine outside its range (D24)."""
    _before_decision(actor, case)
    if circumstance and circumstance not in Circumstance.labels():
        raise InvalidInput("请选择情节：轻微、一般、较重或严重。", field="circumstance")
    code = violation_code.strip()
    if len(code) > 40:
        raise InvalidInput("违法行为编码最多40个字。", field="violation_code")
    written = text(reason, field="discretion_reason", label="裁量说明")
    before = audit.snapshot(case)
    case.circumstance, case.violation_code, case.discretion_reason = circumstance, code, written
    label = Circumstance(circumstance).label if circumstance else "未认定"
    log_step(
        session,
        actor=actor,
        case=case,
        action="discretion",
        day=on or local_today(),
        note=f"裁量情节：{label}" + (f"。裁量说明：{written}" if written else ""),
        before=before,
    )
    return case
