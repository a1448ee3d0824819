"""Tables of this sub-domain: 执法监督员 appointed by a region's 司法局 and 企业联系点.

衢政办发〔2025〕16号 第20项：健全行政执法监督员聘任、培训、履职、激励机制，发挥行政执法企业
联系点作用；新乡市选聘行政执法监督员93名、设立基层联系点52个；铜山区在产业园建立
“行政执法监督企业联系点”。
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.registry.models import BigId


class EnforcementMonitor(Base):
    """A 行政执法监督员 appointed by the 司法局 of ``region_code`` for a term."""

    __tablename__ = "enforcement_monitor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    # 居民身份证号, validated (GB 11643); pages and exports show it masked only.
    ric: Mapped[str] = mapped_column(String(18), unique=True)
    # The region whose 司法局 appointed the monitor; the monitor observes inspections there.
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    organ: Mapped[str] = mapped_column(String(120), default="")  # 工作单位
    appointed_by: Mapped[str] = mapped_column(String(120), default="")  # 聘任机关
    appointment_no: Mapped[str] = mapped_column(String(80), default="")  # 聘任文号
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(30), default="")
    # The monitor's own sign-in account (a supervisor-side user), if any.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), unique=True)
    # active 在聘 / revoked 已解聘; "expired" is derived from valid_to, never stored.
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_at: Mapped[dt.datetime | None]


class EnterpriseContactPoint(Base):
    """An enterprise that volunteered as a 行政执法监督企业联系点 to report directly."""

    __tablename__ = "enterprise_contact_point"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(BigId, ForeignKey("enterprise.id"), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    contact_name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str] = mapped_column(String(30), default="")
    since: Mapped[dt.date] = mapped_column(Date)
    # active 有效 / ended 已撤销
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_at: Mapped[dt.datetime | None]
