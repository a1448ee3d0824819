"""F5 STATS-PUBLICATION: which subjects have not yet published last year's annual data.

Why here: the publication state lives in ``annual_report`` (reports, the top domain), and the
sweep lives in oversight, which must not import reports. The sweep's rule
(``oversight/rules_annual.py``) emits ``Event.ANNUAL_STATS_DUE``; this module's handler answers
with the findings, and the engine raises, deduplicates and audits them as for every rule.
From 1 January each announced subject without published data for the previous year gets a
reminder; after the deadline (policy stats.publish_deadline, 31 January) a late alert.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.core import rules as catalogue
from wurao.oversight.rule_base import Finding, cite
from wurao.registry.models import EnforcementSubject
from wurao.reports.annual import service
from wurao.reports.annual.models import AnnualReport
from wurao.reports.annual.statuses import ANNUAL_LIFECYCLE, AnnualStatus


def due_findings(session: Session, *, today: dt.date) -> list[Finding]:
    """A reminder (before the deadline) or a late finding (after it) per subject announced by
    the end of the previous year whose data for that year is not published."""
    year = today.year - 1
    reports = {
        r.subject_id: r
        for r in session.scalars(select(AnnualReport).where(AnnualReport.year == year))
    }
    subjects = session.scalars(
        select(EnforcementSubject)
        .where(EnforcementSubject.announced_on <= dt.date(year, 12, 31))
        .order_by(EnforcementSubject.id)
    )
    out: list[Finding] = []
    for s in subjects:
        report = reports.get(s.id)
        if report is not None and report.status == AnnualStatus.PUBLISHED.value:
            continue
        due = service.deadline(s.region_code, year)
        late = today > due
        day = f"{due.month}月{due.day}日"
        when = f"已超过{day}仍未公告" if late else f"应在{day}前经法制审核、负责人批准后公告"
        state = ANNUAL_LIFECYCLE.label(report.status) if report else "尚未生成"
        evidence = [cite("annual_report", report.id, f"{year}年度数据")] if report else []
        out.append(
            Finding(
                dedup_key=f"{catalogue.F5_STATS.id}:{year}:{s.id}:{'late' if late else 'due'}",
                region_code=s.region_code,
                subject_id=s.id,
                detail=f"{s.name}{year}年度行政执法数据{when}（当前：{state}）。",
                evidence=evidence,
            )
        )
    return out
