"""The two requests made at the enterprise's door, ahead of FastAPI (#18).

``POST /api/v1/codes/verify`` and the scan page ``GET /v/{token}`` are public, anonymous and
read-only, and they are most of the platform's traffic at a factory's door. ``Door`` is a pure
ASGI layer just inside the session cookie and the rate limits (``web/app.py``), so those apply
exactly as to any route, and the security headers and HEAD handling outside them too. It
answers the ordinary request itself — no routing, no dependency solving, no ``TxRoute``, no
thread-pool trip — and hands everything else to the normal stack, which answers as before:
a signed-in caller (cookie or bearer token), a body or a token out of the ordinary (errors,
TextGuard's refusals and their JSON come from the routes), an htmx request, a query string.

The code's state is read on every request (``verification.CodeStates``: one indexed statement
on the driver's own connection), so a revocation or use counts from the next request on, on
every worker. The scan page's HTML is kept per token with the state, the record and the
observers it was rendered from, and rendered again as soon as one of them differs or after
``PAGE_CACHE_SECONDS``: the names of the enterprise, subjects, officers, items and checklist
lines, read when the page is rendered, are at most that old. A render reads the task's facts
with two more plain statements (``CodeStates.task_facts``: no session, no ORM objects) and
fills the route's template with them, on the loop (~0.5 ms CPU, against ~3–4 ms through
``pages.scan_view`` in a session); the page is the route's, byte for byte (tests).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wurao.core.text import MAX_TEXT, has_control
from wurao.inspections import codes, pages, verification
from wurao.inspections.schemas import VerifyOut
from wurao.registry.items.methods import METHODS
from wurao.web.deps import CSRF_KEY, SESSION_COOKIE_KEY, csrf_token
from wurao.web.templating import render

log = logging.getLogger("wurao.web")
VERIFY_PATH = "/api/v1/codes/verify"
SCAN_PREFIX = "/v/"
TOKEN_CHARS = re.compile(r"[A-Za-z0-9_.\-]{1,4000}")  # a JWS compact token, nothing else
MAX_TOKEN = min(4000, MAX_TEXT)  # VerifyIn's maximum, TextGuard's
MAX_BODY = 16 * 1024
PAGE_CACHE_SECONDS = 60.0
PAGE_CACHE_SIZE = 1024  # ~10 kB a page
_clock = time.monotonic  # the page cache's clock (a test moves it)
# Rendered in place of the visitor's CSRF token (base.html), which replaces it per request.
_CSRF_MARK = secrets.token_urlsafe(24)

Factories = Mapping[bool, Any]


class Door:
    """ASGI: the verify API and the scan page for anonymous callers; the rest passes on."""

    def __init__(self, app: ASGIApp, *, engine: Engine, factories: Factories) -> None:
        self.app = app
        # The door reads on its own connection while the application's session factories are
        # these; a test that swaps them for its own session gets every read through that.
        self.factories = factories
        self.states = verification.CodeStates(engine)
        self.pages: dict[str, tuple[tuple[object, ...], str, float]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if scope["path"] == VERIFY_PATH and scope["method"] == "POST":
                await self._verify(scope, receive, send)
                return
            if scope["path"].startswith(SCAN_PREFIX) and scope["method"] == "GET":
                await self._scan(scope, receive, send)
                return
        await self.app(scope, receive, send)

    # --- POST /api/v1/codes/verify ---------------------------------------------------------

    async def _verify(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        if (
            media != "application/json"
            or "authorization" in headers
            # signed in: CSRF applies (read without marking the session as read: the routes
            # answer this request as if the door were not there)
            or SESSION_COOKIE_KEY in scope.get("session", {})
        ):
            await self.app(scope, receive, send)
            return
        messages, body = await _read(receive)
        replay = _replay(messages, receive)
        token = _token(body) if body is not None else None
        if token is None:
            await self.app(scope, replay, send)
            return
        try:
            result = await self._verdict(scope, token)
        except Exception:
            log.exception("door: verification failed, handed to the route")
            await self.app(scope, replay, send)
            return
        # The route reads the session (for a signed-in caller): the answer varies with the cookie.
        _ = HTTPConnection(scope).session  # (``Vary: Cookie`` as the route's answer has)
        response = Response(VerifyOut.of(result).model_dump_json(), media_type="application/json")
        await response(scope, replay, send)

    async def _verdict(self, scope: Scope, token: str) -> verification.ScanResult:
        factories = scope["app"].state.session_factories
        if factories is self.factories:
            return self.states.verify(token)  # a short indexed read: on the loop
        return await run_in_threadpool(_in_session, factories[False], _session_verdict, token)

    # --- GET /v/{token} --------------------------------------------------------------------

    async def _scan(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = scope["path"][len(SCAN_PREFIX) :]
        headers = Headers(scope=scope)
        if (
            TOKEN_CHARS.fullmatch(token) is None
            or scope.get("query_string")
            or "authorization" in headers
            or "hx-request" in headers
            or not set(scope.get("session", {})) <= {CSRF_KEY}  # signed in, a flash, …
        ):
            await self.app(scope, receive, send)
            return
        try:
            html = await self._page(scope, token)
        except Exception:
            log.exception("door: scan page failed, handed to the route")
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        html = html.replace(_CSRF_MARK, csrf_token(request))  # sets the cookie if new
        await HTMLResponse(html)(scope, receive, send)

    async def _page(self, scope: Scope, token: str) -> str:
        factories = scope["app"].state.session_factories
        if factories is not self.factories:  # a test's session: the route's own reads
            html: str = await run_in_threadpool(
                _in_session, factories[False], _rendered, scope, token
            )
            return html
        result, people = self.states.scan(token)  # the state: one statement, every time
        key: tuple[object, ...] = (result.status, result.code, people)
        cached = self.pages.get(token)
        now = _clock()
        if cached is not None and now - cached[2] < PAGE_CACHE_SECONDS and cached[0] == key:
            return cached[1]
        # A first render (or names older than PAGE_CACHE_SECONDS): the task's facts in two
        # plain statements and the template, on the loop like the state (#18).
        facts = self.states.task_facts(result.code.task_id) if result.code else None
        html = _fresh_page(scope, result, people, facts)
        if len(self.pages) >= PAGE_CACHE_SIZE:
            self.pages.clear()  # cheaper than LRU bookkeeping; hot tokens come back at once
        self.pages[token] = (key, html, now)
        return html


def _in_session(factory: Any, work: Any, *args: Any) -> Any:
    """``work(session, *args)`` in a session of ``factory``, ended as ``TxRoute`` ends it."""
    session: Session = factory()
    try:
        out = work(session, *args)
        session.commit()
        return out
    finally:
        session.close()


def _session_verdict(session: Session, token: str) -> verification.ScanResult:
    return verification.verify_token(session, token, details=False)


def _rendered(session: Session, scope: Scope, token: str) -> str:
    """The scan page as the route renders it for an anonymous visitor, with the CSRF mark."""
    return _render_anonymous(scope, pages.scan_view(session, token))


@dataclass(frozen=True)
class _Result:
    """What the scan page reads of ``verification.ScanResult``, with ``TaskFacts`` for the
    bundle."""

    detail: str
    code: verification.CodeRecord | None
    bundle: verification.TaskFacts | None


@dataclass(frozen=True)
class _Observer:
    name: str
    capacity: str


def _fresh_page(
    scope: Scope,
    result: verification.ScanResult,
    people: tuple[tuple[str, str], ...],
    facts: verification.TaskFacts | None,
) -> str:
    """The scan page from the door's reads: the context ``pages.scan_view`` gives the template,
    with plain values in place of ORM objects (the page is the same, byte for byte: tests)."""
    context = {
        "r": _Result(result.detail, result.code, facts),
        "state": result.status,
        # (shown only without a bundle: an unknown code's claims)
        "describe": codes.describe(result.verified.claims)
        if result.verified.genuine and facts is None
        else [],
        "observers": [_Observer(name, capacity) for name, capacity in people],
        "methods": METHODS,
    }
    return _render_anonymous(scope, context)


def _render_anonymous(scope: Scope, context: dict[str, Any]) -> str:
    """The scan template as rendered for an anonymous visitor, with the CSRF mark."""
    request = Request({**scope, "session": {CSRF_KEY: _CSRF_MARK}})
    request.state.actor = None
    return bytes(render(request, pages.SCAN_TEMPLATE, context).body).decode()


def _token(body: bytes) -> str | None:
    """The token of a body that is exactly ``{"token": "<JWS>"}`` within the limits."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or set(document) != {"token"}:
        return None
    token = document["token"]
    if not isinstance(token, str) or len(token) > MAX_TOKEN or has_control(token):
        return None
    return token


async def _read(receive: Receive) -> tuple[list[Message], bytes | None]:
    """The request's messages as received, and the body when complete within ``MAX_BODY``."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        size += len(message.get("body", b""))
        if size > MAX_BODY:
            return messages, None
        if not message.get("more_body", False):
            return messages, b"".join(m.get("body", b"") for m in messages)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that gives the messages read so far again, then the rest."""
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
