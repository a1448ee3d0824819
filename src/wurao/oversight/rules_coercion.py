"""E7: coercive measures still holding property after their last day — the sweep's alerts.

Why here: an expired 查封、扣押 or 冻结 not released is a failure the supervisor follows up, like
an overdue case (F5, ``rules_cases``). Each candidate is held to ``cases.coercion.clocks``
(the one declaration of the 30 + 30-day clock with its notified testing periods): the stored
``ends_on`` only pre-filters. One alert per measure (dedup key per measure), so a nightly rerun
raises nothing new. Registered in ``wurao.oversight.rules``.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.cases.coercion.clocks import pauses, period_end
from wurao.cases.coercion.models import CoerciveMeasure
from wurao.cases.coercion.statuses import RUNNING, MeasureKind
from wurao.core import rules as catalogue
from wurao.core import workdays
from wurao.oversight.rule_base import Context, Finding, cite

PREFIX = catalogue.E7.id.split()[0]


def expired(session: Session, ctx: Context) -> Iterator[Finding]:
    """One finding per measure in force past its last day (应当立即解除)."""
    m = CoerciveMeasure
    rows = session.scalars(
        select(m)
        .where(m.status.in_(sorted(s.value for s in RUNNING)), m.ends_on < ctx.today)
        .order_by(m.id)
    )
    unknown = 0
    for measure in rows:
        try:
            last = period_end(measure, pauses(session, measure))
        except workdays.UnknownCalendarYear:
            unknown += 1
            continue
        if ctx.today <= last:
            continue
        days = (ctx.today - last).days
        kind = MeasureKind(measure.kind).label
        yield Finding(
            dedup_key=f"{PREFIX}:{measure.id}",
            region_code=measure.region_code,
            subject_id=measure.subject_id,
            enterprise_id=measure.enterprise_id,
            detail=(
                f"{kind}{measure.number}（当事人{measure.party_name}）期限于{last.isoformat()}"
                f"届满，已超过{days}日仍未作出处理决定或解除，应当立即解除。"
            ),
            evidence=[cite("coercive_measure", measure.id, f"行政强制措施 {measure.number}")],
        )
    if unknown:
        ctx.notes.append(
            f"E7：{unknown} 项行政强制措施的期限所在年度节假日安排尚未导入，暂不判断。"
        )
