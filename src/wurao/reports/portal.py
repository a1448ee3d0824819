"""公示: the public portal's reads (no sign-in) — regions with announced subjects, published
plans and their versions, published special inspections.

No actor: what is published is open to anyone, so the filters are the publication states,
never the reader's region scope.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import region_in_scope
from wurao.core.errors import InvalidInput, NotFound
from wurao.core.ids import IdentifierError, region_scope_prefix, validate_region_code
from wurao.core.paging import PER_PAGE, Page, paginate_rows
from wurao.planning.models import InspectionPlan, SpecialInspection
from wurao.planning.service import LIVE_PUBLIC, PUBLIC_STATES
from wurao.planning.special import SPECIAL_PUBLIC
from wurao.registry.models import EnforcementSubject, Region


def region_prefix(region: str) -> str:
    """The scope prefix of a region code typed by a user; a bad code is the user's error."""
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
    per_page: int = PER_PAGE,
) -> Page[tuple[InspectionPlan, EnforcementSubject]]:
    """Current published plans (the newest published version of each), for anyone."""
    stmt = (
        select(InspectionPlan, EnforcementSubject)
        .join(EnforcementSubject, EnforcementSubject.id == InspectionPlan.subject_id)
        .where(InspectionPlan.status.in_(LIVE_PUBLIC), InspectionPlan.published_on.is_not(None))
    )
    if region.strip():
        stmt = stmt.where(region_in_scope(EnforcementSubject.region_code, region_prefix(region)))
    if year:
        stmt = stmt.where(InspectionPlan.year == year)
    if q.strip():
        stmt = stmt.where(
            InspectionPlan.title.contains(q.strip(), autoescape=True)
            | EnforcementSubject.name.contains(q.strip(), autoescape=True)
        )
    stmt = stmt.order_by(InspectionPlan.year.desc(), EnforcementSubject.name, InspectionPlan.id)
    return paginate_rows(session, stmt, page, per_page).map(lambda row: (row[0], row[1]))


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
    per_page: int = PER_PAGE,
) -> Page[tuple[SpecialInspection, EnforcementSubject]]:
    """Published special inspections, for anyone."""
    stmt = (
        select(SpecialInspection, EnforcementSubject)
        .join(EnforcementSubject, EnforcementSubject.id == SpecialInspection.subject_id)
        .where(SpecialInspection.status.in_(SPECIAL_PUBLIC))
    )
    if region.strip():
        stmt = stmt.where(region_in_scope(EnforcementSubject.region_code, region_prefix(region)))
    if year:
        stmt = stmt.where(SpecialInspection.year == year)
    if q.strip():
        stmt = stmt.where(
            SpecialInspection.title.contains(q.strip(), autoescape=True)
            | EnforcementSubject.name.contains(q.strip(), autoescape=True)
        )
    stmt = stmt.order_by(SpecialInspection.start_on.desc(), SpecialInspection.id)
    return paginate_rows(session, stmt, page, per_page).map(lambda row: (row[0], row[1]))


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
