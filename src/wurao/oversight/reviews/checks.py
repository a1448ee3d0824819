"""The automatic checks the platform makes on a drawn file, as suggestions for the reviewer.

Each check reads a :class:`Facts` view of the file (loaded for many files at once by
``load_facts``) and answers pass, fail or unknown with a Chinese note; the reviewer confirms or
overrides every item (F8 REVIEW-SCORE). The checks read what the other domains already record:
the subject's confirmation (A1), the officers' certificates (行政处罚法 第42条), the 行政行为码,
the record, the case's clocks (cases/clocks.py ``case_deadlines``) and documents.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wurao.cases import documents as case_docs
from wurao.cases import rules as case_rules
from wurao.cases.clocks import case_deadlines
from wurao.cases.models import (
    CaseDocument,
    CaseEvidence,
    CaseExtension,
    CaseOfficer,
    CaseSuspension,
    PenaltyCase,
)
from wurao.core.time import local_date, local_today
from wurao.core.workdays import UnknownCalendarYear
from wurao.inspections.models import (
    ActionCode,
    Evidence,
    InspectionRecord,
    InspectionTask,
    TaskItem,
    TaskOfficer,
)
from wurao.oversight.reviews.statuses import Result
from wurao.registry.models import EnforcementSubject, Officer

CHUNK = 500


@dataclass
class Facts:
    """What the checks read about one file."""

    kind: str
    subject: EnforcementSubject
    day: dt.date  # the file's working day: the inspection's start, the case's decision
    officers: list[Officer] = field(default_factory=list)
    task: InspectionTask | None = None
    record: InspectionRecord | None = None
    code: ActionCode | None = None
    items: int = 0
    evidence: int = 0
    case: PenaltyCase | None = None
    documents: set[str] = field(default_factory=set)
    suspensions: list[CaseSuspension] = field(default_factory=list)
    extensions: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    """One check's suggestion."""

    result: Result
    note: str


def _ok(note: str) -> Outcome:
    return Outcome(Result.PASS, note)


def _bad(note: str) -> Outcome:
    return Outcome(Result.FAIL, note)


# --- the checks ------------------------------------------------------------------------------


def subject_confirmed(f: Facts, _s: Session) -> Outcome:
    """The subject was confirmed and announced before the file's day (A1)."""
    s = f.subject
    if s.confirmed_on is None or s.announced_on is None:
        return _bad(f"{s.name}未经确认公告为执法主体。")
    if s.confirmed_on > f.day:
        return _bad(f"{s.name}于{s.confirmed_on}才确认为执法主体，晚于{f.day}。")
    return _ok(f"{s.name}已于{s.confirmed_on}确认、{s.announced_on}公告。")


def _certified(o: Officer, day: dt.date) -> bool:
    return (
        o.kind == "officer"
        and bool(o.cert_no)
        and o.cert_valid_from is not None
        and o.cert_valid_to is not None
        and o.cert_valid_from <= day <= o.cert_valid_to
    )


def two_certified(f: Facts, _s: Session) -> Outcome:
    """At least two officers holding a certificate valid on the file's day."""
    valid = [o for o in f.officers if _certified(o, f.day)]
    names = "、".join(o.name for o in valid) or "无"
    if len(valid) < 2:
        others = [o.name for o in f.officers if o not in valid]
        extra = f"；无有效证件：{'、'.join(others)}" if others else ""
        return _bad(f"{f.day}持有效执法证件的人员{len(valid)}名（{names}）{extra}。")
    return _ok(f"{f.day}持有效执法证件的人员{len(valid)}名：{names}。")


def code_present(f: Facts, _s: Session) -> Outcome:
    """A 行政行为码 was issued before the inspection, not afterwards (补码) nor revoked."""
    if f.code is None:
        return _bad("检查未取得行政行为码。")
    if f.code.late:
        return _bad(
            f"行政行为码 {f.code.number} 为事后补码：{f.code.late_reason or '未说明理由'}。"
        )
    if f.code.status == "revoked":
        return _bad(f"行政行为码 {f.code.number} 已被撤销。")
    return _ok(f"行政行为码 {f.code.number}，{local_date(f.code.issued_at)}赋码。")


def items_listed(f: Facts, _s: Session) -> Outcome:
    """The task names at least one item of the inspection-items list."""
    if f.items == 0:
        return _bad("任务未关联随机抽查事项清单中的检查事项。")
    return _ok(f"关联检查事项{f.items}项。")


def record_complete(f: Facts, _s: Session) -> Outcome:
    """The record says where (or from what data), who was present, and what was found."""
    r = f.record
    if r is None:
        return _bad("没有检查记录。")
    missing = []
    if not (r.location or r.data_source):
        missing.append("检查地点或数据来源")
    if f.task is not None and f.task.method == "onsite" and not r.present_person:
        missing.append("企业在场人员")
    if not r.findings.strip():
        missing.append("检查情况")
    if r.finished_at is None:
        missing.append("完成时间")
    return _bad(f"检查记录缺少：{'、'.join(missing)}。") if missing else _ok("检查记录完整。")


def ids_shown(f: Facts, _s: Session) -> Outcome:
    """The record confirms that certificates and the code were shown."""
    if f.record is None or not f.record.ids_shown:
        return _bad("检查记录未确认出示执法证件和行政行为码。")
    return _ok("检查记录确认已出示执法证件和行政行为码。")


def outcome_recorded(f: Facts, _s: Session) -> Outcome:
    """An outcome, and a deadline when rectification was ordered."""
    r = f.record
    if r is None or not r.outcome:
        return _bad("检查记录未写明处理结果。")
    if r.outcome == "rectify" and r.rectify_deadline is None:
        return _bad("责令整改但未写明整改期限。")
    return _ok("处理结果明确。")


def evidence_kept(f: Facts, _s: Session) -> Outcome:
    """Evidence is kept with the file (and, for a case, the facts are written)."""
    if f.case is not None and not f.case.facts.strip():
        return _bad("案卷未写明违法事实。")
    if f.evidence == 0:
        return _bad("案卷没有登记任何证据材料。")
    return _ok(f"登记证据材料{f.evidence}份。")


def attested(f: Facts, _s: Session) -> Outcome:
    """The officer confirmed the 五个严禁 in the record."""
    if f.record is None or not f.record.attested:
        return _bad("检查记录未确认“五个严禁”承诺。")
    return _ok("已确认“五个严禁”承诺。")


def published(f: Facts, _s: Session) -> Outcome:
    """The result was published."""
    if f.record is None or f.record.published_at is None:
        return _bad("检查结果未公示。")
    return _ok(f"检查结果已于{local_date(f.record.published_at)}公示。")


def provisions_written(f: Facts, _s: Session) -> Outcome:
    """The provisions breached and (for a penalty) the provisions applied are written."""
    c = f.case
    assert c is not None
    missing = [] if c.provisions_breached.strip() else ["违反的规定"]
    if c.outcome != "no_penalty" and not c.provisions_applied.strip():
        missing.append("处罚依据")
    return _bad(f"未写明{'、'.join(missing)}。") if missing else _ok("违反的规定和处罚依据已写明。")


def deadlines_met(f: Facts, session: Session) -> Outcome:
    """Every statutory deadline of the case was met (cases/clocks.py, the D clocks)."""
    c = f.case
    assert c is not None
    try:
        found = case_deadlines(session, c, local_today(), loaded=(f.suspensions, f.extensions))
    except UnknownCalendarYear as exc:
        return Outcome(Result.UNKNOWN, f"缺少节假日安排，无法计算期限：{exc}")
    late = [d for d in found if d.overdue]
    if late:
        return _bad("；".join(f"{d.name}{d.deadline}，{d.state}" for d in late) + "。")
    return _ok(f"{len(found)}项期限均按期完成或未到期。")


def rights_notified(f: Facts, _s: Session) -> Outcome:
    """告知 served, 陈述申辩 heard or waived, a requested hearing held (ordinary procedure)."""
    c = f.case
    assert c is not None
    if c.procedure != "ordinary":
        return _ok("简易程序当场处罚：当场告知。")
    if c.outcome == "no_penalty":
        return _ok("不予处罚，无须事先告知。")
    missing = []
    if c.notice_served_on is None:
        missing.append("未送达行政处罚事先告知书")
    elif c.defence_recorded_on is None and not c.defence_waived:
        missing.append("未记录陈述申辩或放弃")
    if c.hearing_requested_on is not None and c.hearing_held_on is None and not c.hearing_absent:
        missing.append("当事人申请听证但未举行")
    return _bad("；".join(missing) + "。") if missing else _ok("告知、陈述申辩和听证权利已保障。")


def legal_review(f: Facts, _s: Session) -> Outcome:
    """法制审核 and 集体讨论 where the case's own rules call for them (cases/rules.py D10, D11)."""
    c = f.case
    assert c is not None
    on = c.decided_on or f.day
    kinds = {k for k in c.decision_kinds.split("|") if k}
    review = case_rules.legal_review_reasons(c, on)
    discuss = case_rules.discussion_reasons(c, kinds, c.fine_fen, on)
    missing = []
    if review and (c.reviewed_on is None or not c.review_passed):
        missing.append(f"应当法制审核（{review[0]}）而未经审核通过")
    if discuss and c.discussed_on is None:
        missing.append(f"应当集体讨论（{discuss[0]}）而未讨论")
    if missing:
        return _bad("；".join(missing) + "。")
    if not review and not discuss:
        return _ok("本案无须法制审核和集体讨论。")
    return _ok("法制审核、集体讨论已依法进行。")


def reasons_written(f: Facts, _s: Session) -> Outcome:
    """The decision gives its reasons (and the discretion reason when outside the benchmark)."""
    c = f.case
    assert c is not None
    if not c.reasons.strip():
        return _bad("处罚决定未写明理由。")
    return _ok("处罚决定已写明理由。")


def documents_present(f: Facts, _s: Session) -> Outcome:
    """Every document the case's stage calls for was generated (cases/documents.py)."""
    c = f.case
    assert c is not None
    expected = case_docs.available(c)
    missing = [k.label for k in expected if k.value not in f.documents]
    if missing:
        return _bad(f"缺少文书：{'、'.join(missing)}。")
    return _ok(f"应有文书{len(expected)}份，均已生成。")


def served(f: Facts, _s: Session) -> Outcome:
    """The decision was served."""
    c = f.case
    assert c is not None
    if c.served_on is None:
        return _bad("处罚决定书未登记送达。")
    return _ok(f"已于{c.served_on}送达。")


Check = Callable[[Facts, Session], Outcome]
CHECKS: dict[str, Check] = {
    "subject_confirmed": subject_confirmed,
    "two_certified": two_certified,
    "code_present": code_present,
    "items_listed": items_listed,
    "record_complete": record_complete,
    "ids_shown": ids_shown,
    "outcome_recorded": outcome_recorded,
    "evidence_kept": evidence_kept,
    "attested": attested,
    "published": published,
    "provisions_written": provisions_written,
    "deadlines_met": deadlines_met,
    "rights_notified": rights_notified,
    "legal_review": legal_review,
    "reasons_written": reasons_written,
    "documents_present": documents_present,
    "served": served,
}


def run(session: Session, facts: Facts, keys: Iterable[str]) -> dict[str, Outcome]:
    """The suggestions of the named checks ("" keys are skipped)."""
    return {k: CHECKS[k](facts, session) for k in keys if k}


# --- loading facts for many files at once ----------------------------------------------------


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield list(ids[i : i + CHUNK])


def task_facts(session: Session, tasks: Sequence[tuple[int, int]]) -> dict[int, Facts]:
    """Facts of inspection files: (task id, subject id) pairs → task id → facts."""
    ids = [t for t, _ in tasks]
    subjects = _subjects(session, {s for _, s in tasks})
    out: dict[int, Facts] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(InspectionTask, InspectionRecord)
            .join(InspectionRecord, InspectionRecord.task_id == InspectionTask.id, isouter=True)
            .where(InspectionTask.id.in_(chunk))
        ).all()
        codes = {
            c.task_id: c
            for c in session.scalars(select(ActionCode).where(ActionCode.task_id.in_(chunk)))
        }
        items = dict(
            session.execute(
                select(TaskItem.task_id, func.count())
                .where(TaskItem.task_id.in_(chunk))
                .group_by(TaskItem.task_id)
            ).all()
        )
        officers: dict[int, list[Officer]] = defaultdict(list)
        for task_id, officer in session.execute(
            select(TaskOfficer.task_id, Officer)
            .join(Officer, Officer.id == TaskOfficer.officer_id)
            .where(TaskOfficer.task_id.in_(chunk))
        ).all():
            officers[task_id].append(officer)
        record_ids = [r.id for _t, r in rows if r is not None]
        evidence = dict(
            session.execute(
                select(Evidence.record_id, func.count())
                .where(Evidence.record_id.in_(record_ids))
                .group_by(Evidence.record_id)
            ).all()
        )
        subject_of = dict(tasks)
        for task, record in rows:
            started = record.started_at if record is not None else None
            out[task.id] = Facts(
                kind="inspection",
                subject=subjects[subject_of[task.id]],
                day=local_date(started) if started else task.window_start,
                officers=officers.get(task.id, []),
                task=task,
                record=record,
                code=codes.get(task.id),
                items=int(items.get(task.id, 0)),
                evidence=int(evidence.get(record.id, 0)) if record is not None else 0,
            )
    return out


def case_facts(session: Session, case_ids: Sequence[int]) -> dict[int, Facts]:
    """Facts of penalty-case files: case id → facts."""
    out: dict[int, Facts] = {}
    for chunk in _chunks(list(case_ids)):
        cases = list(session.scalars(select(PenaltyCase).where(PenaltyCase.id.in_(chunk))))
        subjects = _subjects(session, {c.subject_id for c in cases})
        officers: dict[int, list[Officer]] = defaultdict(list)
        for case_id, officer in session.execute(
            select(CaseOfficer.case_id, Officer)
            .join(Officer, Officer.id == CaseOfficer.officer_id)
            .where(CaseOfficer.case_id.in_(chunk))
        ).all():
            officers[case_id].append(officer)
        docs: dict[int, set[str]] = defaultdict(set)
        for case_id, kind in session.execute(
            select(CaseDocument.case_id, CaseDocument.kind).where(CaseDocument.case_id.in_(chunk))
        ).all():
            docs[case_id].add(kind)
        evidence = dict(
            session.execute(
                select(CaseEvidence.case_id, func.count())
                .where(CaseEvidence.case_id.in_(chunk))
                .group_by(CaseEvidence.case_id)
            ).all()
        )
        pauses: dict[int, list[CaseSuspension]] = defaultdict(list)
        for s in session.scalars(
            select(CaseSuspension)
            .where(CaseSuspension.case_id.in_(chunk))
            .order_by(CaseSuspension.starts_on, CaseSuspension.id)
        ):
            pauses[s.case_id].append(s)
        extensions: dict[int, list[int]] = defaultdict(list)
        for case_id, days in session.execute(
            select(CaseExtension.case_id, CaseExtension.days)
            .where(CaseExtension.case_id.in_(chunk))
            .order_by(CaseExtension.id)
        ).all():
            extensions[case_id].append(days)
        for c in cases:
            out[c.id] = Facts(
                kind="case",
                subject=subjects[c.subject_id],
                day=c.decided_on or c.filed_on or c.found_on,
                officers=officers.get(c.id, []),
                case=c,
                evidence=int(evidence.get(c.id, 0)),
                documents=docs.get(c.id, set()),
                suspensions=pauses.get(c.id, []),
                extensions=extensions.get(c.id, []),
            )
    return out


def _subjects(session: Session, ids: set[int]) -> dict[int, EnforcementSubject]:
    rows = session.scalars(select(EnforcementSubject).where(EnforcementSubject.id.in_(ids)))
    return {s.id: s for s in rows}
