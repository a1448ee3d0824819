"""The demo city 衢州市: subjects, officers, enterprises, items and checklists (idempotent).

Bulk rows go in through Core inserts, which the ORM audit guard cannot see, so each loaded
table gets ONE audit entry (object_id ``*``) carrying the counts and the seed.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from wurao.core import audit
from wurao.demo.common import CITY, EPOCH, GENERATOR
from wurao.demo.identifiers import make_uscc
from wurao.demo.items import item_rows, line_rows
from wurao.demo.rows import (
    ENTERPRISE_COLUMNS,
    OFFICER_COLUMNS,
    SubjectRef,
    enterprise_rows,
    officer_rows,
    places_for,
)
from wurao.registry.models import (
    ChecklistLine,
    EnforcementSubject,
    Enterprise,
    InspectionItem,
    Officer,
)

# name, region, field, level, kind, vertical, confirmed, announced
_CITY_SUBJECTS = (
    ("衢州市市场监督管理局", "330800", "市场监管", "市级", "organ", False, True, True),
    ("衢州市生态环境局", "330800", "生态环境", "市级", "organ", False, True, True),
    ("衢州市应急管理局", "330800", "应急管理", "市级", "organ", False, True, True),
    ("衢州市交通运输局", "330800", "交通运输", "市级", "organ", False, True, True),
    ("衢州市综合行政执法局", "330800", "综合行政执法", "市级", "organ", False, True, True),
    ("衢州市消防救援支队", "330800", "消防", "市级", "authorised", True, True, True),
    ("衢州市卫生健康委员会", "330800", "卫生健康", "市级", "organ", False, True, True),
    ("衢州市农业农村局", "330800", "农业农村", "市级", "organ", False, True, True),
    ("衢州市生态环境局柯城分局", "330802", "生态环境", "县级", "organ", True, True, True),
    ("衢州市柯城区综合行政执法局", "330802", "综合行政执法", "县级", "organ", False, True, True),
    ("衢州市衢江区应急管理局", "330803", "应急管理", "县级", "organ", False, True, True),
    ("常山县市场监督管理局", "330822", "市场监管", "县级", "organ", False, True, True),
    ("江山市交通运输局", "330881", "交通运输", "县级", "organ", False, True, True),
    ("龙游县卫生健康局", "330825", "卫生健康", "县级", "organ", False, True, True),
    ("衢州市衢江区农业农村局", "330803", "农业农村", "县级", "organ", False, False, False),
    ("开化县城市管理行政执法队", "330824", "综合行政执法", "县级", "entrusted", False, True,
     False),
)  # fmt: skip


def city_marker_uscc() -> str:
    """USCC of the subject whose presence means the demo city is already generated."""
    return make_uscc("11", CITY, 1, letters="MB")


@dataclass(frozen=True)
class CityStats:
    """What `generate_city` wrote (all zero when the city already existed)."""

    subjects: int = 0
    officers: int = 0
    enterprises: int = 0
    items: int = 0
    lines: int = 0
    skipped: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        """One line in Chinese for the CLI."""
        if self.skipped:
            return "演示城市（衢州市）数据已存在，跳过生成"
        return (
            f"已生成衢州市演示数据：执法主体 {self.subjects} 个、执法人员 {self.officers} 名、"
            f"企业 {self.enterprises} 家、检查事项 {self.items} 项（表单 {self.lines} 行），"
            f"用时 {self.seconds:.1f} 秒"
        )


def _city_subjects(session: Session, rng: random.Random) -> list[EnforcementSubject]:
    made = []
    for n, (name, region, field, level, kind, vertical, conf, ann) in enumerate(
        _CITY_SUBJECTS, start=1
    ):
        confirmed = dt.date(2024, 3, 1) + dt.timedelta(days=rng.randrange(300)) if conf else None
        announced = confirmed + dt.timedelta(days=7) if confirmed and ann else None
        made.append(
            EnforcementSubject(
                name=name,
                uscc=make_uscc("11", CITY if n == 1 else region, n, letters="MB"),
                region_code=region,
                field=field,
                level=level,
                kind=kind,
                vertical=vertical,
                legal_basis=f"《浙江省行政执法主体确认办法》；{field}领域法律法规授权",
                confirmed_on=confirmed,
                confirmed_by="衢州市人民政府" if confirmed else "",
                announced_on=announced,
                announcement_ref=f"衢政公告〔{announced.year}〕{n}号" if announced else "",
                created_at=EPOCH,
            )
        )
    session.add_all(made)
    return made


def generate_city(session: Session, *, seed: int = 2026, enterprises: int = 10_000) -> CityStats:
    """Fill the demo city 衢州市 with subjects, officers, enterprises and items (idempotent)."""
    started = time.perf_counter()
    marker = city_marker_uscc()
    if session.scalar(select(EnforcementSubject.id).where(EnforcementSubject.uscc == marker)):
        return CityStats(skipped=True)
    rng = random.Random(f"city:{seed}")
    made = _city_subjects(session, rng)
    audit.record(
        session, actor=GENERATOR, action="subject.generate", object_type="enforcement_subject",
        object_id="*", covers=made, region_code=CITY,
        summary=f"生成衢州市演示执法主体 {len(made)} 个（种子 {seed}）",
    )  # fmt: skip
    subjects = [
        SubjectRef(s.id, s.region_code, s.field)
        for s in session.scalars(
            select(EnforcementSubject)
            .where(EnforcementSubject.region_code.like("3308%"))
            .order_by(EnforcementSubject.id)
        )
    ]
    places = places_for(session, CITY, {"330802": 3.0, "330803": 2.0, "330881": 1.5})
    births = [p.code for p in places]
    officers = [dict(zip(OFFICER_COLUMNS, r, strict=True)) for r in officer_rows(
        seed, subjects, 20, birth_regions=births)]  # fmt: skip
    session.execute(insert(Officer), officers)
    audit.record(
        session, actor=GENERATOR, action="officer.generate", object_type="officer",
        object_id="*", region_code=CITY,
        summary=f"批量生成衢州市演示执法人员 {len(officers)} 名（种子 {seed}）",
    )  # fmt: skip
    n_ent = 0
    rows = enterprise_rows(seed, places, enterprises)
    while chunk := [dict(zip(ENTERPRISE_COLUMNS, r, strict=True)) for r in islice(rows, 5000)]:
        session.execute(insert(Enterprise), chunk)
        n_ent += len(chunk)
    audit.record(
        session, actor=GENERATOR, action="enterprise.generate", object_type="enterprise",
        object_id="*", region_code=CITY,
        summary=f"批量生成衢州市演示企业 {n_ent} 家（种子 {seed}）",
    )  # fmt: skip
    item_data = item_rows(rng, CITY)
    items = [InspectionItem(**{k: v for k, v in d.items() if k != "lines"}, created_at=EPOCH)
             for d in item_data]  # fmt: skip
    session.add_all(items)
    audit.record(
        session, actor=GENERATOR, action="item.generate", object_type="inspection_item",
        object_id="*", covers=items, region_code=CITY,
        summary=f"生成衢州市演示检查事项 {len(items)} 项（种子 {seed}）",
    )  # fmt: skip
    lines = [ln for it, d in zip(items, item_data, strict=True)
             for ln in line_rows(rng, it, d["lines"])]  # fmt: skip
    session.execute(insert(ChecklistLine), lines)
    audit.record(
        session, actor=GENERATOR, action="checklist.generate", object_type="checklist_line",
        object_id="*", region_code=CITY,
        summary=f"批量生成检查表单 {len(lines)} 行，覆盖 {len(items)} 项检查事项（种子 {seed}）",
    )  # fmt: skip
    return CityStats(
        len(made), len(officers), n_ent, len(items), len(lines), False,
        time.perf_counter() - started,
    )  # fmt: skip
