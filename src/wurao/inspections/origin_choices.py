"""What a new task may name as its origin (A4, A7), as choices with a human label.

The new-task form picks the plan entry, draw, special inspection or unplanned approval from
these lists instead of a typed number (issue 19 item 1). Every list is built from the actor's
own subject, so another subject's plans, draws or approvals cannot be offered; the pre-check
(``rules_origin``) still validates whatever is submitted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import Forbidden
from wurao.core.time import local_today
from wurao.inspections.rules_origin import drawn_usccs
from wurao.planning.coverage import COVERING_PLAN_STATES, scope_condition
from wurao.planning.models import (
    InspectionPlan,
    PlanEntry,
    PlanTarget,
    SpecialInspection,
    SpecialInspectionSubject,
    UnplannedApproval,
)
from wurao.planning.service import months_of
from wurao.planning.special import SPECIAL_PUBLIC
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem
from wurao.sampling.models import Draw, DrawSubject

# origin -> the form field carrying the chosen id
FIELDS = {
    "plan": "plan_entry_id",
    "draw": "draw_id",
    "special": "special_id",
    "unplanned": "unplanned_id",
}
LIMIT = 30


@dataclass(frozen=True)
class Choice:
    """One pickable origin: its id, a label and a line of detail."""

    id: int
    label: str
    detail: str = ""


@dataclass(frozen=True)
class EntryPrefill:
    """A plan entry as the new-task form is prefilled from it (plan page's 创建检查任务)."""

    entry: PlanEntry
    plan: InspectionPlan
    item_code: str
    targets: list[Enterprise]
    window_start: dt.date
    window_end: dt.date


def _subject_id(actor: Actor) -> int:
    actor.require(Permission.TASKS_MANAGE)
    if actor.subject_id is None:
        raise Forbidden("只有执法主体的用户可以创建检查任务。")
    return actor.subject_id


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _enterprise(session: Session, uscc: str) -> Enterprise | None:
    uscc = uscc.strip().upper()
    if len(uscc) != 18:
        return None
    return session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))


def _plan_entries(
    session: Session, subject_id: int, enterprise: Enterprise | None, q: str, today: dt.date
) -> list[Choice]:
    stmt = (
        select(PlanEntry, InspectionPlan, InspectionItem, EnforcementSubject.region_code)
        .join(InspectionPlan, InspectionPlan.id == PlanEntry.plan_id)
        .join(InspectionItem, InspectionItem.id == PlanEntry.item_id)
        .join(EnforcementSubject, EnforcementSubject.id == InspectionPlan.subject_id)
        .where(
            InspectionPlan.subject_id == subject_id,
            InspectionPlan.status.in_(COVERING_PLAN_STATES),
            InspectionPlan.year >= today.year,
        )
        .order_by(InspectionPlan.year, InspectionPlan.id, PlanEntry.id)
    )
    if q:
        pattern = _like(q)
        stmt = stmt.where(
            or_(
                InspectionPlan.title.ilike(pattern, escape="\\"),
                InspectionItem.name.ilike(pattern, escape="\\"),
                InspectionItem.code.ilike(pattern, escape="\\"),
            )
        )
    out: list[Choice] = []
    for entry, plan, item, region in session.execute(stmt.limit(300)):
        if enterprise is not None and not _reaches(session, entry, region, enterprise):
            continue
        months = "、".join(str(m) for m in months_of(entry))
        out.append(
            Choice(
                entry.id,
                f"{plan.title}（{plan.year}年）· 条目 {entry.id}：{item.name}",
                f"{item.code} · {months}月" if months else item.code,
            )
        )
        if len(out) >= LIMIT:
            break
    return out


def _reaches(session: Session, entry: PlanEntry, region: str, enterprise: Enterprise) -> bool:
    """Whether the entry names (targeted) or may reach (scope) this enterprise."""
    if entry.selection == "targeted":
        found = exists().where(
            PlanTarget.entry_id == entry.id, PlanTarget.enterprise_id == enterprise.id
        )
    else:
        found = exists().where(Enterprise.id == enterprise.id, scope_condition(entry, region))
    return bool(session.scalar(select(found)))


def _draws(
    session: Session, subject_id: int, enterprise: Enterprise | None, q: str
) -> list[Choice]:
    stmt = (
        select(Draw)
        .where(
            Draw.status == "drawn",
            exists().where(DrawSubject.draw_id == Draw.id, DrawSubject.subject_id == subject_id),
        )
        .order_by(Draw.draw_date.desc(), Draw.id.desc())
    )
    if q:
        stmt = stmt.where(Draw.title.ilike(_like(q), escape="\\"))
    out = []
    for draw in session.scalars(stmt.limit(200)):
        if enterprise is not None and enterprise.uscc not in drawn_usccs(draw):
            continue
        out.append(
            Choice(
                draw.id,
                f"{draw.title}",
                f"抽取日期 {draw.draw_date.isoformat()} · 检查期间 "
                f"{draw.window_start.isoformat()} 至 {draw.window_end.isoformat()}",
            )
        )
        if len(out) >= LIMIT:
            break
    return out


def _specials(session: Session, subject_id: int, q: str, today: dt.date) -> list[Choice]:
    stmt = (
        select(SpecialInspection)
        .where(
            SpecialInspection.status.in_(SPECIAL_PUBLIC),
            or_(SpecialInspection.end_on.is_(None), SpecialInspection.end_on >= today),
            exists().where(
                SpecialInspectionSubject.special_id == SpecialInspection.id,
                SpecialInspectionSubject.subject_id == subject_id,
            ),
        )
        .order_by(SpecialInspection.start_on.desc(), SpecialInspection.id.desc())
    )
    if q:
        stmt = stmt.where(SpecialInspection.title.ilike(_like(q), escape="\\"))
    return [
        Choice(
            s.id,
            s.title,
            f"实施期间 {s.start_on.isoformat() if s.start_on else '—'} 至 "
            f"{s.end_on.isoformat() if s.end_on else '—'}",
        )
        for s in session.scalars(stmt.limit(LIMIT))
    ]


def _unplanned(
    session: Session, subject_id: int, enterprise: Enterprise | None, q: str, today: dt.date
) -> list[Choice]:
    stmt = (
        select(UnplannedApproval, Enterprise)
        .join(Enterprise, Enterprise.id == UnplannedApproval.enterprise_id)
        .where(
            UnplannedApproval.subject_id == subject_id,
            UnplannedApproval.status == "approved",
            or_(UnplannedApproval.valid_until.is_(None), UnplannedApproval.valid_until >= today),
        )
        .order_by(UnplannedApproval.id.desc())
    )
    if enterprise is not None:
        stmt = stmt.where(UnplannedApproval.enterprise_id == enterprise.id)
    if q:
        pattern = _like(q)
        stmt = stmt.where(
            or_(
                Enterprise.name.ilike(pattern, escape="\\"),
                Enterprise.uscc.ilike(pattern, escape="\\"),
                UnplannedApproval.reason.ilike(pattern, escape="\\"),
            )
        )
    out = []
    for approval, ent in session.execute(stmt.limit(LIMIT)):
        reason = approval.reason if len(approval.reason) <= 40 else approval.reason[:40] + "…"
        until = approval.valid_until.isoformat() if approval.valid_until else "—"
        out.append(
            Choice(approval.id, f"{ent.name}：{reason}", f"审批 {approval.id} · 有效至 {until}")
        )
    return out


def origin_choices(
    session: Session, *, actor: Actor, origin: str, enterprise_uscc: str = "", q: str = ""
) -> list[Choice]:
    """The actor's subject's origins of this kind, for this enterprise when one is given."""
    subject_id = _subject_id(actor)
    today = local_today()
    enterprise = _enterprise(session, enterprise_uscc)
    q = q.strip()
    if origin == "plan":
        return _plan_entries(session, subject_id, enterprise, q, today)
    if origin == "draw":
        return _draws(session, subject_id, enterprise, q)
    if origin == "special":
        return _specials(session, subject_id, q, today)
    if origin == "unplanned":
        return _unplanned(session, subject_id, enterprise, q, today)
    return []


def entry_prefill(session: Session, *, actor: Actor, entry_id: int) -> EntryPrefill | None:
    """The actor's subject's published plan entry, with its item and named enterprises."""
    subject_id = _subject_id(actor)
    row = session.execute(
        select(PlanEntry, InspectionPlan, InspectionItem.code)
        .join(InspectionPlan, InspectionPlan.id == PlanEntry.plan_id)
        .join(InspectionItem, InspectionItem.id == PlanEntry.item_id)
        .where(
            PlanEntry.id == entry_id,
            InspectionPlan.subject_id == subject_id,
            InspectionPlan.status.in_(COVERING_PLAN_STATES),
        )
    ).first()
    if row is None:
        return None
    entry, plan, code = row
    targets = list(
        session.scalars(
            select(Enterprise)
            .join(PlanTarget, PlanTarget.enterprise_id == Enterprise.id)
            .where(PlanTarget.entry_id == entry.id)
            .order_by(Enterprise.name)
            .limit(200)
        )
    )
    start, end = _entry_window(entry, plan, local_today())
    return EntryPrefill(entry, plan, code, targets, start, end)


def _entry_window(
    entry: PlanEntry, plan: InspectionPlan, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The first stretch the entry covers from today on: today if this month is one of its
    months, else the first day of its next month in the plan's year (to that month's end)."""
    for month in sorted(months_of(entry)):
        first = dt.date(plan.year, month, 1)
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        if last >= today:
            start = max(first, today)
            return start, start
    return today, today
