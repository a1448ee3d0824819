"""异地检查 (A8): inspecting an enterprise outside the subject's area needs the approval of a
common superior enforcement organ, and the local counterpart is told.

衢政办发〔2025〕16号 第10项: 涉企行政检查以属地管辖为原则……确需开展异地检查的，应当报共同上一级
行政执法机关批准，并告知当地主管部门. An approval is a record, checked as an unplanned approval
is (A4): the approving organ is a common superior — its area contains the subject's and the
enterprise's and lies above the subject's own — it was given before the inspection (for a late
code, by the day of the code), and its scope lists the enterprise, the items and a period that
holds the inspection's window. When the code is issued the approval is bound to the task and
the subject of the same field in the enterprise's county receives an inbox message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor, region_filter, subject_filter
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import Forbidden, InvalidInput, NotFound, RuleViolation, Violation
from wurao.core.ids import IdentifierError, normalize_uscc, region_scope_prefix
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.text import NOTE, text_problem
from wurao.core.time import local_today, utcnow
from wurao.inspections.models import (
    CrossRegionApproval,
    CrossRegionApprovalEnterprise,
    CrossRegionApprovalItem,
)
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem, Region
from wurao.registry.subjects.service import require_usable_subject

A8 = catalogue.A8  # 属地管辖（异地检查须经共同上级批准）
A8_ID, A8_TITLE, A8_SOURCE = A8.id, A8.title, A8.source
INBOX_KIND = "cross_region"


def _v(detail: str, **evidence: object) -> Violation:
    return A8.violation(detail, **evidence)


def is_remote(subject: EnforcementSubject, enterprise: Enterprise) -> bool:
    """Whether the enterprise lies outside the subject's area (属地管辖)."""
    return not enterprise.region_code.startswith(region_scope_prefix(subject.region_code))


def organ_problems(
    organ_name: str, organ_region: str, subject: EnforcementSubject, enterprise: Enterprise
) -> list[Violation]:
    """Why the organ is not a common superior of the subject and the enterprise."""
    organ = region_scope_prefix(organ_region)
    own = region_scope_prefix(subject.region_code)
    out = []
    if not (own.startswith(organ) and len(organ) < len(own)):
        out.append(
            _v(
                f"批准机关“{organ_name}”（{organ_region}）不是{subject.name}"
                f"（{subject.region_code}）的上级机关。",
                organ_region=organ_region,
            )
        )
    if not enterprise.region_code.startswith(organ):
        out.append(
            _v(
                f"批准机关“{organ_name}”（{organ_region}）的辖区不包括{enterprise.name}"
                f"所在地（{enterprise.region_code}），不是共同上级机关。",
                organ_region=organ_region,
            )
        )
    return out


# --- reads --------------------------------------------------------------------------------


def approvals_visible_to(actor: Actor) -> Select[CrossRegionApproval]:
    """Approvals of subjects in the actor's region; agency roles see their own subject's."""
    actor.require(Permission.TASKS_VIEW)
    return (
        select(CrossRegionApproval)
        .join(EnforcementSubject, EnforcementSubject.id == CrossRegionApproval.subject_id)
        .where(
            region_filter(actor, EnforcementSubject.region_code),
            subject_filter(actor, CrossRegionApproval.subject_id),
        )
    )


@dataclass(frozen=True)
class ApprovalView:
    """An approval with the subject, enterprises and items it names."""

    approval: CrossRegionApproval
    subject: EnforcementSubject
    enterprises: list[Enterprise]
    items: list[InspectionItem]


def _views(session: Session, approvals: Sequence[CrossRegionApproval]) -> list[ApprovalView]:
    ids = [a.id for a in approvals]
    if not ids:
        return []
    subjects = {
        s.id: s
        for s in session.scalars(
            select(EnforcementSubject).where(
                EnforcementSubject.id.in_({a.subject_id for a in approvals})
            )
        )
    }
    ents: dict[int, list[Enterprise]] = {i: [] for i in ids}
    for aid, ent in session.execute(
        select(CrossRegionApprovalEnterprise.approval_id, Enterprise)
        .join(Enterprise, Enterprise.id == CrossRegionApprovalEnterprise.enterprise_id)
        .where(CrossRegionApprovalEnterprise.approval_id.in_(ids))
        .order_by(Enterprise.name)
    ):
        ents[aid].append(ent)
    items: dict[int, list[InspectionItem]] = {i: [] for i in ids}
    for aid, item in session.execute(
        select(CrossRegionApprovalItem.approval_id, InspectionItem)
        .join(InspectionItem, InspectionItem.id == CrossRegionApprovalItem.item_id)
        .where(CrossRegionApprovalItem.approval_id.in_(ids))
        .order_by(InspectionItem.code)
    ):
        items[aid].append(item)
    return [ApprovalView(a, subjects[a.subject_id], ents[a.id], items[a.id]) for a in approvals]


def list_approvals(
    session: Session, *, actor: Actor, page: int = 1, per_page: int = PER_PAGE
) -> Page[ApprovalView]:
    """A page of the approvals the actor may see, newest first."""
    stmt = approvals_visible_to(actor).order_by(CrossRegionApproval.id.desc())
    found = paginate(session, stmt, page, per_page)
    return found.with_items(_views(session, found.items))


def get_approval(session: Session, *, actor: Actor, approval_id: int) -> ApprovalView:
    """One approval, if the actor may see it."""
    row = session.scalar(approvals_visible_to(actor).where(CrossRegionApproval.id == approval_id))
    if row is None:
        raise NotFound("异地检查批准不存在，或不在您的权限范围内。")
    return _views(session, [row])[0]


def approvals_for(
    session: Session, *, subject_ids: Sequence[int], enterprise_id: int
) -> list[ApprovalView]:
    """The approvals of these subjects that name the enterprise (for a task page)."""
    rows = session.scalars(
        select(CrossRegionApproval)
        .join(
            CrossRegionApprovalEnterprise,
            CrossRegionApprovalEnterprise.approval_id == CrossRegionApproval.id,
        )
        .where(
            CrossRegionApproval.subject_id.in_(list(subject_ids)),
            CrossRegionApprovalEnterprise.enterprise_id == enterprise_id,
        )
        .order_by(CrossRegionApproval.id.desc())
    ).all()
    return _views(session, rows)


def task_approvals(
    session: Session, *, subjects: Sequence[EnforcementSubject], enterprise: Enterprise
) -> tuple[list[EnforcementSubject], list[ApprovalView]]:
    """A task's subjects that inspect outside their area, and their approvals naming the
    enterprise (what the task page lists)."""
    remote = [s for s in subjects if is_remote(s, enterprise)]
    if not remote:
        return [], []
    return remote, approvals_for(
        session, subject_ids=[s.id for s in remote], enterprise_id=enterprise.id
    )


# --- the check (A8) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """The inspection an approval must cover: by whom, of what, when.

    ``approved_by``: the latest acceptable approval date — the inspection's start, or the day
    of a late code (补办, bounded by the A4 late window).
    """

    subject: EnforcementSubject
    enterprise: Enterprise
    item_ids: tuple[int, ...]
    start: dt.date
    end: dt.date
    approved_by: dt.date


def approval_problems(
    session: Session, approval: CrossRegionApproval, visit: Visit
) -> list[Violation]:
    """Why this approval does not cover the visit; empty when it does."""
    subject, enterprise = visit.subject, visit.enterprise
    ref = f"异地检查批准（{approval.organ_name} {approval.doc_no}）"
    if approval.subject_id != subject.id:
        return [_v(f"{ref}不是批准{subject.name}实施检查的。", approval_id=approval.id)]
    out = organ_problems(approval.organ_name, approval.organ_region_code, subject, enterprise)
    if approval.approved_on > visit.approved_by:
        out.append(
            _v(
                f"{ref}于{approval.approved_on.isoformat()}批准，晚于"
                f"{visit.approved_by.isoformat()}，不是事前批准。",
                approval_id=approval.id,
            )
        )
    covered = session.scalar(
        select(CrossRegionApprovalEnterprise.enterprise_id).where(
            CrossRegionApprovalEnterprise.approval_id == approval.id,
            CrossRegionApprovalEnterprise.enterprise_id == enterprise.id,
        )
    )
    if covered is None:
        out.append(_v(f"{ref}不包括{enterprise.name}。", approval_id=approval.id))
    if visit.start < approval.valid_from or visit.end > approval.valid_to:
        out.append(
            _v(
                f"{ref}的期间为{approval.valid_from.isoformat()}至"
                f"{approval.valid_to.isoformat()}，不覆盖检查时间{visit.start.isoformat()}至"
                f"{visit.end.isoformat()}。",
                approval_id=approval.id,
            )
        )
    allowed = set(
        session.scalars(
            select(CrossRegionApprovalItem.item_id).where(
                CrossRegionApprovalItem.approval_id == approval.id
            )
        )
    )
    missing = sorted(set(visit.item_ids) - allowed)
    if missing:
        codes = session.scalars(
            select(InspectionItem.code).where(InspectionItem.id.in_(missing))
        ).all()
        out.append(
            _v(
                f"{ref}未包括检查事项：{'、'.join(sorted(codes))}。",
                approval_id=approval.id,
                missing_item_ids=missing,
            )
        )
    return out


def covering(
    session: Session, visit: Visit, *, approval_id: int | None = None
) -> tuple[CrossRegionApproval | None, list[Violation]]:
    """The approval that covers a subject's 异地检查, or why there is none.

    ``approval_id`` (named by the task, or bound at its code) is the only one considered;
    otherwise the subject's approvals naming the enterprise are tried, newest first.
    """
    if approval_id is not None:
        named = session.get(CrossRegionApproval, approval_id)
        if named is None:
            return None, [_v(f"异地检查批准 {approval_id} 不存在。", approval_id=approval_id)]
        problems = approval_problems(session, named, visit)
        return (None, problems) if problems else (named, [])
    first: list[Violation] = []
    for view in approvals_for(
        session, subject_ids=[visit.subject.id], enterprise_id=visit.enterprise.id
    ):
        problems = approval_problems(session, view.approval, visit)
        if not problems:
            return view.approval, []
        first = first or problems
    if first:
        return None, first
    subject, enterprise = visit.subject, visit.enterprise
    return None, [
        _v(
            f"{enterprise.name}（{enterprise.region_code}）不在{subject.name}"
            f"（{subject.region_code}）辖区内，须登记共同上级机关的异地检查批准。",
            subject_id=subject.id,
        )
    ]


# --- record an approval -------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalData:
    """An approval as the agency records it from the approving organ's document."""

    organ_name: str
    organ_region_code: str
    approved_on: dt.date | None
    doc_no: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    enterprise_usccs: Sequence[str]
    item_codes: Sequence[str]
    reason: str = ""
    enterprise_ids: Sequence[int] = ()  # picked on the page; the API names USCCs


def _enterprises(
    session: Session, usccs: Sequence[str], ids: Sequence[int] = ()
) -> list[Enterprise]:
    picked = list(session.scalars(select(Enterprise).where(Enterprise.id.in_(set(ids)))))
    if len(picked) < len(set(ids)):
        raise InvalidInput("所选企业不在检查对象名录库中。", field="enterprise_ids")
    if ids and not any(u.strip() for u in usccs):
        return picked
    wanted: list[str] = []
    for raw in usccs:
        if not raw.strip():
            continue
        try:
            wanted.append(normalize_uscc(raw))
        except IdentifierError as exc:
            raise InvalidInput(exc.reason, field="enterprise_usccs") from exc
    wanted = sorted(set(wanted))
    if not wanted:
        if not usccs and not picked:
            raise InvalidInput("请至少选择一家检查对象。", field="enterprise_ids")
        raise InvalidInput("请至少填写一家检查对象的统一社会信用代码。", field="enterprise_usccs")
    found = list(session.scalars(select(Enterprise).where(Enterprise.uscc.in_(wanted))))
    missing = set(wanted) - {e.uscc for e in found}
    if missing:
        raise InvalidInput(
            f"检查对象名录库中没有这些企业：{'、'.join(sorted(missing))}。",
            field="enterprise_usccs",
        )
    return list({e.id: e for e in picked + found}.values())


def _items(
    session: Session, codes: Sequence[str], subject: EnforcementSubject
) -> list[InspectionItem]:
    wanted = sorted({c.strip() for c in codes if c.strip()})
    if not wanted:
        raise InvalidInput("请至少选择一项批准检查的事项。", field="item_codes")
    items = list(session.scalars(select(InspectionItem).where(InspectionItem.code.in_(wanted))))
    missing = set(wanted) - {i.code for i in items}
    if missing:
        raise InvalidInput(f"检查事项不存在：{'、'.join(sorted(missing))}。", field="item_codes")
    other = [i.code for i in items if i.field != subject.field]
    if other:
        raise InvalidInput(
            f"检查事项不属于{subject.field}领域：{'、'.join(sorted(other))}。", field="item_codes"
        )
    return items


def _dates(data: ApprovalData) -> tuple[dt.date, dt.date, dt.date]:
    if data.approved_on is None:
        raise InvalidInput("请填写批准日期。", field="approved_on")
    if data.approved_on > local_today():
        raise InvalidInput("批准日期不能晚于今天。", field="approved_on")
    if data.valid_from is None or data.valid_to is None:
        raise InvalidInput("请填写批准的检查期间。", field="valid_from")
    if data.valid_to < data.valid_from:
        raise InvalidInput("检查期间的结束日期早于开始日期。", field="valid_to")
    if data.valid_to < data.approved_on:
        raise InvalidInput("检查期间在批准日期之前已经结束。", field="valid_to")
    return data.approved_on, data.valid_from, data.valid_to


def may_record_approval(actor: Actor, remote: Sequence[EnforcementSubject]) -> bool:
    """Whether the task page offers the actor to record an approval: ``record_approval``'s
    rule (an approver bound to a subject) for a subject of the task that inspects away."""
    return (
        actor.can(Permission.UNPLANNED_APPROVE)
        and actor.subject_id is not None
        and actor.subject_id in {s.id for s in remote}
    )


def record_approval(session: Session, *, actor: Actor, data: ApprovalData) -> CrossRegionApproval:
    """Record the common superior's approval of the actor's subject's 异地检查 (A8)."""
    actor.require(Permission.UNPLANNED_APPROVE)
    if actor.subject_id is None:
        raise Forbidden("只有执法主体的管理员可以登记异地检查批准。")
    subject = session.get(EnforcementSubject, actor.subject_id)
    if subject is None:
        raise NotFound("执法主体不存在。")
    require_usable_subject(subject)
    organ_name, doc_no = data.organ_name.strip(), data.doc_no.strip()
    for value, name, label, limit in (
        (organ_name, "organ_name", "批准机关", 120),
        (doc_no, "doc_no", "批准文号", 120),
        (data.reason, "reason", "异地检查事由", NOTE),
    ):
        problem = text_problem(value, label, limit)
        if problem is not None:
            raise InvalidInput(problem, field=name)
    if not organ_name:
        raise InvalidInput("请填写批准机关名称。", field="organ_name")
    if organ_name == subject.name:
        raise RuleViolation([_v("异地检查不能由本机关自行批准，须报共同上一级机关批准。")])
    if not doc_no:
        raise InvalidInput("请填写批准文号。", field="doc_no")
    region = session.get(Region, data.organ_region_code.strip())
    if region is None:
        raise InvalidInput("批准机关所在行政区划代码不存在。", field="organ_region_code")
    approved_on, valid_from, valid_to = _dates(data)
    enterprises = _enterprises(session, data.enterprise_usccs, data.enterprise_ids)
    local = [e.name for e in enterprises if not is_remote(subject, e)]
    if local:
        raise InvalidInput(
            f"这些企业在本主体辖区内，无需异地检查批准：{'、'.join(local)}。",
            field="enterprise_ids" if data.enterprise_ids else "enterprise_usccs",
        )
    problems = [v for e in enterprises for v in organ_problems(organ_name, region.code, subject, e)]
    if problems:
        raise RuleViolation(list({v.detail: v for v in problems}.values()))
    items = _items(session, data.item_codes, subject)
    approval = CrossRegionApproval(
        subject_id=subject.id,
        organ_name=organ_name,
        organ_region_code=region.code,
        approved_on=approved_on,
        doc_no=doc_no,
        valid_from=valid_from,
        valid_to=valid_to,
        reason=data.reason.strip(),
        recorded_by_id=actor.user_id,
        recorded_at=utcnow(),
    )
    session.add(approval)
    session.flush()
    links: list[CrossRegionApprovalEnterprise | CrossRegionApprovalItem] = [
        CrossRegionApprovalEnterprise(approval_id=approval.id, enterprise_id=e.id)
        for e in enterprises
    ]
    links += [CrossRegionApprovalItem(approval_id=approval.id, item_id=i.id) for i in items]
    session.add_all(links)
    audit.record(
        session,
        actor=actor,
        action="cross_region.record",
        obj=approval,
        covers=links,
        region_code=subject.region_code,
        summary=f"登记异地检查批准：{organ_name}（{doc_no}），"
        f"{'、'.join(e.name for e in enterprises)[:120]}",
    )
    return approval
