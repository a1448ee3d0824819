"""Demo 案卷评查 for 柯城区, written through the review services as kc_sfj.

A finished plan of last month's inspection records (铜山's monthly focus): drawn with the
verifiable draw, every file scored from the automatic suggestions, problems recorded on the
files that failed an item and opened as rectification items a month ago (some answered by the
市场监管局, one accepted, the others now overdue). A second plan, of the year's penalty cases
(or, without any, of the month before's inspections), is in review with two files scored.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.auth.permissions import Role
from wurao.auth.scope import Actor
from wurao.core.errors import Conflict
from wurao.core.time import local_today
from wurao.oversight.rectification import service as rectification
from wurao.oversight.rectification.statuses import SourceKind
from wurao.oversight.reviews import queries, service
from wurao.oversight.reviews.checklist import checklist
from wurao.oversight.reviews.models import ReviewFile, ReviewPlan
from wurao.oversight.reviews.statuses import FileKind, Result

SUPERVISOR = "kc_sfj"
SUBJECT_ADMIN = "kc_scjg_admin"
PRESENTATION = "文书中引用的法律条款写法前后不一致。"


def _month_before(day: dt.date) -> tuple[dt.date, dt.date]:
    last = day.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def _score(
    session: Session,
    actor: Actor,
    plan: ReviewPlan,
    f: ReviewFile,
    today: dt.date,
    n: int,
    noted: int | None = None,
) -> int:
    """Score one file from its suggestions: a problem for each of the first two failed items,
    and a presentation problem on some files (every file of subject ``noted``)."""
    items = queries.items_of(session, f)
    entries: dict[str, service.ItemEntry] = {}
    problems = 0
    for entry in checklist().of(plan.file_kind):
        row = items[entry.code]
        failed = row.auto_result == Result.FAIL
        entries[entry.code] = service.ItemEntry(
            "fail" if failed else "pass", row.deduction if failed else 0, row.auto_note[:200]
        )
        if failed and problems < 2:
            service.add_problem(
                session, plan=plan, review_file=f, actor=actor, item_code=entry.code,
                text=row.auto_note or entry.title,
            )  # fmt: skip
            problems += 1
    if n % 4 == 1 or f.subject_id == noted:
        code = "I-P1" if plan.file_kind == FileKind.INSPECTION else "C-P1"
        entries[code] = service.ItemEntry("fail", 3, "条款写法不统一")
        service.add_problem(session, plan=plan, review_file=f, actor=actor, item_code=code,
                            text=PRESENTATION)  # fmt: skip
        problems += 1
    comment = "案卷基本规范。" if not problems else "存在问题，已交执法主体整改。"
    service.save_scores(
        session, plan=plan, review_file=f, actor=actor, entries=entries, comment=comment,
        final=True, today=today,
    )  # fmt: skip
    return problems


def _plan(
    session: Session, actor: Actor, title: str, kind: str, period: tuple[dt.date, dt.date],
    size: int, focus: str,
) -> tuple[ReviewPlan, list[ReviewFile]] | None:  # fmt: skip
    plan = service.create_plan(
        session,
        actor=actor,
        data=service.PlanInput(title, kind, period[0], period[1], size, focus=focus),
    )
    try:
        files = service.draw_plan(session, plan=plan, actor=actor)
    except Conflict:  # nothing to review in the period: keep the draft
        return None
    service.assign_reviewers(session, plan=plan, actor=actor, reviewer_ids=[actor.user_id or 0])
    return plan, files


def generate(session: Session) -> str:
    """A finished review plan of last month and one in review; a one-line summary."""
    users = {u.username: u for u in session.scalars(select(User))}
    if SUPERVISOR not in users or SUBJECT_ADMIN not in users:
        return ""
    supervisor = auth_service.actor_for(users[SUPERVISOR])
    admin = auth_service.actor_for(users[SUBJECT_ADMIN])
    today = local_today()
    last_month = _month_before(today)
    done = _plan(
        session, supervisor, f"{last_month[0].year}年{last_month[0].month}月行政检查案卷评查",
        FileKind.INSPECTION.value, last_month, 10,
        "本月评查重点：亮码入企、检查记录完整、检查结果公示。",
    )  # fmt: skip
    if done is None:
        return ""
    plan, files = done
    scored_on = last_month[1] - dt.timedelta(days=3)
    problems = sum(
        _score(session, supervisor, plan, f, scored_on, n, admin.subject_id)
        for n, f in enumerate(files)
    )
    service.finish_plan(session, plan=plan, actor=supervisor)

    second = _plan(
        session, supervisor, f"{today.year}年行政处罚案卷评查（第一批）", FileKind.CASE.value,
        (dt.date(today.year, 1, 1), last_month[1]), 6, "重点评查处罚决定说明理由和文书送达。",
    )  # fmt: skip
    if second is None:
        second = _plan(
            session, supervisor, "前月行政检查案卷评查（补充）", FileKind.INSPECTION.value,
            _month_before(last_month[0]), 6, "重点评查两名持证人员实施检查。",
        )  # fmt: skip
    in_review, picked = 0, []
    if second is not None:  # two files scored, the 市场监管局's first
        picked = sorted(second[1], key=lambda f: (f.subject_id != admin.subject_id, f.id))[:2]
        for n, f in enumerate(picked):
            problems += _score(session, supervisor, second[0], f, today, n, admin.subject_id)
        in_review = len(second[1])
    # the subjects' administrators answer some items (the 市场监管局 first); one is accepted
    scored = [*files, *picked]
    ids = [p.id for f in scored for p in queries.problems_of(session, f)]
    items = rectification.items_of(session, source_kind=SourceKind.REVIEW.value, source_ids=ids)
    admins = {
        u.subject_id: auth_service.actor_for(u)
        for u in users.values()
        if u.role == Role.AGENCY_ADMIN.value and u.subject_id is not None
    }
    if admin.subject_id is not None:
        admins[admin.subject_id] = admin
    waiting = sorted(
        (i for rows in items.values() for i in rows if i.subject_id in admins),
        key=lambda i: (i.subject_id != admin.subject_id, i.id),
    )
    answered = accepted = 0
    for n, item in enumerate(waiting[:4]):
        rectification.answer(
            session, item=item, actor=admins[item.subject_id],
            body="已对照评查意见逐项整改，补正案卷材料，并组织执法人员学习。",
        )  # fmt: skip
        answered += 1
        if n == 0:
            rectification.accept(session, item=item, actor=supervisor, note="经核实，已整改。")
            accepted += 1

    return (
        f"案卷评查：上月方案抽查{len(files)}份已完成，发现问题{problems}个"
        f"（答复{answered}个、销号{accepted}个），另一方案评查中{in_review}份"
    )
