"""回避 (B4): officers declare conflicts of interest with enterprises; draws exclude them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import AGENCY_ROLES, Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.core.paging import PER_PAGE, Page, paginate_rows
from wurao.core.time import utcnow
from wurao.registry.models import EnforcementSubject, Enterprise, Officer
from wurao.sampling.models import OfficerConflict

B4 = catalogue.B4  # 回避


# --- conflicts of interest (回避, B4) --------------------------------------------------------


def may_declare(actor: Actor, subject_id: int | None = None) -> bool:
    """Whether the actor declares and withdraws conflicts of the officers of ``subject_id``
    (of some subject, when None): that subject's administrator or officers, or the system
    administrator. The conflicts page shows its form and buttons by this same predicate."""
    if actor.role is Role.SYSADMIN:
        return True
    if actor.role not in (Role.AGENCY_ADMIN, Role.OFFICER) or actor.subject_id is None:
        return False
    return subject_id is None or actor.subject_id == subject_id


def _may_declare(actor: Actor, officer: Officer) -> None:
    if not may_declare(actor, officer.subject_id):
        raise Forbidden("只有本人所在执法主体的执法人员或管理员可以登记回避。")


def find_officer(session: Session, *, actor: Actor, cert_no: str) -> Officer:
    """An officer of the actor's subject by certificate number."""
    officer = session.scalar(select(Officer).where(Officer.cert_no == cert_no.strip()))
    if officer is None:
        raise InvalidInput("没有这个执法证号。", field="cert_no")
    _may_declare(actor, officer)
    return officer


def find_enterprise(session: Session, *, uscc: str) -> Enterprise:
    """An enterprise by USCC."""
    ent = session.scalar(select(Enterprise).where(Enterprise.uscc == uscc.strip().upper()))
    if ent is None:
        raise InvalidInput("检查对象名录库中没有这个统一社会信用代码。", field="uscc")
    return ent


def declare_conflict(
    session: Session, *, officer: Officer, enterprise: Enterprise, reason: str, actor: Actor
) -> OfficerConflict:
    """Record that ``officer`` must not inspect ``enterprise`` (回避, B4)."""
    _may_declare(actor, officer)
    if not reason.strip():
        raise InvalidInput("请填写回避事由。", field="reason")
    existing = session.scalar(
        select(OfficerConflict.id).where(
            OfficerConflict.officer_id == officer.id,
            OfficerConflict.enterprise_id == enterprise.id,
            OfficerConflict.withdrawn_at.is_(None),
        )
    )
    if existing is not None:
        raise Conflict("已登记过该回避关系。")
    row = OfficerConflict(officer_id=officer.id, enterprise_id=enterprise.id,
                          reason=reason.strip()[:2000], declared_by_id=actor.user_id,
                          declared_at=utcnow())  # fmt: skip
    session.add(row)
    audit.record(session, actor=actor, action="conflict.declare", obj=row,
                 summary=f"{officer.name}对{enterprise.name}回避：{row.reason}")  # fmt: skip
    return row


def withdraw_conflict(session: Session, *, conflict: OfficerConflict, actor: Actor) -> None:
    """End a declared conflict (kept on record)."""
    officer = session.get(Officer, conflict.officer_id)
    assert officer is not None
    _may_declare(actor, officer)
    if conflict.withdrawn_at is not None:
        raise Conflict("该回避登记已撤销。")
    before = audit.snapshot(conflict)
    conflict.withdrawn_at = utcnow()
    audit.record(session, actor=actor, action="conflict.withdraw", obj=conflict, before=before)


def list_conflicts(
    session: Session, *, actor: Actor, page: int = 1, per_page: int = PER_PAGE
) -> Page[tuple[OfficerConflict, Officer, Enterprise]]:
    """Declared conflicts of officers the actor may see."""
    actor.require(Permission.TASKS_VIEW)
    stmt = (
        select(OfficerConflict, Officer, Enterprise)
        .join(Officer, Officer.id == OfficerConflict.officer_id)
        .join(Enterprise, Enterprise.id == OfficerConflict.enterprise_id)
        .join(EnforcementSubject, EnforcementSubject.id == Officer.subject_id)
        .where(region_filter(actor, EnforcementSubject.region_code))
    )
    if actor.role in AGENCY_ROLES:
        stmt = stmt.where(Officer.subject_id == actor.subject_id)
    found = paginate_rows(session, stmt.order_by(OfficerConflict.id.desc()), page, per_page)
    return found.map(lambda row: (row[0], row[1], row[2]))


def get_conflict(session: Session, *, conflict_id: int) -> OfficerConflict:
    """One declared conflict."""
    row = session.get(OfficerConflict, conflict_id)
    if row is None:
        raise NotFound("回避登记不存在。")
    return row
