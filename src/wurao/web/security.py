"""What every response owes a browser: security headers, ``Secure`` session cookies outside
localhost, and HEAD answered like GET. Pure ASGI middleware (no BaseHTTPMiddleware), placed
outside everything else so that error pages, 404s and static files carry the headers too.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Literal

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script anywhere (pages load /static/js/*.js; data travels in
# <script type="application/json"> blocks). Inline style attributes remain in the templates
# (chart heights, print layout), hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    )
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000; includeSubDomains"
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("x-frame-options", "DENY"),
    ("permissions-policy", PERMISSIONS_POLICY),
    ("cross-origin-opener-policy", "same-origin"),
)
# The API documentation page (Swagger UI) is FastAPI's: its script and style come from a
# CDN and it starts with one inline script, admitted by its hash and on that page only.
DOCS_ASSETS = "https://cdn.jsdelivr.net"
DOCS_ICON = "https://fastapi.tiangolo.com"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def swagger_policy(html: str) -> str:
    """The CSP of the API documentation page: the site's policy plus the CDN and the
    page's own inline scripts by hash."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    )
    changes = {
        "script-src 'self'": f"script-src 'self' {DOCS_ASSETS} {hashes}",
        "style-src 'self' 'unsafe-inline'": f"style-src 'self' 'unsafe-inline' {DOCS_ASSETS}",
        "img-src 'self' data:": f"img-src 'self' data: {DOCS_ICON}",
    }
    policy = CONTENT_SECURITY_POLICY
    for old, new in changes.items():
        policy = policy.replace(old, new)
    return policy


def _hostname(scope: Scope) -> str:
    """The host name the client addressed (Host header, else the server address)."""
    host = Headers(scope=scope).get("host")
    if host is None:
        server = scope.get("server")
        return str(server[0]).lower() if server else ""
    host = host.strip().lower()
    if host.startswith("["):  # [::1]:8000
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_local(scope: Scope) -> bool:
    """Whether the request was addressed to this machine's loopback name or address."""
    name = _hostname(scope)
    return name in LOCAL_HOSTS or name.endswith(".localhost")


def cookies_secure(scope: Scope, setting: bool | Literal["auto"]) -> bool:
    """Whether the session cookie of this request is ``Secure``: as configured, or (auto)
    always over HTTPS and everywhere but localhost over plain HTTP."""
    if setting != "auto":
        return bool(setting)
    return scope.get("scheme") in ("https", "wss") or not is_local(scope)


class SessionCookies:
    """Starlette's signed session cookie, ``Secure`` or not as ``cookies_secure`` decides
    for each request."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        secure: bool | Literal["auto"],
        secret_key: str,
        session_cookie: str,
        max_age: int,
        same_site: Literal["lax", "strict", "none"] = "lax",
    ) -> None:
        self.setting = secure
        self.plain, self.secure = (
            SessionMiddleware(
                app,
                secret_key=secret_key,
                session_cookie=session_cookie,
                max_age=max_age,
                same_site=same_site,
                https_only=https_only,
            )
            for https_only in (False, True)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        secure = scope["type"] in ("http", "websocket") and cookies_secure(scope, self.setting)
        await (self.secure if secure else self.plain)(scope, receive, send)


class SecurityHeaders:
    """Adds the security headers to every HTTP response (HSTS where cookies are Secure);
    headers a response set itself are kept."""

    def __init__(self, app: ASGIApp, *, cookie_secure: bool | Literal["auto"]) -> None:
        self.app = app
        self.cookie_secure = cookie_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        hsts = cookies_secure(scope, self.cookie_secure)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    if name not in headers:
                        headers.append(name, value)
                if hsts and "strict-transport-security" not in headers:
                    headers.append("strict-transport-security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """Answers HEAD on every GET route and static file: the request runs as GET and the
    body is dropped, so the status and headers (Content-Length included) are the GET's."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)


def wrap(app: ASGIApp, *, cookie_secure: bool | Literal["auto"]) -> ASGIApp:
    """The application inside the outermost layers: HEAD handling, then the headers."""
    return SecurityHeaders(HeadAsGet(app), cookie_secure=cookie_secure)
