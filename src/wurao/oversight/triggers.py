"""Supervision on write: which rules each triggering write evaluates, and the functions that
evaluate them inside the write's own transaction, so that an alert exists the moment its cause
does — not only after the nightly ``wurao rules sweep``.

The lower domains do not call these functions: inspections and planning ``emit`` an event
(``wurao.core.events``) and ``oversight.handlers`` subscribes each event to its function here;
only the clue report, written by oversight itself, calls :func:`clue_reported` directly.

Which rules each write evaluates (the rest of the task-based rules cannot change there):

=================  ===================================================================
task created       A5 cap, A6 early warning (a visit planned to an enterprise already
                   inspected by many), A2 officers, A8 locality, F9 triggered frequency,
                   F2 deregistered enterprise — the rules whose inputs a task brings
task edited        the same (a draft's window, year and officers may change)
tasks drawn        the same, for every task of a 双随机 draw at once (set-based)
code issued        A4 late code, when the code is late; F9, when the issue's own pre-check
                   warned F9
record started     F3 multi-agency, A6 early warning to the others, A4 code
record finished    F3 multi-agency, A6, F3 repeated no finding, A4 code; indicators
evaluation         F2 evaluation; indicators
clue reported      F2 code-less report
special changed    A7 special-inspection quota
=================  ===================================================================

Why a code's issue evaluates so little (#18: the issue is on the request path at the factory
door). It turns a draft (待赋码) into a coded task and nothing else those rules read:

* A5 counts every task not cancelled, A6 the visits started and the tasks open (a draft and a
  coded task alike), A2, A8 and F2 read the task's officers, subjects and enterprise, which a
  draft's creation or edit set and were judged then. Coding changes none of their inputs; and
  the issue refuses the code while A2, A8 or the target's status fail (its BLOCK pre-checks,
  re-run under the task's lock).
* A4: a code issued now cannot be missing; it is late only when the inspection started
  without one (``started_without_code_on``), and then the rule runs.
* F9 counts triggered on-site inspections that hold a code, so coding one raises the count. The
  issue's F9 pre-check counted the same tasks under the lock and warned when this code takes
  the count past the reasonable number — exactly when the rule can find something new; the
  handler runs the rule then (with its evidence), and only then.

What changes with time alone — a region's policy value, an officer's certificate lapsing, the
multi-agency window moving — is the nightly ``wurao rules sweep``'s, as before.

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


ON_CREATE = _ids(R.A5, R.A6, R.A2, R.A8, R.F9, R.F2_DEREGISTERED)
ON_EDIT = ON_CREATE
ON_DRAW = ON_CREATE
ON_CODE = _ids(R.A4, R.F9)  # each only when it can find something (``code_issued``)
ON_START = _ids(R.F3_MULTI, R.A6, R.A4)
ON_FINISH = (*ON_START, *_ids(R.F3_REPEAT))
ON_EVALUATION = _ids(R.F2_EVALUATION)
ON_CLUE = _ids(R.F2_CODELESS)
ON_SPECIAL = _ids(R.A7)


# The rules page's "applied at" column: the events' own labels (declared once, with the
# event); the clue report is oversight's own write, not an event.
EVENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Event.TASK_CREATED.label, ON_CREATE),
    (Event.TASK_EDITED.label, ON_EDIT),
    (Event.TASKS_DRAWN.label, ON_DRAW),
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


def task_edited(session: Session, *, task: InspectionTask) -> list[Alert]:
    """A draft's window, officers or reason changed."""
    session.flush()
    return engine.evaluate_for_task(session, task, only=ON_EDIT)


def tasks_drawn(session: Session, *, task_ids: frozenset[int]) -> list[Alert]:
    """A 双随机 draw created its tasks: one set-based evaluation for all of them."""
    session.flush()
    return engine.evaluate_for_tasks(session, task_ids, only=ON_DRAW)


def code_issued(session: Session, *, task: InspectionTask, warned: frozenset[str]) -> list[Alert]:
    """A code was signed for the task: A4 when the code is late, F9 when the issue's pre-check
    (under the task's lock) warned that this code takes the triggered count past its number."""
    only = [R.A4.id] if task.started_without_code_on is not None else []
    if R.F9.id in warned:
        only.append(R.F9.id)
    if not only:
        return []
    return engine.evaluate_for_task(session, task, only=only)


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
