"""Planning reads: coverage checks for pre-checks, joint-inspection candidates, the public
portal (公示) and the filing package.

Coverage functions answer "is this inspection covered by an approved plan, special inspection
or unplanned approval?" for the inspections pre-checks (A4, A7, 路桥方案 三(二)1). They take
ids and are not scoped by an actor: the caller has already authorised the task.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor, region_filter, region_in_scope
from wurao.core.errors import InvalidInput, NotFound
from wurao.core.ids import IdentifierError, region_scope_prefix, validate_region_code
from wurao.planning.models import (
    InspectionPlan,
    PlanEntry,
    PlanTarget,
    SpecialInspection,
    SpecialInspectionItem,
    SpecialInspectionSubject,
    UnplannedApproval,
)
from wurao.planning.service import (
    LIVE_PUBLIC,
    METHODS,
    PUBLIC_STATES,
    SELECTIONS,
    months_of,
    status_label,
)
from wurao.planning.special import SPECIAL_PUBLIC
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem, Region

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


# --- joint-inspection candidates (综合查一次) -------------------------------------------


@dataclass(frozen=True)
class JointCandidate:
    """Two entries of different subjects that reach the same enterprises in the same months.

    ``enterprises``: how many enterprises both entries can reach (exact, counted by query).
    ``visits_saved``: see ``joint_candidates``; ``exact`` is False when it is an expectation.
    """

    year: int
    subject_ids: tuple[int, int]
    subject_names: tuple[str, str]
    plan_ids: tuple[int, int]
    entry_ids: tuple[int, int]
    item_names: tuple[str, str]
    selections: tuple[str, str]
    months: tuple[int, ...]
    enterprises: int
    visits_saved: int
    exact: bool


@dataclass
class _Side:
    entry: PlanEntry
    plan: InspectionPlan
    subject: EnforcementSubject
    item_name: str
    months: set[int]
    region: str
    population: int | None = None  # size of the scope (non-targeted entries)
    extra: dict[str, int] = field(default_factory=dict)


def _current_plans(session: Session, actor: Actor, year: int) -> list[InspectionPlan]:
    actor.require(Permission.PLANS_VIEW)
    rows = session.scalars(
        select(InspectionPlan)
        .join(EnforcementSubject, EnforcementSubject.id == InspectionPlan.subject_id)
        .where(
            region_filter(actor, EnforcementSubject.region_code),
            InspectionPlan.year == year,
            InspectionPlan.status.in_(("submitted", "approved", *LIVE_PUBLIC)),
        )
        .order_by(InspectionPlan.subject_id, InspectionPlan.version)
    ).all()
    newest: dict[int, InspectionPlan] = {}
    for plan in rows:
        newest[plan.subject_id] = plan
    return list(newest.values())


def _prefixes_meet(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _count(session: Session, stmt: Select[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def _overlap(session: Session, a: _Side, b: _Side) -> int:
    """Enterprises both entries can reach (counted by query, rows never loaded)."""
    if a.entry.selection == "targeted" and b.entry.selection == "targeted":
        t1, t2 = aliased(PlanTarget), aliased(PlanTarget)
        return _count(
            session,
            select(t1.enterprise_id)
            .join(t2, t2.enterprise_id == t1.enterprise_id)
            .where(t1.entry_id == a.entry.id, t2.entry_id == b.entry.id),
        )
    if b.entry.selection == "targeted":
        a, b = b, a
    if a.entry.selection == "targeted":
        return _count(
            session,
            select(PlanTarget.enterprise_id)
            .join(Enterprise, Enterprise.id == PlanTarget.enterprise_id)
            .where(PlanTarget.entry_id == a.entry.id, scope_condition(b.entry, b.region)),
        )
    pa = region_scope_prefix(a.entry.scope_region or a.region)
    pb = region_scope_prefix(b.entry.scope_region or b.region)
    if not _prefixes_meet(pa, pb) or not _prefixes_meet(
        a.entry.scope_industry, b.entry.scope_industry
    ):
        return 0
    return _count(
        session,
        select(Enterprise.id).where(
            scope_condition(a.entry, a.region), scope_condition(b.entry, b.region)
        ),
    )


def _population(session: Session, side: _Side) -> int:
    if side.population is None:
        side.population = _count(
            session, select(Enterprise.id).where(scope_condition(side.entry, side.region))
        )
    return side.population


def _expected_visits(session: Session, side: _Side, overlap: int) -> float:
    """How many of the ``overlap`` enterprises this entry is expected to visit."""
    if side.entry.selection in ("targeted", "key"):
        return float(overlap)
    population = _population(session, side)
    if population == 0:
        return 0.0
    return overlap * min(1.0, side.entry.planned_count / population)


def joint_candidates(session: Session, *, actor: Actor, year: int) -> list[JointCandidate]:
    """Entries of different subjects' plans that reach the same enterprises in shared months.

    Plans considered: per subject, the newest version for ``year`` that has been submitted
    (drafts are still changing), within the actor's region; an agency sees the candidates
    that involve its own subject. For each pair of entries with at least one month in common:

    * ``enterprises`` = |I|, the enterprises both entries can reach: the named enterprises
      of a targeted entry, or the active enterprises matching a scope entry's region, industry,
      credit classes and tag. Always exact (a COUNT query).
    * Each entry's expected visits within I: all of I for targeted and 重点监管 (key) entries;
      |I| × min(1, planned_count / |scope|) for a 双随机 entry (its draw probability).
    * ``visits_saved`` = floor(min(expected visits of the two entries)): every enterprise that
      both subjects visit is visited once instead of twice when they inspect jointly, and a
      joint (联合) draw can put the smaller side's visits inside the larger side's.
      ``exact`` when neither entry is 双随机 (then it is |I|); otherwise an estimate.

    Sorted by visits saved, largest first. Totals over candidates count an enterprise once per
    pair of entries, so they are an upper bound when one subject's entries overlap each other.
    """
    plans = _current_plans(session, actor, year)
    if len(plans) < 2:
        return []
    by_id = {p.id: p for p in plans}
    subjects = {
        s.id: s
        for s in session.scalars(
            select(EnforcementSubject).where(
                EnforcementSubject.id.in_([p.subject_id for p in plans])
            )
        )
    }
    rows = session.execute(
        select(PlanEntry, InspectionItem.name)
        .join(InspectionItem, InspectionItem.id == PlanEntry.item_id)
        .where(PlanEntry.plan_id.in_(list(by_id)))
        .order_by(PlanEntry.id)
    ).all()
    sides = []
    for entry, item_name in rows:
        plan = by_id[entry.plan_id]
        subject = subjects[plan.subject_id]
        sides.append(
            _Side(entry, plan, subject, item_name, set(months_of(entry)), subject.region_code)
        )
    own = actor.subject_id if actor.role.needs_subject else None
    out: list[JointCandidate] = []
    for a, b in combinations(sides, 2):
        if a.subject.id == b.subject.id or not (a.months & b.months):
            continue
        if own is not None and own not in (a.subject.id, b.subject.id):
            continue
        overlap = _overlap(session, a, b)
        if overlap == 0:
            continue
        saved = math.floor(
            min(_expected_visits(session, a, overlap), _expected_visits(session, b, overlap)) + 1e-9
        )
        out.append(
            JointCandidate(
                year=year,
                subject_ids=(a.subject.id, b.subject.id),
                subject_names=(a.subject.name, b.subject.name),
                plan_ids=(a.plan.id, b.plan.id),
                entry_ids=(a.entry.id, b.entry.id),
                item_names=(a.item_name, b.item_name),
                selections=(a.entry.selection, b.entry.selection),
                months=tuple(sorted(a.months & b.months)),
                enterprises=overlap,
                visits_saved=saved,
                exact="dss" not in (a.entry.selection, b.entry.selection),
            )
        )
    out.sort(key=lambda c: (-c.visits_saved, c.entry_ids))
    return out


# --- 公示: the public portal (no sign-in) ----------------------------------------------


def _region_prefix(region: str) -> str:
    try:
        return region_scope_prefix(validate_region_code(region))
    except IdentifierError as exc:
        raise InvalidInput(exc.reason, field="region") from exc


def public_regions(session: Session) -> list[Region]:
    """Regions that have announced enforcement subjects (the portal's region picker)."""
    codes = select(EnforcementSubject.region_code).where(
        EnforcementSubject.announced_on.is_not(None)
    )
    return list(session.scalars(select(Region).where(Region.code.in_(codes)).order_by(Region.code)))


def list_public_plans(
    session: Session,
    *,
    region: str = "",
    q: str = "",
    year: int | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[tuple[InspectionPlan, EnforcementSubject]], int]:
    """Current published plans (the newest published version of each), for anyone."""
    stmt = (
        select(InspectionPlan, EnforcementSubject)
        .join(EnforcementSubject, EnforcementSubject.id == InspectionPlan.subject_id)
        .where(InspectionPlan.status.in_(LIVE_PUBLIC), InspectionPlan.published_on.is_not(None))
    )
    if region.strip():
        stmt = stmt.where(region_in_scope(EnforcementSubject.region_code, _region_prefix(region)))
    if year:
        stmt = stmt.where(InspectionPlan.year == year)
    if q.strip():
        stmt = stmt.where(
            InspectionPlan.title.contains(q.strip(), autoescape=True)
            | EnforcementSubject.name.contains(q.strip(), autoescape=True)
        )
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.execute(
        stmt.order_by(InspectionPlan.year.desc(), EnforcementSubject.name, InspectionPlan.id)
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    ).all()
    return [(p, s) for p, s in rows], total


def get_public_plan(session: Session, *, plan_id: int) -> InspectionPlan:
    """One published plan version (superseded versions stay readable)."""
    plan = session.scalar(
        select(InspectionPlan).where(
            InspectionPlan.id == plan_id,
            InspectionPlan.status.in_(PUBLIC_STATES),
            InspectionPlan.published_on.is_not(None),
        )
    )
    if plan is None:
        raise NotFound("检查计划不存在或尚未公布。")
    return plan


def public_versions(session: Session, plan: InspectionPlan) -> list[InspectionPlan]:
    """The published versions of a plan's subject and year, newest first."""
    return list(
        session.scalars(
            select(InspectionPlan)
            .where(
                InspectionPlan.subject_id == plan.subject_id,
                InspectionPlan.year == plan.year,
                InspectionPlan.status.in_(PUBLIC_STATES),
                InspectionPlan.published_on.is_not(None),
            )
            .order_by(InspectionPlan.version.desc())
        )
    )


def list_public_specials(
    session: Session,
    *,
    region: str = "",
    q: str = "",
    year: int | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[tuple[SpecialInspection, EnforcementSubject]], int]:
    """Published special inspections, for anyone."""
    stmt = (
        select(SpecialInspection, EnforcementSubject)
        .join(EnforcementSubject, EnforcementSubject.id == SpecialInspection.subject_id)
        .where(SpecialInspection.status.in_(SPECIAL_PUBLIC))
    )
    if region.strip():
        stmt = stmt.where(region_in_scope(EnforcementSubject.region_code, _region_prefix(region)))
    if year:
        stmt = stmt.where(SpecialInspection.year == year)
    if q.strip():
        stmt = stmt.where(
            SpecialInspection.title.contains(q.strip(), autoescape=True)
            | EnforcementSubject.name.contains(q.strip(), autoescape=True)
        )
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.execute(
        stmt.order_by(SpecialInspection.start_on.desc(), SpecialInspection.id)
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    ).all()
    return [(s, subj) for s, subj in rows], total


def get_public_special(session: Session, *, special_id: int) -> SpecialInspection:
    """One published special inspection."""
    special = session.scalar(
        select(SpecialInspection).where(
            SpecialInspection.id == special_id, SpecialInspection.status.in_(SPECIAL_PUBLIC)
        )
    )
    if special is None:
        raise NotFound("专项检查不存在或尚未公布。")
    return special


# --- the filing package (.xlsx) -----------------------------------------------------------

PLAN_COLUMNS = (
    "计划ID", "执法主体", "主体区划", "年度", "版本", "标题", "状态", "负责人批准",
    "批准时间", "公布日期", "报备状态", "备案意见", "调整理由",
)  # fmt: skip
ENTRY_COLUMNS = (
    "计划ID", "执法主体", "事项编码", "检查事项", "检查方式", "对象确定方式", "范围区划",
    "行业", "信用分类", "标签", "计划户次", "实施月份", "每组人数", "定向对象数", "备注",
)  # fmt: skip


def filing_package(session: Session, *, actor: Actor, year: int, region: str = "") -> bytes:
    """Every published plan version of ``year`` in a region as .xlsx (plans, entries)."""
    from openpyxl import Workbook

    from wurao.core.xlsx import append_row
    from wurao.planning.service import FILING_LABELS, plans_visible_to, target_counts

    stmt = plans_visible_to(actor).where(
        InspectionPlan.year == year, InspectionPlan.status.in_(PUBLIC_STATES)
    )
    if region.strip():
        stmt = stmt.where(region_in_scope(EnforcementSubject.region_code, _region_prefix(region)))
    plans = list(session.scalars(stmt.order_by(InspectionPlan.subject_id, InspectionPlan.version)))
    subjects = {
        s.id: s
        for s in session.scalars(
            select(EnforcementSubject).where(
                EnforcementSubject.id.in_({p.subject_id for p in plans})
            )
        )
    }
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "计划"
    append_row(ws, PLAN_COLUMNS)
    for p in plans:
        s = subjects[p.subject_id]
        append_row(
            ws,
            (
                p.id, s.name, s.region_code, p.year, p.version, p.title, status_label(p.status),
                p.approved_by, p.approved_at.strftime("%Y-%m-%d") if p.approved_at else "",
                p.published_on.isoformat() if p.published_on else "",
                FILING_LABELS.get(p.filing_status, p.filing_status), p.filing_comment,
                p.amendment_reason,
            )
        )  # fmt: skip
    es = wb.create_sheet("检查内容")
    append_row(es, ENTRY_COLUMNS)
    entries = list(
        session.execute(
            select(PlanEntry, InspectionItem)
            .join(InspectionItem, InspectionItem.id == PlanEntry.item_id)
            .where(PlanEntry.plan_id.in_([p.id for p in plans]))
            .order_by(PlanEntry.plan_id, PlanEntry.id)
        ).all()
    )
    counts = target_counts(session, [e for e, _ in entries])
    by_id = {p.id: p for p in plans}
    for e, item in entries:
        append_row(
            es,
            (
                e.plan_id, subjects[by_id[e.plan_id].subject_id].name, item.code, item.name,
                METHODS.get(e.method, e.method), SELECTIONS.get(e.selection, e.selection),
                e.scope_region, e.scope_industry, e.scope_credit, e.scope_tag, e.planned_count,
                e.months, e.officers_per_team, counts.get(e.id, 0), e.note,
            )
        )  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
