"""The annual statistics' reactions to events: the sweep's question which subjects are due or
late (``Event.ANNUAL_STATS_DUE``), answered with F5 STATS findings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from wurao.core.events import Event, subscribe
from wurao.oversight.rule_base import Finding
from wurao.reports.annual import reminders


def annual_stats_due(session: Session, *, today: dt.date) -> list[Finding]:
    """The subjects whose previous year's data is not yet published."""
    return reminders.due_findings(session, today=today)


def register() -> None:
    """Subscribe the handlers (idempotent)."""
    subscribe(Event.ANNUAL_STATS_DUE, annual_stats_due)
