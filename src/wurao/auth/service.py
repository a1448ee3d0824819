"""Accounts, sign-in, sessions and API tokens: the rules and the writes."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, Select, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from wurao.auth.models import ApiToken, User, UserSession
from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.core import audit
from wurao.core.config import get_settings
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound
from wurao.core.ids import IdentifierError, validate_region_code, validate_uscc
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.time import utcnow
from wurao.registry.models import EnforcementSubject, Region

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("wurao-timing-equaliser")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,60}$")
MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "wr_"  # noqa: S105 - a public marker, not a secret
# A token's last use is recorded to within this much: at most one write per token per period.
TOKEN_USE_RESOLUTION = dt.timedelta(minutes=5)
log = logging.getLogger("wurao.auth")


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return _hasher.hash(password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def actor_for(user: User) -> Actor:
    """The service-layer view of a user."""
    return Actor(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        region_code=user.region_code,
        subject_id=user.subject_id,
        enterprise_uscc=user.enterprise_uscc,
    )


def check_password_strength(password: str) -> None:
    """Refuse short or single-class passwords."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少{MIN_PASSWORD_LENGTH}位。", field="password")
    classes = sum(
        bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")
    )
    if classes < 2:
        raise InvalidInput("密码须包含字母、数字或符号中的至少两类。", field="password")


@dataclass(frozen=True)
class NewUser:
    """Input for creating an account."""

    username: str
    display_name: str
    password: str
    role: Role
    region_code: str
    subject_id: int | None = None
    enterprise_uscc: str | None = None


def create_user(session: Session, *, data: NewUser, actor: Actor) -> User:
    """Create an account; the role's binding (region, subject, enterprise) is validated."""
    actor.require(Permission.USERS_MANAGE)
    if not USERNAME_RE.match(data.username):
        raise InvalidInput("用户名须为3–60位字母、数字、下划线、点或连字符。", field="username")
    if not data.display_name.strip():
        raise InvalidInput("请填写姓名。", field="display_name")
    check_password_strength(data.password)
    try:
        region_code = validate_region_code(data.region_code)
    except IdentifierError as exc:
        raise InvalidInput(exc.reason, field="region_code") from exc
    if session.get(Region, region_code) is None:
        raise InvalidInput(f"行政区划代码 {region_code} 不在区划表中。", field="region_code")
    if not actor.covers_region(region_code):
        raise Forbidden("不能在本辖区以外创建账号。")
    subject_id = data.subject_id
    if data.role.needs_subject:
        if subject_id is None:
            raise InvalidInput(f"“{data.role.label}”账号须绑定执法主体。", field="subject_id")
        subject = session.get(EnforcementSubject, subject_id)
        if subject is None:
            raise InvalidInput("执法主体不存在。", field="subject_id")
        if subject.region_code != region_code:
            raise InvalidInput("账号所属区划须与执法主体所在区划一致。", field="region_code")
    else:
        subject_id = None
    uscc = None
    if data.role is Role.ENTERPRISE:
        if not data.enterprise_uscc:
            raise InvalidInput("企业账号须填写统一社会信用代码。", field="enterprise_uscc")
        try:
            uscc = validate_uscc(data.enterprise_uscc)
        except IdentifierError as exc:
            raise InvalidInput(exc.reason, field="enterprise_uscc") from exc
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict(f"用户名 {data.username} 已存在。")
    user = User(
        username=data.username,
        display_name=data.display_name.strip(),
        password_hash=hash_password(data.password),
        role=data.role.value,
        region_code=region_code,
        subject_id=subject_id,
        enterprise_uscc=uscc,
        is_active=True,
        failed_logins=0,
        created_at=utcnow(),
    )
    session.add(user)
    audit.record(
        session,
        actor=actor,
        action="user.create",
        obj=user,
        summary=f"创建账号 {user.username}（{data.role.label}）",
        region_code=region_code,
    )
    return user


def users_visible_to(actor: Actor) -> Select[User]:
    """Users within the actor's region; agency administrators see their subject's users."""
    actor.require(Permission.USERS_VIEW)
    stmt = select(User).where(region_filter(actor, User.region_code))
    if actor.role is Role.AGENCY_ADMIN:
        stmt = stmt.where(User.subject_id == actor.subject_id)
    return stmt


def list_users(
    session: Session,
    *,
    actor: Actor,
    q: str = "",
    role: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[User]:
    """A page of the users the actor may see, with the total count."""
    stmt = users_visible_to(actor)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(User.username.like(like) | User.display_name.like(like))
    if role:
        stmt = stmt.where(User.role == role)
    return paginate(session, stmt.order_by(User.id), page, per_page)


def get_user(session: Session, *, actor: Actor, user_id: int) -> User:
    """One user, if visible to the actor."""
    user = session.scalar(users_visible_to(actor).where(User.id == user_id))
    if user is None:
        raise NotFound("账号不存在或不在您的辖区内。")
    return user


class LoginFailed(NotAuthenticated):
    """Wrong name or password, or the account is locked."""


def authenticate(session: Session, *, username: str, password: str) -> User:
    """Check a password; count failures and lock the account after too many."""
    settings = get_settings()
    user = session.scalar(select(User).where(User.username == username.strip()))
    now = utcnow()
    if user is None or not user.is_active:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        raise LoginFailed("用户名或密码错误。")
    if user.locked_until is not None and user.locked_until > now:
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        raise LoginFailed(f"连续登录失败次数过多，账号已锁定，请{minutes}分钟后再试。")
    before = audit.snapshot(user)
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        locked = user.failed_logins >= settings.login_max_failures
        if locked:
            user.locked_until = now + dt.timedelta(minutes=settings.login_lock_minutes)
            user.failed_logins = 0
        audit.record(
            session,
            actor=actor_for(user),
            action="auth.lock" if locked else "auth.login_failed",
            obj=user,
            before=before,
            summary="登录失败" + ("，账号锁定" if locked else ""),
        )
        if locked:
            raise LoginFailed(
                f"连续登录失败{settings.login_max_failures}次，账号已锁定"
                f"{settings.login_lock_minutes}分钟。"
            ) from None
        raise LoginFailed("用户名或密码错误。") from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(session, actor=actor_for(user), action="auth.login", obj=user, before=before)
    return user


def start_session(session: Session, *, user: User, user_agent: str = "") -> str:
    """Open a browser session; returns the raw token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + dt.timedelta(hours=get_settings().session_hours),
            user_agent=user_agent[:200],
        )
    )
    session.flush()
    return token


def end_session(session: Session, *, token: str) -> None:
    """Revoke a browser session (sign-out)."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()


def user_for_session(session: Session, token: str) -> User | None:
    """The active user behind a session token, or None."""
    now = utcnow()
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def create_api_token(
    session: Session, *, actor: Actor, name: str, days: int | None = 365
) -> tuple[ApiToken, str]:
    """Issue a bearer token for the actor's own account; the raw token is shown once."""
    actor.require(Permission.ACCOUNT)
    if actor.user_id is None:
        raise Forbidden("系统身份不能申请令牌。")
    name = name.strip()
    if not name:
        raise InvalidInput("请填写令牌用途。", field="name")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=actor.user_id,
        name=name[:60],
        prefix=raw[:10],
        token_hash=_token_hash(raw),
        created_at=now,
        expires_at=now + dt.timedelta(days=days) if days else None,
    )
    session.add(token)
    audit.record(
        session, actor=actor, action="token.create", obj=token, summary=f"申请API令牌“{name}”"
    )
    return token, raw


def list_api_tokens(session: Session, *, actor: Actor) -> list[ApiToken]:
    """The actor's own tokens."""
    actor.require(Permission.ACCOUNT)
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id.desc())
        )
    )


def revoke_api_token(session: Session, *, actor: Actor, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens."""
    actor.require(Permission.ACCOUNT)
    token = session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == actor.user_id)
    )
    if token is None:
        raise NotFound("令牌不存在。")
    if token.revoked_at is not None:
        raise Conflict("令牌已撤销。")
    before = audit.snapshot(token)
    token.revoked_at = utcnow()
    audit.record(session, actor=actor, action="token.revoke", obj=token, before=before)
    return token


def token_user(session: Session, raw: str) -> tuple[User, ApiToken] | None:
    """The active user behind a bearer token and the token itself, or None. Reads only:
    a GET with a token must never need the write lock (see ``record_token_use``)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(raw)))
    now = utcnow()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    return user, token


def token_use_is_stale(token: ApiToken, now: dt.datetime | None = None) -> bool:
    """Whether the token's recorded last use is older than ``TOKEN_USE_RESOLUTION``."""
    now = now or utcnow()
    return token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION


def record_token_use(engine: Engine, token_id: int) -> bool:
    """Mark a token as used now, in a short transaction of its own, when its mark is stale.

    Never waits for a lock and never raises: under contention (SQLite's write lock held by
    another writer, the row locked on PostgreSQL) the mark is simply skipped; the next use
    after the contention records it. Returns whether the mark was written.
    """
    now = utcnow()
    stmt = (
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at <= now - TOKEN_USE_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
    )
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            previous = None
            if sqlite:
                # Outside any transaction (the driver is in autocommit mode): take the write
                # lock without waiting, then restore the pooled connection's patience.
                previous = raw.execute("PRAGMA busy_timeout").fetchone()[0]  # type: ignore[union-attr]
                raw.execute("PRAGMA busy_timeout=0")  # type: ignore[union-attr]
            try:
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
                with conn.begin():
                    if not sqlite:
                        conn.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
                    written = conn.execute(stmt).rowcount
            finally:
                if previous is not None:
                    raw.execute(f"PRAGMA busy_timeout={int(previous)}")  # type: ignore[union-attr]
    except DBAPIError:
        log.info("token %s: last use not recorded (database busy)", token_id)
        return False
    return bool(written)
