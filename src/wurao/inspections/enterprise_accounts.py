"""One-time activation links for enterprise accounts (docs/enterprise.md "Accounts").

The supervisor (or the registry import) creates the account bound to the enterprise's
统一社会信用代码; the person who will use it receives a link valid for a few days and used once,
on which they choose their own password. Only the token's SHA-256 is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.audit import SystemActor
from wurao.core.errors import Conflict, InvalidInput, NotFound
from wurao.core.time import utcnow
from wurao.inspections.enterprise_models import ActivationLink

LINK_DAYS = 7


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.strip().encode("utf-8")).hexdigest()


def create_activation_link(session: Session, *, actor: Actor, user_id: int) -> str:
    """A fresh one-time link for an enterprise account of the actor's region; returns the raw
    token (kept nowhere). Earlier unused links of the account stop working."""
    actor.require(Permission.ENTERPRISES_MANAGE)
    user = auth_service.get_user(session, actor=actor, user_id=user_id)
    if user.role != Role.ENTERPRISE.value:
        raise Conflict("激活链接只用于企业账号。")
    now = utcnow()
    for old in session.scalars(
        select(ActivationLink).where(
            ActivationLink.user_id == user.id, ActivationLink.used_at.is_(None)
        )
    ):
        before = audit.snapshot(old)
        old.expires_at = now
        audit.record(session, actor=actor, action="activation.expire", obj=old, before=before)
    raw = secrets.token_urlsafe(32)
    link = ActivationLink(
        user_id=user.id,
        token_hash=_hash(raw),
        created_at=now,
        expires_at=now + dt.timedelta(days=LINK_DAYS),
        created_by_id=actor.user_id,
    )
    session.add(link)
    audit.record(
        session,
        actor=actor,
        action="activation.create",
        obj=link,
        summary=f"为企业账号 {user.username} 生成激活链接",
        region_code=user.region_code,
    )
    return raw


def account_for_link(session: Session, *, token: str) -> User:
    """The account behind an unused, unexpired link."""
    link = session.scalar(select(ActivationLink).where(ActivationLink.token_hash == _hash(token)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        raise NotFound("激活链接无效、已使用或已过期，请联系执法监督机构重新发送。")
    user = session.get(User, link.user_id)
    if user is None:  # pragma: no cover - the foreign key forbids it
        raise NotFound("账号不存在。")
    return user


def activate(session: Session, *, token: str, password: str, confirm: str) -> User:
    """Set the account's password from its link; the link is used up."""
    link = session.scalar(
        select(ActivationLink).where(ActivationLink.token_hash == _hash(token)).with_for_update()
    )
    user = account_for_link(session, token=token)
    if link is None:  # pragma: no cover - account_for_link refused first
        raise NotFound("激活链接无效。")
    if password != confirm:
        raise InvalidInput("两次输入的密码不一致。", field="confirm")
    auth_service.check_password_strength(password)
    who = SystemActor(display_name=f"{user.display_name}（激活链接）", role_name="activation")
    before_link, before_user = audit.snapshot(link), audit.snapshot(user)
    link.used_at = utcnow()
    user.password_hash = auth_service.hash_password(password)
    user.is_active = True
    user.failed_logins = 0
    user.locked_until = None
    audit.record(session, actor=who, action="activation.use", obj=link, before=before_link)
    audit.record(
        session,
        actor=who,
        action="user.activate",
        obj=user,
        before=before_user,
        summary=f"企业账号 {user.username} 通过激活链接设置密码",
        region_code=user.region_code,
    )
    return user
