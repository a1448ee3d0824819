"""The review loop's writes: a plan, its verifiable draw with the automatic checks, reviewers
assigned, each file's scores and problems, problems opened as rectification items, the plan
finished. Every verb checks the actor (the supervisor of the plan's region; a file is scored by
its assigned reviewer), advances the plan's lifecycle and writes its audit entry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.models import User
from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.errors import Conflict, Forbidden, InvalidInput
from wurao.core.time import local_date, local_today, utcnow
from wurao.oversight.rectification import service as rectification
from wurao.oversight.rectification.statuses import SourceKind
from wurao.oversight.reviews import checks, draw, queries
from wurao.oversight.reviews.checklist import checklist, score_of
from wurao.oversight.reviews.models import (
    ReviewFile,
    ReviewItem,
    ReviewPlan,
    ReviewPlanSubject,
    ReviewProblem,
)
from wurao.oversight.reviews.statuses import (
    PLAN_LIFECYCLE,
    FileKind,
    FileStatus,
    PlanStatus,
    Result,
)
from wurao.registry.models import EnforcementSubject
from wurao.sampling import algorithm

MAX_SAMPLE = 5000
ONLY_SUPERVISOR = "只有本辖区的执法监督机构可以制定评查方案、抽取案卷、分配人员和评分。"


# --- who may do what ------------------------------------------------------------------------


def may_manage(actor: Actor, plan: ReviewPlan) -> bool:
    """Whether the actor is the supervisor of the plan's region."""
    return actor.can(Permission.REVIEWS_MANAGE) and actor.covers_region(plan.region_code)


def may_score(actor: Actor, plan: ReviewPlan, review_file: ReviewFile) -> bool:
    """Whether the actor scores this file: its assigned reviewer (or a system administrator)."""
    if not may_manage(actor, plan):
        return False
    return actor.role is Role.SYSADMIN or review_file.reviewer_id == actor.user_id


def _manager(actor: Actor, plan: ReviewPlan) -> None:
    if not may_manage(actor, plan):
        raise Forbidden(ONLY_SUPERVISOR)


# --- the plan -------------------------------------------------------------------------------


@dataclass
class PlanInput:
    """The plan form's values, parsed."""

    title: str
    file_kind: str
    period_from: dt.date | None
    period_to: dt.date | None
    sample_size: int | None = None
    sample_rate: str = ""
    focus: str = ""
    subject_ids: list[int] = field(default_factory=list)


def _rate(value: str) -> str:
    value = value.strip().rstrip("%")
    if not value:
        return ""
    try:
        percent = Decimal(value)
    except InvalidOperation:
        raise InvalidInput("抽取比例应为百分数，如 5 或 12.5。", field="sample_rate") from None
    if not Decimal(0) < percent <= Decimal(100) or percent.quantize(Decimal("0.0001")) != percent:
        raise InvalidInput("抽取比例应大于0、不超过100（最多四位小数）。", field="sample_rate")
    return format((percent / 100).normalize(), "f")


def create_plan(session: Session, *, actor: Actor, data: PlanInput) -> ReviewPlan:
    """A draft plan of the actor's region (the scope's subjects must lie in it)."""
    actor.require(Permission.REVIEWS_MANAGE)
    title = data.title.strip()
    if not title:
        raise InvalidInput("请填写方案名称。", field="title")
    if len(title) > 200:
        raise InvalidInput("方案名称不能超过200个字。", field="title")
    if data.file_kind not in FileKind.labels():
        raise InvalidInput("请选择案卷类型。", field="file_kind")
    if data.period_from is None:
        raise InvalidInput("请填写评查期间的起始日期。", field="period_from")
    if data.period_to is None:
        raise InvalidInput("请填写评查期间的截止日期。", field="period_to")
    if data.period_to < data.period_from:
        raise InvalidInput("截止日期不能早于起始日期。", field="period_to")
    if (data.period_to - data.period_from).days > 366:
        raise InvalidInput("评查期间不能超过一年。", field="period_to")
    rate = _rate(data.sample_rate)
    if (data.sample_size is None) == (not rate):
        raise InvalidInput("请填写抽取数量或抽取比例（二选一）。", field="sample_size")
    if data.sample_size is not None and not 1 <= data.sample_size <= MAX_SAMPLE:
        raise InvalidInput(f"抽取数量应在1至{MAX_SAMPLE}之间。", field="sample_size")
    if len(data.focus) > 2000:
        raise InvalidInput("评查重点不能超过2000个字。", field="focus")
    subjects = list(
        session.scalars(
            select(EnforcementSubject).where(EnforcementSubject.id.in_(set(data.subject_ids)))
        )
    )
    if len(subjects) != len(set(data.subject_ids)) or not all(
        actor.covers_region(s.region_code) for s in subjects
    ):
        raise InvalidInput("评查范围只能选择本辖区的执法主体。", field="subject_ids")
    plan = ReviewPlan(
        region_code=actor.region_code,
        year=data.period_from.year,
        title=title,
        file_kind=data.file_kind,
        period_from=data.period_from,
        period_to=data.period_to,
        sample_size=data.sample_size,
        sample_rate=rate,
        focus=data.focus.strip(),
        status=PlanStatus.DRAFT.value,
        created_by_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(plan)
    session.flush()
    scope = [ReviewPlanSubject(plan_id=plan.id, subject_id=s.id) for s in subjects]
    session.add_all(scope)
    audit.record(
        session,
        actor=actor,
        action="review.plan",
        obj=plan,
        summary=f"制定案卷评查方案：{plan.title}",
        region_code=plan.region_code,
        covers=scope,
    )
    return plan


def _items_for(
    session: Session, kind: str, rows: Sequence[ReviewFile]
) -> tuple[list[ReviewItem], dt.datetime]:
    """The checklist rows of freshly drawn files, with the automatic checks' suggestions."""
    entries = checklist().of(kind)
    keys = [i.check for i in entries]
    if kind == FileKind.INSPECTION:
        pairs = [(f.task_id, f.subject_id) for f in rows if f.task_id is not None]
        facts = checks.task_facts(session, pairs)
        of = {f.id: facts[f.task_id] for f in rows if f.task_id is not None}
    else:
        found = checks.case_facts(session, [f.case_id for f in rows if f.case_id is not None])
        of = {f.id: found[f.case_id] for f in rows if f.case_id is not None}
    now = utcnow()
    items: list[ReviewItem] = []
    for f in rows:
        outcome = checks.run(session, of[f.id], keys)
        for entry in entries:
            o = outcome.get(entry.check)
            items.append(
                ReviewItem(
                    file_id=f.id,
                    code=entry.code,
                    auto_result=o.result.value if o else "",
                    auto_note=o.note if o else "",
                    result=o.result.value if o and o.result is not Result.UNKNOWN else "",
                    deduction=entry.points if o and o.result is Result.FAIL else 0,
                )
            )
        f.checked_at = now
    return items, now


def draw_plan(session: Session, *, plan: ReviewPlan, actor: Actor) -> list[ReviewFile]:
    """Freeze the pool, commit a seed, draw the sample (F8 REVIEW-SAMPLE) and run the automatic
    checks on every drawn file. A plan is drawn once."""
    _manager(actor, plan)
    PLAN_LIFECYCLE.check(plan, "draw")
    subject_ids = [s.id for s in queries.scope_of(session, plan)]
    members = draw.pool(session, plan, subject_ids)
    if not members:
        raise Conflict("评查期间内没有符合条件的案卷（检查记录已完成、处罚案件已作出决定）。")
    result = draw.run(plan, members, subject_ids)
    by_key = {m.key: m for m in members}
    before = audit.snapshot(plan)
    plan.frozen_json = algorithm.canonical(result.frozen).decode("utf-8")
    plan.frozen_sha256 = algorithm.sha256_hex(algorithm.canonical(result.frozen))
    plan.pool_file = result.pool_file.decode("utf-8")
    plan.seed_hex = result.seed.hex()
    plan.drawn_at = utcnow()
    PLAN_LIFECYCLE.advance(plan, "draw")
    rows = []
    for d in result.selection:
        m = by_key[d.uscc]
        rows.append(
            ReviewFile(
                plan_id=plan.id,
                file_key=m.key,
                rank=d.rank,
                draw_key=d.key,
                subject_id=m.subject_id,
                task_id=m.task_id,
                case_id=m.case_id,
                status=FileStatus.PENDING.value,
            )
        )
    session.add_all(rows)
    session.flush()
    items, _ = _items_for(session, plan.file_kind, rows)
    session.add_all(items)
    audit.record(
        session,
        actor=actor,
        action="review.draw",
        obj=plan,
        before=before,
        summary=(
            f"抽取评查案卷：{plan.title}，名录 {len(members)} 份，抽中 {len(rows)} 份"
            f"（名录 SHA-256 {json.loads(plan.frozen_json)['pool']['sha256'][:16]}…）"
        ),
        region_code=plan.region_code,
        covers=(*rows, *items),
    )
    return rows


def assign_reviewers(
    session: Session, *, plan: ReviewPlan, actor: Actor, reviewer_ids: Sequence[int]
) -> None:
    """Share the unscored files among the chosen reviewers in turn (drawn order)."""
    _manager(actor, plan)
    PLAN_LIFECYCLE.check(plan, "assign")
    allowed = {u.id: u for u in queries.reviewers(session, plan)}
    chosen = [allowed[i] for i in dict.fromkeys(reviewer_ids) if i in allowed]
    if not chosen or len(chosen) != len(set(reviewer_ids)):
        raise InvalidInput("请选择本辖区执法监督机构的评查人员。", field="reviewer_ids")
    files = [f for f in queries.plan_files(session, plan) if f.status == FileStatus.PENDING]
    before = audit.snapshot(plan)
    for n, f in enumerate(files):
        f.reviewer_id = chosen[n % len(chosen)].id
    PLAN_LIFECYCLE.advance(plan, "assign")
    audit.record(
        session,
        actor=actor,
        action="review.assign",
        obj=plan,
        before=before,
        summary=f"分配评查人员：{'、'.join(u.display_name for u in chosen)}（{len(files)} 份）",
        region_code=plan.region_code,
        covers=files,
    )


def reassign_file(
    session: Session, *, plan: ReviewPlan, review_file: ReviewFile, actor: Actor, reviewer_id: int
) -> None:
    """Give one unscored file to another reviewer of the region."""
    _manager(actor, plan)
    PLAN_LIFECYCLE.check(plan, "score")
    if review_file.status != FileStatus.PENDING:
        raise Conflict("案卷已评分，不能更换评查人员。")
    reviewer = next((u for u in queries.reviewers(session, plan) if u.id == reviewer_id), None)
    if reviewer is None:
        raise InvalidInput("请选择本辖区执法监督机构的评查人员。", field="reviewer_id")
    before = audit.snapshot(review_file)
    review_file.reviewer_id = reviewer.id
    audit.record(
        session,
        actor=actor,
        action="review.reassign",
        obj=review_file,
        before=before,
        summary=f"评查案卷 {review_file.file_key} 改由{reviewer.display_name}评查",
        region_code=plan.region_code,
    )


# --- scoring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemEntry:
    """The reviewer's judgement of one item."""

    result: str  # pass / fail
    deduction: int = 0
    note: str = ""


def _scorer(actor: Actor, plan: ReviewPlan, review_file: ReviewFile) -> None:
    _manager(actor, plan)
    PLAN_LIFECYCLE.check(plan, "score")
    if review_file.status == FileStatus.SCORED:
        raise Conflict("案卷已确定评分，不能再修改。")
    if not may_score(actor, plan, review_file):
        raise Forbidden("此案卷已分配给其他评查人员。")


def save_scores(
    session: Session,
    *,
    plan: ReviewPlan,
    review_file: ReviewFile,
    actor: Actor,
    entries: Mapping[str, ItemEntry],
    comment: str = "",
    final: bool = False,
    today: dt.date | None = None,
) -> ReviewFile:
    """Record the reviewer's item results; ``final`` fixes the score and grade (a failed veto
    item: 0, 不合格) and opens each problem as a rectification item of the file's subject
    (its deadline counted from ``today``)."""
    _scorer(actor, plan, review_file)
    kind_items = checklist().of(plan.file_kind)
    rows = queries.items_of(session, review_file)
    if len(comment) > 2000:
        raise InvalidInput("评查意见不能超过2000个字。", field="comment")
    for item in kind_items:
        entry = entries.get(item.code)
        if entry is None:
            continue
        if entry.result not in ("", Result.PASS, Result.FAIL):
            raise InvalidInput("请选择符合或不符合。", field=f"result_{item.code}")
        if not item.veto and not 0 <= entry.deduction <= item.points:
            raise InvalidInput(f"扣分应在0至{item.points}之间。", field=f"deduct_{item.code}")
        if len(entry.note) > 1000:
            raise InvalidInput("说明不能超过1000个字。", field=f"note_{item.code}")
        row = rows[item.code]
        row.result = entry.result
        row.deduction = entry.deduction if entry.result == Result.FAIL and not item.veto else 0
        row.note = entry.note.strip()
    missing = [i for i in kind_items if not rows[i.code].result]
    if final and missing:
        raise InvalidInput(
            f"还有{len(missing)}项未确认（{missing[0].title}）。", field=f"result_{missing[0].code}"
        )
    before = audit.snapshot(review_file)
    review_file.comment = comment.strip()
    opened: list[ReviewProblem] = []
    if final:
        today = today or local_today()
        score = score_of(
            kind_items,
            {c: (r.result, r.deduction) for c, r in rows.items()},
            plan.region_code,
            today,
        )
        review_file.score = score.score
        review_file.grade = score.grade.value
        review_file.vetoed = score.vetoed
        review_file.status = FileStatus.SCORED.value
        review_file.scored_at = utcnow()
        review_file.scored_by_id = actor.user_id
        opened = _open_problems(
            session, plan=plan, review_file=review_file, actor=actor, today=today
        )
    audit.record(
        session,
        actor=actor,
        action="review.score" if final else "review.save",
        obj=review_file,
        before=before,
        summary=(
            f"评查案卷 {review_file.file_key} "
            + (f"定分 {review_file.score} 分" if final else "保存评分")
        ),
        region_code=plan.region_code,
        covers=(*rows.values(), *opened),
    )
    return review_file


def add_problem(
    session: Session,
    *,
    plan: ReviewPlan,
    review_file: ReviewFile,
    actor: Actor,
    item_code: str,
    text: str,
) -> ReviewProblem:
    """Record a problem found in the file (opened for rectification when the file is scored)."""
    _scorer(actor, plan, review_file)
    words = text.strip()
    if not words:
        raise InvalidInput("请填写发现的问题。", field="problem_text")
    if len(words) > 2000:
        raise InvalidInput("问题描述不能超过2000个字。", field="problem_text")
    if item_code and checklist().item(plan.file_kind, item_code) is None:
        raise InvalidInput("请选择评查标准中的项目。", field="item_code")
    problem = ReviewProblem(
        file_id=review_file.id,
        item_code=item_code,
        text=words,
        created_at=utcnow(),
        created_by_id=actor.user_id,
    )
    session.add(problem)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="review.problem",
        obj=problem,
        summary=f"评查案卷 {review_file.file_key} 发现问题：{words[:60]}",
        region_code=plan.region_code,
    )
    return problem


def _open_problems(
    session: Session, *, plan: ReviewPlan, review_file: ReviewFile, actor: Actor, today: dt.date
) -> list[ReviewProblem]:
    """Each not yet opened problem becomes a rectification item of the file's subject
    (F8 REVIEW-PROBLEM); the rectification service writes its own audit entry."""
    opened = []
    for problem in queries.problems_of(session, review_file):
        if problem.opened:
            continue
        item = checklist().item(plan.file_kind, problem.item_code)
        rectification.open_item(
            session,
            actor=actor,
            subject_id=review_file.subject_id,
            source_kind=SourceKind.REVIEW.value,
            source_id=problem.id,
            title=f"案卷评查问题：{(item.title if item else problem.text)[:150]}",
            detail=f"评查方案“{plan.title}”，案卷 {review_file.file_key}：{problem.text}",
            today=today,
        )
        problem.opened = True
        opened.append(problem)
    return opened


def finish_plan(session: Session, *, plan: ReviewPlan, actor: Actor) -> ReviewPlan:
    """Close the plan once every drawn file has its final score."""
    _manager(actor, plan)
    PLAN_LIFECYCLE.check(plan, "finish")
    pending = [f for f in queries.plan_files(session, plan) if f.status != FileStatus.SCORED]
    if pending:
        raise Conflict(f"还有{len(pending)}份案卷未确定评分，不能完成评查。")
    before = audit.snapshot(plan)
    PLAN_LIFECYCLE.advance(plan, "finish")
    plan.finished_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="review.finish",
        obj=plan,
        before=before,
        summary=f"完成案卷评查：{plan.title}",
        region_code=plan.region_code,
    )
    return plan


def drawn_on(plan: ReviewPlan) -> dt.date | None:
    """The local date of the draw."""
    return local_date(plan.drawn_at) if plan.drawn_at else None


def reviewer_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """Display names of users."""
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
    return dict(rows)
