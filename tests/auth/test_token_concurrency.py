"""Bearer-token reads under concurrency: a GET never needs the write lock.

Eight clients with one API token read at once against a real server (uvicorn in a thread)
bound to a fresh migrated database with the application's own session factories, on SQLite
(a file, WAL) and on PostgreSQL. Every answer must be a 200, and the token's last use is
still recorded.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.conftest import DB_PREFIX, fresh_database_url
from wurao.auth import service as auth_service
from wurao.auth.models import ApiToken, User
from wurao.core import migrate, workdays
from wurao.core.db import make_engine
from wurao.demo.seed import seed_foundation

CLIENTS = 8
ROUNDS = 12
PATHS = ("/api/v1/me", "/api/v1/users", "/api/v1/users?q=kc_")

pytestmark = pytest.mark.xdist_group("token-concurrency")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A new migrated database with the personas committed (not the shared test database:
    the requests here commit for real)."""
    url = fresh_database_url(request.param, tmp_path, f"{DB_PREFIX}_tokens")
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        seed_foundation(session)
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def live(fresh_engine: Engine) -> Iterator[str]:
    """The real application (its own session factories) served by uvicorn in a thread."""
    from wurao.web.app import create_app

    app = create_app(fresh_engine)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("the test server did not start")
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        workdays.configure(None)


def _token(engine: Engine, username: str) -> tuple[int, str]:
    with Session(engine) as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        token, raw = auth_service.create_api_token(
            session, actor=auth_service.actor_for(user), name="并发测试"
        )
        session.commit()
        return token.id, raw


def test_concurrent_bearer_reads_never_fail(fresh_engine: Engine, live: str) -> None:
    token_id, raw = _token(fresh_engine, "kc_sfj")
    headers = {"Authorization": f"Bearer {raw}"}
    start = threading.Barrier(CLIENTS)

    def client(n: int) -> list[int]:
        statuses = []
        with httpx.Client(base_url=live, headers=headers, timeout=60) as http:
            start.wait()
            for i in range(ROUNDS):
                try:
                    resp = http.get(PATHS[(n + i) % len(PATHS)])
                    statuses.append(resp.status_code)
                except httpx.TransportError:
                    statuses.append(-1)  # connection reset: counted as a failure
        return statuses

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = [s for batch in pool.map(client, range(CLIENTS)) for s in batch]

    counts = Counter(results)
    assert counts == {200: CLIENTS * ROUNDS}, f"statuses: {dict(counts)}"
    with Session(fresh_engine) as session:
        token = session.get(ApiToken, token_id)
        assert token is not None
        assert token.last_used_at is not None, "the token's use was not recorded"


def test_token_use_is_recorded_only_when_stale(fresh_engine: Engine, live: str) -> None:
    """One write every few minutes at most: a fresh mark is left alone, a stale one renewed."""
    import datetime as dt

    from wurao.core.time import utcnow

    token_id, raw = _token(fresh_engine, "kc_sfj")
    headers = {"Authorization": f"Bearer {raw}"}
    recent = utcnow() - dt.timedelta(minutes=1)
    with Session(fresh_engine) as session:
        token = session.get(ApiToken, token_id)
        assert token is not None
        token.last_used_at = recent
        session.commit()
    assert httpx.get(f"{live}/api/v1/me", headers=headers).status_code == 200
    with Session(fresh_engine) as session:
        token = session.get(ApiToken, token_id)
        assert token is not None
        assert token.last_used_at == recent, "a fresh mark was rewritten"
        token.last_used_at = utcnow() - auth_service.TOKEN_USE_RESOLUTION * 2
        session.commit()
    assert httpx.get(f"{live}/api/v1/me", headers=headers).status_code == 200
    with Session(fresh_engine) as session:
        token = session.get(ApiToken, token_id)
        assert token is not None and token.last_used_at is not None
        assert utcnow() - token.last_used_at < dt.timedelta(minutes=1)


def test_a_write_request_records_the_use_in_its_own_transaction(
    fresh_engine: Engine, live: str
) -> None:
    """A write already holds the lock: its token is marked in the request's transaction."""
    token_id, raw = _token(fresh_engine, "admin")
    resp = httpx.post(
        f"{live}/api/v1/users",
        headers={"Authorization": f"Bearer {raw}"},
        json={
            "username": "token_writer",
            "display_name": "令牌写入",
            "password": "Passw0rd!x",
            "role": "supervisor",
            "region_code": "330802",
        },
    )
    assert resp.status_code == 201, resp.text
    with Session(fresh_engine) as session:
        token = session.get(ApiToken, token_id)
        assert token is not None and token.last_used_at is not None
