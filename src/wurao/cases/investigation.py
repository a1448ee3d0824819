"""调查取证: the case's evidence, its suspensions (the clocks stand still) and extensions.

Why apart: these steps may happen at any time while the case is open and move its clocks —
a suspension stops D3 (and, for testing, D2), an approved extension adds 30 days to D3 —
so the timeline (``cases.clocks``) reads exactly the rows written here.
"""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.cases import clocks
from wurao.cases.access import check_handle
from wurao.cases.models import CaseEvidence, CaseExtension, CaseSuspension, PenaltyCase
from wurao.cases.service import log_step, text
from wurao.cases.statuses import CASE_LIFECYCLE, SuspensionKind
from wurao.core import audit, evidence_store
from wurao.core import rules as catalogue
from wurao.core.errors import Conflict, InvalidInput, NotFound, RuleViolation
from wurao.core.time import local_today, utcnow

# --- evidence -------------------------------------------------------------------------------


def add_evidence_file(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    filename: str,
    stream: BinaryIO,
    description: str = "",
    on: dt.date | None = None,
) -> CaseEvidence:
    """Store an uploaded file by its SHA-256 (the inspection record's store) and list it."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "evidence")
    name = text(filename.replace("\\", "/").rsplit("/", 1)[-1], field="file", label="文件名")
    if not name:
        raise InvalidInput("请选择文件。", field="file")
    sha, size = evidence_store.store(stream)
    if size == 0:
        raise InvalidInput("上传的文件是空的。", field="file")
    day = _evidence_day(case, on)
    return _evidence(session, actor, case, "file", name[:200], sha, size, "", description, day)


def add_evidence_external(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    filename: str,
    sha256: str,
    uri: str,
    size: int = 0,
    description: str = "",
    on: dt.date | None = None,
) -> CaseEvidence:
    """Reference a recording kept elsewhere by its SHA-256 and location."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "evidence")
    sha = sha256.strip().lower()
    if not evidence_store.is_sha256(sha):
        raise InvalidInput("请填写 64 位十六进制的 SHA-256 摘要。", field="sha256")
    name = text(filename, field="filename", label="证据名称", required=True)
    location = text(uri, field="uri", label="存放位置", required=True)
    if size < 0:
        raise InvalidInput("文件大小不能为负数。", field="size")
    day = _evidence_day(case, on)
    return _evidence(
        session, actor, case, "external", name[:200], sha, size, location[:300], description, day
    )


def _evidence_day(case: PenaltyCase, on: dt.date | None) -> dt.date:
    """The day the evidence was taken (取证), for the timeline: today unless given."""
    day = on or local_today()
    if day < case.found_on or day > local_today():
        raise InvalidInput("取证日期应在发现线索之后、今天之前。", field="on")
    return day


def _evidence(
    session: Session,
    actor: Actor,
    case: PenaltyCase,
    kind: str,
    name: str,
    sha: str,
    size: int,
    uri: str,
    description: str,
    day: dt.date,
) -> CaseEvidence:
    row = CaseEvidence(
        case_id=case.id,
        kind=kind,
        filename=name,
        sha256=sha,
        size=size,
        uri=uri,
        description=text(description, field="description", label="证明对象"),
        added_by_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(row)
    note = f"登记证据 {name}（SHA-256 {sha[:12]}…）"
    log_step(
        session,
        actor=actor,
        case=case,
        action="evidence",
        day=day,
        note=note,
        before=audit.snapshot(case),
        covers=[row],
    )
    return row


def evidence_of(session: Session, case: PenaltyCase) -> list[CaseEvidence]:
    """The case's evidence, in the order it was registered."""
    stmt = select(CaseEvidence).where(CaseEvidence.case_id == case.id)
    return list(session.scalars(stmt.order_by(CaseEvidence.id)))


# --- suspensions and extensions ---------------------------------------------------------------


def suspend(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    kind: str,
    starts_on: dt.date,
    reason: str,
    ends_on: dt.date | None = None,
) -> CaseSuspension:
    """Record a suspension (检测、听证、公告 …): the D3 clock (D2: testing only) stands still."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "suspend")
    if kind not in SuspensionKind.labels():
        raise InvalidInput("中止类型不正确。", field="kind")
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput("中止结束日期早于开始日期。", field="ends_on")
    if starts_on < case.found_on:
        raise InvalidInput("中止开始日期早于线索发现日期。", field="starts_on")
    for other in clocks.suspensions(session, case):
        other_end = other.ends_on or dt.date.max
        if starts_on <= other_end and (ends_on or dt.date.max) >= other.starts_on:
            raise Conflict("与已登记的中止期间重叠。")
    return add_suspension_row(session, actor, case, kind, starts_on, ends_on, reason)


def add_suspension_row(
    session: Session,
    actor: Actor,
    case: PenaltyCase,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    reason: str,
) -> CaseSuspension:
    """Add a suspension row and its step (the hearing request opens one itself)."""
    row = CaseSuspension(
        case_id=case.id,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=text(reason, field="reason", label="中止理由", required=True),
        recorded_by_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(row)
    until = ends_on.isoformat() if ends_on else "未定"
    note = f"中止（{SuspensionKind(kind).label}）{starts_on.isoformat()}至{until}：{row.reason}"
    log_step(
        session,
        actor=actor,
        case=case,
        action="suspend",
        day=starts_on,
        note=note,
        before=audit.snapshot(case),
        covers=[row],
    )
    return row


def end_suspension(
    session: Session, *, actor: Actor, case: PenaltyCase, suspension_id: int, ends_on: dt.date
) -> CaseSuspension:
    """Record the last day of an open suspension (the clock resumes the day after)."""
    check_handle(actor, case)
    row = session.get(CaseSuspension, suspension_id)
    if row is None or row.case_id != case.id:
        raise NotFound("中止记录不存在。")
    if row.ends_on is not None:
        raise Conflict("该中止已经结束。")
    if ends_on < row.starts_on:
        raise InvalidInput("中止结束日期早于开始日期。", field="ends_on")
    row.ends_on = ends_on
    note = f"{SuspensionKind(row.kind).label}中止至{ends_on.isoformat()}结束，期限恢复计算"
    log_step(
        session,
        actor=actor,
        case=case,
        action="resume",
        day=ends_on,
        note=note,
        before=audit.snapshot(case),
        covers=[row],
    )
    return row


def extend(
    session: Session,
    *,
    actor: Actor,
    case: PenaltyCase,
    approved_by: str,
    approved_on: dt.date,
    reason: str,
    collective: bool = False,
) -> CaseExtension:
    """D3: +30 days approved by the head; a further extension only by collective discussion."""
    check_handle(actor, case)
    CASE_LIFECYCLE.check(case, "extend")
    assert case.filed_on is not None
    earlier = session.scalar(select(CaseExtension.id).where(CaseExtension.case_id == case.id))
    if earlier is not None and not collective:
        raise RuleViolation(
            [catalogue.D3.violation("再次延长办案期限须经负责人集体讨论决定。", field="collective")]
        )
    days = clocks.D3_EXTENSION.length(approved_on, case.region_code)
    row = CaseExtension(
        case_id=case.id,
        days=days,
        approved_on=approved_on,
        approved_by=text(approved_by, field="approved_by", label="批准的负责人", required=True)[
            :60
        ],
        collective=collective,
        reason=text(reason, field="reason", label="延长理由", required=True),
        recorded_by_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(row)
    how = "集体讨论决定" if collective else f"经{row.approved_by}批准"
    log_step(
        session,
        actor=actor,
        case=case,
        action="extend",
        day=approved_on,
        note=f"{how}延长办案期限{days}日：{row.reason}",
        before=audit.snapshot(case),
        covers=[row],
    )
    return row
