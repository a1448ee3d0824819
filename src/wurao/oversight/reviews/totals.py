"""Review totals per subject — files reviewed, average score, problems found, rectified
(items accepted, 销号) and overdue — live from the files and the rectification items, for the
totals page, its .xlsx export and the dashboard (F8; 新乡 reports 评查1190件, 发现问题1235个,
已整改1233个)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from openpyxl import Workbook
from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from wurao.auth.scope import region_in_scope
from wurao.core.ids import region_scope_prefix
from wurao.core.time import local_today
from wurao.core.xlsx import append_row
from wurao.oversight.rectification.models import RectificationItem
from wurao.oversight.rectification.statuses import RectStatus, SourceKind
from wurao.oversight.reviews.models import ReviewFile, ReviewPlan, ReviewProblem
from wurao.oversight.reviews.statuses import FileStatus, Grade
from wurao.registry.models import EnforcementSubject


@dataclass(frozen=True)
class ReviewTotals:
    """One subject's line (subject_id 0: the region's sum)."""

    subject_id: int
    subject_name: str
    reviewed: int
    score_sum: int
    unqualified: int
    problems: int
    rectified: int
    overdue: int

    @property
    def average(self) -> float | None:
        """Average score of the files reviewed (None when none)."""
        return self.score_sum / self.reviewed if self.reviewed else None


def review_totals(
    session: Session, *, region_code: str, year: int, today: dt.date | None = None
) -> list[ReviewTotals]:
    """Totals per subject over the scored files of the region's plans of ``year`` (two grouped
    queries). The caller has checked that the region is the viewer's."""
    today = today or local_today()
    prefix = region_scope_prefix(region_code)
    in_scope = and_(region_in_scope(ReviewPlan.region_code, prefix), ReviewPlan.year == year)
    scored = ReviewFile.status == FileStatus.SCORED.value

    def n(cond: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    files = session.execute(
        select(
            ReviewFile.subject_id,
            n(scored),
            func.coalesce(func.sum(case((scored, ReviewFile.score), else_=0)), 0),
            n(and_(scored, ReviewFile.grade == Grade.UNQUALIFIED.value)),
        )
        .join(ReviewPlan, ReviewPlan.id == ReviewFile.plan_id)
        .where(in_scope)
        .group_by(ReviewFile.subject_id)
    ).all()
    by_subject = {int(s): (int(r), int(total), int(u)) for s, r, total, u in files}
    item = RectificationItem
    problems = session.execute(
        select(
            ReviewFile.subject_id,
            func.count(ReviewProblem.id),
            n(item.status == RectStatus.ACCEPTED.value),
            n(and_(item.status == RectStatus.OPEN.value, item.due_on < today)),
        )
        .join(ReviewFile, ReviewFile.id == ReviewProblem.file_id)
        .join(ReviewPlan, ReviewPlan.id == ReviewFile.plan_id)
        .join(
            item,
            and_(
                item.source_kind == SourceKind.REVIEW.value,
                item.source_id == ReviewProblem.id,
            ),
            isouter=True,
        )
        .where(in_scope)
        .group_by(ReviewFile.subject_id)
    ).all()
    found = {int(s): (int(p), int(r), int(o)) for s, p, r, o in problems}
    ids = set(by_subject) | set(found)
    names = dict(
        session.execute(
            select(EnforcementSubject.id, EnforcementSubject.name).where(
                EnforcementSubject.id.in_(ids)
            )
        ).all()
    )
    out = [
        ReviewTotals(
            sid,
            names.get(sid, ""),
            *by_subject.get(sid, (0, 0, 0)),
            *found.get(sid, (0, 0, 0)),
        )
        for sid in ids
    ]
    return sorted(out, key=lambda t: t.subject_name)


def sum_line(rows: list[ReviewTotals]) -> ReviewTotals:
    """The region's sum line."""
    return ReviewTotals(
        0,
        "合计",
        sum(r.reviewed for r in rows),
        sum(r.score_sum for r in rows),
        sum(r.unqualified for r in rows),
        sum(r.problems for r in rows),
        sum(r.rectified for r in rows),
        sum(r.overdue for r in rows),
    )


HEADER = ["执法主体", "评查案卷", "平均分", "不合格", "发现问题", "已整改销号", "整改超期"]


def xlsx(rows: list[ReviewTotals], year: int) -> bytes:
    """The totals as .xlsx (subject names written as text, never as a formula)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"{year}年案卷评查")
    append_row(sheet, HEADER)
    for r in [*rows, sum_line(rows)]:
        average = round(r.average, 1) if r.average is not None else "—"
        append_row(
            sheet,
            [r.subject_name, r.reviewed, average, r.unqualified, r.problems, r.rectified,
             r.overdue],
        )  # fmt: skip
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
