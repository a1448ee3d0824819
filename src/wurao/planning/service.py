"""Annual inspection plans (年度行政检查计划): drafting, approval, publication, filing, amendment.

衢政办发〔2025〕16号 第4项: a plan is approved by the organ's head and then published; 路桥方案
三(二)1: it is filed (备案) with the supervisor, and no inspection happens outside it except in
key areas or on a superior's task. Lifecycle (InspectionPlan.status):

    draft → submitted → approved → published → filed (accepted) | returned

A published plan is changed only by a new version (``amend_plan``), which goes through the
same steps; publishing it marks the old version ``superseded`` and the old text stays readable.
Special inspections (专项检查) are in ``special``, unplanned approvals (计划外检查) in
``unplanned``; reads for the public portal, coverage checks and joint-inspection
candidates are in ``queries``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter, subject_filter
from wurao.core import audit
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from wurao.core.ids import region_scope_prefix
from wurao.core.lifecycle import LabelledEnum, Lifecycle, step
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.time import local_today, utcnow
from wurao.planning import rules
from wurao.planning._shared import own_subject
from wurao.planning.models import (
    InspectionPlan,
    PlanEntry,
    PlanTarget,
)
from wurao.registry.enterprises.service import enterprise_problems, enterprises_visible_to
from wurao.registry.items.methods import CHOICE_TEXT
from wurao.registry.items.methods import METHODS as METHODS  # re-exported for reports/
from wurao.registry.items.service import item_problems, items_visible_to
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem
from wurao.registry.subjects.service import require_usable_subject


class PlanStatus(LabelledEnum):
    """InspectionPlan.status (the module docstring draws the lifecycle)."""

    DRAFT = ("draft", "草稿")
    SUBMITTED = ("submitted", "已提交待批准")
    APPROVED = ("approved", "负责人已批准")
    PUBLISHED = ("published", "已公布")
    FILED = ("filed", "已公布并备案")
    RETURNED = ("returned", "备案退回")
    SUPERSEDED = ("superseded", "已被新版本替代")


_LIVE = (PlanStatus.PUBLISHED, PlanStatus.FILED, PlanStatus.RETURNED)
PLAN_LIFECYCLE = Lifecycle(
    "计划",
    PlanStatus,
    {
        "edit": step(PlanStatus.DRAFT, None, "修改检查内容"),
        "submit": step(PlanStatus.DRAFT, PlanStatus.SUBMITTED, "提交"),
        "approve": step(PlanStatus.SUBMITTED, PlanStatus.APPROVED, "记录负责人批准"),
        "send_back": step(PlanStatus.SUBMITTED, PlanStatus.DRAFT, "退回修改"),
        "publish": step(PlanStatus.APPROVED, PlanStatus.PUBLISHED, "公布"),
        "file": step(
            (PlanStatus.PUBLISHED, PlanStatus.RETURNED), PlanStatus.PUBLISHED, "报监督机构备案"
        ),
        # The supervisor's review is guarded by ``filing_status == "pending"``; a filing stays
        # pending when a newer version is published meanwhile, hence "superseded" here.
        "accept_filing": step(
            (PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED), PlanStatus.FILED, "审核备案"
        ),
        "return_filing": step(
            (PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED), PlanStatus.RETURNED, "审核备案"
        ),
        "amend": step(_LIVE, None, "调整（提交新版本）"),
        "supersede": step(_LIVE, PlanStatus.SUPERSEDED, "替代为新版本"),
    },
)
STATUS_LABELS: dict[str, str] = PlanStatus.labels()
FILING_LABELS = {
    "": "未报备",
    "pending": "已报备待审核",
    "accepted": "备案通过",
    "returned": "退回",
}
SELECTIONS = {"dss": "双随机抽查", "targeted": "定向检查", "key": "重点监管全覆盖"}
LIVE_PUBLIC: tuple[str, ...] = tuple(s.value for s in _LIVE)
PUBLIC_STATES: tuple[str, ...] = (*LIVE_PUBLIC, PlanStatus.SUPERSEDED.value)
MAX_TARGETS = 2000


@dataclass(frozen=True)
class EntryData:
    """Input for one plan line; ``target_ids`` are enterprise ids of a targeted line."""

    item_id: int
    method: str = "onsite"
    selection: str = "dss"
    scope_region: str = ""
    scope_industry: str = ""
    scope_credit: str = ""
    scope_tag: str = ""
    planned_count: int = 0
    months: Sequence[int] = ()
    officers_per_team: int = 2
    note: str = ""
    target_ids: Sequence[int] = field(default_factory=tuple)


def status_label(status: str) -> str:
    """Chinese label of a plan status."""
    return PLAN_LIFECYCLE.label(status)


def parse_months(value: str) -> list[int]:
    """A stored or typed month list ("3,4,5", "3-5", "3、4") as sorted ints 1–12."""
    out: set[int] = set()
    for part in value.replace("、", ",").replace("，", ",").replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        lo, _, hi = part.partition("-")
        if not lo.isdigit() or (hi and not hi.isdigit()):
            raise InvalidInput("月份应为1至12的数字，如“3,4,5”或“3-5”。", field="months")
        a, b = int(lo), int(hi or lo)
        if not 1 <= a <= b <= 12:
            raise InvalidInput("月份应为1至12的数字，如“3,4,5”或“3-5”。", field="months")
        out.update(range(a, b + 1))
    return sorted(out)


def months_of(entry: PlanEntry) -> list[int]:
    """The months of an entry as ints."""
    return parse_months(entry.months) if entry.months else []


# --- reads ----------------------------------------------------------------------------


def plans_visible_to(actor: Actor) -> Select[InspectionPlan]:
    """Plans of subjects in the actor's region; agency roles see their own subject's only."""
    actor.require(Permission.PLANS_VIEW)
    return (
        select(InspectionPlan)
        .join(EnforcementSubject, EnforcementSubject.id == InspectionPlan.subject_id)
        .where(
            region_filter(actor, EnforcementSubject.region_code),
            subject_filter(actor, InspectionPlan.subject_id),
        )
    )


def list_plans(
    session: Session,
    *,
    actor: Actor,
    year: int | None = None,
    status: str = "",
    q: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[InspectionPlan]:
    """A page of the plans the actor may see, newest first, with the total."""
    stmt = plans_visible_to(actor)
    if year:
        stmt = stmt.where(InspectionPlan.year == year)
    if status:
        if status not in STATUS_LABELS:
            raise InvalidInput("状态不正确。", field="status")
        stmt = stmt.where(InspectionPlan.status == status)
    if q.strip():
        stmt = stmt.where(
            InspectionPlan.title.contains(q.strip(), autoescape=True)
            | EnforcementSubject.name.contains(q.strip(), autoescape=True)
        )
    stmt = stmt.order_by(InspectionPlan.year.desc(), InspectionPlan.id.desc())
    return paginate(session, stmt, page, per_page)


def get_plan(session: Session, *, actor: Actor, plan_id: int) -> InspectionPlan:
    """One plan, if the actor may see it."""
    plan = session.scalar(plans_visible_to(actor).where(InspectionPlan.id == plan_id))
    if plan is None:
        raise NotFound("检查计划不存在或不在您的辖区内。")
    return plan


def entries_of(session: Session, plan: InspectionPlan) -> list[PlanEntry]:
    """A plan's lines in order."""
    return list(
        session.scalars(
            select(PlanEntry).where(PlanEntry.plan_id == plan.id).order_by(PlanEntry.id)
        )
    )


def target_counts(session: Session, entries: Sequence[PlanEntry]) -> dict[int, int]:
    """Number of named enterprises per entry id (one query)."""
    ids = [e.id for e in entries]
    if not ids:
        return {}
    rows = session.execute(
        select(PlanTarget.entry_id, func.count())
        .where(PlanTarget.entry_id.in_(ids))
        .group_by(PlanTarget.entry_id)
    ).all()
    return {int(e): int(n) for e, n in rows}


def targets_of(session: Session, entry: PlanEntry) -> list[Enterprise]:
    """The enterprises named in a targeted entry (staff only: not published)."""
    return list(
        session.scalars(
            select(Enterprise)
            .join(PlanTarget, PlanTarget.enterprise_id == Enterprise.id)
            .where(PlanTarget.entry_id == entry.id)
            .order_by(Enterprise.name)
        )
    )


def item_names(session: Session, ids: set[int]) -> dict[int, InspectionItem]:
    """Items by id (one query)."""
    if not ids:
        return {}
    return {
        i.id: i for i in session.scalars(select(InspectionItem).where(InspectionItem.id.in_(ids)))
    }


def versions_of(session: Session, plan: InspectionPlan) -> list[InspectionPlan]:
    """Every version of the plan's subject and year, newest first."""
    return list(
        session.scalars(
            select(InspectionPlan)
            .where(InspectionPlan.subject_id == plan.subject_id, InspectionPlan.year == plan.year)
            .order_by(InspectionPlan.version.desc())
        )
    )


def subject_of(session: Session, plan: InspectionPlan) -> EnforcementSubject:
    """The plan's enforcement subject."""
    subject = session.get(EnforcementSubject, plan.subject_id)
    assert subject is not None  # foreign key
    return subject


def plannable_items(
    session: Session, *, actor: Actor, subject: EnforcementSubject | None = None
) -> list[InspectionItem]:
    """Published items of a subject's field for the entry form: the actor's own subject, or
    the plan's subject when a system administrator edits it."""
    if subject is None:
        subject = actor_subject(session, actor)
    if subject is None:
        return []
    return list(
        session.scalars(
            items_visible_to(actor)
            .where(InspectionItem.status == "published", InspectionItem.field == subject.field)
            .order_by(InspectionItem.code)
            .limit(500)
        )
    )


# --- writes ---------------------------------------------------------------------------


def may_edit_plan(actor: Actor, plan: InspectionPlan) -> bool:
    """Whether the actor does the subject's steps on this plan: an agency administrator of the
    plan's subject, or the system administrator (who acts for any subject, as in
    ``own_subject``). The plan page shows its buttons by this same predicate."""
    if not actor.can(Permission.PLANS_EDIT):
        return False
    return actor.role is Role.SYSADMIN or actor.subject_id == plan.subject_id


def may_review_filing(actor: Actor, subject: EnforcementSubject) -> bool:
    """Whether the actor reviews filings of this subject's plans (the supervisor of its region)."""
    return actor.can(Permission.PLANS_REVIEW_FILING) and actor.covers_region(subject.region_code)


def check_own_plan(actor: Actor, plan: InspectionPlan) -> None:
    """Raise Forbidden unless ``may_edit_plan``."""
    actor.require(Permission.PLANS_EDIT)
    if not may_edit_plan(actor, plan):
        raise Forbidden("只能办理本执法主体的检查计划。")


def _record(
    session: Session,
    actor: Actor,
    action: str,
    plan: InspectionPlan,
    before: dict[str, object] | None,
    summary: str,
    region_code: str,
) -> None:
    plan.updated_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action=action,
        obj=plan,
        before=before,
        summary=summary,
        region_code=region_code,
    )


def create_plan(
    session: Session, *, actor: Actor, year: int, title: str, subject_id: int | None = None
) -> InspectionPlan:
    """Start a draft plan (version 1) for the actor's subject and year."""
    subject = own_subject(session, actor, subject_id)
    require_usable_subject(subject)
    if not 2000 <= year <= 2100:
        raise InvalidInput("年度不正确。", field="year")
    title = title.strip() or f"{subject.name}{year}年度行政检查计划"
    existing = session.scalar(
        select(InspectionPlan.id).where(
            InspectionPlan.subject_id == subject.id, InspectionPlan.year == year
        )
    )
    if existing is not None:
        raise Conflict(f"{subject.name}已有{year}年度检查计划；修改已公布的计划请提交新版本。")
    now = utcnow()
    plan = InspectionPlan(
        subject_id=subject.id,
        year=year,
        version=1,
        title=title[:200],
        status=PlanStatus.DRAFT.value,
        amendment_reason="",
        approved_by="",
        approval_comment="",
        filing_status="",
        filing_comment="",
        filing_reviewer="",
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(plan)
    _record(session, actor, "plan.create", plan, None, f"起草{plan.title}", subject.region_code)
    return plan


def _checked_entry(
    session: Session, actor: Actor, subject: EnforcementSubject, data: EntryData
) -> tuple[EntryData, list[int]]:
    item = session.scalar(items_visible_to(actor).where(InspectionItem.id == data.item_id))
    if item is None:
        raise InvalidInput("检查事项不存在或不适用于本辖区。", field="item_id")
    problems = item_problems(item, field=subject.field)
    if problems:
        raise RuleViolation(problems)
    if data.method not in METHODS:
        raise InvalidInput(f"检查方式应为{CHOICE_TEXT}。", field="method")
    if data.selection not in SELECTIONS:
        raise InvalidInput("检查对象确定方式应为双随机、定向或重点监管全覆盖。", field="selection")
    months = sorted(set(data.months))
    if not months or any(not 1 <= m <= 12 for m in months):
        raise InvalidInput("请填写实施月份（1至12月）。", field="months")
    if data.planned_count < 0 or data.planned_count > 10_000_000:
        raise InvalidInput("计划检查户次不正确。", field="planned_count")
    if data.method == "onsite" and data.officers_per_team < 2:
        raise RuleViolation([rules.TWO_OFFICERS.violation("现场检查每组执法人员不得少于两人。")])
    region = data.scope_region.strip() or subject.region_code
    if not region.isdigit() or not region.startswith(region_scope_prefix(subject.region_code)):
        raise InvalidInput("检查范围的区划须在本主体辖区内。", field="scope_region")
    credit = ",".join(
        c for c in data.scope_credit.replace("，", ",").upper().split(",") if c.strip()
    )
    if any(c.strip() not in ("A", "B", "C", "D") for c in credit.split(",") if c):
        raise InvalidInput("信用风险分类应为A、B、C、D，可多选，以逗号分隔。", field="scope_credit")
    target_ids: list[int] = []
    if data.selection == "targeted":
        wanted = sorted(set(data.target_ids))
        if not wanted:
            raise InvalidInput("定向检查须列明检查对象。", field="targets")
        if len(wanted) > MAX_TARGETS:
            raise InvalidInput(f"一行最多列明{MAX_TARGETS}家检查对象。", field="targets")
        found = list(
            session.scalars(enterprises_visible_to(actor).where(Enterprise.id.in_(wanted)))
        )
        if len(found) != len(wanted):
            raise InvalidInput("部分检查对象不存在或不在辖区内。", field="targets")
        bad = [v for e in found for v in enterprise_problems(e)]
        if bad:
            raise RuleViolation(bad)
        target_ids = wanted
        count = len(wanted)
    else:
        count = data.planned_count
    clean = EntryData(
        item_id=item.id,
        method=data.method,
        selection=data.selection,
        scope_region=region,
        scope_industry=data.scope_industry.strip().upper()[:5],
        scope_credit=credit,
        scope_tag=data.scope_tag.strip()[:40],
        planned_count=count,
        months=months,
        officers_per_team=data.officers_per_team,
        note=data.note.strip(),
    )
    return clean, target_ids


def add_entry(
    session: Session, *, plan: InspectionPlan, data: EntryData, actor: Actor
) -> PlanEntry:
    """Add a line to a draft plan (item, scope or named enterprises, method, months, team)."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "edit")
    subject = subject_of(session, plan)
    clean, target_ids = _checked_entry(session, actor, subject, data)
    entry = PlanEntry(
        plan_id=plan.id,
        item_id=clean.item_id,
        method=clean.method,
        selection=clean.selection,
        scope_region=clean.scope_region,
        scope_industry=clean.scope_industry,
        scope_credit=clean.scope_credit,
        scope_tag=clean.scope_tag,
        planned_count=clean.planned_count,
        months=",".join(str(m) for m in clean.months),
        officers_per_team=clean.officers_per_team,
        note=clean.note,
    )
    session.add(entry)
    session.flush()
    targets = [PlanTarget(entry_id=entry.id, enterprise_id=e) for e in target_ids]
    session.add_all(targets)
    audit.record(
        session,
        actor=actor,
        action="plan.entry.add",
        obj=entry,
        covers=targets,
        summary=f"{plan.title}：新增检查内容（{SELECTIONS[entry.selection]}，{entry.planned_count}户次）",
        region_code=subject.region_code,
    )
    return entry


def remove_entry(session: Session, *, plan: InspectionPlan, entry_id: int, actor: Actor) -> None:
    """Delete a line of a draft plan."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "edit")
    entry = session.scalar(
        select(PlanEntry).where(PlanEntry.id == entry_id, PlanEntry.plan_id == plan.id)
    )
    if entry is None:
        raise NotFound("计划中没有这一行。")
    targets = list(session.scalars(select(PlanTarget).where(PlanTarget.entry_id == entry.id)))
    before = audit.snapshot(entry)
    for t in targets:
        session.delete(t)
    session.delete(entry)
    audit.record(
        session,
        actor=actor,
        action="plan.entry.remove",
        obj=entry,
        before=before,
        deleted=True,
        covers=targets,
        summary=f"{plan.title}：删除一行检查内容",
        region_code=subject_of(session, plan).region_code,
    )


def submit_plan(session: Session, *, plan: InspectionPlan, actor: Actor) -> InspectionPlan:
    """Submit a draft for the head's approval."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "submit")
    if not entries_of(session, plan):
        raise InvalidInput("计划至少应有一行检查内容。", field="entries")
    before = audit.snapshot(plan)
    PLAN_LIFECYCLE.advance(plan, "submit")
    plan.submitted_at = utcnow()
    _record(
        session,
        actor,
        "plan.submit",
        plan,
        before,
        f"提交{plan.title}（第{plan.version}版）待负责人批准",
        subject_of(session, plan).region_code,
    )
    return plan


def approve_plan(
    session: Session, *, plan: InspectionPlan, actor: Actor, head_name: str, comment: str = ""
) -> InspectionPlan:
    """Record the head's approval (the administrator enters the head's name)."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "approve")
    head_name = head_name.strip()
    if not head_name:
        raise RuleViolation([rules.PLAN_APPROVAL.violation("请填写批准计划的单位负责人姓名。")])
    before = audit.snapshot(plan)
    PLAN_LIFECYCLE.advance(plan, "approve")
    plan.approved_at = utcnow()
    plan.approved_by = head_name[:60]
    plan.approval_comment = comment.strip()
    _record(
        session,
        actor,
        "plan.approve",
        plan,
        before,
        f"{plan.title}（第{plan.version}版）经负责人{head_name}批准",
        subject_of(session, plan).region_code,
    )
    return plan


def send_back(
    session: Session, *, plan: InspectionPlan, actor: Actor, comment: str
) -> InspectionPlan:
    """The head did not approve: back to draft with the head's comment."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "send_back")
    if not comment.strip():
        raise InvalidInput("请写明退回修改的意见。", field="comment")
    before = audit.snapshot(plan)
    PLAN_LIFECYCLE.advance(plan, "send_back")
    plan.approval_comment = comment.strip()
    _record(
        session,
        actor,
        "plan.send_back",
        plan,
        before,
        f"{plan.title}退回修改：{comment.strip()[:80]}",
        subject_of(session, plan).region_code,
    )
    return plan


def publish_plan(
    session: Session, *, plan: InspectionPlan, actor: Actor, on: dt.date | None = None
) -> InspectionPlan:
    """Publish an approved plan; an amendment replaces (supersedes) the version before it."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "publish")
    day = on or local_today()
    if day > local_today():
        raise InvalidInput("公布日期不能晚于今天。", field="published_on")
    region = subject_of(session, plan).region_code
    before = audit.snapshot(plan)
    PLAN_LIFECYCLE.advance(plan, "publish")
    plan.published_on = day
    _record(
        session,
        actor,
        "plan.publish",
        plan,
        before,
        f"公布{plan.title}（第{plan.version}版）",
        region,
    )
    if plan.supersedes_id is not None:
        old = session.get(InspectionPlan, plan.supersedes_id)
        if old is not None and PLAN_LIFECYCLE.can(old, "supersede"):
            old_before = audit.snapshot(old)
            PLAN_LIFECYCLE.advance(old, "supersede")
            _record(
                session,
                actor,
                "plan.supersede",
                old,
                old_before,
                f"{old.title}第{old.version}版被第{plan.version}版替代",
                region,
            )
    return plan


def file_plan(session: Session, *, plan: InspectionPlan, actor: Actor) -> InspectionPlan:
    """File (报备) a published plan with the supervisor; a returned one may be filed again."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "file")
    if plan.filing_status == "pending":
        raise Conflict("该计划已报备，等待监督机构审核。")
    before = audit.snapshot(plan)
    PLAN_LIFECYCLE.advance(plan, "file")
    plan.filed_at = utcnow()
    plan.filing_status = "pending"
    _record(
        session,
        actor,
        "plan.file",
        plan,
        before,
        f"{plan.title}（第{plan.version}版）报监督机构备案",
        subject_of(session, plan).region_code,
    )
    return plan


def review_filing(
    session: Session, *, plan: InspectionPlan, actor: Actor, accept: bool, comment: str = ""
) -> InspectionPlan:
    """The supervisor accepts a filing, or returns it with written comments."""
    actor.require(Permission.PLANS_REVIEW_FILING)
    subject = subject_of(session, plan)
    if not may_review_filing(actor, subject):
        raise Forbidden("只能审核本辖区执法主体报备的计划。")
    if plan.filing_status != "pending":
        raise Conflict("该计划没有待审核的备案。")
    comment = comment.strip()
    if not accept and not comment:
        raise InvalidInput("退回备案须写明意见。", field="comment")
    before = audit.snapshot(plan)
    plan.filing_status = "accepted" if accept else "returned"
    PLAN_LIFECYCLE.advance(plan, "accept_filing" if accept else "return_filing")
    plan.filing_comment = comment
    plan.filing_reviewed_at = utcnow()
    plan.filing_reviewer = actor.display_name[:60]
    verb = "备案通过" if accept else f"备案退回：{comment[:80]}"
    _record(
        session,
        actor,
        "plan.filing_review",
        plan,
        before,
        f"{plan.title}（第{plan.version}版）{verb}",
        subject.region_code,
    )
    return plan


def amend_plan(
    session: Session, *, plan: InspectionPlan, actor: Actor, reason: str
) -> InspectionPlan:
    """Start a new version of a published plan (a copy of its lines, as a draft)."""
    check_own_plan(actor, plan)
    PLAN_LIFECYCLE.check(plan, "amend")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("请写明调整计划的理由。", field="reason")
    newest = session.scalar(
        select(func.max(InspectionPlan.version)).where(
            InspectionPlan.subject_id == plan.subject_id, InspectionPlan.year == plan.year
        )
    )
    if newest != plan.version:
        raise Conflict("该计划已有更新的版本在办理中。")
    now = utcnow()
    new = InspectionPlan(
        subject_id=plan.subject_id,
        year=plan.year,
        version=plan.version + 1,
        title=plan.title,
        status=PlanStatus.DRAFT.value,
        supersedes_id=plan.id,
        amendment_reason=reason,
        approved_by="",
        approval_comment="",
        filing_status="",
        filing_comment="",
        filing_reviewer="",
        created_by_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(new)
    session.flush()
    copies: list[PlanEntry | PlanTarget] = []
    for old in entries_of(session, plan):
        entry = PlanEntry(
            plan_id=new.id,
            **{
                k: getattr(old, k)
                for k in (
                    "item_id", "method", "selection", "scope_region", "scope_industry",
                    "scope_credit", "scope_tag", "planned_count", "months",
                    "officers_per_team", "note",
                )
            },
        )  # fmt: skip
        session.add(entry)
        session.flush()
        copies.append(entry)
        for eid in session.scalars(
            select(PlanTarget.enterprise_id).where(PlanTarget.entry_id == old.id)
        ):
            target = PlanTarget(entry_id=entry.id, enterprise_id=eid)
            session.add(target)
            copies.append(target)
    new.updated_at = now
    audit.record(
        session,
        actor=actor,
        action="plan.amend",
        obj=new,
        covers=copies,
        summary=f"{plan.title}调整为第{new.version}版：{reason[:80]}",
        region_code=subject_of(session, plan).region_code,
    )
    return new


def enterprise_ids_by_uscc(session: Session, *, actor: Actor, usccs: Sequence[str]) -> list[int]:
    """Ids of the listed enterprises (by USCC) within the actor's region; unknown ones refused."""
    codes = sorted({c.strip().upper() for c in usccs if c.strip()})
    if len(codes) > MAX_TARGETS:
        raise InvalidInput(f"一行最多列明{MAX_TARGETS}家检查对象。", field="targets")
    if not codes:
        return []
    found = dict(
        session.execute(
            enterprises_visible_to(actor)
            .with_only_columns(Enterprise.uscc, Enterprise.id)
            .where(Enterprise.uscc.in_(codes))
        ).all()
    )
    missing = [c for c in codes if c not in found]
    if missing:
        raise InvalidInput(
            f"以下统一社会信用代码不在辖区检查对象名录中：{'、'.join(missing[:5])}", field="targets"
        )
    return [int(found[c]) for c in codes]


def actor_subject(session: Session, actor: Actor) -> EnforcementSubject | None:
    """The subject an agency actor belongs to (None for others)."""
    return session.get(EnforcementSubject, actor.subject_id) if actor.subject_id else None


def enterprise_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Names of the given enterprises (one query)."""
    if not ids:
        return {}
    rows = session.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ids)))
    return {int(i): n for i, n in rows}
