"""Request edge: one transaction per request, who the caller is, and what the route needs.

``TxRoute`` opens the request's session before the endpoint runs and commits after it returns,
before the response leaves, so a failed commit is an error response, never a silent loss;
an exception rolls everything back. On SQLite, where writers take turns anyway, a write
request waits for its turn on the event loop, in order of arrival, with its body already
read, and keeps the turn until it has committed (docs/benchmarks-writes.md).
Every route declares either ``require(Permission.X)`` or ``public``; a test walks the app
and fails on a route with neither.
"""

from __future__ import annotations

import asyncio
import secrets
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from wurao.auth import service as auth_service
from wurao.auth.models import ApiToken
from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import Forbidden, NotAuthenticated
from wurao.core.time import utcnow
from wurao.web import form_state

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
F = TypeVar("F", bound=Callable[..., Any])
SESSION_COOKIE_KEY = "sid"
CSRF_KEY = "csrf"


class TxRoute(APIRoute):
    """An APIRoute whose handler runs inside one database transaction."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        writes = not getattr(self.endpoint, "wurao_read_only", False)

        async def run(request: Request) -> Response:
            write = writes and request.method not in SAFE_METHODS
            turns = _write_turns(request) if write else None
            if turns is None:
                return await transaction(request, write)
            await request.body()  # a slow client sends its body before its turn, not in it
            async with turns:
                return await transaction(request, write)

        async def transaction(request: Request, write: bool) -> Response:
            factory = request.app.state.session_factories[write]
            session: Session = factory()
            request.state.db = session
            request.state.db_write = write
            try:
                response = await handler(request)
            except BaseException:
                await run_in_threadpool(_end, session, commit=False)
                await form_state.keep_form(request)  # to give the form back beside its errors
                raise
            # A handler that returns (even a 4xx page it chose to render) has finished its
            # unit of work; only an exception rolls back.
            await run_in_threadpool(_end, session, commit=True)
            return response

        return run


def _write_turns(request: Request) -> asyncio.Lock | None:
    """The write requests' line on SQLite (None on PostgreSQL, and for an upload, whose body
    is not held in memory: it queues in ``core.db.WriterQueue`` as a CLI write does).

    SQLite lets one writer in at a time. Waiting here, a request costs a parked coroutine
    instead of a thread contending for the GIL, and the next in line starts as soon as the
    last one commits; the lock on the database (``BEGIN IMMEDIATE``) is then taken by one
    request at a time and held only while it runs.
    """
    if request.headers.get("content-type", "").startswith("multipart/"):
        return None
    state = request.app.state
    if state.engine.dialect.name != "sqlite":
        return None
    loop = asyncio.get_running_loop()  # one line per event loop (a test may run several)
    lines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] | None
    lines = getattr(state, "write_turns", None)
    if lines is None:
        lines = state.write_turns = weakref.WeakKeyDictionary()
    turns = lines.get(loop)
    if turns is None:
        turns = lines[loop] = asyncio.Lock()
    return turns


def _end(session: Session, *, commit: bool) -> None:
    """Commit (or roll back) and close in one trip to the thread pool: each trip costs a
    request more than a short query does (bench/verify.py)."""
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


def read_only(endpoint: F) -> F:
    """Mark a POST endpoint that writes nothing (e.g. verifying a code): on SQLite its
    transaction then does not queue behind writers for the write lock."""
    endpoint.wurao_read_only = True  # type: ignore[attr-defined]
    return endpoint


async def form_fields(request: Request) -> FormData:
    """The submitted form's text fields, read on the event loop so that the route using them
    can be a plain ``def`` whose database work runs in the thread pool. Uploads are left out
    (a route taking a file declares it with ``File()``)."""
    form = await request.form()
    return FormData([(k, v) for k, v in form.multi_items() if isinstance(v, str)])


async def get_db(request: Request) -> Session:
    """The request's session (opened by ``TxRoute``). A coroutine although it does no I/O: a
    plain function dependency would cost every request a trip to the thread pool."""
    session: Session = request.state.db
    return session


def csrf_token(request: Request) -> str:
    """The caller's CSRF token, kept in the signed session cookie."""
    token = request.session.get(CSRF_KEY)
    if not token:
        token = secrets.token_urlsafe(24)
        request.session[CSRF_KEY] = token
    return str(token)


async def _check_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get(CSRF_KEY)
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(str(expected), sent):
        raise Forbidden("表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。")


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


async def _record_token_use(request: Request, token: ApiToken) -> None:
    """Note a token's use. A read request must not take the write lock, so its mark is a
    short separate write that skips on contention; a write request holds the lock already
    and marks the token in its own transaction."""
    if getattr(request.state, "db_write", False):
        token.last_used_at = utcnow()
        return
    await run_in_threadpool(auth_service.record_token_use, request.app.state.engine, token.id)


async def current_actor_optional(request: Request) -> Actor | None:
    """The caller, from a bearer token or the session cookie; None when anonymous."""
    if hasattr(request.state, "actor"):
        cached: Actor | None = request.state.actor
        return cached
    session: Session = request.state.db
    actor: Actor | None = None
    token = _bearer(request)
    if token is not None:
        found = await run_in_threadpool(auth_service.token_user, session, token)
        if found is None:
            raise NotAuthenticated("API 令牌无效、已过期或已撤销。")
        owner, api_token = found
        if auth_service.token_use_is_stale(api_token):
            await _record_token_use(request, api_token)
        actor = auth_service.actor_for(owner)
        request.state.via_token = True
    else:
        sid = request.session.get(SESSION_COOKIE_KEY)
        if sid:
            user = await run_in_threadpool(auth_service.user_for_session, session, str(sid))
            if user is None:
                request.session.pop(SESSION_COOKIE_KEY, None)
            else:
                actor = auth_service.actor_for(user)
        request.state.via_token = False
        # CSRF protects what a browser does with its cookie: every page form (sign-in
        # included) and any API call made with a signed-in cookie. An anonymous API call
        # (another system verifying a code, posting a report) carries no cookie to abuse.
        if actor is not None or not request.url.path.startswith("/api/"):
            await _check_csrf(request)
    request.state.actor = actor
    return actor


def require(permission: Permission) -> Callable[..., Coroutine[Any, Any, Actor]]:
    """Dependency: the caller must be signed in and hold ``permission``."""

    async def dependency(
        actor: Actor | None = Depends(current_actor_optional),
    ) -> Actor:
        if actor is None:
            raise NotAuthenticated("请先登录。")
        if not actor.can(permission):
            raise Forbidden(f"“{actor.role.label}”无权访问此功能。")
        return actor

    dependency.wurao_permission = permission  # type: ignore[attr-defined]
    return dependency


async def public(actor: Actor | None = Depends(current_actor_optional)) -> Actor | None:
    """Dependency marking a route open to everyone (sign-in optional)."""
    return actor


public.wurao_public = True  # type: ignore[attr-defined]
