"""A4: the origin of a task — plan, 双随机 draw, 专项检查, approved unplanned or triggered
inspection — and the late-code window (事后补码)."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.core import clock
from wurao.core import rules as catalogue
from wurao.core.errors import DomainError, Violation
from wurao.inspections.precheck import (
    A4,
    A4_LATE,
    DRAW_STATES,
    ORIGINS,
    TRIGGERED,
    TaskFacts,
    flag,
    item_ids_of,
    start_of,
)
from wurao.planning import coverage
from wurao.planning.special import SPECIAL_PUBLIC
from wurao.sampling.models import Draw, DrawSubject


def _plan_problems(session: Session, f: TaskFacts) -> list[Violation]:
    task = f.task
    if task.plan_entry_id is None:
        return [flag(A4, "来源为年度检查计划，但未指明计划条目。")]
    row = coverage.origin_entry(session, task.plan_entry_id)
    if row is None:
        return [flag(A4, f"计划条目 {task.plan_entry_id} 不存在。")]
    _entry, plan = row
    out = []
    if plan.status not in coverage.COVERING_PLAN_STATES:
        out.append(
            flag(
                A4, f"年度计划“{plan.title}”尚未批准公布（状态：{plan.status}）。", plan_id=plan.id
            )
        )
    if plan.subject_id not in f.task_subjects:
        out.append(flag(A4, f"年度计划“{plan.title}”不属于本任务的执法主体。", plan_id=plan.id))
    if plan.year != task.year:
        out.append(flag(A4, f"年度计划“{plan.title}”是{plan.year}年的计划，任务在{task.year}年。"))
    if out:
        return out
    # The planning domain's own answer (one source of truth): the entry must cover this
    # enterprise in the starting month, the plan be published by then, and the plan's
    # entries cover every item this subject checks.
    start = start_of(task)
    cov = coverage.plan_coverage(
        session,
        subject_id=plan.subject_id,
        enterprise_id=task.enterprise_id,
        item_ids=item_ids_of(f, plan.subject_id),
        on=start,
    )
    if cov is None or task.plan_entry_id not in cov.entry_ids:
        return [
            flag(
                A4,
                f"年度计划“{plan.title}”的该条目在{start.isoformat()}不覆盖本企业"
                "（须已公布、属实施月份、企业在检查对象范围内）。",
                plan_id=plan.id,
            )
        ]
    if not cov.complete:
        return [
            flag(
                A4,
                f"年度计划“{plan.title}”未列入本任务的部分检查事项。",
                plan_id=plan.id,
                missing_item_ids=list(cov.missing_item_ids),
            )
        ]
    return []


def _special_problems(session: Session, f: TaskFacts) -> list[Violation]:
    task = f.task
    rule = catalogue.A7
    if task.special_id is None:
        return [flag(rule, "来源为专项检查，但未指明专项检查。")]
    found = coverage.origin_special(session, task.special_id)
    if found is None:
        return [flag(rule, f"专项检查 {task.special_id} 不存在。")]
    special, members = found
    out = []
    if special.status not in ("approved", *SPECIAL_PUBLIC):
        out.append(flag(rule, f"专项检查“{special.title}”未经批准（状态：{special.status}）。"))
    elif special.status not in SPECIAL_PUBLIC:
        out.append(
            flag(rule, f"专项检查“{special.title}”已批准但尚未公布（状态：{special.status}）。")
        )
    if not members & set(f.task_subjects):
        out.append(flag(rule, f"专项检查“{special.title}”不包括本任务的执法主体。"))
    if out:
        return out
    # The planning domain's own answer: running on the starting day, the enterprise active,
    # and every item a member subject checks among the special inspection's items.
    start = start_of(task)
    for sid in sorted(members & set(f.task_subjects)):
        cov = coverage.special_coverage(
            session,
            subject_id=sid,
            enterprise_id=task.enterprise_id,
            item_ids=item_ids_of(f, sid),
            on=start,
            special_id=special.id,
        )
        if cov is None or not cov.complete:
            out.append(
                flag(
                    rule,
                    f"专项检查“{special.title}”在{start.isoformat()}不覆盖本任务"
                    "（须在实施期间内、企业未注销吊销、检查事项属于该专项）。",
                    subject_id=sid,
                )
            )
    return out


def _unplanned_problems(session: Session, f: TaskFacts) -> list[Violation]:
    task = f.task
    if task.unplanned_id is None:
        return [flag(A4, "计划外检查须附经批准并报备的计划外检查审批。")]
    approval = coverage.origin_unplanned(session, task.unplanned_id)
    if approval is None:
        return [flag(A4, f"计划外检查审批 {task.unplanned_id} 不存在。")]
    out = []
    if approval.status != "approved":
        out.append(flag(A4, f"计划外检查审批未获批准（状态：{approval.status}）。"))
    if approval.valid_until is not None and approval.valid_until < f.today:
        out.append(flag(A4, f"计划外检查审批已于{approval.valid_until.isoformat()}失效。"))
    if approval.enterprise_id != task.enterprise_id:
        out.append(flag(A4, "计划外检查审批针对的是另一家企业。"))
    if approval.subject_id not in f.task_subjects:
        out.append(flag(A4, "计划外检查审批不属于本任务的执法主体。"))
    if out:
        return out
    # The planning domain's own answer: approved before the inspection starts and valid
    # then; a late code (补码) may rest on an approval obtained afterwards (衢政办发〔2025〕16号
    # 第7项, bounded by the late window), so it is checked on the day of the code.
    on = f.today if task.started_without_code_on else task.window_start
    cov = coverage.unplanned_coverage(
        session,
        subject_id=approval.subject_id,
        enterprise_id=task.enterprise_id,
        item_ids=item_ids_of(f, approval.subject_id),
        on=on,
        approval_id=approval.id,
    )
    if cov is None:
        return [
            flag(A4, f"计划外检查审批在{on.isoformat()}不覆盖本次检查（须事前批准且在有效期内）。")
        ]
    return []


def drawn_usccs(draw: Draw) -> set[str]:
    """The USCCs a drawn 双随机 draw selected, as its published result lists them."""
    result = json.loads(draw.result_json) if draw.result_json else {}
    return {str(row.get("uscc", "")) for row in result.get("selection") or []}


def _draw_problems(session: Session, f: TaskFacts) -> list[Violation]:
    """A draw origin is a fact to check, not a number to quote: the draw exists, has been
    drawn (frozen and run, so its selection is public), belongs to one of the task's subjects
    and selected this enterprise (国办发〔2019〕5号；企业信息公示暂行条例 第14条)."""
    task = f.task
    if task.draw_id is None:
        return [flag(A4, "来源为双随机抽查，但未关联抽查记录。")]
    draw = session.get(Draw, task.draw_id)
    if draw is None:
        return [flag(A4, f"双随机抽查 {task.draw_id} 不存在。", draw_id=task.draw_id)]
    if draw.status != "drawn":
        state = DRAW_STATES.get(draw.status, draw.status)
        return [
            flag(
                A4,
                f"双随机抽查“{draw.title}”尚未抽取（状态：{state}），不能作为检查来源。",
                draw_id=draw.id,
            )
        ]
    members = set(
        session.scalars(select(DrawSubject.subject_id).where(DrawSubject.draw_id == draw.id))
    )
    out = []
    if not members & set(f.task_subjects):
        out.append(flag(A4, f"双随机抽查“{draw.title}”不属于本任务的执法主体。", draw_id=draw.id))
    if f.enterprise.uscc not in drawn_usccs(draw):
        out.append(
            flag(
                A4,
                f"双随机抽查“{draw.title}”未抽中{f.enterprise.name}。",
                draw_id=draw.id,
                enterprise_id=f.enterprise.id,
            )
        )
    return out


def check_origin(session: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """A4/A7: the task comes from an approved plan, a draw, an approved special inspection,
    an approved unplanned filing, or names its trigger."""
    task = f.task
    label = ORIGINS.get(task.origin, task.origin)
    if task.origin == "plan":
        return _plan_problems(session, f), label
    if task.origin == "special":
        return _special_problems(session, f), label
    if task.origin == "unplanned":
        return _unplanned_problems(session, f), label
    if task.origin == "draw":
        return _draw_problems(session, f), label
    if task.origin in TRIGGERED:
        out = []
        if not task.trigger_ref.strip():
            out.append(flag(A4, "触发式检查须写明线索编号（投诉举报、转办交办或监测预警编号）。"))
        if not task.trigger_reason.strip():
            out.append(flag(A4, "触发式检查须写明检查理由。"))
        return out, f"{label}：{task.trigger_ref}"
    return [flag(A4, f"未知的检查来源“{task.origin}”。")], label


def check_late(_s: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """A4 补码: a code after the inspection started only within the policy window, counted from
    the day that inspection was completed (衢政办发〔2025〕16号 第7项: 在检查任务完成后1个工作日
    内补办批准手续并赋码); without a completion date, from the start (never looser)."""
    started = f.task.started_without_code_on
    if started is None:
        return [], "事前赋码"
    finished = f.task.finished_without_code_on
    if finished is not None and finished > f.today:
        return [
            flag(
                A4_LATE,
                f"填写的检查完成日期{finished.isoformat()}晚于赋码当日{f.today.isoformat()}："
                "检查尚未完成，不能据此补码。",
                finished=finished.isoformat(),
            )
        ], ""
    base = finished or started
    days = clock.A4_LATE_CODE.length(base, f.lead.region_code)
    try:
        deadline = clock.A4_LATE_CODE.deadline(base, f.lead.region_code)
    except DomainError as exc:  # an unknown calendar year: a refusal, never a guess
        return [flag(A4_LATE, exc.message, started=started.isoformat())], ""
    if finished is not None:
        event = f"{finished.isoformat()} 完成检查"
    else:
        event = f"{started.isoformat()} 开始检查（未填写检查完成日期，从开始之日起算）"
    note = f"{event}，补码截止 {deadline.isoformat()}（{days} 个工作日）"
    if f.today > deadline:
        return [
            flag(
                A4_LATE,
                f"{event}，补码期限（{days}个工作日）已于{deadline.isoformat()}届满，不得再补码。",
                started=started.isoformat(),
                deadline=deadline.isoformat(),
            )
        ], note
    return [], note
