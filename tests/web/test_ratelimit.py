"""Rate limits on the anonymous endpoints: the N+1th request within the window is refused
with 429 and Retry-After (JSON for the API, the Chinese error page otherwise); another
address is not affected; failed sign-ins are limited per address."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import csrf_of
from tests.web.test_routes import api_routes
from tests.web.test_security import app_with
from wurao.web import ratelimit

LIMITS = {
    "rate_limit_scan": "3/minute",
    "rate_limit_verify": "3/minute",
    "rate_limit_report": "3/minute",
    "rate_limit_login": "3/minute",
}
A = ("198.51.100.7", 40000)
B = ("198.51.100.8", 40000)


@pytest.fixture
def limited(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The application with small limits (and Secure cookies off for plain-HTTP clients)."""
    with app_with(db, monkeypatch, cookie_secure="false", **LIMITS) as application:
        yield application


def _client(app: Any, address: tuple[str, int] = A, **kw: Any) -> TestClient:
    return TestClient(app, client=address, raise_server_exceptions=False, **kw)


def _assert_refused_json(resp: Any) -> None:
    assert resp.status_code == 429, resp.text
    assert int(resp.headers["retry-after"]) >= 1
    body = resp.json()
    assert body["error"] == "rate_limited"
    assert "过于频繁" in body["message"] and "秒后再试" in body["message"]
    assert resp.headers["x-content-type-options"] == "nosniff"  # still a normal response


def test_every_limited_endpoint_exists(app) -> None:  # type: ignore[no-untyped-def]
    routes = {(m, path) for path, methods, _ in api_routes(app) for m in methods}
    for rule in ratelimit.RULES:
        assert (rule.method, rule.path) in routes, rule


def test_default_limits_are_generous() -> None:
    from limits import parse_many

    from wurao.core.config import Settings

    defaults = Settings()
    scan = parse_many(defaults.rate_limit_scan)
    per_minute = min(i.amount for i in scan if i.GRANULARITY.name == "minute")
    assert per_minute >= 60  # a factory door: many phones behind one carrier address
    assert defaults.rate_limits and defaults.rate_limit_storage == "memory://"


def test_verify_api_is_limited_per_address(limited: Any) -> None:
    with _client(limited) as a, _client(limited, B) as b:
        for _ in range(3):
            ok = a.post("/api/v1/codes/verify", json={"token": "not-a-code"})
            assert ok.status_code != 429
        _assert_refused_json(a.post("/api/v1/codes/verify", json={"token": "not-a-code"}))
        assert b.post("/api/v1/codes/verify", json={"token": "not-a-code"}).status_code != 429


def test_scan_page_is_limited_with_the_error_page(limited: Any) -> None:
    with _client(limited) as a, _client(limited, B) as b:
        for _ in range(2):
            assert a.get("/v/not-a-code").status_code != 429
        assert a.head("/v/not-a-code").status_code != 429  # HEAD is a GET: it counts
        refused = a.get("/v/not-a-code")
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.headers["content-type"].startswith("text/html")
        assert "<html" in refused.text and "扫码查询过于频繁" in refused.text
        assert b.get("/v/not-a-code").status_code != 429


def test_report_page_and_api_share_one_budget(limited: Any) -> None:
    body = {"agency": "某执法队", "description": "未出示行政行为码。"}
    with _client(limited) as a, _client(limited, B) as b:
        assert a.post("/api/v1/reports/codeless", json=body).status_code != 429
        assert a.post("/api/v1/reports/codeless", json=body).status_code != 429
        form = {"agency": "某执法队", "description": "未出示行政行为码。"}
        page = a.get("/report")
        assert page.status_code == 200  # the form itself is not limited
        first = a.post("/report", data={**form, "csrf_token": csrf_of(page.text)})
        assert first.status_code != 429
        _assert_refused_json(a.post("/api/v1/reports/codeless", json=body))
        refused = a.post("/report", data={**form, "csrf_token": csrf_of(page.text)})
        assert refused.status_code == 429 and "举报过于频繁" in refused.text
        assert "retry-after" in refused.headers
        assert b.post("/api/v1/reports/codeless", json=body).status_code != 429


def _login(c: TestClient, username: str, password: str) -> Any:
    token = csrf_of(c.get("/login").text)
    return c.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )


def test_failed_sign_ins_are_limited_per_address(limited: Any) -> None:
    with _client(limited) as a, _client(limited, B) as b:
        # Three different accounts, one wrong password each: no account is locked ...
        for name in ("kc_sfj", "qj_sfj", "kc_scjg_admin"):
            assert _login(a, name, "wrong-password").status_code == 401
        # ... but the address is: even the right password waits.
        refused = _login(a, "kc_scjg_zhang", "Wurao@2026")
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert "登录失败过于频繁" in refused.text
        # Another address signs in.
        assert _login(b, "kc_scjg_zhang", "Wurao@2026").status_code == 303


def test_successful_sign_ins_do_not_use_the_budget(limited: Any) -> None:
    with _client(limited) as a:
        for _ in range(5):
            assert _login(a, "kc_sfj", "Wurao@2026").status_code == 303
            a.cookies.clear()


def test_forwarded_for_is_believed_only_from_trusted_proxies(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = ("10.0.0.2", 50000)
    with (
        app_with(
            db, monkeypatch, cookie_secure="false", trusted_proxies="10.0.0.0/8", **LIMITS
        ) as application,
        _client(application, proxy) as via_proxy,
        _client(application, A) as direct,
    ):

        def verify(c: TestClient, forwarded: str) -> int:
            resp = c.post(
                "/api/v1/codes/verify",
                json={"token": "x"},
                headers={"X-Forwarded-For": forwarded},
            )
            return resp.status_code

        # Behind the proxy, each forwarded client has its own budget.
        assert [verify(via_proxy, "203.0.113.1") for _ in range(4)][-1] == 429
        assert verify(via_proxy, "203.0.113.2") != 429
        # The nearest untrusted hop counts, not what the client wrote first.
        assert verify(via_proxy, "203.0.113.1, 10.0.0.9") == 429
        assert verify(via_proxy, "203.0.113.1, 203.0.113.3") != 429
        # A direct client cannot escape its budget by forging the header.
        assert [verify(direct, f"192.0.2.{i}") for i in range(4)][-1] == 429


def test_client_address() -> None:
    trusted = ratelimit.parse_networks("10.0.0.0/8, 192.0.2.1")

    def scope(peer: str, xff: str | None = None) -> dict[str, Any]:
        headers = [(b"x-forwarded-for", xff.encode())] if xff else []
        return {"type": "http", "client": (peer, 1), "headers": headers}

    assert ratelimit.client_address(scope("203.0.113.5", "1.1.1.1"), trusted) == "203.0.113.5"
    assert ratelimit.client_address(scope("10.1.1.1", "1.1.1.1"), trusted) == "1.1.1.1"
    assert ratelimit.client_address(scope("10.1.1.1", "1.1.1.1, 192.0.2.1"), trusted) == "1.1.1.1"
    assert ratelimit.client_address(scope("10.1.1.1", "junk"), trusted) == "10.1.1.1"
    assert ratelimit.client_address(scope("10.1.1.1"), trusted) == "10.1.1.1"
    assert ratelimit.client_address(scope("10.1.1.1", "1.1.1.1"), ()) == "10.1.1.1"


def test_limits_can_be_switched_off(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    with (
        app_with(db, monkeypatch, cookie_secure="false", rate_limits="false", **LIMITS) as app,
        _client(app) as a,
    ):
        statuses = {
            a.post("/api/v1/codes/verify", json={"token": "x"}).status_code for _ in range(5)
        }
        assert 429 not in statuses


def test_a_failing_storage_lets_requests_through(limited: Any) -> None:
    class Broken:
        def __getattr__(self, name: str) -> Any:
            def fail(*args: Any) -> Any:
                raise ConnectionError("redis is down")

            return fail

    limited.state.limiter.strategy = Broken()
    with _client(limited) as a:
        statuses = [
            a.post("/api/v1/codes/verify", json={"token": "x"}).status_code for _ in range(5)
        ]
        assert all(s == 200 for s in statuses), statuses


REDIS = "redis://127.0.0.1:6379/15"


def test_workers_share_their_counters_through_redis(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several server processes (``wurao serve --workers``) count one client together when
    WURAO_RATE_LIMIT_STORAGE names a Redis server: the 4th request is refused by either."""
    import secrets

    # an address of its own, so that counters left by an earlier run do not count here
    address = (f"198.18.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}", 40000)
    settings = {**LIMITS, "cookie_secure": "false", "rate_limit_storage": REDIS}
    with app_with(db, monkeypatch, **settings) as one, app_with(db, monkeypatch, **settings) as two:
        assert one.state.limiter is not two.state.limiter
        assert type(one.state.limiter.storage).__name__ == "RedisStorage"
        with _client(one, address) as first, _client(two, address) as second:
            body = {"token": "not-a-code"}
            assert first.post("/api/v1/codes/verify", json=body).status_code != 429
            assert second.post("/api/v1/codes/verify", json=body).status_code != 429
            assert first.post("/api/v1/codes/verify", json=body).status_code != 429
            _assert_refused_json(second.post("/api/v1/codes/verify", json=body))
            _assert_refused_json(first.post("/api/v1/codes/verify", json=body))
