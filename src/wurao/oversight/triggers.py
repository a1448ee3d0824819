"""Supervision on write: which rules each triggering write evaluates, and the functions that
evaluate them inside the write's own transaction, so that an alert exists the moment its cause
does — not only after the nightly ``wurao rules sweep``.

The lower domains do not call these functions: inspections and planning ``emit`` an event
(``wurao.core.events``) and ``oversight.handlers`` subscribes each event to its function here;
only the clue report, written by oversight itself, calls :func:`clue_reported` directly.

Which rules each write evaluates (the rest of the task-based rules cannot change there):

=================  ===================================================================
task created       A6 early warning (a visit planned to an enterprise already inspected
                   by many), A2 officers, A8 locality, F2 deregistered enterprise
code issued        A5 cap, A6 early warning, A2 officers, A4 late code, A8 locality,
                   F9 triggered frequency, F2 deregistered enterprise
record started     F3 multi-agency, A6 early warning to the others, A4 code
record finished    F3 multi-agency, A6, F3 repeated no finding, A4 code; indicators
evaluation         F2 evaluation; indicators
clue reported      F2 code-less report
special changed    A7 special-inspection quota
=================  ===================================================================

Time-driven findings (C6 results not published within the deadline, F8 trends, L1 filing)
are the sweep's alone. Tasks created by a 双随机 draw (thousands at once) are evaluated when
each is coded.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from wurao.core import rules as R
from wurao.core.events import Event
from wurao.core.rules import RuleDef
from wurao.inspections.models import Evaluation, InspectionRecord, InspectionTask
from wurao.oversight import engine, indicators
from wurao.oversight.models import Alert, Clue


def _ids(*entries: RuleDef) -> tuple[str, ...]:
    """The ids of catalogue entries (``engine`` selects supervision rules by id)."""
    return tuple(e.id for e in entries)


ON_CREATE = _ids(R.A6, R.A2, R.A8, R.F2_DEREGISTERED)
ON_CODE = _ids(R.A5, R.A6, R.A2, R.A4, R.A8, R.F9, R.F2_DEREGISTERED)
ON_START = _ids(R.F3_MULTI, R.A6, R.A4)
ON_FINISH = (*ON_START, *_ids(R.F3_REPEAT))
ON_EVALUATION = _ids(R.F2_EVALUATION)
ON_CLUE = _ids(R.F2_CODELESS)
ON_SPECIAL = _ids(R.A7)


# The rules page's "applied at" column: the events' own labels (declared once, with the
# event); the clue report is oversight's own write, not an event.
EVENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Event.TASK_CREATED.label, ON_CREATE),
    (Event.TASK_CODED.label, ON_CODE),
    (Event.RECORD_STARTED.label, ON_START),
    (Event.RECORD_FINISHED.label, ON_FINISH),
    (Event.EVALUATION_SUBMITTED.label, ON_EVALUATION),
    ("收到无码检查举报", ON_CLUE),
    (Event.SPECIAL_CHANGED.label, ON_SPECIAL),
)


def events_of(rule_id: str) -> list[str]:
    """The writes (in Chinese) on which a rule is evaluated at once, for the rules page."""
    return [label for label, ids in EVENTS if rule_id in ids]


def task_created(session: Session, *, task: InspectionTask) -> list[Alert]:
    """A task was created by hand (a plan's, a trigger's, a special inspection's)."""
    session.flush()
    return engine.evaluate_for_task(session, task, only=ON_CREATE)


def code_issued(session: Session, *, task: InspectionTask) -> list[Alert]:
    """A code was signed for the task."""
    return engine.evaluate_for_task(session, task, only=ON_CODE)


def record_started(session: Session, *, task: InspectionTask) -> list[Alert]:
    """The officer started the inspection."""
    return engine.evaluate_for_task(session, task, only=ON_START)


def record_finished(
    session: Session, *, task: InspectionTask, record: InspectionRecord
) -> list[Alert]:
    """The record was finished: the inspection counts in the indicators from now on."""
    session.flush()
    indicators.add_inspection(session, task=task, record=record)
    return engine.evaluate_for_task(session, task, only=ON_FINISH)


def evaluation_submitted(
    session: Session, *, task: InspectionTask, evaluation: Evaluation
) -> list[Alert]:
    """The enterprise submitted its evaluation."""
    session.flush()
    indicators.add_evaluation(session, task=task, evaluation=evaluation)
    return engine.evaluate_for_task(session, task, only=ON_EVALUATION)


def clue_reported(session: Session, clue: Clue) -> None:
    """A code-less inspection was reported (the rule judges that clue; the sweep, all open).
    The alert is not read back: the report's answer does not show it (#18)."""
    session.flush()
    engine.evaluate(session, only=ON_CLUE, clue_ids=frozenset({clue.id}), read_back=False)


def special_changed(session: Session) -> list[Alert]:
    """A special inspection was created or moved on (the rule counts the year's)."""
    session.flush()
    return engine.evaluate(session, only=ON_SPECIAL)
