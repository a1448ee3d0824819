"""强制执行 (行政强制法 第四、五章): the written 催告 first, then enforcement by the organ —
never at night or on a statutory holiday unless urgent (E9), a 加处罚款 only after it ran
30 days and a 催告, a 代履行 only 3 working days after its notice — or an application to the
court within 3 months of the end of the review and litigation period and only 10 working days
after the 催告 was served (E10). Each verb checks the actor, the state, then its rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.cases.access import get_case
from wurao.cases.coercion import clocks
from wurao.cases.coercion.access import check_handle
from wurao.cases.coercion.models import CoerciveEnforcement
from wurao.cases.coercion.service import log_step, next_number
from wurao.cases.coercion.statuses import ENFORCEMENT_LIFECYCLE, EnforcementStatus
from wurao.cases.service import text
from wurao.core import audit, workdays
from wurao.core import rules as catalogue
from wurao.core.errors import InvalidInput, NotFound, RuleViolation, Violation
from wurao.core.policy import get_policy
from wurao.core.time import local_date, local_today, to_local, utcnow
from wurao.registry.models import EnforcementSubject, Enterprise


@dataclass(frozen=True)
class EnforcementData:
    """The decision to be enforced: from a case, or typed (a decision outside the platform)."""

    obligation: str
    case_id: int | None = None
    enterprise_id: int | None = None
    party_name: str = ""
    decision_ref: str = ""
    remedy_ends_on: dt.date | None = None
    surcharge_from: dt.date | None = None
    subject_id: int | None = None


def open_enforcement(
    session: Session, *, actor: Actor, data: EnforcementData, today: dt.date | None = None
) -> CoerciveEnforcement:
    """Register a decision the party has not carried out (待催告)."""
    actor.require(Permission.CASES_HANDLE)
    today = today or local_today()
    subject_id = data.subject_id if data.subject_id is not None else actor.subject_id
    if subject_id is None or (actor.subject_id is not None and subject_id != actor.subject_id):
        raise InvalidInput("请选择本执法主体。", field="subject_id")
    subject = session.get(EnforcementSubject, subject_id)
    if subject is None:
        raise NotFound("执法主体不存在。")
    obligation = text(data.obligation, field="obligation", label="应履行的义务", required=True)
    case_id, enterprise_id, ref = None, data.enterprise_id, data.decision_ref.strip()
    if data.case_id is not None:
        case = get_case(session, actor=actor, case_id=data.case_id)
        if case.subject_id != subject.id or case.decided_on is None:
            raise InvalidInput("只能对本执法主体已作出决定的案件申请强制执行。", field="case_id")
        case_id, enterprise_id, party = case.id, case.enterprise_id, case.party_name
        ref = ref or case.number
    elif enterprise_id is not None:
        ent = session.get(Enterprise, enterprise_id)
        if ent is None:
            raise InvalidInput("请从检查对象名录库选择当事人。", field="enterprise_id")
        party = ent.name
    else:
        party = text(data.party_name, field="party_name", label="当事人", required=True)
    for name, day in (
        ("remedy_ends_on", data.remedy_ends_on),
        ("surcharge_from", data.surcharge_from),
    ):
        if day is not None and day > today + dt.timedelta(days=366):
            raise InvalidInput("日期不正确。", field=name)
    enf = CoerciveEnforcement(
        number=next_number(session, subject, "enforcement", today.year),
        case_id=case_id,
        subject_id=subject.id,
        region_code=subject.region_code,
        enterprise_id=enterprise_id,
        party_name=party[:200],
        obligation=obligation,
        decision_ref=ref[:160],
        remedy_ends_on=data.remedy_ends_on,
        surcharge_from=data.surcharge_from,
        status=EnforcementStatus.OPEN.value,
        created_by_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(enf)
    session.flush()
    log_step(
        session,
        actor=actor,
        obj=enf,
        action="open",
        day=today,
        note=f"登记待强制执行的决定{ref}：{obligation[:60]}",
        before=None,
    )
    return enf


def serve_reminder(
    session: Session, *, actor: Actor, enf: CoerciveEnforcement, served_on: dt.date, content: str
) -> CoerciveEnforcement:
    """E9: the written 催告 (第35条) — the obligation, the time limit, how, and the party's
    right to state its case — served on ``served_on``."""
    check_handle(actor, enf)
    ENFORCEMENT_LIFECYCLE.check(enf, "remind")
    body = text(content, field="content", label="催告内容", required=True)
    if served_on > local_today():
        raise InvalidInput("送达日期不能晚于今天。", field="served_on")
    before = audit.snapshot(enf)
    ENFORCEMENT_LIFECYCLE.advance(enf, "remind")
    enf.reminder_served_on, enf.reminder_text = served_on, body
    log_step(
        session,
        actor=actor,
        obj=enf,
        action="remind",
        day=served_on,
        note=f"催告书送达：{body[:80]}",
        before=before,
    )
    return enf


def _hour(name: str, region: str, on: dt.date) -> int:
    return int(get_policy().value(name, region, on))


def timing_violations(enf: CoerciveEnforcement, at: dt.datetime) -> list[Violation]:
    """E9: not at night, not on a statutory holiday (the official schedule's rest days)."""
    local = to_local(at)
    day = local.date()
    start = _hour("coercion.night_from_hour", enf.region_code, day)
    end = _hour("coercion.night_until_hour", enf.region_code, day)
    problems: list[Violation] = []
    if local.hour >= start or local.hour < end:
        problems.append(
            catalogue.E9.violation(
                f"{local:%H:%M}属于夜间（{start}时至次日{end}时），不得实施行政强制执行。",
                field="at",
            )
        )
    if not workdays.is_working_day(day):
        problems.append(
            catalogue.E9.violation(
                f"{day.isoformat()}为法定节假日（休息日），不得实施行政强制执行。", field="at"
            )
        )
    return problems


def enforce(
    session: Session,
    *,
    actor: Actor,
    enf: CoerciveEnforcement,
    at: dt.datetime,
    method: str,
    emergency_reason: str = "",
) -> CoerciveEnforcement:
    """E9: enforcement by the organ after the 催告; at night or on a holiday only in an
    emergency with its reason; a 加处罚款 only after it ran 30 days."""
    check_handle(actor, enf)
    ENFORCEMENT_LIFECYCLE.check(enf, "enforce")
    how = text(method, field="method", label="强制执行方式", required=True)
    if at > utcnow():
        raise InvalidInput("执行时间不能晚于现在。", field="at")
    day = local_date(at)
    assert enf.reminder_served_on is not None
    problems: list[Violation] = []
    if day < enf.reminder_served_on:
        problems.append(catalogue.E9.violation("强制执行前应当先书面催告。", field="at"))
    timing = timing_violations(enf, at)
    urgent = emergency_reason.strip()
    if timing and not urgent:
        problems += timing
    if enf.surcharge_from is not None:
        ran = clocks.E9_SURCHARGE.deadline(enf.surcharge_from, enf.region_code)
        if day <= ran or enf.reminder_served_on <= ran:
            problems.append(
                catalogue.E9.violation(
                    f"加处罚款自{enf.surcharge_from.isoformat()}起算，须超过三十日"
                    f"（{ran.isoformat()}之后）并经催告仍不履行，方可强制执行。",
                    field="at",
                )
            )
    if problems:
        raise RuleViolation(problems)
    before = audit.snapshot(enf)
    ENFORCEMENT_LIFECYCLE.advance(enf, "enforce")
    enf.enforced_at, enf.enforcement_method = at, how
    enf.emergency_reason = urgent if timing else ""
    note = f"强制执行：{how}" + (f"（情况紧急：{urgent}）" if timing else "")
    log_step(session, actor=actor, obj=enf, action="enforce", day=day, note=note, before=before)
    return enf


def notify_substitute(
    session: Session, *, actor: Actor, enf: CoerciveEnforcement, on: dt.date
) -> CoerciveEnforcement:
    """E9: the 代履行决定书 served; the 代履行 may follow 3 working days later."""
    check_handle(actor, enf)
    ENFORCEMENT_LIFECYCLE.check(enf, "notify_substitute")
    assert enf.reminder_served_on is not None
    if on < enf.reminder_served_on or on > local_today():
        raise InvalidInput("代履行决定书送达日期应在催告之后、今天之前。", field="on")
    before = audit.snapshot(enf)
    enf.substitute_notified_on = on
    due = clocks.E9_SUBSTITUTE.deadline(on, enf.region_code)
    log_step(
        session,
        actor=actor,
        obj=enf,
        action="notify_substitute",
        day=on,
        note=f"送达代履行决定书，{due.isoformat()}后方可代履行",
        before=before,
    )
    return enf


def substitute(
    session: Session, *, actor: Actor, enf: CoerciveEnforcement, on: dt.date, how: str
) -> CoerciveEnforcement:
    """E9: the 代履行, only after its notice's 3 working days, not on a holiday."""
    check_handle(actor, enf)
    ENFORCEMENT_LIFECYCLE.check(enf, "substitute")
    what = text(how, field="how", label="代履行的方式和代履行人", required=True)
    if enf.substitute_notified_on is None:
        raise RuleViolation([catalogue.E9.violation("应先送达代履行决定书。", field="on")])
    due = clocks.E9_SUBSTITUTE.deadline(enf.substitute_notified_on, enf.region_code)
    problems: list[Violation] = []
    if on <= due:
        problems.append(
            catalogue.E9.violation(
                f"代履行三日（工作日）前应催告当事人履行：代履行决定书于"
                f"{enf.substitute_notified_on.isoformat()}送达，{due.isoformat()}之后方可代履行。",
                field="on",
            )
        )
    if not workdays.is_working_day(on):
        problems.append(
            catalogue.E9.violation(f"{on.isoformat()}为法定节假日，不得实施代履行。", field="on")
        )
    if problems:
        raise RuleViolation(problems)
    before = audit.snapshot(enf)
    ENFORCEMENT_LIFECYCLE.advance(enf, "substitute")
    enf.substituted_on = on
    log_step(
        session,
        actor=actor,
        obj=enf,
        action="substitute",
        day=on,
        note=f"代履行：{what}",
        before=before,
    )
    return enf


def apply_to_court(
    session: Session, *, actor: Actor, enf: CoerciveEnforcement, on: dt.date, court: str
) -> CoerciveEnforcement:
    """E10: within 3 months of the end of the review and litigation period, and at least
    10 working days after the 催告 was served."""
    check_handle(actor, enf)
    ENFORCEMENT_LIFECYCLE.check(enf, "apply_court")
    where = text(court, field="court", label="受理法院", required=True)
    if enf.remedy_ends_on is None:
        raise InvalidInput("请先登记复议、诉讼期限届满的日期。", field="on")
    window = clocks.court_window(enf)
    assert window is not None
    first, last = window
    problems: list[Violation] = []
    if on < first:
        problems.append(
            catalogue.E10.violation(
                f"复议、诉讼期限于{enf.remedy_ends_on.isoformat()}届满、催告书于"
                f"{enf.reminder_served_on}送达：{first.isoformat()}起方可申请。",
                field="on",
            )
        )
    if on > last:
        problems.append(
            catalogue.E10.violation(
                f"申请期限已于{last.isoformat()}届满（复议、诉讼期限届满之日起三个月）。",
                field="on",
            )
        )
    if problems:
        raise RuleViolation(problems)
    before = audit.snapshot(enf)
    ENFORCEMENT_LIFECYCLE.advance(enf, "apply_court")
    enf.court_applied_on, enf.court = on, where[:120]
    log_step(
        session,
        actor=actor,
        obj=enf,
        action="apply_court",
        day=on,
        note=f"向{where}申请强制执行",
        before=before,
    )
    return enf


def close_enforcement(
    session: Session, *, actor: Actor, enf: CoerciveEnforcement, on: dt.date, note: str
) -> CoerciveEnforcement:
    """The party carried out the decision: the enforcement ends."""
    check_handle(actor, enf)
    ENFORCEMENT_LIFECYCLE.check(enf, "close")
    why = text(note, field="note", label="履行情况", required=True)
    before = audit.snapshot(enf)
    ENFORCEMENT_LIFECYCLE.advance(enf, "close")
    log_step(
        session,
        actor=actor,
        obj=enf,
        action="close",
        day=on,
        note=f"当事人履行：{why}",
        before=before,
    )
    return enf
