"""Reading review plans: who sees which (the supervisor of the plan's region), the list, a
plan's files with names, one file with its items and problems, the region's reviewers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from wurao.auth.models import User
from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter, region_in_scope
from wurao.core.errors import InvalidInput, NotFound
from wurao.core.ids import region_scope_prefix
from wurao.core.paging import Page, paginate
from wurao.oversight.reviews.models import (
    ReviewFile,
    ReviewItem,
    ReviewPlan,
    ReviewPlanSubject,
    ReviewProblem,
)
from wurao.oversight.reviews.statuses import PlanStatus
from wurao.registry.models import EnforcementSubject

NOT_FOUND = "评查方案不存在或不在您的管辖范围内。"
FILE_NOT_FOUND = "评查案卷不存在或不在您的管辖范围内。"


def plans_visible_to(actor: Actor) -> Select[ReviewPlan]:
    """The plans the actor may read: those of the supervisor's region."""
    actor.require(Permission.REVIEWS_VIEW)
    return select(ReviewPlan).where(region_filter(actor, ReviewPlan.region_code))


def get_plan(session: Session, *, actor: Actor, plan_id: int) -> ReviewPlan:
    """One plan, if the actor may read it (NotFound otherwise, so that no id leaks)."""
    plan = session.scalar(plans_visible_to(actor).where(ReviewPlan.id == plan_id))
    if plan is None:
        raise NotFound(NOT_FOUND)
    return plan


def list_plans(
    session: Session, *, actor: Actor, status: str = "", year: int | None = None, page: int = 1
) -> Page[ReviewPlan]:
    """The region's plans, newest first, by status and year."""
    stmt = plans_visible_to(actor)
    if status:
        if status not in PlanStatus.labels():
            raise InvalidInput("状态不正确。", field="status")
        stmt = stmt.where(ReviewPlan.status == status)
    if year is not None:
        stmt = stmt.where(ReviewPlan.year == year)
    return paginate(session, stmt.order_by(ReviewPlan.id.desc()), page)


def get_file(session: Session, *, actor: Actor, file_id: int) -> tuple[ReviewFile, ReviewPlan]:
    """One drawn file and its plan, if the actor may read the plan."""
    row = session.execute(
        select(ReviewFile, ReviewPlan)
        .join(ReviewPlan, ReviewPlan.id == ReviewFile.plan_id)
        .where(ReviewFile.id == file_id, region_filter(actor, ReviewPlan.region_code))
    ).first()
    actor.require(Permission.REVIEWS_VIEW)
    if row is None:
        raise NotFound(FILE_NOT_FOUND)
    return row[0], row[1]


@dataclass(frozen=True)
class FileRow:
    """A drawn file as the plan page lists it."""

    file: ReviewFile
    subject_name: str
    reviewer_name: str


def files_of(session: Session, plan: ReviewPlan) -> list[FileRow]:
    """The plan's files with their subject's and reviewer's names, in drawn order."""
    reviewer = aliased(User)
    rows = session.execute(
        select(ReviewFile, EnforcementSubject.name, reviewer.display_name)
        .join(EnforcementSubject, EnforcementSubject.id == ReviewFile.subject_id)
        .join(reviewer, reviewer.id == ReviewFile.reviewer_id, isouter=True)
        .where(ReviewFile.plan_id == plan.id)
        .order_by(ReviewFile.id)
    ).all()
    return [FileRow(f, name, rname or "") for f, name, rname in rows]


def plan_files(session: Session, plan: ReviewPlan) -> list[ReviewFile]:
    """The plan's files, in drawn order."""
    stmt = select(ReviewFile).where(ReviewFile.plan_id == plan.id).order_by(ReviewFile.id)
    return list(session.scalars(stmt))


def items_of(session: Session, review_file: ReviewFile) -> dict[str, ReviewItem]:
    """The file's checklist items by code."""
    stmt = select(ReviewItem).where(ReviewItem.file_id == review_file.id)
    return {i.code: i for i in session.scalars(stmt)}


def problems_of(session: Session, review_file: ReviewFile) -> list[ReviewProblem]:
    """The problems recorded on the file, oldest first."""
    stmt = select(ReviewProblem).where(ReviewProblem.file_id == review_file.id)
    return list(session.scalars(stmt.order_by(ReviewProblem.id)))


def scope_of(session: Session, plan: ReviewPlan) -> list[EnforcementSubject]:
    """The subjects named in the plan's scope (empty: every subject of the region)."""
    stmt = (
        select(EnforcementSubject)
        .join(ReviewPlanSubject, ReviewPlanSubject.subject_id == EnforcementSubject.id)
        .where(ReviewPlanSubject.plan_id == plan.id)
        .order_by(EnforcementSubject.name)
    )
    return list(session.scalars(stmt))


def region_subjects(session: Session, *, actor: Actor) -> list[EnforcementSubject]:
    """The subjects of the actor's region, for the plan form's scope."""
    stmt = select(EnforcementSubject).where(region_filter(actor, EnforcementSubject.region_code))
    return list(session.scalars(stmt.order_by(EnforcementSubject.name)))


def reviewers(session: Session, plan: ReviewPlan) -> list[User]:
    """The supervisor-side users of the plan's region who may review its files."""
    stmt = select(User).where(
        User.role == Role.SUPERVISOR.value,
        User.is_active.is_(True),
        region_in_scope(User.region_code, region_scope_prefix(plan.region_code)),
    )
    return list(session.scalars(stmt.order_by(User.display_name, User.id)))
