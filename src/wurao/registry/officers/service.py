"""Officers (执法人员) and auxiliary staff: certificates, annual review, who may inspect (A2).

Only a person of kind ``officer`` holding a 行政执法证 valid on the day (and, where the
province requires it, having passed the annual review) may inspect; auxiliary staff (网格员,
临时工, 协管员) never do (国办发〔2024〕54号 §二；行政处罚法 第42条、第55条). The
居民身份证号 is validated on the way in and leaves this package only masked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter, subject_filter
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Violation
from wurao.core.ids import IdentifierError, mask_ric, validate_ric
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.policy import NATIONAL, PolicyError, get_policy
from wurao.core.time import local_today, utcnow
from wurao.registry.models import EnforcementSubject, Officer

OFFICER_KINDS: dict[str, str] = {"officer": "执法人员", "auxiliary": "辅助人员"}
AUX_KINDS = ("网格员", "临时工", "协管员")
REVIEW_RESULTS: dict[str, str] = {"passed": "通过", "failed": "未通过"}
CERT_STATES: dict[str, str] = {
    "valid": "执法证有效",
    "expired": "执法证已过期",
    "review_failed": "年度审验未通过",
    "none": "无执法证",
}

A2 = catalogue.A2  # 执法人员资格
A2_ID, A2_TITLE, A2_SOURCE = A2.id, A2.title, A2.source
# 行政处罚法 第42条、行政强制法 第18条：执法人员不得少于两人 (B1 TWO-OFFICERS, C3).
MIN_OFFICERS = 2
REVIEW_POLICY = "auth.certificate_review_required"


@dataclass(frozen=True)
class OfficerData:
    """Input for creating or editing an officer; ``ric`` None keeps the stored number."""

    name: str
    ric: str | None
    subject_id: int
    kind: str = "officer"
    aux_kind: str = ""
    cert_no: str | None = None
    cert_valid_from: dt.date | None = None
    cert_valid_to: dt.date | None = None
    legal_qualified: bool = False
    supervision_cert_no: str | None = None
    active: bool = True


def masked_ric(officer: Officer) -> str:
    """The officer's 居民身份证号 as it may be shown (first 6 and last 4 characters)."""
    return mask_ric(officer.ric)


def certificate_review_required(region_code: str | None, on: dt.date) -> bool:
    """Whether policy demands a passed annual review to inspect on ``on``.

    ``region_code`` None reads the national default. Before the parameter's first effective
    date nothing demanded a review, so the answer is False; an unknown parameter still fails.
    """
    policy = get_policy()
    try:
        if region_code is not None:
            return bool(policy.value(REVIEW_POLICY, region_code, on))
        param = policy.parameters[REVIEW_POLICY]
        national = [v for v in param.values if v.region == NATIONAL and v.effective <= on]
        if not national:
            raise PolicyError(f"{REVIEW_POLICY} has no national value on {on}")
        return bool(max(national, key=lambda v: v.effective).value)
    except PolicyError:
        if REVIEW_POLICY not in policy.parameters:
            raise
        return False


# ---------------------------------------------------------------------------------------
# Rule A2
# ---------------------------------------------------------------------------------------


def _a2(officer: Officer, detail: str) -> Violation:
    return Violation(
        rule_id=A2_ID,
        title=A2_TITLE,
        source=A2_SOURCE,
        detail=detail,
        evidence={"officer_id": officer.id, "name": officer.name, "cert_no": officer.cert_no},
    )


def officer_problems(
    officer: Officer, on: dt.date, *, region_code: str | None = None
) -> list[Violation]:
    """Why the officer may not inspect on ``on`` (A2).

    ``region_code`` (the subject's region) selects the policy; None uses the national default.
    """
    who = officer.name
    if officer.kind != "officer":
        label = officer.aux_kind or OFFICER_KINDS.get(officer.kind, officer.kind)
        return [_a2(officer, f"{who}为辅助人员（{label}），辅助人员不得实施行政检查。")]
    problems: list[Violation] = []
    if not officer.active:
        problems.append(_a2(officer, f"{who}已停用（离岗或调离），不得实施行政检查。"))
    if not officer.cert_no or officer.cert_valid_from is None or officer.cert_valid_to is None:
        problems.append(_a2(officer, f"{who}未持有行政执法证，不得实施行政检查。"))
    elif on < officer.cert_valid_from:
        problems.append(
            _a2(officer, f"{who}的执法证自{officer.cert_valid_from.isoformat()}起才生效。")
        )
    elif on > officer.cert_valid_to:
        problems.append(
            _a2(officer, f"{who}的执法证已过期（有效期至{officer.cert_valid_to.isoformat()}）。")
        )
    if certificate_review_required(region_code, on):
        if officer.review_year is None:
            problems.append(_a2(officer, f"{who}的执法证没有年度审验记录。"))
        elif officer.review_result != "passed":
            problems.append(_a2(officer, f"{who}未通过{officer.review_year}年度执法证审验。"))
        elif officer.review_year < on.year - 1:
            problems.append(
                _a2(
                    officer,
                    f"{who}的执法证年度审验已过期（最近一次为{officer.review_year}年，"
                    f"须为{on.year - 1}年或以后）。",
                )
            )
    return problems


def who_may_inspect(session: Session, *, subject_id: int, on: dt.date) -> list[Officer]:
    """The subject's officers who may inspect on ``on`` (A2), in one query."""
    subject = session.get(EnforcementSubject, subject_id)
    if subject is None:
        raise NotFound("执法主体不存在。")
    stmt = select(Officer).where(
        Officer.subject_id == subject_id,
        Officer.active.is_(True),
        Officer.kind == "officer",
        Officer.cert_no.is_not(None),
        Officer.cert_valid_from <= on,
        Officer.cert_valid_to >= on,
    )
    if certificate_review_required(subject.region_code, on):
        stmt = stmt.where(Officer.review_year >= on.year - 1, Officer.review_result == "passed")
    return list(session.scalars(stmt.order_by(Officer.name, Officer.id)))


# ---------------------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------------------


def officers_visible_to(actor: Actor) -> Select[Officer]:
    """Officers of the actor's own subject (agency roles) or of subjects in the region."""
    actor.require(Permission.REGISTRY_VIEW)
    return (
        select(Officer)
        .join(EnforcementSubject, Officer.subject_id == EnforcementSubject.id)
        .where(
            region_filter(actor, EnforcementSubject.region_code),
            subject_filter(actor, Officer.subject_id),
        )
    )


def list_officers(
    session: Session,
    *,
    actor: Actor,
    q: str = "",
    kind: str = "",
    cert: str = "",
    subject_id: int | None = None,
    on: dt.date | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[Officer]:
    """A page of the officers the actor may see; ``cert`` filters by certificate state on ``on``."""
    day = on or local_today()
    stmt = officers_visible_to(actor)
    if q.strip():
        stmt = stmt.where(Officer.name.contains(q.strip(), autoescape=True))
    if kind:
        if kind not in OFFICER_KINDS:
            raise InvalidInput("人员类别应为执法人员或辅助人员。", field="kind")
        stmt = stmt.where(Officer.kind == kind)
    if subject_id is not None:
        stmt = stmt.where(Officer.subject_id == subject_id)
    if cert == "valid":
        stmt = stmt.where(
            Officer.kind == "officer",
            Officer.cert_no.is_not(None),
            Officer.cert_valid_from <= day,
            Officer.cert_valid_to >= day,
        )
    elif cert == "expired":
        stmt = stmt.where(Officer.cert_no.is_not(None), Officer.cert_valid_to < day)
    elif cert == "review_failed":
        stmt = stmt.where(Officer.review_result == "failed")
    elif cert == "none":
        stmt = stmt.where(or_(Officer.cert_no.is_(None), Officer.cert_no == ""))
    elif cert:
        raise InvalidInput("证件状态应为有效、已过期、审验未通过或无证。", field="cert")
    stmt = stmt.order_by(Officer.subject_id, Officer.name, Officer.id)
    return paginate(session, stmt, page, per_page)


def get_officer(session: Session, *, actor: Actor, officer_id: int) -> Officer:
    """One officer, if visible to the actor."""
    officer = session.scalar(officers_visible_to(actor).where(Officer.id == officer_id))
    if officer is None:
        raise NotFound("执法人员不存在或不在您的管理范围内。")
    return officer


def get_officer_subject(session: Session, *, actor: Actor, subject_id: int) -> EnforcementSubject:
    """A subject whose officers the actor may see (agency roles: only their own)."""
    actor.require(Permission.REGISTRY_VIEW)
    subject = session.scalar(
        select(EnforcementSubject).where(
            EnforcementSubject.id == subject_id,
            region_filter(actor, EnforcementSubject.region_code),
            subject_filter(actor, EnforcementSubject.id),
        )
    )
    if subject is None:
        raise NotFound("执法主体不存在或不在您的管理范围内。")
    return subject


def subject_choices(session: Session, *, actor: Actor) -> list[EnforcementSubject]:
    """Subjects the actor may add officers to (for the form)."""
    actor.require(Permission.OFFICERS_MANAGE)
    stmt = select(EnforcementSubject).where(
        region_filter(actor, EnforcementSubject.region_code),
        subject_filter(actor, EnforcementSubject.id),
    )
    return list(
        session.scalars(
            stmt.order_by(EnforcementSubject.region_code, EnforcementSubject.name).limit(500)
        )
    )


# ---------------------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------------------


def _check_manage(actor: Actor, subject: EnforcementSubject) -> None:
    actor.require(Permission.OFFICERS_MANAGE)
    if actor.role is Role.SYSADMIN:
        return
    if actor.role is Role.AGENCY_ADMIN and actor.subject_id == subject.id:
        return
    raise Forbidden("只能管理本执法主体的执法人员。")


def _clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _apply(
    session: Session, officer: Officer, data: OfficerData, actor: Actor
) -> EnforcementSubject:
    """Validate ``data`` and copy it onto ``officer`` (not yet flushed)."""
    subject = session.get(EnforcementSubject, data.subject_id)
    if subject is None:
        raise InvalidInput("执法主体不存在。", field="subject_id")
    _check_manage(actor, subject)
    name = data.name.strip()
    if not name:
        raise InvalidInput("请填写姓名。", field="name")
    if data.ric is not None or not officer.ric:
        try:
            ric = validate_ric(data.ric or "", today=local_today())
        except IdentifierError as exc:
            raise InvalidInput(exc.reason, field="ric") from exc
        other = session.scalar(select(Officer.id).where(Officer.ric == ric))
        if other is not None and other != officer.id:
            raise Conflict(f"居民身份证号 {mask_ric(ric)} 已登记为另一名人员。")
        officer.ric = ric
    if data.kind not in OFFICER_KINDS:
        raise InvalidInput("人员类别应为执法人员或辅助人员。", field="kind")
    cert_no = _clean_text(data.cert_no)
    supervision_cert_no = _clean_text(data.supervision_cert_no)
    aux_kind = ""
    if data.kind == "auxiliary":
        if data.aux_kind not in AUX_KINDS:
            raise InvalidInput("请选择辅助人员类别（网格员、临时工或协管员）。", field="aux_kind")
        aux_kind = data.aux_kind
        if cert_no or data.cert_valid_from or data.cert_valid_to:
            raise InvalidInput("辅助人员不持有行政执法证。", field="cert_no")
        if supervision_cert_no:
            raise InvalidInput("辅助人员不持有执法监督证。", field="supervision_cert_no")
    if cert_no:
        if data.cert_valid_from is None or data.cert_valid_to is None:
            raise InvalidInput("请填写执法证有效期的起止日期。", field="cert_valid_from")
        if data.cert_valid_from > data.cert_valid_to:
            raise InvalidInput("执法证有效期的开始日期不能晚于结束日期。", field="cert_valid_to")
        other = session.scalar(select(Officer.id).where(Officer.cert_no == cert_no))
        if other is not None and other != officer.id:
            raise Conflict(f"执法证号 {cert_no} 已登记为另一名人员。")
    elif data.cert_valid_from or data.cert_valid_to:
        raise InvalidInput("填写有效期时须填写执法证号。", field="cert_no")
    officer.name = name
    officer.subject_id = subject.id
    officer.kind = data.kind
    officer.aux_kind = aux_kind
    officer.cert_no = cert_no
    officer.cert_valid_from = data.cert_valid_from if cert_no else None
    officer.cert_valid_to = data.cert_valid_to if cert_no else None
    officer.legal_qualified = data.legal_qualified
    officer.supervision_cert_no = supervision_cert_no
    officer.active = data.active
    return subject


def create_officer(session: Session, *, data: OfficerData, actor: Actor) -> Officer:
    """Add an officer or auxiliary to a subject the actor manages."""
    officer = Officer(ric="", review_year=None, review_result="", created_at=utcnow())
    subject = _apply(session, officer, data, actor)
    session.add(officer)
    audit.record(
        session,
        actor=actor,
        action="officer.create",
        obj=officer,
        summary=f"登记{OFFICER_KINDS[officer.kind]} {officer.name}",
        region_code=subject.region_code,
    )
    return officer


def update_officer(
    session: Session, *, officer: Officer, data: OfficerData, actor: Actor
) -> Officer:
    """Edit an officer; moving between subjects needs the right to manage both."""
    current = session.get(EnforcementSubject, officer.subject_id)
    if current is None:  # pragma: no cover - the foreign key forbids it
        raise NotFound("执法主体不存在。")
    _check_manage(actor, current)
    before = audit.snapshot(officer)
    subject = _apply(session, officer, data, actor)
    audit.record(
        session,
        actor=actor,
        action="officer.update",
        obj=officer,
        before=before,
        summary=f"修改人员信息 {officer.name}",
        region_code=subject.region_code,
    )
    return officer


def record_review(
    session: Session, *, officer: Officer, year: int, result: str, actor: Actor
) -> Officer:
    """Record the result of a certificate's annual review (年度审验)."""
    subject = session.get(EnforcementSubject, officer.subject_id)
    if subject is None:  # pragma: no cover - the foreign key forbids it
        raise NotFound("执法主体不存在。")
    _check_manage(actor, subject)
    if result not in REVIEW_RESULTS:
        raise InvalidInput("审验结果应为通过或未通过。", field="result")
    if officer.kind != "officer" or not officer.cert_no:
        raise Conflict("只有持有执法证的执法人员才有年度审验。")
    if not 2000 <= year <= local_today().year:
        raise InvalidInput("审验年度无效。", field="year")
    if officer.review_year is not None and year < officer.review_year:
        raise Conflict(f"已记录{officer.review_year}年度的审验结果，不能改记更早的年度。")
    before = audit.snapshot(officer)
    officer.review_year = year
    officer.review_result = result
    audit.record(
        session,
        actor=actor,
        action="officer.review",
        obj=officer,
        before=before,
        summary=f"记录{officer.name} {year}年度审验：{REVIEW_RESULTS[result]}",
        region_code=subject.region_code,
    )
    return officer
