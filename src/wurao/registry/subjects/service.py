"""Enforcement subjects (执法主体): registration, confirmation and announcement (rule A1).

A subject may inspect only once its 行政检查主体资格 has been confirmed by the government and
announced (国办发〔2024〕54号 §二；衢政办发〔2025〕16号 第1项). The kinds a subject may be are
fixed by law: an administrative organ (行政机关), an organisation authorised by law (法律法规授权
组织) or an organisation entrusted by an organ (受委托组织, acting in the organ's name). Anything
else — 议事协调机构, testing or research institutes, third parties, 中介机构 — has no kind
here and so cannot be registered; the platform does not guess from names, the government's
confirmation is the check that the registered kind is true.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor, region_filter, region_in_scope
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation, Violation
from wurao.core.ids import (
    IdentifierError,
    region_scope_prefix,
    validate_region_code,
    validate_uscc,
)
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.time import local_today, utcnow
from wurao.registry.models import EnforcementSubject, Region

SUBJECT_KINDS: dict[str, str] = {
    "organ": "行政机关",
    "authorised": "法律法规授权组织",
    "entrusted": "受委托组织",
}
LEVELS = ("省级", "市级", "县级", "乡级")
FIELDS = (
    "市场监管",
    "生态环境",
    "应急管理",
    "交通运输",
    "综合行政执法",
    "消防",
    "税务",
    "卫生健康",
    "农业农村",
    "自然资源",
    "住房城乡建设",
    "文化旅游",
)
STATES: dict[str, str] = {
    "unconfirmed": "未确认",
    "confirmed": "已确认未公告",
    "announced": "已确认并公告",
}

A1 = catalogue.A1  # 执法主体资格
A1_ID, A1_TITLE, A1_SOURCE = A1.id, A1.title, A1.source

# Changing any of these changes what was confirmed, so confirmation and announcement lapse.
_QUALIFYING_FIELDS = ("name", "uscc", "region_code", "kind", "entrusted_by_id", "legal_basis")


@dataclass(frozen=True)
class SubjectData:
    """Input for creating or editing a subject."""

    name: str
    uscc: str
    region_code: str
    field: str
    level: str
    kind: str = "organ"
    entrusted_by_id: int | None = None
    vertical: bool = False
    legal_basis: str = ""


def subject_state(subject: EnforcementSubject) -> str:
    """unconfirmed, confirmed (not yet announced) or announced."""
    if subject.confirmed_on is None:
        return "unconfirmed"
    return "announced" if subject.announced_on is not None else "confirmed"


def subject_problems(subject: EnforcementSubject) -> list[Violation]:
    """Why the subject may not inspect (rule A1); empty when it may."""
    evidence: dict[str, object] = {"subject_id": subject.id, "name": subject.name}
    if subject.confirmed_on is None:
        return [
            Violation(
                rule_id=A1_ID,
                title=A1_TITLE,
                source=A1_SOURCE,
                detail=f"“{subject.name}”的行政检查主体资格未经确认，不得实施行政检查。",
                evidence=evidence,
            )
        ]
    if subject.announced_on is None:
        return [
            Violation(
                rule_id=A1_ID,
                title=A1_TITLE,
                source=A1_SOURCE,
                detail=f"“{subject.name}”的行政检查主体资格已确认但未向社会公告，不得实施行政检查。",
                evidence=evidence,
            )
        ]
    return []


def require_usable_subject(subject: EnforcementSubject) -> None:
    """Raise RuleViolation (A1) unless the subject is confirmed and announced."""
    problems = subject_problems(subject)
    if problems:
        raise RuleViolation(problems)


def subjects_visible_to(actor: Actor) -> Select[EnforcementSubject]:
    """Subjects within the actor's region."""
    actor.require(Permission.REGISTRY_VIEW)
    return select(EnforcementSubject).where(region_filter(actor, EnforcementSubject.region_code))


def _filter(
    stmt: Select[EnforcementSubject], *, q: str, field: str, state: str
) -> Select[EnforcementSubject]:
    q = q.strip()
    if q:
        stmt = stmt.where(EnforcementSubject.name.contains(q, autoescape=True))
    if field:
        stmt = stmt.where(EnforcementSubject.field == field)
    if state == "unconfirmed":
        stmt = stmt.where(EnforcementSubject.confirmed_on.is_(None))
    elif state == "confirmed":
        stmt = stmt.where(
            EnforcementSubject.confirmed_on.is_not(None), EnforcementSubject.announced_on.is_(None)
        )
    elif state == "announced":
        stmt = stmt.where(
            EnforcementSubject.confirmed_on.is_not(None),
            EnforcementSubject.announced_on.is_not(None),
        )
    elif state:
        raise InvalidInput("确认状态应为未确认、已确认未公告或已公告。", field="state")
    return stmt


def _page(
    session: Session, stmt: Select[EnforcementSubject], page: int, per_page: int
) -> Page[EnforcementSubject]:
    order = (EnforcementSubject.region_code, EnforcementSubject.name, EnforcementSubject.id)
    return paginate(session, stmt.order_by(*order), page, per_page)


def list_subjects(
    session: Session,
    *,
    actor: Actor,
    q: str = "",
    field: str = "",
    state: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[EnforcementSubject]:
    """A page of the subjects in the actor's region, with the total count."""
    stmt = _filter(subjects_visible_to(actor), q=q, field=field, state=state)
    return _page(session, stmt, page, per_page)


def get_subject(session: Session, *, actor: Actor, subject_id: int) -> EnforcementSubject:
    """One subject, if within the actor's region."""
    subject = session.scalar(subjects_visible_to(actor).where(EnforcementSubject.id == subject_id))
    if subject is None:
        raise NotFound("执法主体不存在或不在您的辖区内。")
    return subject


def _check_manage(actor: Actor, region_code: str) -> None:
    actor.require(Permission.SUBJECTS_MANAGE)
    if not actor.covers_region(region_code):
        raise Forbidden("不能管理本辖区以外的执法主体。")


def _validated(session: Session, data: SubjectData, actor: Actor) -> SubjectData:
    name = data.name.strip()
    if not name:
        raise InvalidInput("请填写执法主体名称。", field="name")
    try:
        uscc = validate_uscc(data.uscc)
    except IdentifierError as exc:
        raise InvalidInput(exc.reason, field="uscc") from exc
    try:
        region_code = validate_region_code(data.region_code)
    except IdentifierError as exc:
        raise InvalidInput(exc.reason, field="region_code") from exc
    if session.get(Region, region_code) is None:
        raise InvalidInput(f"行政区划代码 {region_code} 不在区划表中。", field="region_code")
    _check_manage(actor, region_code)
    field = data.field.strip()
    if not field:
        raise InvalidInput("请填写执法领域。", field="field")
    if data.level not in LEVELS:
        raise InvalidInput("层级应为省级、市级、县级或乡级。", field="level")
    if data.kind not in SUBJECT_KINDS:
        # A1: only organs, authorised and entrusted organisations may be subjects at all.
        raise InvalidInput(
            "主体类别应为行政机关、法律法规授权组织或受委托组织；"
            "议事协调机构、检验检测机构、第三方机构、中介机构等不得作为行政检查主体。",
            field="kind",
        )
    entrusted_by_id = None
    if data.kind == "entrusted":
        if data.entrusted_by_id is None:
            raise InvalidInput("受委托组织须写明委托机关。", field="entrusted_by_id")
        organ = session.get(EnforcementSubject, data.entrusted_by_id)
        if organ is None:
            raise InvalidInput("委托机关不存在。", field="entrusted_by_id")
        if organ.kind != "organ":
            # 行政处罚法 第20条: only an administrative organ may entrust, in its own name.
            raise InvalidInput("委托机关须为行政机关。", field="entrusted_by_id")
        entrusted_by_id = organ.id
    return SubjectData(
        name=name,
        uscc=uscc,
        region_code=region_code,
        field=field,
        level=data.level,
        kind=data.kind,
        entrusted_by_id=entrusted_by_id,
        vertical=data.vertical,
        legal_basis=data.legal_basis.strip(),
    )


def _uscc_taken(session: Session, uscc: str, own_id: int | None) -> None:
    other = session.scalar(select(EnforcementSubject.id).where(EnforcementSubject.uscc == uscc))
    if other is not None and other != own_id:
        raise Conflict(f"统一社会信用代码 {uscc} 已登记为另一执法主体。")


def create_subject(session: Session, *, data: SubjectData, actor: Actor) -> EnforcementSubject:
    """Register a subject in the actor's region; it starts unconfirmed."""
    clean = _validated(session, data, actor)
    _uscc_taken(session, clean.uscc, None)
    subject = EnforcementSubject(
        name=clean.name,
        uscc=clean.uscc,
        region_code=clean.region_code,
        field=clean.field,
        level=clean.level,
        kind=clean.kind,
        entrusted_by_id=clean.entrusted_by_id,
        vertical=clean.vertical,
        legal_basis=clean.legal_basis,
        confirmed_by="",
        announcement_ref="",
        created_at=utcnow(),
    )
    session.add(subject)
    audit.record(
        session,
        actor=actor,
        action="subject.create",
        obj=subject,
        summary=f"登记执法主体 {subject.name}",
        region_code=subject.region_code,
    )
    return subject


def update_subject(
    session: Session, *, subject: EnforcementSubject, data: SubjectData, actor: Actor
) -> EnforcementSubject:
    """Edit a subject; a change to what was confirmed clears confirmation and announcement."""
    _check_manage(actor, subject.region_code)
    clean = _validated(session, data, actor)
    _uscc_taken(session, clean.uscc, subject.id)
    if clean.entrusted_by_id == subject.id:
        raise InvalidInput("执法主体不能委托自身。", field="entrusted_by_id")
    before = audit.snapshot(subject)
    for key in (
        "name",
        "uscc",
        "region_code",
        "field",
        "level",
        "kind",
        "entrusted_by_id",
        "vertical",
        "legal_basis",
    ):
        setattr(subject, key, getattr(clean, key))
    lapsed = subject.confirmed_on is not None and any(
        before[key] != getattr(subject, key) for key in _QUALIFYING_FIELDS
    )
    if lapsed:
        subject.confirmed_on = None
        subject.confirmed_by = ""
        subject.announced_on = None
        subject.announcement_ref = ""
    audit.record(
        session,
        actor=actor,
        action="subject.update",
        obj=subject,
        before=before,
        summary=f"修改执法主体 {subject.name}" + ("，原确认和公告失效" if lapsed else ""),
        region_code=subject.region_code,
    )
    return subject


def _event_date(on: dt.date | None, field: str) -> dt.date:
    today = local_today()
    day = on or today
    if day > today:
        raise InvalidInput("日期不能晚于今天。", field=field)
    return day


def confirm_subject(
    session: Session,
    *,
    subject: EnforcementSubject,
    confirmed_by: str,
    actor: Actor,
    on: dt.date | None = None,
) -> EnforcementSubject:
    """Record the government's confirmation of the subject's 行政检查主体资格."""
    _check_manage(actor, subject.region_code)
    if subject.confirmed_on is not None:
        raise Conflict("该执法主体的资格已经确认。")
    confirmed_by = confirmed_by.strip()
    if not confirmed_by:
        raise InvalidInput("请填写确认机关（如“衢州市柯城区人民政府”）。", field="confirmed_by")
    day = _event_date(on, "confirmed_on")
    before = audit.snapshot(subject)
    subject.confirmed_on = day
    subject.confirmed_by = confirmed_by[:120]
    audit.record(
        session,
        actor=actor,
        action="subject.confirm",
        obj=subject,
        before=before,
        summary=f"确认执法主体资格 {subject.name}（{confirmed_by}，{day.isoformat()}）",
        region_code=subject.region_code,
    )
    return subject


def announce_subject(
    session: Session,
    *,
    subject: EnforcementSubject,
    announcement_ref: str,
    actor: Actor,
    on: dt.date | None = None,
) -> EnforcementSubject:
    """Record the public announcement of a confirmed subject."""
    _check_manage(actor, subject.region_code)
    if subject.confirmed_on is None:
        raise Conflict("执法主体资格确认之后才能公告。")
    if subject.announced_on is not None:
        raise Conflict("该执法主体已经公告。")
    announcement_ref = announcement_ref.strip()
    if not announcement_ref:
        raise InvalidInput("请填写公告文号或公告链接。", field="announcement_ref")
    day = _event_date(on, "announced_on")
    if day < subject.confirmed_on:
        raise InvalidInput("公告日期不能早于确认日期。", field="announced_on")
    before = audit.snapshot(subject)
    subject.announced_on = day
    subject.announcement_ref = announcement_ref[:200]
    audit.record(
        session,
        actor=actor,
        action="subject.announce",
        obj=subject,
        before=before,
        summary=f"公告执法主体 {subject.name}（{announcement_ref}）",
        region_code=subject.region_code,
    )
    return subject


# ---------------------------------------------------------------------------------------
# 公示: the public listing of confirmed and announced subjects (no sign-in)
# ---------------------------------------------------------------------------------------


def _published() -> Select[EnforcementSubject]:
    return select(EnforcementSubject).where(
        EnforcementSubject.confirmed_on.is_not(None),
        EnforcementSubject.announced_on.is_not(None),
        EnforcementSubject.announced_on <= local_today(),
    )


def list_public_subjects(
    session: Session,
    *,
    region: str = "",
    q: str = "",
    field: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[EnforcementSubject]:
    """A page of the announced subjects of a region and the regions below it."""
    stmt = _published()
    if region.strip():
        try:
            code = validate_region_code(region)
        except IdentifierError as exc:
            raise InvalidInput(exc.reason, field="region") from exc
        stmt = stmt.where(
            region_in_scope(EnforcementSubject.region_code, region_scope_prefix(code))
        )
    return _page(session, _filter(stmt, q=q, field=field, state=""), page, per_page)


def get_public_subject(session: Session, *, subject_id: int) -> EnforcementSubject:
    """One announced subject."""
    subject = session.scalar(_published().where(EnforcementSubject.id == subject_id))
    if subject is None:
        raise NotFound("该执法主体不存在或尚未公告。")
    return subject


def entrusting_subject(session: Session, subject: EnforcementSubject) -> EnforcementSubject | None:
    """The organ in whose name an entrusted subject acts (None for other kinds)."""
    if subject.entrusted_by_id is None:
        return None
    return session.get(EnforcementSubject, subject.entrusted_by_id)


def entrusting_choices(session: Session, *, actor: Actor) -> list[EnforcementSubject]:
    """Organs in the actor's region that can entrust an organisation (for the form)."""
    return list(
        session.scalars(
            subjects_visible_to(actor)
            .where(EnforcementSubject.kind == "organ")
            .order_by(EnforcementSubject.region_code, EnforcementSubject.name)
            .limit(500)
        )
    )
