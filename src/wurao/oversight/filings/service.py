"""Major-decision filings (D25): which decisions must be filed, the filing opened by the
decision, the subject's filing and the supervisor's review (accept, or return with a 监督意见).

Which decisions qualify is policy data per region, read on the day of the decision: a fine at
or above the 较大数额 of the case's field and party kind (the D6 table
``case.hearing_fine_thresholds``, read through ``cases.rules.hearing_threshold_fen`` so that the
two rules cannot disagree), a penalty kind of ``filing.kinds`` (吊销许可证件、责令停产停业、
责令关闭), and coercive measures when ``filing.coercion`` is set. ``open_filing`` is the one
entry for both kinds: the penalty case's ``case.decided`` event calls it through
``filing_for_case``; the coercion domain calls it with ``kind="coercion"`` without this module
knowing its tables. The deadline is one clock, D25, in working days from the decision.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor
from wurao.cases.documents import DocumentKind
from wurao.cases.models import CaseDocument, CaseEvidence, PenaltyCase
from wurao.cases.rules import hearing_threshold_fen, yuan
from wurao.cases.service import party_label
from wurao.cases.statuses import PartyKind, PenaltyKind, kinds_label, kinds_of
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.audit import AuditActor
from wurao.core.clock import WORKING, Clock
from wurao.core.errors import Forbidden, InvalidInput
from wurao.core.policy import get_policy
from wurao.core.time import local_today, utcnow
from wurao.core.workdays import UnknownCalendarYear
from wurao.oversight.filings.models import MajorFiling, MajorFilingDocument, MajorFilingEvent
from wurao.oversight.filings.statuses import (
    ACTION_LABELS,
    FILING_LIFECYCLE,
    FilingKind,
    FilingStatus,
)
from wurao.oversight.models import InboxMessage

RULE = catalogue.D25
CLOCK = Clock(RULE, "重大执法决定备案期限", "作出决定", "filing.working_days", WORKING)
INBOX_KIND = "filing"


# --- which decisions must be filed ----------------------------------------------------------


def case_grounds(case: PenaltyCase) -> list[str]:
    """Why a decided case must be filed (D25), in Chinese; empty when it need not be."""
    if case.outcome != "penalty" or case.decided_on is None:
        return []
    on, kinds = case.decided_on, kinds_of(case.decision_kinds)
    out: list[str] = []
    threshold = hearing_threshold_fen(case, on)
    if PenaltyKind.FINE in kinds and case.fine_fen >= threshold:
        who = "个人" if case.party_kind == PartyKind.PERSON else "单位"
        out.append(f"罚款{yuan(case.fine_fen)}达到对{who}较大数额{yuan(threshold)}（含本数）")
    listed = set(get_policy().value("filing.kinds", case.region_code, on)) & kinds
    if listed:
        out.append(f"作出{kinds_label('|' + '|'.join(sorted(listed)) + '|')}决定")
    return out


def coercion_required(region_code: str, on: dt.date) -> bool:
    """Whether coercive measures (查封、扣押) in the region must be filed on ``on``."""
    return bool(get_policy().value("filing.coercion", region_code, on))


def deadline(decided_on: dt.date, region_code: str) -> dt.date | None:
    """The last day to file a decision of ``decided_on`` (None while its year's holidays are
    not imported; the sweep computes it again once they are)."""
    try:
        return CLOCK.deadline(decided_on, region_code)
    except UnknownCalendarYear:
        return None


def is_late(filing: MajorFiling, today: dt.date) -> bool:
    """Filed after its deadline, or still not filed past it (D25)."""
    if filing.due_on is None:
        return False
    if filing.filed_on is None:
        return today > filing.due_on
    return filing.filed_on > filing.due_on


# --- who may do what ------------------------------------------------------------------------


def may_file(actor: Actor, filing: MajorFiling) -> bool:
    """Whether the actor files for the filing's subject (its officers and administrator)."""
    if not actor.can(Permission.CASES_HANDLE):
        return False
    return actor.role is Role.SYSADMIN or actor.subject_id == filing.subject_id


def may_review(actor: Actor, filing: MajorFiling) -> bool:
    """Whether the actor supervises the filing's region (accepts or returns it)."""
    return actor.can(Permission.ALERTS_MANAGE) and actor.covers_region(filing.region_code)


def allowed_actions(actor: Actor, filing: MajorFiling) -> list[str]:
    """The steps the page offers this viewer, in the lifecycle's order."""
    out = []
    if may_file(actor, filing):
        out += ["file", "refile"]
    if may_review(actor, filing):
        out += ["accept", "return"]
    return [a for a in out if FILING_LIFECYCLE.can(filing, a)]


# --- steps ----------------------------------------------------------------------------------


def _text(value: str, *, field: str, label: str, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}。", field=field)
    if len(value) > 4000:
        raise InvalidInput(f"{label}不能超过4000个字。", field=field)
    return value


def _attach(
    session: Session, filing: MajorFiling, event: MajorFilingEvent
) -> list[MajorFilingDocument]:
    """The case's documents and evidence as they stand now, listed with their SHA-256."""
    if filing.case_id is None:
        return []
    rows: list[MajorFilingDocument] = []
    docs = session.scalars(
        select(CaseDocument)
        .where(CaseDocument.case_id == filing.case_id)
        .order_by(CaseDocument.dated, CaseDocument.id)
    )
    labels = DocumentKind.labels()
    for d in docs:
        rows.append(
            MajorFilingDocument(
                filing_id=filing.id,
                event_id=event.id,
                source="document",
                name=labels.get(d.kind, d.kind),
                number=d.number,
                sha256=d.sha256,
            )
        )
    evidence = session.scalars(
        select(CaseEvidence).where(CaseEvidence.case_id == filing.case_id).order_by(CaseEvidence.id)
    )
    for e in evidence:
        rows.append(
            MajorFilingDocument(
                filing_id=filing.id,
                event_id=event.id,
                source="evidence",
                name=e.filename[:200],
                sha256=e.sha256,
            )
        )
    session.add_all(rows)
    return rows


def _step(
    session: Session,
    *,
    filing: MajorFiling,
    actor: AuditActor,
    action: str,
    day: dt.date,
    note: str = "",
    before: dict[str, object] | None = None,
    attach: bool = False,
) -> MajorFilingEvent:
    """Append the step to the filing's history and write its one audit entry."""
    session.flush()
    event = MajorFilingEvent(
        filing_id=filing.id,
        at=utcnow(),
        day=day,
        actor_id=actor.user_id,
        actor_name=actor.display_name,
        action=action,
        status=filing.status,
        note=note,
    )
    session.add(event)
    session.flush()
    docs = _attach(session, filing, event) if attach else []
    audit.record(
        session,
        actor=actor,
        action=f"filing.{action}",
        obj=filing,
        before=before,
        summary=f"重大执法决定备案{ACTION_LABELS[action]}：{filing.title}",
        region_code=filing.region_code,
        covers=(event, *docs),
    )
    return event


def _inbox(session: Session, filing: MajorFiling, title: str, body: str) -> None:
    msg = InboxMessage(
        subject_id=filing.subject_id,
        kind=INBOX_KIND,
        title=title[:200],
        body=body,
        link=f"/oversight/filings/{filing.id}",
        created_at=utcnow(),
    )
    session.add(msg)
    session.flush()
    audit.record(session, actor=audit.SYSTEM, action="inbox.send", obj=msg)


def open_filing(
    session: Session,
    *,
    actor: AuditActor,
    kind: str,
    source_id: int,
    subject_id: int,
    region_code: str,
    title: str,
    decided_on: dt.date,
    case: PenaltyCase | None = None,
    grounds: Sequence[str] = (),
) -> MajorFiling | None:
    """Open the filing of a decision the policy says must be filed; None when it need not be.

    ``kind`` "penalty" takes the decided ``case`` and judges it (``case_grounds``); "coercion"
    (a 查封、扣押 decision, ``source_id`` the measure's id, ``case`` the case if any) is filed
    when ``filing.coercion`` holds for the region on ``decided_on``. Opening the same decision
    twice returns the filing already open."""
    chosen = FilingKind(kind)
    if chosen is FilingKind.PENALTY:
        if case is None:
            raise ValueError("a penalty filing needs its case")
        reasons = case_grounds(case)
    else:
        required = coercion_required(region_code, decided_on)
        reasons = [*grounds, "作出查封、扣押等行政强制措施决定"] if required else []
    if not reasons:
        return None
    existing = session.scalar(
        select(MajorFiling).where(
            MajorFiling.kind == chosen.value, MajorFiling.source_id == source_id
        )
    )
    if existing is not None:
        return existing
    filing = MajorFiling(
        region_code=region_code,
        subject_id=subject_id,
        kind=chosen.value,
        source_id=source_id,
        case_id=case.id if case is not None else None,
        title=title.strip()[:300],
        grounds="；".join(reasons),
        decided_on=decided_on,
        due_on=deadline(decided_on, region_code),
        status=FilingStatus.DUE.value,
        created_at=utcnow(),
    )
    session.add(filing)
    _step(
        session,
        filing=filing,
        actor=actor,
        action="open",
        day=decided_on,
        note=filing.grounds,
        attach=True,
    )
    due = f"请于{filing.due_on.isoformat()}前" if filing.due_on else "请及时"
    _inbox(
        session,
        filing,
        f"重大执法决定须备案：{filing.title}",
        f"备案理由：{filing.grounds}。\n{due}向执法监督机构报备（{RULE.source[:40]}……）。",
    )
    return filing


def filing_for_case(
    session: Session, *, case: PenaltyCase, actor: AuditActor
) -> MajorFiling | None:
    """The ``case.decided`` handler's work: open the case's filing if the decision qualifies."""
    if case.decided_on is None:
        return None
    return open_filing(
        session,
        actor=actor,
        kind=FilingKind.PENALTY.value,
        source_id=case.id,
        subject_id=case.subject_id,
        region_code=case.region_code,
        title=f"{case.number}（{party_label(case)}）",
        decided_on=case.decided_on,
        case=case,
    )


def file(
    session: Session,
    *,
    filing: MajorFiling,
    actor: Actor,
    report: str,
    on: dt.date | None = None,
) -> MajorFiling:
    """The subject files (or, once returned, files again) with its report; the case file is
    attached as it stands now and the filing waits for the supervisor's review."""
    if not may_file(actor, filing):
        raise Forbidden("只有作出决定的执法主体可以报备。")
    action = "refile" if filing.status == FilingStatus.RETURNED else "file"
    FILING_LIFECYCLE.check(filing, action)
    words = _text(report, field="report", label="备案报告")
    day = on or local_today()
    if day < filing.decided_on:
        raise InvalidInput("报备日期不能早于决定日期。", field="on")
    before = audit.snapshot(filing)
    FILING_LIFECYCLE.advance(filing, action)
    filing.report = words
    if filing.filed_on is None:
        filing.filed_on = day
    _step(
        session,
        filing=filing,
        actor=actor,
        action=action,
        day=day,
        note=words,
        before=before,
        attach=True,
    )
    return filing


def accept(
    session: Session,
    *,
    filing: MajorFiling,
    actor: Actor,
    note: str = "",
    on: dt.date | None = None,
) -> MajorFiling:
    """The supervisor's review finds the decision lawful: the filing is closed."""
    if not may_review(actor, filing):
        raise Forbidden("只有本辖区的执法监督机构可以审查备案。")
    FILING_LIFECYCLE.check(filing, "accept")
    words = _text(note, field="note", label="审查意见", required=False)
    before = audit.snapshot(filing)
    FILING_LIFECYCLE.advance(filing, "accept")
    if words:
        filing.opinion = words
    filing.reviewed_at = utcnow()
    _step(
        session,
        filing=filing,
        actor=actor,
        action="accept",
        day=on or local_today(),
        note=words,
        before=before,
    )
    return filing


def send_back(
    session: Session, *, filing: MajorFiling, actor: Actor, opinion: str, on: dt.date | None = None
) -> MajorFiling:
    """The supervisor returns the filing with its 监督意见 (required); the subject files again."""
    if not may_review(actor, filing):
        raise Forbidden("只有本辖区的执法监督机构可以退回备案。")
    FILING_LIFECYCLE.check(filing, "return")
    words = _text(opinion, field="note", label="监督意见")
    before = audit.snapshot(filing)
    FILING_LIFECYCLE.advance(filing, "return")
    filing.opinion = words
    filing.returned_times += 1
    filing.reviewed_at = utcnow()
    _step(
        session,
        filing=filing,
        actor=actor,
        action="return",
        day=on or local_today(),
        note=words,
        before=before,
    )
    _inbox(
        session,
        filing,
        f"重大执法决定备案被退回：{filing.title}",
        f"监督意见：{words}\n请按监督意见处理后重新报备。",
    )
    return filing
