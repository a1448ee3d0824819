"""Reads of the annual statistics: the overview of every subject's state for a year (the
supervisor's, or the subject's own), a region's totals, and the published reports (公示)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor, region_filter, region_in_scope, subject_filter
from wurao.core.errors import NotFound
from wurao.registry.models import EnforcementSubject
from wurao.reports.annual import figures as compute
from wurao.reports.annual import service
from wurao.reports.annual.models import AnnualReport
from wurao.reports.annual.statuses import ANNUAL_LIFECYCLE, AnnualStatus
from wurao.reports.portal import region_prefix


@dataclass(frozen=True)
class Line:
    """One subject's state for the year."""

    subject: EnforcementSubject
    report: AnnualReport | None
    deadline: dt.date
    late: bool

    @property
    def status_label(self) -> str:
        """The report's state, or that none was generated yet."""
        return ANNUAL_LIFECYCLE.label(self.report.status) if self.report else "未生成"


def announced_subjects(session: Session, actor: Actor) -> list[EnforcementSubject]:
    """The announced subjects the actor sees: its region's, or its own."""
    actor.require(Permission.PLANS_VIEW)
    return list(
        session.scalars(
            select(EnforcementSubject)
            .where(
                EnforcementSubject.announced_on.is_not(None),
                region_filter(actor, EnforcementSubject.region_code),
                subject_filter(actor, EnforcementSubject.id),
            )
            .order_by(EnforcementSubject.region_code, EnforcementSubject.name)
        )
    )


def overview(session: Session, *, actor: Actor, year: int, today: dt.date) -> list[Line]:
    """Every announced subject in the actor's view with its report's state for ``year``."""
    subjects = announced_subjects(session, actor)
    reports = {
        r.subject_id: r
        for r in session.scalars(service.reports_visible_to(actor).where(AnnualReport.year == year))
    }
    return [
        Line(
            s,
            reports.get(s.id),
            service.deadline(s.region_code, year),
            service.is_late(reports.get(s.id), s.region_code, year, today),
        )
        for s in subjects
    ]


def region_totals(session: Session, *, actor: Actor, year: int) -> compute.Computed:
    """The actor's region's figures for the year (a joint inspection counted once)."""
    actor.require(Permission.DASHBOARD_VIEW)
    prefix = "" if actor.region_code == "000000" else actor.scope_prefix
    return compute.compute(session, compute.Scope(prefix=prefix), year)


def published(session: Session, *, year: int, region: str = "") -> list[AnnualReport]:
    """The published reports of a year (and region), for anyone."""
    stmt = select(AnnualReport).where(
        AnnualReport.year == year, AnnualReport.status == AnnualStatus.PUBLISHED.value
    )
    if region.strip():
        stmt = stmt.where(region_in_scope(AnnualReport.region_code, region_prefix(region)))
    return list(session.scalars(stmt.order_by(AnnualReport.region_code, AnnualReport.id)))


def get_published(session: Session, *, report_id: int) -> AnnualReport:
    """One published report, for anyone."""
    report = session.scalar(
        select(AnnualReport).where(
            AnnualReport.id == report_id, AnnualReport.status == AnnualStatus.PUBLISHED.value
        )
    )
    if report is None:
        raise NotFound("年度行政执法数据不存在或尚未公布。")
    return report


def subject_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Subject id → name."""
    if not ids:
        return {}
    rows = session.execute(
        select(EnforcementSubject.id, EnforcementSubject.name).where(
            EnforcementSubject.id.in_(sorted(ids))
        )
    )
    return {i: n for i, n in rows}


def subject_for(session: Session, *, actor: Actor, subject_id: int) -> EnforcementSubject:
    """A subject the actor sees (its own, or of its region)."""
    subject = session.scalar(
        select(EnforcementSubject).where(
            EnforcementSubject.id == subject_id,
            region_filter(actor, EnforcementSubject.region_code),
            subject_filter(actor, EnforcementSubject.id),
        )
    )
    if subject is None:
        raise NotFound("执法主体不存在，或不在您的管辖范围内。")
    return subject
