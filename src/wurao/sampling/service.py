"""双随机 draws: define, read and cancel; the shared labels and checks of the draw steps.

Rules coded here: C3 (two or more certified inspectors per subject, checked at definition),
C4 (ratios by credit class from the policy file). The steps after definition live in their
own modules: freezing the pool and roster (C2, C3) in `wurao.sampling.freeze`, running the
draw in `wurao.sampling.run` (the algorithm is `wurao.sampling.algorithm`), the published
artefacts and verification package in `wurao.sampling.artefacts`; results and their
publication (一公开, C6) are in `wurao.sampling.results`, conflict declarations (回避, B4) in
`wurao.sampling.conflicts`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import AGENCY_ROLES, Permission, Role
from wurao.auth.scope import Actor, region_filter
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.db import Base
from wurao.core.errors import Forbidden, InvalidInput, NotFound, RuleViolation, Violation
from wurao.core.ids import IdentifierError, region_scope_prefix, validate_region_code
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.policy import PolicyError, get_policy
from wurao.core.text import text_problem
from wurao.core.time import utcnow
from wurao.registry.items.methods import CHOICE_TEXT, METHODS
from wurao.registry.items.service import item_problems
from wurao.registry.models import EnforcementSubject, InspectionItem
from wurao.registry.officers.service import MIN_OFFICERS
from wurao.registry.subjects.service import subject_problems
from wurao.sampling.models import Draw, DrawItem, DrawSubject
from wurao.sampling.statuses import DRAW_LIFECYCLE, DRAW_STATES, DrawStatus

STATES: dict[str, str] = DRAW_STATES
CREDIT_CLASSES = "ABCD"
INSPECTED = ("coded", "in_progress", "done")  # tasks that count as "inspected recently"
RATIO_POLICY = "dss.ratio_by_credit_class"

C3 = catalogue.C3  # 双随机抽取检查人员


def c3_violation(detail: str, **evidence: object) -> Violation:
    """A C3 finding (not enough certified inspectors), raised at definition and at freeze."""
    return C3.violation(detail, **evidence)


@dataclass(frozen=True)
class DrawData:
    """Input defining a draw; the first subject leads (a joint draw lists several)."""

    title: str
    subject_ids: Sequence[int]
    item_ids: Sequence[int]
    region_code: str
    draw_date: dt.date
    method: str
    window_start: dt.date
    window_end: dt.date
    industry_codes: str = ""
    credit_classes: str = CREDIT_CLASSES
    tags: str = ""
    exclude_months: int = 0
    officers_per_subject: int = 2
    officer_cap: int = 10
    public_value_note: str = ""


# --- scope ---------------------------------------------------------------------------------


def draws_visible_to(actor: Actor) -> Select[Draw]:
    """Draws in the actor's region; agency roles see only draws their subject takes part in."""
    actor.require(Permission.TASKS_VIEW)
    stmt = select(Draw).where(region_filter(actor, Draw.region_code))
    if actor.role in AGENCY_ROLES:
        stmt = stmt.where(
            exists().where(
                DrawSubject.draw_id == Draw.id, DrawSubject.subject_id == actor.subject_id
            )
        )
    return stmt


def list_draws(
    session: Session, *, actor: Actor, status: str = "", page: int = 1, per_page: int = PER_PAGE
) -> Page[Draw]:
    """A page of the draws the actor may see, newest first."""
    stmt = draws_visible_to(actor)
    if status:
        if status not in STATES:
            raise InvalidInput(f"状态应为{'、'.join(STATES.values())}。", field="status")
        stmt = stmt.where(Draw.status == status)
    return paginate(session, stmt.order_by(Draw.id.desc()), page, per_page)


def get_draw(session: Session, *, actor: Actor, draw_id: int) -> Draw:
    """One draw the actor may see."""
    draw = session.scalar(draws_visible_to(actor).where(Draw.id == draw_id))
    if draw is None:
        raise NotFound("抽查不存在，或不在您的管辖范围内。")
    return draw


def may_manage_draw(actor: Actor, draw: Draw) -> bool:
    """Whether the actor takes the draw's steps (freeze, draw, cancel): the lead subject's
    staff who manage draws, or the system administrator. The draw page shows its buttons by
    this same predicate."""
    if not actor.can(Permission.DRAWS_MANAGE):
        return False
    return actor.role is Role.SYSADMIN or actor.subject_id == draw.lead_subject_id


def require_lead(actor: Actor, draw: Draw) -> None:
    """Only the lead subject (or the system administrator) manages a draw's steps."""
    actor.require(Permission.DRAWS_MANAGE)
    if not may_manage_draw(actor, draw):
        raise Forbidden("只有牵头执法主体可以操作本次抽查。")


def subjects_of(session: Session, draw: Draw) -> list[EnforcementSubject]:
    """The draw's subjects, the lead first."""
    return list(
        session.scalars(
            select(EnforcementSubject)
            .join(DrawSubject, DrawSubject.subject_id == EnforcementSubject.id)
            .where(DrawSubject.draw_id == draw.id)
            .order_by(DrawSubject.seq)
        )
    )


def items_of(session: Session, draw: Draw) -> list[tuple[InspectionItem, int]]:
    """The draw's items with the subject checking each."""
    rows = session.execute(
        select(InspectionItem, DrawItem.subject_id)
        .join(DrawItem, DrawItem.item_id == InspectionItem.id)
        .where(DrawItem.draw_id == draw.id)
        .order_by(InspectionItem.code)
    )
    return [(item, sid) for item, sid in rows]


# --- policy --------------------------------------------------------------------------------


def ratios_for(region_code: str, on: dt.date) -> dict[str, str]:
    """Sampling ratios by credit class (C4) as exact decimal strings."""
    try:
        table = get_policy().value(RATIO_POLICY, region_code, on)
    except PolicyError as exc:
        raise InvalidInput(f"政策参数“{RATIO_POLICY}”在该区划和日期没有取值：{exc}") from None
    return {str(k): str(Decimal(str(v))) for k, v in sorted(dict(table).items())}


# --- define --------------------------------------------------------------------------------


# The texts' documented maxima (those of ``schemas.DrawCreate``), checked here as well because
# the page form reaches this service without the schema (issue 17 item 10).
_TEXTS: tuple[tuple[str, str, int], ...] = (
    ("industry_codes", "行业代码", 200),
    ("tags", "标签", 200),
    ("public_value_note", "公开随机值来源", 200),
)


def _check_data(data: DrawData) -> None:
    if not data.title.strip() or len(data.title) > 200:
        raise InvalidInput("请填写抽查名称（不超过200字）。", field="title")
    for name, label, limit in _TEXTS:
        problem = text_problem(getattr(data, name), label, limit)
        if problem:
            raise InvalidInput(problem, field=name)
    if data.method not in METHODS:
        raise InvalidInput(f"检查方式应为{CHOICE_TEXT}。", field="method")
    if data.window_end < data.window_start:
        raise InvalidInput("检查期限的结束日期不能早于开始日期。", field="window_end")
    if data.window_start < data.draw_date:
        raise InvalidInput("检查期限不能早于抽取日期。", field="window_start")
    classes = data.credit_classes.strip().upper()
    if not classes or any(c not in CREDIT_CLASSES for c in classes):
        raise InvalidInput("信用风险分类应为 A、B、C、D 中的一个或多个。", field="credit_classes")
    if not 0 <= data.exclude_months <= 60:
        raise InvalidInput("排除近期已检查企业的月数应在0到60之间。", field="exclude_months")
    if data.officers_per_subject < MIN_OFFICERS:
        finding = c3_violation(
            "每个执法主体对每户企业至少派出两名执法人员。", value=data.officers_per_subject
        )
        raise RuleViolation([finding])
    if data.officer_cap < 1:
        raise InvalidInput("每名执法人员的任务上限至少为1。", field="officer_cap")
    if len(set(data.subject_ids)) != len(data.subject_ids) or not data.subject_ids:
        raise InvalidInput("请选择执法主体，且不要重复。", field="subject_ids")


def create_draw(session: Session, *, data: DrawData, actor: Actor) -> Draw:
    """Define a draw (draft): subjects, items on the 随机抽查事项清单, pool filter, officers."""
    actor.require(Permission.DRAWS_MANAGE)
    _check_data(data)
    try:
        region = validate_region_code(data.region_code.strip())
    except IdentifierError as exc:
        raise InvalidInput(str(exc), field="region_code") from None
    subjects = [session.get(EnforcementSubject, sid) for sid in data.subject_ids]
    if any(s is None for s in subjects):
        raise InvalidInput("执法主体不存在。", field="subject_ids")
    subs = [s for s in subjects if s is not None]
    lead = subs[0]
    if actor.role is not Role.SYSADMIN and actor.subject_id != lead.id:
        raise Forbidden("抽查由本执法主体牵头定义：请把本主体列为第一个（牵头）主体。")
    problems = [p for s in subs for p in subject_problems(s)]
    if problems:
        raise RuleViolation(problems)
    if not region.startswith(region_scope_prefix(lead.region_code)):
        raise InvalidInput("抽查区划须在牵头执法主体的管辖区划内。", field="region_code")
    ratios_for(region, data.draw_date)
    by_field = {s.field: s for s in subs}
    draw_items: list[tuple[InspectionItem, EnforcementSubject]] = []
    for item_id in dict.fromkeys(data.item_ids):
        item = session.get(InspectionItem, item_id)
        if item is None:
            raise InvalidInput("检查事项不存在。", field="item_ids")
        owner = by_field.get(item.field)
        if owner is None:
            raise InvalidInput(f"检查事项“{item.name}”不属于所选主体的执法领域。", field="item_ids")
        issues = item_problems(item, field=owner.field)
        if issues:
            raise RuleViolation(issues)
        if not item.on_dss_list:
            raise InvalidInput(
                f"检查事项“{item.name}”不在随机抽查事项清单上（C1）。", field="item_ids"
            )
        draw_items.append((item, owner))
    missing = [s.name for s in subs if all(o.id != s.id for _i, o in draw_items)]
    if missing:
        raise InvalidInput(
            f"每个主体至少选择一项检查事项：{'、'.join(missing)}。", field="item_ids"
        )
    draw = Draw(
        title=data.title.strip(),
        lead_subject_id=lead.id,
        region_code=region,
        draw_date=data.draw_date,
        method=data.method,
        window_start=data.window_start,
        window_end=data.window_end,
        industry_codes=",".join(p.strip() for p in data.industry_codes.split(",") if p.strip()),
        credit_classes="".join(sorted(set(data.credit_classes.strip().upper()))),
        tags=",".join(t.strip() for t in data.tags.split(",") if t.strip()),
        exclude_months=data.exclude_months,
        officers_per_subject=data.officers_per_subject,
        officer_cap=data.officer_cap,
        public_value_note=data.public_value_note.strip(),
        status=DrawStatus.DRAFT.value,
        created_by_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(draw)
    session.flush()
    children: list[Base] = [
        DrawSubject(draw_id=draw.id, subject_id=s.id, seq=n) for n, s in enumerate(subs)
    ]
    children += [DrawItem(draw_id=draw.id, item_id=i.id, subject_id=o.id) for i, o in draw_items]
    session.add_all(children)
    audit.record(
        session, actor=actor, action="draw.create", obj=draw, covers=children,
        region_code=region, summary=f"定义双随机抽查“{draw.title}”",
    )  # fmt: skip
    return draw


def redefine_draw(session: Session, *, old: Draw, data: DrawData, actor: Actor) -> Draw:
    """Define a draw in place of a draft (its preview showed it infeasible): the new draft is
    created and the old one cancelled with a reason naming its successor, both on record."""
    require_lead(actor, old)
    DRAW_LIFECYCLE.check(old, "cancel")
    if old.status != DrawStatus.DRAFT:
        raise InvalidInput("只有尚未冻结的抽查可以修改定义；已冻结的抽查请取消后重新定义。")
    new = create_draw(session, data=data, actor=actor)
    cancel_draw(session, draw=old, actor=actor,
                reason=f"定义已修改，由抽查“{new.title}”（编号 {new.id}）取代")  # fmt: skip
    return new


def definition_of(session: Session, draw: Draw) -> dict[str, object]:
    """A draw's definition as the form's values (to change a draft's definition)."""
    return {
        "title": draw.title, "region_code": draw.region_code,
        "subject_ids": [str(s.id) for s in subjects_of(session, draw)],
        "item_ids": [str(i.id) for i, _sid in items_of(session, draw)],
        "industry_codes": draw.industry_codes, "tags": draw.tags,
        "credit_classes": draw.credit_classes, "exclude_months": str(draw.exclude_months),
        "draw_date": draw.draw_date.isoformat(), "method": draw.method,
        "window_start": draw.window_start.isoformat(), "window_end": draw.window_end.isoformat(),
        "officers_per_subject": str(draw.officers_per_subject),
        "officer_cap": str(draw.officer_cap), "public_value_note": draw.public_value_note,
        # a draft is replaced; any other draw's definition is only copied into a new one
        "replaces": str(draw.id) if draw.status == DrawStatus.DRAFT else "",
    }  # fmt: skip


# --- cancel ----------------------------------------------------------------------------------


def cancel_draw(session: Session, *, draw: Draw, reason: str, actor: Actor) -> Draw:
    """Cancel a draft or frozen draw; a committed seed is revealed so no re-roll hides."""
    require_lead(actor, draw)
    DRAW_LIFECYCLE.check(draw, "cancel")
    if not reason.strip():
        raise InvalidInput("请填写取消理由。", field="reason")
    before = audit.snapshot(draw)
    draw.seed_revealed = draw.status == DrawStatus.FROZEN
    DRAW_LIFECYCLE.advance(draw, "cancel")
    draw.cancel_reason = reason.strip()
    draw.cancelled_at = utcnow()
    audit.record(
        session, actor=actor, action="draw.cancel", obj=draw, before=before,
        region_code=draw.region_code, summary=f"取消抽查：{draw.cancel_reason}",
    )  # fmt: skip
    return draw


# --- form choices ----------------------------------------------------------------------------


def form_choices(
    session: Session, *, actor: Actor
) -> tuple[list[EnforcementSubject], list[InspectionItem]]:
    """Announced subjects in the actor's region (partners) and published items on the list."""
    actor.require(Permission.DRAWS_MANAGE)
    subjects = session.scalars(
        select(EnforcementSubject)
        .where(region_filter(actor, EnforcementSubject.region_code),
               EnforcementSubject.announced_on.is_not(None))
        .order_by(EnforcementSubject.region_code, EnforcementSubject.id)
        .limit(200)
    ).all()  # fmt: skip
    fields = {s.field for s in subjects}
    items = session.scalars(
        select(InspectionItem)
        .where(InspectionItem.on_dss_list.is_(True), InspectionItem.status == "published",
               InspectionItem.field.in_(fields))
        .order_by(InspectionItem.field, InspectionItem.code)
        .limit(500)
    ).all()  # fmt: skip
    return list(subjects), list(items)
