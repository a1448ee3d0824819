"""Security headers on every response, no inline script for the CSP to forbid, and Secure
session cookies by default outside localhost."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from wurao.core.config import get_settings
from wurao.web.security import CONTENT_SECURITY_POLICY
from wurao.web.templating import TEMPLATE_DIR

HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}


@contextmanager
def app_with(db: Session, monkeypatch: pytest.MonkeyPatch, **env: str) -> Iterator[Any]:
    """An application built under the given settings (``WURAO_<NAME>``), every request
    using the test's session (as the ``app`` fixture does)."""
    from wurao.core import workdays
    from wurao.core.holidays import load_calendar
    from wurao.web.app import create_app

    with monkeypatch.context() as patch:
        for name, value in env.items():
            patch.setenv(f"WURAO_{name.upper()}", value)
        get_settings.cache_clear()
        try:
            application = create_app(db.get_bind().engine)
            application.state.session_factories = {False: lambda: db, True: lambda: db}
            workdays.configure(lambda: load_calendar(db))
            yield application
        finally:
            workdays.configure(None)
    get_settings.cache_clear()


def _assert_headers(resp: Any, what: str) -> None:
    for name, value in HEADERS.items():
        assert resp.headers.get(name) == value, f"{what}: {name} is {resp.headers.get(name)!r}"
    assert "permissions-policy" in resp.headers, what


def test_every_kind_of_response_carries_the_headers(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    from fastapi import Depends

    from wurao.web.deps import public

    def boom(_: object = Depends(public)) -> None:
        raise RuntimeError("boom")

    app.add_api_route("/boom-page", boom)
    app.add_api_route("/api/v1/boom", boom)
    anonymous = {
        "page": client.get("/login"),
        "redirect": client.get("/", follow_redirects=False),
        "API 401": client.get("/api/v1/me"),
        "API public": client.get("/.well-known/jwks.json"),
        "plain text": client.get("/healthz"),
        "static css": client.get("/static/css/app.css"),
        "static js": client.get("/static/js/dashboard.js"),
        "static 404": client.get("/static/no-such-file.js"),
        "page 404": client.get("/no/such/page"),
        "API 404": client.get("/api/v1/no-such-thing"),
        "405": client.get("/logout"),
        "HEAD": client.head("/login"),
        "page 500": client.get("/boom-page"),
        "API 500": client.get("/api/v1/boom"),
        "OpenAPI": client.get("/api/v1/openapi.json"),
        "CSRF 403": client.post("/login", data={"username": "x", "password": "y"}),
    }
    sign_in(client, "kc_sfj")
    signed_in = {
        "dashboard": client.get("/oversight/dashboard"),
        "htmx fragment": client.get("/admin/users", headers={"HX-Request": "true"}),
        "forbidden": client.get("/admin/calendar"),
    }
    for what, resp in {**anonymous, **signed_in}.items():
        _assert_headers(resp, what)
    assert anonymous["page 500"].status_code == 500
    assert anonymous["static 404"].status_code == 404
    # Cookies are not Secure in the test configuration, so no HSTS either.
    assert "strict-transport-security" not in anonymous["page"].headers


def test_csp_forbids_inline_script() -> None:
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_has_inline_script_or_handlers() -> None:
    found = []
    for path in sorted(TEMPLATE_DIR.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, re.compile(r"javascript:", re.I)):
            found += [
                f"{path.relative_to(TEMPLATE_DIR)}: {m.group(0)}" for m in pattern.finditer(text)
            ]
        # htmx must not evaluate code either.
        assert "hx-on" not in text and "js:" not in text, path
    assert not found, found


def test_dashboard_passes_data_not_code(client: TestClient) -> None:
    sign_in(client, "kc_sfj")
    page = client.get("/oversight/dashboard").text
    assert not INLINE_SCRIPT.search(page)
    assert '<script src="/static/js/dashboard.js" defer></script>' in page
    block = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', page)
    assert block
    data = json.loads(block.group(1))
    assert {"year", "months", "last_months", "subjects", "ratings", "buckets"} <= set(data)
    assert len(data["months"]) == 12
    assert '"allowEval":false' in page  # htmx configured not to evaluate code


def test_api_docs_page_admits_only_its_own_inline_script(client: TestClient) -> None:
    import base64
    import hashlib

    resp = client.get("/api/docs")
    assert resp.status_code == 200
    csp = resp.headers["content-security-policy"]
    body = re.search(r"<script>(.*?)</script>", resp.text, re.DOTALL)
    assert body
    digest = base64.b64encode(hashlib.sha256(body.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in csp


def _session_cookie(resp: Any) -> str:
    cookies = [v for k, v in resp.headers.multi_items() if k == "set-cookie"]
    found = [c for c in cookies if c.startswith("wurao_session=")]
    assert found, cookies
    return found[0].lower()


@pytest.mark.parametrize(
    ("base_url", "secure"),
    [
        ("http://localhost:8000", False),
        ("http://127.0.0.1:8000", False),
        ("http://[::1]:8000", False),
        ("https://localhost", True),
        ("http://wurao.example.gov.cn", True),
        ("https://wurao.example.gov.cn", True),
        ("http://10.1.2.3:8000", True),
    ],
)
def test_cookies_secure_by_default_outside_localhost(
    db: Session, monkeypatch: pytest.MonkeyPatch, base_url: str, secure: bool
) -> None:
    with (
        app_with(db, monkeypatch, cookie_secure="auto") as application,
        TestClient(application, base_url=base_url) as c,
    ):
        resp = c.get("/login")
        assert resp.status_code == 200
        cookie = _session_cookie(resp)
        assert ("; secure" in cookie) is secure, cookie
        assert "httponly" in cookie and "samesite=lax" in cookie
        hsts = resp.headers.get("strict-transport-security")
        assert (hsts is not None) is secure
        _assert_headers(resp, base_url)


def test_default_setting_is_auto() -> None:
    from wurao.core.config import Settings

    assert Settings.model_fields["cookie_secure"].default == "auto"


@pytest.mark.parametrize(("setting", "secure"), [("true", True), ("false", False)])
def test_cookie_secure_can_be_forced(
    db: Session, monkeypatch: pytest.MonkeyPatch, setting: str, secure: bool
) -> None:
    for base_url in ("http://localhost", "https://wurao.example.gov.cn"):
        with (
            app_with(db, monkeypatch, cookie_secure=setting) as application,
            TestClient(application, base_url=base_url) as c,
        ):
            assert ("; secure" in _session_cookie(c.get("/login"))) is secure
