"""The door (inspections/door_api.py) answers the verify API and the scan page exactly as the routes
do, for every verdict and for every request out of the ordinary; state changes (revocation,
use, an observer joining, a key rotation) show from the next request on, on every worker.

Two modes: ``session`` (the test's session swapped in, as tests/conftest.py's ``app`` does: the
door reads through it) and ``direct`` (the application's own session factories kept, so the door
reads on its own connection, ``verification.CodeStates`` — here the test's connection)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.inspections import issue, key_dir, new_task, world
from wurao.core.time import LOCAL_TZ, local_today
from wurao.inspections import (
    code_changes,
    codes,
    door_api,
    observers,
    service,
    verification,
)
from wurao.inspections.models import InspectionTask

__all__ = ["key_dir"]
EXPIRED = dt.datetime(2026, 3, 7, 0, 0, tzinfo=LOCAL_TZ)  # the March window is 3–6 March
NOT_YET = dt.datetime(2026, 3, 2, 10, 0, tzinfo=LOCAL_TZ)
DURING = dt.datetime(2026, 3, 4, 10, 0, tzinfo=LOCAL_TZ)


@pytest.fixture(autouse=True)
def _cold_caches() -> Iterator[None]:
    codes.forget_keys()
    yield
    codes.forget_keys()


def _app(db: Session, monkeypatch: pytest.MonkeyPatch, mode: str) -> Any:
    from wurao.core import workdays
    from wurao.core.holidays import load_calendar
    from wurao.web.app import create_app

    application = create_app(db.get_bind().engine)
    if mode == "direct":  # the same factories object: the door keeps its own reads
        application.state.session_factories.update({False: lambda: db, True: lambda: db})
        monkeypatch.setattr(
            verification.CodeStates, "_connect", lambda self: db.connection().connection
        )
    else:
        application.state.session_factories = {False: lambda: db, True: lambda: db}
    workdays.configure(lambda: load_calendar(db))
    return application


@pytest.fixture(params=["session", "direct"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def door_client(
    db: Session, monkeypatch: pytest.MonkeyPatch, mode: str, key_dir: object
) -> Iterator[TestClient]:
    from wurao.core import workdays

    with TestClient(_app(db, monkeypatch, mode), raise_server_exceptions=False) as c:
        yield c
    workdays.configure(None)


class Spy:
    """Counts the door's own answers (verdicts) and page renderings."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.verdicts = self.renders = 0
        verdict = door_api.Door._verdict

        async def counted_verdict(this: door_api.Door, scope: Any, token: str) -> Any:
            self.verdicts += 1
            return await verdict(this, scope, token)

        monkeypatch.setattr(door_api.Door, "_verdict", counted_verdict)
        # the route's reads in a session (session mode) or the door's own (direct mode)
        for name in ("_rendered", "_fresh_page"):
            monkeypatch.setattr(door_api, name, self._counted(getattr(door_api, name)))

    def _counted(self, render: Any) -> Any:
        def counted(*args: Any) -> Any:
            self.renders += 1
            return render(*args)

        return counted


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    return Spy(monkeypatch)


def _route(monkeypatch: pytest.MonkeyPatch, call: Any) -> Any:
    """``call()`` with the door passing every request on to the routes."""
    with monkeypatch.context() as patch:
        patch.setattr(door_api, "VERIFY_PATH", "/nowhere")
        patch.setattr(door_api, "SCAN_PREFIX", "/nowhere/")
        return call()


def _headers(resp: Any) -> dict[str, str]:
    """The response's headers; of the session cookie (signed with the time) its name and
    attributes."""
    out = {k: v for k, v in resp.headers.items() if k != "date"}
    if "set-cookie" in out:
        name, rest = out["set-cookie"].split("=", 1)
        out["set-cookie"] = name + ";" + rest.split(";", 1)[1]
    return out


def _tampered(token: str) -> str:
    at = len(token) - 20
    return token[:at] + ("B" if token[at] == "A" else "A") + token[at + 1 :]


def _tokens(db: Session, personas: Personas) -> dict[str, str]:
    """A token for each verdict of the March window (the clock is set by the caller)."""
    w = world(db)
    tokens = {}
    for name in ("live", "revoked", "used"):
        tokens[name] = issue(db, personas.agency_admin, new_task(db, personas.agency_admin, w))
    code_changes.revoke_code(
        db, actor=personas.agency_admin, code=tokens["revoked"].code, reason="取消"
    )
    task = db.get(InspectionTask, tokens["used"].code.task_id)
    assert task is not None
    code_changes.mark_code_used(db, task=task, actor=personas.officer)
    live = tokens["live"].code
    claims = json.loads(codes.b64u_decode(live.token.split(".")[1]))
    db.commit()
    return {
        "live": live.token,
        "revoked": tokens["revoked"].code.token,
        "used": tokens["used"].code.token,
        "tampered": _tampered(live.token),
        "garbage": "not-a-code",
        "unknown": codes.sign(
            {**claims, "jti": "not-on-record"}, kid=live.kid, private=codes.load_private(live.kid)
        ),
    }


EXPECTED = {
    DURING: {"live": "valid", "revoked": "revoked", "used": "used", "tampered": "invalid",
             "garbage": "invalid", "unknown": "unknown"},
    EXPIRED: {"live": "expired"},
    NOT_YET: {"live": "not_yet", "revoked": "revoked"},
}  # fmt: skip


def test_verify_gives_the_routes_answer_for_every_verdict(
    db: Session,
    personas: Personas,
    door_client: TestClient,
    spy: Spy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tokens = _tokens(db, personas)
    for clock, expected in EXPECTED.items():
        monkeypatch.setattr(verification, "utcnow", lambda clock=clock: clock)
        for name, state in expected.items():

            def post(name: str = name) -> Any:
                return door_client.post("/api/v1/codes/verify", json={"token": tokens[name]})

            before = spy.verdicts
            fast, slow = post(), _route(monkeypatch, post)
            assert spy.verdicts == before + 1  # the door answered the first, not the second
            assert fast.status_code == slow.status_code == 200
            assert fast.json() == slow.json() and fast.json()["status"] == state, name
            assert _headers(fast) == _headers(slow)
            assert fast.headers["x-frame-options"] == "DENY"  # still inside the security layer


def test_the_scan_page_is_the_routes_page_for_every_verdict(
    db: Session,
    personas: Personas,
    door_client: TestClient,
    spy: Spy,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    tokens = _tokens(db, personas)
    first = door_client.get("/v/warm-up")  # the visitor's session (its CSRF token) starts
    assert "set-cookie" in first.headers
    shown: set[tuple[str, str]] = set()
    for clock, expected in EXPECTED.items():
        monkeypatch.setattr(verification, "utcnow", lambda clock=clock: clock)
        for name, state in expected.items():

            def get(name: str = name) -> Any:
                return door_client.get(f"/v/{tokens[name]}")

            renders = spy.renders
            fast, again, slow = get(), get(), _route(monkeypatch, get)
            assert fast.status_code == again.status_code == slow.status_code == 200
            assert fast.text == again.text == slow.text, name
            assert f'data-status="{state}"' in fast.text
            assert _headers(fast) == _headers(slow)
            # direct: rendered once per token and state, then from the cache (a revoked code
            # stays revoked when the clock moves); through a session: every time
            fresh = (name, state) not in shown
            shown.add((name, state))
            assert spy.renders == renders + (int(fresh) if mode == "direct" else 2)
    head = door_client.head(f"/v/{tokens['live']}")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(
        len(door_client.get(f"/v/{tokens['live']}").content)
    )


@pytest.mark.parametrize("mode", ["direct"])
def test_the_page_and_the_api_show_each_change_at_the_next_request(
    db: Session,
    personas: Personas,
    door_client: TestClient,
    spy: Spy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(verification, "utcnow", lambda: DURING)
    w = world(db)
    task = new_task(db, personas.agency_admin, w)
    code = issue(db, personas.agency_admin, task).code
    db.commit()
    page = f"/v/{code.token}"
    assert 'data-status="valid"' in door_client.get(page).text
    assert 'data-status="valid"' in door_client.get(page).text
    assert spy.renders == 1
    observers.join(db, actor=personas.supervisor, task=task)
    db.commit()
    seen = door_client.get(page).text
    assert 'id="observers"' in seen and personas.supervisor.display_name in seen
    # each request ended the session's transaction: load the code again before revoking it
    code, _task = service.get_code(db, actor=personas.agency_admin, number=code.number)
    code_changes.revoke_code(db, actor=personas.agency_admin, code=code, reason="检查取消")
    db.commit()
    assert 'data-status="revoked"' in door_client.get(page).text
    body = door_client.post("/api/v1/codes/verify", json={"token": code.token}).json()
    assert body["status"] == "revoked" and not body["may_enter"]
    assert spy.renders == 3


def test_every_worker_sees_revocation_and_rotation_at_once(
    db: Session, personas: Personas, monkeypatch: pytest.MonkeyPatch, key_dir: object
) -> None:
    """Two applications (two workers, each its door, key set and page cache)."""
    w = world(db)
    today = local_today()
    old = issue(
        db, personas.agency_admin, new_task(db, personas.agency_admin, w, window_start=today,
                                            window_end=today), today=today, now=None
    ).code  # fmt: skip
    db.commit()
    workers = [
        TestClient(_app(db, monkeypatch, "direct"), raise_server_exceptions=False) for _ in range(2)
    ]

    def states(token: str) -> set[str]:
        out = set()
        for c in workers:
            out.add(c.post("/api/v1/codes/verify", json={"token": token}).json()["status"])
            out.add(c.get(f"/v/{token}").text.split('data-status="')[1].split('"')[0])
        return out

    assert states(old.token) == {"valid"}
    codes.rotate_key(db, actor=personas.admin)
    newer = issue(
        db, personas.agency_admin, new_task(db, personas.agency_admin, w, window_start=today,
                                            window_end=today), today=today, now=None
    ).code  # fmt: skip
    db.commit()
    assert newer.kid != old.kid
    assert states(newer.token) == {"valid"}  # a kid unknown to the cached set: read again
    assert states(old.token) == {"valid"}  # the retired key still verifies
    code, _task = service.get_code(db, actor=personas.agency_admin, number=old.number)
    code_changes.revoke_code(db, actor=personas.agency_admin, code=code, reason="取消")
    db.commit()
    assert states(old.token) == {"revoked"}


BODIES: list[tuple[str, bytes]] = [
    ("application/json", b'{"token": 5}'),
    ("application/json", b"{}"),
    ("application/json", b'{"token": "x.y.z", "more": 1}'),
    ("application/json", b'["x.y.z"]'),
    ("application/json", b"{not json"),
    ("application/json", b'{"token": "a\\u0000b"}'),  # TextGuard's 422
    ("application/json", json.dumps({"token": "x" * 4001}).encode()),
    ("text/plain", b'{"token": "x.y.z"}'),
]


def test_requests_out_of_the_ordinary_get_the_routes_answer(
    db: Session,
    personas: Personas,
    door_client: TestClient,
    spy: Spy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for ctype, body in BODIES:

        def post(ctype: str = ctype, body: bytes = body) -> Any:
            return door_client.post(
                "/api/v1/codes/verify", content=body, headers={"content-type": ctype}
            )

        fast, slow = post(), _route(monkeypatch, post)
        assert (fast.status_code, fast.content) == (slow.status_code, slow.content), body
        assert _headers(fast) == _headers(slow), body
    assert door_client.get("/v/warm-up").status_code == 200  # the visitor's session starts
    renders = spy.renders
    for path in ("/v/abc%00def", "/v/a b", "/v/x.y.z?next=1"):
        fast = door_client.get(path)
        slow = _route(monkeypatch, lambda path=path: door_client.get(path))
        assert (fast.status_code, fast.text) == (slow.status_code, slow.text), path
        assert _headers(fast) == _headers(slow), path
    assert spy.verdicts == 0 and spy.renders == renders  # all of them went to the routes


def test_a_signed_in_visitor_gets_the_routes(
    db: Session, personas: Personas, door_client: TestClient, spy: Spy
) -> None:
    tokens = _tokens(db, personas)
    sign_in(door_client, "kc_scjg_admin")
    page = door_client.get(f"/v/{tokens['live']}")
    assert page.status_code == 200 and "退出" in page.text  # the signed-in page, with its menu
    # a cookie-carrying API call owes its CSRF token, as on every route
    assert (
        door_client.post("/api/v1/codes/verify", json={"token": tokens["live"]}).status_code == 403
    )
    assert spy.verdicts == 0 and spy.renders == 0


def test_the_direct_reads_match_the_sessions(
    db: Session, personas: Personas, monkeypatch: pytest.MonkeyPatch, key_dir: object
) -> None:
    monkeypatch.setattr(
        verification.CodeStates, "_connect", lambda self: db.connection().connection
    )
    states = verification.CodeStates(db.get_bind().engine)
    tokens = _tokens(db, personas)
    live = verification.verify_token(db, tokens["live"], details=False).code
    assert live is not None
    task = db.get(InspectionTask, live.task_id)
    assert task is not None
    observers.join(db, actor=personas.supervisor, task=task)
    db.flush()
    for name, token in tokens.items():
        through = verification.verify_token(db, token, now=DURING, details=False)
        seen = observers.observers_of(db, [through.code.task_id]) if through.code else {}
        people = tuple((o.name, o.capacity) for o in seen.get(live.task_id, []))
        for direct in (states.verify(token, now=DURING), states.scan(token, now=DURING)[0]):
            assert (direct.status, direct.code, direct.detail) == (
                through.status, through.code, through.detail
            ), name  # fmt: skip
        assert states.scan(token, now=DURING)[1] == (people if name == "live" else ()), name
    assert len(states.scan(tokens["live"], now=DURING)[1]) == 1
