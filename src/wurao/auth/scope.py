"""Who is asking, and which rows they may see.

Every service query is built from these filters, so that a route that forgets a check still
cannot return anything outside the caller's region or subject. Region scope is a code prefix:
a county (330802) sees 330802 and its towns (330802001 …); a prefecture (330800) sees every
code starting with 3308; a province (330000) every code starting with 33
(``wurao.core.ids.region_scope_prefix``). The prefix test is written as a range so that
an ordinary B-tree index serves it on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, true
from sqlalchemy.orm import InstrumentedAttribute

from wurao.auth.permissions import AGENCY_ROLES, Permission, Role, role_can
from wurao.core.errors import Forbidden
from wurao.core.ids import region_scope_prefix


@dataclass(frozen=True)
class Actor:
    """The signed-in user as the service layer sees it."""

    user_id: int | None
    username: str
    display_name: str
    role: Role
    region_code: str
    subject_id: int | None = None
    enterprise_uscc: str | None = None

    @property
    def role_name(self) -> str:
        """The role's value, for the audit log."""
        return self.role.value

    @property
    def scope_prefix(self) -> str:
        """Code prefix of every region this actor's region covers."""
        return region_scope_prefix(self.region_code)

    def can(self, permission: Permission) -> bool:
        """Whether the actor's role holds ``permission``."""
        return role_can(self.role, permission)

    def require(self, permission: Permission) -> None:
        """Raise Forbidden unless the actor holds ``permission``."""
        if not self.can(permission):
            raise Forbidden(f"“{self.role.label}”无权执行此操作。")

    def covers_region(self, region_code: str) -> bool:
        """Whether ``region_code`` lies in this actor's region (itself or below)."""
        return self.role is Role.SYSADMIN or region_code.startswith(self.scope_prefix)


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (digits only)."""
    last = prefix[-1]
    if last == "9":
        return prefix_upper_bound(prefix[:-1]) if len(prefix) > 1 else ":"
    return prefix[:-1] + chr(ord(last) + 1)


def region_in_scope(column: InstrumentedAttribute[str], prefix: str) -> ColumnElement[bool]:
    """SQL: ``column`` starts with ``prefix``, as an index-friendly range."""
    if not prefix:
        return true()
    return and_(column >= prefix, column < prefix_upper_bound(prefix))


def region_filter(actor: Actor, column: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """Rows whose region lies within the actor's region (system administrators see all)."""
    if actor.role is Role.SYSADMIN:
        return true()
    return region_in_scope(column, actor.scope_prefix)


def subject_filter(actor: Actor, column: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """For agency roles, rows of the actor's own subject only; others are not limited here."""
    if actor.role in AGENCY_ROLES:
        return column == actor.subject_id if actor.subject_id is not None else false()
    return true()


SYSTEM_ACTOR = Actor(
    user_id=None, username="system", display_name="系统", role=Role.SYSADMIN, region_code="000000"
)
"""The platform itself, for CLI maintenance and scheduled work: a system administrator."""
