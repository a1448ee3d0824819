"""Registry tables: the ground truth every later rule reads."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base


class Region(Base):
    """An administrative division (GB/T 2260 six-digit code; towns use 9-digit codes)."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    level: Mapped[str] = mapped_column(String(12))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)


class EnforcementSubject(Base):
    """An enforcement subject (执法主体) whose status is confirmed and announced."""

    __tablename__ = "enforcement_subject"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    field: Mapped[str] = mapped_column(String(30))
    level: Mapped[str] = mapped_column(String(12))
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date)
    announced_on: Mapped[dt.date | None] = mapped_column(Date)
