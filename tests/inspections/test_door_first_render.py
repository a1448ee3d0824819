"""The door's first render of a scan page (inspections/door_api.py, #18): plain statements on
its own connection and the template, no session, no ORM objects — the same page as the route's,
byte for byte, for a task with several officers (names out of id order), items with none, one
and three checklist lines, and an observer; a name edited shows within ``PAGE_CACHE_SECONDS``."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.inspections import add_item, add_officer, issue, key_dir, new_task, world
from tests.inspections.test_door_fast_path import (
    DURING,
    Spy,
    _cold_caches,
    _route,
    door_client,
    spy,
)
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import audit
from wurao.inspections import door_api, observers, verification
from wurao.registry.models import ChecklistLine

__all__ = ["_cold_caches", "door_client", "key_dir", "spy"]
pytestmark = pytest.mark.parametrize("mode", ["direct"])  # the door's own reads


def _page(db: Session, personas: Personas) -> tuple[str, Any]:
    """A coded task of the March window with six officers, four items and an observer."""
    w = world(db)
    extra = [add_officer(db, w.subject, name=n) for n in ("王五", "张三", "李四", "赵六")]
    bare, three, more = (add_item(db, w.subject.field) for _ in range(3))
    db.execute(delete(ChecklistLine).where(ChecklistLine.item_id == bare.id))
    lines = [  # inserted out of order
        ChecklistLine(item_id=three.id, seq=seq, text=text, basis="")
        for seq, text in ((3, "查阅进货查验记录"), (2, "核对产品标识"))
    ]
    db.add_all(lines)
    audit.record(db, actor=SYSTEM_ACTOR, action="item.update", obj=three, covers=lines)
    task = new_task(
        db,
        personas.agency_admin,
        w,
        officer_ids=[o.id for o in [*w.officers, *extra]],
        item_codes=[i.code for i in (w.item, bare, three, more)],
    )
    code = issue(db, personas.agency_admin, task).code
    observers.join(db, actor=personas.supervisor, task=task)
    db.commit()
    return f"/v/{code.token}", w


def test_a_first_render_is_the_routes_page(
    db: Session,
    personas: Personas,
    door_client: TestClient,
    spy: Spy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(verification, "utcnow", lambda: DURING)
    page, _w = _page(db, personas)
    door_client.get("/v/warm-up")  # the visitor's session (its CSRF token) starts
    renders = spy.renders
    fast = door_client.get(page)
    slow = _route(monkeypatch, lambda: door_client.get(page))
    assert spy.renders == renders + 1  # the door rendered the first, the route the second
    assert fast.status_code == slow.status_code == 200
    assert fast.text == slow.text
    for shown in ("王五", "赵六", "核对产品标识", "查阅进货查验记录", 'id="observers"'):
        assert shown in fast.text
    assert fast.text.index("核对产品标识") < fast.text.index("查阅进货查验记录")


def test_a_first_render_reads_three_statements_then_one(
    db: Session,
    personas: Personas,
    door_client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(verification, "utcnow", lambda: DURING)
    page, _w = _page(db, personas)
    counted: list[str] = []
    rows = verification._Statement.rows

    def counting(self: verification._Statement, cursor: Any, params: dict[str, Any]) -> Any:
        counted.append(self.sql)
        return rows(self, cursor, params)

    monkeypatch.setattr(verification._Statement, "rows", counting)
    door_client.get(page)
    first = len(counted)
    door_client.get(page)
    # the state with the observers, the task's people, its items with their checklist lines
    # (plus the key set, read once); then the state alone
    assert first - int(any("signing_key" in sql for sql in counted)) == 3
    assert len(counted) - first == 1


def test_a_name_edited_shows_within_the_cache_time(
    db: Session,
    personas: Personas,
    door_client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(verification, "utcnow", lambda: DURING)
    clock = [1000.0]
    monkeypatch.setattr(door_api, "_clock", lambda: clock[0])
    page, w = _page(db, personas)
    old = w.enterprise.name
    assert old in door_client.get(page).text
    w.enterprise.name = "衢州改名后的企业有限公司"
    audit.record(db, actor=SYSTEM_ACTOR, action="enterprise.update", obj=w.enterprise)
    db.commit()
    clock[0] += door_api.PAGE_CACHE_SECONDS - 1
    assert old in door_client.get(page).text  # the page kept: names may be this stale
    clock[0] += 1
    fresh = door_client.get(page).text
    assert "衢州改名后的企业有限公司" in fresh and old not in fresh
    assert fresh == _route(monkeypatch, lambda: door_client.get(page)).text
