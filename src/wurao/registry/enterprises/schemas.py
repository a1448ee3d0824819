"""API shapes of the enterprise registry."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


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
    uscc: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    region_code: str = ""
    address: str = ""
    industry_code: str = ""
    status: str = "active"
    credit_class: str = "B"
    tags: list[str] = []
    contact_name: str = ""
    contact_phone: str = ""
    uscc_override: str = Field("", description="recorded reason to accept a bad check digit (G1)")


class EnterprisePatch(BaseModel):
    name: str | None = None
    region_code: str | None = None
    address: str | None = None
    industry_code: str | None = None
    status: str | None = None
    credit_class: str | None = None
    tags: list[str] | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
