"""A plan version's steps: create, submit, the head's approval or sending back, publish, file
with the supervisor and the supervisor's review, amend (a new version).

Each step checks the actor (``check_own_plan`` or ``may_review_filing``) first, then the state
(``PLAN_LIFECYCLE``), then the input, and records the step in the audit chain in the caller's
transaction (the services only flush; the route or CLI command commits).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from wurao.core.time import local_today, utcnow
from wurao.planning import rules
from wurao.planning._shared import own_subject
from wurao.planning.models import InspectionPlan, PlanEntry, PlanTarget
from wurao.planning.service import (
    PLAN_LIFECYCLE,
    PlanStatus,
    check_own_plan,
    entries_of,
    may_review_filing,
    subject_of,
)
from wurao.registry.subjects.service import require_usable_subject


def _record(
    session: Session,
    actor: Actor,
    action: str,
    plan: InspectionPlan,
    before: dict[str, object] | None,
    summary: str,
    region_code: str,
) -> None:
    """Every step stamps the plan's ``updated_at`` (the list's order of recent work) and audits."""
    plan.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action=action,
        obj=plan,
        before=before,
        summary=summary,
        region_code=region_code,
    )


def create_plan(
    session: Session, *, actor: Actor, year: int, title: str, subject_id: int | None = None
) -> InspectionPlan:
    """Start a draft plan (version 1) for the actor's subject and year."""
    subject = own_subject(session, actor, subject_id)
    require_usable_subject(subject)
    if not 2000 <= year <= 2100:
        raise InvalidInput("年度不正确。", field="year")
    title = title.strip() or f"{subject.name}{year}年度行政检查计划"
    existing = session.scalar(
        select(InspectionPlan.id).where(
            InspectionPlan.subject_id == subject.id, InspectionPlan.year == year
        )
    )
    if existing is not None:
        raise Conflict(f"{subject.name}已有{year}年度检查计划；修改已公布的计划请提交新版本。")
    now = utcnow()
    plan = InspectionPlan(
        subject_id=subject.id,
        year=year,
        version=1,
        title=title[:200],
        status=PlanStatus.DRAFT.value,
        amendment_reason="",
        approved_by="",
        approval_comment="",
        filing_status="",
        filing_comment="",
        filing_reviewer="",
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(plan)
    _record(session, actor, "plan.create", plan, None, f"起草{plan.title}", subject.region_code)
    return plan


def submit_plan(session: Session, *, plan: InspectionPlan, actor: Actor) -> InspectionPlan:
    """Submit a draft for the head's approval."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "submit")
    if not entries_of(session, plan):
        raise InvalidInput("计划至少应有一行检查内容。", field="entries")
    before = audit.snapshot(plan)
    PLAN_LIFECYCLE.advance(plan, "submit")
    plan.submitted_at = utcnow()
    _record(
        session,
        actor,
        "plan.submit",
        plan,
        before,
        f"提交{plan.title}（第{plan.version}版）待负责人批准",
        subject_of(session, plan).region_code,
    )
    return plan


def approve_plan(
    session: Session, *, plan: InspectionPlan, actor: Actor, head_name: str, comment: str = ""
) -> InspectionPlan:
    """Record the head's approval (the administrator enters the head's name)."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "approve")
    head_name = head_name.strip()
    if not head_name:
        raise RuleViolation([rules.PLAN_APPROVAL.violation("请填写批准计划的单位负责人姓名。")])
    before = audit.snapshot(plan)
    PLAN_LIFECYCLE.advance(plan, "approve")
    plan.approved_at = utcnow()
    plan.approved_by = head_name[:60]
    plan.approval_comment = comment.strip()
    _record(
        session,
        actor,
        "plan.approve",
        plan,
        before,
        f"{plan.title}（第{plan.version}版）经负责人{head_name}批准",
        subject_of(session, plan).region_code,
    )
    return plan


def send_back(
    session: Session, *, plan: InspectionPlan, actor: Actor, comment: str
) -> InspectionPlan:
    """The head did not approve: back to draft with the head's comment."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "send_back")
    if not comment.strip():
        raise InvalidInput("请写明退回修改的意见。", field="comment")
    before = audit.snapshot(plan)
    PLAN_LIFECYCLE.advance(plan, "send_back")
    plan.approval_comment = comment.strip()
    _record(
        session,
        actor,
        "plan.send_back",
        plan,
        before,
        f"{plan.title}退回修改：{comment.strip()[:80]}",
        subject_of(session, plan).region_code,
    )
    return plan


def publish_plan(
    session: Session, *, plan: InspectionPlan, actor: Actor, on: dt.date | None = None
) -> InspectionPlan:
    """Publish an approved plan; an amendment replaces (supersedes) the version before it."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "publish")
    day = on or local_today()
    if day > local_today():
        raise InvalidInput("公布日期不能晚于今天。", field="published_on")
    region = subject_of(session, plan).region_code
    before = audit.snapshot(plan)
    PLAN_LIFECYCLE.advance(plan, "publish")
    plan.published_on = day
    _record(
        session,
        actor,
        "plan.publish",
        plan,
        before,
        f"公布{plan.title}（第{plan.version}版）",
        region,
    )
    if plan.supersedes_id is not None:
        old = session.get(InspectionPlan, plan.supersedes_id)
        if old is not None and PLAN_LIFECYCLE.can(old, "supersede"):
            old_before = audit.snapshot(old)
            PLAN_LIFECYCLE.advance(old, "supersede")
            _record(
                session,
                actor,
                "plan.supersede",
                old,
                old_before,
                f"{old.title}第{old.version}版被第{plan.version}版替代",
                region,
            )
    return plan


def file_plan(session: Session, *, plan: InspectionPlan, actor: Actor) -> InspectionPlan:
    """File (报备) a published plan with the supervisor; a returned one may be filed again."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "file")
    if plan.filing_status == "pending":
        raise Conflict("该计划已报备，等待监督机构审核。")
    before = audit.snapshot(plan)
    PLAN_LIFECYCLE.advance(plan, "file")
    plan.filed_at = utcnow()
    plan.filing_status = "pending"
    _record(
        session,
        actor,
        "plan.file",
        plan,
        before,
        f"{plan.title}（第{plan.version}版）报监督机构备案",
        subject_of(session, plan).region_code,
    )
    return plan


def review_filing(
    session: Session, *, plan: InspectionPlan, actor: Actor, accept: bool, comment: str = ""
) -> InspectionPlan:
    """The supervisor accepts a filing, or returns it with written comments."""
    actor.require(Permission.PLANS_REVIEW_FILING)
    subject = subject_of(session, plan)
    if not may_review_filing(actor, subject):
        raise Forbidden("只能审核本辖区执法主体报备的计划。")
    if plan.filing_status != "pending":
        raise Conflict("该计划没有待审核的备案。")
    if plan.status == PlanStatus.SUPERSEDED:
        raise Conflict("该计划已被新版本取代，不能再审核备案。")
    PLAN_LIFECYCLE.check(plan, "accept_filing" if accept else "return_filing")
    comment = comment.strip()
    if not accept and not comment:
        raise InvalidInput("退回备案须写明意见。", field="comment")
    before = audit.snapshot(plan)
    plan.filing_status = "accepted" if accept else "returned"
    PLAN_LIFECYCLE.advance(plan, "accept_filing" if accept else "return_filing")
    plan.filing_comment = comment
    plan.filing_reviewed_at = utcnow()
    plan.filing_reviewer = actor.display_name[:60]
    verb = "备案通过" if accept else f"备案退回：{comment[:80]}"
    _record(
        session,
        actor,
        "plan.filing_review",
        plan,
        before,
        f"{plan.title}（第{plan.version}版）{verb}",
        subject.region_code,
    )
    return plan


def amend_plan(
    session: Session, *, plan: InspectionPlan, actor: Actor, reason: str
) -> InspectionPlan:
    """Start a new version of a published plan (a copy of its lines, as a draft)."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "amend")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("请写明调整计划的理由。", field="reason")
    newest = session.scalar(
        select(func.max(InspectionPlan.version)).where(
            InspectionPlan.subject_id == plan.subject_id, InspectionPlan.year == plan.year
        )
    )
    if newest != plan.version:
        raise Conflict("该计划已有更新的版本在办理中。")
    now = utcnow()
    new = InspectionPlan(
        subject_id=plan.subject_id,
        year=plan.year,
        version=plan.version + 1,
        title=plan.title,
        status=PlanStatus.DRAFT.value,
        supersedes_id=plan.id,
        amendment_reason=reason,
        approved_by="",
        approval_comment="",
        filing_status="",
        filing_comment="",
        filing_reviewer="",
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(new)
    session.flush()
    copies: list[PlanEntry | PlanTarget] = []
    for old in entries_of(session, plan):
        entry = PlanEntry(
            plan_id=new.id,
            **{
                k: getattr(old, k)
                for k in (
                    "item_id", "method", "selection", "scope_region", "scope_industry",
                    "scope_credit", "scope_tag", "planned_count", "months",
                    "officers_per_team", "note",
                )
            },
        )  # fmt: skip
        session.add(entry)
        session.flush()
        copies.append(entry)
        for eid in session.scalars(
            select(PlanTarget.enterprise_id).where(PlanTarget.entry_id == old.id)
        ):
            target = PlanTarget(entry_id=entry.id, enterprise_id=eid)
            session.add(target)
            copies.append(target)
    new.updated_at = now
    audit.record(
        session,
        actor=actor,
        action="plan.amend",
        obj=new,
        covers=copies,
        summary=f"{plan.title}调整为第{new.version}版：{reason[:80]}",
        region_code=subject_of(session, plan).region_code,
    )
    return new
