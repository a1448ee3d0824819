"""D25 in the nightly sweep: one alert per major decision not filed by its deadline.

Why an alert and not only the inbox's "逾期" badge: 衢州 item 22 has the supervisor "全程监测"
the filings, and a decision filed late (or never) is a failure the supervisor follows up with a
风险提示函 like any other. The deadline is the one stored when the filing was opened from the
D25 clock; a filing opened while its year's holidays were unknown is held to the clock here.
The dedup key is ``D25:<filing id>``, so a filing stays one alert whether it is still missing
or was filed late since. Registered in ``wurao.oversight.rules``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.oversight.filings import service
from wurao.oversight.filings.models import MajorFiling
from wurao.oversight.filings.queries import late_filter
from wurao.oversight.filings.statuses import FilingKind
from wurao.oversight.rule_base import Context, Finding, cite


def _unknown_deadline(session: Session, ctx: Context) -> Iterator[tuple[MajorFiling, dt.date]]:
    """Filings opened while their year's holidays were unknown, held to the D25 clock now."""
    before = ctx.today - dt.timedelta(days=service.CLOCK.shortest(ctx.today))
    stmt = select(MajorFiling).where(MajorFiling.due_on.is_(None), MajorFiling.decided_on < before)
    for filing in session.scalars(stmt.order_by(MajorFiling.id)):
        due = service.deadline(filing.decided_on, filing.region_code)
        if due is None:
            ctx.notes.append(f"备案{filing.title}的期限所在年度尚未导入节假日安排，暂不判断。")
        elif (filing.filed_on or ctx.today) > due:
            yield filing, due


def _detail(filing: MajorFiling, due: dt.date) -> str:
    kind = FilingKind(filing.kind).label
    head = (
        f"{kind}{filing.title}（{filing.decided_on.isoformat()}作出，备案理由：{filing.grounds}）"
        f"应于{due.isoformat()}前向执法监督机构备案，"
    )
    if filing.filed_on is None:
        return head + "至今未报备。"
    return head + f"实际于{filing.filed_on.isoformat()}报备，逾期报备。"


def late_filings(session: Session, ctx: Context) -> Iterator[Finding]:
    """One finding per filing not filed by its deadline (missing, or filed late)."""
    stmt = select(MajorFiling).where(late_filter(ctx.today)).order_by(MajorFiling.id)
    stored = [(f, f.due_on) for f in session.scalars(stmt) if f.due_on is not None]
    for filing, due in [*stored, *_unknown_deadline(session, ctx)]:
        evidence = [cite("filing", filing.id, f"重大执法决定备案 {filing.title}")]
        if filing.case_id is not None:
            evidence.append(cite("case", filing.case_id, f"行政处罚案件 {filing.title}"))
        yield Finding(
            dedup_key=f"D25:{filing.id}",
            region_code=filing.region_code,
            subject_id=filing.subject_id,
            detail=_detail(filing, due),
            evidence=evidence,
        )
