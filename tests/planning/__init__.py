"""Planning tests: helpers that build items, enterprises and actors for them."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Role
from wurao.auth.scope import SYSTEM_ACTOR, Actor
from wurao.core import audit
from wurao.core.time import utcnow
from wurao.planning import lines, steps
from wurao.planning.models import InspectionPlan
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem

_serial = itertools.count(1)
MARKET = "11330802MB1A00001T"  # 柯城区市场监督管理局
SAFETY = "11330802MB1A00002X"  # 柯城区应急管理局


def subject(db: Session, uscc: str) -> EnforcementSubject:
    """A demo subject by USCC."""
    found = db.scalar(select(EnforcementSubject).where(EnforcementSubject.uscc == uscc))
    assert found is not None
    return found


def admin_of(db: Session, uscc: str) -> Actor:
    """An agency administrator of a demo subject (not a stored user)."""
    s = subject(db, uscc)
    return Actor(
        user_id=None,
        username=f"admin_{s.id}",
        display_name=f"{s.name}管理员",
        role=Role.AGENCY_ADMIN,
        region_code=s.region_code,
        subject_id=s.id,
    )


def item(db: Session, field: str = "市场监管", *, status: str = "published") -> InspectionItem:
    """A published inspection item of ``field`` in 柯城区."""
    n = next(_serial)
    row = InspectionItem(
        code=f"PT-{n:04d}",
        name=f"计划测试事项{n}",
        field=field,
        region_code="330802",
        basis_level="法律",
        basis_law="《中华人民共和国测试法》",
        basis_article=f"第{n}条",
        standard="",
        methods="onsite",
        on_dss_list=True,
        status=status,
        published_on=dt.date(2025, 1, 1) if status == "published" else None,
        created_at=utcnow(),
    )
    db.add(row)
    audit.record(db, actor=SYSTEM_ACTOR, action="item.create", obj=row)
    return row


def enterprises(
    db: Session, count: int, *, tag: str = "", region: str = "330802", credit: str = "B"
) -> list[Enterprise]:
    """``count`` active enterprises (synthetic USCCs) in ``region``."""
    rows = []
    for _ in range(count):
        n = next(_serial)
        rows.append(
            Enterprise(
                uscc=f"91{region}PT{n:06d}",
                name=f"计划测试企业{n}号有限公司",
                region_code=region,
                address="",
                industry_code="C13",
                status="active",
                credit_class=credit,
                tags=f"|{tag}|" if tag else "",
                updated_at=utcnow(),
            )
        )
    db.add_all(rows)
    db.flush()
    audit.record(
        db,
        actor=SYSTEM_ACTOR,
        action="enterprise.create",
        object_type="enterprise",
        object_id="*",
        covers=rows,
    )
    return rows


def entry(item_id: int, **kw: object) -> lines.EntryData:
    """Entry data with sensible defaults."""
    base: dict[str, object] = {
        "item_id": item_id,
        "method": "onsite",
        "selection": "dss",
        "planned_count": 10,
        "months": (3, 4, 5),
        "officers_per_team": 2,
    }
    base.update(kw)
    return lines.EntryData(**base)  # type: ignore[arg-type]


def published_plan(
    db: Session, actor: Actor, entries: list[lines.EntryData], *, year: int = 2026
) -> InspectionPlan:
    """A plan taken through draft → submitted → approved → published."""
    plan = steps.create_plan(db, actor=actor, year=year, title=f"{year}年度检查计划")
    for data in entries:
        lines.add_entry(db, plan=plan, data=data, actor=actor)
    steps.submit_plan(db, plan=plan, actor=actor)
    steps.approve_plan(db, plan=plan, actor=actor, head_name="陈局长")
    steps.publish_plan(db, plan=plan, actor=actor)
    return plan
