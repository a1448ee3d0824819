"""Domain events: a lower domain announces a write, a higher one reacts in the same transaction.

Why: supervision (oversight) must evaluate its rules the moment an inspection is coded,
started or finished, but inspections sit below oversight — they must not import it. The
inspection service therefore ``emit``\\s a named event; oversight subscribes its handlers at
start-up (``wurao.wiring.register_handlers``, called by the web app factory, the CLI, the
benchmarks and the test setup). Handlers run synchronously, in registration order, on the
caller's ``Session``: what they write commits or rolls back with the write that caused it, and
an exception in a handler aborts the whole request, as the call it replaces did.

Every declared event is expected to have a handler: emitting one nobody subscribed to raises
``EventNotWired`` rather than doing nothing, so a forgotten ``register_handlers()`` in a new
entry point fails loudly instead of silently losing alerts. The payload is checked against
the names declared with the event.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

Handler = Callable[..., Any]


class Event(StrEnum):
    """The events a domain may emit. Declared once, with a Chinese label for any page that
    names the write, and the payload each emit must carry (besides the session)."""

    TASK_CREATED = "task.created"
    TASK_EDITED = "task.edited"
    TASKS_DRAWN = "tasks.drawn"
    TASK_CODED = "task.coded"
    CROSS_REGION_CODED = "cross_region.coded"
    RECORD_STARTED = "record.started"
    RECORD_FINISHED = "record.finished"
    EVALUATION_SUBMITTED = "evaluation.submitted"
    SPECIAL_CHANGED = "special.changed"
    RECTIFICATION_CHANGED = "rectification.changed"
    CASE_DECIDED = "case.decided"
    ANNUAL_STATS_DUE = "annual_stats.due"  # the sweep asks reports for F5 STATS findings

    @property
    def label(self) -> str:
        """What happened, in Chinese."""
        return _DECLARED[self][0]

    @property
    def payload(self) -> frozenset[str]:
        """The keyword arguments every ``emit`` of this event passes."""
        return _DECLARED[self][1]


_DECLARED: dict[Event, tuple[str, frozenset[str]]] = {
    Event.TASK_CREATED: ("创建检查任务", frozenset({"task"})),
    Event.TASK_EDITED: ("修改检查任务", frozenset({"task"})),
    Event.TASKS_DRAWN: ("双随机抽取生成任务", frozenset({"task_ids"})),
    # ``warned``: the rule ids the issue's own pre-checks, run under the task's lock, warned on
    Event.TASK_CODED: ("赋码", frozenset({"task", "warned"})),
    Event.CROSS_REGION_CODED: (
        "异地检查赋码",
        frozenset({"actor", "subject", "enterprise", "approval", "window", "items", "code_number"}),
    ),
    Event.RECORD_STARTED: ("开始检查", frozenset({"task"})),
    Event.RECORD_FINISHED: ("完成检查笔录", frozenset({"task", "record"})),
    Event.EVALUATION_SUBMITTED: ("企业提交评价", frozenset({"task", "evaluation", "actor"})),
    Event.SPECIAL_CHANGED: ("专项检查立项或变更", frozenset()),
    Event.RECTIFICATION_CHANGED: ("整改事项状态变化", frozenset({"item", "action", "actor"})),
    Event.CASE_DECIDED: ("作出行政处罚决定", frozenset({"case", "actor"})),
    Event.ANNUAL_STATS_DUE: ("年度行政执法数据公告期", frozenset({"today"})),
}


class EventNotWired(RuntimeError):
    """An event was emitted with no handler subscribed: an entry point forgot to call
    ``wurao.wiring.register_handlers()`` (a programming error, never shown to a user)."""


_handlers: dict[Event, list[Handler]] = {}


def subscribe(event: Event, handler: Handler) -> None:
    """Run ``handler(session, **payload)`` on every ``emit`` of ``event``; subscribing the same
    handler again does nothing, so registration may run once per entry point."""
    handlers = _handlers.setdefault(event, [])
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(event: Event, handler: Handler) -> None:
    """Remove a handler (tests that add a temporary one)."""
    handlers = _handlers.get(event, [])
    if handler in handlers:
        handlers.remove(handler)


def subscribers(event: Event) -> tuple[Handler, ...]:
    """The handlers of ``event`` in the order they run."""
    return tuple(_handlers.get(event, ()))


def emit(session: Session, event: Event, **payload: Any) -> list[Any]:
    """Run the event's handlers in order in the caller's transaction; their results in order.

    Raises ``TypeError`` when the payload differs from the declared one and ``EventNotWired``
    when nothing is subscribed.
    """
    if set(payload) != event.payload:
        raise TypeError(f"event {event.value} takes {sorted(event.payload)}, got {sorted(payload)}")
    handlers = _handlers.get(event)
    if not handlers:
        raise EventNotWired(
            f"no handler subscribed to {event.value}: call wurao.wiring.register_handlers() "
            "at start-up"
        )
    return [handler(session, **payload) for handler in list(handlers)]
