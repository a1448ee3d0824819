"""The pieces every pre-check shares: the facts it reads, its outcome and the catalogue
entries it applies (``wurao.core.rules``), with the policy names the checks read.

Split from ``inspections.rules`` (which holds the table and ``run``) so that the checks of
one concern — the origin of a task, the frequency of inspections — live in modules of their own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from wurao.core import rules as catalogue
from wurao.core.errors import Violation
from wurao.core.rules import RuleDef
from wurao.inspections.models import (
    CrossRegionApproval,
    InspectionTask,
    TaskItem,
    TaskOfficer,
    TaskSubject,
)
from wurao.inspections.statuses import CODED_STATUSES, OPEN_STATUSES
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem, Officer
from wurao.sampling.statuses import DrawStatus

CAP_POLICY = "inspection.onsite_cap_per_year"
COUNTED_POLICY = "inspection.cap_counted_methods"
EXEMPT_POLICY = "inspection.cap_exempt_origins"
TRIGGERED_POLICY = "oversight.triggered_max_per_year"

ORIGINS = {
    "plan": "年度检查计划",
    "draw": "双随机抽查",
    "special": "专项检查",
    "unplanned": "经批准的计划外检查",
    "complaint": "投诉举报（触发式）",
    "referral": "转办交办（触发式）",
    "monitoring": "数据监测（触发式）",
}
TRIGGERED = frozenset({"complaint", "referral", "monitoring"})
DRAW_STATES: dict[str, str] = DrawStatus.labels()


@dataclass(frozen=True)
class Precheck:
    """One pre-check: the catalogue rule it applies, under a key the API and the tests use.

    ``aspect`` names the part of the rule checked when a rule has more than one pre-check
    (A4: the origin, and the late-code window); ``warn_only`` when the pre-check applies a
    BLOCK rule only as a warning (B5: the code carries it, the record enforces it).
    """

    key: str
    rule: RuleDef
    aspect: str = ""
    warn_only: bool = False

    @property
    def rule_id(self) -> str:
        """The catalogue id."""
        return self.rule.id

    @property
    def title(self) -> str:
        """The catalogue title, with the aspect checked."""
        return f"{self.rule.title}：{self.aspect}" if self.aspect else self.rule.title

    @property
    def source(self) -> str:
        """The catalogue source."""
        return self.rule.source

    @property
    def severity(self) -> str:
        """BLOCK or WARN, as this pre-check applies the rule."""
        return "WARN" if self.warn_only else self.rule.severity

    @property
    def params(self) -> tuple[str, ...]:
        """The catalogue's policy parameters."""
        return self.rule.params


@dataclass(frozen=True)
class OtherTask:
    """One (task, subject) row of another task of the same enterprise that A6 or F9 reads;
    ``subject_id`` is None for a task without subjects (F9 counts it, A6 does not)."""

    id: int
    subject_id: int | None
    status: str
    method: str
    origin: str
    year: int
    window_start: dt.date
    window_end: dt.date


@dataclass
class TaskFacts:
    """Everything the rules read about one task, loaded once."""

    task: InspectionTask
    enterprise: Enterprise
    subjects: list[EnforcementSubject]  # lead first
    task_subjects: dict[int, TaskSubject]
    items: list[tuple[TaskItem, InspectionItem]]
    officers: list[tuple[TaskOfficer, Officer]]
    today: dt.date
    # (counted, exempt) on-site inspections this year per subject, before this task
    counts: dict[int, tuple[int, int]] = field(default_factory=dict)
    # subject id → the 异地检查 approval A8 accepted (bound to the task when coded)
    cross_region: dict[int, CrossRegionApproval] = field(default_factory=dict)
    # the enterprise's other tasks A6 and F9 read (``others_of``: one statement for both)
    others: list[OtherTask] | None = None

    @property
    def lead(self) -> EnforcementSubject:
        """The lead subject."""
        return self.subjects[0]

    @property
    def check_dates(self) -> list[dt.date]:
        """The dates on which people and subjects must qualify: start and end of the window."""
        start = self.task.started_without_code_on or self.task.window_start
        return sorted({start, self.task.window_end})


@dataclass(frozen=True)
class Outcome:
    """One rule's verdict: ``pass``, ``fail`` (BLOCK) or ``warn``, with evidence and a note."""

    rule: Precheck
    status: str
    violations: list[Violation]
    note: str = ""


@dataclass(frozen=True)
class PrecheckResult:
    """Every rule's outcome for one task."""

    outcomes: list[Outcome]

    @property
    def blocking(self) -> list[Violation]:
        """Every BLOCK violation (all of them, never only the first)."""
        return [v for o in self.outcomes if o.status == "fail" for v in o.violations]

    @property
    def warnings(self) -> list[Violation]:
        """Every WARN finding."""
        return [v for o in self.outcomes if o.status == "warn" for v in o.violations]

    @property
    def ok(self) -> bool:
        """Whether a code may be issued."""
        return not self.blocking


Check = Callable[[Session, TaskFacts], tuple[list[Violation], str]]

# --- the rules ------------------------------------------------------------------------------

B1 = Precheck("two_officers", catalogue.B1)
A2 = Precheck("officer_cert", catalogue.A2)
A1 = Precheck("subject_qualified", catalogue.A1)
A3 = Precheck("items_published", catalogue.A3)
TARGET = Precheck("target_status", catalogue.TARGET_STATUS)
A4 = Precheck("origin_approved", catalogue.A4)
A4_LATE = Precheck("late_window", catalogue.A4, "事后补码期限")
A5 = Precheck("frequency_cap", catalogue.A5)
A8 = Precheck("locality", catalogue.A8)
F9 = Precheck("triggered_freq", catalogue.F9)
A6 = Precheck("merge_joint", catalogue.A6)
B5 = Precheck("legal_rep", catalogue.B5, "不得要求法定代表人到场", warn_only=True)


def flag(check: Precheck | RuleDef, detail: str, **evidence: object) -> Violation:
    """The violation (or, for a WARN-only check, the warning) a check reports."""
    if isinstance(check, RuleDef):
        return check.violation(detail, **evidence)
    if check.warn_only:
        return check.rule.warning(detail, **evidence)
    return check.rule.violation(detail, **evidence)


def start_of(task: InspectionTask) -> dt.date:
    """The day the inspection starts (or started, for a late code)."""
    return task.started_without_code_on or task.window_start


def item_ids_of(f: TaskFacts, subject_id: int) -> list[int]:
    """The ids of the task's items that one of its subjects checks."""
    return [t.item_id for t, _ in f.items if t.subject_id == subject_id]


# The enterprise's other tasks A6 or F9 may count, built once (the request path spends more
# on building a statement than on running it); parameters: enterprise_id, task_id, the window
# and the year. A6: open and overlapping the window. F9: a triggered on-site inspection of the
# year that takes place (coded or later) — 衢政办发〔2025〕16号 第9项 names 触发式现场检查 from
# 投诉举报、转办交办、数据监测: exempt from the cap (A5) but held to a reasonable frequency,
# counted across subjects. Outer join: F9 counts a task without subjects, A6 does not.
OTHER_TASKS = (
    select(
        InspectionTask.id,
        TaskSubject.subject_id,
        InspectionTask.status,
        InspectionTask.method,
        InspectionTask.origin,
        InspectionTask.year,
        InspectionTask.window_start,
        InspectionTask.window_end,
    )
    .outerjoin(TaskSubject, TaskSubject.task_id == InspectionTask.id)
    .where(
        InspectionTask.enterprise_id == bindparam("enterprise_id"),
        InspectionTask.id != bindparam("task_id"),
        or_(
            and_(
                InspectionTask.status.in_(OPEN_STATUSES),
                InspectionTask.window_start <= bindparam("window_end"),
                InspectionTask.window_end >= bindparam("window_start"),
            ),
            and_(
                InspectionTask.year == bindparam("year"),
                InspectionTask.origin.in_(sorted(TRIGGERED)),
                InspectionTask.method == "onsite",
                InspectionTask.status.in_(CODED_STATUSES),
            ),
        ),
    )
)


def others_of(session: Session, f: TaskFacts) -> list[OtherTask]:
    """The enterprise's other tasks that A6 (open, overlapping) or F9 (triggered on-site this
    year) may count, with their subjects: read once per pre-check, in one statement."""
    if f.others is None:
        task = f.task
        rows = session.execute(
            OTHER_TASKS,
            {
                "enterprise_id": task.enterprise_id,
                "task_id": task.id,
                "window_start": task.window_start,
                "window_end": task.window_end,
                "year": task.year,
            },
        )
        f.others = [OtherTask(*r) for r in rows]
    return f.others
