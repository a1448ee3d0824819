"""API shapes of the annual statistics (figures as numbers: amounts in fen, rates as shares)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from wurao.reports.annual import service
from wurao.reports.annual.models import AnnualReport
from wurao.reports.annual.queries import Line


class ManualOut(BaseModel):
    """A figure entered by the subject, with its reason."""

    value: int
    reason: str


class AnnualReportOut(BaseModel):
    """A subject's annual data for one year (status as a code: draft, review, reviewed,
    published; see docs/annual-statistics.md)."""

    id: int
    subject_id: int
    region_code: str
    year: int
    status: str
    computed_at: dt.datetime
    figures: dict[str, Any]
    manual: dict[str, ManualOut]
    lists: dict[str, list[list[Any]]]
    reviewed_by: str
    approved_by: str
    published_on: dt.date | None
    figures_sha256: str

    @classmethod
    def of(cls, r: AnnualReport) -> AnnualReportOut:
        return cls(
            id=r.id,
            subject_id=r.subject_id,
            region_code=r.region_code,
            year=r.year,
            status=r.status,
            computed_at=r.computed_at,
            figures=service.all_values(r),
            manual={k: ManualOut(**v) for k, v in service.loads(r.manual).items()},
            lists=service.loads(r.lists),
            reviewed_by=r.reviewed_by,
            approved_by=r.approved_by,
            published_on=r.published_on,
            figures_sha256=r.figures_sha256,
        )


class LineOut(BaseModel):
    """One subject's state for the year."""

    subject_id: int
    subject_name: str
    report_id: int | None
    status: str | None
    deadline: dt.date
    late: bool
    published_on: dt.date | None

    @classmethod
    def of(cls, ln: Line) -> LineOut:
        r = ln.report
        return cls(
            subject_id=ln.subject.id,
            subject_name=ln.subject.name,
            report_id=r.id if r else None,
            status=r.status if r else None,
            deadline=ln.deadline,
            late=ln.late,
            published_on=r.published_on if r else None,
        )
