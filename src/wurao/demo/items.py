"""The demo's inspection-item catalogue (``demo/data/items.csv``) and its checklist lines."""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wurao.registry.models import InspectionItem

ITEMS_FILE = Path(__file__).with_name("data") / "items.csv"


@dataclass(frozen=True)
class CatalogueItem:
    """One row of the demo's item catalogue (``demo/data/items.csv``)."""

    field: str
    code_prefix: str
    name: str
    basis_level: str
    basis_law: str
    basis_article: str
    checklist: str  # the checklist lines, separated by "；"


def load_items(path: Path = ITEMS_FILE) -> list[CatalogueItem]:
    """The demo's inspection items and their checklist lines, in catalogue order."""
    with path.open(encoding="utf-8", newline="") as f:
        return [CatalogueItem(**row) for row in csv.DictReader(f)]


_GENERIC_LINES = (
    "营业执照等主体资格证明文件齐全有效",
    "相关许可证照在有效期内且与实际经营一致",
    "建立并执行相关管理制度，台账记录完整",
    "主要负责人和管理人员履行法定职责",
    "上次检查发现问题已整改到位",
    "现场情况与申报、公示信息一致",
    "按规定配合检查，如实提供有关资料",
)
# what each demo item may be inspected by (the values of registry/items/methods.py); most allow
# a non-site check, so A6 "能非现场不入企" has something to point at
_METHODS = ("onsite", "onsite,written", "written", "onsite", "offsite,written")


def item_rows(rng: random.Random, region: str) -> list[dict[str, Any]]:
    """Item rows of the catalogue for ``region``, each with its own checklist texts in "lines"."""
    rows = []
    for n, item in enumerate(load_items(), start=1):
        draft = rng.random() < 0.08
        law, article = item.basis_law, item.basis_article
        rows.append(
            {
                "code": f"QZ-{item.code_prefix}-{n:03d}",
                "name": item.name,
                "field": item.field,
                "region_code": region,
                "basis_level": item.basis_level,
                "basis_law": law,
                "basis_article": article,
                "standard": f"依据{law}{article}：{item.checklist}。",
                "methods": rng.choice(_METHODS),
                "on_dss_list": rng.random() < 0.7,
                "status": "draft" if draft else "published",
                "published_on": None
                if draft
                else dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(600)),
                "lines": item.checklist.split("；"),
            }
        )
    return rows


def line_rows(rng: random.Random, item: InspectionItem, own: list[str]) -> list[dict[str, Any]]:
    """An item's checklist lines: its own texts, then up to five generic ones (eight at most)."""
    extra = rng.sample(_GENERIC_LINES, rng.randint(0, 5))
    texts = [*own, *extra][:8]
    basis = f"{item.basis_law}{item.basis_article}"
    return [
        {"item_id": item.id, "seq": k, "text": t, "basis": basis if k <= len(own) else ""}
        for k, t in enumerate(texts, start=1)
    ]
