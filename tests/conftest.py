"""Test fixtures: every database test runs on SQLite and on PostgreSQL.

The schema is built by the Alembic migrations once per database and worker; fixed personas
are committed once; each test then runs inside a transaction that is rolled
back. PostgreSQL is found on 127.0.0.1:5432 (``scripts/ensure-system.sh`` installs and starts
it when missing; ``WURAO_TEST_PG_URL`` points elsewhere). A missing server is an error, never a
skip.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.permissions import Role
from wurao.auth.scope import SYSTEM_ACTOR, Actor
from wurao.core import migrate
from wurao.core.db import make_engine
from wurao.demo.seed import DEMO_PASSWORD, seed_foundation
from wurao.wiring import register_handlers

# Services emit events that oversight handles (wurao.core.events); wire them as the entry
# points do, before any test writes.
register_handlers()

# TestClient speaks plain HTTP to "testserver": a Secure session cookie (the default outside
# localhost) would never be sent back. The tests of the default build their own app.
os.environ.setdefault("WURAO_COOKIE_SECURE", "false")
PG_BASE = os.environ.get("WURAO_TEST_PG_URL", "postgresql://postgres:postgres@127.0.0.1:5432")
# Distinct prefixes let several checkouts run their suites on one server at once.
DB_PREFIX = os.environ.get("WURAO_TEST_DB_PREFIX", "wurao_test")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def _pg_url(dbname: str) -> str:
    return f"{PG_BASE.rstrip('/')}/{dbname}".replace("postgresql://", "postgresql+psycopg://", 1)


def fresh_pg_database(name: str) -> str:
    """Drop and create a PostgreSQL database; returns its URL."""
    admin = create_engine(_pg_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return _pg_url(name)


def fresh_database_url(kind: str, tmp_dir: Path, name: str) -> str:
    """A new empty database of ``kind`` (sqlite or postgresql)."""
    if kind == "sqlite":
        path = tmp_dir / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    return fresh_pg_database(f"{name}_{_worker()}")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database with the fixed personas committed, per backend."""
    kind: str = request.param
    url = fresh_database_url(kind, tmp_path_factory.mktemp(kind), DB_PREFIX)
    eng = make_engine(url)
    migrate.upgrade(url)
    with Session(eng) as session:
        seed_foundation(session)
        session.commit()
    yield eng
    eng.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    conn = engine.connect()
    trans = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        trans.rollback()
        conn.close()


@dataclass(frozen=True)
class Personas:
    """The fixed personas, as service-layer actors."""

    admin: Actor
    supervisor: Actor  # 柯城区司法局
    neighbour_supervisor: Actor  # 衢江区司法局
    agency_admin: Actor  # 柯城区市场监管局
    officer: Actor  # 柯城区市场监管局
    other_officer: Actor  # 柯城区应急管理局
    legal_reviewer: Actor
    enterprise: Actor


@pytest.fixture
def personas(db: Session) -> Personas:
    """Actors for the demo personas."""
    from sqlalchemy import select

    from wurao.auth.models import User

    def a(username: str) -> Actor:
        user = db.scalar(select(User).where(User.username == username))
        assert user is not None
        return auth_service.actor_for(user)

    return Personas(
        admin=a("admin"),
        supervisor=a("kc_sfj"),
        neighbour_supervisor=a("qj_sfj"),
        agency_admin=a("kc_scjg_admin"),
        officer=a("kc_scjg_zhang"),
        other_officer=a("kc_yjj_li"),
        legal_reviewer=a("kc_scjg_fzsh"),
        enterprise=a("qiye_demo"),
    )


@pytest.fixture
def app(db: Session) -> Iterator[Any]:
    """The application with every request using the test's session."""
    from wurao.core import workdays
    from wurao.core.holidays import load_calendar
    from wurao.web.app import create_app

    application = create_app(db.get_bind().engine)
    application.state.session_factories = {False: lambda: db, True: lambda: db}
    workdays.configure(lambda: load_calendar(db))
    yield application
    workdays.configure(None)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """An HTTP client for the app (cookies kept between requests)."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token embedded in a rendered form."""
    m = CSRF_RE.search(html)
    assert m, "page has no CSRF token"
    return m.group(1)


def sign_in(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> str:
    """Sign in through the login form; returns a CSRF token for later posts."""
    page = client.get("/login")
    token = csrf_of(page.text)
    resp = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    return csrf_of(client.get("/").text)


__all__ = ["SYSTEM_ACTOR", "Personas", "Role", "csrf_of", "sign_in"]
