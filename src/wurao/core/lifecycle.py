"""Status lifecycles: a labelled status enum, a transitions table and one guard.

Plans, special inspections and the other objects that move through approval steps keep their
status in a string column. Each lifecycle declares its states once, as a
:class:`LabelledEnum` (a ``StrEnum``, so a member *is* the string stored in the column and
no migration is needed), and its actions once, as a table ``action → Transition``. Services
then call :meth:`Lifecycle.advance` instead of writing ``if obj.status not in (...)`` and a
label dictionary beside it, so every refusal names the current state and the action in the
same Chinese words. docs/architecture.md "Adding a lifecycle" shows a complete example.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

from wurao.core.errors import Conflict


class LabelledEnum(enum.StrEnum):
    """A status (or other coded choice) whose members are declared as
    ``NAME = ("value", "中文名称")``.

    The value is what the database stores; ``label`` is what a user reads (an enum value
    never reaches a user)."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        """``{value: label}`` for templates and filters, in declaration order."""
        return {m.value: m.label for m in cls}


S = TypeVar("S", bound=LabelledEnum)


@dataclass(frozen=True)
class Transition(Generic[S]):
    """One action: the states it applies to, the state it leads to (None: a guard only, the
    status stays) and its Chinese verb for the refusal message."""

    sources: frozenset[S]
    target: S | None
    verb: str


def step(sources: Iterable[S] | S, target: S | None, verb: str) -> Transition[S]:
    """A transition from one state or several (shorthand for the tables)."""
    found = frozenset([sources] if isinstance(sources, LabelledEnum) else sources)
    return Transition(found, target, verb)


class Lifecycle(Generic[S]):
    """The states and actions of one kind of object (``noun`` names it in messages)."""

    def __init__(
        self, noun: str, states: type[S], transitions: Mapping[str, Transition[S]]
    ) -> None:
        self.noun = noun
        self.states = states
        self.transitions = dict(transitions)

    def label(self, status: str) -> str:
        """Chinese label of a stored status (an unknown value is shown as it is)."""
        try:
            return self.states(status).label
        except ValueError:
            return status

    def labels(self) -> dict[str, str]:
        """``{value: label}`` of every state."""
        return self.states.labels()

    def can(self, obj: Any, action: str) -> bool:
        """Whether ``action`` applies to ``obj`` in its current status."""
        return obj.status in self.transitions[action].sources

    def check(self, obj: Any, action: str) -> Transition[S]:
        """The transition of ``action``; Conflict (naming state and action) if it does not apply."""
        move = self.transitions[action]
        if obj.status not in move.sources:
            order = list(self.states)
            wanted = "或".join(s.label for s in sorted(move.sources, key=order.index))
            raise Conflict(
                f"{self.noun}当前状态为“{self.label(obj.status)}”，不能{move.verb}；"
                f"此操作仅适用于“{wanted}”的{self.noun}。"
            )
        return move

    def advance(self, obj: Any, action: str) -> S | None:
        """Check ``action`` and move ``obj`` to its target state (if it has one)."""
        move = self.check(obj, action)
        if move.target is not None:
            obj.status = move.target.value
        return move.target
