"""The machinery the supervision rules share: how a catalogue rule is swept
(``SupervisionRule``), what it looks at (``Context``) and what it returns (``Finding``), and
the helpers that read policy parameters per region inside set-based queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from wurao.core.policy import NATIONAL, get_policy
from wurao.core.rules import RuleDef
from wurao.inspections.models import TaskSubject

OPEN_TASK = ("draft", "coded")
STARTED_TASK = ("in_progress", "done")


@dataclass(frozen=True)
class Context:
    """What a rule evaluation looks at: the day, and optionally only some tasks."""

    today: dt.date
    task_ids: frozenset[int] | None = None
    clue_ids: frozenset[int] | None = None  # only these clues (the one just reported)
    # what a rule could not judge and why, in Chinese, for whoever runs the sweep
    notes: list[str] = field(default_factory=list, compare=False)
    # reads several rules of one evaluation share (e.g. the year's fine decisions), by key
    shared: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def year(self) -> int:
        """The calendar year of ``today``."""
        return self.today.year

    def tasks(self, column: Any) -> ColumnElement[bool]:
        """SQL restricting a task-id column to the tasks in scope (all when None)."""
        return true() if self.task_ids is None else column.in_(sorted(self.task_ids))


@dataclass(frozen=True)
class Finding:
    """One violation: where it belongs, what it says and the records it rests on."""

    dedup_key: str
    region_code: str
    detail: str
    subject_id: int | None = None
    enterprise_id: int | None = None
    task_id: int | None = None
    evidence: list[dict[str, object]] = field(default_factory=list)


@dataclass(frozen=True)
class SupervisionRule:
    """How the sweep looks for violations of one catalogue rule.

    Id, title, source, parameters and whether a threshold is unconfirmed are the catalogue
    entry's. ``alert_severity`` is set where the alert is milder than the rule (A4, A5, A7 block
    the act itself; what the sweep finds afterwards is a warning).
    """

    rule: RuleDef
    description: str  # Chinese: what the sweep looks for
    find: Callable[[Session, Context], Iterable[Finding]]
    task_based: bool = True  # evaluated again when one of its tasks is written
    alert_severity: str = ""

    @property
    def id(self) -> str:
        """The catalogue id (alerts are filed under it)."""
        return self.rule.id

    @property
    def title(self) -> str:
        """The catalogue title."""
        return self.rule.title

    @property
    def source(self) -> str:
        """The catalogue source."""
        return self.rule.source

    @property
    def severity(self) -> str:
        """The severity of the alerts raised."""
        return self.alert_severity or self.rule.severity

    @property
    def params(self) -> tuple[str, ...]:
        """The catalogue's policy parameters."""
        return self.rule.params

    @property
    def unconfirmed(self) -> bool:
        """Whether a threshold is this platform's choice (shown on the rules page)."""
        return self.rule.unconfirmed


def cite(kind: str, ident: int, label: str) -> dict[str, object]:
    """One item of a finding's evidence: the record's kind, id and a label to show."""
    return {"type": kind, "id": ident, "label": label}


def policy_value(name: str, region: str, on: dt.date) -> Any:
    """The value of a policy parameter in force for ``region`` on ``on``."""
    if region == NATIONAL:
        return _national(name, on)
    return get_policy().value(name, region, on)


def _national(name: str, on: dt.date) -> Any:
    """The national default in force (set-based queries use it before per-region checks)."""
    param = get_policy().parameters[name]
    values = [v for v in param.values if v.region == NATIONAL and v.effective <= on]
    return max(values, key=lambda v: v.effective).value


def loosest(name: str, on: dt.date, key: Callable[[list[Any]], Any] = min) -> Any:
    """``key`` over the latest value of each region that has one in force on ``on``.

    Every region's value in force is one of these, so a set-based query filtered by the
    loosest of them (``min`` of a threshold, ``union``/``common`` of lists) misses no row;
    each row is then checked against its own region's value.
    """
    latest: dict[str, Any] = {}
    for v in get_policy().parameters[name].values:
        if v.effective <= on and (v.region not in latest or v.effective > latest[v.region][0]):
            latest[v.region] = (v.effective, v.value)
    return key([value for _, value in latest.values()])


def union(lists: list[Any]) -> list[Any]:
    """The items in any of the lists (a ``key`` for ``loosest``)."""
    return sorted({item for values in lists for item in values})


def common(lists: list[Any]) -> list[Any]:
    """The items in every one of the lists (a ``key`` for ``loosest``)."""
    return sorted(set.intersection(*(set(values) for values in lists)))


class PerRegion:
    """A parameter's value per region on one day, looked up once per region."""

    def __init__(self, name: str, on: dt.date) -> None:
        self.name, self.on = name, on
        self._seen: dict[str, Any] = {}

    def __call__(self, region: str) -> Any:
        if region not in self._seen:
            self._seen[region] = policy_value(self.name, region, self.on)
        return self._seen[region]


def lead_subjects(session: Session, task_ids: Iterable[int]) -> dict[int, int]:
    """Task id → the id of its lead enforcement subject."""
    ids = sorted(set(task_ids))
    out: dict[int, int] = {}
    for i in range(0, len(ids), 5000):
        rows = session.execute(
            select(TaskSubject.task_id, TaskSubject.subject_id).where(
                TaskSubject.task_id.in_(ids[i : i + 5000]), TaskSubject.lead.is_(True)
            )
        )
        out.update({t: s for t, s in rows})
    return out
