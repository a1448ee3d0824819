"""The clocks of coercive measures and enforcement, declared once (docs/coercion.md).

The page, the service's refusals and the nightly sweep all call ``measure_deadline`` and the
clocks below, so that they cannot disagree. DAY-XZQZ (行政强制法 第69条): periods of ten days or
less count working days, the 30-day periods calendar days. A testing period is excluded from a
seizure's 30 days only when its period was notified to the party in writing (第25条第3款).
The court window (E10) is counted in months, which ``core.clock.Clock`` does not do: its length
is still the policy value in force on the start date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.cases.clocks import Deadline, add_days, counted_between
from wurao.cases.coercion.models import CoercionPause, CoerciveEnforcement, CoerciveMeasure
from wurao.cases.coercion.statuses import RUNNING, MeasureKind, MeasureStatus
from wurao.core import rules
from wurao.core.clock import CALENDAR, WORKING, Clock, Pause
from wurao.core.policy import get_policy

E6_SEIZURE = Clock(rules.E6, "查封、扣押期限", "实施查封、扣押", "coercion.seizure_days", CALENDAR)
E6_EXTENSION = Clock(
    rules.E6, "查封、扣押延长期限", "批准延长", "coercion.seizure_extension_days", CALENDAR
)
E8_NOTICE = Clock(
    rules.E8, "交付冻结决定书期限", "实施冻结", "coercion.freeze_notice_working_days", WORKING
)
E8_FREEZE = Clock(rules.E8, "冻结期限", "实施冻结", "coercion.freeze_days", CALENDAR)
E8_EXTENSION = Clock(
    rules.E8, "冻结延长期限", "批准延长", "coercion.freeze_extension_days", CALENDAR
)
E9_SURCHARGE = Clock(
    rules.E9,
    "加处罚款满期后方可强制执行",
    "开始加处罚款",
    "coercion.surcharge_reminder_days",
    CALENDAR,
)
E9_SUBSTITUTE = Clock(
    rules.E9, "代履行催告期", "送达代履行决定书", "coercion.substitute_notice_working_days", WORKING
)
E10_AFTER_REMINDER = Clock(
    rules.E10,
    "催告书送达后等待期",
    "催告书送达",
    "coercion.court_after_reminder_working_days",
    WORKING,
)
COURT_MONTHS = "coercion.court_window_months"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_clocks(measure: CoerciveMeasure) -> tuple[Clock, Clock]:
    """The 30-day clock and its extension for the measure's kind (E6, or E8 for a freeze)."""
    if measure.kind == MeasureKind.FREEZE:
        return E8_FREEZE, E8_EXTENSION
    return E6_SEIZURE, E6_EXTENSION


def pauses_of(rows: Iterable[CoercionPause]) -> list[Pause]:
    """The testing periods that stop the clock: only those notified to the party."""
    return [(p.starts_on, p.ends_on) for p in rows if p.notified_on is not None]


def pauses(session: Session, measure: CoerciveMeasure) -> list[CoercionPause]:
    """The measure's testing periods, oldest first."""
    stmt = select(CoercionPause).where(CoercionPause.measure_id == measure.id)
    return list(session.scalars(stmt.order_by(CoercionPause.starts_on, CoercionPause.id)))


def period_end(
    measure: CoerciveMeasure, rows: Iterable[CoercionPause], *, extended: bool | None = None
) -> dt.date:
    """The measure's last day: 30 days from its start, notified testing excluded, +30 when
    extended (``extended`` overrides the measure's state, to ask "before the extension")."""
    assert measure.starts_on is not None
    main, extra = period_clocks(measure)
    stops = pauses_of(rows)
    due = main.deadline(measure.starts_on, measure.region_code, stops)
    if measure.extended_on is not None if extended is None else extended:
        due = add_days(due, extra.length(measure.starts_on, measure.region_code), CALENDAR, stops)
    return due


def _deadline(
    clock: Clock, start: dt.date, due: dt.date, who: str, met: dt.date | None, today: dt.date
) -> Deadline:
    left = (
        counted_between(today, due, clock.unit)
        if today <= due
        else -counted_between(due, today, clock.unit)
    )
    return Deadline(clock.name, clock.rule, start, due, who, clock.unit, met, left)


def measure_deadlines(
    session: Session,
    measure: CoerciveMeasure,
    today: dt.date,
    rows: list[CoercionPause] | None = None,
) -> list[Deadline]:
    """The measure's deadlines as its page shows them (empty before it takes effect)."""
    if measure.starts_on is None:
        return []
    rows = pauses(session, measure) if rows is None else rows
    out: list[Deadline] = []
    if measure.kind == MeasureKind.FREEZE:
        due = E8_NOTICE.deadline(measure.starts_on, measure.region_code)
        who = "执法主体（交付冻结决定书）"
        out.append(_deadline(E8_NOTICE, measure.starts_on, due, who, measure.notified_on, today))
    main, _ = period_clocks(measure)
    done = measure.outcome_on if measure.status not in RUNNING else None
    who = "执法主体（作出没收、销毁或解除决定）"
    out.append(_deadline(main, measure.starts_on, period_end(measure, rows), who, done, today))
    return out


def expired(measure: CoerciveMeasure, rows: Iterable[CoercionPause], today: dt.date) -> bool:
    """Still holding the property after its last day: to be released at once (E7)."""
    if measure.status not in RUNNING or measure.starts_on is None:
        return False
    return today > period_end(measure, rows)


def court_window(enf: CoerciveEnforcement) -> tuple[dt.date, dt.date] | None:
    """E10: the first and last day the court may be applied to, once the remedy period is over
    and the 催告 served (None before both are known)."""
    if enf.remedy_ends_on is None or enf.reminder_served_on is None:
        return None
    months = int(get_policy().value(COURT_MONTHS, enf.region_code, enf.remedy_ends_on))
    last = add_months(enf.remedy_ends_on, months)
    wait = E10_AFTER_REMINDER.deadline(enf.reminder_served_on, enf.region_code)
    first = max(enf.remedy_ends_on, wait) + dt.timedelta(days=1)
    return first, last


def enforcement_deadlines(enf: CoerciveEnforcement, today: dt.date) -> list[Deadline]:
    """The enforcement's periods as its page shows them."""
    out: list[Deadline] = []
    if enf.substitute_notified_on is not None:
        due = E9_SUBSTITUTE.deadline(enf.substitute_notified_on, enf.region_code)
        out.append(
            _deadline(
                E9_SUBSTITUTE,
                enf.substitute_notified_on,
                due,
                "当事人（自行履行）",
                enf.substituted_on,
                today,
            )
        )
    window = court_window(enf)
    if window is not None and enf.remedy_ends_on is not None:
        clock = E10_AFTER_REMINDER
        first, last = window
        left = (last - today).days
        out.append(
            Deadline(
                "申请人民法院强制执行期限",
                clock.rule,
                enf.remedy_ends_on,
                last,
                f"执法主体（{first.isoformat()}起可申请）",
                CALENDAR,
                enf.court_applied_on,
                left,
            )
        )
    return out


def status_label(measure: CoerciveMeasure, expired_now: bool) -> str:
    """The state as pages show it: 已到期，应立即解除 for an expired measure still in force."""
    if expired_now:
        return "期限届满，应立即解除"
    return MeasureStatus(measure.status).label
