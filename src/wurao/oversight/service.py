"""Supervision clues (线索): inspections reported without a code, misconduct in evaluations.

衢政办发〔2025〕16号 第7项: "对于现场检查未亮码……企业可以向行政执法监督机构举报，行政执法
监督机构依法依规处理". Anyone may report, without signing in; the clue lands with the
supervisor of the enterprise's region (its registry row, else USCC characters 3–8, A8).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor, region_in_scope
from wurao.core import audit
from wurao.core.audit import AuditActor, SystemActor
from wurao.core.errors import InvalidInput
from wurao.core.ids import IdentifierError, uscc_region, validate_uscc
from wurao.core.paging import PER_PAGE, Page
from wurao.core.time import local_today, utcnow
from wurao.inspections.evaluations import misconduct_labels
from wurao.inspections.models import Evaluation, InspectionTask, TaskSubject
from wurao.oversight import triggers
from wurao.oversight.clues import queries as clue_queries
from wurao.oversight.clues import service as clues
from wurao.oversight.clues.statuses import ClueSource, ClueStatus
from wurao.oversight.models import Clue
from wurao.registry.models import EnforcementSubject, Enterprise

# Labels of the clue loop's enums (oversight/clues/statuses.py), for the older pages.
CLUE_SOURCES: dict[str, str] = ClueSource.labels()
CLUE_STATUSES: dict[str, str] = ClueStatus.labels()
PUBLIC_REPORTER = SystemActor(display_name="公众举报", role_name="public")


@dataclass(frozen=True)
class CodelessReport:
    """A report of an inspection that came without a 行政行为码."""

    enterprise_name: str
    enterprise_uscc: str
    occurred_on: dt.date | None
    agency: str
    people: int | None
    description: str
    contact: str = ""


def _text(value: str, *, limit: int, field: str, label: str, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过{limit}个字。", field=field)
    return value


def _match_subject(session: Session, text: str, region: str) -> int | None:
    """The reported agency as a subject: by exact name, else the one in the region whose name
    contains the text."""
    if not text:
        return None
    exact = session.scalars(
        select(EnforcementSubject.id).where(EnforcementSubject.name == text).limit(2)
    ).all()
    if len(exact) == 1:
        return exact[0]
    county = region[:6]
    near = session.scalars(
        select(EnforcementSubject.id)
        .where(
            region_in_scope(EnforcementSubject.region_code, county),
            EnforcementSubject.name.contains(text, autoescape=True),
        )
        .limit(2)
    ).all()
    return near[0] if len(near) == 1 else None


def report_codeless(session: Session, *, report: CodelessReport) -> Clue:
    """Turn a public report of an inspection without a code into a clue for the supervisor."""
    name = _text(report.enterprise_name, limit=200, field="enterprise_name", label="企业名称")
    raw_uscc = report.enterprise_uscc.strip().upper()
    enterprise: Enterprise | None = None
    uscc = ""
    if raw_uscc:
        try:
            uscc = validate_uscc(raw_uscc)
        except IdentifierError as exc:
            raise InvalidInput(exc.reason, field="enterprise_uscc") from exc
        enterprise = session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))
    elif name:
        found = session.scalars(select(Enterprise).where(Enterprise.name == name).limit(2)).all()
        enterprise = found[0] if len(found) == 1 else None
        if enterprise is None:
            raise InvalidInput(
                "未能按企业名称确定企业，请填写统一社会信用代码。", field="enterprise_uscc"
            )
        uscc = enterprise.uscc
    else:
        raise InvalidInput("请填写企业名称或统一社会信用代码。", field="enterprise_name")
    region = enterprise.region_code if enterprise is not None else uscc_region(uscc)
    if report.occurred_on is not None and report.occurred_on > local_today():
        raise InvalidInput("检查日期不能晚于今天。", field="occurred_on")
    agency = _text(report.agency, limit=150, field="agency", label="来检查的单位", required=True)
    if report.people is not None and not 0 < report.people <= 100:
        raise InvalidInput("来人数量应在 1 至 100 之间。", field="people")
    what = _text(
        report.description, limit=4000, field="description", label="事情经过", required=True
    )
    people = f"来人 {report.people} 人。" if report.people else ""
    clue = Clue(
        source="codeless_report",
        region_code=region,
        enterprise_uscc=uscc,
        enterprise_name=name or (enterprise.name if enterprise else ""),
        subject_text=agency,
        subject_id=_match_subject(session, agency, region),
        enterprise_id=enterprise.id if enterprise is not None else None,
        occurred_on=report.occurred_on,
        description=f"{people}{what}",
        reporter_contact=_text(report.contact, limit=100, field="contact", label="联系方式"),
        status="new",
        created_at=utcnow(),
    )
    session.add(clue)
    event = clues.new_event(session, clue=clue, actor=PUBLIC_REPORTER, action="receive")
    audit.record(
        session,
        actor=PUBLIC_REPORTER,
        action="clue.report",
        obj=clue,
        summary=f"收到无码检查举报：{clue.enterprise_name}",
        region_code=region,
        covers=(event,),
    )
    triggers.clue_reported(session, clue)
    return clue


def clue_from_evaluation(
    session: Session, *, evaluation: Evaluation, task: InspectionTask, actor: AuditActor
) -> Clue:
    """An evaluation that reports misconduct becomes a clue for the region's supervisor."""
    enterprise = session.get(Enterprise, task.enterprise_id)
    lead = session.scalar(
        select(TaskSubject.subject_id)
        .where(TaskSubject.task_id == task.id)
        .order_by(TaskSubject.lead.desc())
        .limit(1)
    )
    labels = "、".join(misconduct_labels(evaluation.misconduct))
    clue = Clue(
        source="evaluation",
        region_code=task.region_code,
        enterprise_uscc=enterprise.uscc if enterprise else "",
        enterprise_name=enterprise.name if enterprise else "",
        enterprise_id=enterprise.id if enterprise else None,
        subject_id=lead,
        task_id=task.id,
        description=f"企业评价反映：{labels}。{evaluation.comment}".strip(),
        status="new",
        created_at=utcnow(),
    )
    session.add(clue)
    event = clues.new_event(session, clue=clue, actor=actor, action="receive")
    audit.record(
        session,
        actor=actor,
        action="clue.from_evaluation",
        obj=clue,
        summary=f"企业评价反映问题：{labels}",
        region_code=task.region_code,
        covers=(event,),
    )
    return clue


def clues_visible_to(actor: Actor) -> Select[Clue]:
    """Clues of the supervisor's region (and the regions below it)."""
    actor.require(Permission.CLUES_VIEW)
    return clue_queries.clues_visible_to(actor)


def list_clues(
    session: Session,
    *,
    actor: Actor,
    status: str = "",
    source: str = "",
    q: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[Clue]:
    """A page of the region's clues, newest first, filterable by status, source and name."""
    actor.require(Permission.CLUES_VIEW)
    filters = clue_queries.ClueFilters(status=status, source=source, q=q)
    return clue_queries.list_clues(
        session, actor=actor, filters=filters, page=page, per_page=per_page
    )


def get_clue(session: Session, *, actor: Actor, clue_id: int) -> Clue:
    """One clue, if it lies in the actor's region."""
    actor.require(Permission.CLUES_VIEW)
    return clue_queries.get_clue(session, actor=actor, clue_id=clue_id)


def handle_clue(session: Session, *, clue: Clue, actor: Actor, status: str, note: str) -> Clue:
    """Move a clue to handling or closed with a note (the notes accumulate)."""
    actor.require(Permission.CLUES_VIEW)
    if status == ClueStatus.HANDLING:
        return clues.handle(session, clue=clue, actor=actor, note=note)
    if status == ClueStatus.CLOSED:
        return clues.close(session, clue=clue, actor=actor, note=note, audit_action="clue.handle")
    raise InvalidInput("请选择处理中或已办结。", field="status")
