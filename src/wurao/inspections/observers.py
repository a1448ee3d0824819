"""伴随式监督: a supervisor or an appointed 执法监督员 accompanies an inspection (F8 OBSERVER).

Who may join: an active monitor (在聘, within the term) appointed in the task's region, or the
supervisor (执法监督机构) of that region; a supervisor may also bring a monitor along. A task
whose code is used, revoked or whose inspection is finished takes no more observers
(Conflict). A code issued after an observer joined carries them in its ``ob`` claim; the scan
page reads the observers from the database, so one who joined after the code shows too.
Observers file findings on the inspection; the findings stay here (the clue loop may list
them later, reading this table: inspections never import oversight).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import Conflict, Forbidden, InvalidInput, RuleViolation, Violation
from wurao.core.ids import region_scope_prefix
from wurao.core.paging import PER_PAGE, Page, paginate_rows
from wurao.core.time import local_today, utcnow
from wurao.inspections.models import (
    ActionCode,
    InspectionTask,
    ObserverFinding,
    TaskObserver,
)
from wurao.inspections.service import tasks_visible_to
from wurao.registry.models import Enterprise
from wurao.registry.monitors.models import EnforcementMonitor
from wurao.registry.monitors.service import MONITOR_STATES, monitor_of_user, monitor_state

OBSERVER = catalogue.F8_OBSERVER
MONITOR = "执法监督员"
SUPERVISOR = "执法监督机构"
OPEN_TASK_STATUSES = ("draft", "coded", "in_progress")
FINDING_MAX = 4000


def _violation(detail: str, evidence: dict[str, object]) -> Violation:
    return Violation(
        rule_id=OBSERVER.id,
        title=OBSERVER.title,
        source=OBSERVER.source,
        detail=detail,
        evidence=evidence,
    )


def monitor_problems(monitor: EnforcementMonitor, task: InspectionTask) -> list[Violation]:
    """Why ``monitor`` may not accompany ``task`` today (F8 OBSERVER); empty when it may."""
    day = local_today()
    problems: list[Violation] = []
    evidence: dict[str, object] = {"monitor_id": monitor.id, "name": monitor.name}
    state = monitor_state(monitor, day)
    if state != "active":
        problems.append(
            _violation(
                f"{monitor.name}的聘任状态为“{MONITOR_STATES[state]}”（聘期 "
                f"{monitor.valid_from.isoformat()} 至 {monitor.valid_to.isoformat()}），"
                "不能随行监督。",
                evidence | {"state": state},
            )
        )
    if not task.region_code.startswith(region_scope_prefix(monitor.region_code)):
        problems.append(
            _violation(
                f"{monitor.name}由{monitor.appointed_by or monitor.region_code}聘任，"
                "检查对象不在其辖区内。",
                evidence | {"monitor_region": monitor.region_code, "task_region": task.region_code},
            )
        )
    return problems


def _code_of(session: Session, task: InspectionTask) -> ActionCode | None:
    return session.scalar(select(ActionCode).where(ActionCode.task_id == task.id))


def task_open(task: InspectionTask, code: ActionCode | None) -> bool:
    """Whether the inspection can still take observers (not finished, code not used/revoked)."""
    return task.status in OPEN_TASK_STATUSES and (code is None or code.status == "valid")


def may_join(session: Session, actor: Actor, task: InspectionTask, code: ActionCode | None) -> bool:
    """Whether the task page offers the actor to join (``join`` still checks every rule)."""
    if not actor.can(Permission.TASKS_OBSERVE) or not task_open(task, code):
        return False
    if not actor.covers_region(task.region_code):
        return False
    mine = {o.user_id for o in observers_of(session, [task.id]).get(task.id, [])}
    return actor.user_id not in mine


def join(
    session: Session,
    *,
    actor: Actor,
    task: InspectionTask,
    monitor: EnforcementMonitor | None = None,
) -> TaskObserver:
    """Add an observer to a task the actor can see: ``monitor`` brought by a supervisor, or
    the actor themself (as their linked monitor if they have one). Raises RuleViolation
    (F8 OBSERVER) for an inactive or out-of-region monitor, Conflict for a closed task."""
    actor.require(Permission.TASKS_OBSERVE)
    if session.scalar(tasks_visible_to(actor).where(InspectionTask.id == task.id)) is None:
        raise Forbidden("只能加入本辖区的检查。")
    if not task_open(task, _code_of(session, task)):
        raise Conflict("该检查已完成、已取消或行政行为码已使用/撤销，不能再加入随行监督。")
    if monitor is None:
        monitor = monitor_of_user(session, actor.user_id)
        if monitor is None and actor.role not in (Role.SUPERVISOR, Role.SYSADMIN):
            raise Forbidden("只有执法监督机构或执法监督员可以随行监督。")
    if monitor is not None:
        problems = monitor_problems(monitor, task)
        if problems:
            raise RuleViolation(problems)
        taken = select(TaskObserver.id).where(
            TaskObserver.task_id == task.id, TaskObserver.monitor_id == monitor.id
        )
        observer = TaskObserver(
            task_id=task.id,
            monitor_id=monitor.id,
            user_id=monitor.user_id,
            name=monitor.name,
            capacity=MONITOR,
        )
    else:
        if not actor.covers_region(task.region_code):
            raise RuleViolation(
                [_violation("检查对象不在您的辖区内。", {"task_region": task.region_code})]
            )
        taken = select(TaskObserver.id).where(
            TaskObserver.task_id == task.id, TaskObserver.user_id == actor.user_id
        )
        observer = TaskObserver(
            task_id=task.id,
            monitor_id=None,
            user_id=actor.user_id,
            name=actor.display_name[:60],
            capacity=SUPERVISOR,
        )
    if session.scalar(taken) is not None:
        raise Conflict(f"{observer.name}已在本次检查的随行监督名单中。")
    observer.added_at = utcnow()
    observer.added_by_id = actor.user_id
    session.add(observer)
    audit.record(
        session,
        actor=actor,
        action="task.observer_join",
        obj=observer,
        region_code=task.region_code,
        summary=f"{observer.name}（{observer.capacity}）随行监督检查任务 #{task.id}",
    )
    return observer


def monitor_choices(
    session: Session, *, actor: Actor, task: InspectionTask
) -> list[EnforcementMonitor]:
    """Active monitors a supervisor may bring to ``task`` (appointed over its region)."""
    if not actor.can(Permission.TASKS_OBSERVE):
        return []
    today = local_today()
    code = task.region_code
    # The appointing region is the task's own or one above it (county, prefecture, province).
    over = {code, code[:6], code[:4] + "00", code[:2] + "0000"}
    rows = session.scalars(
        select(EnforcementMonitor)
        .where(
            EnforcementMonitor.status == "active",
            EnforcementMonitor.valid_from <= today,
            EnforcementMonitor.valid_to >= today,
            EnforcementMonitor.region_code.in_(sorted(over)),
        )
        .order_by(EnforcementMonitor.name)
        .limit(200)
    )
    return [m for m in rows if not monitor_problems(m, task)]


# --- reads ----------------------------------------------------------------------------------


def observers_of(session: Session, task_ids: Collection[int]) -> dict[int, list[TaskObserver]]:
    """Each task's observers in the order they joined (no scope: callers loaded the tasks)."""
    out: dict[int, list[TaskObserver]] = {}
    if not task_ids:
        return out
    rows = session.scalars(
        select(TaskObserver)
        .where(TaskObserver.task_id.in_(list(task_ids)))
        .order_by(TaskObserver.added_at, TaskObserver.id)
    )
    for row in rows:
        out.setdefault(row.task_id, []).append(row)
    return out


def claim(observers: list[TaskObserver]) -> list[list[object]]:
    """The ``ob`` claim of a code: [name, monitor id or null] per observer."""
    return [[o.name, o.monitor_id] for o in observers]


def findings_of(session: Session, task_id: int) -> list[tuple[ObserverFinding, TaskObserver]]:
    """The findings filed on a task, oldest first, with who filed them."""
    rows = session.execute(
        select(ObserverFinding, TaskObserver)
        .join(TaskObserver, TaskObserver.id == ObserverFinding.observer_id)
        .where(ObserverFinding.task_id == task_id)
        .order_by(ObserverFinding.created_at, ObserverFinding.id)
    )
    return [(f, o) for f, o in rows]


def observer_for(session: Session, actor: Actor, task: InspectionTask) -> TaskObserver | None:
    """The actor's own observer row on ``task`` (joined themself or as their monitor)."""
    if actor.user_id is None:
        return None
    return session.scalar(
        select(TaskObserver).where(
            TaskObserver.task_id == task.id, TaskObserver.user_id == actor.user_id
        )
    )


def add_finding(
    session: Session, *, actor: Actor, task: InspectionTask, text: str
) -> ObserverFinding:
    """An observer of ``task`` records what they found on it."""
    actor.require(Permission.TASKS_OBSERVE)
    observer = observer_for(session, actor, task)
    if observer is None:
        raise Forbidden("只有本次检查的随行监督人员可以记录监督发现。")
    body = text.strip()
    if not body:
        raise InvalidInput("请填写监督发现的问题。", field="text")
    if len(body) > FINDING_MAX:
        raise InvalidInput(f"监督发现最多{FINDING_MAX}个字。", field="text")
    finding = ObserverFinding(
        task_id=task.id,
        observer_id=observer.id,
        text=body,
        created_at=utcnow(),
        created_by_id=actor.user_id,
    )
    session.add(finding)
    audit.record(
        session,
        actor=actor,
        action="task.observer_finding",
        obj=finding,
        region_code=task.region_code,
        summary=f"{observer.name}记录检查任务 #{task.id} 的监督发现",
    )
    return finding


@dataclass(frozen=True)
class Observed:
    """One inspection the actor accompanied, for their own list."""

    task: InspectionTask
    enterprise: Enterprise
    observer: TaskObserver
    findings: int


def _mine(actor: Actor) -> Select[TaskObserver, InspectionTask, Enterprise]:
    return (
        select(TaskObserver, InspectionTask, Enterprise)
        .join(InspectionTask, InspectionTask.id == TaskObserver.task_id)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .where(TaskObserver.user_id == actor.user_id)
    )


def observed_tasks(
    session: Session, *, actor: Actor, page: int = 1, per_page: int = PER_PAGE
) -> Page[Observed]:
    """The inspections the actor accompanied (as themself or as their monitor), newest first."""
    actor.require(Permission.TASKS_OBSERVE)
    if actor.user_id is None:
        return Page(items=[], total=0, page=page, per_page=per_page)
    stmt = _mine(actor).order_by(TaskObserver.added_at.desc(), TaskObserver.id.desc())
    found = paginate_rows(session, stmt, page, per_page)
    ids = [row[0].id for row in found.items]
    counts: dict[int, int] = {}
    for observer_id in session.scalars(
        select(ObserverFinding.observer_id).where(ObserverFinding.observer_id.in_(ids))
    ):
        counts[observer_id] = counts.get(observer_id, 0) + 1
    return found.map(lambda r: Observed(r[1], r[2], r[0], counts.get(r[0].id, 0)))
