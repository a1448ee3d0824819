"""Routing a clue to a subject and its deadline (a working-day clock read from the policy).

The clock is declared once here and used by the page, the overdue filter and 督办, so that
they cannot disagree (core/clock.py); its rule is the catalogue's F2 CLUE-DEADLINE.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_

from wurao.core import rules as catalogue
from wurao.core.clock import WORKING, Clock
from wurao.core.policy import get_policy
from wurao.oversight.clues.statuses import ClueStatus
from wurao.oversight.models import Clue

PARAM = "clue.answer_working_days"
TYPES_PARAM = "clue.problem_types"

CLUE_RULE = catalogue.F2_CLUE_DEADLINE

ANSWER_CLOCK = Clock(CLUE_RULE, "监督线索办理期限", "线索交办执法主体", PARAM, WORKING)


def due_on(routed_on: dt.date, region: str) -> dt.date:
    """The last day for the subject's answer to a clue routed on ``routed_on``."""
    return ANSWER_CLOCK.deadline(routed_on, region)


def overdue_days(clue: Clue, today: dt.date) -> int:
    """Working days a routed clue is past its deadline (0 while in time or not routed)."""
    if clue.status != ClueStatus.ROUTED or clue.routed_on is None:
        return 0
    return ANSWER_CLOCK.overdue_by(clue.routed_on, clue.region_code, today)


def is_overdue(clue: Clue, today: dt.date) -> bool:
    """Whether a routed clue's answer is late."""
    return clue.status == ClueStatus.ROUTED and clue.due_on is not None and clue.due_on < today


def overdue_filter(today: dt.date) -> ColumnElement[bool]:
    """The statement condition of :func:`is_overdue` (the stored deadline is the clock's)."""
    return and_(Clue.status == ClueStatus.ROUTED.value, Clue.due_on < today)


def problem_types(region: str, on: dt.date) -> dict[str, str]:
    """``{code: 中文名称}`` of the problem types in force for a region (policy data)."""
    value = get_policy().value(TYPES_PARAM, region, on)
    return {str(k): str(v) for k, v in dict(value).items()}
