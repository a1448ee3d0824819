"""Annual inspection plans (年度行政检查计划): states, scoped reads and who may act.

衢政办发〔2025〕16号 第4项: a plan is approved by the organ's head and then published; 路桥方案
三(二)1: it is filed (备案) with the supervisor, and no inspection happens outside it except in
key areas or on a superior's task. Lifecycle (InspectionPlan.status):

    draft → submitted → approved → published → filed (accepted) | returned

A published plan is changed only by a new version (``steps.amend_plan``), which goes through
the same steps; publishing it marks the old version ``superseded`` and the old text stays
readable. The steps are in ``steps``, a draft's lines in ``lines``; special inspections (专项检查)
are in ``special``, unplanned approvals (计划外检查) in ``unplanned``, the coverage reads of the
inspections pre-checks in ``coverage``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter, subject_filter
from wurao.core.errors import Forbidden, InvalidInput, NotFound
from wurao.core.lifecycle import LabelledEnum, Lifecycle, step
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.planning.models import InspectionPlan, PlanEntry, PlanTarget
from wurao.registry.items.service import items_visible_to
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem


class PlanStatus(LabelledEnum):
    """InspectionPlan.status (the module docstring draws the lifecycle)."""

    DRAFT = ("draft", "草稿")
    SUBMITTED = ("submitted", "已提交待批准")
    APPROVED = ("approved", "负责人已批准")
    PUBLISHED = ("published", "已公布")
    FILED = ("filed", "已公布并备案")
    RETURNED = ("returned", "备案退回")
    SUPERSEDED = ("superseded", "已被新版本替代")


_LIVE = (PlanStatus.PUBLISHED, PlanStatus.FILED, PlanStatus.RETURNED)
PLAN_LIFECYCLE = Lifecycle(
    "计划",
    PlanStatus,
    {
        "edit": step(PlanStatus.DRAFT, None, "修改检查内容"),
        "submit": step(PlanStatus.DRAFT, PlanStatus.SUBMITTED, "提交"),
        "approve": step(PlanStatus.SUBMITTED, PlanStatus.APPROVED, "记录负责人批准"),
        "send_back": step(PlanStatus.SUBMITTED, PlanStatus.DRAFT, "退回修改"),
        "publish": step(PlanStatus.APPROVED, PlanStatus.PUBLISHED, "公布"),
        "file": step(
            (PlanStatus.PUBLISHED, PlanStatus.RETURNED), PlanStatus.PUBLISHED, "报监督机构备案"
        ),
        # Only the version in force is reviewed: a filing left pending when a newer version
        # was published must not flip the old one back to filed/returned (live again).
        "accept_filing": step(PlanStatus.PUBLISHED, PlanStatus.FILED, "审核备案"),
        "return_filing": step(PlanStatus.PUBLISHED, PlanStatus.RETURNED, "审核备案"),
        "amend": step(_LIVE, None, "调整（提交新版本）"),
        "supersede": step(_LIVE, PlanStatus.SUPERSEDED, "替代为新版本"),
    },
)
STATUS_LABELS: dict[str, str] = PlanStatus.labels()
FILING_LABELS = {
    "": "未报备",
    "pending": "已报备待审核",
    "accepted": "备案通过",
    "returned": "退回",
}
SELECTIONS = {"dss": "双随机抽查", "targeted": "定向检查", "key": "重点监管全覆盖"}
LIVE_PUBLIC: tuple[str, ...] = tuple(s.value for s in _LIVE)
PUBLIC_STATES: tuple[str, ...] = (*LIVE_PUBLIC, PlanStatus.SUPERSEDED.value)


def status_label(status: str) -> str:
    """Chinese label of a plan status."""
    return PLAN_LIFECYCLE.label(status)


def parse_months(value: str) -> list[int]:
    """A stored or typed month list ("3,4,5", "3-5", "3、4") as sorted ints 1–12."""
    out: set[int] = set()
    for part in value.replace("、", ",").replace("，", ",").replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        lo, _, hi = part.partition("-")
        if not lo.isdigit() or (hi and not hi.isdigit()):
            raise InvalidInput("月份应为1至12的数字，如“3,4,5”或“3-5”。", field="months")
        a, b = int(lo), int(hi or lo)
        if not 1 <= a <= b <= 12:
            raise InvalidInput("月份应为1至12的数字，如“3,4,5”或“3-5”。", field="months")
        out.update(range(a, b + 1))
    return sorted(out)


def months_of(entry: PlanEntry) -> list[int]:
    """The months of an entry as ints."""
    return parse_months(entry.months) if entry.months else []


# --- reads ----------------------------------------------------------------------------


def plans_visible_to(actor: Actor) -> Select[InspectionPlan]:
    """Plans of subjects in the actor's region; agency roles see their own subject's only."""
    actor.require(Permission.PLANS_VIEW)
    return (
        select(InspectionPlan)
        .join(EnforcementSubject, EnforcementSubject.id == InspectionPlan.subject_id)
        .where(
            region_filter(actor, EnforcementSubject.region_code),
            subject_filter(actor, InspectionPlan.subject_id),
        )
    )


def list_plans(
    session: Session,
    *,
    actor: Actor,
    year: int | None = None,
    status: str = "",
    q: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[InspectionPlan]:
    """A page of the plans the actor may see, newest first, with the total."""
    stmt = plans_visible_to(actor)
    if year:
        stmt = stmt.where(InspectionPlan.year == year)
    if status:
        if status not in STATUS_LABELS:
            raise InvalidInput("状态不正确。", field="status")
        stmt = stmt.where(InspectionPlan.status == status)
    if q.strip():
        stmt = stmt.where(
            InspectionPlan.title.contains(q.strip(), autoescape=True)
            | EnforcementSubject.name.contains(q.strip(), autoescape=True)
        )
    stmt = stmt.order_by(InspectionPlan.year.desc(), InspectionPlan.id.desc())
    return paginate(session, stmt, page, per_page)


def get_plan(session: Session, *, actor: Actor, plan_id: int) -> InspectionPlan:
    """One plan, if the actor may see it."""
    plan = session.scalar(plans_visible_to(actor).where(InspectionPlan.id == plan_id))
    if plan is None:
        raise NotFound("检查计划不存在或不在您的辖区内。")
    return plan


def entries_of(session: Session, plan: InspectionPlan) -> list[PlanEntry]:
    """A plan's lines in order."""
    return list(
        session.scalars(
            select(PlanEntry).where(PlanEntry.plan_id == plan.id).order_by(PlanEntry.id)
        )
    )


def target_counts(session: Session, entries: Sequence[PlanEntry]) -> dict[int, int]:
    """Number of named enterprises per entry id (one query)."""
    ids = [e.id for e in entries]
    if not ids:
        return {}
    rows = session.execute(
        select(PlanTarget.entry_id, func.count())
        .where(PlanTarget.entry_id.in_(ids))
        .group_by(PlanTarget.entry_id)
    ).all()
    return {int(e): int(n) for e, n in rows}


def targets_of(session: Session, entry: PlanEntry) -> list[Enterprise]:
    """The enterprises named in a targeted entry (staff only: not published)."""
    return list(
        session.scalars(
            select(Enterprise)
            .join(PlanTarget, PlanTarget.enterprise_id == Enterprise.id)
            .where(PlanTarget.entry_id == entry.id)
            .order_by(Enterprise.name)
        )
    )


def item_names(session: Session, ids: set[int]) -> dict[int, InspectionItem]:
    """Items by id (one query)."""
    if not ids:
        return {}
    return {
        i.id: i for i in session.scalars(select(InspectionItem).where(InspectionItem.id.in_(ids)))
    }


def versions_of(session: Session, plan: InspectionPlan) -> list[InspectionPlan]:
    """Every version of the plan's subject and year, newest first."""
    return list(
        session.scalars(
            select(InspectionPlan)
            .where(InspectionPlan.subject_id == plan.subject_id, InspectionPlan.year == plan.year)
            .order_by(InspectionPlan.version.desc())
        )
    )


def subject_of(session: Session, plan: InspectionPlan) -> EnforcementSubject:
    """The plan's enforcement subject."""
    subject = session.get(EnforcementSubject, plan.subject_id)
    assert subject is not None  # foreign key
    return subject


def plannable_items(
    session: Session, *, actor: Actor, subject: EnforcementSubject | None = None
) -> list[InspectionItem]:
    """Published items of a subject's field for the entry form: the actor's own subject, or
    the plan's subject when a system administrator edits it."""
    if subject is None:
        subject = actor_subject(session, actor)
    if subject is None:
        return []
    return list(
        session.scalars(
            items_visible_to(actor)
            .where(InspectionItem.status == "published", InspectionItem.field == subject.field)
            .order_by(InspectionItem.code)
            .limit(500)
        )
    )


# --- who may act ---------------------------------------------------------------------


def may_edit_plan(actor: Actor, plan: InspectionPlan) -> bool:
    """Whether the actor does the subject's steps on this plan: an agency administrator of the
    plan's subject, or the system administrator (who acts for any subject, as in
    ``own_subject``). The plan page shows its buttons by this same predicate."""
    if not actor.can(Permission.PLANS_EDIT):
        return False
    return actor.role is Role.SYSADMIN or actor.subject_id == plan.subject_id


def may_review_filing(actor: Actor, subject: EnforcementSubject) -> bool:
    """Whether the actor reviews filings of this subject's plans (the supervisor of its region)."""
    return actor.can(Permission.PLANS_REVIEW_FILING) and actor.covers_region(subject.region_code)


def check_own_plan(actor: Actor, plan: InspectionPlan) -> None:
    """Raise Forbidden unless ``may_edit_plan``."""
    actor.require(Permission.PLANS_EDIT)
    if not may_edit_plan(actor, plan):
        raise Forbidden("只能办理本执法主体的检查计划。")


def actor_subject(session: Session, actor: Actor) -> EnforcementSubject | None:
    """The subject an agency actor belongs to (None for others)."""
    return session.get(EnforcementSubject, actor.subject_id) if actor.subject_id else None


def enterprise_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Names of the given enterprises (one query)."""
    if not ids:
        return {}
    rows = session.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids)))
    return {int(i): n for i, n in rows}
