"""A draft plan's lines (PlanEntry): an item, its scope or named enterprises, method, months
and team size, checked against the registries before they are stored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.errors import InvalidInput, NotFound, RuleViolation
from wurao.core.ids import region_scope_prefix
from wurao.planning import rules
from wurao.planning.models import InspectionPlan, PlanEntry, PlanTarget
from wurao.planning.service import PLAN_LIFECYCLE, SELECTIONS, check_own_plan, subject_of
from wurao.registry.enterprises.service import enterprise_problems, enterprises_visible_to
from wurao.registry.items.methods import CHOICE_TEXT, METHODS
from wurao.registry.items.service import item_problems, items_visible_to
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem

MAX_TARGETS = 2000


@dataclass(frozen=True)
class EntryData:
    """Input for one plan line; ``target_ids`` are enterprise ids of a targeted line."""

    item_id: int
    method: str = "onsite"
    selection: str = "dss"
    scope_region: str = ""
    scope_industry: str = ""
    scope_credit: str = ""
    scope_tag: str = ""
    planned_count: int = 0
    months: Sequence[int] = ()
    officers_per_team: int = 2
    note: str = ""
    target_ids: Sequence[int] = field(default_factory=tuple)


def _checked_entry(
    session: Session, actor: Actor, subject: EnforcementSubject, data: EntryData
) -> tuple[EntryData, list[int]]:
    item = session.scalar(items_visible_to(actor).where(InspectionItem.id == data.item_id))
    if item is None:
        raise InvalidInput("检查事项不存在或不适用于本辖区。", field="item_id")
    problems = item_problems(item, field=subject.field)
    if problems:
        raise RuleViolation(problems)
    if data.method not in METHODS:
        raise InvalidInput(f"检查方式应为{CHOICE_TEXT}。", field="method")
    if data.selection not in SELECTIONS:
        raise InvalidInput("检查对象确定方式应为双随机、定向或重点监管全覆盖。", field="selection")
    months = sorted(set(data.months))
    if not months or any(not 1 <= m <= 12 for m in months):
        raise InvalidInput("请填写实施月份（1至12月）。", field="months")
    if data.planned_count < 0 or data.planned_count > 10_000_000:
        raise InvalidInput("计划检查户次不正确。", field="planned_count")
    if data.method == "onsite" and data.officers_per_team < 2:
        raise RuleViolation([rules.TWO_OFFICERS.violation("现场检查每组执法人员不得少于两人。")])
    region = data.scope_region.strip() or subject.region_code
    if not region.isdigit() or not region.startswith(region_scope_prefix(subject.region_code)):
        raise InvalidInput("检查范围的区划须在本主体辖区内。", field="scope_region")
    credit = ",".join(
        c for c in data.scope_credit.replace("，", ",").upper().split(",") if c.strip()
    )
    if any(c.strip() not in ("A", "B", "C", "D") for c in credit.split(",") if c):
        raise InvalidInput("信用风险分类应为A、B、C、D，可多选，以逗号分隔。", field="scope_credit")
    target_ids: list[int] = []
    if data.selection == "targeted":
        wanted = sorted(set(data.target_ids))
        if not wanted:
            raise InvalidInput("定向检查须列明检查对象。", field="targets")
        if len(wanted) > MAX_TARGETS:
            raise InvalidInput(f"一行最多列明{MAX_TARGETS}家检查对象。", field="targets")
        found = list(
            session.scalars(enterprises_visible_to(actor).where(Enterprise.id.in_(wanted)))
        )
        if len(found) != len(wanted):
            raise InvalidInput("部分检查对象不存在或不在辖区内。", field="targets")
        bad = [v for e in found for v in enterprise_problems(e)]
        if bad:
            raise RuleViolation(bad)
        target_ids = wanted
        count = len(wanted)
    else:
        count = data.planned_count
    clean = EntryData(
        item_id=item.id,
        method=data.method,
        selection=data.selection,
        scope_region=region,
        scope_industry=data.scope_industry.strip().upper()[:5],
        scope_credit=credit,
        scope_tag=data.scope_tag.strip()[:40],
        planned_count=count,
        months=months,
        officers_per_team=data.officers_per_team,
        note=data.note.strip(),
    )
    return clean, target_ids


def add_entry(
    session: Session, *, plan: InspectionPlan, data: EntryData, actor: Actor
) -> PlanEntry:
    """Add a line to a draft plan (item, scope or named enterprises, method, months, team)."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "edit")
    subject = subject_of(session, plan)
    clean, target_ids = _checked_entry(session, actor, subject, data)
    entry = PlanEntry(
        plan_id=plan.id,
        item_id=clean.item_id,
        method=clean.method,
        selection=clean.selection,
        scope_region=clean.scope_region,
        scope_industry=clean.scope_industry,
        scope_credit=clean.scope_credit,
        scope_tag=clean.scope_tag,
        planned_count=clean.planned_count,
        months=",".join(str(m) for m in clean.months),
        officers_per_team=clean.officers_per_team,
        note=clean.note,
    )
    session.add(entry)
    session.flush()
    targets = [PlanTarget(entry_id=entry.id, enterprise_id=e) for e in target_ids]
    session.add_all(targets)
    audit.record(
        session,
        actor=actor,
        action="plan.entry.add",
        obj=entry,
        covers=targets,
        summary=f"{plan.title}：新增检查内容（{SELECTIONS[entry.selection]}，{entry.planned_count}户次）",
        region_code=subject.region_code,
    )
    return entry


def remove_entry(session: Session, *, plan: InspectionPlan, entry_id: int, actor: Actor) -> None:
    """Delete a line of a draft plan."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "edit")
    entry = session.scalar(
        select(PlanEntry).where(PlanEntry.id == entry_id, PlanEntry.plan_id == plan.id)
    )
    if entry is None:
        raise NotFound("计划中没有这一行。")
    targets = list(session.scalars(select(PlanTarget).where(PlanTarget.entry_id == entry.id)))
    before = audit.snapshot(entry)
    for t in targets:
        session.delete(t)
    session.delete(entry)
    audit.record(
        session,
        actor=actor,
        action="plan.entry.remove",
        obj=entry,
        before=before,
        deleted=True,
        covers=targets,
        summary=f"{plan.title}：删除一行检查内容",
        region_code=subject_of(session, plan).region_code,
    )


def enterprise_ids_by_uscc(session: Session, *, actor: Actor, usccs: Sequence[str]) -> list[int]:
    """Ids of the listed enterprises (by USCC) within the actor's region; unknown ones refused."""
    codes = sorted({c.strip().upper() for c in usccs if c.strip()})
    if len(codes) > MAX_TARGETS:
        raise InvalidInput(f"一行最多列明{MAX_TARGETS}家检查对象。", field="targets")
    if not codes:
        return []
    found = dict(
        session.execute(
            enterprises_visible_to(actor)
            .with_only_columns(Enterprise.uscc, Enterprise.id)
            .where(Enterprise.uscc.in_(codes))
        ).all()
    )
    missing = [c for c in codes if c not in found]
    if missing:
        raise InvalidInput(
            f"以下统一社会信用代码不在辖区检查对象名录中：{'、'.join(missing[:5])}", field="targets"
        )
    return [int(found[c]) for c in codes]
