"""Creating an inspection task, and the choices its form offers.

A draft task names its enterprise, subjects (the lead first), items, officers, method, window
and origin; the pre-checks run only when its code is requested (``issuing``), so a draft may be
incomplete in ways the rules judge later. Every reference is checked here so that a wrong
number is a field error in Chinese, never a foreign-key failure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import AGENCY_ROLES, Permission
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.errors import Forbidden, InvalidInput, NotFound
from wurao.core.events import Event, emit
from wurao.core.ids import IdentifierError, normalize_uscc
from wurao.core.text import NOTE, text_problem
from wurao.core.time import local_today, utcnow
from wurao.inspections import precheck
from wurao.inspections.models import (
    CrossRegionApproval,
    InspectionTask,
    TaskItem,
    TaskOfficer,
    TaskSubject,
)
from wurao.planning.models import PlanEntry, SpecialInspection, UnplannedApproval
from wurao.registry.items.methods import CHOICE_TEXT as METHOD_CHOICES
from wurao.registry.items.methods import METHODS
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem, Officer
from wurao.sampling.models import Draw


@dataclass(frozen=True)
class TaskData:
    """Input for a task. ``subject_ids`` lead first; items by code; officers by id."""

    enterprise_uscc: str
    subject_ids: list[int]
    item_codes: list[str]
    officer_ids: list[int]
    method: str
    origin: str
    window_start: dt.date
    window_end: dt.date
    plan_entry_id: int | None = None
    special_id: int | None = None
    unplanned_id: int | None = None
    draw_id: int | None = None
    trigger_ref: str = ""
    trigger_reason: str = ""
    started_without_code_on: dt.date | None = None
    finished_without_code_on: dt.date | None = None
    legal_rep_required: bool = False
    # subject id → the 异地检查 approval it relies on (A8); without one, A8 looks it up
    cross_region_approval_ids: dict[int, int] = field(default_factory=dict)


# --- create -----------------------------------------------------------------------------------


# The texts' documented maxima (those of ``schemas.TaskCreate``), checked here as well because
# the page form reaches this service without the schema (issue 17 item 10).
_TEXTS: tuple[tuple[str, str, int], ...] = (
    ("trigger_ref", "触发文号", 80),
    ("trigger_reason", "触发理由", NOTE),
)


def check_values(data: TaskData) -> None:
    for name, label, limit in _TEXTS:
        problem = text_problem(getattr(data, name), label, limit)
        if problem:
            raise InvalidInput(problem, field=name)
    if data.method not in METHODS:
        raise InvalidInput(f"检查方式应为{METHOD_CHOICES}。", field="method")
    if data.origin not in precheck.ORIGINS:
        raise InvalidInput("检查来源不正确。", field="origin")
    if data.window_end < data.window_start:
        raise InvalidInput("检查时间窗口的结束日期早于开始日期。", field="window_end")
    if (data.window_end - data.window_start).days > 366:
        raise InvalidInput("检查时间窗口不得超过一年。", field="window_end")
    if data.window_start.year != data.window_end.year:
        raise InvalidInput("检查时间窗口不得跨年度（频次按年度计算）。", field="window_end")
    if not data.subject_ids:
        raise InvalidInput("请至少选择一个执法主体。", field="subject_ids")
    if len(set(data.subject_ids)) != len(data.subject_ids):
        raise InvalidInput("执法主体重复。", field="subject_ids")
    if not data.item_codes:
        raise InvalidInput("请至少选择一项检查事项。", field="item_codes")
    if not data.officer_ids:
        raise InvalidInput("请至少指派两名执法人员。", field="officer_ids")
    started, finished = data.started_without_code_on, data.finished_without_code_on
    if finished is not None and started is None:
        raise InvalidInput(
            "只有已先行检查（事后补码）的任务才填写检查完成日期。", field="finished_without_code_on"
        )
    if finished is not None and started is not None and finished < started:
        raise InvalidInput("先行检查的完成日期早于开始日期。", field="finished_without_code_on")


# A task's references, each checked before the insert so that a wrong number is a field
# error in Chinese, never a foreign-key failure (a 500).
_REFERENCES: tuple[tuple[str, type[Any], str], ...] = (
    ("plan_entry_id", PlanEntry, "计划条目"),
    ("special_id", SpecialInspection, "专项检查"),
    ("unplanned_id", UnplannedApproval, "计划外检查审批"),
    ("draw_id", Draw, "双随机抽查"),
)
_MAX_ID = 2**31 - 1  # the key columns are 32-bit integers


def _check_reference(
    session: Session, model: type[Any], value: int, field: str, label: str
) -> None:
    if not 1 <= value <= _MAX_ID or session.get(model, value) is None:
        raise InvalidInput(f"{label}编号 {value} 不存在。", field=field)


def _check_references(session: Session, data: TaskData) -> None:
    for field_name, model, label in _REFERENCES:
        value = getattr(data, field_name)
        if value is not None:
            _check_reference(session, model, value, field_name, label)
    for sid, approval_id in data.cross_region_approval_ids.items():
        if sid not in data.subject_ids:
            raise InvalidInput(
                "异地检查批准所属的执法主体不在本任务中。", field="cross_region_approval_ids"
            )
        _check_reference(
            session,
            CrossRegionApproval,
            approval_id,
            "cross_region_approval_ids",
            "异地检查批准",
        )


def create_task(session: Session, *, data: TaskData, actor: Actor) -> InspectionTask:
    """Create a draft task; the pre-checks run when the code is requested, not here."""
    actor.require(Permission.TASKS_MANAGE)
    check_values(data)
    if actor.role in AGENCY_ROLES and actor.subject_id not in data.subject_ids:
        raise Forbidden("只能为本单位参与的检查创建任务。")
    try:
        uscc = normalize_uscc(data.enterprise_uscc)
    except IdentifierError as exc:
        raise InvalidInput(exc.reason, field="enterprise_uscc") from exc
    enterprise = session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    if enterprise is None:
        raise InvalidInput(
            f"检查对象名录库中没有统一社会信用代码为 {uscc} 的企业。", field="enterprise_uscc"
        )
    subjects = {
        s.id: s
        for s in session.scalars(
            select(EnforcementSubject).where(EnforcementSubject.id.in_(data.subject_ids))
        )
    }
    if len(subjects) != len(data.subject_ids):
        raise InvalidInput("所选执法主体不存在。", field="subject_ids")
    _check_references(session, data)
    codes_wanted = sorted({c.strip() for c in data.item_codes if c.strip()})
    items = list(
        session.scalars(select(InspectionItem).where(InspectionItem.code.in_(codes_wanted)))
    )
    missing = set(codes_wanted) - {i.code for i in items}
    if missing:
        raise InvalidInput(f"检查事项不存在：{'、'.join(sorted(missing))}。", field="item_codes")
    officers = list(session.scalars(select(Officer).where(Officer.id.in_(set(data.officer_ids)))))
    if len(officers) != len(set(data.officer_ids)):
        raise InvalidInput("所选执法人员不存在。", field="officer_ids")
    lead_id = data.subject_ids[0]
    task = InspectionTask(
        enterprise_id=enterprise.id,
        region_code=enterprise.region_code,
        year=data.window_start.year,
        origin=data.origin,
        plan_entry_id=data.plan_entry_id,
        special_id=data.special_id,
        unplanned_id=data.unplanned_id,
        draw_id=data.draw_id,
        trigger_ref=data.trigger_ref.strip()[:80],
        trigger_reason=data.trigger_reason.strip(),
        method=data.method,
        window_start=data.window_start,
        window_end=data.window_end,
        started_without_code_on=data.started_without_code_on,
        finished_without_code_on=data.finished_without_code_on,
        legal_rep_required=data.legal_rep_required,
        status="draft",
        created_by_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(task)
    session.flush()
    rows: list[Any] = []
    for sid in data.subject_ids:
        rows.append(
            TaskSubject(
                task_id=task.id,
                subject_id=sid,
                lead=sid == lead_id,
                cross_region_approval_id=data.cross_region_approval_ids.get(sid),
            )
        )
    by_field: dict[str, int] = {}
    for sid in data.subject_ids:
        by_field.setdefault(subjects[sid].field, sid)
    for item in items:
        rows.append(
            TaskItem(task_id=task.id, item_id=item.id, subject_id=by_field.get(item.field, lead_id))
        )
    for officer in officers:
        sid = officer.subject_id if officer.subject_id in subjects else lead_id
        rows.append(TaskOfficer(task_id=task.id, officer_id=officer.id, subject_id=sid))
    session.add_all(rows)
    audit.record(
        session,
        actor=actor,
        action="task.create",
        obj=task,
        covers=rows,
        region_code=task.region_code,
        summary=f"创建检查任务：{enterprise.name}，{METHODS[task.method]}，"
        f"{precheck.ORIGINS[task.origin]}",
    )
    emit(session, Event.TASK_CREATED, task=task)
    return task


# --- form choices ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FormChoices:
    """What the task form offers an agency user: their subject's officers and items."""

    subject: EnforcementSubject
    officers: list[Officer]
    qualified_ids: set[int]
    items: list[InspectionItem]


def form_choices(session: Session, *, actor: Actor, on: dt.date | None = None) -> FormChoices:
    """Officers (with who may inspect on ``on``) and published items of the actor's subject."""
    from wurao.registry.items.service import items_visible_to
    from wurao.registry.officers.service import who_may_inspect

    actor.require(Permission.TASKS_MANAGE)
    if actor.subject_id is None:
        raise Forbidden("只有执法主体的用户可以创建检查任务。")
    subject = session.get(EnforcementSubject, actor.subject_id)
    if subject is None:
        raise NotFound("执法主体不存在。")
    officers = list(
        session.scalars(
            select(Officer)
            .where(Officer.subject_id == subject.id, Officer.active.is_(True))
            .order_by(Officer.kind.desc(), Officer.name)
            .limit(300)
        )
    )
    qualified = {
        o.id for o in who_may_inspect(session, subject_id=subject.id, on=on or local_today())
    }
    items = list(
        session.scalars(
            items_visible_to(actor)
            .where(InspectionItem.field == subject.field, InspectionItem.status == "published")
            .order_by(InspectionItem.code)
            .limit(300)
        )
    )
    return FormChoices(subject, officers, qualified, items)
