"""Rate limits on the anonymous endpoints, per client address (the ``limits`` package).

Limited: the code-less report (page and API share one budget), the scan page of a
行政行为码, the public verification API, the open-data API (``/api/open/v1``, its own bucket on
the scan budget), and failed sign-ins per address (on top of the per-account lockout in
``auth.service.authenticate``). Limits are settings
(``WURAO_RATE_LIMIT_*``); counters live in memory per process, or in Redis when
``WURAO_RATE_LIMIT_STORAGE=redis://…``. Over the limit the client gets 429 with
``Retry-After``: JSON for the API, the normal Chinese error page otherwise.

The client address is the connection's peer; ``X-Forwarded-For`` is believed only when
the peer is listed in ``WURAO_TRUSTED_PROXIES``, and then only up to the first hop that is
not a trusted proxy.
"""

from __future__ import annotations

import functools
import inspect
import ipaddress
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.errors import ConfigurationError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter, RateLimiter
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wurao.core.config import Settings
from wurao.core.errors import DomainError

log = logging.getLogger("wurao.web")
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class RateLimited(DomainError):
    """Too many requests from one address; ``retry_after`` is in seconds."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rule:
    """One limited endpoint: its budget (``setting``), and whether only failures count."""

    bucket: str
    method: str
    path: str
    setting: str
    what: str
    failures_only: bool = False

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and _pattern(self.path).match(path) is not None


@functools.cache
def _pattern(template: str) -> re.Pattern[str]:
    literal = re.split(r"\{[^/}]+\}", template)
    return re.compile("^" + "[^/]+".join(re.escape(part) for part in literal) + "$")


# Every route of the open-data API (reports/open_data/api.py; tests/reports/test_open_data.py
# fails on a route missing here).
OPEN_DATA_PATHS = (
    "/api/open/v1/",
    *(
        f"/api/open/v1/{name}"
        for name in ("subjects", "personnel", "items", "plans", "specials", "draws", "results",
                     "decisions", "discretion", "statistics", "rules")
    ),
    "/api/open/v1/schemas/{name}",
    "/api/open/v1/bulk/{name}",
    "/api/open/v1/draws/{draw_id}/artefacts",
)  # fmt: skip

RULES: tuple[Rule, ...] = (
    Rule("report", "POST", "/report", "rate_limit_report", "举报"),
    Rule("report", "POST", "/api/v1/reports/codeless", "rate_limit_report", "举报"),
    Rule("scan", "GET", "/v/{token}", "rate_limit_scan", "扫码查询"),
    # a reporter follows a clue by its reference: the pattern also covers ``{reference}.json``
    Rule("clue_status", "GET", "/public/clues/{reference}", "rate_limit_report", "线索查询"),
    Rule("verify", "POST", "/api/v1/codes/verify", "rate_limit_verify", "核验请求"),
    # the open-data API (reports/open_data): anonymous reads, on the scan page's budget but
    # counted apart, so a harvester does not lock its own address out of scanning a code
    *(
        Rule("open_data", "GET", path, "rate_limit_scan", "开放数据请求")
        for path in OPEN_DATA_PATHS
    ),
    # Only failed sign-ins (401) use up the address's budget: an office behind one address
    # signing in at nine o'clock is not throttled, guessing passwords across accounts is.
    Rule("login", "POST", "/login", "rate_limit_login", "登录失败", failures_only=True),
)


def parse_networks(value: str) -> tuple[IPNetwork, ...]:
    """Comma- or space-separated addresses and CIDR networks."""
    return tuple(
        ipaddress.ip_network(part, strict=False) for part in re.split(r"[,\s]+", value) if part
    )


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:5555
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_address(scope: Scope, trusted: Sequence[IPNetwork]) -> str:
    """The client's address: the peer, or (behind a trusted proxy) the nearest untrusted
    hop of ``X-Forwarded-For``."""
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    if not trusted:
        return peer

    def is_trusted(text: str) -> bool:
        addr = _address(text)
        return addr is not None and any(addr in net for net in trusted)

    if not is_trusted(peer):
        return peer
    forwarded = Headers(scope=scope).getlist("x-forwarded-for")
    hops = [h.strip() for line in forwarded for h in line.split(",") if h.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            addr = _address(hop)
            return str(addr) if addr is not None else peer
    return peer


class Limiter:
    """The configured limits and their counters."""

    def __init__(self, settings: Settings) -> None:
        uri = settings.rate_limit_storage or "memory://"
        try:
            storage = storage_from_string(uri)
        except ConfigurationError as exc:
            raise ConfigurationError(
                f"WURAO_RATE_LIMIT_STORAGE={uri}: {exc} (memory:// or redis://host:port/db)"
            ) from exc
        if not isinstance(storage, Storage):
            raise ConfigurationError(f"WURAO_RATE_LIMIT_STORAGE={uri}: not a synchronous storage")
        self.storage: Storage = storage
        self.strategy: RateLimiter = MovingWindowRateLimiter(self.storage)
        self.trusted = parse_networks(settings.trusted_proxies)
        self.limits: dict[str, list[RateLimitItem]] = {
            rule.bucket: parse_many(getattr(settings, rule.setting)) for rule in RULES
        }

    async def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        # Memory counters are a dictionary lookup; anything else (Redis) is network I/O and
        # stays off the event loop. A storage that fails lets the request through: an outage
        # of the counters must not take the scan page down with it.
        try:
            if isinstance(self.storage, MemoryStorage):
                return fn(*args)
            return await run_in_threadpool(fn, *args)
        except Exception:
            log.exception("rate limit storage failed; request let through")
            return None

    def _retry_after(self, bucket: str, key: str) -> int:
        waits = []
        for item in self.limits[bucket]:
            stats = self.strategy.get_window_stats(item, bucket, key)
            if stats.remaining <= 0:
                waits.append(stats.reset_time - time.time())
        return max(1, math.ceil(max(waits, default=1)))

    def _take(self, bucket: str, key: str) -> int | None:
        """Use one request of the budget; the seconds to wait when it is spent."""
        items = self.limits[bucket]
        if all(self.strategy.test(item, bucket, key) for item in items):
            for item in items:
                self.strategy.hit(item, bucket, key)
            return None
        return self._retry_after(bucket, key)

    def _check(self, bucket: str, key: str) -> int | None:
        """The seconds to wait when the budget is spent, without using it."""
        if all(self.strategy.test(item, bucket, key) for item in self.limits[bucket]):
            return None
        return self._retry_after(bucket, key)

    def _hit(self, bucket: str, key: str) -> None:
        for item in self.limits[bucket]:
            self.strategy.hit(item, bucket, key)

    async def take(self, bucket: str, key: str) -> int | None:
        wait: int | None = await self._run(self._take, bucket, key)
        return wait

    async def check(self, bucket: str, key: str) -> int | None:
        wait: int | None = await self._run(self._check, bucket, key)
        return wait

    async def hit(self, bucket: str, key: str) -> None:
        await self._run(self._hit, bucket, key)


def _message(rule: Rule, wait: int) -> str:
    when = f"{wait}秒" if wait < 120 else f"{math.ceil(wait / 60)}分钟"
    return f"{rule.what}过于频繁，请{when}后再试。"


ErrorRenderer = Callable[[Request, Any], Response | Awaitable[Response]]


class RateLimitMiddleware:
    """Counts the limited requests per client address and answers 429 over the limit.

    ``render`` is the application's handler for domain errors, so the 429 looks like every
    other error (JSON under /api/, the Chinese error page elsewhere); it needs the session,
    so this middleware sits inside the session middleware.
    """

    def __init__(self, app: ASGIApp, *, limiter: Limiter, render: ErrorRenderer) -> None:
        self.app = app
        self.limiter = limiter
        self.render = render

    def _rule(self, scope: Scope) -> Rule | None:
        return next((r for r in RULES if r.matches(scope["method"], scope["path"])), None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = self._rule(scope) if scope["type"] == "http" else None
        if rule is None:
            await self.app(scope, receive, send)
            return
        key = client_address(scope, self.limiter.trusted)
        if rule.failures_only:
            wait = await self.limiter.check(rule.bucket, key)
        else:
            wait = await self.limiter.take(rule.bucket, key)
        if wait is not None:
            await self._refuse(scope, receive, send, rule, wait)
            return
        if not rule.failures_only:
            await self.app(scope, receive, send)
            return
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        await self.app(scope, receive, watch)
        if status and status[0] == 401:
            await self.limiter.hit(rule.bucket, key)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, rule: Rule, wait: int
    ) -> None:
        request = Request(scope, receive)
        rendered = self.render(request, RateLimited(_message(rule, wait), retry_after=wait))
        response = await rendered if inspect.isawaitable(rendered) else rendered
        response.headers["retry-after"] = str(wait)
        await response(scope, receive, send)
