"""告知, 陈述申辩 and 听证: what the party is told before a decision, and its answer.

Why a module of its own: these steps are the party's rights (行政处罚法 第44条、第45条、
第62条–第65条) and each has its own rule — D4 the 告知's content, D6 hearing rights when the
penalty is heavy, D7 the request window, D8 the notice period, D9 the presiding officer —
checked here before the step is recorded.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.cases import clocks
from wurao.cases.access import check_handle
from wurao.cases.investigation import add_suspension_row
from wurao.cases.models import CaseOfficer, CaseSuspension, PenaltyCase
from wurao.cases.rules import hearing_reasons, yuan
from wurao.cases.service import Done, log_step, text
from wurao.cases.statuses import (
    CASE_LIFECYCLE,
    PenaltyKind,
    Procedure,
    SuspensionKind,
    kinds_label,
    kinds_text,
)
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import Conflict, InvalidInput, RuleViolation, Violation
from wurao.registry.models import Officer


def clean_kinds(kinds: set[str] | frozenset[str]) -> set[str]:
    """The penalty kinds chosen, each one known."""
    unknown = set(kinds) - set(PenaltyKind.labels())
    if unknown:
        raise InvalidInput("处罚种类不正确。", field="kinds")
    return set(kinds)


def serve_notice(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    kinds: set[str],
    fine_fen: int,
    served_on: dt.date,
    hearing_rights: bool,
    confiscation_fen: int = 0,
) -> Done:
    """Serve the 行政处罚事先告知书 (again, to propose a heavier penalty: D5).

    D4: the party is told the facts, reasons and basis; D6: when the proposed penalty is heavy
    (较大数额 in force on the day served, or a heavy kind), the notice must give hearing rights.
    """
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "notify")
    if case.procedure != Procedure.ORDINARY:
        raise Conflict("简易程序案件当场作出决定，不送达告知书。")
    chosen = clean_kinds(kinds)
    if fine_fen < 0 or confiscation_fen < 0:
        raise InvalidInput("金额不能为负数。", field="fine")
    assert case.filed_on is not None
    if served_on < case.filed_on:
        raise InvalidInput("告知书送达日期早于立案日期。", field="served_on")
    problems: list[Violation] = []
    for field, value, label in (
        ("facts", case.facts, "违法事实"),
        ("provisions_applied", case.provisions_applied, "处罚依据"),
    ):
        if not value.strip():
            problems.append(catalogue.D4.violation(f"告知书须载明{label}。", field=field))
    if not chosen:
        problems.append(catalogue.D4.violation("告知书须载明拟作出的处罚。", field="kinds"))
    reasons = hearing_reasons(case, chosen, fine_fen, confiscation_fen, served_on)
    if reasons and not hearing_rights:
        problems.append(
            catalogue.D6.violation(
                "拟作出的处罚应当告知当事人有要求听证的权利（" + "；".join(reasons) + "）。",
                field="hearing_rights",
            )
        )
    if problems:
        raise RuleViolation(problems)
    before = audit.snapshot(case)
    again = case.notice_served_on is not None
    CASE_LIFECYCLE.advance(case, "notify")
    case.notice_kinds = kinds_text(chosen)
    case.notice_fine_fen = fine_fen
    case.notice_confiscation_fen = confiscation_fen
    case.notice_hearing_rights = hearing_rights
    case.notice_served_on = served_on
    case.defence_recorded_on = None
    case.defence_waived = False
    case.defence_note = ""
    if again:  # a changed proposal must be reviewed again before the decision
        case.review_passed = None
    proposed = kinds_label(case.notice_kinds)
    if PenaltyKind.FINE in chosen:
        proposed += f"（罚款{yuan(fine_fen)}）"
    note = ("重新" if again else "") + f"送达行政处罚事先告知书，拟{proposed}"
    if hearing_rights:
        note += "，告知听证权利"
    log_step(
        session, actor=actor, case=case, action="notify", day=served_on, note=note, before=before
    )
    return Done(case)


def record_defence(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    on: dt.date,
    note: str = "",
    waived: bool = False,
) -> PenaltyCase:
    """The party's 陈述申辩 was heard (or expressly waived): D4 allows the decision."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "defence")
    assert case.notice_served_on is not None
    if on < case.notice_served_on:
        raise InvalidInput("陈述申辩日期早于告知书送达日期。", field="on")
    said = text(note, field="note", label="陈述申辩内容及采纳情况", required=not waived)
    before = audit.snapshot(case)
    case.defence_recorded_on = on
    case.defence_waived = waived
    case.defence_note = said
    summary = "当事人明确放弃陈述申辩" if waived else f"听取当事人陈述申辩：{said}"
    log_step(session, actor=actor, case=case, action="defence", day=on, note=summary, before=before)
    return case


def request_hearing(
    session: Session, *, actor: Actor, case: PenaltyCase, requested_on: dt.date
) -> PenaltyCase:
    """The party asked for a hearing — within D7's window; the D3 clock stands still until
    the hearing is held (a hearing suspension opens)."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "request_hearing")
    assert case.notice_served_on is not None
    if not case.notice_hearing_rights:
        raise Conflict("告知书未告知听证权利；如拟作出的处罚应当听证，请重新告知。")
    if requested_on < case.notice_served_on:
        raise InvalidInput("听证申请日期早于告知书送达日期。", field="requested_on")
    due = clocks.D7_HEARING_REQUEST.deadline(case.notice_served_on, case.region_code)
    if requested_on > due:
        days = clocks.D7_HEARING_REQUEST.length(case.notice_served_on, case.region_code)
        raise RuleViolation(
            [
                catalogue.D7.violation(
                    f"告知书于{case.notice_served_on.isoformat()}送达，当事人应在{days}个工作日内"
                    f"（{due.isoformat()}前）提出听证，{requested_on.isoformat()}已逾期。",
                    field="requested_on",
                    deadline=due.isoformat(),
                )
            ]
        )
    before = audit.snapshot(case)
    CASE_LIFECYCLE.advance(case, "request_hearing")
    case.hearing_requested_on = requested_on
    log_step(
        session,
        actor=actor,
        case=case,
        action="request_hearing",
        day=requested_on,
        note="当事人要求听证",
        before=before,
    )
    add_suspension_row(
        session, actor, case, SuspensionKind.HEARING.value, requested_on, None, "听证程序"
    )
    return case


def _investigators(session: Session, case: PenaltyCase) -> set[int]:
    stmt = select(CaseOfficer.officer_id).where(CaseOfficer.case_id == case.id)
    return set(session.scalars(stmt))


def _presiding_problems(session: Session, case: PenaltyCase, officer_id: int) -> list[Violation]:
    if officer_id in _investigators(session, case):
        return [
            catalogue.D9.violation(
                "听证主持人不得由本案调查人员担任。", field="presiding_id", officer_id=officer_id
            )
        ]
    return []


def notify_hearing(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    notified_on: dt.date,
    hearing_on: dt.date,
    presiding_id: int,
) -> PenaltyCase:
    """听证通知书: D8 at least seven working days before; D9 a presiding officer who did not
    investigate the case."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "notify_hearing")
    assert case.hearing_requested_on is not None
    presiding = session.get(Officer, presiding_id)
    if presiding is None or presiding.subject_id != case.subject_id:
        raise InvalidInput("听证主持人须为本执法主体的人员。", field="presiding_id")
    if notified_on < case.hearing_requested_on:
        raise InvalidInput("听证通知日期早于听证申请日期。", field="notified_on")
    problems = _presiding_problems(session, case, presiding_id)
    earliest = clocks.D8_HEARING_NOTICE.deadline(notified_on, case.region_code)
    if hearing_on < earliest:
        problems.append(
            catalogue.D8.violation(
                f"{notified_on.isoformat()}通知的听证最早于{earliest.isoformat()}举行"
                f"（须提前七个工作日通知），不能定于{hearing_on.isoformat()}。",
                field="hearing_on",
                earliest=earliest.isoformat(),
            )
        )
    if problems:
        raise RuleViolation(problems)
    before = audit.snapshot(case)
    case.hearing_notified_on = notified_on
    case.hearing_on = hearing_on
    case.hearing_presiding_id = presiding_id
    note = f"通知听证：{hearing_on.isoformat()}举行，主持人{presiding.name}"
    log_step(
        session,
        actor=actor,
        case=case,
        action="notify_hearing",
        day=notified_on,
        note=note,
        before=before,
    )
    return case


def hold_hearing(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    held_on: dt.date,
    record: str,
    absent: bool = False,
) -> PenaltyCase:
    """The hearing took place (or the party's unexcused absence ended it as waived); the
    hearing suspension ends that day and the decision must rest on the record."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "hold_hearing")
    if case.hearing_on is None or case.hearing_presiding_id is None:
        raise Conflict("尚未通知听证。")
    if case.hearing_held_on is not None:
        raise Conflict("听证已经记录。")
    if held_on < case.hearing_on:
        raise InvalidInput("听证日期早于通知的日期。", field="held_on")
    problems = _presiding_problems(session, case, case.hearing_presiding_id)
    if problems:
        raise RuleViolation(problems)
    label = "当事人无正当理由拒不参加听证的情况" if absent else "听证笔录要点"
    written = text(record, field="record", label=label, required=True)
    before = audit.snapshot(case)
    case.hearing_held_on = held_on
    case.hearing_absent = absent
    case.hearing_record = written
    note = ("当事人无正当理由未参加，视为放弃听证：" if absent else "举行听证：") + written
    log_step(
        session,
        actor=actor,
        case=case,
        action="hold_hearing",
        day=held_on,
        note=note,
        before=before,
    )
    _close_hearing_suspension(session, actor, case, held_on)
    return case


def _close_hearing_suspension(
    session: Session, actor: Actor, case: PenaltyCase, held_on: dt.date
) -> None:
    stmt = select(CaseSuspension).where(
        CaseSuspension.case_id == case.id,
        CaseSuspension.kind == SuspensionKind.HEARING.value,
        CaseSuspension.ends_on.is_(None),
    )
    for row in session.scalars(stmt):
        before = audit.snapshot(row)
        row.ends_on = held_on
        audit.record(
            session,
            actor=actor,
            action="case.resume",
            obj=row,
            before=before,
            summary=f"{case.number}：听证结束，办案期限恢复计算",
            region_code=case.region_code,
        )
