"""Registry tables: the ground truth every later rule reads.

Regions (GB/T 2260), enforcement subjects with their confirmation and announcement
(主体确认公告), officers with certificates and annual review (持证上岗), enterprises
(检查对象名录库) and inspection items with their checklists (检查事项清单、检查表单).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from wurao.core.db import Base

BigId = BigInteger().with_variant(Integer, "sqlite")


class Region(Base):
    """An administrative division (GB/T 2260 six-digit code; towns use 9-digit codes)."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    level: Mapped[str] = mapped_column(String(12))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)


class EnforcementSubject(Base):
    """An enforcement subject (执法主体); usable only once confirmed and announced (A1)."""

    __tablename__ = "enforcement_subject"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    # 市场监管, 生态环境, 应急管理, 交通运输, 综合行政执法, 消防, 税务 …
    field: Mapped[str] = mapped_column(String(30))
    # 省级 / 市级 / 县级 / 乡级
    level: Mapped[str] = mapped_column(String(12))
    # organ: 行政机关; authorised: 法律法规授权组织; entrusted: 受委托组织 (A1)
    kind: Mapped[str] = mapped_column(String(20), default="organ")
    entrusted_by_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_subject.id"))
    vertical: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date)
    confirmed_by: Mapped[str] = mapped_column(String(120), default="")
    announced_on: Mapped[dt.date | None] = mapped_column(Date)
    announcement_ref: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime | None]


class Officer(Base):
    """A person of a subject: an enforcement officer or an auxiliary who may never inspect."""

    __tablename__ = "officer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    # 居民身份证号, validated (GB 11643); pages and exports show it masked only.
    ric: Mapped[str] = mapped_column(String(18), unique=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("enforcement_subject.id"), index=True)
    # officer: 执法人员; auxiliary: 辅助人员 (网格员, 临时工, 协管员 …)
    kind: Mapped[str] = mapped_column(String(20), default="officer")
    aux_kind: Mapped[str] = mapped_column(String(20), default="")
    cert_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    cert_valid_from: Mapped[dt.date | None] = mapped_column(Date)
    cert_valid_to: Mapped[dt.date | None] = mapped_column(Date)
    # 年度审验: the last year reviewed and its result (passed / failed)
    review_year: Mapped[int | None] = mapped_column(Integer)
    review_result: Mapped[str] = mapped_column(String(10), default="")
    legal_qualified: Mapped[bool] = mapped_column(Boolean, default=False)
    supervision_cert_no: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The officer's own sign-in account, so the platform knows who is on site.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), unique=True)
    created_at: Mapped[dt.datetime | None]


class Enterprise(Base):
    """An inspected enterprise (检查对象名录库), keyed by its 统一社会信用代码."""

    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    address: Mapped[str] = mapped_column(String(300), default="")
    industry_code: Mapped[str] = mapped_column(String(5), default="")  # GB/T 4754
    # 存续 active / 注销 deregistered / 吊销 revoked / 迁出 moved
    status: Mapped[str] = mapped_column(String(16), default="active")
    credit_class: Mapped[str] = mapped_column(String(1), default="B")  # A–D
    tags: Mapped[str] = mapped_column(String(200), default="")  # "|tag|tag|"
    contact_name: Mapped[str] = mapped_column(String(60), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    uscc_override: Mapped[str] = mapped_column(String(200), default="")  # G1 recorded override
    updated_at: Mapped[dt.datetime | None]

    __table_args__ = (
        Index("ix_enterprise_region_status_class", "region_code", "status", "credit_class"),
        Index("ix_enterprise_name", "name"),
        # county name search; the id too on PostgreSQL: an index-only scan (migration 0030)
        Index("ix_enterprise_region_name", "region_code", "name", postgresql_include=["id"]),
    )


class InspectionItem(Base):
    """An inspection item (检查事项) of a field; it may be inspected only once published (A3)."""

    __tablename__ = "inspection_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(30), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    # 法律 / 行政法规 / 地方性法规 / 规章 / 国务院决定 (A3: nothing lower)
    basis_level: Mapped[str] = mapped_column(String(20))
    basis_law: Mapped[str] = mapped_column(String(200))
    basis_article: Mapped[str] = mapped_column(String(100), default="")
    standard: Mapped[str] = mapped_column(Text, default="")
    methods: Mapped[str] = mapped_column(String(60), default="onsite")  # comma list
    on_dss_list: Mapped[bool] = mapped_column(Boolean, default=False)
    # draft / published / withdrawn
    status: Mapped[str] = mapped_column(String(12), default="draft")
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime | None]


class ChecklistLine(Base):
    """One line of an item's checklist (检查表单) that an officer ticks."""

    __tablename__ = "checklist_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inspection_item.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (UniqueConstraint("item_id", "seq"),)
