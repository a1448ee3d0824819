"""Recent inspection tasks of the actor's region, as choices for another object's form.

The clue classify form links a task by picking it from the enterprise's recent tasks in the
region instead of typing its number (issue 19 item 1). The region scope is the one the clue
service checks on submit (``oversight.clues.service.classify``).
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor, region_filter
from wurao.inspections.models import InspectionTask
from wurao.inspections.origin_choices import Choice
from wurao.inspections.precheck import ORIGINS
from wurao.inspections.statuses import TASK_STATUSES
from wurao.registry.models import Enterprise

LIMIT = 20


def _choice(task: InspectionTask, ent: Enterprise) -> Choice:
    return Choice(
        task.id,
        f"{ent.name} · {ORIGINS.get(task.origin, task.origin)} · "
        f"{task.window_start.isoformat()} 至 {task.window_end.isoformat()}",
        f"任务 {task.id} · {TASK_STATUSES.get(task.status, task.status)}",
    )


def task_choices(
    session: Session,
    *,
    actor: Actor,
    enterprise_id: int | None = None,
    enterprise_uscc: str = "",
    q: str = "",
) -> list[Choice]:
    """The region's tasks, newest first: of one enterprise when given, else found by ``q``
    (enterprise name or USCC); empty when neither narrows the list."""
    stmt = (
        select(InspectionTask, Enterprise)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .where(region_filter(actor, InspectionTask.region_code))
        .order_by(InspectionTask.created_at.desc(), InspectionTask.id.desc())
    )
    uscc = enterprise_uscc.strip().upper()
    q = q.strip()
    if q:
        stmt = stmt.where(
            or_(Enterprise.name.contains(q, autoescape=True), Enterprise.uscc == q.upper())
        )
    elif enterprise_id is not None:
        stmt = stmt.where(InspectionTask.enterprise_id == enterprise_id)
    elif uscc:
        stmt = stmt.where(Enterprise.uscc == uscc)
    else:
        return []
    return [_choice(task, ent) for task, ent in session.execute(stmt.limit(LIMIT))]


def task_choice(session: Session, *, actor: Actor, task_id: int | None) -> list[Choice]:
    """The one task already linked (so the picker shows it checked), if in the region."""
    if task_id is None:
        return []
    row = session.execute(
        select(InspectionTask, Enterprise)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .where(InspectionTask.id == task_id, region_filter(actor, InspectionTask.region_code))
    ).first()
    if row is None:
        return []
    task, ent = row
    return [_choice(task, ent)]
