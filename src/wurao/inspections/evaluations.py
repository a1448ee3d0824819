"""The enterprise's side of an inspection: 我的检查, the one-time evaluation (事后评价).

路桥方案 二(二)6 "亮码入企、事后评价"; 衢政办发〔2025〕16号 第7项 "检查后，鼓励企业扫码评价".

The evaluation token is the credential of the public form: finishing a record draws a random
token and keeps only its SHA-256. The raw token is never stored and never shown to officers.
The enterprise obtains its link from 我的检查 by an explicit request that draws a fresh token
and replaces the stored hash (so the link works from the last request only, until the
evaluation is submitted). This keeps no raw token at rest and needs no column for one.

Individual evaluations go to the supervisor of the task's region only; the inspecting subject
sees aggregates, and only over at least five evaluations, so no enterprise can be singled out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import AGENCY_ROLES, Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.core import audit
from wurao.core.audit import SystemActor
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.core.events import Event, emit
from wurao.core.paging import PER_PAGE, Page, paginate, paginate_rows
from wurao.core.policy import get_policy
from wurao.core.time import local_today, utcnow
from wurao.inspections.models import (
    ActionCode,
    Evaluation,
    InspectionRecord,
    InspectionTask,
    TaskOfficer,
    TaskSubject,
)
from wurao.registry.models import EnforcementSubject, Enterprise, Officer

MISCONDUCT: dict[str, str] = {
    "no_code": "未亮码",
    "out_of_scope": "超范围检查",
    "repeated": "重复检查",
    "solicitation": "索要财物",
    "legal_rep": "要求法定代表人到场",
    "disturbance": "影响生产经营",
    "other": "其他",
}
# Policy parameter: how many evaluations a subject must have before it sees any aggregate.
MIN_FOR_SUMMARY_PARAM = "evaluations.min_for_summary"
# Tasks the enterprise sees: once the inspection has begun (a planned, unannounced
# inspection is not disclosed to its target in advance).
VISIBLE_TO_ENTERPRISE = ("in_progress", "done")


class EvaluationUsed(Conflict):
    """The evaluation link was used already."""

    code = "evaluation_used"


def token_hash(raw: str) -> str:
    """SHA-256 of a raw evaluation token, as stored."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(24)


def issue_evaluation(
    session: Session, *, task: InspectionTask, actor: Actor
) -> tuple[Evaluation, str]:
    """Create the task's evaluation; returns it and the raw token (kept nowhere)."""
    if session.scalar(select(Evaluation.id).where(Evaluation.task_id == task.id)) is not None:
        raise Conflict("该检查已生成企业评价。")
    raw = _new_token()
    evaluation = Evaluation(task_id=task.id, token_hash=token_hash(raw), issued_at=utcnow())
    session.add(evaluation)
    audit.record(
        session,
        actor=actor,
        action="evaluation.issue",
        obj=evaluation,
        summary=f"生成企业评价（任务 {task.id}）",
        region_code=task.region_code,
    )
    return evaluation, raw


# ---------------------------------------------------------------------------------------
# The enterprise: 我的检查
# ---------------------------------------------------------------------------------------


@dataclass
class EnterpriseInspection:
    """One inspection of the enterprise as it sees it."""

    task: InspectionTask
    subjects: list[str] = field(default_factory=list)
    officers: list[tuple[str, str]] = field(default_factory=list)  # name, certificate no.
    code_number: str = ""
    record: InspectionRecord | None = None
    evaluation: Evaluation | None = None

    @property
    def can_evaluate(self) -> bool:
        """Whether an evaluation link can be requested (finished and not yet rated)."""
        return self.evaluation is not None and self.evaluation.submitted_at is None


def _enterprise_uscc(actor: Actor) -> str:
    actor.require(Permission.HOME)
    if actor.role is not Role.ENTERPRISE or not actor.enterprise_uscc:
        raise Forbidden("只有企业账号可以查看“我的检查”。")
    return actor.enterprise_uscc


def _enterprise_tasks(actor: Actor) -> Select[InspectionTask]:
    uscc = _enterprise_uscc(actor)
    return (
        select(InspectionTask)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .where(Enterprise.uscc == uscc, InspectionTask.status.in_(VISIBLE_TO_ENTERPRISE))
    )


def enterprise_inspections(
    session: Session, *, actor: Actor, page: int = 1, per_page: int = PER_PAGE
) -> Page[EnterpriseInspection]:
    """The enterprise's inspections, newest first, with who came and under which code."""
    stmt = _enterprise_tasks(actor)
    stmt = stmt.order_by(InspectionTask.created_at.desc(), InspectionTask.id.desc())
    found = paginate(session, stmt, page, per_page)
    tasks = found.items
    rows = {t.id: EnterpriseInspection(task=t) for t in tasks}
    ids = list(rows)
    if ids:
        for tid, name in session.execute(
            select(TaskSubject.task_id, EnforcementSubject.name)
            .join(EnforcementSubject, EnforcementSubject.id == TaskSubject.subject_id)
            .where(TaskSubject.task_id.in_(ids))
            .order_by(TaskSubject.lead.desc(), EnforcementSubject.name)
        ):
            rows[tid].subjects.append(name)
        for tid, oname, cert in session.execute(
            select(TaskOfficer.task_id, Officer.name, Officer.cert_no)
            .join(Officer, Officer.id == TaskOfficer.officer_id)
            .where(TaskOfficer.task_id.in_(ids))
            .order_by(Officer.name)
        ):
            rows[tid].officers.append((oname, cert or ""))
        for tid, number in session.execute(
            select(ActionCode.task_id, ActionCode.number).where(ActionCode.task_id.in_(ids))
        ):
            rows[tid].code_number = number
        for rec in session.scalars(
            select(InspectionRecord).where(InspectionRecord.task_id.in_(ids))
        ):
            rows[rec.task_id].record = rec
        for ev in session.scalars(select(Evaluation).where(Evaluation.task_id.in_(ids))):
            rows[ev.task_id].evaluation = ev
    return found.map(lambda t: rows[t.id])


def reissue_link_token(session: Session, *, actor: Actor, task_id: int) -> str:
    """A fresh raw token for the enterprise's own evaluation; earlier links stop working."""
    task = session.scalar(_enterprise_tasks(actor).where(InspectionTask.id == task_id))
    if task is None:
        raise NotFound("检查不存在或不属于本企业。")
    evaluation = session.scalar(
        select(Evaluation).where(Evaluation.task_id == task.id).with_for_update()
    )
    if evaluation is None:
        raise Conflict("检查完成后才能评价。")
    if evaluation.submitted_at is not None:
        raise EvaluationUsed("本次检查已评价，每次检查只能评价一次。")
    before = audit.snapshot(evaluation)
    raw = _new_token()
    evaluation.token_hash = token_hash(raw)
    evaluation.issued_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="evaluation.link",
        obj=evaluation,
        before=before,
        summary=f"企业获取评价链接（任务 {task.id}）",
        region_code=task.region_code,
    )
    return raw


# ---------------------------------------------------------------------------------------
# The public form /evaluate/{token}
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationContext:
    """What the evaluation form shows about the inspection."""

    evaluation: Evaluation
    task: InspectionTask
    enterprise_name: str
    subjects: list[str]
    code_number: str
    finished_at: dt.datetime | None


def _by_token(session: Session, raw: str, *, lock: bool = False) -> Evaluation:
    stmt = select(Evaluation).where(Evaluation.token_hash == token_hash(raw.strip()))
    evaluation = session.scalar(stmt.with_for_update() if lock else stmt)
    if evaluation is None:
        raise NotFound("评价链接无效或已更换，请从“我的检查”重新获取。")
    if evaluation.submitted_at is not None:
        raise EvaluationUsed("该评价链接已使用，每次检查只能评价一次。")
    return evaluation


def evaluation_context(session: Session, *, token: str) -> EvaluationContext:
    """The inspection behind an unused evaluation token."""
    evaluation = _by_token(session, token)
    task = session.get(InspectionTask, evaluation.task_id)
    if task is None:  # pragma: no cover - the foreign key forbids it
        raise NotFound("检查不存在。")
    enterprise = session.get(Enterprise, task.enterprise_id)
    subjects = list(
        session.scalars(
            select(EnforcementSubject.name)
            .join(TaskSubject, TaskSubject.subject_id == EnforcementSubject.id)
            .where(TaskSubject.task_id == task.id)
            .order_by(TaskSubject.lead.desc(), EnforcementSubject.name)
        )
    )
    number = session.scalar(select(ActionCode.number).where(ActionCode.task_id == task.id))
    finished = session.scalar(
        select(InspectionRecord.finished_at).where(InspectionRecord.task_id == task.id)
    )
    return EvaluationContext(
        evaluation=evaluation,
        task=task,
        enterprise_name=enterprise.name if enterprise else "",
        subjects=subjects,
        code_number=number or "",
        finished_at=finished,
    )


def submit_evaluation(
    session: Session,
    *,
    token: str,
    rating: int,
    comment: str,
    misconduct: list[str],
    confirm_no_code: bool = False,
) -> Evaluation:
    """Accept the enterprise's rating once; reported misconduct also becomes a clue.

    "未亮码" for an inspection whose code was issued contradicts the platform's record: it is
    accepted only when the enterprise confirms the code was not shown to it."""
    evaluation = _by_token(session, token, lock=True)
    if not 1 <= rating <= 5:
        raise InvalidInput("请选择 1 至 5 分的评分。", field="rating")
    unknown = [m for m in misconduct if m not in MISCONDUCT]
    if unknown:
        raise InvalidInput(f"未知的问题类别：{'、'.join(unknown)}。", field="misconduct")
    text = comment.strip()
    if len(text) > 2000:
        raise InvalidInput("意见不能超过2000个字。", field="comment")
    if "other" in misconduct and not text:
        raise InvalidInput("选择“其他”时请在意见中说明。", field="comment")
    task = session.get(InspectionTask, evaluation.task_id)
    if task is None:  # pragma: no cover - the foreign key forbids it
        raise NotFound("检查不存在。")
    if "no_code" in misconduct and not confirm_no_code:
        number = session.scalar(select(ActionCode.number).where(ActionCode.task_id == task.id))
        if number:
            raise InvalidInput(
                f"本次检查已签发行政行为码 {number}。如检查人员确实未向贵企业出示该码，"
                "请勾选下方的确认后再提交。",
                field="confirm_no_code",
            )
    before = audit.snapshot(evaluation)
    evaluation.rating = rating
    evaluation.comment = text
    evaluation.misconduct = ",".join(m for m in MISCONDUCT if m in misconduct)
    evaluation.submitted_at = utcnow()
    who = SystemActor(display_name="企业（评价链接）", role_name="enterprise_token")
    audit.record(
        session,
        actor=who,
        action="evaluation.submit",
        obj=evaluation,
        before=before,
        summary=f"企业提交评价（任务 {task.id}，{rating}分）",
        region_code=task.region_code,
    )
    # oversight turns reported misconduct into a clue and keeps its figures and alerts
    emit(session, Event.EVALUATION_SUBMITTED, task=task, evaluation=evaluation, actor=who)
    return evaluation


# ---------------------------------------------------------------------------------------
# The supervisor: every evaluation of the region; the subject: aggregates only
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationRow:
    """An evaluation with its inspection, for the supervisor."""

    evaluation: Evaluation
    task: InspectionTask
    enterprise_name: str
    subjects: list[str]

    @property
    def misconduct_labels(self) -> list[str]:
        """The reported misconduct, in Chinese."""
        return misconduct_labels(self.evaluation.misconduct)


def misconduct_labels(stored: str) -> list[str]:
    """Chinese labels of a stored comma list."""
    return [MISCONDUCT.get(m, m) for m in stored.split(",") if m]


def list_evaluations(
    session: Session,
    *,
    actor: Actor,
    misconduct: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[EvaluationRow]:
    """Submitted evaluations of inspections in the supervisor's region, newest first."""
    actor.require(Permission.EVALUATIONS_VIEW)
    stmt = (
        select(Evaluation, InspectionTask, Enterprise.name)
        .join(InspectionTask, InspectionTask.id == Evaluation.task_id)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .where(
            Evaluation.submitted_at.is_not(None), region_filter(actor, InspectionTask.region_code)
        )
    )
    if misconduct:
        if misconduct not in MISCONDUCT:
            raise InvalidInput("未知的问题类别。", field="misconduct")
        stmt = stmt.where(Evaluation.misconduct.contains(misconduct, autoescape=True))
    stmt = stmt.order_by(Evaluation.submitted_at.desc(), Evaluation.id.desc())
    found = paginate_rows(session, stmt, page, per_page)
    rows = found.items
    names: dict[int, list[str]] = {row[1].id: [] for row in rows}
    if names:
        for tid, name in session.execute(
            select(TaskSubject.task_id, EnforcementSubject.name)
            .join(EnforcementSubject, EnforcementSubject.id == TaskSubject.subject_id)
            .where(TaskSubject.task_id.in_(list(names)))
            .order_by(TaskSubject.lead.desc(), EnforcementSubject.name)
        ):
            names[tid].append(name)
    return found.with_items(
        [
            EvaluationRow(evaluation=ev, task=task, enterprise_name=name, subjects=names[task.id])
            for ev, task, name in rows
        ]
    )


@dataclass(frozen=True)
class Summary:
    """A subject's evaluations in aggregate; figures are None below the threshold."""

    subject: EnforcementSubject
    count: int
    average: float | None
    misconduct: dict[str, int] | None
    minimum: int

    @property
    def shown(self) -> bool:
        """Whether there are enough evaluations to show the figures."""
        return self.average is not None


def subject_summary(session: Session, *, actor: Actor, subject_id: int | None = None) -> Summary:
    """Aggregates of the evaluations of a subject's inspections (≥ 5 to be shown)."""
    actor.require(Permission.TASKS_VIEW)
    if actor.role in AGENCY_ROLES:
        if actor.subject_id is None or subject_id not in (None, actor.subject_id):
            raise Forbidden("只能查看本执法主体的评价汇总。")
        subject_id = actor.subject_id
    if subject_id is None:
        raise InvalidInput("请选择执法主体。", field="subject_id")
    subject = session.scalar(
        select(EnforcementSubject).where(
            EnforcementSubject.id == subject_id,
            region_filter(actor, EnforcementSubject.region_code)
            if actor.role not in AGENCY_ROLES
            else EnforcementSubject.id == actor.subject_id,
        )
    )
    if subject is None:
        raise NotFound("执法主体不存在或不在您的管理范围内。")
    rows = session.execute(
        select(Evaluation.rating, Evaluation.misconduct)
        .join(TaskSubject, TaskSubject.task_id == Evaluation.task_id)
        .where(TaskSubject.subject_id == subject.id, Evaluation.submitted_at.is_not(None))
    ).all()
    count = len(rows)
    minimum = int(get_policy().value(MIN_FOR_SUMMARY_PARAM, subject.region_code, local_today()))
    if count < minimum:
        return Summary(subject=subject, count=count, average=None, misconduct=None, minimum=minimum)
    ratings = [r for r, _ in rows if r is not None]
    counter: Counter[str] = Counter(m for _, stored in rows for m in stored.split(",") if m)
    return Summary(
        subject=subject,
        count=count,
        average=round(sum(ratings) / len(ratings), 2) if ratings else 0.0,
        misconduct={key: counter.get(key, 0) for key in MISCONDUCT},
        minimum=minimum,
    )
