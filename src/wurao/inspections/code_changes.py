"""A code after its issue: revoked with a reason (which cancels its task: a coded task is
frozen by its signed claims) or marked used when the inspection closes; each with its audit
entry. The issue itself is ``issuing``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.errors import Conflict, Forbidden, InvalidInput
from wurao.core.time import utcnow
from wurao.inspections import rules_frequency
from wurao.inspections.issuing import lock_counts, set_count, takes_part
from wurao.inspections.models import (
    ActionCode,
    InspectionTask,
)
from wurao.inspections.service import bundle
from wurao.inspections.statuses import CODE_STATUSES


def revoke_code(session: Session, *, actor: Actor, code: ActionCode, reason: str) -> ActionCode:
    """Revoke a valid code; an unused on-site count it took is given back."""
    actor.require(Permission.CODES_REVOKE)
    if not reason.strip():
        raise InvalidInput("请写明撤销理由。", field="reason")
    task = session.get(InspectionTask, code.task_id)
    assert task is not None
    b = bundle(session, task)
    if not takes_part(actor, b):
        raise Forbidden("只能撤销本单位参与的检查任务的行政行为码。")
    if code.status != "valid":
        raise Conflict(f"该码当前状态为“{CODE_STATUSES.get(code.status, code.status)}”，不能撤销。")
    counts = lock_counts(session, b)
    for s in b.subjects:
        _cap, counted, exempt = rules_frequency.cap_terms(s, task)
        if counted:
            done, exempted = counts[s.id]
            if exempt:
                set_count(session, b, s.id, done, max(0, exempted - 1))
            else:
                set_count(session, b, s.id, max(0, done - 1), exempted)
    before = audit.snapshot(code)
    code.status, code.revoked_at, code.revoked_reason = "revoked", utcnow(), reason.strip()
    audit.record(
        session,
        actor=actor,
        action="code.revoke",
        obj=code,
        before=before,
        region_code=task.region_code,
        summary=f"撤销行政行为码 {code.number}",
    )
    tb = audit.snapshot(task)
    task.status = "cancelled"
    audit.record(
        session,
        actor=actor,
        action="task.cancel",
        obj=task,
        before=tb,
        region_code=task.region_code,
        summary="行政行为码撤销，任务取消",
    )
    return code


def mark_code_used(session: Session, *, task: InspectionTask, actor: Actor) -> ActionCode:
    """Close a task's code when its record is finished (part B calls this); task → done."""
    code = session.scalars(
        select(ActionCode).where(ActionCode.task_id == task.id).with_for_update()
    ).one_or_none()
    if code is None:
        raise Conflict("该任务没有行政行为码：无码不查，检查记录无效。")
    if code.status != "valid":
        raise Conflict(
            f"该码当前状态为“{CODE_STATUSES.get(code.status, code.status)}”，不能再使用。"
        )
    before = audit.snapshot(code)
    code.status, code.used_at = "used", utcnow()
    audit.record(
        session,
        actor=actor,
        action="code.use",
        obj=code,
        before=before,
        region_code=task.region_code,
        summary=f"行政行为码 {code.number} 已使用",
    )
    if task.status in ("coded", "in_progress"):
        tb = audit.snapshot(task)
        task.status = "done"
        audit.record(
            session,
            actor=actor,
            action="task.done",
            obj=task,
            before=tb,
            region_code=task.region_code,
            summary="检查完成",
        )
    return code
