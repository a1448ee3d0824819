"""The published records: one flat model per resource (a CSV row is its fields, in order).

These are the open data itself, not an API's request shapes: the reads (``queries``), the bulk
export and the routes all produce them, and the JSON Schemas are generated from them.

What the portal publishes and nothing more: no 居民身份证号, telephone or address of a natural
person (公开 only of what 政府信息公开条例 第20条 and the 五公告 require). A person party of a
penalty decision is named as 张某 (``cases.publication.public_party``).
"""

from __future__ import annotations

import datetime as dt
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T", bound=BaseModel)


class OpenModel(BaseModel):
    """A published row; unknown fields are refused so the schema stays closed."""

    model_config = ConfigDict(extra="forbid")


class SubjectOut(OpenModel):
    """An announced enforcement subject (执法主体公告)."""

    id: int
    name: str
    uscc: str = Field(description="统一社会信用代码 of the organ")
    region_code: str
    field: str
    level: str
    kind: str
    legal_basis: str
    announced_on: dt.date | None
    announcement_ref: str


class PersonnelOut(OpenModel):
    """A certified enforcement officer (执法人员公告): never the ID number."""

    id: int
    name: str
    subject_id: int
    subject_name: str
    region_code: str
    field: str
    cert_no: str
    cert_valid_from: dt.date | None
    cert_valid_to: dt.date | None
    cert_state: str = Field(description="valid / expired / not_yet_valid")


class ItemOut(OpenModel):
    """A published inspection item with its basis and standard (检查事项清单)."""

    id: int
    code: str
    name: str
    field: str
    region_code: str
    basis_level: str
    basis_law: str
    basis_article: str
    standard: str
    methods: str
    on_dss_list: bool
    published_on: dt.date | None
    checklist: list[str]


class PlanOut(OpenModel):
    """A published annual inspection plan version (年度检查计划)."""

    id: int
    subject_id: int
    subject_name: str
    region_code: str
    year: int
    version: int
    title: str
    status: str
    published_on: dt.date | None
    filing_status: str


class SpecialOut(OpenModel):
    """A published special inspection (专项检查)."""

    id: int
    subject_id: int
    subject_name: str
    region_code: str
    year: int
    title: str
    scope: str
    start_on: dt.date | None
    end_on: dt.date | None
    approval_organ: str
    approval_ref: str
    approved_on: dt.date | None
    published_on: dt.date | None


class DrawOut(OpenModel):
    """A committed 双随机 draw and where its artefacts are."""

    id: int
    title: str
    region_code: str
    lead_subject_id: int
    draw_date: dt.date
    method: str
    window_start: dt.date
    window_end: dt.date
    status: str
    pool_size: int
    pool_sha256: str
    seed_commitment: str
    seed_hex: str = Field(description="empty until the seed is revealed")
    public_value: str
    tasks_created: int
    artefacts_url: str
    pool_url: str
    results_url: str


class ResultOut(OpenModel):
    """A published inspection result (一公开, C6): who was inspected, by whom, the outcome."""

    id: int = Field(description="the inspection task's id")
    draw_id: int | None
    region_code: str
    enterprise_name: str
    enterprise_uscc: str
    subject_names: str
    method: str
    finished_on: dt.date | None
    outcome: str
    outcome_label: str
    published_on: dt.date | None


class DecisionOut(OpenModel):
    """A published penalty decision still in force (D20); withdrawn ones disappear."""

    id: int
    number: str
    organ: str
    region_code: str
    field: str
    decided_on: dt.date
    published_on: dt.date
    party: str
    facts: str
    provisions_breached: str
    provisions_applied: str
    penalty: str


class DiscretionOut(OpenModel):
    """A published discretion benchmark table (裁量基准, D24)."""

    id: int
    title: str
    owner: str
    region_code: str
    level: str
    field: str
    doc_number: str
    effective_from: dt.date
    published_on: dt.date | None


class RuleOut(OpenModel):
    """A supervision rule of the catalogue (docs/rules.md)."""

    id: str
    title: str
    source: str
    severity: str
    params: str = Field(description="policy parameters, separated by |")
    unconfirmed: bool


class StatisticOut(OpenModel):
    """One published annual figure (年度行政执法数据)."""

    year: int
    subject_id: int | None
    subject_name: str
    region_code: str
    key: str
    label: str
    category: str
    unit: str = Field(description="次, %, 分 or 元; amounts in 元 are given in fen (分)")
    value: float | int | None = Field(description="a rate as a fraction (0.25 = 25%)")
    published_on: dt.date | None


class OpenPage(BaseModel, Generic[T]):
    """One page of a resource: rows in a stable order, the total and where the page is."""

    items: list[T]
    total: int
    page: int
    per_page: int
    pages: int
