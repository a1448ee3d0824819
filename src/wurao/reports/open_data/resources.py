"""The open data's resources: each one's model, read, date and Chinese name, declared once.

The API routes, the published JSON Schemas, the bulk export and docs/open-data.md all walk
``RESOURCES``; adding a resource here adds it everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from wurao.core.errors import NotFound
from wurao.core.paging import Page
from wurao.reports.open_data import queries
from wurao.reports.open_data.published import (
    DecisionOut,
    DiscretionOut,
    DrawOut,
    ItemOut,
    OpenModel,
    OpenPage,
    PersonnelOut,
    PlanOut,
    ResultOut,
    RuleOut,
    SpecialOut,
    StatisticOut,
    SubjectOut,
)
from wurao.reports.open_data.queries import Filters

Reader = Callable[[Session, Filters, int, int], Page[Any]]


@dataclass(frozen=True)
class Resource:
    """One published resource: its model, how it is read, which date ``since``/``until`` filter."""

    name: str
    title: str
    model: type[OpenModel]
    read: Reader
    date_field: str = ""  # the model field the date filters and Last-Modified read; "" for none

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of one page of this resource (draft 2020-12, from the model)."""
        schema = OpenPage[self.model].model_json_schema()  # type: ignore[name-defined]
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"/api/open/v1/schemas/{self.name}.json"
        schema["title"] = f"{self.title}（{self.name}）"
        return schema


RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in (
        Resource("subjects", "行政执法主体", SubjectOut, queries.subjects, "announced_on"),
        Resource("personnel", "执法人员", PersonnelOut, queries.personnel, "cert_valid_from"),
        Resource("items", "检查事项及标准", ItemOut, queries.items, "published_on"),
        Resource("plans", "年度行政检查计划", PlanOut, queries.plans, "published_on"),
        Resource("specials", "专项检查", SpecialOut, queries.specials, "published_on"),
        Resource("draws", "双随机抽查", DrawOut, queries.draws, "draw_date"),
        Resource("results", "检查结果公示", ResultOut, queries.results, "published_on"),
        Resource("decisions", "行政处罚决定", DecisionOut, queries.decisions, "published_on"),
        Resource("discretion", "裁量基准", DiscretionOut, queries.discretion, "published_on"),
        Resource(
            "statistics", "年度行政执法数据", StatisticOut, queries.statistics, "published_on"
        ),
        Resource("rules", "执法监督规则", RuleOut, queries.rules),
    )
}


def resource(name: str) -> Resource:
    """The resource called ``name``; an unknown one is a 404."""
    found = RESOURCES.get(name)
    if found is None:
        raise NotFound(f"没有名为「{name[:40]}」的开放数据资源。")
    return found
