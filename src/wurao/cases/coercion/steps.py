"""The steps after a coercive measure is applied: approval, the emergency report, the
freeze's delivery, the testing periods, the extension, the decision and the release (行政强制法
第十九条至第二十八条). Each step checks the actor, then the state (``MEASURE_LIFECYCLE``),
then its rules, and logs a step with its audit entry (``service.log_step``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.cases.coercion import clocks
from wurao.cases.coercion.access import check_handle
from wurao.cases.coercion.models import (
    CoercionPause,
    CoerciveMeasure,
)
from wurao.cases.coercion.service import emergency_hours, log_step
from wurao.cases.coercion.statuses import (
    MEASURE_LIFECYCLE,
    MeasureKind,
    Outcome,
)
from wurao.cases.service import text
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import InvalidInput, RuleViolation, Violation
from wurao.core.time import local_date, local_today, utcnow


def _at(value: dt.datetime | None, field: str, label: str, now: dt.datetime) -> dt.datetime:
    if value is None or value > now:
        raise InvalidInput(f"请填写{label}（不晚于现在）。", field=field)
    return value


def approve_measure(
    session: Session,
    *,
    actor: Actor,
    measure: CoerciveMeasure,
    approver: str,
    approved_at: dt.datetime,
    now: dt.datetime | None = None,
) -> CoerciveMeasure:
    """E2: the head's prior approval; the measure takes effect that day and its clock starts."""
    check_handle(actor, measure)
    MEASURE_LIFECYCLE.check(measure, "approve")
    who = text(approver, field="approver", label="批准的负责人", required=True)
    at = _at(approved_at, "approved_at", "批准时间", now or utcnow())
    before = audit.snapshot(measure)
    MEASURE_LIFECYCLE.advance(measure, "approve")
    measure.approver, measure.approved_at = who[:60], at
    measure.starts_on = local_date(at)
    measure.ends_on = clocks.period_end(measure, clocks.pauses(session, measure))
    note = f"经{who}批准实施，期限至{measure.ends_on.isoformat()}"
    log_step(
        session,
        actor=actor,
        obj=measure,
        action="approve",
        day=measure.starts_on,
        note=note,
        before=before,
    )
    return measure


def report_emergency(
    session: Session,
    *,
    actor: Actor,
    measure: CoerciveMeasure,
    approver: str,
    reported_at: dt.datetime,
    approved: bool,
    opinion: str = "",
    now: dt.datetime | None = None,
) -> CoerciveMeasure:
    """E2: the emergency measure reported to the head within 24 hours and approved afterwards;
    refused, it is released at once. A report later than 24 hours is refused (BLOCK)."""
    check_handle(actor, measure)
    MEASURE_LIFECYCLE.check(measure, "report")
    if not measure.emergency or measure.approved_at is not None:
        raise InvalidInput("该措施不是紧急情况下当场实施的，或已补办批准手续。", field="approver")
    who = text(approver, field="approver", label="负责人", required=True)
    at = _at(reported_at, "reported_at", "报告时间", now or utcnow())
    assert measure.emergency_at is not None
    if at < measure.emergency_at:
        raise InvalidInput("报告时间早于当场实施的时间。", field="reported_at")
    hours = emergency_hours(measure, local_date(measure.emergency_at))
    if at - measure.emergency_at > dt.timedelta(hours=hours):
        raise RuleViolation(
            [
                catalogue.E2.violation(
                    f"当场实施后{hours}小时内未向负责人报告（实施于"
                    f"{measure.emergency_at.isoformat(timespec='minutes')}），不能补办批准手续，应当解除。",
                    field="reported_at",
                )
            ]
        )
    before = audit.snapshot(measure)
    measure.reported_at = at
    day = local_date(at)
    if approved:
        measure.approver, measure.approved_at = who[:60], at
        note = f"{hours}小时内报告{who}，补办批准手续"
        log_step(
            session, actor=actor, obj=measure, action="report", day=day, note=note, before=before
        )
        return measure
    why = text(opinion, field="opinion", label="负责人意见", required=True)
    MEASURE_LIFECYCLE.advance(measure, "release")
    measure.outcome, measure.outcome_on = Outcome.RELEASE.value, day
    measure.outcome_reason = f"负责人{who}认为不应当采取：{why}"
    note = f"报告{who}，负责人不批准，立即解除：{why}"
    log_step(session, actor=actor, obj=measure, action="release", day=day, note=note, before=before)
    return measure


def deliver_freeze(
    session: Session, *, actor: Actor, measure: CoerciveMeasure, on: dt.date
) -> list[Violation]:
    """E8: the freeze decision handed to the party; later than 3 working days is a finding
    recorded with the step (the freeze stands, the delay is the organ's failure)."""
    check_handle(actor, measure)
    MEASURE_LIFECYCLE.check(measure, "deliver")
    if measure.kind != MeasureKind.FREEZE:
        raise InvalidInput("只有冻结须另行交付冻结决定书。", field="on")
    assert measure.starts_on is not None
    if on < measure.starts_on or on > local_today():
        raise InvalidInput("交付日期应在冻结之后、今天之前。", field="on")
    due = clocks.E8_NOTICE.deadline(measure.starts_on, measure.region_code)
    warnings = []
    if on > due:
        warnings.append(
            catalogue.E8.warning(
                f"冻结于{measure.starts_on.isoformat()}，应于{due.isoformat()}前交付冻结决定书，"
                f"实际{on.isoformat()}交付。",
                field="on",
            )
        )
    before = audit.snapshot(measure)
    measure.notified_on = on
    note = "向当事人交付冻结决定书" + "".join(f"；{w.detail}" for w in warnings)
    log_step(session, actor=actor, obj=measure, action="deliver", day=on, note=note, before=before)
    return warnings


def add_pause(
    session: Session,
    *,
    actor: Actor,
    measure: CoerciveMeasure,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str,
    notified_on: dt.date | None,
) -> CoercionPause:
    """A testing period (检测、检验、检疫、技术鉴定): excluded from the clock only when its
    period was notified to the party in writing (E6, 第25条第3款)."""
    check_handle(actor, measure)
    MEASURE_LIFECYCLE.check(measure, "pause")
    assert measure.starts_on is not None
    why = text(reason, field="reason", label="检测事项", required=True)
    if starts_on < measure.starts_on or ends_on < starts_on:
        raise InvalidInput("检测期间应在措施实施之后，且结束不早于开始。", field="ends_on")
    if notified_on is not None and notified_on < measure.starts_on:
        raise InvalidInput("书面告知日期早于措施实施日期。", field="notified_on")
    before = audit.snapshot(measure)
    row = CoercionPause(
        measure_id=measure.id,
        starts_on=starts_on,
        ends_on=ends_on,
        notified_on=notified_on,
        reason=why,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    measure.ends_on = clocks.period_end(measure, clocks.pauses(session, measure))
    told = "已书面告知当事人，不计入期限" if notified_on else "未书面告知当事人，计入期限"
    note = f"{why}：{starts_on.isoformat()}至{ends_on.isoformat()}，{told}"
    log_step(
        session,
        actor=actor,
        obj=measure,
        action="pause",
        day=starts_on,
        note=note,
        before=before,
        covers=[row],
    )
    return row


def extend_measure(
    session: Session,
    *,
    actor: Actor,
    measure: CoerciveMeasure,
    approver: str,
    on: dt.date,
    notified_on: dt.date | None,
    reason: str,
) -> CoerciveMeasure:
    """E6/E8: one extension of at most 30 days, approved by the head before the period ends,
    for a complex case, and notified to the party in writing."""
    check_handle(actor, measure)
    MEASURE_LIFECYCLE.check(measure, "extend")
    who = text(approver, field="approver", label="批准的负责人", required=True)
    why = text(reason, field="reason", label="情况复杂的理由", required=True)
    rows = clocks.pauses(session, measure)
    due = clocks.period_end(measure, rows)
    rule = catalogue.E8 if measure.kind == MeasureKind.FREEZE else catalogue.E6
    problems = []
    if on > due:
        problems.append(
            rule.violation(f"期限已于{due.isoformat()}届满，不能再延长，应当立即解除。", field="on")
        )
    if notified_on is None:
        problems.append(rule.violation("延长期限的决定应当书面告知当事人。", field="notified_on"))
    elif notified_on < on or notified_on > due:
        problems.append(
            rule.violation(
                f"延长期限通知书应在批准之后、原期限（{due.isoformat()}）届满前送达。",
                field="notified_on",
            )
        )
    if problems:
        raise RuleViolation(problems)
    before = audit.snapshot(measure)
    MEASURE_LIFECYCLE.advance(measure, "extend")
    measure.extended_on, measure.extension_notified_on = on, notified_on
    measure.extension_approver, measure.extension_reason = who[:60], why
    measure.ends_on = clocks.period_end(measure, rows)
    note = f"经{who}批准延长期限至{measure.ends_on.isoformat()}：{why}"
    log_step(session, actor=actor, obj=measure, action="extend", day=on, note=note, before=before)
    return measure


def decide_measure(
    session: Session,
    *,
    actor: Actor,
    measure: CoerciveMeasure,
    outcome: str,
    on: dt.date,
    reason: str,
) -> CoerciveMeasure:
    """E7: confiscate, destroy or release within the period; once it has expired only the
    release remains (a confiscation after expiry is refused)."""
    check_handle(actor, measure)
    if outcome not in Outcome.labels():
        raise InvalidInput("请选择没收、销毁或解除。", field="outcome")
    if outcome == Outcome.RELEASE:
        return release_measure(session, actor=actor, measure=measure, on=on, reason=reason)
    MEASURE_LIFECYCLE.check(measure, "decide")
    why = text(reason, field="reason", label="处理决定的理由和依据", required=True)
    assert measure.starts_on is not None
    if on < measure.starts_on or on > local_today():
        raise InvalidInput("决定日期应在措施实施之后、今天之前。", field="on")
    due = clocks.period_end(measure, clocks.pauses(session, measure))
    rule = catalogue.E8 if measure.kind == MeasureKind.FREEZE else catalogue.E6
    if on > due:
        raise RuleViolation(
            [
                rule.violation(
                    f"期限已于{due.isoformat()}届满，不能再作出没收、销毁决定，应当立即解除。",
                    field="on",
                )
            ]
        )
    before = audit.snapshot(measure)
    MEASURE_LIFECYCLE.advance(measure, "decide")
    measure.outcome, measure.outcome_on, measure.outcome_reason = outcome, on, why
    note = f"作出{Outcome(outcome).label}决定：{why}"
    log_step(session, actor=actor, obj=measure, action="decide", day=on, note=note, before=before)
    return measure


def release_measure(
    session: Session, *, actor: Actor, measure: CoerciveMeasure, on: dt.date, reason: str
) -> CoerciveMeasure:
    """解除 (第28条): not connected, no longer needed, or the period expired; always allowed."""
    check_handle(actor, measure)
    MEASURE_LIFECYCLE.check(measure, "release")
    why = text(reason, field="reason", label="解除理由", required=True)
    if measure.starts_on is not None and on < measure.starts_on:
        raise InvalidInput("解除日期早于措施实施日期。", field="on")
    if on > local_today():
        raise InvalidInput("解除日期不能晚于今天。", field="on")
    before = audit.snapshot(measure)
    MEASURE_LIFECYCLE.advance(measure, "release")
    measure.outcome, measure.outcome_on, measure.outcome_reason = Outcome.RELEASE.value, on, why
    log_step(
        session,
        actor=actor,
        obj=measure,
        action="release",
        day=on,
        note=f"解除：{why}",
        before=before,
    )
    return measure


def next_actions(measure: CoerciveMeasure) -> list[str]:
    """The steps the measure's state allows, in the order of the procedure."""
    out = [
        a
        for a in ("approve", "report", "deliver", "pause", "extend", "decide", "release")
        if MEASURE_LIFECYCLE.can(measure, a)
    ]
    if "report" in out and (not measure.emergency or measure.approved_at is not None):
        out.remove("report")
    if "deliver" in out and (measure.kind != MeasureKind.FREEZE or measure.notified_on):
        out.remove("deliver")
    return out
