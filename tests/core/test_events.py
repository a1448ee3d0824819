"""Domain events (wurao.core.events): handlers run in the caller's transaction, in order, with
the declared payload; registration is idempotent and every declared event is wired."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.core import audit, events
from wurao.core.audit import SystemActor
from wurao.core.events import Event, EventNotWired, emit, subscribe, subscribers
from wurao.core.models import CalendarYear
from wurao.oversight import handlers as oversight_handlers
from wurao.wiring import register_handlers

YEAR = 2099
ACTOR = SystemActor(display_name="事件测试", role_name="system")


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch) -> None:
    """No subscriptions for the duration of a test (the real ones are restored after)."""
    monkeypatch.setattr(events, "_handlers", {})


def _write_year(session: Session) -> CalendarYear:
    row = CalendarYear(
        year=YEAR, source="事件测试", imported_at=dt.datetime.now(dt.UTC), imported_by="test"
    )
    session.add(row)
    audit.record(session, actor=ACTOR, action="calendar.import", obj=row, summary="事件测试")
    return row


@pytest.mark.usefixtures("bare")
def test_handlers_run_in_registration_order_with_the_payload() -> None:
    calls: list[tuple[str, Any, dict[str, Any]]] = []

    def first(session: Any, **payload: Any) -> str:
        calls.append(("first", session, payload))
        return "a"

    def second(session: Any, **payload: Any) -> str:
        calls.append(("second", session, payload))
        return "b"

    subscribe(Event.TASK_CREATED, first)
    subscribe(Event.TASK_CREATED, second)
    marker = object()
    session: Any = object()
    assert emit(session, Event.TASK_CREATED, task=marker) == ["a", "b"]
    assert calls == [
        ("first", session, {"task": marker}),
        ("second", session, {"task": marker}),
    ]


@pytest.mark.usefixtures("bare")
def test_subscribing_twice_runs_the_handler_once() -> None:
    seen: list[object] = []

    def handler(session: Any, **payload: Any) -> None:
        seen.append(payload["task"])

    subscribe(Event.TASK_CREATED, handler)
    subscribe(Event.TASK_CREATED, handler)
    assert subscribers(Event.TASK_CREATED) == (handler,)
    emit(object(), Event.TASK_CREATED, task=1)  # type: ignore[arg-type]
    assert seen == [1]


@pytest.mark.usefixtures("bare")
def test_an_unwired_event_fails_loudly() -> None:
    with pytest.raises(EventNotWired, match="register_handlers"):
        emit(object(), Event.SPECIAL_CHANGED)  # type: ignore[arg-type]


@pytest.mark.usefixtures("bare")
def test_the_payload_must_be_the_declared_one() -> None:
    subscribe(Event.RECORD_FINISHED, lambda session, **payload: None)
    with pytest.raises(TypeError, match="record"):
        emit(object(), Event.RECORD_FINISHED, task=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="extra"):
        emit(object(), Event.RECORD_FINISHED, task=1, record=2, extra=3)  # type: ignore[arg-type]


@pytest.mark.usefixtures("bare")
def test_registration_is_idempotent_and_wires_every_event() -> None:
    register_handlers()
    once = {event: subscribers(event) for event in Event}
    register_handlers()
    oversight_handlers.register()
    assert {event: subscribers(event) for event in Event} == once
    assert all(len(handlers) == 1 for handlers in once.values())
    for event in Event:  # the rules page shows the labels: Chinese, never the value
        assert event.label and not event.label.isascii()


@pytest.mark.usefixtures("bare")
def test_a_handler_writes_in_the_callers_transaction(db: Session) -> None:
    received: list[Session] = []

    def handler(session: Session) -> CalendarYear:
        received.append(session)
        return _write_year(session)

    subscribe(Event.SPECIAL_CHANGED, handler)
    [row] = emit(db, Event.SPECIAL_CHANGED)
    assert received == [db]
    db.flush()
    assert db.scalar(select(CalendarYear.year).where(CalendarYear.year == YEAR)) == YEAR
    db.rollback()  # the caller's transaction fails: what the handler wrote goes with it
    assert db.scalar(select(CalendarYear.year).where(CalendarYear.year == YEAR)) is None

    emit(db, Event.SPECIAL_CHANGED)
    db.commit()  # and commits with it
    assert db.scalar(select(CalendarYear.source).where(CalendarYear.year == YEAR)) == "事件测试"
    assert row.year == YEAR


@pytest.mark.usefixtures("bare")
def test_a_failing_handler_aborts_the_callers_write(db: Session) -> None:
    def handler(session: Session) -> None:
        raise RuntimeError("handler failed")

    subscribe(Event.SPECIAL_CHANGED, handler)
    _write_year(db)
    with pytest.raises(RuntimeError, match="handler failed"):
        emit(db, Event.SPECIAL_CHANGED)
    db.rollback()
    assert db.scalar(select(CalendarYear.year).where(CalendarYear.year == YEAR)) is None
