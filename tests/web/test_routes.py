"""Every route declares its permission; region scope holds at the API and on pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import routing
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas, csrf_of, sign_in
from wurao.auth import service as auth_service
from wurao.auth.models import User

# Routes open to everyone must be listed here on purpose; the disclosure portal (公示) lives
# under /public/.
PUBLIC_PREFIX = "/public/"
OPEN_DATA_PREFIX = "/api/open/v1/"  # the open-data API (reports/open_data, docs/open-data.md)
PUBLIC_ROUTES = {
    ("GET", "/"),
    ("GET", "/healthz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/report"),  # anyone reports an inspection that came without a code
    ("POST", "/report"),
    ("GET", "/evaluate/{token}"),  # the enterprise's one-time evaluation; the token is the key
    ("POST", "/evaluate/{token}"),
    ("POST", "/api/v1/evaluations/{token}"),
    ("POST", "/api/v1/reports/codeless"),
    ("GET", "/v/{token}"),  # the enterprise's scan of a 行政行为码
    ("GET", "/field/sw.js"),  # the field page's service worker (static script)
    ("GET", "/field/manifest.webmanifest"),  # the field page's web app manifest
    ("GET", "/.well-known/jwks.json"),  # public keys of the 行政行为码 (RFC 7517)
    ("POST", "/api/v1/codes/verify"),  # anyone may verify a code
}


def _declared(dependant: Any) -> tuple[bool, bool]:
    has_perm = has_public = False
    for dep in dependant.dependencies:
        call = dep.call
        if getattr(call, "wurao_permission", None) is not None:
            has_perm = True
        if getattr(call, "wurao_public", False):
            has_public = True
        p, q = _declared(dep)
        has_perm, has_public = has_perm or p, has_public or q
    return has_perm, has_public


def api_routes(app: Any) -> Iterator[tuple[str, set[str], APIRoute]]:
    """Every API route of the application as (full path, methods, route). FastAPI keeps
    included routers as branches (``app.routes`` holds no APIRoute of theirs); the route
    contexts are the flattened view."""
    for context in routing.iter_route_contexts(app.routes):
        if isinstance(context.route, APIRoute):
            yield context.path, set(context.methods or ()), context.route


def test_the_walker_sees_every_route(app) -> None:  # type: ignore[no-untyped-def]
    seen = {(m, path) for path, methods, _ in api_routes(app) for m in methods}
    assert len(seen) > 150
    assert {("GET", "/api/v1/me"), ("POST", "/login"), ("GET", "/v/{token}")} <= seen


def test_every_route_declares_a_permission(app) -> None:  # type: ignore[no-untyped-def]
    undeclared, wrongly_public = [], []
    for path, methods, route in api_routes(app):
        has_perm, has_public = _declared(route.dependant)
        for method in methods:
            key = (method, path)
            if (
                has_public
                and key not in PUBLIC_ROUTES
                and not path.startswith((PUBLIC_PREFIX, OPEN_DATA_PREFIX))
            ):
                wrongly_public.append(key)
            if not has_perm and not has_public:
                undeclared.append(key)
    assert not undeclared, f"routes without a declared permission: {undeclared}"
    assert not wrongly_public, f"public routes not in the allow-list: {wrongly_public}"


def test_anonymous_is_sent_to_sign_in(client: TestClient) -> None:
    resp = client.get("/admin/users", follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"].startswith("/login")
    api = client.get("/api/v1/users")
    assert api.status_code == 401
    assert api.json()["error"] == "not_authenticated"


def test_sign_in_reaches_home_and_sign_out(client: TestClient) -> None:
    csrf = sign_in(client, "kc_sfj")
    home = client.get("/")
    assert "执法监督机构工作台" in home.text
    assert "柯城区" in home.text
    out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/admin/users", follow_redirects=False).status_code == 303


def test_wrong_password_shows_chinese_error(client: TestClient) -> None:
    page = client.get("/login")
    resp = client.post(
        "/login",
        data={"username": "kc_sfj", "password": "bad", "csrf_token": csrf_of(page.text)},
    )
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.text


def test_form_without_csrf_is_refused(client: TestClient) -> None:
    resp = client.post("/login", data={"username": "kc_sfj", "password": "x"})
    assert resp.status_code == 403
    assert "CSRF" in resp.text


def test_page_scope_neighbour_county_not_visible(client: TestClient, db: Session) -> None:
    sign_in(client, "kc_sfj")
    page = client.get("/admin/users?q=qj_")
    assert page.status_code == 200
    assert "qj_sfj" not in page.text
    assert "kc_scjg_zhang" in client.get("/admin/users").text


def test_api_scope_with_bearer_token(client: TestClient, db: Session, personas: Personas) -> None:
    _, raw = auth_service.create_api_token(db, actor=personas.supervisor, name="测试")
    headers = {"Authorization": f"Bearer {raw}"}
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["username"] == "kc_sfj"
    listing = client.get("/api/v1/users", headers=headers).json()
    assert listing["total"] >= 1
    assert all(u["region_code"].startswith("330802") for u in listing["items"])
    neighbour = db.scalar(select(User).where(User.username == "qj_sfj"))
    assert neighbour is not None
    typed = client.get(f"/api/v1/users/{neighbour.id}", headers=headers)
    assert typed.status_code == 404
    assert typed.json()["error"] == "not_found"


def test_revoked_token_is_refused(client: TestClient, db: Session, personas: Personas) -> None:
    token, raw = auth_service.create_api_token(db, actor=personas.officer, name="临时")
    auth_service.revoke_api_token(db, actor=personas.officer, token_id=token.id)
    resp = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert resp.status_code == 401


def test_forbidden_page_is_chinese(client: TestClient) -> None:
    sign_in(client, "kc_scjg_zhang")
    resp = client.get("/admin/audit")
    assert resp.status_code == 403
    assert "无权访问" in resp.text


def test_not_found_page_is_chinese(client: TestClient) -> None:
    resp = client.get("/no/such/page")
    assert resp.status_code == 404
    assert "页面不存在" in resp.text


def test_api_create_user_typed_error(client: TestClient, db: Session, personas: Personas) -> None:
    _, raw = auth_service.create_api_token(db, actor=personas.admin, name="管理")
    resp = client.post(
        "/api/v1/users",
        headers={"Authorization": f"Bearer {raw}"},
        json={
            "username": "apiuser",
            "display_name": "接口",
            "password": "short",
            "role": "supervisor",
            "region_code": "330802",
        },
    )
    assert resp.status_code == 422
    assert resp.json() == {
        "error": "invalid_input",
        "message": "密码至少8位。",
        "field": "password",
    }


def test_admin_creates_user_through_the_page(client: TestClient) -> None:
    csrf = sign_in(client, "admin")
    resp = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "page_user",
            "display_name": "页面用户",
            "password": "Passw0rd!x",
            "role": "supervisor",
            "region_code": "330803",
        },
        follow_redirects=True,
    )
    assert resp.status_code == 200
    assert "已创建账号 page_user" in resp.text


def test_htmx_request_gets_only_the_block(client: TestClient) -> None:
    csrf = sign_in(client, "admin")
    resp = client.post("/admin/audit/verify", headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert resp.status_code == 200
    assert "<html" not in resp.text
    assert "哈希链完整" in resp.text


def test_unexpected_error_page_is_chinese(app, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    from fastapi import Depends

    from wurao.web.deps import public

    def boom(_: object = Depends(public)) -> None:
        raise RuntimeError("boom")

    app.add_api_route("/boom-page", boom)
    app.add_api_route("/api/v1/boom", boom)
    page = client.get("/boom-page")
    assert page.status_code == 500
    assert "系统出现错误" in page.text
    api = client.get("/api/v1/boom")
    assert api.status_code == 500
    assert api.json()["error"] == "internal_error"


# ---------------------------------------------------------------------------------------
# No database work on the event loop
# ---------------------------------------------------------------------------------------

# Coroutine dependencies that do no database work (they read the request or the session
# cookie, and hand any database lookup to the thread pool). Everything else, endpoints
# included, is a plain ``def``: FastAPI runs it in the thread pool, so a slow query never
# stalls the other requests.
ASYNC_ALLOWED = {
    "wurao.web.deps.current_actor_optional",
    "wurao.web.deps.public",
    "wurao.web.deps.require.<locals>.dependency",
    "wurao.web.deps.form_fields",
    "wurao.inspections.field_api.sync_form",  # reads the multipart form; no query
    "wurao.web.deps.get_db",  # hands over the session TxRoute opened; no query
}


def _async_calls(dependant: Any, seen: set[str]) -> None:
    import inspect

    for dep in dependant.dependencies:
        call = dep.call
        if inspect.iscoroutinefunction(call):
            seen.add(f"{call.__module__}.{call.__qualname__}")
        _async_calls(dep, seen)


def test_no_endpoint_runs_on_the_event_loop(app) -> None:  # type: ignore[no-untyped-def]
    import inspect

    endpoints, dependencies = [], set()
    for path, methods, route in api_routes(app):
        if inspect.iscoroutinefunction(route.endpoint):
            endpoints.append(f"{sorted(methods)} {path}")
        _async_calls(route.dependant, dependencies)
    assert not endpoints, f"async def endpoints (make them def): {endpoints}"
    unexpected = dependencies - ASYNC_ALLOWED
    assert not unexpected, f"async dependencies outside the allow-list: {sorted(unexpected)}"


# ---------------------------------------------------------------------------------------
# HEAD
# ---------------------------------------------------------------------------------------


def _sample_path(path: str) -> str:
    """A concrete URL for a route template (every parameter "1")."""
    import re

    return re.sub(r"\{[^}]+\}", "1", path)


def test_head_answers_like_get_on_every_route(client: TestClient, app) -> None:  # type: ignore[no-untyped-def]
    gets = sorted({_sample_path(path) for path, methods, _ in api_routes(app) if "GET" in methods})
    assert len(gets) > 50
    gets += ["/static/css/app.css", "/no/such/page", "/api/v1/no-such-thing"]
    mismatched = []
    for who in (None, "kc_sfj"):
        if who:
            sign_in(client, who)
        for url in gets:
            get = client.get(url, follow_redirects=False)
            head = client.head(url, follow_redirects=False)
            if head.status_code != get.status_code or head.content:
                mismatched.append((who, url, get.status_code, head.status_code, len(head.content)))
            elif get.status_code == 200 and "content-type" in get.headers:
                assert head.headers["content-type"] == get.headers["content-type"], url
    assert not mismatched, f"HEAD differs from GET: {mismatched}"
    # A route that only takes POST refuses HEAD as it refuses GET.
    assert client.head("/logout").status_code == client.get("/logout").status_code == 405
