"""N+1 guard (docs/architecture.md 8): the busiest list pages issue the same number of queries for a
short list as for a full page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.inspections import add_enterprise, add_officer, new_task, subject, world


@contextmanager
def counting(db: Session) -> Iterator[Callable[[], int]]:
    """Count the statements sent through the test's connection."""
    conn = db.connection()
    seen: list[str] = []

    def before(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(conn, "before_cursor_execute", before)
    try:
        yield lambda: len(seen)
    finally:
        event.remove(conn, "before_cursor_execute", before)


def queries_for(client: TestClient, db: Session, url: str) -> int:
    client.get(url)  # warm caches (calendar, policy) outside the count
    with counting(db) as n:
        resp = client.get(url)
        assert resp.status_code == 200, resp.text
        count = n()
    assert count > 0, "no statement was counted: the listener is not on the request's connection"
    return count


def test_tasks_list_has_no_n_plus_one(client: TestClient, db: Session, personas: Personas) -> None:
    w = world(db)
    for _ in range(2):
        new_task(db, personas.agency_admin, w, enterprise_uscc=add_enterprise(db).uscc)
    db.commit()
    sign_in(client, "kc_scjg_admin")
    few = queries_for(client, db, "/tasks")
    for _ in range(12):
        new_task(db, personas.agency_admin, w, enterprise_uscc=add_enterprise(db).uscc)
    db.commit()
    many = queries_for(client, db, "/tasks")
    assert many == few


def test_officers_list_has_no_n_plus_one(client: TestClient, db: Session) -> None:
    s = subject(db)
    add_officer(db, s)
    db.commit()
    sign_in(client, "kc_sfj")
    few = queries_for(client, db, "/registry/officers")
    for _ in range(15):
        add_officer(db, s)
    db.commit()
    assert queries_for(client, db, "/registry/officers") == few


def test_enterprises_list_has_no_n_plus_one(client: TestClient, db: Session) -> None:
    add_enterprise(db)
    db.commit()
    sign_in(client, "kc_sfj")
    few = queries_for(client, db, "/registry/enterprises")
    for _ in range(15):
        add_enterprise(db)
    db.commit()
    assert queries_for(client, db, "/registry/enterprises") == few
