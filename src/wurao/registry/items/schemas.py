"""API shapes of inspection items and their checklists."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from wurao.core.text import LONG_TEXT
from wurao.web.params import MAX_LIST, Text


class ChecklistLineOut(BaseModel):
    seq: int
    text: str
    basis: str


class ChecklistLineIn(BaseModel):
    text: Annotated[str, Text(2000, "检查内容")] = Field(min_length=1)
    basis: Annotated[str, Text(200, "依据")] = ""


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
    code: Annotated[str, Text(40, "事项编码")] = Field(min_length=2)
    name: Annotated[str, Text(200, "事项名称")] = Field(min_length=1)
    field: Annotated[str, Text(30, "领域")] = Field(min_length=1)
    region_code: Annotated[str, Text(12, "行政区划代码")]
    basis_level: Annotated[str, Text(20, "依据层级")]
    basis_law: Annotated[str, Text(200, "依据法律法规")]
    basis_article: Annotated[str, Text(100, "依据条款")] = ""
    standard: Annotated[str, Text(LONG_TEXT, "检查标准")] = ""
    methods: list[Annotated[str, Text(10, "检查方式")]] = Field(["onsite"], max_length=3)
    on_dss_list: bool = False
    checklist: list[ChecklistLineIn] = Field([], max_length=MAX_LIST)
