"""委托查 on a joint task, as the record page shows it: "受…委托检查：事项…".

衢政办发〔2025〕16号 第5项: during a joint inspection one subject may ask another to check its
items; the record then carries both. The delegations are written by the joint domain
(``joint.proposals.delegate``); this module only reads them for the task's own pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.inspections.models import TaskDelegation
from wurao.registry.models import EnforcementSubject, InspectionItem


@dataclass(frozen=True)
class DelegationLine:
    """One 委托查: who asked whom to check which items, and the note."""

    from_subject: str
    to_subject: str
    items: list[str]
    note: str


def lines_of(session: Session, *, task_id: int) -> list[DelegationLine]:
    """The 委托查 of a task (already checked visible by the caller), subjects and items named."""
    rows = list(
        session.scalars(
            select(TaskDelegation)
            .where(TaskDelegation.task_id == task_id)
            .order_by(TaskDelegation.id)
        )
    )
    if not rows:
        return []
    subject_ids = {r.from_subject_id for r in rows} | {r.to_subject_id for r in rows}
    item_ids = {int(i) for r in rows for i in r.item_ids.split(",") if i}
    subjects = dict(
        session.execute(
            select(EnforcementSubject.id, EnforcementSubject.name).where(
                EnforcementSubject.id.in_(subject_ids)
            )
        ).all()
    )
    items = dict(
        session.execute(
            select(InspectionItem.id, InspectionItem.name).where(InspectionItem.id.in_(item_ids))
        ).all()
    )
    return [
        DelegationLine(
            from_subject=subjects.get(r.from_subject_id, str(r.from_subject_id)),
            to_subject=subjects.get(r.to_subject_id, str(r.to_subject_id)),
            items=[items.get(int(i), i) for i in r.item_ids.split(",") if i],
            note=r.note,
        )
        for r in rows
    ]
