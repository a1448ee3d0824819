"""Opening and filing a penalty case, its evidence, suspensions and extensions.

Why these together: they are the case's 立案 and 调查取证 stage — the steps before anything is
proposed to the party. The later steps live in ``cases.notice`` (告知, 陈述申辩, 听证) and
``cases.decision`` (法制审核, 集体讨论, 决定, 送达, 执行, 结案). Every write checks the actor
(``cases.access``), then the stage (``CASE_LIFECYCLE``), then the rules, and logs one step of
the timeline with its audit entry in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.cases import clocks
from wurao.cases.access import check_handle
from wurao.cases.models import (
    CaseOfficer,
    CaseSequence,
    CaseStep,
    PenaltyCase,
)
from wurao.cases.rules import limitation_problems
from wurao.cases.statuses import (
    CASE_LIFECYCLE,
    Origin,
    PartyKind,
    Procedure,
)
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.db import Base, insert_for
from wurao.core.errors import Conflict, InvalidInput, NotFound, RuleViolation, Violation
from wurao.core.ids import IdentifierError, mask_ric, region_scope_prefix, validate_ric
from wurao.core.policy import PolicyError
from wurao.core.time import local_today, utcnow
from wurao.inspections.models import InspectionRecord, InspectionTask, TaskSubject
from wurao.registry.models import EnforcementSubject, Enterprise, Officer
from wurao.registry.officers.service import MIN_OFFICERS, officer_problems

MAX_TEXT = 20_000
# The clue table belongs to oversight, a higher layer: a case names a clue by id only, and this
# lightweight table lets opening check that the clue exists and lies in the subject's region.
_CLUE = table("clue", column("id"), column("region_code"))


@dataclass(frozen=True)
class CaseData:
    """What an officer enters to open a case (立案审批表's facts)."""

    origin: str  # Origin
    party_kind: str  # PartyKind
    act_on: dt.date
    found_on: dt.date
    facts: str
    officer_ids: tuple[int, ...]
    enterprise_id: int | None = None
    person_name: str = ""
    person_ric: str = ""
    act_end_on: dt.date | None = None
    provisions_breached: str = ""
    provisions_applied: str = ""
    grave_harm: bool = False
    complex_case: bool = False
    procedure: str = Procedure.ORDINARY.value
    record_id: int | None = None
    clue_id: int | None = None
    origin_ref: str = ""
    subject_id: int | None = None  # the actor's own subject unless a sysadmin names one


@dataclass(frozen=True)
class Done:
    """A step's result: the case and the WARN findings recorded with it."""

    case: PenaltyCase
    warnings: list[Violation] = field(default_factory=list)


def text(value: str, *, field: str, label: str, required: bool = False) -> str:
    """A trimmed free text of bounded length; ``required`` refuses a blank."""
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidInput(f"请填写{label}。", field=field)
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(f"{label}过长（最多{MAX_TEXT}字）。", field=field)
    return cleaned


def party_label(case: PenaltyCase) -> str:
    """The party as pages show it: an enterprise's name, or a person's name and masked ID."""
    if case.party_kind == PartyKind.PERSON:
        return f"{case.person_name}（{mask_ric(case.person_ric)}）"
    return case.party_name


def log_step(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    action: str,
    day: dt.date,
    note: str,
    before: dict[str, object] | None,
    covers: Iterable[Base] = (),
) -> CaseStep:
    """One step of the timeline and its audit entry (the case's change and the rows it wrote)."""
    entry = CaseStep(
        case_id=case.id,
        action=action,
        day=day,
        actor_id=actor.user_id,
        actor_name=actor.display_name[:60],
        note=note,
        at=utcnow(),
    )
    session.add(entry)
    audit.record(
        session,
        actor=actor,
        action=f"case.{action}",
        obj=case,
        before=before,
        summary=f"{case.number}：{note}",
        region_code=case.region_code,
        covers=[entry, *covers],
    )
    return entry


def _next_number(session: Session, subject: EnforcementSubject, year: int) -> str:
    """立案编号 per subject and year; the sequence row is locked (two officers at once)."""
    values = {"subject_id": subject.id, "year": year, "last": 0}
    session.execute(insert_for(session, CaseSequence).values(**values).on_conflict_do_nothing())
    seq = session.scalars(
        select(CaseSequence)
        .filter_by(subject_id=subject.id, year=year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    seq.last += 1
    return f"{subject.name}罚立〔{year}〕{seq.last}号"


def _subject(session: Session, actor: Actor, data: CaseData) -> EnforcementSubject:
    subject_id = data.subject_id if data.subject_id is not None else actor.subject_id
    if subject_id is None or (actor.subject_id is not None and subject_id != actor.subject_id):
        raise InvalidInput("请选择本执法主体。", field="subject_id")
    subject = session.get(EnforcementSubject, subject_id)
    if subject is None:
        raise NotFound("执法主体不存在。")
    return subject


def _officers(session: Session, subject: EnforcementSubject, ids: Iterable[int]) -> list[Officer]:
    wanted = sorted(set(ids))
    found = list(session.scalars(select(Officer).where(Officer.id.in_(wanted))))
    if len(found) != len(wanted) or any(o.subject_id != subject.id for o in found):
        raise InvalidInput("承办人员须为本执法主体的执法人员。", field="officer_ids")
    return found


def officers_problems(
    session: Session, case: PenaltyCase, on: dt.date, region: str
) -> list[Violation]:
    """B1 and A2 on ``on``: at least two of the case's officers hold a valid certificate."""
    stmt = select(Officer).join(CaseOfficer, CaseOfficer.officer_id == Officer.id)
    officers = list(session.scalars(stmt.where(CaseOfficer.case_id == case.id)))
    problems = [v for o in officers for v in officer_problems(o, on, region_code=region)]
    fit = [o for o in officers if not officer_problems(o, on, region_code=region)]
    if len(fit) < MIN_OFFICERS:
        problems.append(
            catalogue.B1.violation(
                f"案件仅有{len(fit)}名符合条件的持证执法人员，至少须两名。", field="officer_ids"
            )
        )
    return problems


def _party(session: Session, data: CaseData, today: dt.date) -> tuple[str, str, str, str]:
    """(party_kind, party_name, person_name, person_ric) after validation."""
    if data.party_kind == PartyKind.ENTERPRISE:
        enterprise = session.get(Enterprise, data.enterprise_id) if data.enterprise_id else None
        if enterprise is None:
            raise InvalidInput("请从检查对象名录库选择当事人。", field="enterprise_id")
        return PartyKind.ENTERPRISE.value, enterprise.name, "", ""
    if data.party_kind != PartyKind.PERSON:
        raise InvalidInput("当事人类型不正确。", field="party_kind")
    name = text(data.person_name, field="person_name", label="当事人姓名", required=True)
    try:
        ric = validate_ric(data.person_ric, today=today)
    except IdentifierError as exc:
        raise InvalidInput(exc.reason, field="person_ric") from exc
    return PartyKind.PERSON.value, name[:60], name[:60], ric


def _origin(session: Session, subject: EnforcementSubject, data: CaseData) -> None:
    """The case's source exists and belongs to this subject (a record: its 移送立案 outcome)."""
    if data.origin == Origin.RECORD:
        record = session.get(InspectionRecord, data.record_id) if data.record_id else None
        if record is None:
            raise InvalidInput("请选择移送立案的检查笔录。", field="record_id")
        if record.outcome != "case" or record.finished_at is None:
            raise Conflict("该检查笔录的处理结果不是“移送立案”，或笔录尚未完成。")
        task = session.get(InspectionTask, record.task_id)
        took_part = session.get(TaskSubject, (record.task_id, subject.id))
        if task is None or took_part is None:
            raise InvalidInput("该检查不是本执法主体实施的。", field="record_id")
        if data.party_kind != PartyKind.ENTERPRISE or data.enterprise_id != task.enterprise_id:
            raise InvalidInput("当事人应为被检查的企业。", field="enterprise_id")
    elif data.origin == Origin.CLUE:
        row = session.execute(select(_CLUE).where(_CLUE.c.id == data.clue_id)).first()
        if data.clue_id is None or row is None:
            raise InvalidInput("请选择监督线索。", field="clue_id")
        if not str(row.region_code).startswith(region_scope_prefix(subject.region_code)):
            raise InvalidInput("该线索不在本执法主体所在地区。", field="clue_id")
    elif data.origin == Origin.REFERRAL:
        if not data.origin_ref.strip():
            raise InvalidInput("请填写移送或交办的文号。", field="origin_ref")
    elif data.origin != Origin.OWN:
        raise InvalidInput("案件来源不正确。", field="origin")


def open_case(
    session: Session, *, actor: Actor, data: CaseData, today: dt.date | None = None
) -> PenaltyCase:
    """Register a lead as a case awaiting the 立案 decision (D2's clock starts at discovery)."""
    actor.require(Permission.CASES_HANDLE)
    today = today or local_today()
    subject = _subject(session, actor, data)
    if data.procedure not in Procedure.labels():
        raise InvalidInput("办案程序不正确。", field="procedure")
    kind, party_name, person_name, ric = _party(session, data, today)
    _origin(session, subject, data)
    if data.act_end_on is not None and data.act_end_on < data.act_on:
        raise InvalidInput("违法行为终了日期早于发生日期。", field="act_end_on")
    if data.found_on < data.act_on or data.found_on > today:
        raise InvalidInput("线索发现日期应在违法行为发生之后、今天之前。", field="found_on")
    try:
        clocks.D2_FILING.length(data.found_on, subject.region_code)
    except PolicyError as exc:
        # The clocks are versioned by date: a lead older than the first rule in force has none.
        raise InvalidInput(
            "线索发现日期早于本平台办案期限规则的施行日期，请核对日期。", field="found_on"
        ) from exc
    officers = _officers(session, subject, data.officer_ids)
    case = PenaltyCase(
        number=_next_number(session, subject, today.year),
        subject_id=subject.id,
        region_code=subject.region_code,
        field=subject.field,
        year=today.year,
        origin=data.origin,
        record_id=data.record_id if data.origin == Origin.RECORD else None,
        clue_id=data.clue_id if data.origin == Origin.CLUE else None,
        origin_ref=data.origin_ref.strip()[:120],
        procedure=data.procedure,
        party_kind=kind,
        enterprise_id=data.enterprise_id if kind == PartyKind.ENTERPRISE else None,
        person_name=person_name,
        person_ric=ric,
        party_name=party_name,
        act_on=data.act_on,
        act_end_on=data.act_end_on,
        grave_harm=data.grave_harm,
        complex_case=data.complex_case,
        facts=text(data.facts, field="facts", label="违法事实", required=True),
        provisions_breached=text(
            data.provisions_breached, field="provisions_breached", label="违反的规定"
        ),
        provisions_applied=text(
            data.provisions_applied, field="provisions_applied", label="处罚依据"
        ),
        found_on=data.found_on,
        status="lead",
        created_by_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(case)
    session.flush()
    links = [CaseOfficer(case_id=case.id, officer_id=o.id) for o in officers]
    session.add_all(links)
    log_step(
        session,
        actor=actor,
        case=case,
        action="open",
        day=data.found_on,
        note=f"登记案件线索（{Origin(data.origin).label}），当事人{party_label(case)}",
        before=None,
        covers=links,
    )
    return case


def file_case(
    session: Session, *, actor: Actor, case: PenaltyCase, on: dt.date | None = None
) -> Done:
    """立案: D1 limitation (BLOCK), two certified officers (B1/A2), D2's period (WARN)."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "file")
    on = on or local_today()
    if on < case.found_on:
        raise InvalidInput("立案日期早于线索发现日期。", field="on")
    problems = limitation_problems(case) + officers_problems(session, case, on, case.region_code)
    if problems:
        raise RuleViolation(problems)
    warnings = filing_warnings(session, case, on)
    before = audit.snapshot(case)
    CASE_LIFECYCLE.advance(case, "file")
    case.filed_on = on
    note = "立案" + "".join(f"；{w.detail}" for w in warnings)
    log_step(session, actor=actor, case=case, action="file", day=on, note=note, before=before)
    return Done(case, warnings)


def filing_warnings(session: Session, case: PenaltyCase, on: dt.date) -> list[Violation]:
    """D2 (WARN): the 立案 decision came after the filing period."""
    due = clocks.filing_deadline(case, clocks.suspensions(session, case), on)
    if on <= due:
        return []
    return [
        catalogue.D2.violation(
            f"线索于{case.found_on.isoformat()}发现，应于{due.isoformat()}前决定是否立案，"
            f"实际{on.isoformat()}立案。",
            field="on",
            deadline=due.isoformat(),
        )
    ]


def approve_filing_extension(
    session: Session, *, actor: Actor, case: PenaltyCase, approved_by: str, reason: str
) -> PenaltyCase:
    """D2: the head approved 15 more working days to decide on 立案."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "file")
    if case.filing_extended:
        raise Conflict("立案期限已经延长过一次。")
    who = text(approved_by, field="approved_by", label="批准的负责人", required=True)
    why = text(reason, field="reason", label="延长理由", required=True)
    before = audit.snapshot(case)
    case.filing_extended = True
    note = f"经{who}批准延长立案期限：{why}"
    log_step(
        session,
        actor=actor,
        case=case,
        action="extend_filing",
        day=local_today(),
        note=note,
        before=before,
    )
    return case


def not_file(
    session: Session, *, actor: Actor, case: PenaltyCase, reason: str, on: dt.date | None = None
) -> PenaltyCase:
    """不予立案, with its reason (the lead ends)."""
    return end_without_decision(
        session, actor=actor, case=case, action="not_file", on=on or local_today(),
        reason=reason, label="不予立案",
    )  # fmt: skip


def end_without_decision(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    action: str,
    on: dt.date,
    reason: str,
    label: str,
) -> PenaltyCase:
    """Close a case with no decision (不予立案, 撤案): the reason is required and is the note."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, action)
    why = text(reason, field="reason", label=f"{label}理由", required=True)
    before = audit.snapshot(case)
    CASE_LIFECYCLE.advance(case, action)
    case.closed_on = on
    case.closing_note = why
    log_step(
        session, actor=actor, case=case, action=action, day=on, note=f"{label}：{why}",
        before=before,
    )  # fmt: skip
    return case
