"""A5 the yearly cap of counted on-site inspections per enterprise and subject, and F9 the
count of triggered inspections: the policy terms both read."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from wurao.core.errors import Violation
from wurao.core.policy import get_policy
from wurao.inspections.models import (
    InspectionTask,
)
from wurao.inspections.precheck import (
    A5,
    CAP_POLICY,
    COUNTED_POLICY,
    EXEMPT_POLICY,
    F9,
    TRIGGERED,
    TRIGGERED_POLICY,
    TaskFacts,
    flag,
    others_of,
    start_of,
)
from wurao.inspections.statuses import CODED_STATUSES
from wurao.registry.models import EnforcementSubject


def cap_terms(subject: EnforcementSubject, task: InspectionTask) -> tuple[int, bool, bool]:
    """(cap, counted method?, exempt origin?) for a subject in force on the task's start."""
    policy = get_policy()
    on = task.started_without_code_on or task.window_start
    cap = int(policy.value(CAP_POLICY, subject.region_code, on))
    counted = task.method in policy.value(COUNTED_POLICY, subject.region_code, on)
    exempt = task.origin in policy.value(EXEMPT_POLICY, subject.region_code, on)
    return cap, counted, exempt


def check_cap(_s: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """A5: counted on-site inspections this year stay within the cap; triggered ones exempt,
    the count still shown. Reaching the cap exactly is a WARN (returned separately)."""
    out: list[Violation] = []
    notes = []
    for s in f.subjects:
        cap, counted, exempt = cap_terms(s, f.task)
        done, exempted = f.counts.get(s.id, (0, 0))
        notes.append(f"{s.name}：{f.task.year}年已计数 {done}/{cap} 次，触发式 {exempted} 次")
        if counted and not exempt and done + 1 > cap:
            out.append(
                flag(
                    A5,
                    f"{s.name}本年度已对该企业现场检查 {done} 次，达到上限 {cap} 次；"
                    "如属投诉举报等触发式检查，请按触发式检查登记并写明线索。",
                    subject_id=s.id,
                    counted=done,
                    cap=cap,
                )
            )
    return out, "；".join(notes)


def triggered_conditions() -> tuple[ColumnElement[bool], ...]:
    """SQL: the task is a triggered on-site inspection that takes place (a code was issued).

    衢政办发〔2025〕16号 第9项 names 触发式现场检查 from 投诉举报、转办交办、数据监测: exempt
    from the cap (A5) but held to a reasonable frequency (F9), counted across subjects.
    """
    return (
        InspectionTask.origin.in_(sorted(TRIGGERED)),
        InspectionTask.method == "onsite",
        InspectionTask.status.in_(CODED_STATUSES),
    )


def triggered_count(
    session: Session, *, enterprise_id: int, year: int, excluding: int | None = None
) -> int:
    """Triggered on-site inspections of an enterprise in a year, by any subject."""
    stmt = select(func.count(InspectionTask.id)).where(
        InspectionTask.enterprise_id == enterprise_id,
        InspectionTask.year == year,
        *triggered_conditions(),
    )
    if excluding is not None:
        stmt = stmt.where(InspectionTask.id != excluding)
    return int(session.scalar(stmt) or 0)


def check_triggered(session: Session, f: TaskFacts) -> tuple[list[Violation], str]:
    """F9 WARN: this triggered on-site inspection takes the enterprise's count this year (all
    subjects) past the reasonable frequency; the count is shown for every task."""
    task = f.task
    limit = int(get_policy().value(TRIGGERED_POLICY, task.region_code, start_of(task)))
    # the tasks ``triggered_count`` counts, read with A6's (``others_of``)
    done = len(
        {
            r.id
            for r in others_of(session, f)
            if r.year == task.year
            and r.origin in TRIGGERED
            and r.method == "onsite"
            and r.status in CODED_STATUSES
        }
    )
    note = f"该企业本年度已接受触发式检查 {done} 次（合理频次上限 {limit}）"
    if task.origin in TRIGGERED and task.method == "onsite" and done + 1 > limit:
        return [
            flag(
                F9,
                f"本次为{f.enterprise.name}{task.year}年第{done + 1}次触发式现场检查（各执法主体"
                f"合计），超过合理频次上限{limit}次：请核实线索，能合并、联合或非现场核查的不入企。",
                count=done + 1,
                limit=limit,
            )
        ], note
    return [], note


def cap_at_limit(f: TaskFacts) -> list[Violation]:
    """A5 WARN: this inspection brings a counted subject exactly to its cap."""
    out = []
    for s in f.subjects:
        cap, counted, exempt = cap_terms(s, f.task)
        done, _ = f.counts.get(s.id, (0, 0))
        if counted and not exempt and done + 1 == cap:
            out.append(A5.rule.warning(f"{s.name}本次检查后达到年度上限 {cap} 次。"))
    return out
