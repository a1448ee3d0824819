"""Reads of the case pages: the filtered list with each row's next deadline and the case
page's view (the opening form's choices and prefill are in ``cases.opening``).

Why the list preloads: each row shows its nearest open deadline from
``clocks.case_deadlines`` — the one computation the case page and the nightly sweep use — and
that function reads a case's suspensions and extensions. The list loads both for the whole
page in two statements and hands each case's rows to ``case_deadlines`` (``loaded``), so a
page costs the same number of queries for 2 cases as for 20 (tests/cases/test_pages.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Role
from wurao.auth.scope import Actor
from wurao.cases import clocks, investigation
from wurao.cases.access import cases_visible_to, get_case, may_handle, may_review
from wurao.cases.clocks import Deadline
from wurao.cases.models import (
    CaseEvidence,
    CaseExtension,
    CaseOfficer,
    CaseStep,
    CaseSuspension,
    PenaltyCase,
)
from wurao.cases.service import party_label
from wurao.cases.statuses import CASE_LIFECYCLE, OPEN, CaseStatus, Procedure, SuspensionKind
from wurao.core import rules as catalogue
from wurao.core.errors import InvalidInput
from wurao.core.paging import Page, paginate, paginate_list
from wurao.core.workdays import UnknownCalendarYear
from wurao.inspections.models import InspectionRecord
from wurao.registry.models import EnforcementSubject, Enterprise, Officer
from wurao.registry.subjects.service import subjects_visible_to

MAX_CHOICES = 300  # officers, enterprises and subjects offered in one select
# A party's own period that has run out (陈述申辩, 听证申请) ends the party's right; it is not
# anyone's lateness, so the list does not show it as the case's next deadline.
PARTY_PERIODS = frozenset({catalogue.D4, catalogue.D7})
# Steps of the timeline that are not lifecycle transitions, by the action ``log_step`` records.
STEP_LABELS = {
    "open": "登记案件",
    "extend_filing": "延长立案期限",
    "resume": "结束中止",
    "discretion": "记录裁量情节",
    "leniency": "适用清单",
    "publish": "公开处罚决定",
    "unpublish": "撤回公开",
    "publication_change": "决定变更、撤销",
    **{action: move.verb for action, move in CASE_LIFECYCLE.transitions.items()},
}
# Extra actions of the stage forms that are not lifecycle transitions.
END_SUSPENSION = ("end_suspension", "结束中止")
FILING_EXTENSION = ("approve_filing_extension", "批准延长立案期限")


# --- the list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    """The list's filters, as read from the URL."""

    status: str = ""
    procedure: str = ""
    year: int | None = None
    subject_id: int | None = None
    q: str = ""
    overdue: bool = False


@dataclass(frozen=True)
class NextDeadline:
    """A row's nearest open deadline, or the year whose holidays are missing to compute it."""

    deadline: Deadline | None = None
    unknown_year: int | None = None


@dataclass(frozen=True)
class CaseLine:
    """One row of the case list."""

    case: PenaltyCase
    party: str
    next: NextDeadline


def _filtered(session: Session, actor: Actor, f: CaseFilters) -> Select[PenaltyCase]:
    stmt = cases_visible_to(actor)
    if f.status:
        if f.status not in CaseStatus.labels():
            raise InvalidInput("案件状态不正确。", field="status")
        stmt = stmt.where(PenaltyCase.status == f.status)
    if f.procedure:
        if f.procedure not in Procedure.labels():
            raise InvalidInput("办案程序不正确。", field="procedure")
        stmt = stmt.where(PenaltyCase.procedure == f.procedure)
    if f.year is not None:
        stmt = stmt.where(PenaltyCase.year == f.year)
    if f.subject_id is not None:
        stmt = stmt.where(PenaltyCase.subject_id == f.subject_id)
    q = f.q.strip()
    if q:
        by_uscc = select(Enterprise.id).where(Enterprise.uscc == q.upper())
        stmt = stmt.where(
            or_(
                PenaltyCase.number.contains(q, autoescape=True),
                PenaltyCase.party_name.contains(q, autoescape=True),
                PenaltyCase.enterprise_id.in_(by_uscc),
                # a person's whole 居民身份证号 finds the case; it is never shown unmasked
                PenaltyCase.person_ric == q.upper(),
            )
        )
    if f.overdue:
        stmt = stmt.where(PenaltyCase.status.in_(sorted(s.value for s in OPEN)))
    return stmt


def _preload(
    session: Session, cases: Sequence[PenaltyCase]
) -> tuple[dict[int, list[CaseSuspension]], dict[int, list[int]]]:
    ids = [c.id for c in cases if c.status in OPEN]
    suspended: dict[int, list[CaseSuspension]] = defaultdict(list)
    extended: dict[int, list[int]] = defaultdict(list)
    if not ids:
        return suspended, extended
    rows = session.scalars(
        select(CaseSuspension)
        .where(CaseSuspension.case_id.in_(ids))
        .order_by(CaseSuspension.starts_on, CaseSuspension.id)
    )
    for s in rows:
        suspended[s.case_id].append(s)
    days = session.execute(
        select(CaseExtension.case_id, CaseExtension.days).where(CaseExtension.case_id.in_(ids))
    )
    for case_id, n in days:
        extended[case_id].append(n)
    return suspended, extended


def nearest(deadlines: Iterable[Deadline], today: dt.date) -> Deadline | None:
    """The open deadline that falls first (a party's lapsed period is not one)."""
    running = [
        d
        for d in deadlines
        if d.met_on is None and not (d.rule in PARTY_PERIODS and d.deadline < today)
    ]
    return min(running, key=lambda d: d.deadline, default=None)


def next_deadlines(
    session: Session, cases: Sequence[PenaltyCase], today: dt.date
) -> dict[int, NextDeadline]:
    """Each case's nearest open deadline, in two statements for all of them."""
    suspended, extended = _preload(session, cases)
    out: dict[int, NextDeadline] = {}
    for case in cases:
        if case.status not in OPEN:
            out[case.id] = NextDeadline()
            continue
        loaded = (suspended[case.id], extended[case.id])
        try:
            found = clocks.case_deadlines(session, case, today, loaded=loaded)
            out[case.id] = NextDeadline(nearest(found, today))
        except UnknownCalendarYear as exc:
            out[case.id] = NextDeadline(unknown_year=exc.year)
    return out


def list_cases(
    session: Session, *, actor: Actor, filters: CaseFilters, page: int, today: dt.date
) -> Page[CaseLine]:
    """The cases the actor may see, filtered, newest first, each with its next deadline."""
    stmt = _filtered(session, actor, filters).order_by(PenaltyCase.id.desc())
    if filters.overdue:
        # "Overdue" is a state of the clocks, which the database cannot compute: every open
        # case of the filter is held to its deadlines, then paged in memory.
        every = list(session.scalars(stmt))
        found = next_deadlines(session, every, today)
        late = [
            CaseLine(c, party_label(c), found[c.id])
            for c in every
            if (d := found[c.id].deadline) is not None and d.overdue
        ]
        return paginate_list(late, page)
    cases = paginate(session, stmt, page)
    found = next_deadlines(session, cases.items, today)
    return cases.map(lambda c: CaseLine(c, party_label(c), found[c.id]))


def subject_choices(session: Session, *, actor: Actor) -> list[EnforcementSubject]:
    """The subjects a supervisor (or the system administrator) may filter the list by."""
    if actor.role not in (Role.SUPERVISOR, Role.SYSADMIN):
        return []
    stmt = subjects_visible_to(actor).order_by(EnforcementSubject.name).limit(MAX_CHOICES)
    return list(session.scalars(stmt))


# --- the case page -----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseView:
    """Everything the case page shows."""

    case: PenaltyCase
    party: str
    subject: EnforcementSubject
    enterprise: Enterprise | None
    officers: list[Officer]
    deadlines: list[Deadline]
    unknown_year: int | None
    steps: list[CaseStep]
    evidence: list[CaseEvidence]
    suspensions: list[CaseSuspension]
    extensions: list[CaseExtension]
    actions: list[tuple[str, str]]  # (action, verb): links to /cases/{id}/act/{action}
    record_task_id: int | None  # the inspection whose record the case came from
    names: dict[int, str]  # officer id → name (presiding officer)
    paused: frozenset[str]  # names of the running deadlines an open suspension holds still

    def step_label(self, action: str) -> str:
        """The Chinese name of a timeline step."""
        return STEP_LABELS.get(action, "办理")


def actions_for(actor: Actor, case: PenaltyCase, *, open_suspension: bool) -> list[tuple[str, str]]:
    """The steps the actor may take on the case now, with their verbs."""
    handle, review = may_handle(actor, case), may_review(actor, case)
    out: list[tuple[str, str]] = []
    for action, move in CASE_LIFECYCLE.transitions.items():
        if not CASE_LIFECYCLE.can(case, action):
            continue
        simple = case.procedure == Procedure.SIMPLE
        if (action == "decide_on_spot" and not simple) or (action == "file" and simple):
            continue  # 当场处罚 is the simple procedure's step; 立案 the ordinary one's
        allowed = review if action in ("review_pass", "review_return") else handle
        if allowed:
            out.append((action, move.verb))
    if handle and open_suspension:
        out.append(END_SUSPENSION)
    lead = case.status == CaseStatus.LEAD and case.procedure == Procedure.ORDINARY
    if handle and lead and not case.filing_extended:
        out.append(FILING_EXTENSION)
    return out


def case_view(session: Session, *, actor: Actor, case_id: int, today: dt.date) -> CaseView:
    """The case page's view of one case the actor may read (NotFound otherwise)."""
    case = get_case(session, actor=actor, case_id=case_id)
    subject = session.get(EnforcementSubject, case.subject_id)
    assert subject is not None  # a foreign key
    enterprise = session.get(Enterprise, case.enterprise_id) if case.enterprise_id else None
    officers = list(
        session.scalars(
            select(Officer)
            .join(CaseOfficer, CaseOfficer.officer_id == Officer.id)
            .where(CaseOfficer.case_id == case.id)
            .order_by(Officer.name)
        )
    )
    names = {o.id: o.name for o in officers}
    if case.hearing_presiding_id is not None and case.hearing_presiding_id not in names:
        presiding = session.get(Officer, case.hearing_presiding_id)
        if presiding is not None:
            names[presiding.id] = presiding.name
    unknown: int | None = None
    try:
        deadlines = clocks.case_deadlines(session, case, today)
    except UnknownCalendarYear as exc:
        deadlines, unknown = [], exc.year
    suspensions = clocks.suspensions(session, case)
    extensions = list(
        session.scalars(
            select(CaseExtension).where(CaseExtension.case_id == case.id).order_by(CaseExtension.id)
        )
    )
    steps = list(
        session.scalars(
            select(CaseStep).where(CaseStep.case_id == case.id).order_by(CaseStep.day, CaseStep.id)
        )
    )
    evidence = investigation.evidence_of(session, case)
    task_id = None
    if case.record_id is not None:
        task_id = session.scalar(
            select(InspectionRecord.task_id).where(InspectionRecord.id == case.record_id)
        )
    still = [s for s in suspensions if s.ends_on is None]
    open_suspension = bool(still)
    testing = any(s.kind == SuspensionKind.TESTING for s in still)
    paused = frozenset(
        d.name
        for d in deadlines
        if d.met_on is None
        and ((d.rule is catalogue.D3 and still) or (d.rule is catalogue.D2 and testing))
    )
    return CaseView(
        case=case,
        party=party_label(case),
        subject=subject,
        enterprise=enterprise,
        officers=officers,
        deadlines=deadlines,
        unknown_year=unknown,
        steps=steps,
        evidence=evidence,
        suspensions=suspensions,
        extensions=extensions,
        actions=actions_for(actor, case, open_suspension=open_suspension),
        record_task_id=task_id,
        names=names,
        paused=paused,
    )
