"""API shapes of 双随机 draws."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from wurao.sampling.models import Draw
from wurao.web.params import MAX_LIST, BodyId, Count, Text


class DrawIn(BaseModel):
    """A draw to define; the first subject leads (a joint draw lists several)."""

    title: Annotated[str, Text(200, "抽查名称")]
    subject_ids: list[BodyId] = Field(min_length=1, max_length=MAX_LIST)
    item_ids: list[BodyId] = Field(min_length=1, max_length=MAX_LIST)
    region_code: Annotated[str, Text(12, "行政区划代码")]
    draw_date: dt.date
    method: Annotated[str, Text(10, "检查方式")] = "onsite"
    window_start: dt.date
    window_end: dt.date
    industry_codes: Annotated[str, Text(200, "行业代码")] = ""
    credit_classes: Annotated[str, Text(8, "信用等级")] = "ABCD"
    tags: Annotated[str, Text(200, "标签")] = ""
    exclude_months: Annotated[int, Field(ge=0, le=120)] = 0
    officers_per_subject: Count = 2
    officer_cap: Count = 10
    public_value_note: Annotated[str, Text(200, "公开随机值来源")] = ""


class FreezeIn(BaseModel):
    """Optional with a freeze: the reason for freezing although the load per officer is
    above ``dss.max_inspections_per_officer_week`` (recorded in the audit entry)."""

    override_reason: Annotated[str, Text(500, "理由")] = ""


class DrawOut(BaseModel):
    """A draw as the API shows it: the seed only once revealed."""

    id: int
    title: str
    status: str
    lead_subject_id: int
    region_code: str
    draw_date: dt.date
    method: str
    window_start: dt.date
    window_end: dt.date
    pool_size: int
    pool_sha256: str
    seed_commitment: str
    seed: str | None
    public_value_note: str
    public_value: str
    frozen_sha256: str
    tasks_created: int
    cancel_reason: str

    @classmethod
    def of(cls, draw: Draw) -> DrawOut:
        """The API view of a draw."""
        return cls(
            id=draw.id,
            title=draw.title,
            status=draw.status,
            lead_subject_id=draw.lead_subject_id,
            region_code=draw.region_code,
            draw_date=draw.draw_date,
            method=draw.method,
            window_start=draw.window_start,
            window_end=draw.window_end,
            pool_size=draw.pool_size,
            pool_sha256=draw.pool_sha256,
            seed_commitment=draw.seed_commitment,
            seed=draw.seed_hex if draw.seed_revealed else None,
            public_value_note=draw.public_value_note,
            public_value=draw.public_value,
            frozen_sha256=draw.frozen_sha256,
            tasks_created=draw.tasks_created,
            cancel_reason=draw.cancel_reason,
        )


class DrawPage(BaseModel):
    items: list[DrawOut]
    total: int
    page: int
