"""Who may see and who may carry out coercive measures and enforcement.

The same persons as for penalty cases (``cases.access``): the subject's officers and admin
work their own subject's measures, the supervisor reads its region's, the system administrator
acts for every subject; enterprises and the 法制审核 reviewer see none here.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.cases.coercion.models import CoerciveEnforcement, CoerciveMeasure
from wurao.core.errors import Forbidden, NotFound

Owned = CoerciveMeasure | CoerciveEnforcement


def _scope(
    actor: Actor, region: InstrumentedAttribute[str], subject: InstrumentedAttribute[int]
) -> ColumnElement[bool]:
    """The rows the actor may read, by the table's region and subject columns."""
    if actor.role is Role.SYSADMIN:
        return true()
    actor.require(Permission.CASES_VIEW)
    if actor.role is Role.SUPERVISOR:
        return region_filter(actor, region)
    if actor.subject_id is None or actor.role in (Role.ENTERPRISE, Role.LEGAL_REVIEWER):
        return false()
    return subject == actor.subject_id


def measures_visible_to(actor: Actor) -> Select[CoerciveMeasure]:
    """The measures the actor may read, as a statement to filter, order and page."""
    m = CoerciveMeasure
    return select(m).where(_scope(actor, m.region_code, m.subject_id))


def enforcements_visible_to(actor: Actor) -> Select[CoerciveEnforcement]:
    """The enforcements the actor may read."""
    e = CoerciveEnforcement
    return select(e).where(_scope(actor, e.region_code, e.subject_id))


def get_measure(session: Session, *, actor: Actor, measure_id: int) -> CoerciveMeasure:
    """One measure the actor may read (NotFound otherwise, so that no id leaks)."""
    found = session.scalar(measures_visible_to(actor).where(CoerciveMeasure.id == measure_id))
    if found is None:
        raise NotFound("行政强制措施不存在，或不在您的权限范围内。")
    return found


def get_enforcement(session: Session, *, actor: Actor, enforcement_id: int) -> CoerciveEnforcement:
    """One enforcement the actor may read."""
    stmt = enforcements_visible_to(actor).where(CoerciveEnforcement.id == enforcement_id)
    found = session.scalar(stmt)
    if found is None:
        raise NotFound("强制执行记录不存在，或不在您的权限范围内。")
    return found


def may_handle(actor: Actor, obj: Owned) -> bool:
    """Whether the actor may act on the measure or enforcement (its subject's staff)."""
    if not actor.can(Permission.CASES_HANDLE):
        return False
    return actor.role is Role.SYSADMIN or actor.subject_id == obj.subject_id


def check_handle(actor: Actor, obj: Owned) -> None:
    """Raise Forbidden unless the actor may act on it."""
    actor.require(Permission.CASES_HANDLE)
    if not may_handle(actor, obj):
        raise Forbidden("只能办理本执法主体的行政强制措施和强制执行。")
