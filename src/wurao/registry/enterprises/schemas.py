"""API shapes of the enterprise registry."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from wurao.web.params import MAX_LIST, Text


class EnterpriseOut(BaseModel):
    id: int
    uscc: str
    name: str
    region_code: str
    address: str
    industry_code: str
    status: str
    status_label: str
    credit_class: str
    tags: list[str]
    contact_name: str
    contact_phone: str
    uscc_override: str
    updated_at: dt.datetime | None
    warnings: list[str]


class EnterprisePageOut(BaseModel):
    items: list[EnterpriseOut]
    total: int
    total_capped: bool = Field(description="true when counting stopped at the cap (1000+)")
    page: int
    note: str


class EnterpriseIn(BaseModel):
    uscc: Annotated[str, Text(40, "统一社会信用代码")] = Field(min_length=1)
    name: Annotated[str, Text(200, "企业名称")] = Field(min_length=1)
    region_code: Annotated[str, Text(12, "行政区划代码")] = ""
    address: Annotated[str, Text(300, "地址")] = ""
    industry_code: Annotated[str, Text(5, "行业代码")] = ""
    status: Annotated[str, Text(16, "经营状态")] = "active"
    credit_class: Annotated[str, Text(1, "信用等级")] = "B"
    tags: list[Annotated[str, Text(40, "标签")]] = Field([], max_length=MAX_LIST)
    contact_name: Annotated[str, Text(60, "联系人")] = ""
    contact_phone: Annotated[str, Text(30, "联系电话")] = ""
    uscc_override: Annotated[str, Text(200, "校验码例外说明")] = Field(
        "", description="recorded reason to accept a bad check digit (G1)"
    )


class EnterprisePatch(BaseModel):
    name: Annotated[str, Text(200, "企业名称")] | None = None
    region_code: Annotated[str, Text(12, "行政区划代码")] | None = None
    address: Annotated[str, Text(300, "地址")] | None = None
    industry_code: Annotated[str, Text(5, "行业代码")] | None = None
    status: Annotated[str, Text(16, "经营状态")] | None = None
    credit_class: Annotated[str, Text(1, "信用等级")] | None = None
    tags: list[Annotated[str, Text(40, "标签")]] | None = Field(None, max_length=MAX_LIST)
    contact_name: Annotated[str, Text(60, "联系人")] | None = None
    contact_phone: Annotated[str, Text(30, "联系电话")] | None = None
