"""Builders shared by the discretion tests: benchmark tables with rows, published, for the
柯城区市场监管局 (county 330802) and the city of 衢州 (330800)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.discretion import service
from wurao.discretion.models import BenchmarkRow, BenchmarkTable

FIELD = "市场监管"
PROVISION = "《中华人民共和国产品质量法》第四十九条"
VIOLATION = "销售不符合保障人体健康和人身、财产安全的国家标准、行业标准的产品"


def table(
    db: Session,
    actor: Actor,
    *,
    owner_kind: str = "region",
    region_code: str = "330802",
    rows: tuple[tuple[str, int, int], ...] = (("general", 500_000, 2_000_000),),
    publish: bool = True,
    effective_from: dt.date = dt.date(2026, 1, 1),
) -> BenchmarkTable:
    """A table with one row per (circumstance, min fen, max fen) for VIOLATION."""
    data = service.TableData(
        owner_kind=owner_kind,
        field=FIELD,
        title=f"{region_code}市场监管行政处罚裁量基准",
        effective_from=effective_from,
        region_code=region_code,
    )
    t = service.create_table(db, actor=actor, data=data)
    added = [
        BenchmarkRow(
            table_id=t.id,
            line=i,
            violation=VIOLATION,
            provision=PROVISION,
            circumstance=c,
            fine_min_fen=low,
            fine_max_fen=high,
        )
        for i, (c, low, high) in enumerate(rows, start=2)
    ]
    db.add_all(added)
    db.flush()
    audit.record(db, actor=actor, action="test.rows", obj=t, covers=added)
    if publish:
        service.publish_table(db, actor=actor, table=t, on=dt.date(2026, 1, 1))
    return t
