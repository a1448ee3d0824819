"""裁量基准 tables with their rows, and the leniency lists (不予处罚、可以不予处罚、减轻、从轻、
从重清单).

Why a table and its rows rather than free rows: a benchmark is published as one document (文号,
施行日期) by one owner — a subject, or a city or county government for its region — and D24
compares a proposed fine with the range of the table in force for the case's field and region.
Amounts are in fen (整数), so "以上/以下" bounds compare exactly (BOUND: inclusive).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base
from wurao.core.lifecycle import LabelledEnum
from wurao.registry.models import BigId

Fen = BigInteger().with_variant(Integer, "sqlite")


class OwnerKind(LabelledEnum):
    """Who sets a benchmark table."""

    SUBJECT = ("subject", "执法主体")
    REGION = ("region", "地区（市、县人民政府）")


class Circumstance(LabelledEnum):
    """情节 of a benchmark row, from the lightest."""

    MINOR = ("minor", "轻微")
    GENERAL = ("general", "一般")
    SERIOUS = ("serious", "较重")
    GRAVE = ("grave", "严重")


class LeniencyKind(LabelledEnum):
    """The lists of 衢政办发〔2025〕16号 第17项 and 行政处罚法 第32–33条."""

    NO_PENALTY = ("no_penalty", "不予处罚")
    MAY_NO_PENALTY = ("may_no_penalty", "可以不予处罚（首违不罚）")
    MITIGATE = ("mitigate", "减轻处罚")
    LIGHTER = ("lighter", "从轻处罚")
    HEAVIER = ("heavier", "从重处罚")


class BenchmarkTable(Base):
    """One published 行政处罚裁量基准 of a subject or of a city/county region, for one field."""

    __tablename__ = "discretion_table"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(8))  # OwnerKind
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_subject.id"))
    # The owner's region (the subject's for a subject table): its level decides the
    # county-versus-city conflict check; a town never owns a table (D24).
    region_code: Mapped[str] = mapped_column(String(12))
    level: Mapped[str] = mapped_column(String(12))  # prefecture / county
    field: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    doc_number: Mapped[str] = mapped_column(String(120), default="")
    effective_from: Mapped[dt.date] = mapped_column(Date)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_discretion_table_region_field", "region_code", "field"),)


class BenchmarkRow(Base):
    """One line of a table: a violation, its circumstance and the fine range it allows."""

    __tablename__ = "discretion_row"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    table_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("discretion_table.id", ondelete="CASCADE"), index=True
    )
    violation_code: Mapped[str] = mapped_column(String(40), default="")  # 权力事项编码
    violation: Mapped[str] = mapped_column(String(300))  # 违法行为
    provision: Mapped[str] = mapped_column(Text, default="")  # 违法依据、处罚依据
    circumstance: Mapped[str] = mapped_column(String(8))  # Circumstance
    fine_min_fen: Mapped[int] = mapped_column(Fen, default=0)
    fine_max_fen: Mapped[int] = mapped_column(Fen, default=0)
    other_kinds: Mapped[str] = mapped_column(String(300), default="")  # 警告、没收违法所得 …
    line: Mapped[int] = mapped_column(Integer, default=0)  # the row in the imported sheet


class LeniencyEntry(Base):
    """One entry of a region's leniency list for one field."""

    __tablename__ = "leniency_entry"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(12))
    field: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(16))  # LeniencyKind
    violation_code: Mapped[str] = mapped_column(String(40), default="")
    violation: Mapped[str] = mapped_column(String(300))
    provision: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[str] = mapped_column(Text, default="")  # 适用条件
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_leniency_entry_region_field", "region_code", "field"),)
