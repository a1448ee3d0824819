"""Unplanned inspections (计划外检查): the head's approval, filed with the supervisor
(路桥方案 三(二)1).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter, subject_filter
from wurao.core import audit
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.policy import get_policy
from wurao.core.time import local_today, utcnow
from wurao.planning import rules
from wurao.planning.models import (
    UnplannedApproval,
)
from wurao.registry.enterprises.service import enterprise_problems, enterprises_visible_to
from wurao.registry.models import EnforcementSubject, Enterprise
from wurao.registry.subjects.service import require_usable_subject

UNPLANNED_LABELS = {"requested": "待负责人审批", "approved": "已批准并报备", "refused": "未批准"}
VALID_DAYS_POLICY = "planning.unplanned_valid_days"


def default_valid_days(region_code: str, on: dt.date) -> int:
    """How long an approval holds when the request names no end (policy, per region)."""
    return int(get_policy().value(VALID_DAYS_POLICY, region_code, on))


def unplanned_visible_to(actor: Actor) -> Select[UnplannedApproval]:
    """Unplanned approvals in the actor's region; agency roles see their own subject's."""
    actor.require(Permission.PLANS_VIEW)
    return (
        select(UnplannedApproval)
        .join(EnforcementSubject, EnforcementSubject.id == UnplannedApproval.subject_id)
        .where(
            region_filter(actor, EnforcementSubject.region_code),
            subject_filter(actor, UnplannedApproval.subject_id),
        )
    )


def list_unplanned(
    session: Session, *, actor: Actor, status: str = "", page: int = 1, per_page: int = PER_PAGE
) -> Page[UnplannedApproval]:
    """A page of unplanned-inspection approvals the actor may see."""
    stmt = unplanned_visible_to(actor)
    if status:
        stmt = stmt.where(UnplannedApproval.status == status)
    return paginate(session, stmt.order_by(UnplannedApproval.id.desc()), page, per_page)


def get_unplanned(session: Session, *, actor: Actor, approval_id: int) -> UnplannedApproval:
    """One unplanned approval, if the actor may see it."""
    row = session.scalar(unplanned_visible_to(actor).where(UnplannedApproval.id == approval_id))
    if row is None:
        raise NotFound("计划外检查审批不存在或不在您的辖区内。")
    return row


def request_unplanned(
    session: Session,
    *,
    actor: Actor,
    enterprise: Enterprise,
    reason: str,
    key_area: bool = False,
    valid_until: dt.date | None = None,
) -> UnplannedApproval:
    """Ask the head to approve an inspection outside any plan, with the reason."""
    actor.require(Permission.UNPLANNED_REQUEST)
    if actor.subject_id is None:
        raise Forbidden("您的账号未绑定执法主体。")
    subject = session.get(EnforcementSubject, actor.subject_id)
    assert subject is not None
    require_usable_subject(subject)
    if session.scalar(enterprises_visible_to(actor).where(Enterprise.id == enterprise.id)) is None:
        raise NotFound("检查对象不存在或不在您的辖区内。")
    bad = enterprise_problems(enterprise)
    if bad:
        raise RuleViolation(bad)
    reason = reason.strip()
    if not reason:
        raise RuleViolation(
            [
                rules.UNPLANNED.violation(
                    "请写明开展计划外检查的理由（如投诉举报、上级交办、重点监管领域）。"
                )
            ]
        )
    today = local_today()
    until = valid_until or today + dt.timedelta(days=default_valid_days(subject.region_code, today))
    if until < today:
        raise InvalidInput("有效期不能早于今天。", field="valid_until")
    row = UnplannedApproval(
        subject_id=subject.id,
        enterprise_id=enterprise.id,
        reason=reason,
        key_area=key_area,
        requested_by_id=actor.user_id,
        requested_at=utcnow(),
        status="requested",
        approved_by="",
        decision_comment="",
        valid_until=until,
    )
    session.add(row)
    audit.record(
        session,
        actor=actor,
        action="unplanned.request",
        obj=row,
        summary=f"申请对{enterprise.name}开展计划外检查：{reason[:80]}",
        region_code=subject.region_code,
    )
    return row


def may_decide_unplanned(actor: Actor, approval: UnplannedApproval) -> bool:
    """Whether the actor gives the head's decision on this request: an agency administrator of
    its subject, or the system administrator (who acts for any subject). The unplanned page
    offers the decision form by this same predicate."""
    if not actor.can(Permission.UNPLANNED_APPROVE):
        return False
    return actor.role is Role.SYSADMIN or actor.subject_id == approval.subject_id


def decide_unplanned(
    session: Session,
    *,
    approval: UnplannedApproval,
    actor: Actor,
    approve: bool,
    head_name: str,
    comment: str,
) -> UnplannedApproval:
    """Record the head's decision; an approval is filed with the supervisor at once."""
    actor.require(Permission.UNPLANNED_APPROVE)
    if not may_decide_unplanned(actor, approval):
        raise Forbidden("只能审批本执法主体的计划外检查。")
    if approval.status != "requested":
        raise Conflict("该申请已经审批。")
    head_name, comment = head_name.strip(), comment.strip()
    if not head_name:
        raise RuleViolation([rules.UNPLANNED.violation("请填写审批的单位负责人姓名。")])
    if not comment:
        raise InvalidInput("请写明审批意见（同意或不同意的理由）。", field="comment")
    before = audit.snapshot(approval)
    now = utcnow()
    approval.status = "approved" if approve else "refused"
    approval.approved_by = head_name[:60]
    approval.decided_at = now
    approval.decision_comment = comment
    if approve:
        approval.filed_at = now
    subject = session.get(EnforcementSubject, approval.subject_id)
    verdict = f"经负责人{head_name}批准并报备" if approve else "未获批准"
    audit.record(
        session,
        actor=actor,
        action="unplanned.decide",
        obj=approval,
        before=before,
        summary=f"计划外检查申请#{approval.id}{verdict}：{comment[:60]}",
        region_code=subject.region_code if subject else None,
    )
    return approval
