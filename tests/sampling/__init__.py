"""Draw tests: builders for a subject's officers, items on the 双随机 list and enterprises."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import SYSTEM_ACTOR, Actor
from wurao.core import audit
from wurao.demo.identifiers import make_ric, make_uscc
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem, Officer
from wurao.sampling import service
from wurao.sampling.models import Draw

KC_SCJG = "11330802MB1A00001T"  # 柯城区市场监督管理局 (agency admin's subject)
KC_YJJ = "11330802MB1A00002X"  # 柯城区应急管理局
DRAW_DATE = dt.date(2026, 3, 2)
START = dt.date(2026, 3, 3)
END = dt.date(2026, 3, 31)

_serial = itertools.count(1)


def subject(db: Session, uscc: str = KC_SCJG) -> EnforcementSubject:
    s = db.scalar(select(EnforcementSubject).where(EnforcementSubject.uscc == uscc))
    assert s is not None
    return s


def add_officers(db: Session, s: EnforcementSubject, n: int, **changes: object) -> list[Officer]:
    made = []
    for _ in range(n):
        k = next(_serial)
        values: dict[str, object] = {
            "name": f"抽查员{k:03d}",
            "ric": make_ric("330802", dt.date(1981, 1, 1) + dt.timedelta(days=k), k % 1000),
            "subject_id": s.id,
            "kind": "officer",
            "cert_no": f"DSS{s.id:03d}{k:06d}",
            "cert_valid_from": dt.date(2024, 1, 1),
            "cert_valid_to": dt.date(2028, 12, 31),
            "review_year": 2025,
            "review_result": "passed",
            "active": True,
        }
        values.update(changes)
        made.append(Officer(**values))
    db.add_all(made)
    audit.record(db, actor=SYSTEM_ACTOR, action="officer.create", object_type="officer",
                 object_id="*", covers=made)  # fmt: skip
    return made


def add_item(db: Session, field: str = "市场监管", **changes: object) -> InspectionItem:
    k = next(_serial)
    values: dict[str, object] = {
        "code": f"DSS-{k:05d}",
        "name": f"双随机检查事项{k}",
        "field": field,
        "region_code": "330802",
        "basis_level": "法律",
        "basis_law": "《中华人民共和国产品质量法》",
        "methods": "onsite",
        "status": "published",
        "published_on": dt.date(2025, 6, 1),
        "on_dss_list": True,
    }
    values.update(changes)
    item = InspectionItem(**values)
    db.add(item)
    audit.record(db, actor=SYSTEM_ACTOR, action="item.create", obj=item)
    return item


def add_enterprises(
    db: Session, classes: Sequence[str], region: str = "330802", **changes: object
) -> list[Enterprise]:
    made = []
    for cls in classes:
        k = next(_serial)
        values: dict[str, object] = {
            "uscc": make_uscc("91", region, 700_000 + k),
            "name": f"抽查测试企业{k}有限公司",
            "region_code": region,
            "status": "active",
            "credit_class": cls,
            "industry_code": "C1311",
        }
        values.update(changes)
        made.append(Enterprise(**values))
    db.add_all(made)
    audit.record(db, actor=SYSTEM_ACTOR, action="enterprise.create", object_type="enterprise",
                 object_id="*", covers=made)  # fmt: skip
    return made


def data(subjects: Sequence[EnforcementSubject], items: Sequence[InspectionItem],
         **changes: object) -> service.DrawData:  # fmt: skip
    values: dict[str, object] = {
        "title": "2026年第一批双随机抽查",
        "subject_ids": [s.id for s in subjects],
        "item_ids": [i.id for i in items],
        "region_code": "330802",
        "draw_date": DRAW_DATE,
        "method": "onsite",
        "window_start": START,
        "window_end": END,
        "industry_codes": "C13",
    }
    values.update(changes)
    return service.DrawData(**values)  # type: ignore[arg-type]


def new_draw(db: Session, actor: Actor, subjects: Sequence[EnforcementSubject],
             items: Sequence[InspectionItem], **changes: object) -> Draw:  # fmt: skip
    return service.create_draw(db, data=data(subjects, items, **changes), actor=actor)
