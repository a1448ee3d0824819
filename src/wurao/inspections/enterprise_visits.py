"""The enterprise's own QR, the visits it records, and guidance on request.

Shenzhen's model: the enterprise prints its QR and puts it at the door; an officer arriving
scans it and the visit's presence is recorded (time, and the place if the phone shares it);
the enterprise sees the scan at once. The QR's payload is signed with the platform's code key
(inspections/codes.py, read-only use) so that nobody can print a QR for another enterprise.

邀约式指导 (衢政办发〔2025〕16号 第18项 "推行邀约式、预约式指导"): the enterprise invites a
subject; the visit is recorded as a non-enforcement ``EnterpriseVisit`` — no task, no code, no
record — so it never enters the A5 count (``OnsiteCount`` is only moved by issuing a code,
inspections/issuing.py) and no penalty case can be opened from it (a case's source is a record).
Non-enforcement visits of other departments (政策宣传, 走访调研) are recorded the same way and
counted in the supervisor's visit figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor, region_filter
from wurao.core import audit
from wurao.core.errors import InvalidInput, NotFound
from wurao.core.lifecycle import LabelledEnum, Lifecycle, step
from wurao.core.paging import PER_PAGE, Page, paginate_rows
from wurao.core.time import local_today, utcnow
from wurao.inspections import codes
from wurao.inspections.enterprise_models import EnterpriseVisit, GuidanceRequest
from wurao.inspections.enterprise_service import agency_subject, enterprise_of
from wurao.inspections.models import InspectionTask, TaskSubject
from wurao.inspections.statuses import TaskStatus
from wurao.registry.models import EnforcementSubject, Enterprise, Officer

QR_TYPE = "wurao.enterprise"  # tells the enterprise's QR apart from a 行政行为码
QR_YEARS = 3  # a printed QR stays valid this long from the start of the year it was made


class VisitKind(LabelledEnum):
    """EnterpriseVisit.kind."""

    INSPECTION = ("inspection", "行政检查（到场）")
    GUIDANCE = ("guidance", "邀约式指导")
    PUBLICITY = ("publicity", "政策宣传")
    SURVEY = ("survey", "走访调研")


NON_ENFORCEMENT = (VisitKind.GUIDANCE, VisitKind.PUBLICITY, VisitKind.SURVEY)


class GuidanceStatus(LabelledEnum):
    """GuidanceRequest.status."""

    PENDING = ("pending", "待答复")
    AGREED = ("agreed", "已约定")
    VISITED = ("visited", "已上门指导")
    DECLINED = ("declined", "未受理")


GUIDANCE = Lifecycle(
    "指导申请",
    GuidanceStatus,
    {
        "agree": step(GuidanceStatus.PENDING, GuidanceStatus.AGREED, "约定"),
        "decline": step(GuidanceStatus.PENDING, GuidanceStatus.DECLINED, "不受理"),
        "visit": step(GuidanceStatus.AGREED, GuidanceStatus.VISITED, "登记上门指导"),
    },
)


# ---------------------------------------------------------------------------------------
# The signed QR
# ---------------------------------------------------------------------------------------


def qr_token(session: Session, *, actor: Actor) -> str:
    """The enterprise's QR payload: its USCC signed with the platform's code key."""
    enterprise = enterprise_of(session, actor)
    start = dt.datetime(local_today().year, 1, 1, tzinfo=dt.UTC)
    end = start.replace(year=start.year + QR_YEARS)
    key = codes.current_key(session, actor=actor)
    claims = {
        "typ": QR_TYPE,
        "uscc": enterprise.uscc,
        "nbf": int(start.timestamp()),
        "exp": int(end.timestamp()),
    }
    return codes.sign(claims, kid=key.kid, private=codes.load_private(key.kid))


def enterprise_from_qr(session: Session, token: str) -> Enterprise:
    """The enterprise a scanned QR names; a forged, altered or expired QR is refused."""
    verdict = codes.verify(token, codes.known_keys(session), at=utcnow())
    if not verdict.genuine or verdict.claims.get("typ") != QR_TYPE:
        raise NotFound("这不是本平台签发的企业二维码，或二维码已被改动。")
    if verdict.state is not codes.CodeState.VALID:
        raise NotFound("企业二维码已过期，请企业登录平台重新打印。")
    uscc = verdict.claims.get("uscc")
    found = session.scalar(select(Enterprise).where(Enterprise.uscc == str(uscc)))
    if found is None:
        raise NotFound("二维码中的企业不在检查对象名录中。")
    return found


# ---------------------------------------------------------------------------------------
# The officer's scan
# ---------------------------------------------------------------------------------------


@dataclass
class ScanChoices:
    """What an officer arriving at the enterprise may record."""

    enterprise: Enterprise
    tasks: list[InspectionTask]
    guidance: list[GuidanceRequest]


def scan_choices(session: Session, *, actor: Actor, enterprise: Enterprise) -> ScanChoices:
    """The actor's subject's coded or running tasks and agreed guidance at this enterprise."""
    subject_id = agency_subject(actor)
    tasks = list(
        session.scalars(
            select(InspectionTask)
            .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
            .where(
                InspectionTask.enterprise_id == enterprise.id,
                TaskSubject.subject_id == subject_id,
                InspectionTask.status.in_((TaskStatus.CODED.value, TaskStatus.IN_PROGRESS.value)),
            )
            .order_by(InspectionTask.window_start)
        )
    )
    guidance = list(
        session.scalars(
            select(GuidanceRequest).where(
                GuidanceRequest.enterprise_id == enterprise.id,
                GuidanceRequest.subject_id == subject_id,
                GuidanceRequest.status == GuidanceStatus.AGREED.value,
            )
        )
    )
    return ScanChoices(enterprise=enterprise, tasks=tasks, guidance=guidance)


def record_visit(
    session: Session,
    *,
    actor: Actor,
    enterprise: Enterprise,
    kind: str,
    task_id: int | None = None,
    guidance_id: int | None = None,
    note: str = "",
    position: tuple[float, float, int | None] | None = None,
) -> EnterpriseVisit:
    """Record an officer's arrival at the enterprise (its QR scanned)."""
    subject_id = agency_subject(actor)
    if kind not in VisitKind.labels():
        raise InvalidInput("请选择到访事由。", field="kind")
    choices = scan_choices(session, actor=actor, enterprise=enterprise)
    visit = EnterpriseVisit(
        enterprise_id=enterprise.id,
        subject_id=subject_id,
        region_code=enterprise.region_code,
        kind=kind,
        user_id=actor.user_id,
        officer_name=_officer_name(session, actor),
        note=note.strip()[:500],
        scanned_at=utcnow(),
    )
    if kind == VisitKind.INSPECTION:
        task = next((t for t in choices.tasks if t.id == task_id), None)
        if task is None:
            raise InvalidInput("请选择本次到场的检查任务（须已赋码）。", field="task_id")
        visit.task_id = task.id
    elif kind == VisitKind.GUIDANCE:
        request = next((g for g in choices.guidance if g.id == guidance_id), None)
        if request is None:
            raise InvalidInput("请选择已约定的指导申请。", field="guidance_id")
        before = audit.snapshot(request)
        GUIDANCE.advance(request, "visit")
        visit.guidance_id = request.id
        audit.record(
            session, actor=actor, action="guidance.visit", obj=request, before=before,
            summary="登记邀约式指导上门", region_code=enterprise.region_code,
        )  # fmt: skip
    if position is not None:
        lat, lon, accuracy = position
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InvalidInput("位置信息不正确。", field="latitude")
        visit.latitude, visit.longitude, visit.accuracy_m = lat, lon, accuracy
    session.add(visit)
    audit.record(
        session,
        actor=actor,
        action="enterprise_visit.scan",
        obj=visit,
        summary=f"扫企业码登记到访：{enterprise.name}（{VisitKind(kind).label}）",
        region_code=enterprise.region_code,
    )
    return visit


def _officer_name(session: Session, actor: Actor) -> str:
    name = session.scalar(select(Officer.name).where(Officer.user_id == actor.user_id))
    return name or actor.display_name


def enterprise_visits(
    session: Session, *, actor: Actor, page: int = 1
) -> Page[Row[EnterpriseVisit, str]]:
    """Every scan of the enterprise's QR, newest first, with the subject's name."""
    enterprise = enterprise_of(session, actor)
    stmt = (
        select(EnterpriseVisit, EnforcementSubject.name)
        .join(EnforcementSubject, EnforcementSubject.id == EnterpriseVisit.subject_id)
        .where(EnterpriseVisit.enterprise_id == enterprise.id)
        .order_by(EnterpriseVisit.scanned_at.desc(), EnterpriseVisit.id.desc())
    )
    return paginate_rows(session, stmt, page, PER_PAGE)


def visit_figures(session: Session, *, actor: Actor) -> dict[str, int]:
    """The supervisor's count of recorded visits in its region by kind (non-enforcement
    visits of every department included, 龙华 model)."""
    actor.require(Permission.DASHBOARD_VIEW)
    counts = dict.fromkeys(VisitKind.labels(), 0)
    for kind, n in session.execute(
        select(EnterpriseVisit.kind, func.count(EnterpriseVisit.id))
        .where(region_filter(actor, EnterpriseVisit.region_code))
        .group_by(EnterpriseVisit.kind)
    ):
        counts[kind] = int(n)
    return counts


# ---------------------------------------------------------------------------------------
# 邀约式指导
# ---------------------------------------------------------------------------------------


def guidance_subjects(session: Session, *, actor: Actor) -> list[EnforcementSubject]:
    """The subjects an enterprise may invite: those of its county and above."""
    enterprise = enterprise_of(session, actor)
    code = enterprise.region_code
    prefixes = {code[:2] + "0000", code[:4] + "00", code[:6]}
    return list(
        session.scalars(
            select(EnforcementSubject)
            .where(EnforcementSubject.region_code.in_(sorted(prefixes)))
            .order_by(EnforcementSubject.region_code.desc(), EnforcementSubject.name)
        )
    )


def request_guidance(
    session: Session,
    *,
    actor: Actor,
    subject_id: int,
    topic: str,
    preferred_on: dt.date | None,
) -> GuidanceRequest:
    """The enterprise invites a subject for compliance guidance (not an inspection)."""
    enterprise = enterprise_of(session, actor)
    subject = next((s for s in guidance_subjects(session, actor=actor) if s.id == subject_id), None)
    if subject is None:
        raise InvalidInput("请选择本地的执法主体。", field="subject_id")
    text = topic.strip()
    if not text:
        raise InvalidInput("请写明需要指导的事项。", field="topic")
    if preferred_on is not None and preferred_on < local_today():
        raise InvalidInput("希望的日期不能早于今天。", field="preferred_on")
    req = GuidanceRequest(
        enterprise_id=enterprise.id,
        subject_id=subject.id,
        topic=text[:2000],
        preferred_on=preferred_on,
        status=GuidanceStatus.PENDING.value,
        requested_by_id=actor.user_id,
        requested_at=utcnow(),
    )
    session.add(req)
    audit.record(
        session,
        actor=actor,
        action="guidance.request",
        obj=req,
        summary=f"企业申请{subject.name}上门指导",
        region_code=enterprise.region_code,
    )
    return req


def enterprise_guidance(session: Session, *, actor: Actor) -> list[tuple[GuidanceRequest, str]]:
    """The enterprise's guidance requests, newest first, with the subject's name."""
    enterprise = enterprise_of(session, actor)
    return [
        (g, name)
        for g, name in session.execute(
            select(GuidanceRequest, EnforcementSubject.name)
            .join(EnforcementSubject, EnforcementSubject.id == GuidanceRequest.subject_id)
            .where(GuidanceRequest.enterprise_id == enterprise.id)
            .order_by(GuidanceRequest.requested_at.desc(), GuidanceRequest.id.desc())
        )
    ]


def subject_guidance(
    session: Session, *, actor: Actor, page: int = 1
) -> Page[Row[GuidanceRequest, Enterprise]]:
    """Guidance requests made to the actor's subject, oldest pending first."""
    subject_id = agency_subject(actor)
    stmt = (
        select(GuidanceRequest, Enterprise)
        .join(Enterprise, Enterprise.id == GuidanceRequest.enterprise_id)
        .where(GuidanceRequest.subject_id == subject_id)
        .order_by(
            (GuidanceRequest.status == GuidanceStatus.PENDING.value).desc(),
            GuidanceRequest.requested_at,
        )
    )
    return paginate_rows(session, stmt, page, PER_PAGE)


def answer_guidance(
    session: Session,
    *,
    actor: Actor,
    request_id: int,
    agree: bool,
    answer: str,
    agreed_on: dt.date | None,
) -> GuidanceRequest:
    """The subject agrees a day for the guidance visit or declines with a reason."""
    subject_id = agency_subject(actor)
    req = session.scalar(
        select(GuidanceRequest).where(
            GuidanceRequest.id == request_id, GuidanceRequest.subject_id == subject_id
        )
    )
    if req is None:
        raise NotFound("指导申请不存在，或不是向本执法主体提出的。")
    text = answer.strip()
    if agree and agreed_on is None:
        raise InvalidInput("请填写约定的指导日期。", field="agreed_on")
    if agree and agreed_on is not None and agreed_on < local_today():
        raise InvalidInput("约定日期不能早于今天。", field="agreed_on")
    if not agree and not text:
        raise InvalidInput("不受理时请说明理由。", field="answer")
    before = audit.snapshot(req)
    GUIDANCE.advance(req, "agree" if agree else "decline")
    req.answer = text
    req.agreed_on = agreed_on if agree else None
    req.answered_by_id = actor.user_id
    req.answered_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action=f"guidance.{'agree' if agree else 'decline'}",
        obj=req,
        before=before,
        summary="约定邀约式指导" if agree else "不受理邀约式指导",
    )
    return req
