"""Penalty cases: JSON routes for the list, the case and each step of the procedure.

Thin on purpose: each route reads the case through ``access.get_case`` (404 outside the
caller's view) and calls one step of the services, which check the permission, the
subject and the D rules (docs/cases.md). The detail shows the party masked.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.cases import clocks, decision, execution, investigation, notice, service
from wurao.cases.access import cases_visible_to, get_case
from wurao.cases.models import CaseOfficer, CaseStep, PenaltyCase
from wurao.cases.schemas import (
    CaseIn,
    CaseOut,
    CasePage,
    CaseRow,
    CloseIn,
    DayIn,
    DeadlineOut,
    DecisionIn,
    DefenceIn,
    DiscussionIn,
    EvidenceIn,
    EvidenceOut,
    ExtensionIn,
    HearingHeldIn,
    HearingNoticeIn,
    NoPenaltyIn,
    NoticeIn,
    PaymentIn,
    ReasonIn,
    RemedyIn,
    ReviewIn,
    ServeIn,
    StepOut,
    SuspensionEndIn,
    SuspensionIn,
    SuspensionOut,
)
from wurao.core.errors import Violation
from wurao.core.paging import paginate
from wurao.core.time import local_today
from wurao.inspections.schemas import ViolationOut
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import LongId, OptYear, PageNo

router = APIRouter(route_class=TxRoute, responses=API_ERRORS)
VIEW = Depends(require(Permission.CASES_VIEW))
HANDLE = Depends(require(Permission.CASES_HANDLE))
REVIEW = Depends(require(Permission.CASES_LEGAL_REVIEW))
DB = Depends(get_db)


def _out(db: Session, case: PenaltyCase, warnings: list[Violation] | None = None) -> CaseOut:
    """The case as the API shows it: its clocks today, officers, suspensions and timeline."""
    db.flush()
    officers = db.scalars(select(CaseOfficer.officer_id).where(CaseOfficer.case_id == case.id))
    steps = db.scalars(select(CaseStep).where(CaseStep.case_id == case.id).order_by(CaseStep.id))
    row = CaseRow.of(case)
    return CaseOut(
        **row.model_dump(),
        procedure=case.procedure,
        origin=case.origin,
        party_kind=case.party_kind,
        act_on=case.act_on,
        facts=case.facts,
        provisions_breached=case.provisions_breached,
        provisions_applied=case.provisions_applied,
        notice_fine_fen=case.notice_fine_fen,
        fine_fen=case.fine_fen,
        confiscation_fen=case.confiscation_fen,
        paid_fen=case.paid_fen,
        surcharge_fen=case.surcharge_fen,
        payment_due_on=case.payment_due_on,
        closed_on=case.closed_on,
        officer_ids=sorted(officers),
        deadlines=[DeadlineOut.of(d) for d in clocks.case_deadlines(db, case, local_today())],
        suspensions=[SuspensionOut.of(s) for s in clocks.suspensions(db, case)],
        evidence=[EvidenceOut.of(e) for e in investigation.evidence_of(db, case)],
        steps=[StepOut.of(s) for s in steps],
        warnings=[ViolationOut.of(v) for v in warnings or []],
    )


@router.get("/api/v1/cases", response_model=CasePage, tags=["cases"])
def list_cases(
    status: Annotated[str, Query(max_length=16, description="状态")] = "",
    year: OptYear = None,
    page: PageNo = 1,
    actor: Actor = VIEW,
    db: Session = DB,
) -> CasePage:
    """Cases the caller may see, newest first."""
    stmt = cases_visible_to(actor)
    if status:
        stmt = stmt.where(PenaltyCase.status == status)
    if year is not None:
        stmt = stmt.where(PenaltyCase.year == year)
    found = paginate(db, stmt.order_by(PenaltyCase.id.desc()), page)
    return CasePage(items=[CaseRow.of(c) for c in found.items], total=found.total, page=page)


@router.post("/api/v1/cases", response_model=CaseOut, status_code=201, tags=["cases"])
def open_case(body: CaseIn, actor: Actor = HANDLE, db: Session = DB) -> CaseOut:
    """Open a case (待立案) from a record, a clue, a referral or the subject's own finding."""
    values = body.model_dump()
    values["officer_ids"] = tuple(values["officer_ids"])
    case = service.open_case(db, actor=actor, data=service.CaseData(**values))
    return _out(db, case)


@router.get("/api/v1/cases/{case_id}", response_model=CaseOut, tags=["cases"])
def get_one(case_id: LongId, actor: Actor = VIEW, db: Session = DB) -> CaseOut:
    """One case with its deadlines, officers, suspensions, evidence and timeline."""
    return _out(db, get_case(db, actor=actor, case_id=case_id))


@router.post("/api/v1/cases/{case_id}/file", response_model=CaseOut, tags=["cases"])
def file_case(case_id: LongId, body: DayIn, actor: Actor = HANDLE, db: Session = DB) -> CaseOut:
    """立案 (D1 limitation, B1/A2 officers; D2 late filing is a warning)."""
    case = get_case(db, actor=actor, case_id=case_id)
    done = service.file_case(db, actor=actor, case=case, on=body.on)
    return _out(db, done.case, done.warnings)


@router.post("/api/v1/cases/{case_id}/not-file", response_model=CaseOut, tags=["cases"])
def not_file(case_id: LongId, body: ReasonIn, actor: Actor = HANDLE, db: Session = DB) -> CaseOut:
    """不予立案, with its reason."""
    case = get_case(db, actor=actor, case_id=case_id)
    service.not_file(db, actor=actor, case=case, reason=body.reason, on=body.on)
    return _out(db, case)


@router.post(
    "/api/v1/cases/{case_id}/evidence", response_model=CaseOut, status_code=201, tags=["cases"]
)
def add_evidence(
    case_id: LongId, body: EvidenceIn, actor: Actor = HANDLE, db: Session = DB
) -> CaseOut:
    """Record evidence held outside the platform by its SHA-256 and location."""
    case = get_case(db, actor=actor, case_id=case_id)
    investigation.add_evidence_external(db, actor=actor, case=case, **body.model_dump())
    return _out(db, case)


@router.post(
    "/api/v1/cases/{case_id}/suspensions", response_model=CaseOut, status_code=201, tags=["cases"]
)
def suspend(
    case_id: LongId, body: SuspensionIn, actor: Actor = HANDLE, db: Session = DB
) -> CaseOut:
    """Start a suspension of the decision clock (检测、听证、公告、其他)."""
    case = get_case(db, actor=actor, case_id=case_id)
    investigation.suspend(db, actor=actor, case=case, **body.model_dump())
    return _out(db, case)


@router.post(
    "/api/v1/cases/{case_id}/suspensions/{suspension_id}/end",
    response_model=CaseOut,
    tags=["cases"],
)
def end_suspension(
    case_id: LongId,
    suspension_id: LongId,
    body: SuspensionEndIn,
    actor: Actor = HANDLE,
    db: Session = DB,
) -> CaseOut:
    """End an open suspension."""
    case = get_case(db, actor=actor, case_id=case_id)
    investigation.end_suspension(
        db, actor=actor, case=case, suspension_id=suspension_id, ends_on=body.ends_on
    )
    return _out(db, case)


@router.post("/api/v1/cases/{case_id}/extensions", response_model=CaseOut, tags=["cases"])
def extend(case_id: LongId, body: ExtensionIn, actor: Actor = HANDLE, db: Session = DB) -> CaseOut:
    """Extend the decision period by 30 days (D3: a second time only by collective discussion)."""
    case = get_case(db, actor=actor, case_id=case_id)
    investigation.extend(db, actor=actor, case=case, **body.model_dump())
    return _out(db, case)


@router.post("/api/v1/cases/{case_id}/notice", response_model=CaseOut, tags=["cases"])
def serve_notice(
    case_id: LongId, body: NoticeIn, actor: Actor = HANDLE, db: Session = DB
) -> CaseOut:
    """行政处罚事先告知 (D4 content, D6 hearing rights)."""
    case = get_case(db, actor=actor, case_id=case_id)
    values = body.model_dump()
    values["kinds"] = set(values["kinds"])
    done = notice.serve_notice(db, actor=actor, case=case, **values)
    return _out(db, done.case, done.warnings)


@router.post("/api/v1/cases/{case_id}/defence", response_model=CaseOut, tags=["cases"])
def record_defence(
    case_id: LongId, body: DefenceIn, actor: Actor = HANDLE, db: Session = DB
) -> CaseOut:
    """陈述申辩 heard, or waived."""
    case = get_case(db, actor=actor, case_id=case_id)
    notice.record_defence(db, actor=actor, case=case, **body.model_dump())
    return _out(db, case)


@router.post("/api/v1/cases/{case_id}/hearing-request", response_model=CaseOut, tags=["cases"])
def request_hearing(
    case_id: LongId, body: DayIn, actor: Actor = HANDLE, db: Session = DB
) -> CaseOut:
    """The party's request for a hearing (D7)."""
    case = get_case(db, actor=actor, case_id=case_id)
    notice.request_hearing(db, actor=actor, case=case, requested_on=body.on)
    return _out(db, case)


@router.post("/api/v1/cases/{case_id}/hearing-notice", response_model=CaseOut, tags=["cases"])
def notify_hearing(
    case_id: LongId, body: HearingNoticeIn, actor: Actor = HANDLE, db: Session = DB
) -> CaseOut:
    """听证通知 (D8 seven working days before; D9 presiding officer)."""
    case = get_case(db, actor=actor, case_id=case_id)
    notice.notify_hearing(db, actor=actor, case=case, **body.model_dump())
    return _out(db, case)


@router.post("/api/v1/cases/{case_id}/hearing", response_model=CaseOut, tags=["cases"])
def hold_hearing(
    case_id: LongId, body: HearingHeldIn, actor: Actor = HANDLE, db: Session = DB
) -> CaseOut:
    """The hearing held (its record) or the party's unexcused absence."""
    case = get_case(db, actor=actor, case_id=case_id)
    notice.hold_hearing(db, actor=actor, case=case, **body.model_dump())
    return _out(db, case)


@router.post("/api/v1/cases/{case_id}/send-review", response_model=CaseOut, tags=["cases"])
def send_review(case_id: LongId, body: DayIn, actor: Actor = HANDLE, db: Session = DB) -> CaseOut:
    """Send the case to 法制审核."""
    case = get_case(db, actor=actor, case_id=case_id)
    decision.send_review(db, actor=actor, case=case, on=body.on)
    return _out(db, case)


@router.post("/api/v1/cases/{case_id}/review", response_model=CaseOut, tags=["cases"])
def record_review(
    case_id: LongId, body: ReviewIn, actor: Actor = REVIEW, db: Session = DB
) -> CaseOut:
    """The legal reviewer's 法制审核 (D10)."""
    case = get_case(db, actor=actor, case_id=case_id)
    decision.record_review(db, actor=actor, case=case, **body.model_dump())
    return _out(db, case)


@router.post("/api/v1/cases/{case_id}/discussion", response_model=CaseOut, tags=["cases"])
def record_discussion(
    case_id: LongId, body: DiscussionIn, actor: Actor = HANDLE, db: Session = DB
) -> CaseOut:
    """集体讨论 and its minutes (D11)."""
    case = get_case(db, actor=actor, case_id=case_id)
    decision.record_discussion(db, actor=actor, case=case, **body.model_dump())
    return _out(db, case)


@router.post("/api/v1/cases/{case_id}/decide", response_model=CaseOut, tags=["cases"])
def decide(case_id: LongId, body: DecisionIn, actor: Actor = HANDLE, db: Session = DB) -> CaseOut:
    """行政处罚决定 (D4, D5, D9–D12, D18, D19; D3 late is a warning)."""
    case = get_case(db, actor=actor, case_id=case_id)
    values = body.model_dump()
    values["kinds"] = set(values["kinds"])
    done = decision.decide(db, actor=actor, case=case, **values)
    return _out(db, done.case, done.warnings)


@router.post("/api/v1/cases/{case_id}/decide-no-penalty", response_model=CaseOut, tags=["cases"])
def decide_no_penalty(
    case_id: LongId, body: NoPenaltyIn, actor: Actor = HANDLE, db: Session = DB
) -> CaseOut:
    """不予行政处罚决定 (D12 reasons and remedy)."""
    case = get_case(db, actor=actor, case_id=case_id)
    decision.decide_no_penalty(db, actor=actor, case=case, **body.model_dump())
    return _out(db, case)


@router.post("/api/v1/cases/{case_id}/decide-on-the-spot", response_model=CaseOut, tags=["cases"])
def decide_on_the_spot(
    case_id: LongId, body: DecisionIn, actor: Actor = HANDLE, db: Session = DB
) -> CaseOut:
    """当场处罚 under the 简易程序 (D14 caps; no confiscation)."""
    case = get_case(db, actor=actor, case_id=case_id)
    values = body.model_dump(exclude={"confiscation_fen"})
    values["kinds"] = set(values["kinds"])
    done = decision.decide_on_the_spot(db, actor=actor, case=case, **values)
    return _out(db, done.case, done.warnings)


@router.post("/api/v1/cases/{case_id}/serve", response_model=CaseOut, tags=["cases"])
def serve(case_id: LongId, body: ServeIn, actor: Actor = HANDLE, db: Session = DB) -> CaseOut:
    """Serve the decision (D13 is a warning; starts D15)."""
    case = get_case(db, actor=actor, case_id=case_id)
    done = execution.serve(db, actor=actor, case=case, **body.model_dump())
    return _out(db, done.case, done.warnings)


@router.post("/api/v1/cases/{case_id}/remedy", response_model=CaseOut, tags=["cases"])
def record_remedy(
    case_id: LongId, body: RemedyIn, actor: Actor = HANDLE, db: Session = DB
) -> CaseOut:
    """An administrative review or lawsuit (no late surcharge meanwhile)."""
    case = get_case(db, actor=actor, case_id=case_id)
    execution.record_remedy(db, actor=actor, case=case, **body.model_dump())
    return _out(db, case)


@router.post("/api/v1/cases/{case_id}/payment", response_model=CaseOut, tags=["cases"])
def record_payment(
    case_id: LongId, body: PaymentIn, actor: Actor = HANDLE, db: Session = DB
) -> CaseOut:
    """The payment (D15 reference and collection; D16 surcharge)."""
    case = get_case(db, actor=actor, case_id=case_id)
    execution.record_payment(db, actor=actor, case=case, **body.model_dump())
    return _out(db, case)


@router.post("/api/v1/cases/{case_id}/close", response_model=CaseOut, tags=["cases"])
def close(case_id: LongId, body: CloseIn, actor: Actor = HANDLE, db: Session = DB) -> CaseOut:
    """结案."""
    case = get_case(db, actor=actor, case_id=case_id)
    execution.close(db, actor=actor, case=case, **body.model_dump())
    return _out(db, case)


@router.post("/api/v1/cases/{case_id}/withdraw", response_model=CaseOut, tags=["cases"])
def withdraw(case_id: LongId, body: ReasonIn, actor: Actor = HANDLE, db: Session = DB) -> CaseOut:
    """撤案, with its reason."""
    case = get_case(db, actor=actor, case_id=case_id)
    execution.withdraw(db, actor=actor, case=case, **body.model_dump())
    return _out(db, case)
