"""Who may see and who may work a penalty case.

Why in the service layer: every list, page, document and sweep builds its statement from
``cases_visible_to``, so a route that forgets a check still cannot show another subject's or
another region's case (docs/architecture.md "Paging and permissions"). The rules:

- officers and the subject's admin see and work their own subject's cases;
- the 法制审核 reviewer sees its subject's cases once sent for review, and reviews them;
- the supervisor (执法监督机构) reads every case of its region and below, read-only;
- an enterprise sees its own cases once decided;
- the system administrator sees and acts for every subject.
"""

from __future__ import annotations

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.cases.models import PenaltyCase
from wurao.cases.statuses import DECIDED_STATES
from wurao.core.errors import Forbidden, NotFound
from wurao.registry.models import Enterprise


def cases_visible_to(actor: Actor) -> Select[PenaltyCase]:
    """The cases the actor may read, as a statement to filter, order and page."""
    stmt = select(PenaltyCase)
    if actor.role is Role.SYSADMIN:
        return stmt
    if actor.role is Role.ENTERPRISE:
        actor.require(Permission.ENTERPRISE_PORTAL)
        if not actor.enterprise_uscc:
            return stmt.where(false())
        own = select(Enterprise.id).where(Enterprise.uscc == actor.enterprise_uscc)
        return stmt.where(
            PenaltyCase.enterprise_id.in_(own),
            PenaltyCase.status.in_([s.value for s in DECIDED_STATES]),
        )
    actor.require(Permission.CASES_VIEW)
    if actor.role is Role.SUPERVISOR:
        return stmt.where(region_filter(actor, PenaltyCase.region_code))
    if actor.subject_id is None:
        return stmt.where(false())
    stmt = stmt.where(PenaltyCase.subject_id == actor.subject_id)
    if actor.role is Role.LEGAL_REVIEWER:
        stmt = stmt.where(PenaltyCase.review_sent_on.is_not(None))
    return stmt


def get_case(session: Session, *, actor: Actor, case_id: int) -> PenaltyCase:
    """One case, if the actor may read it (NotFound otherwise, so that no id leaks)."""
    case = session.scalar(cases_visible_to(actor).where(PenaltyCase.id == case_id))
    if case is None:
        raise NotFound("案件不存在，或不在您的权限范围内。")
    return case


def may_handle(actor: Actor, case: PenaltyCase) -> bool:
    """Whether the actor may work the case (its subject's officers and admin, or sysadmin)."""
    if not actor.can(Permission.CASES_HANDLE):
        return False
    return actor.role is Role.SYSADMIN or actor.subject_id == case.subject_id


def may_review(actor: Actor, case: PenaltyCase) -> bool:
    """Whether the actor may record the 法制审核 of the case (its subject's reviewer)."""
    if not actor.can(Permission.CASES_LEGAL_REVIEW):
        return False
    return actor.role is Role.SYSADMIN or actor.subject_id == case.subject_id


def check_handle(actor: Actor, case: PenaltyCase) -> None:
    """Raise Forbidden unless the actor may work the case."""
    actor.require(Permission.CASES_HANDLE)
    if not may_handle(actor, case):
        raise Forbidden("只能办理本执法主体的案件。")


def check_review(actor: Actor, case: PenaltyCase) -> None:
    """Raise Forbidden unless the actor may review the case."""
    actor.require(Permission.CASES_LEGAL_REVIEW)
    if not may_review(actor, case):
        raise Forbidden("只能审核本执法主体送审的案件。")
