"""Reads of the opening form (登记案件): the subject's officers and the enterprises it may name,
and the prefill from an inspection record (移送立案) or a supervision clue."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import column, or_, select, table
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.cases.queries import MAX_CHOICES
from wurao.cases.statuses import Procedure
from wurao.core.errors import Forbidden, InvalidInput
from wurao.core.ids import region_scope_prefix
from wurao.core.time import local_date
from wurao.inspections.models import InspectionRecord, InspectionTask, TaskOfficer, TaskSubject
from wurao.registry.enterprises.service import enterprises_visible_to
from wurao.registry.models import EnforcementSubject, Enterprise, Officer

# The clue table belongs to oversight, a higher layer (as in cases.service).
_CLUE = table(
    "clue",
    column("id"),
    column("region_code"),
    column("enterprise_id"),
    column("description"),
    column("occurred_on"),
)

RECENT = 30  # records and clues offered, newest first

# --- the opening form --------------------------------------------------------------------


@dataclass
class FormValues:
    """The opening form's stored values: empty, or a prefill from a record or a clue (a refused
    form shows what was typed over them: web/form_state.py, cases/page_forms.py)."""

    origin: str = "own"
    procedure: str = Procedure.ORDINARY.value
    party_kind: str = "enterprise"
    enterprise_id: str = ""
    enterprise_uscc: str = ""
    person_name: str = ""
    person_ric: str = ""
    act_on: str = ""
    act_end_on: str = ""
    found_on: str = ""
    facts: str = ""
    provisions_breached: str = ""
    provisions_applied: str = ""
    officer_ids: set[str] = field(default_factory=set)
    record_id: str = ""
    clue_id: str = ""
    origin_ref: str = ""
    grave_harm: bool = False
    complex_case: bool = False


@dataclass(frozen=True)
class Choice:
    """One pickable object of the form (a picker's radio button): id, label, a detail line."""

    id: int
    label: str
    detail: str = ""


@dataclass(frozen=True)
class FormChoices:
    """The subject's officers, and the enterprises, records and clues it may name."""

    subject: EnforcementSubject
    officers: list[Officer]
    enterprises: list[Choice]
    records: list[Choice] = field(default_factory=list)
    clues: list[Choice] = field(default_factory=list)


def _subject(session: Session, actor: Actor) -> EnforcementSubject:
    actor.require(Permission.CASES_HANDLE)
    subject = session.get(EnforcementSubject, actor.subject_id or 0)
    if subject is None:
        raise Forbidden("只有执法主体的用户可以登记案件。")
    return subject


def enterprise_choices(
    session: Session, *, actor: Actor, q: str = "", picked: int | None = None
) -> list[Choice]:
    """The enterprise picked, then the enterprises the subject has inspected (or the registry's
    enterprises of its region matching ``q``: name or 统一社会信用代码)."""
    subject = _subject(session, actor)
    q = q.strip()
    if q:
        stmt = enterprises_visible_to(actor).where(
            or_(Enterprise.uscc == q.upper(), Enterprise.name.contains(q, autoescape=True))
        )
    else:
        inspected = (
            select(InspectionTask.enterprise_id)
            .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
            .where(TaskSubject.subject_id == subject.id)
        )
        stmt = select(Enterprise).where(Enterprise.id.in_(inspected))
    rows = list(session.scalars(stmt.order_by(Enterprise.name).limit(MAX_CHOICES)))
    if picked is not None:  # the picked one first, so a long list does not hide it
        chosen = next((e for e in rows if e.id == picked), None) or session.scalar(
            enterprises_visible_to(actor).where(Enterprise.id == picked)
        )
        rows = ([chosen] if chosen is not None else []) + [e for e in rows if e.id != picked]
    return [Choice(e.id, e.name, e.uscc) for e in rows]


def record_choices(session: Session, subject: EnforcementSubject) -> list[Choice]:
    """The subject's finished inspection records whose outcome is 移送立案, newest first."""
    rows = session.execute(
        select(InspectionRecord, Enterprise.name)
        .join(InspectionTask, InspectionTask.id == InspectionRecord.task_id)
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .where(
            TaskSubject.subject_id == subject.id,
            InspectionRecord.outcome == "case",
            InspectionRecord.finished_at.is_not(None),
        )
        .order_by(InspectionRecord.finished_at.desc(), InspectionRecord.id.desc())
        .limit(RECENT)
    )
    return [
        Choice(
            r.id,
            f"{name} · 检查笔录",
            f"检查任务 {r.task_id} · 完成于 {local_date(r.finished_at).isoformat()}"
            if r.finished_at
            else f"检查任务 {r.task_id}",
        )
        for r, name in rows
    ]


def clue_choices(session: Session, subject: EnforcementSubject) -> list[Choice]:
    """The supervision clues of the subject's region, newest first."""
    prefix = region_scope_prefix(subject.region_code)
    rows = session.execute(
        select(_CLUE.c.id, _CLUE.c.description, _CLUE.c.occurred_on)
        .where(_CLUE.c.region_code.startswith(prefix))
        .order_by(_CLUE.c.id.desc())
        .limit(RECENT)
    )
    out = []
    for clue_id, description, occurred in rows:
        text = str(description or "")
        label = text if len(text) <= 40 else text[:40] + "…"
        when = f" · 发生于 {str(occurred)[:10]}" if occurred else ""
        out.append(Choice(int(clue_id), label or "（无描述）", f"线索 {clue_id}{when}"))
    return out


def form_choices(
    session: Session, *, actor: Actor, q: str = "", enterprise_id: int | None = None
) -> FormChoices:
    """The actor's subject, its active officers, the enterprises to pick from (see
    ``enterprise_choices``), its records sent for a case and its region's clues."""
    subject = _subject(session, actor)
    officers = session.scalars(
        select(Officer)
        .where(Officer.subject_id == subject.id, Officer.active.is_(True))
        .order_by(Officer.kind.desc(), Officer.name)
        .limit(MAX_CHOICES)
    )
    return FormChoices(
        subject,
        list(officers),
        enterprise_choices(session, actor=actor, q=q, picked=enterprise_id),
        record_choices(session, subject),
        clue_choices(session, subject),
    )


def enterprise_id_of(session: Session, uscc: str) -> int:
    """The registry's enterprise with this 统一社会信用代码 (InvalidInput when none)."""
    found = session.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc.strip().upper()))
    if found is None:
        raise InvalidInput("检查对象名录库中没有该统一社会信用代码的企业。", field="enterprise_id")
    return found


def prefill(
    session: Session, *, actor: Actor, record_id: int | None, clue_id: int | None
) -> FormValues:
    """The form's starting values: from an inspection record (移送立案) or a clue, if given."""
    values = FormValues()
    if record_id is not None:
        record = session.get(InspectionRecord, record_id)
        task = session.get(InspectionTask, record.task_id) if record else None
        ours = session.get(TaskSubject, (task.id, actor.subject_id or 0)) if task else None
        if record is None or task is None or ours is None:
            raise InvalidInput("该检查笔录不存在，或不是本执法主体的检查。", field="record_id")
        enterprise = session.get(Enterprise, task.enterprise_id)
        officer_ids = session.scalars(
            select(TaskOfficer.officer_id).where(
                TaskOfficer.task_id == task.id, TaskOfficer.subject_id == actor.subject_id
            )
        )
        # the act was seen on the inspection's day; the lead was found when the record closed
        seen = local_date(record.started_at) if record.started_at else None
        found = local_date(record.finished_at) if record.finished_at else None
        values.origin = "record"
        values.record_id = str(record.id)
        values.enterprise_id = str(task.enterprise_id)
        values.enterprise_uscc = enterprise.uscc if enterprise else ""
        values.facts = record.findings
        values.officer_ids = {str(i) for i in officer_ids}
        values.act_on = seen.isoformat() if seen else ""
        values.found_on = found.isoformat() if found else ""
    elif clue_id is not None:
        # Only a clue of the subject's region prefills (as opening accepts only those): its
        # description must not be readable by trying ids.
        subject = session.get(EnforcementSubject, actor.subject_id or 0)
        prefix = region_scope_prefix(subject.region_code) if subject else "-"
        row = session.execute(select(_CLUE).where(_CLUE.c.id == clue_id)).first()
        if row is None or not str(row.region_code).startswith(prefix):
            raise InvalidInput("该监督线索不存在，或不在本执法主体所在地区。", field="clue_id")
        values.origin = "clue"
        values.clue_id = str(clue_id)
        values.facts = str(row.description or "")
        enterprise = session.get(Enterprise, row.enterprise_id) if row.enterprise_id else None
        if enterprise is not None:
            values.enterprise_id = str(enterprise.id)
            values.enterprise_uscc = enterprise.uscc
        if row.occurred_on is not None:
            values.act_on = str(row.occurred_on)[:10]
    return values
