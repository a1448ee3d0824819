"""Helpers shared by the planning services (plans and special inspections)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor
from wurao.core.errors import Forbidden, NotFound
from wurao.registry.models import EnforcementSubject


def own_subject(session: Session, actor: Actor, subject_id: int | None) -> EnforcementSubject:
    """The subject the actor edits plans for: its own (a sysadmin may name one)."""
    actor.require(Permission.PLANS_EDIT)
    sid = subject_id if actor.role is Role.SYSADMIN and subject_id else actor.subject_id
    if sid is None:
        raise Forbidden("您的账号未绑定执法主体，不能编制计划。")
    subject = session.get(EnforcementSubject, sid)
    if subject is None:
        raise NotFound("执法主体不存在。")
    return subject
