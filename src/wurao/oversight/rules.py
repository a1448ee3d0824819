"""Supervision rules: named objects (RULES.md id, Chinese title, source, severity, policy
parameters) whose ``find`` query returns findings with their evidence.

The sweep (``wurao.oversight.engine``) turns each finding into one Alert, keyed by the
finding's ``dedup_key`` so that a second sweep raises nothing new. Each ``find`` is written
as a few set-based queries so that it stays a batch job at province scale; a context with
``task_ids`` narrows the task-based rules to the tasks just written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from wurao.core import workdays
from wurao.core.policy import NATIONAL, get_policy
from wurao.core.time import LOCAL_TZ, local_date
from wurao.inspections.models import (
    ActionCode,
    Evaluation,
    InspectionRecord,
    InspectionTask,
    TaskOfficer,
    TaskSubject,
)
from wurao.oversight.models import Clue
from wurao.planning.models import (
    InspectionPlan,
    PlanEntry,
    PlanTarget,
    SpecialInspection,
    UnplannedApproval,
)
from wurao.registry.models import EnforcementSubject, Enterprise, Officer
from wurao.registry.officers.service import officer_problems

# 路桥 二(三): "设置冲量任务重复检查且未发现问题" names no number. Three inspections without a
# finding by one subject at one enterprise in a calendar year is this platform's threshold,
# kept here (not in the policy file) because no place has published one. [UNCONFIRMED]
REPEAT_NONE_MIN = 3
REPEAT_NONE_SOURCE = (
    "路桥区涉企行政检查专项整治方案 二(三)：设置冲量任务重复检查且未发现问题；"
    "国办发〔2024〕54号 §九。次数阈值（同一主体同一企业一年内≥3次无问题检查）为本平台设定"
)
# Trend rules compare like with like only when both periods hold enough inspections.
TREND_MIN_INSPECTIONS = 10

OPEN_TASK = ("draft", "coded")
STARTED_TASK = ("in_progress", "done")


@dataclass(frozen=True)
class Context:
    """What a rule evaluation looks at: the day, and optionally only some tasks."""

    today: dt.date
    task_ids: frozenset[int] | None = None

    @property
    def year(self) -> int:
        """The calendar year of ``today``."""
        return self.today.year

    def tasks(self, column: Any) -> ColumnElement[bool]:
        """SQL restricting a task-id column to the tasks in scope (all when None)."""
        return true() if self.task_ids is None else column.in_(sorted(self.task_ids))


@dataclass(frozen=True)
class Finding:
    """One violation: where it belongs, what it says and the records it rests on."""

    dedup_key: str
    region_code: str
    detail: str
    subject_id: int | None = None
    enterprise_id: int | None = None
    task_id: int | None = None
    evidence: list[dict[str, object]] = field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    """A named supervision rule."""

    id: str
    title: str
    source: str
    severity: str
    params: tuple[str, ...]
    description: str
    find: Callable[[Session, Context], Iterable[Finding]]
    task_based: bool = True  # evaluated again when one of its tasks is written
    unconfirmed: bool = False


def _ev(kind: str, ident: int, label: str) -> dict[str, object]:
    return {"type": kind, "id": ident, "label": label}


def _policy(name: str, region: str, on: dt.date) -> Any:
    if region == NATIONAL:
        return _national(name, on)
    return get_policy().value(name, region, on)


def _national(name: str, on: dt.date) -> Any:
    """The national default in force (set-based queries use it before per-region checks)."""
    param = get_policy().parameters[name]
    values = [v for v in param.values if v.region == NATIONAL and v.effective <= on]
    return max(values, key=lambda v: v.effective).value


def _lead_subjects(session: Session, task_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted(set(task_ids))
    out: dict[int, int] = {}
    for i in range(0, len(ids), 5000):
        rows = session.execute(
            select(TaskSubject.task_id, TaskSubject.subject_id).where(
                TaskSubject.task_id.in_(ids[i : i + 5000]), TaskSubject.lead.is_(True)
            )
        )
        out.update({t: s for t, s in rows})
    return out


# --- A5: on-site cap ---------------------------------------------------------------------


def _cap(session: Session, ctx: Context) -> Iterator[Finding]:
    methods = list(_national("inspection.cap_counted_methods", ctx.today))
    exempt = list(_national("inspection.cap_exempt_origins", ctx.today))
    scope: ColumnElement[bool] = true()
    if ctx.task_ids is not None:
        pairs = select(InspectionTask.enterprise_id).where(ctx.tasks(InspectionTask.id))
        scope = InspectionTask.enterprise_id.in_(pairs)
    n = func.count(InspectionTask.id)
    rows = session.execute(
        select(InspectionTask.enterprise_id, TaskSubject.subject_id, InspectionTask.region_code, n)
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .where(
            scope,
            InspectionTask.year == ctx.year,
            InspectionTask.status != "cancelled",
            InspectionTask.method.in_(methods),
            InspectionTask.origin.not_in(exempt),
        )
        .group_by(InspectionTask.enterprise_id, TaskSubject.subject_id, InspectionTask.region_code)
        .having(n >= 2)
    )
    for ent_id, subj_id, region, count in rows:
        cap = int(_policy("inspection.onsite_cap_per_year", region, ctx.today))
        if count < cap:
            continue
        tasks = session.scalars(
            select(InspectionTask.id)
            .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
            .where(
                InspectionTask.enterprise_id == ent_id,
                TaskSubject.subject_id == subj_id,
                InspectionTask.year == ctx.year,
                InspectionTask.status != "cancelled",
                InspectionTask.method.in_(methods),
                InspectionTask.origin.not_in(exempt),
            )
            .order_by(InspectionTask.id)
        ).all()
        state = "已超过" if count > cap else "已达到"
        yield Finding(
            dedup_key=f"A5:{ctx.year}:{ent_id}:{subj_id}:{count}",
            region_code=region,
            subject_id=subj_id,
            enterprise_id=ent_id,
            detail=f"{ctx.year}年本主体对该企业计入上限的现场检查{count}次，{state}年度上限{cap}次。",
            evidence=[_ev("enterprise", ent_id, "企业")]
            + [_ev("task", t, f"检查任务 {t}") for t in tasks],
        )


# --- F3 / A6: multi-agency inspections and the early warning -----------------------------


def _inspected_by_many(session: Session, ctx: Context) -> dict[int, dict[int, list[int]]]:
    """Enterprise → subject → task ids of inspections done or under way in the window."""
    days = int(_policy("oversight.multi_agency_window_days", NATIONAL, ctx.today))
    start = ctx.today - dt.timedelta(days=days)
    scope: ColumnElement[bool] = true()
    if ctx.task_ids is not None:
        scope = InspectionTask.enterprise_id.in_(
            select(InspectionTask.enterprise_id).where(ctx.tasks(InspectionTask.id))
        )
    base = (
        select(InspectionTask.enterprise_id)
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .where(
            scope,
            InspectionTask.status.in_(STARTED_TASK),
            InspectionTask.window_start >= start,
            InspectionTask.window_start <= ctx.today,
        )
        .group_by(InspectionTask.enterprise_id)
        .having(func.count(func.distinct(TaskSubject.subject_id)) >= 2)
    )
    rows = session.execute(
        select(InspectionTask.enterprise_id, TaskSubject.subject_id, InspectionTask.id)
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .where(
            InspectionTask.enterprise_id.in_(base),
            InspectionTask.status.in_(STARTED_TASK),
            InspectionTask.window_start >= start,
            InspectionTask.window_start <= ctx.today,
        )
    )
    found: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for ent, subj, task in rows:
        found[ent][subj].append(task)
    return found


def _multi(session: Session, ctx: Context) -> Iterator[Finding]:
    for ent, by_subject in _inspected_by_many(session, ctx).items():
        region = session.scalar(select(Enterprise.region_code).where(Enterprise.id == ent)) or ""
        need = int(_policy("oversight.multi_agency_min_subjects", region, ctx.today))
        if len(by_subject) < need:
            continue
        tasks = sorted(t for ts in by_subject.values() for t in ts)
        yield Finding(
            dedup_key=f"F3M:{ent}:{tasks[-1]}:{len(by_subject)}",
            region_code=region,
            enterprise_id=ent,
            detail=f"该企业近期被{len(by_subject)}个执法主体检查，存在多头检查。",
            evidence=[_ev("enterprise", ent, "企业")]
            + [_ev("task", t, f"检查任务 {t}") for t in tasks],
        )


def _early_warning(session: Session, ctx: Context) -> Iterator[Finding]:
    for ent, by_subject in _inspected_by_many(session, ctx).items():
        region = session.scalar(select(Enterprise.region_code).where(Enterprise.id == ent)) or ""
        need = int(_policy("oversight.multi_agency_min_subjects", region, ctx.today))
        if len(by_subject) < need:
            continue
        went = set(by_subject)
        planned: dict[int, list[dict[str, object]]] = defaultdict(list)
        for task_id, subj in session.execute(
            select(InspectionTask.id, TaskSubject.subject_id)
            .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
            .where(InspectionTask.enterprise_id == ent, InspectionTask.status.in_(OPEN_TASK))
        ):
            planned[subj].append(_ev("task", task_id, f"待实施的检查任务 {task_id}"))
        for target_id, subj in session.execute(
            select(PlanTarget.id, InspectionPlan.subject_id)
            .join(PlanEntry, PlanEntry.id == PlanTarget.entry_id)
            .join(InspectionPlan, InspectionPlan.id == PlanEntry.plan_id)
            .where(
                PlanTarget.enterprise_id == ent,
                InspectionPlan.year == ctx.year,
                InspectionPlan.status.not_in(("draft", "superseded", "withdrawn")),
            )
        ):
            planned[subj].append(_ev("plan_target", target_id, f"年度计划检查对象 {target_id}"))
        for subj, evidence in planned.items():
            if subj in went:
                continue
            yield Finding(
                dedup_key=f"A6W:{ent}:{subj}:{ctx.year}:{min(int(str(e['id'])) for e in evidence)}",
                region_code=region,
                subject_id=subj,
                enterprise_id=ent,
                detail=(
                    f"该企业近期已被{len(went)}个执法主体检查，本主体仍计划检查：请优先合并、"
                    "联合或改为非现场检查（能合并不得重复检查，能联合不得多头检查）。"
                ),
                evidence=[_ev("enterprise", ent, "企业"), *evidence],
            )


# --- 路桥 二(三): repeated inspections without a finding, and deregistered enterprises -----


def _repeat_none(session: Session, ctx: Context) -> Iterator[Finding]:
    scope: ColumnElement[bool] = true()
    if ctx.task_ids is not None:
        scope = InspectionTask.enterprise_id.in_(
            select(InspectionTask.enterprise_id).where(ctx.tasks(InspectionTask.id))
        )
    n = func.count(InspectionTask.id)
    rows = session.execute(
        select(InspectionTask.enterprise_id, TaskSubject.subject_id, InspectionTask.region_code, n)
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .join(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
        .where(
            scope,
            InspectionTask.year == ctx.year,
            InspectionRecord.outcome == "none",
            InspectionRecord.finished_at.is_not(None),
        )
        .group_by(InspectionTask.enterprise_id, TaskSubject.subject_id, InspectionTask.region_code)
        .having(n >= REPEAT_NONE_MIN)
    )
    for ent, subj, region, count in rows:
        tasks = session.scalars(
            select(InspectionTask.id)
            .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
            .join(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
            .where(
                InspectionTask.enterprise_id == ent,
                TaskSubject.subject_id == subj,
                InspectionTask.year == ctx.year,
                InspectionRecord.outcome == "none",
                InspectionRecord.finished_at.is_not(None),
            )
            .order_by(InspectionTask.id)
        ).all()
        yield Finding(
            dedup_key=f"REPEAT:{ctx.year}:{ent}:{subj}:{count}",
            region_code=region,
            subject_id=subj,
            enterprise_id=ent,
            detail=f"{ctx.year}年本主体对该企业检查{count}次均未发现问题，疑为冲量重复检查。",
            evidence=[_ev("enterprise", ent, "企业")]
            + [_ev("task", t, f"无问题检查 {t}") for t in tasks],
        )


def _deregistered(session: Session, ctx: Context) -> Iterator[Finding]:
    rows = session.execute(
        select(InspectionTask.id, InspectionTask.region_code, Enterprise.id, Enterprise.status)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .where(
            ctx.tasks(InspectionTask.id),
            Enterprise.status.in_(("deregistered", "revoked")),
            InspectionTask.status != "cancelled",
        )
    ).all()
    leads = _lead_subjects(session, [r[0] for r in rows])
    label = {"deregistered": "已注销", "revoked": "已吊销"}
    for task, region, ent, status in rows:
        yield Finding(
            dedup_key=f"DEREG:{task}",
            region_code=region,
            subject_id=leads.get(task),
            enterprise_id=ent,
            task_id=task,
            detail=f"检查对象{label[status]}，仍安排检查任务 {task}。",
            evidence=[_ev("task", task, f"检查任务 {task}"), _ev("enterprise", ent, "企业")],
        )


# --- A2: uncertified or auxiliary staff ---------------------------------------------------


def _uncertified(session: Session, ctx: Context) -> Iterator[Finding]:
    on = InspectionTask.window_start
    bad = or_(
        Officer.kind != "officer",
        Officer.cert_no.is_(None),
        Officer.cert_valid_from.is_(None),
        Officer.cert_valid_to.is_(None),
        Officer.cert_valid_from > on,
        Officer.cert_valid_to < on,
    )
    rows = session.execute(
        select(InspectionTask, Officer)
        .join(TaskOfficer, TaskOfficer.task_id == InspectionTask.id)
        .join(Officer, Officer.id == TaskOfficer.officer_id)
        .where(ctx.tasks(InspectionTask.id), InspectionTask.status != "cancelled", bad)
    ).all()
    for task, officer in rows:
        problems = [p.detail for p in officer_problems(officer, task.window_start)]
        yield Finding(
            dedup_key=f"A2:{task.id}:{officer.id}",
            region_code=task.region_code,
            subject_id=officer.subject_id,
            enterprise_id=task.enterprise_id,
            task_id=task.id,
            detail="；".join(problems) or f"{officer.name}在检查日无有效执法资格。",
            evidence=[
                _ev("task", task.id, f"检查任务 {task.id}"),
                _ev("officer", officer.id, officer.name),
            ],
        )


# --- A4: late or missing codes ------------------------------------------------------------


def _codes(session: Session, ctx: Context) -> Iterator[Finding]:
    late = session.execute(
        select(InspectionTask.id, InspectionTask.region_code, ActionCode.id, ActionCode.number)
        .join(ActionCode, ActionCode.task_id == InspectionTask.id)
        .where(ctx.tasks(InspectionTask.id), ActionCode.late.is_(True))
    ).all()
    missing = session.execute(
        select(InspectionTask.id, InspectionTask.region_code)
        .outerjoin(ActionCode, ActionCode.task_id == InspectionTask.id)
        .outerjoin(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
        .where(
            ctx.tasks(InspectionTask.id),
            ActionCode.id.is_(None),
            or_(
                InspectionTask.status.in_(STARTED_TASK),
                InspectionRecord.finished_at.is_not(None),
            ),
        )
    ).all()
    leads = _lead_subjects(session, [r[0] for r in late] + [r[0] for r in missing])
    for task, region, code, number in late:
        yield Finding(
            dedup_key=f"A4L:{task}",
            region_code=region,
            subject_id=leads.get(task),
            task_id=task,
            detail=f"检查任务 {task} 的行政行为码 {number} 为事后补码。",
            evidence=[_ev("task", task, f"检查任务 {task}"), _ev("code", code, number)],
        )
    for task, region in missing:
        yield Finding(
            dedup_key=f"A4M:{task}",
            region_code=region,
            subject_id=leads.get(task),
            task_id=task,
            detail=f"检查任务 {task} 已实施或已办结，但没有行政行为码（无码不查、无码无效）。",
            evidence=[_ev("task", task, f"检查任务 {task}")],
        )


# --- A8: 异地检查 without approval --------------------------------------------------------


def _remote(session: Session, ctx: Context) -> Iterator[Finding]:
    # The subject's scope prefix as wurao.core.ids.region_scope_prefix draws it: a province
    # (xx0000) 2 digits, a prefecture (xxxx00) 4, a county or town its whole code.
    rc = EnforcementSubject.region_code
    plen = case(
        (and_(func.length(rc) == 6, func.substr(rc, 3, 4) == "0000"), 2),
        (and_(func.length(rc) == 6, func.substr(rc, 5, 2) == "00"), 4),
        else_=func.length(rc),
    )
    rows = session.execute(
        select(InspectionTask.id, InspectionTask.region_code, TaskSubject.subject_id)
        .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
        .join(EnforcementSubject, EnforcementSubject.id == TaskSubject.subject_id)
        .where(
            ctx.tasks(InspectionTask.id),
            TaskSubject.remote_approval_ref == "",
            InspectionTask.status != "cancelled",
            func.substr(InspectionTask.region_code, 1, plen) != func.substr(rc, 1, plen),
        )
    )
    for task, region, subj in rows:
        yield Finding(
            dedup_key=f"A8:{task}:{subj}",
            region_code=region,
            subject_id=subj,
            task_id=task,
            detail=f"检查对象所在地 {region} 不在本主体管辖范围内，且无异地检查批准记录。",
            evidence=[_ev("task", task, f"检查任务 {task}")],
        )


# --- 路桥: unplanned inspections without filing; A7: 专项检查 over quota ----------------------


def _unplanned(session: Session, ctx: Context) -> Iterator[Finding]:
    rows = session.execute(
        select(UnplannedApproval, EnforcementSubject.region_code)
        .join(EnforcementSubject, EnforcementSubject.id == UnplannedApproval.subject_id)
        .where(UnplannedApproval.status == "approved", UnplannedApproval.filed_at.is_(None))
    ).all()
    for ua, region in rows:
        yield Finding(
            dedup_key=f"UNPLANNED:{ua.id}",
            region_code=region,
            subject_id=ua.subject_id,
            enterprise_id=ua.enterprise_id,
            detail=f"计划外检查审批 {ua.id} 已批准，未向执法监督机构报备。",
            evidence=[_ev("unplanned", ua.id, f"计划外检查审批 {ua.id}")],
        )


def _special(session: Session, ctx: Context) -> Iterator[Finding]:
    n = func.count(SpecialInspection.id)
    rows = session.execute(
        select(SpecialInspection.subject_id, EnforcementSubject.region_code, n)
        .join(EnforcementSubject, EnforcementSubject.id == SpecialInspection.subject_id)
        .where(
            SpecialInspection.year == ctx.year,
            SpecialInspection.status.not_in(("draft", "refused")),
        )
        .group_by(SpecialInspection.subject_id, EnforcementSubject.region_code)
    ).all()
    for subj, region, count in rows:
        quota = int(_policy("special.annual_quota", region, ctx.today))
        if count <= quota:
            continue
        ids = session.scalars(
            select(SpecialInspection.id).where(
                SpecialInspection.subject_id == subj,
                SpecialInspection.year == ctx.year,
                SpecialInspection.status.not_in(("draft", "refused")),
            )
        ).all()
        yield Finding(
            dedup_key=f"A7:{ctx.year}:{subj}:{count}",
            region_code=region,
            subject_id=subj,
            detail=f"{ctx.year}年本主体专项检查{count}项，超过年度数量上限{quota}项。",
            evidence=[_ev("special", i, f"专项检查 {i}") for i in ids],
        )


# --- C6: 双随机 results not published in time --------------------------------------------


def _dss_late(session: Session, ctx: Context) -> Iterator[Finding]:
    # n working days are at least n calendar days: anything finished later cannot be late yet
    floor = int(_policy("dss.publish_working_days", NATIONAL, ctx.today))
    cutoff = dt.datetime.combine(ctx.today - dt.timedelta(days=floor), dt.time(), LOCAL_TZ)
    rows = session.execute(
        select(InspectionTask.id, InspectionTask.region_code, InspectionRecord.finished_at)
        .join(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
        .where(
            ctx.tasks(InspectionTask.id),
            InspectionTask.origin == "draw",
            InspectionRecord.finished_at.is_not(None),
            InspectionRecord.finished_at < cutoff,
            InspectionRecord.published_at.is_(None),
        )
    ).all()
    leads = _lead_subjects(session, [r[0] for r in rows])
    for task, region, finished in rows:
        assert finished is not None
        days = int(_policy("dss.publish_working_days", region, ctx.today))
        deadline = workdays.add_working_days(local_date(finished), days)
        if ctx.today <= deadline:
            continue
        yield Finding(
            dedup_key=f"C6:{task}",
            region_code=region,
            subject_id=leads.get(task),
            task_id=task,
            detail=f"双随机抽查结果应于{deadline.isoformat()}前公示，至今未公示。",
            evidence=[_ev("task", task, f"检查任务 {task}")],
        )


# --- enterprise evaluations and reports of code-less inspections ------------------------


def _evaluations(session: Session, ctx: Context) -> Iterator[Finding]:
    rows = session.execute(
        select(Evaluation, InspectionTask.region_code, InspectionTask.enterprise_id)
        .join(InspectionTask, InspectionTask.id == Evaluation.task_id)
        .where(
            ctx.tasks(InspectionTask.id),
            Evaluation.submitted_at.is_not(None),
            or_(Evaluation.rating <= 2, Evaluation.misconduct != ""),
        )
    ).all()
    leads = _lead_subjects(session, [e.task_id for e, _, _ in rows])
    for ev, region, ent in rows:
        parts = []
        if ev.rating is not None and ev.rating <= 2:
            parts.append(f"企业评分{ev.rating}分")
        if ev.misconduct:
            parts.append(f"反映问题：{ev.misconduct}")
        yield Finding(
            dedup_key=f"EVAL:{ev.id}",
            region_code=region,
            subject_id=leads.get(ev.task_id),
            enterprise_id=ent,
            task_id=ev.task_id,
            detail="；".join(parts) + (f"。意见：{ev.comment}" if ev.comment else "。"),
            evidence=[
                _ev("evaluation", ev.id, f"企业评价 {ev.id}"),
                _ev("task", ev.task_id, f"检查任务 {ev.task_id}"),
            ],
        )


def _codeless_reports(session: Session, ctx: Context) -> Iterator[Finding]:
    rows = session.scalars(
        select(Clue).where(Clue.source == "codeless_report", Clue.status != "closed")
    ).all()
    for clue in rows:
        yield Finding(
            dedup_key=f"CLUE:{clue.id}",
            region_code=clue.region_code,
            subject_id=clue.subject_id,
            task_id=clue.task_id,
            detail=f"举报未亮码检查：{clue.enterprise_name}，{clue.subject_text or '单位不详'}。",
            evidence=[_ev("clue", clue.id, f"监督线索 {clue.id}")],
        )


# --- F8: indicators moving the wrong way -------------------------------------------------


def _trends(session: Session, ctx: Context) -> Iterator[Finding]:
    from wurao.oversight import dashboard  # the indicator definitions live there

    this = dashboard.subject_rates(session, ctx.today.replace(month=1, day=1), ctx.today)
    last_day = dashboard.same_day_last_year(ctx.today)
    last = dashboard.subject_rates(session, last_day.replace(month=1, day=1), last_day)
    for subj, (region, now) in this.items():
        before = last.get(subj)
        if before is None or min(now.inspections, before[1].inspections) < TREND_MIN_INSPECTIONS:
            continue
        target = float(_policy("joint.target_rate", region, ctx.today))
        moves = []
        if now.joint_rate < target and now.joint_rate < before[1].joint_rate:
            moves.append(
                f"联合检查率{now.joint_rate:.1%}低于目标{target:.0%}且低于上年同期"
                f"{before[1].joint_rate:.1%}"
            )
        if now.nonsite_share < before[1].nonsite_share:
            moves.append(
                f"非现场检查占比{now.nonsite_share:.1%}低于上年同期{before[1].nonsite_share:.1%}"
            )
        if now.problem_rate < before[1].problem_rate:
            moves.append(
                f"问题发现率{now.problem_rate:.1%}低于上年同期{before[1].problem_rate:.1%}"
            )
        if moves:
            yield Finding(
                dedup_key=f"F8:{ctx.year}:{subj}:{len(moves)}",
                region_code=region,
                subject_id=subj,
                detail="；".join(moves) + "。",
                evidence=[_ev("indicator", subj, "本主体指标（见监督看板）")],
            )


_LUQIAO = "路桥区涉企行政检查专项整治方案"
_54 = "国办发〔2024〕54号"

RULES: tuple[Rule, ...] = (
    Rule(
        "A5 INSP-FREQ-CAP",
        "同一主体对同一企业现场检查达到年度频次上限",
        f"{_54} §四；衢政办发〔2025〕16号 第8、9项",
        "WARN",
        (
            "inspection.onsite_cap_per_year",
            "inspection.cap_counted_methods",
            "inspection.cap_exempt_origins",
        ),
        "本年度同一执法主体对同一企业计入上限的检查（未取消，方式与来源按政策参数）达到或超过上限。",
        _cap,
        unconfirmed=True,
    ),
    Rule(
        "F3 MULTI-AGENCY",
        "多头检查：同一企业短期内被多个执法主体检查",
        f"{_54} §九；{_LUQIAO} 第5项",
        "WARN",
        ("oversight.multi_agency_window_days", "oversight.multi_agency_min_subjects"),
        "窗口期内（检查窗口开始日）已实施或已办结检查的不同执法主体数达到阈值。",
        _multi,
        unconfirmed=True,
    ),
    Rule(
        "A6 INSP-MERGE-JOINT-OFFSITE",
        "重复检查风险预警：仍计划检查已被多头检查的企业",
        f"{_54} §四、§九；优化营商环境条例 第五十四条；{_LUQIAO} 第5项（定点通知、风险提示函）",
        "WARN",
        ("oversight.multi_agency_window_days", "oversight.multi_agency_min_subjects"),
        "对被多头检查的企业，尚有待实施任务或本年度计划检查对象的其他主体各收到一条预警。",
        _early_warning,
        unconfirmed=True,
    ),
    Rule(
        "F3 REPEAT-NONE",
        "冲量式重复检查：同一主体多次检查同一企业均未发现问题",
        REPEAT_NONE_SOURCE,
        "WARN",
        (),
        f"本年度同一主体对同一企业已办结、结果为“无问题”的检查达到{REPEAT_NONE_MIN}次。",
        _repeat_none,
        unconfirmed=True,
    ),
    Rule(
        "F2 DEREGISTERED",
        "对已注销、吊销的市场主体开展检查",
        f"{_LUQIAO} 二(三)",
        "WARN",
        (),
        "未取消的检查任务，其检查对象状态为注销或吊销。",
        _deregistered,
    ),
    Rule(
        "A2 INSP-CERT",
        "无证人员或辅助人员参与检查",
        f"{_54} §二；行政处罚法 第四十二条",
        "BLOCK",
        (),
        "任务执法人员为辅助人员，或在检查窗口开始日无有效行政执法证。",
        _uncertified,
    ),
    Rule(
        "A4 INSP-APPROVAL",
        "补码或无码检查",
        f"衢政办发〔2025〕16号 第7项；{_LUQIAO}（无码不查、无码无效）",
        "WARN",
        ("code.late_window_working_days",),
        "行政行为码为事后补码；或任务已实施/已办结、记录已完成却没有行政行为码。",
        _codes,
    ),
    Rule(
        "A8 INSP-LOCALITY",
        "未经批准的异地检查",
        f"{_54}；衢政办发〔2025〕16号 第10项",
        "BLOCK",
        (),
        "检查对象所在地不在执法主体辖区内，且该主体在任务中没有异地检查批准文号。",
        _remote,
    ),
    Rule(
        "L1 UNPLANNED-FILING",
        "计划外检查未报备",
        f"{_LUQIAO}（计划外检查须经批准并报备）",
        "WARN",
        (),
        "计划外检查审批已批准但未报备执法监督机构。",
        _unplanned,
        task_based=False,
    ),
    Rule(
        "A7 INSP-SPECIAL-PLAN",
        "专项检查超过年度数量上限",
        f"{_54} §六；衢政办发〔2025〕16号 第6项",
        "WARN",
        ("special.annual_quota",),
        "本年度非草稿、非退回的专项检查数超过上限。",
        _special,
        task_based=False,
        unconfirmed=True,
    ),
    Rule(
        "C6 DSS-PUBLISH-20WD",
        "双随机抽查结果逾期未公示",
        "国发〔2019〕5号；企业信息公示暂行条例 第六条",
        "WARN",
        ("dss.publish_working_days",),
        "来源为双随机的检查记录已完成，自完成日起超过规定工作日仍未公示。",
        _dss_late,
    ),
    Rule(
        "F2 EVALUATION",
        "企业差评或反映执法人员不当行为",
        f"{_54} §九；{_LUQIAO}",
        "WARN",
        (),
        "企业提交的评价为2分及以下，或勾选了不当行为。",
        _evaluations,
    ),
    Rule(
        "F2 CODELESS-REPORT",
        "举报未亮码检查",
        f"{_LUQIAO}（无码不查、无码无效）",
        "WARN",
        (),
        "来源为“未亮码检查举报”且尚未办结的监督线索。",
        _codeless_reports,
        task_based=False,
    ),
    Rule(
        "F8 TARGETS",
        "检查指标偏离目标方向",
        "衢政办发〔2025〕16号 §一（联合检查率80%、现场检查下降、非现场占比上升）",
        "WARN",
        ("joint.target_rate",),
        f"年初至今与上年同期比（两期检查均不少于{TREND_MIN_INSPECTIONS}次）：联合检查率低于目标且"
        "下降、非现场占比下降、问题发现率下降。",
        _trends,
        task_based=False,
        unconfirmed=True,
    ),
)

BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
ALL_PARAMS: tuple[str, ...] = tuple(sorted({p for r in RULES for p in r.params}))

__all__ = ["BY_ID", "RULES", "Context", "Finding", "Rule", "and_"]
