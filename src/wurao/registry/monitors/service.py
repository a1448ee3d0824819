"""执法监督员 and 企业联系点: scoped reads, validated writes, the monitor's state on a day.

The supervisor of a region (执法监督机构, the 司法局) appoints the region's monitors and keeps its
contact-point enterprises; everyone else with the registry view reads them, each within their
region. The 居民身份证号 is validated on the way in and leaves this package only masked. A
monitor's "expired" state is read from the term, never stored: only a revocation (解聘) is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from wurao.auth.models import User
from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.core import audit
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.core.ids import IdentifierError, mask_ric, normalize_uscc, validate_ric
from wurao.core.paging import PER_PAGE, Page, paginate, paginate_rows
from wurao.core.time import local_today, utcnow
from wurao.registry.models import Enterprise, Region
from wurao.registry.monitors.models import EnforcementMonitor, EnterpriseContactPoint

MONITOR_STATES: dict[str, str] = {
    "active": "在聘",
    "not_yet": "未到聘期",
    "expired": "已到期",
    "revoked": "已解聘",
}
STORED_MONITOR_STATUSES: dict[str, str] = {"active": "在聘", "revoked": "已解聘"}
CONTACT_STATUSES: dict[str, str] = {"active": "有效", "ended": "已撤销"}
PHONE_MAX = 30


# ---------------------------------------------------------------------------------------
# Monitors: reads
# ---------------------------------------------------------------------------------------


def masked_ric(monitor: EnforcementMonitor) -> str:
    """The monitor's 居民身份证号 as it may be shown (first 6 and last 4 characters)."""
    return mask_ric(monitor.ric)


def monitor_state(monitor: EnforcementMonitor, on: dt.date) -> str:
    """``active``, ``not_yet``, ``expired`` or ``revoked`` on ``on`` (see MONITOR_STATES)."""
    if monitor.status == "revoked":
        return "revoked"
    if on > monitor.valid_to:
        return "expired"
    if on < monitor.valid_from:
        return "not_yet"
    return "active"


def monitors_visible_to(actor: Actor) -> Select[EnforcementMonitor]:
    """Monitors appointed in the actor's region (agency roles: their region's monitors)."""
    actor.require(Permission.REGISTRY_VIEW)
    return select(EnforcementMonitor).where(region_filter(actor, EnforcementMonitor.region_code))


def list_monitors(
    session: Session,
    *,
    actor: Actor,
    q: str = "",
    state: str = "",
    on: dt.date | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[EnforcementMonitor]:
    """A page of visible monitors, by name or unit (``q``) and state on ``on``."""
    day = on or local_today()
    stmt = monitors_visible_to(actor)
    if q.strip():
        text = q.strip()
        stmt = stmt.where(
            or_(
                EnforcementMonitor.name.contains(text, autoescape=True),
                EnforcementMonitor.organ.contains(text, autoescape=True),
            )
        )
    live = EnforcementMonitor.status != "revoked"
    if state == "active":
        stmt = stmt.where(
            live, EnforcementMonitor.valid_from <= day, EnforcementMonitor.valid_to >= day
        )
    elif state == "expired":
        stmt = stmt.where(live, EnforcementMonitor.valid_to < day)
    elif state == "not_yet":
        stmt = stmt.where(live, EnforcementMonitor.valid_from > day)
    elif state == "revoked":
        stmt = stmt.where(EnforcementMonitor.status == "revoked")
    elif state:
        raise InvalidInput("状态应为在聘、未到聘期、已到期或已解聘。", field="state")
    stmt = stmt.order_by(
        EnforcementMonitor.region_code, EnforcementMonitor.name, EnforcementMonitor.id
    )
    return paginate(session, stmt, page, per_page)


def get_monitor(session: Session, *, actor: Actor, monitor_id: int) -> EnforcementMonitor:
    """One monitor, if visible to the actor."""
    monitor = session.scalar(monitors_visible_to(actor).where(EnforcementMonitor.id == monitor_id))
    if monitor is None:
        raise NotFound("执法监督员不存在或不在您的管理范围内。")
    return monitor


def monitor_of_user(session: Session, user_id: int | None) -> EnforcementMonitor | None:
    """The monitor whose sign-in account is ``user_id``, if any (no scope: it is the caller)."""
    if user_id is None:
        return None
    return session.scalar(select(EnforcementMonitor).where(EnforcementMonitor.user_id == user_id))


def usernames(session: Session, ids: set[int]) -> dict[int, str]:
    """Usernames of the given accounts (the monitors' linked accounts)."""
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


def region_choices(session: Session, *, actor: Actor) -> list[Region]:
    """Regions (county level and above) the actor may appoint monitors in, for the forms."""
    actor.require(Permission.MONITORS_MANAGE)
    stmt = select(Region).where(region_filter(actor, Region.code), Region.level != "town")
    return list(session.scalars(stmt.order_by(Region.code).limit(500)))


# ---------------------------------------------------------------------------------------
# Monitors: writes
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonitorData:
    """Input for appointing or editing a monitor; ``ric`` None keeps the stored number."""

    name: str
    ric: str | None
    region_code: str
    organ: str = ""
    appointed_by: str = ""
    appointment_no: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    phone: str = ""
    username: str = ""  # the linked sign-in account, "" for none
    status: str = "active"


def _check_region(session: Session, actor: Actor, code: str, field: str = "region_code") -> Region:
    actor.require(Permission.MONITORS_MANAGE)
    region = session.get(Region, code.strip()) if code.strip() else None
    if region is None:
        raise InvalidInput("请选择行政区划。", field=field)
    if not actor.covers_region(region.code) or actor.role not in (Role.SUPERVISOR, Role.SYSADMIN):
        raise Forbidden("只能管理本辖区的执法监督员和企业联系点。")
    return region


def _text(value: str, *, field: str, label: str, limit: int, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{label}最多{limit}个字。", field=field)
    return value


def _linked_user(
    session: Session, actor: Actor, username: str, monitor_id: int | None
) -> int | None:
    name = username.strip()
    if not name:
        return None
    user = session.scalar(select(User).where(User.username == name))
    if user is None:
        raise InvalidInput(f"账号“{name}”不存在。", field="username")
    if user.role != Role.SUPERVISOR.value or not actor.covers_region(user.region_code):
        raise InvalidInput("关联账号须为本辖区执法监督机构的账号。", field="username")
    other = session.scalar(
        select(EnforcementMonitor.id).where(EnforcementMonitor.user_id == user.id)
    )
    if other is not None and other != monitor_id:
        raise Conflict(f"账号“{name}”已关联另一名执法监督员。")
    return user.id


def _apply(
    session: Session, monitor: EnforcementMonitor, data: MonitorData, actor: Actor
) -> Region:
    region = _check_region(session, actor, data.region_code)
    name = _text(data.name, field="name", label="姓名", limit=60, required=True)
    if data.ric is not None or not monitor.ric:
        try:
            ric = validate_ric(data.ric or "", today=local_today())
        except IdentifierError as exc:
            raise InvalidInput(exc.reason, field="ric") from exc
        other = session.scalar(select(EnforcementMonitor.id).where(EnforcementMonitor.ric == ric))
        if other is not None and other != monitor.id:
            raise Conflict(f"居民身份证号 {mask_ric(ric)} 已登记为另一名执法监督员。")
        monitor.ric = ric
    if data.valid_from is None:
        raise InvalidInput("请填写聘期开始日期。", field="valid_from")
    if data.valid_to is None:
        raise InvalidInput("请填写聘期结束日期。", field="valid_to")
    if data.valid_to < data.valid_from:
        raise InvalidInput("聘期结束日期不能早于开始日期。", field="valid_to")
    if data.status not in STORED_MONITOR_STATUSES:
        raise InvalidInput("状态应为在聘或已解聘。", field="status")
    monitor.name = name
    monitor.region_code = region.code
    monitor.organ = _text(data.organ, field="organ", label="工作单位", limit=120)
    monitor.appointed_by = _text(
        data.appointed_by, field="appointed_by", label="聘任机关", limit=120, required=True
    )
    monitor.appointment_no = _text(
        data.appointment_no, field="appointment_no", label="聘任文号", limit=80, required=True
    )
    monitor.valid_from, monitor.valid_to = data.valid_from, data.valid_to
    monitor.phone = _text(data.phone, field="phone", label="联系电话", limit=PHONE_MAX)
    monitor.user_id = _linked_user(session, actor, data.username, monitor.id)
    monitor.status = data.status
    return region


def create_monitor(session: Session, *, data: MonitorData, actor: Actor) -> EnforcementMonitor:
    """Appoint a monitor in a region the actor supervises."""
    monitor = EnforcementMonitor(ric="", created_at=utcnow())
    region = _apply(session, monitor, data, actor)
    session.add(monitor)
    audit.record(
        session,
        actor=actor,
        action="monitor.create",
        obj=monitor,
        summary=f"聘任执法监督员 {monitor.name}（{monitor.appointment_no}）",
        region_code=region.code,
    )
    return monitor


def update_monitor(
    session: Session, *, monitor: EnforcementMonitor, data: MonitorData, actor: Actor
) -> EnforcementMonitor:
    """Edit a monitor (a revocation is ``status`` "revoked")."""
    _check_region(session, actor, monitor.region_code)
    before = audit.snapshot(monitor)
    region = _apply(session, monitor, data, actor)
    audit.record(
        session,
        actor=actor,
        action="monitor.update",
        obj=monitor,
        before=before,
        summary=f"修改执法监督员信息 {monitor.name}",
        region_code=region.code,
    )
    return monitor


# ---------------------------------------------------------------------------------------
# Contact points
# ---------------------------------------------------------------------------------------


def contact_points_visible_to(actor: Actor) -> Select[EnterpriseContactPoint, Enterprise]:
    """Contact points of the actor's region, each with its enterprise."""
    actor.require(Permission.REGISTRY_VIEW)
    return (
        select(EnterpriseContactPoint, Enterprise)
        .join(Enterprise, Enterprise.id == EnterpriseContactPoint.enterprise_id)
        .where(region_filter(actor, EnterpriseContactPoint.region_code))
    )


def list_contact_points(
    session: Session,
    *,
    actor: Actor,
    q: str = "",
    status: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[tuple[EnterpriseContactPoint, Enterprise]]:
    """A page of contact points, by enterprise name, USCC or contact person."""
    stmt = contact_points_visible_to(actor)
    if q.strip():
        text = q.strip()
        stmt = stmt.where(
            or_(
                Enterprise.name.contains(text, autoescape=True),
                Enterprise.uscc == normalize_uscc(text),
                EnterpriseContactPoint.contact_name.contains(text, autoescape=True),
            )
        )
    if status:
        if status not in CONTACT_STATUSES:
            raise InvalidInput("状态应为有效或已撤销。", field="status")
        stmt = stmt.where(EnterpriseContactPoint.status == status)
    stmt = stmt.order_by(EnterpriseContactPoint.region_code, EnterpriseContactPoint.id)
    found = paginate_rows(session, stmt, page, per_page)
    return found.map(lambda row: (row[0], row[1]))


def get_contact_point(
    session: Session, *, actor: Actor, point_id: int
) -> tuple[EnterpriseContactPoint, Enterprise]:
    """One contact point with its enterprise, if visible to the actor."""
    row = session.execute(
        contact_points_visible_to(actor).where(EnterpriseContactPoint.id == point_id)
    ).first()
    if row is None:
        raise NotFound("企业联系点不存在或不在您的管理范围内。")
    return row[0], row[1]


@dataclass(frozen=True)
class ContactPointData:
    """Input for registering or editing a contact point; the enterprise by its USCC."""

    enterprise_uscc: str
    contact_name: str
    phone: str = ""
    since: dt.date | None = None
    status: str = "active"


def _apply_point(
    session: Session, point: EnterpriseContactPoint, data: ContactPointData, actor: Actor
) -> Enterprise:
    actor.require(Permission.MONITORS_MANAGE)
    uscc = normalize_uscc(data.enterprise_uscc)
    if not uscc:
        raise InvalidInput("请填写企业的统一社会信用代码。", field="enterprise_uscc")
    enterprise = session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    if enterprise is None:
        raise InvalidInput("检查对象名录中没有该统一社会信用代码的企业。", field="enterprise_uscc")
    if not actor.covers_region(enterprise.region_code):
        raise InvalidInput("该企业不在您的辖区内。", field="enterprise_uscc")
    _check_region(session, actor, enterprise.region_code, field="enterprise_uscc")
    other = session.scalar(
        select(EnterpriseContactPoint.id).where(
            EnterpriseContactPoint.enterprise_id == enterprise.id
        )
    )
    if other is not None and other != point.id:
        raise Conflict(f"{enterprise.name}已是企业联系点。")
    if data.since is None:
        raise InvalidInput("请填写设立日期。", field="since")
    if data.since > local_today():
        raise InvalidInput("设立日期不能晚于今天。", field="since")
    if data.status not in CONTACT_STATUSES:
        raise InvalidInput("状态应为有效或已撤销。", field="status")
    point.enterprise_id = enterprise.id
    point.region_code = enterprise.region_code
    point.contact_name = _text(
        data.contact_name, field="contact_name", label="联系人", limit=60, required=True
    )
    point.phone = _text(data.phone, field="phone", label="联系电话", limit=PHONE_MAX)
    point.since = data.since
    point.status = data.status
    return enterprise


def create_contact_point(
    session: Session, *, data: ContactPointData, actor: Actor
) -> EnterpriseContactPoint:
    """Register an enterprise of the actor's region as a contact point."""
    point = EnterpriseContactPoint(created_at=utcnow())
    enterprise = _apply_point(session, point, data, actor)
    session.add(point)
    audit.record(
        session,
        actor=actor,
        action="contact_point.create",
        obj=point,
        summary=f"设立企业联系点 {enterprise.name}",
        region_code=point.region_code,
    )
    return point


def update_contact_point(
    session: Session, *, point: EnterpriseContactPoint, data: ContactPointData, actor: Actor
) -> EnterpriseContactPoint:
    """Edit a contact point (ending it is ``status`` "ended")."""
    _check_region(session, actor, point.region_code)
    before = audit.snapshot(point)
    enterprise = _apply_point(session, point, data, actor)
    audit.record(
        session,
        actor=actor,
        action="contact_point.update",
        obj=point,
        before=before,
        summary=f"修改企业联系点 {enterprise.name}",
        region_code=point.region_code,
    )
    return point
