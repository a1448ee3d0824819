"""送达, 执行 (罚缴分离 and the late surcharge), 结案 and 撤案.

Why apart from the decision: these steps run after it, partly on the party's side (payment,
复议 or 诉讼), and carry their own clocks — D13 service, D15 the 15 days to pay, D16 the 3 %
daily surcharge that stops while a review or a lawsuit runs (行政处罚法 第73条).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.cases import clocks
from wurao.cases.access import check_handle
from wurao.cases.models import PenaltyCase
from wurao.cases.rules import yuan
from wurao.cases.service import Done, end_without_decision, log_step, text
from wurao.cases.statuses import CASE_LIFECYCLE, PaymentChannel, Procedure, ServiceMethod
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import Conflict, InvalidInput, RuleViolation, Violation
from wurao.core.policy import get_policy


def serve(
    session: Session, *, actor: Actor, case: PenaltyCase, served_on: dt.date, how: str
) -> Done:
    """The decision reached the party: handed over on the spot, or within D13's seven working
    days (WARN when later); the 15 days to pay (D15) start."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "serve")
    if how not in ServiceMethod.labels():
        raise InvalidInput("送达方式不正确。", field="how")
    assert case.decided_on is not None
    if served_on < case.decided_on:
        raise InvalidInput("送达日期早于决定日期。", field="served_on")
    if how == ServiceMethod.ON_SPOT and served_on != case.decided_on:
        raise InvalidInput("当场交付的送达日期应为决定宣告当日。", field="served_on")
    warnings: list[Violation] = []
    due = clocks.D13_SERVICE.deadline(case.decided_on, case.region_code)
    if served_on > due:
        warnings.append(
            catalogue.D13.violation(
                f"决定书应于{due.isoformat()}前送达，实际{served_on.isoformat()}送达。",
                field="served_on",
                deadline=due.isoformat(),
            )
        )
    before = audit.snapshot(case)
    CASE_LIFECYCLE.advance(case, "serve")
    case.served_on = served_on
    case.served_how = how
    if case.fine_fen > 0:
        case.payment_due_on = clocks.D15_PAYMENT.deadline(served_on, case.region_code)
    note = f"送达决定书（{ServiceMethod(how).label}）" + "".join(f"；{w.detail}" for w in warnings)
    log_step(
        session, actor=actor, case=case, action="serve", day=served_on, note=note, before=before
    )
    return Done(case, warnings)


def record_remedy(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    started_on: dt.date,
    ended_on: dt.date | None = None,
) -> PenaltyCase:
    """The party applied for 行政复议 or sued (and when it ended): no surcharge meanwhile."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "remedy")
    assert case.served_on is not None
    if started_on < case.served_on or (ended_on is not None and ended_on < started_on):
        raise InvalidInput("复议或诉讼的起止日期不正确。", field="started_on")
    before = audit.snapshot(case)
    case.remedy_from = started_on
    case.remedy_to = ended_on
    until = ended_on.isoformat() if ended_on else "未结束"
    note = f"当事人申请行政复议或提起行政诉讼：{started_on.isoformat()}至{until}"
    log_step(
        session,
        actor=actor,
        case=case,
        action="remedy",
        day=started_on,
        note=note,
        before=before,
    )
    return case


def late_surcharge_fen(case: PenaltyCase, on: dt.date) -> int:
    """D16: 3 % of the fine for each day after the payment deadline up to ``on``, never more
    than the fine, and not for the days of a review or a lawsuit (行政处罚法 第72条、第73条)."""
    if case.fine_fen <= 0 or case.payment_due_on is None or on <= case.payment_due_on:
        return 0
    days = (on - case.payment_due_on).days
    if case.remedy_from is not None:
        first = max(case.remedy_from, case.payment_due_on + dt.timedelta(days=1))
        last = min(case.remedy_to or on, on)
        if last >= first:
            days -= (last - first).days + 1
    rate = float(
        get_policy().value("case.late_surcharge_rate", case.region_code, case.payment_due_on)
    )
    return min(case.fine_fen, round(case.fine_fen * rate * max(days, 0)))


def record_payment(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    paid_on: dt.date,
    amount_fen: int,
    channel: str,
    payment_ref: str = "",
    onsite_reason: str = "",
) -> PenaltyCase:
    """The fine was paid — at a bank or online against a payment reference (D15 罚缴分离);
    collected on the spot only within 行政处罚法 第68条、第69条; the D16 surcharge is due too."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "pay")
    if case.fine_fen <= 0:
        raise Conflict("本案没有罚款。")
    if channel not in PaymentChannel.labels():
        raise InvalidInput("缴款方式不正确。", field="channel")
    assert case.served_on is not None
    if paid_on < case.served_on:
        raise InvalidInput("缴款日期早于送达日期。", field="paid_on")
    ref = payment_ref.strip()
    reason = onsite_reason.strip()
    problems: list[Violation] = []
    if channel == PaymentChannel.ON_SPOT:
        cap = int(get_policy().value("case.onsite_collection_max_yuan", case.region_code, paid_on))
        small = case.procedure == Procedure.SIMPLE and case.fine_fen <= cap * 100
        if not small and not reason:
            problems.append(
                catalogue.D15.violation(
                    f"执法机关不得自行收缴罚款；当场收缴限于当场处罚{cap}元以下罚款，"
                    "或写明不当场收缴事后难以执行、边远地区等法定情形。",
                    field="channel",
                )
            )
    elif not ref:
        problems.append(
            catalogue.D15.violation(
                "请填写缴款书编号或电子缴款码（罚款缴入指定银行或电子支付系统）。",
                field="payment_ref",
            )
        )
    if problems:
        raise RuleViolation(problems)
    surcharge = late_surcharge_fen(case, paid_on)
    due = case.fine_fen + surcharge
    if amount_fen != due:
        extra = f"（含加处罚款{yuan(surcharge)}）" if surcharge else ""
        raise InvalidInput(f"应缴金额为{yuan(due)}{extra}。", field="amount")
    before = audit.snapshot(case)
    CASE_LIFECYCLE.advance(case, "pay")
    case.paid_on = paid_on
    case.paid_fen = amount_fen
    case.paid_channel = channel
    case.payment_ref = (ref or reason)[:60]
    case.surcharge_fen = surcharge
    note = f"缴纳罚款{yuan(amount_fen)}（{PaymentChannel(channel).label}"
    note += f"，{ref}）" if ref else "）"
    log_step(session, actor=actor, case=case, action="pay", day=paid_on, note=note, before=before)
    return case


def close(
    session: Session, *, actor: Actor, case: PenaltyCase, on: dt.date, note: str = ""
) -> PenaltyCase:
    """结案: the decision is executed (or nothing was left to execute) and the file archived."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "close")
    if case.fine_fen > 0 and case.paid_on is None:
        raise Conflict("罚款尚未缴纳，不能结案。")
    written = text(note, field="note", label="结案说明")
    before = audit.snapshot(case)
    CASE_LIFECYCLE.advance(case, "close")
    case.closed_on = on
    case.closing_note = written
    log_step(
        session,
        actor=actor,
        case=case,
        action="close",
        day=on,
        note="结案" + (f"：{written}" if written else ""),
        before=before,
    )
    return case


def withdraw(
    session: Session, *, actor: Actor, case: PenaltyCase, on: dt.date, reason: str
) -> PenaltyCase:
    """撤案 (终止调查): the case ends without a decision, with its reason."""
    return end_without_decision(
        session, actor=actor, case=case, action="withdraw", on=on, reason=reason, label="撤案"
    )
