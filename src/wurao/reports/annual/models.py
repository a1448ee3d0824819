"""Annual statistics (年度行政执法数据): one report per subject and year, from draft to publication.

The figures are stored as JSON (``figures``: computed from the records at ``computed_at``, the
query date; ``manual``: what the platform cannot know, each with the subject's reason), so the
catalogue of figures (``figures.py``) can grow without a migration and a published report keeps
exactly what was approved. ``figures_sha256`` seals the published figures.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base


class AnnualReport(Base):
    """A subject's annual enforcement data for one year and where it stands (statuses.py)."""

    __tablename__ = "annual_report"
    __table_args__ = (UniqueConstraint("subject_id", "year", name="uq_annual_report_subject_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)  # the subject's region
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    figures: Mapped[str] = mapped_column(Text, default="{}")  # JSON key → number, from records
    lists: Mapped[str] = mapped_column(Text, default="{}")  # JSON: items never / most used
    manual: Mapped[str] = mapped_column(Text, default="{}")  # JSON key → {value, reason}
    computed_at: Mapped[dt.datetime]  # the query date of ``figures``
    review_opinion: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str] = mapped_column(String(60), default="")  # 法制审核人员
    reviewed_at: Mapped[dt.datetime | None]
    approved_by: Mapped[str] = mapped_column(String(60), default="")  # 负责人
    approved_at: Mapped[dt.datetime | None]
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    figures_sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime]
