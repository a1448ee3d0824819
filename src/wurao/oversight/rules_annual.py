"""F5 STATS-PUBLICATION: annual enforcement data published by 31 January.

The publication state lives in reports (above oversight), so this rule asks through
``Event.ANNUAL_STATS_DUE`` and raises what the handlers answer (``reports/annual/reminders``);
oversight never imports reports. Registered in ``wurao.oversight.rules``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from wurao.core.events import Event, emit
from wurao.oversight.rule_base import Context, Finding


def unpublished(session: Session, ctx: Context) -> list[Finding]:
    """Each announced subject without published data for last year: due, then late."""
    return [f for found in emit(session, Event.ANNUAL_STATS_DUE, today=ctx.today) for f in found]
