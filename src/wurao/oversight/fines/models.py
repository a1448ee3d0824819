"""Tables of fine revenue (罚没收入): the finance side's monthly figures per subject.

Why a table of its own and not rows of ``penalty_case``: the years before the platform have no
cases, only the 罚没收入 the finance bureau (财政非税收入) booked per organ and month. One row per
subject and month holds that figure; re-importing a month replaces it, so a corrected sheet
imported twice leaves one row. The platform's own months are counted from the paid cases
(``penalty_case.paid_fen`` by ``paid_on``), never copied here. Amounts in fen, as everywhere.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId

Fen = BigInteger().with_variant(Integer, "sqlite")


class FineRevenueMonth(Base):
    """The 罚没收入 of one subject in one month, as the finance side reported it."""

    __tablename__ = "fine_revenue_month"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"))
    # the subject's region when imported: the supervisor's scope over the figure
    region_code: Mapped[str] = mapped_column(String(12))
    month: Mapped[dt.date] = mapped_column(Date)  # the first day of the month
    amount_fen: Mapped[int] = mapped_column(Fen, default=0)
    note: Mapped[str] = mapped_column(String(200), default="")  # 备注, as written in the sheet
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    imported_at: Mapped[dt.datetime]

    __table_args__ = (
        UniqueConstraint("subject_id", "month", name="uq_fine_revenue_month_subject_month"),
        Index("ix_fine_revenue_month_region_month", "region_code", "month"),
    )
