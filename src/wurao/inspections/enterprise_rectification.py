"""Proof against a 责令整改 order (docs/enterprise.md "Rectification orders").

An order is a finished inspection record whose outcome is ``rectify``, with its deadline. The
enterprise uploads proof (files kept once by SHA-256, core/evidence_store.py); a subject of the
task accepts it (the order is rectified) or returns it with a reason. Both sides see the same
deadline and state. These orders are the enterprise's; the subject's own rectification items
(oversight/rectification) are a different thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from sqlalchemy import Row, Select, exists, select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.core import audit, evidence_store
from wurao.core.errors import Conflict, InvalidInput, NotFound
from wurao.core.lifecycle import LabelledEnum, Lifecycle, step
from wurao.core.paging import PER_PAGE, Page, paginate_rows
from wurao.core.time import local_today, utcnow
from wurao.inspections.enterprise_models import RectificationProof
from wurao.inspections.enterprise_service import agency_subject, enterprise_of
from wurao.inspections.models import InspectionRecord, InspectionTask, TaskSubject
from wurao.registry.models import EnforcementSubject, Enterprise

RECTIFY = "rectify"  # records.OUTCOMES: 责令整改
NOTE_MAX = 2000


class ProofStatus(LabelledEnum):
    """RectificationProof.status."""

    SUBMITTED = ("submitted", "待审核")
    ACCEPTED = ("accepted", "已认可")
    RETURNED = ("returned", "已退回")


PROOFS = Lifecycle(
    "整改材料",
    ProofStatus,
    {
        "accept": step(ProofStatus.SUBMITTED, ProofStatus.ACCEPTED, "认可"),
        "return": step(ProofStatus.SUBMITTED, ProofStatus.RETURNED, "退回"),
    },
)


class OrderState(LabelledEnum):
    """Where an order stands, derived from its proofs and the deadline."""

    OPEN = ("open", "待整改")
    OVERDUE = ("overdue", "已逾期")
    SUBMITTED = ("submitted", "整改材料待审核")
    RETURNED = ("returned", "材料被退回，请重新提交")
    DONE = ("done", "已整改")


@dataclass
class Order:
    """A 责令整改 order with its proofs, newest first."""

    record: InspectionRecord
    task: InspectionTask
    enterprise: Enterprise
    subjects: list[str] = field(default_factory=list)
    proofs: list[RectificationProof] = field(default_factory=list)

    @property
    def deadline(self) -> dt.date | None:
        """The rectification deadline written in the record."""
        return self.record.rectify_deadline

    @property
    def state(self) -> OrderState:
        """The order's state for both sides."""
        if any(p.status == ProofStatus.ACCEPTED for p in self.proofs):
            return OrderState.DONE
        if self.proofs and self.proofs[0].status == ProofStatus.SUBMITTED:
            return OrderState.SUBMITTED
        if self.deadline is not None and local_today() > self.deadline:
            return OrderState.OVERDUE
        if self.proofs:
            return OrderState.RETURNED
        return OrderState.OPEN

    @property
    def may_upload(self) -> bool:
        """Whether the enterprise may upload proof now (not while one waits, not once done)."""
        return self.state not in (OrderState.DONE, OrderState.SUBMITTED)

    @property
    def waiting(self) -> RectificationProof | None:
        """The proof waiting for the subject's answer."""
        return self.proofs[0] if self.state is OrderState.SUBMITTED else None


def _orders() -> Select[InspectionRecord, InspectionTask, Enterprise]:
    return (
        select(InspectionRecord, InspectionTask, Enterprise)
        .join(InspectionTask, InspectionTask.id == InspectionRecord.task_id)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .where(InspectionRecord.outcome == RECTIFY, InspectionRecord.finished_at.is_not(None))
    )


def _of_subject(subject_id: int) -> Select[InspectionRecord, InspectionTask, Enterprise]:
    mine = exists().where(
        TaskSubject.task_id == InspectionTask.id, TaskSubject.subject_id == subject_id
    )
    return _orders().where(mine)


def _fill(
    session: Session, rows: Sequence[tuple[InspectionRecord, InspectionTask, Enterprise]]
) -> list[Order]:
    orders = {rec.id: Order(record=rec, task=task, enterprise=ent) for rec, task, ent in rows}
    if not orders:
        return []
    by_task = {o.task.id: o for o in orders.values()}
    for tid, name in session.execute(
        select(TaskSubject.task_id, EnforcementSubject.name)
        .join(EnforcementSubject, EnforcementSubject.id == TaskSubject.subject_id)
        .where(TaskSubject.task_id.in_(list(by_task)))
        .order_by(TaskSubject.lead.desc(), EnforcementSubject.name)
    ):
        by_task[tid].subjects.append(name)
    for proof in session.scalars(
        select(RectificationProof)
        .where(RectificationProof.record_id.in_(list(orders)))
        .order_by(RectificationProof.uploaded_at.desc(), RectificationProof.id.desc())
    ):
        orders[proof.record_id].proofs.append(proof)
    return [orders[rec.id] for rec, _, _ in rows]


def enterprise_orders(session: Session, *, actor: Actor, page: int = 1) -> Page[Order]:
    """The enterprise's rectification orders, earliest deadline first."""
    enterprise = enterprise_of(session, actor)
    stmt = _orders().where(InspectionTask.enterprise_id == enterprise.id)
    stmt = stmt.order_by(InspectionRecord.rectify_deadline, InspectionRecord.id)
    found = _paginate(session, stmt, page)
    return found.with_items(_fill(session, found.items))


def subject_orders(session: Session, *, actor: Actor, page: int = 1) -> Page[Order]:
    """The rectification orders of the actor's subject's inspections, earliest deadline first."""
    stmt = _of_subject(agency_subject(actor))
    stmt = stmt.order_by(InspectionRecord.rectify_deadline, InspectionRecord.id)
    found = _paginate(session, stmt, page)
    return found.with_items(_fill(session, found.items))


def _paginate(
    session: Session, stmt: Select[InspectionRecord, InspectionTask, Enterprise], page: int
) -> Page[Row[InspectionRecord, InspectionTask, Enterprise]]:
    return paginate_rows(session, stmt, page, PER_PAGE)


def enterprise_order(session: Session, *, actor: Actor, record_id: int) -> Order:
    """One of the enterprise's orders."""
    enterprise = enterprise_of(session, actor)
    row = session.execute(
        _orders().where(
            InspectionRecord.id == record_id, InspectionTask.enterprise_id == enterprise.id
        )
    ).first()
    if row is None:
        raise NotFound("整改通知不存在或不属于本企业。")
    return _fill(session, [row])[0]


def subject_order(session: Session, *, actor: Actor, record_id: int) -> Order:
    """One order of the actor's subject's inspections."""
    row = session.execute(
        _of_subject(agency_subject(actor)).where(InspectionRecord.id == record_id)
    ).first()
    if row is None:
        raise NotFound("整改通知不存在，或不是本执法主体的检查。")
    return _fill(session, [row])[0]


def upload_proof(
    session: Session, *, actor: Actor, record_id: int, filename: str, stream: BinaryIO, note: str
) -> RectificationProof:
    """The enterprise uploads proof against an order; the file is kept by its SHA-256."""
    order = enterprise_order(session, actor=actor, record_id=record_id)
    if not order.may_upload:
        raise Conflict(f"该整改通知当前为“{order.state.label}”，不能再上传材料。")
    name = evidence_store.clean_filename(filename)
    text = note.strip()
    if len(text) > NOTE_MAX:
        raise InvalidInput("整改说明不能超过2000个字。", field="note")
    sha, size = evidence_store.store(stream)
    if size == 0:
        raise InvalidInput("上传的文件是空的。", field="file")
    proof = RectificationProof(
        record_id=order.record.id,
        filename=name,
        sha256=sha,
        size=size,
        note=text,
        status=ProofStatus.SUBMITTED.value,
        uploaded_by_id=actor.user_id,
        uploaded_at=utcnow(),
    )
    session.add(proof)
    audit.record(
        session,
        actor=actor,
        action="rectification_proof.upload",
        obj=proof,
        summary=f"企业提交整改材料（任务 {order.task.id}，{name}，SHA-256 {sha[:12]}…）",
        region_code=order.task.region_code,
    )
    return proof


def answer_proof(
    session: Session, *, actor: Actor, proof_id: int, accept: bool, answer: str
) -> RectificationProof:
    """The subject accepts the proof (the order is rectified) or returns it with a reason."""
    proof = session.scalar(
        select(RectificationProof).where(RectificationProof.id == proof_id).with_for_update()
    )
    if proof is None:
        raise NotFound("整改材料不存在。")
    order = subject_order(session, actor=actor, record_id=proof.record_id)
    text = answer.strip()
    if not accept and not text:
        raise InvalidInput("退回时请写明理由。", field="answer")
    before = audit.snapshot(proof)
    PROOFS.advance(proof, "accept" if accept else "return")
    proof.answer = text
    proof.answered_by_id = actor.user_id
    proof.answered_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action=f"rectification_proof.{'accept' if accept else 'return'}",
        obj=proof,
        before=before,
        summary=f"{'认可' if accept else '退回'}企业整改材料（任务 {order.task.id}）",
        region_code=order.task.region_code,
    )
    return proof


def proof_for_download(session: Session, *, actor: Actor, proof_id: int) -> RectificationProof:
    """A proof the actor may download: the enterprise's own, or one of the subject's orders."""
    proof = session.get(RectificationProof, proof_id)
    if proof is None:
        raise NotFound("整改材料不存在。")
    if actor.enterprise_uscc:
        enterprise_order(session, actor=actor, record_id=proof.record_id)
    else:
        subject_order(session, actor=actor, record_id=proof.record_id)
    return proof
