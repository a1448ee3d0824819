"""Oversight's reactions to the inspection and planning events (``wurao.core.events``).

Why here: inspections and planning sit below oversight and only ``emit``; this module is the
one place that ties each event to the supervision-on-write functions of ``triggers`` (which
rules run on which write is documented there) and to the other writes oversight owns for
them — the clue an evaluation reporting misconduct becomes, the inbox message a 异地检查's
local counterpart receives. ``register()`` is called once per process by
``wurao.wiring.register_handlers``; calling it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.cases.models import PenaltyCase
from wurao.core import audit
from wurao.core.audit import AuditActor
from wurao.core.events import Event, subscribe
from wurao.core.time import utcnow
from wurao.inspections import cross_region, cross_region_notice
from wurao.inspections.models import (
    CrossRegionApproval,
    Evaluation,
    InspectionRecord,
    InspectionTask,
)
from wurao.oversight import engine, service, triggers
from wurao.oversight.filings import service as filings
from wurao.oversight.filings.models import MajorFiling
from wurao.oversight.models import Alert, InboxMessage
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem


def task_created(session: Session, *, task: InspectionTask) -> list[Alert]:
    """Task created by hand: the rules of ``triggers.ON_CREATE``."""
    return triggers.task_created(session, task=task)


def task_edited(session: Session, *, task: InspectionTask) -> list[Alert]:
    """Draft edited: the rules of ``triggers.ON_EDIT``."""
    return triggers.task_edited(session, task=task)


def tasks_drawn(session: Session, *, task_ids: frozenset[int]) -> list[Alert]:
    """Tasks of a 双随机 draw created: the rules of ``triggers.ON_DRAW``, all at once."""
    return triggers.tasks_drawn(session, task_ids=task_ids)


def task_coded(session: Session, *, task: InspectionTask, warned: frozenset[str]) -> list[Alert]:
    """Code issued: the rules of ``triggers.ON_CODE`` that can find something."""
    return triggers.code_issued(session, task=task, warned=warned)


def record_started(session: Session, *, task: InspectionTask) -> list[Alert]:
    """Inspection started: the rules of ``triggers.ON_START``."""
    return triggers.record_started(session, task=task)


def record_finished(
    session: Session, *, task: InspectionTask, record: InspectionRecord
) -> list[Alert]:
    """Record finished: the indicators, then the rules of ``triggers.ON_FINISH``."""
    return triggers.record_finished(session, task=task, record=record)


def evaluation_submitted(
    session: Session, *, task: InspectionTask, evaluation: Evaluation, actor: AuditActor
) -> list[Alert]:
    """Evaluation submitted: misconduct becomes a clue first (the rules may read it), then
    the indicators and the rules of ``triggers.ON_EVALUATION``."""
    if evaluation.misconduct:
        service.clue_from_evaluation(session, evaluation=evaluation, task=task, actor=actor)
    return triggers.evaluation_submitted(session, task=task, evaluation=evaluation)


def special_changed(session: Session) -> list[Alert]:
    """Special inspection created or moved on: the rules of ``triggers.ON_SPECIAL``."""
    return triggers.special_changed(session)


def cross_region_coded(
    session: Session,
    *,
    actor: Actor,
    subject: EnforcementSubject,
    enterprise: Enterprise,
    approval: CrossRegionApproval,
    window: tuple[dt.date, dt.date],
    items: Sequence[InspectionItem],
    code_number: str,
) -> list[InboxMessage]:
    """A 异地检查 was coded: each local counterpart of the subject receives an inbox message
    (衢政办发〔2025〕16号 第10项: ……并告知当地主管部门)."""
    title = f"异地检查告知：{subject.name}检查{enterprise.name}"[:200]
    body = cross_region_notice.notice_body(
        subject=subject,
        enterprise=enterprise,
        approval=approval,
        window=window,
        items=items,
        code_number=code_number,
    )
    now = utcnow()
    out = []
    for local in cross_region_notice.counterparts(session, subject, enterprise):
        msg = InboxMessage(
            subject_id=local.id,
            kind=cross_region.INBOX_KIND,
            title=title,
            body=body,
            link="",
            created_at=now,
        )
        session.add(msg)
        audit.record(
            session,
            actor=actor,
            action="inbox.send",
            obj=msg,
            region_code=local.region_code,
            summary=f"告知{local.name}：{subject.name}异地检查{enterprise.name}（{code_number}）",
        )
        out.append(msg)
    return out


def case_decided(session: Session, *, case: PenaltyCase, actor: Actor) -> MajorFiling | None:
    """A penalty decision: its major-decision filing (D25) when the policy says it qualifies."""
    return filings.filing_for_case(session, case=case, actor=actor)


def register() -> None:
    """Subscribe oversight's handlers (idempotent)."""
    subscribe(Event.TASK_CREATED, task_created)
    subscribe(Event.TASK_EDITED, task_edited)
    subscribe(Event.TASKS_DRAWN, tasks_drawn)
    subscribe(Event.TASK_CODED, task_coded)
    subscribe(Event.CROSS_REGION_CODED, cross_region_coded)
    subscribe(Event.RECORD_STARTED, record_started)
    subscribe(Event.RECORD_FINISHED, record_finished)
    subscribe(Event.EVALUATION_SUBMITTED, evaluation_submitted)
    subscribe(Event.SPECIAL_CHANGED, special_changed)
    subscribe(Event.RECTIFICATION_CHANGED, engine.follow_item)
    subscribe(Event.CASE_DECIDED, case_decided)
