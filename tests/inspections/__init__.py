"""Inspection tests: shared builders for a subject's officers, items, an enterprise and tasks."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import SYSTEM_ACTOR, Actor
from wurao.core import audit
from wurao.core.config import get_settings
from wurao.demo.identifiers import make_ric, make_uscc
from wurao.inspections import creation, issuing
from wurao.inspections.models import InspectionTask
from wurao.planning.models import UnplannedApproval
from wurao.registry.models import (
    ChecklistLine,
    EnforcementSubject,
    Enterprise,
    InspectionItem,
    Officer,
)
from wurao.sampling.models import Draw, DrawSubject

KC_SCJG = "11330802MB1A00001T"  # 柯城区市场监督管理局 (agency admin's and officer's subject)
KC_YJJ = "11330802MB1A00002X"  # 柯城区应急管理局 (other_officer's subject)
QJ_SCJG = "11330803MB1A00003F"  # 衢江区市场监督管理局
TODAY = dt.date(2026, 3, 2)  # a Monday
START = dt.date(2026, 3, 3)
END = dt.date(2026, 3, 6)
NOW = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)

_serial = itertools.count(1)


@pytest.fixture
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Private signing keys go to a temporary var dir, never the checkout's var/."""
    monkeypatch.setenv("WURAO_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path / "keys"
    get_settings.cache_clear()


def subject(db: Session, uscc: str = KC_SCJG) -> EnforcementSubject:
    s = db.scalar(select(EnforcementSubject).where(EnforcementSubject.uscc == uscc))
    assert s is not None
    return s


@dataclass
class World:
    """A subject with two qualified officers, a published item, and an enterprise."""

    subject: EnforcementSubject
    officers: list[Officer]
    item: InspectionItem
    enterprise: Enterprise
    extra: dict[str, object] = field(default_factory=dict)


def add_officer(db: Session, s: EnforcementSubject, **changes: object) -> Officer:
    n = next(_serial)
    values: dict[str, object] = {
        "name": f"检查员{n:03d}",
        "ric": make_ric("330802", dt.date(1980, 1, 1) + dt.timedelta(days=n), n % 1000),
        "subject_id": s.id,
        "kind": "officer",
        "cert_no": f"T{s.id:03d}{n:06d}",
        "cert_valid_from": dt.date(2024, 1, 1),
        "cert_valid_to": dt.date(2028, 12, 31),
        "review_year": 2025,
        "review_result": "passed",
        "active": True,
    }
    values.update(changes)
    officer = Officer(**values)
    db.add(officer)
    audit.record(db, actor=SYSTEM_ACTOR, action="officer.create", obj=officer)
    return officer


def add_item(db: Session, field_name: str = "市场监管", **changes: object) -> InspectionItem:
    n = next(_serial)
    values: dict[str, object] = {
        "code": f"TEST-{n:05d}",
        "name": f"产品质量监督检查{n}",
        "field": field_name,
        "region_code": "330802",
        "basis_level": "法律",
        "basis_law": "《中华人民共和国产品质量法》",
        "basis_article": "第十五条",
        "methods": "onsite",
        "status": "published",
        "published_on": dt.date(2025, 6, 1),
    }
    values.update(changes)
    item = InspectionItem(**values)
    db.add(item)
    db.flush()
    line = ChecklistLine(
        item_id=item.id, seq=1, text="查验产品质量检验合格证明", basis="第二十七条"
    )
    db.add(line)
    audit.record(db, actor=SYSTEM_ACTOR, action="item.create", obj=item, covers=[line])
    return item


def add_enterprise(db: Session, region: str = "330802", **changes: object) -> Enterprise:
    n = next(_serial)
    values: dict[str, object] = {
        "uscc": make_uscc("91", region, 900_000 + n),
        "name": f"衢州测试企业{n}有限公司",
        "region_code": region,
        "status": "active",
    }
    values.update(changes)
    ent = Enterprise(**values)
    db.add(ent)
    audit.record(db, actor=SYSTEM_ACTOR, action="enterprise.create", obj=ent)
    return ent


def world(db: Session, uscc: str = KC_SCJG) -> World:
    s = subject(db, uscc)
    officers = [add_officer(db, s), add_officer(db, s)]
    item = add_item(db, s.field)
    return World(s, officers, item, add_enterprise(db))


def approval(db: Session, w: World, **changes: object) -> UnplannedApproval:
    values: dict[str, object] = {
        "subject_id": w.subject.id,
        "enterprise_id": w.enterprise.id,
        "reason": "群众反映较多，经负责人批准",
        "requested_at": NOW,
        "status": "approved",
        "approved_by": "局长",
        "decided_at": NOW,
        "valid_until": dt.date(2026, 12, 31),
    }
    values.update(changes)
    row = UnplannedApproval(**values)
    db.add(row)
    audit.record(db, actor=SYSTEM_ACTOR, action="unplanned.create", obj=row)
    return row


def add_draw(
    db: Session,
    w: World,
    *,
    status: str = "drawn",
    selected: tuple[str, ...] | None = None,
    subjects: tuple[EnforcementSubject, ...] = (),
) -> Draw:
    """A 双随机 draw of ``subjects`` (default: the world's) that selected ``selected``
    (default: the world's enterprise), written as ``sampling.run.run_draw`` leaves it."""
    members = subjects or (w.subject,)
    chosen = (w.enterprise.uscc,) if selected is None else selected
    selection = [{"uscc": u, "stratum": "B", "rank": n, "key": "00"} for n, u in enumerate(chosen)]
    draw = Draw(
        title="2026年产品质量双随机抽查",
        lead_subject_id=members[0].id,
        region_code=members[0].region_code,
        draw_date=TODAY,
        method="onsite",
        window_start=START,
        window_end=END,
        status=status,
        result_json=json.dumps({"selection": selection, "teams": []}) if status == "drawn" else "",
        created_at=NOW,
        drawn_at=NOW if status == "drawn" else None,
    )
    db.add(draw)
    db.flush()
    links = [DrawSubject(draw_id=draw.id, subject_id=s.id, seq=n) for n, s in enumerate(members)]
    db.add_all(links)
    audit.record(db, actor=SYSTEM_ACTOR, action="draw.create", obj=draw, covers=links)
    return draw


def task_data(w: World, **changes: object) -> creation.TaskData:
    values: dict[str, object] = {
        "enterprise_uscc": w.enterprise.uscc,
        "subject_ids": [w.subject.id],
        "item_codes": [w.item.code],
        "officer_ids": [o.id for o in w.officers],
        "method": "onsite",
        "origin": "complaint",
        "window_start": START,
        "window_end": END,
        "trigger_ref": "12345-2026-000001",
        "trigger_reason": "投诉反映产品质量问题",
    }
    values.update(changes)
    return creation.TaskData(**values)  # type: ignore[arg-type]


def new_task(db: Session, actor: Actor, w: World, **changes: object) -> InspectionTask:
    return creation.create_task(db, data=task_data(w, **changes), actor=actor)


def statuses(db: Session, actor: Actor, task: InspectionTask) -> dict[str, str]:
    """Rule key → pass / fail / warn."""
    result = issuing.precheck(db, actor=actor, task=task, today=TODAY)
    return {o.rule.key: o.status for o in result.outcomes}


def issue(db: Session, actor: Actor, task: InspectionTask, **kw: object) -> issuing.Issued:
    kw.setdefault("today", TODAY)
    kw.setdefault("now", NOW)
    return issuing.issue_code(db, actor=actor, task=task, **kw)  # type: ignore[arg-type]
