"""API shapes of inspection items and their checklists."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class ChecklistLineOut(BaseModel):
    seq: int
    text: str
    basis: str


class ChecklistLineIn(BaseModel):
    text: str = Field(min_length=1)
    basis: str = ""


class ItemOut(BaseModel):
    id: int
    code: str
    name: str
    field: str
    region_code: str
    basis_level: str
    basis_law: str
    basis_article: str
    standard: str
    methods: list[str]
    on_dss_list: bool
    status: str
    status_label: str
    published_on: dt.date | None
    checklist: list[ChecklistLineOut]


class ItemPage(BaseModel):
    items: list[ItemOut]
    total: int
    page: int


class ItemIn(BaseModel):
    code: str = Field(min_length=2, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    field: str = Field(min_length=1, max_length=30)
    region_code: str
    basis_level: str
    basis_law: str
    basis_article: str = ""
    standard: str = ""
    methods: list[str] = ["onsite"]
    on_dss_list: bool = False
    checklist: list[ChecklistLineIn] = []
