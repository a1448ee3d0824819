"""Special inspections (专项检查, A7): necessity, 法制审核, 集体讨论, government approval,
publication, filing and the annual quota (国办发〔2024〕54号 §六).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import AGENCY_ROLES, Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.core import audit
from wurao.core.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from wurao.core.events import Event, emit
from wurao.core.lifecycle import LabelledEnum, Lifecycle, step
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.policy import get_policy
from wurao.core.time import local_today, utcnow
from wurao.planning import rules
from wurao.planning._shared import own_subject
from wurao.planning.models import (
    SpecialInspection,
    SpecialInspectionItem,
    SpecialInspectionSubject,
)
from wurao.registry.items.service import item_problems, items_visible_to
from wurao.registry.models import EnforcementSubject, InspectionItem
from wurao.registry.subjects.service import require_usable_subject


class SpecialStatus(LabelledEnum):
    """SpecialInspection.status: draft → reviewed (or refused) → discussed → approved →
    published → filed (衢政办发〔2025〕16号 第6项: 法制审核、集体讨论、政府批准、向社会公布)."""

    DRAFT = ("draft", "草稿")
    REVIEWED = ("reviewed", "法制审核通过")
    DISCUSSED = ("discussed", "已集体讨论")
    APPROVED = ("approved", "已批准")
    PUBLISHED = ("published", "已公布")
    FILED = ("filed", "已公布并报备")
    REFUSED = ("refused", "未通过")


SPECIAL_LIFECYCLE = Lifecycle(
    "专项检查",
    SpecialStatus,
    {
        "legal_pass": step(SpecialStatus.DRAFT, SpecialStatus.REVIEWED, "法制审核"),
        "legal_refuse": step(SpecialStatus.DRAFT, SpecialStatus.REFUSED, "法制审核"),
        "discuss": step(SpecialStatus.REVIEWED, SpecialStatus.DISCUSSED, "记录集体讨论"),
        "approve": step(SpecialStatus.DISCUSSED, SpecialStatus.APPROVED, "记录批准"),
        "publish": step(SpecialStatus.APPROVED, SpecialStatus.PUBLISHED, "公布"),
        "file": step(SpecialStatus.PUBLISHED, SpecialStatus.FILED, "报监督机构备案"),
    },
)
SPECIAL_LABELS: dict[str, str] = SpecialStatus.labels()
SPECIAL_PUBLIC: tuple[str, ...] = (SpecialStatus.PUBLISHED.value, SpecialStatus.FILED.value)
# What the annual quota counts (国办发〔2024〕54号 §六；衢政办发〔2025〕16号 第6项: 专项检查要实行
# 年度数量控制……经法制审核、集体讨论后，报县级以上政府……批准后向社会公布): special inspections
# organised, i.e. approved — then published and filed. A draft, or one still in legal review or
# collective discussion, is a proposal that may yet be refused and takes no place; the
# approval is where a place is taken, so that is where the quota is checked, under a lock.
QUOTA_COUNTED = (SpecialStatus.APPROVED.value, *SPECIAL_PUBLIC)
QUOTA_PARAM = "special.annual_quota"


@dataclass(frozen=True)
class SpecialData:
    """Input for a special inspection."""

    year: int
    title: str
    necessity: str
    scope: str
    start_on: dt.date | None
    end_on: dt.date | None
    item_ids: Sequence[int] = ()
    joint_subject_ids: Sequence[int] = ()


def special_label(status: str) -> str:
    """Chinese label of a special inspection's status."""
    return SPECIAL_LIFECYCLE.label(status)


def specials_visible_to(actor: Actor) -> Select[SpecialInspection]:
    """Special inspections in the actor's region; agency roles see those they lead or join."""
    actor.require(Permission.PLANS_VIEW)
    stmt = (
        select(SpecialInspection)
        .join(EnforcementSubject, EnforcementSubject.id == SpecialInspection.subject_id)
        .where(region_filter(actor, EnforcementSubject.region_code))
    )
    if actor.role in AGENCY_ROLES:
        joined = select(SpecialInspectionSubject.special_id).where(
            SpecialInspectionSubject.subject_id == actor.subject_id
        )
        stmt = stmt.where(
            (SpecialInspection.subject_id == actor.subject_id) | SpecialInspection.id.in_(joined)
        )
    return stmt


def list_specials(
    session: Session,
    *,
    actor: Actor,
    year: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[SpecialInspection]:
    """A page of the special inspections the actor may see."""
    stmt = specials_visible_to(actor)
    if year:
        stmt = stmt.where(SpecialInspection.year == year)
    return paginate(session, stmt.order_by(SpecialInspection.id.desc()), page, per_page)


def get_special(session: Session, *, actor: Actor, special_id: int) -> SpecialInspection:
    """One special inspection, if the actor may see it."""
    special = session.scalar(specials_visible_to(actor).where(SpecialInspection.id == special_id))
    if special is None:
        raise NotFound("专项检查不存在或不在您的辖区内。")
    return special


def special_items(session: Session, special: SpecialInspection) -> list[InspectionItem]:
    """Items checked in a special inspection."""
    return list(
        session.scalars(
            select(InspectionItem)
            .join(SpecialInspectionItem, SpecialInspectionItem.item_id == InspectionItem.id)
            .where(SpecialInspectionItem.special_id == special.id)
            .order_by(InspectionItem.code)
        )
    )


def special_partners(session: Session, special: SpecialInspection) -> list[EnforcementSubject]:
    """The further departments of a joint special inspection."""
    return list(
        session.scalars(
            select(EnforcementSubject)
            .join(
                SpecialInspectionSubject,
                SpecialInspectionSubject.subject_id == EnforcementSubject.id,
            )
            .where(SpecialInspectionSubject.special_id == special.id)
            .order_by(EnforcementSubject.name)
        )
    )


def _policy_day(year: int) -> dt.date:
    today = local_today()
    return today if today.year == year else dt.date(year, 1, 1)


def special_quota(session: Session, *, subject: EnforcementSubject, year: int) -> tuple[int, int]:
    """(annual quota from the policy file, special inspections approved) for a subject."""
    quota = int(get_policy().value(QUOTA_PARAM, subject.region_code, _policy_day(year)))
    used = int(
        session.scalar(
            select(func.count()).where(
                SpecialInspection.subject_id == subject.id,
                SpecialInspection.year == year,
                SpecialInspection.status.in_(QUOTA_COUNTED),
            )
        )
        or 0
    )
    return quota, used


def _lock_subject(session: Session, subject: EnforcementSubject) -> None:
    """Serialise approvals of one subject's special inspections: a row lock on the subject
    (``FOR NO KEY UPDATE``, so rows that merely reference the subject are not blocked). On
    SQLite a write session already holds the database's write lock (``BEGIN IMMEDIATE``)."""
    session.execute(
        select(EnforcementSubject.id)
        .where(EnforcementSubject.id == subject.id)
        .with_for_update(key_share=True)
    ).one()


def _check_quota(session: Session, subject: EnforcementSubject, year: int) -> None:
    quota, used = special_quota(session, subject=subject, year=year)
    if used >= quota:
        source = get_policy().lookup(QUOTA_PARAM, subject.region_code, _policy_day(year)).source
        raise RuleViolation(
            [
                rules.SPECIAL_QUOTA.violation(
                    f"{subject.name}{year}年度专项检查数量上限为{quota}项，已批准{used}项"
                    f"（草稿及审核、讨论中的不计），不得再组织专项检查。参数来源：{source}",
                    quota=quota,
                    used=used,
                    parameter=QUOTA_PARAM,
                )
            ]
        )


def may_edit_special(actor: Actor, special: SpecialInspection) -> bool:
    """Whether the actor does the lead subject's steps (discussion, approval, publication,
    filing): an agency administrator of the lead subject, or the system administrator. The
    special inspection's page shows its buttons by this same predicate."""
    if not actor.can(Permission.PLANS_EDIT):
        return False
    return actor.role is Role.SYSADMIN or actor.subject_id == special.subject_id


def may_review_special(actor: Actor, special: SpecialInspection) -> bool:
    """Whether the actor gives the 法制审核: a legal reviewer of the lead subject, or the
    system administrator."""
    if not actor.can(Permission.SPECIAL_LEGAL_REVIEW):
        return False
    return actor.role is Role.SYSADMIN or actor.subject_id == special.subject_id


def _check_own_special(actor: Actor, special: SpecialInspection) -> None:
    actor.require(Permission.PLANS_EDIT)
    if not may_edit_special(actor, special):
        raise Forbidden("只能办理本执法主体牵头的专项检查。")


def _special_record(
    session: Session,
    actor: Actor,
    action: str,
    special: SpecialInspection,
    before: dict[str, object] | None,
    summary: str,
) -> None:
    subject = session.get(EnforcementSubject, special.subject_id)
    audit.record(
        session,
        actor=actor,
        action=action,
        obj=special,
        before=before,
        summary=summary,
        region_code=subject.region_code if subject else None,
    )
    emit(session, Event.SPECIAL_CHANGED)


def create_special(
    session: Session, *, actor: Actor, data: SpecialData, subject_id: int | None = None
) -> SpecialInspection:
    """Draft a special inspection; refused when the subject's annual quota is used up (A7)."""
    subject = own_subject(session, actor, subject_id)
    require_usable_subject(subject)
    title = data.title.strip()
    if not title:
        raise InvalidInput("请填写专项检查名称。", field="title")
    if not data.necessity.strip():
        raise RuleViolation(
            [rules.SPECIAL_PLAN.violation("专项检查须进行必要性评估，请填写必要性说明。")]
        )
    if not data.scope.strip():
        raise InvalidInput("请写明检查范围。", field="scope")
    if data.start_on is None or data.end_on is None or data.end_on < data.start_on:
        raise InvalidInput("请填写起止日期，结束日期不得早于开始日期。", field="end_on")
    if data.start_on.year != data.year:
        raise InvalidInput("开始日期应在所填年度内。", field="start_on")
    _check_quota(session, subject, data.year)  # no point drafting once approvals fill it
    item_ids = sorted(set(data.item_ids))
    if not item_ids:
        raise InvalidInput("请至少选择一项检查事项。", field="item_ids")
    items = list(session.scalars(items_visible_to(actor).where(InspectionItem.id.in_(item_ids))))
    if len(items) != len(item_ids):
        raise InvalidInput("部分检查事项不存在或不适用于本辖区。", field="item_ids")
    partners = sorted(set(data.joint_subject_ids) - {subject.id})
    partner_rows: list[EnforcementSubject] = []
    if partners:
        in_scope = region_filter(actor, EnforcementSubject.region_code)
        partner_rows = list(
            session.scalars(
                select(EnforcementSubject).where(EnforcementSubject.id.in_(partners), in_scope)
            )
        )
    if len(partner_rows) != len(partners):
        raise InvalidInput("联合检查部门不存在或不在辖区内。", field="joint_subject_ids")
    fields = {subject.field} | {p.field for p in partner_rows}
    bad = [v for i in items for v in item_problems(i, field=i.field) if i.field in fields]
    bad += [
        v for i in items if i.field not in fields for v in item_problems(i, field=subject.field)
    ]
    if bad:
        raise RuleViolation(bad)
    special = SpecialInspection(
        subject_id=subject.id,
        year=data.year,
        title=title[:200],
        necessity=data.necessity.strip(),
        scope=data.scope.strip(),
        start_on=data.start_on,
        end_on=data.end_on,
        status=SpecialStatus.DRAFT.value,
        legal_review_by="",
        legal_review_opinion="",
        discussion_record="",
        approval_organ="",
        approval_ref="",
        created_at=utcnow(),
    )
    session.add(special)
    session.flush()
    links: list[SpecialInspectionItem | SpecialInspectionSubject] = [
        SpecialInspectionItem(special_id=special.id, item_id=i) for i in item_ids
    ]
    links += [
        SpecialInspectionSubject(special_id=special.id, subject_id=p.id) for p in partner_rows
    ]
    session.add_all(links)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="special.create",
        obj=special,
        covers=links,
        summary=f"起草专项检查“{special.title}”",
        region_code=subject.region_code,
    )
    return special


def legal_review_special(
    session: Session, *, special: SpecialInspection, actor: Actor, passed: bool, opinion: str
) -> SpecialInspection:
    """法制审核 by the subject's legal reviewer: passed, or refused with the opinion."""
    actor.require(Permission.SPECIAL_LEGAL_REVIEW)
    if not may_review_special(actor, special):
        raise Forbidden("只能审核本机关的专项检查。")
    action = "legal_pass" if passed else "legal_refuse"
    SPECIAL_LIFECYCLE.check(special, action)
    opinion = opinion.strip()
    if not opinion:
        raise InvalidInput("请填写法制审核意见。", field="opinion")
    before = audit.snapshot(special)
    SPECIAL_LIFECYCLE.advance(special, action)
    special.legal_review_by = actor.display_name[:60]
    special.legal_review_on = local_today()
    special.legal_review_opinion = opinion
    _special_record(
        session,
        actor,
        "special.legal_review",
        special,
        before,
        f"专项检查“{special.title}”法制审核{'通过' if passed else '未通过'}",
    )
    return special


def record_discussion(
    session: Session, *, special: SpecialInspection, actor: Actor, on: dt.date, record: str
) -> SpecialInspection:
    """Record the collective discussion (集体讨论) after legal review."""
    _check_own_special(actor, special)
    SPECIAL_LIFECYCLE.check(special, "discuss")
    if not record.strip():
        raise RuleViolation(
            [rules.SPECIAL_PLAN.violation("请填写集体讨论记录（参加人员、讨论意见、结论）。")]
        )
    if on > local_today() or (special.legal_review_on and on < special.legal_review_on):
        raise InvalidInput("讨论日期应在法制审核之后、不晚于今天。", field="discussion_on")
    before = audit.snapshot(special)
    SPECIAL_LIFECYCLE.advance(special, "discuss")
    special.discussion_on = on
    special.discussion_record = record.strip()
    _special_record(
        session, actor, "special.discuss", special, before, f"专项检查“{special.title}”经集体讨论"
    )
    return special


def record_special_approval(
    session: Session,
    *,
    special: SpecialInspection,
    actor: Actor,
    organ: str,
    ref: str,
    on: dt.date,
) -> SpecialInspection:
    """Record approval by a 县级以上人民政府 (or the superior organ of a vertical body)."""
    _check_own_special(actor, special)
    SPECIAL_LIFECYCLE.check(special, "approve")
    subject = session.get(EnforcementSubject, special.subject_id)
    assert subject is not None
    problems = rules.approval_organ_problems(
        organ, vertical=subject.vertical, subject_name=subject.name
    )
    if problems:
        raise RuleViolation(problems)
    if not ref.strip():
        raise InvalidInput("请填写批准文号。", field="approval_ref")
    if on > local_today() or (special.discussion_on and on < special.discussion_on):
        raise InvalidInput("批准日期应在集体讨论之后、不晚于今天。", field="approved_on")
    _lock_subject(session, subject)
    _check_quota(session, subject, special.year)
    before = audit.snapshot(special)
    SPECIAL_LIFECYCLE.advance(special, "approve")
    special.approval_organ = organ.strip()[:120]
    special.approval_ref = ref.strip()[:120]
    special.approved_on = on
    _special_record(
        session,
        actor,
        "special.approve",
        special,
        before,
        f"专项检查“{special.title}”经{special.approval_organ}批准（{special.approval_ref}）",
    )
    return special


def publish_special(
    session: Session, *, special: SpecialInspection, actor: Actor
) -> SpecialInspection:
    """Publish an approved special inspection (向社会公布)."""
    _check_own_special(actor, special)
    SPECIAL_LIFECYCLE.check(special, "publish")
    before = audit.snapshot(special)
    SPECIAL_LIFECYCLE.advance(special, "publish")
    special.published_on = local_today()
    _special_record(
        session, actor, "special.publish", special, before, f"公布专项检查“{special.title}”"
    )
    return special


def file_special(
    session: Session, *, special: SpecialInspection, actor: Actor
) -> SpecialInspection:
    """File a published special inspection with the supervisor (备案)."""
    _check_own_special(actor, special)
    SPECIAL_LIFECYCLE.check(special, "file")
    before = audit.snapshot(special)
    SPECIAL_LIFECYCLE.advance(special, "file")
    special.filed_at = utcnow()
    _special_record(
        session, actor, "special.file", special, before, f"专项检查“{special.title}”报监督机构备案"
    )
    return special
