"""Planning reads for the inspections pre-checks: coverage and the origins a task names.

The joint-inspection candidates built on plans live in ``wurao.joint``, the public portal and
the filing package in ``wurao.reports``.

Coverage functions answer "is this inspection covered by an approved plan, special inspection
or unplanned approval?" for the inspections pre-checks (A4, A7, 路桥方案 三(二)1). They take
ids and are not scoped by an actor: the caller has already authorised the task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor, region_in_scope
from wurao.core.ids import region_scope_prefix
from wurao.planning.models import (
    InspectionPlan,
    PlanEntry,
    PlanTarget,
    SpecialInspection,
    SpecialInspectionItem,
    SpecialInspectionSubject,
    UnplannedApproval,
)
from wurao.planning.service import months_of
from wurao.planning.special import SPECIAL_PUBLIC
from wurao.registry.models import EnforcementSubject, Enterprise

COVERING_PLAN_STATES = ("published", "filed")
INACTIVE = ("deregistered", "revoked")


# --- coverage (for the inspections pre-checks) -----------------------------------------


@dataclass(frozen=True)
class Coverage:
    """What authorises an inspection: a plan's entries, a special inspection or an approval.

    ``kind`` is "plan", "special" or "unplanned"; ``source_id`` the id of that row;
    ``item_ids`` the requested items it covers and ``missing_item_ids`` those it does not
    (an unplanned approval covers every item). ``complete`` when nothing is missing.
    """

    kind: str
    source_id: int
    title: str
    item_ids: tuple[int, ...]
    missing_item_ids: tuple[int, ...]
    entry_ids: tuple[int, ...] = ()
    detail: str = ""

    @property
    def complete(self) -> bool:
        """Every requested item is covered."""
        return not self.missing_item_ids


def scope_condition(entry: PlanEntry, subject_region: str) -> ColumnElement[bool]:
    """SQL: an enterprise lies in a (non-targeted) entry's scope and may be inspected."""
    region = entry.scope_region or subject_region
    conds: list[ColumnElement[bool]] = [
        Enterprise.status.not_in(INACTIVE),
        region_in_scope(Enterprise.region_code, region_scope_prefix(region)),
    ]
    if entry.scope_industry:
        conds.append(Enterprise.industry_code.startswith(entry.scope_industry, autoescape=True))
    if entry.scope_credit:
        conds.append(Enterprise.credit_class.in_(entry.scope_credit.split(",")))
    if entry.scope_tag:
        conds.append(Enterprise.tags.contains(f"|{entry.scope_tag}|", autoescape=True))
    return and_(*conds)


def _entry_reaches(session: Session, entry: PlanEntry, region: str, enterprise_id: int) -> bool:
    if entry.selection == "targeted":
        stmt = select(PlanTarget.id).where(
            PlanTarget.entry_id == entry.id, PlanTarget.enterprise_id == enterprise_id
        )
    else:
        stmt = select(Enterprise.id).where(
            Enterprise.id == enterprise_id, scope_condition(entry, region)
        )
    return session.scalar(stmt.limit(1)) is not None


def plan_coverage(
    session: Session, *, subject_id: int, enterprise_id: int, item_ids: Sequence[int], on: dt.date
) -> Coverage | None:
    """The subject's published plan covering this enterprise, items and month; None if none.

    An entry covers when its plan (year of ``on``) is published or filed on or before ``on``,
    ``on``'s month is one of its months, its item is requested, and the enterprise is named in
    it (targeted) or lies in its scope (双随机 / 重点监管: the enterprise may be drawn).
    """
    wanted = tuple(sorted(set(item_ids)))
    rows = session.execute(
        select(PlanEntry, InspectionPlan, EnforcementSubject.region_code)
        .join(InspectionPlan, InspectionPlan.id == PlanEntry.plan_id)
        .join(EnforcementSubject, EnforcementSubject.id == InspectionPlan.subject_id)
        .where(
            InspectionPlan.subject_id == subject_id,
            InspectionPlan.year == on.year,
            InspectionPlan.status.in_(COVERING_PLAN_STATES),
            InspectionPlan.published_on <= on,
            PlanEntry.item_id.in_(wanted),
        )
        .order_by(PlanEntry.id)
    ).all()
    covered: set[int] = set()
    entries: list[int] = []
    plan: InspectionPlan | None = None
    for entry, p, region in rows:
        if on.month in months_of(entry) and _entry_reaches(session, entry, region, enterprise_id):
            covered.add(entry.item_id)
            entries.append(entry.id)
            plan = p
    if plan is None:
        return None
    return Coverage(
        kind="plan",
        source_id=plan.id,
        title=f"{plan.title}（第{plan.version}版）",
        item_ids=tuple(sorted(covered)),
        missing_item_ids=tuple(i for i in wanted if i not in covered),
        entry_ids=tuple(entries),
    )


def special_coverage(
    session: Session,
    *,
    subject_id: int,
    enterprise_id: int,
    item_ids: Sequence[int],
    on: dt.date,
    special_id: int | None = None,
) -> Coverage | None:
    """A published special inspection the subject leads or joins, running on ``on``.

    A special inspection's scope is free text, so the enterprise is checked only for being
    active; the items must be among the special inspection's items. ``special_id`` limits the
    answer to that special inspection (a task names the one it comes from).
    """
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None or enterprise.status in INACTIVE:
        return None
    wanted = tuple(sorted(set(item_ids)))
    joined = select(SpecialInspectionSubject.special_id).where(
        SpecialInspectionSubject.subject_id == subject_id
    )
    stmt = select(SpecialInspection).where(
        (SpecialInspection.subject_id == subject_id) | SpecialInspection.id.in_(joined),
        SpecialInspection.status.in_(SPECIAL_PUBLIC),
        SpecialInspection.start_on <= on,
        SpecialInspection.end_on >= on,
    )
    if special_id is not None:
        stmt = stmt.where(SpecialInspection.id == special_id)
    specials = session.scalars(stmt.order_by(SpecialInspection.id)).all()
    for special in specials:
        items = set(
            session.scalars(
                select(SpecialInspectionItem.item_id).where(
                    SpecialInspectionItem.special_id == special.id,
                    SpecialInspectionItem.item_id.in_(wanted),
                )
            )
        )
        if items:
            return Coverage(
                kind="special",
                source_id=special.id,
                title=special.title,
                item_ids=tuple(sorted(items)),
                missing_item_ids=tuple(i for i in wanted if i not in items),
                detail=f"{special.approval_organ}批准（{special.approval_ref}）",
            )
    return None


def unplanned_coverage(
    session: Session,
    *,
    subject_id: int,
    enterprise_id: int,
    item_ids: Sequence[int],
    on: dt.date,
    approval_id: int | None = None,
) -> Coverage | None:
    """An approved (and so filed) unplanned-inspection approval valid on ``on``.

    ``approval_id`` limits the answer to that approval (a task names the one it comes from).
    """
    stmt = select(UnplannedApproval).where(
        UnplannedApproval.subject_id == subject_id,
        UnplannedApproval.enterprise_id == enterprise_id,
        UnplannedApproval.status == "approved",
        UnplannedApproval.valid_until >= on,
    )
    if approval_id is not None:
        stmt = stmt.where(UnplannedApproval.id == approval_id)
    row = session.scalar(stmt.order_by(UnplannedApproval.id.desc()).limit(1))
    if row is None or row.decided_at is None:
        return None
    if row.requested_at.date() > on:
        return None
    return Coverage(
        kind="unplanned",
        source_id=row.id,
        title=f"计划外检查审批#{row.id}",
        item_ids=tuple(sorted(set(item_ids))),
        missing_item_ids=(),
        detail=f"负责人{row.approved_by}批准：{row.decision_comment}",
    )


def inspection_coverage(
    session: Session, *, subject_id: int, enterprise_id: int, item_ids: Sequence[int], on: dt.date
) -> Coverage | None:
    """The first complete coverage — plan, then special inspection, then unplanned approval."""
    partial: Coverage | None = None
    for check in (plan_coverage, special_coverage, unplanned_coverage):
        found = check(
            session, subject_id=subject_id, enterprise_id=enterprise_id, item_ids=item_ids, on=on
        )
        if found is not None and found.complete:
            return found
        partial = partial or found
    return partial


def origin_entry(session: Session, entry_id: int) -> tuple[PlanEntry, InspectionPlan] | None:
    """A plan entry a task names as its origin, with its plan; None if there is none."""
    row = session.execute(
        select(PlanEntry, InspectionPlan)
        .join(InspectionPlan, InspectionPlan.id == PlanEntry.plan_id)
        .where(PlanEntry.id == entry_id)
    ).first()
    return None if row is None else (row[0], row[1])


def origin_special(session: Session, special_id: int) -> tuple[SpecialInspection, set[int]] | None:
    """A special inspection a task names as its origin, with the ids of the subjects that
    lead or join it; None if there is none."""
    special = session.get(SpecialInspection, special_id)
    if special is None:
        return None
    members = {special.subject_id} | set(
        session.scalars(
            select(SpecialInspectionSubject.subject_id).where(
                SpecialInspectionSubject.special_id == special.id
            )
        )
    )
    return special, members


def origin_unplanned(session: Session, approval_id: int) -> UnplannedApproval | None:
    """An unplanned-inspection approval a task names as its origin; None if there is none."""
    return session.get(UnplannedApproval, approval_id)


def may_create_task_from(actor: Actor, plan: InspectionPlan) -> bool:
    """Whether the plan page offers 创建检查任务 on its entries: the plan is published (it
    covers inspections, A4) and the actor creates tasks for the plan's subject."""
    return (
        plan.status in COVERING_PLAN_STATES
        and actor.can(Permission.TASKS_MANAGE)
        and actor.subject_id == plan.subject_id
    )
