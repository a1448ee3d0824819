"""Saving and closing the 检查笔录: the record closes only with the identification shown (B2,
行政处罚法 第55条), a complete checklist and outcome (B3, 第47条、第55条) and the officer's
五个严禁 attestation (B5, 国办发〔2024〕54号 §七), under a valid code (无码不查); closing marks the
code used and the task done and issues the enterprise's evaluation token.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import RuleViolation, Violation
from wurao.core.events import Event, emit
from wurao.core.time import local_date, utcnow
from wurao.inspections import code_changes, evaluations
from wurao.inspections.models import (
    ChecklistResult,
    InspectionRecord,
    InspectionTask,
)
from wurao.inspections.records import (
    CODE_RULE,
    OUTCOMES,
    Finished,
    LineResult,
    RecordFields,
    code_problem,
    current_code,
    get_record,
    save_checklist,
    task_items,
    update_record,
    writable,
)

B2, B3, B5 = catalogue.B2, catalogue.B3, catalogue.B5


def finish_problems(session: Session, *, task: InspectionTask) -> list[Violation]:
    """Why the record may not be closed yet (B2, B3, B5 and the code), every one listed."""
    record = get_record(session, task=task)
    out: list[Violation] = []

    def add(rule: catalogue.RuleDef, detail: str) -> None:
        out.append(rule.violation(detail))

    if record is None or record.started_at is None:
        add(B3, "检查尚未开始。")
        return out
    problem = code_problem(current_code(session, task=task), local_date(record.started_at))
    if problem is not None:
        add(CODE_RULE, problem)
    if task.method == "onsite":
        if not record.ids_shown:
            add(B2, "未确认已向企业出示执法证件和行政行为码。")
        if not record.present_person:
            add(B3, "请填写企业在场人员。")
    elif not record.data_source:
        add(B3, "非现场检查须写明数据来源（书面材料、信息共享或智慧监管数据）。")
    lines = {line.id for il in task_items(session, task=task) for line in il.lines}
    results = {
        r.line_id: r.result
        for r in session.scalars(
            select(ChecklistResult).where(ChecklistResult.record_id == record.id)
        )
    }
    missing = lines - set(results)
    if missing:
        add(B3, f"检查表单还有 {len(missing)} 行未填写。")
    if record.outcome not in OUTCOMES:
        add(B3, "请选择处理结果（无问题、责令整改或移送立案）。")
    elif record.outcome == "rectify" and record.rectify_deadline is None:
        add(B3, "责令整改须写明整改期限。")
    failed = any(v == "fail" for v in results.values())
    if (failed or record.outcome in ("rectify", "case")) and not record.findings:
        add(B3, "有不符合项或需处理时，须写明检查发现的问题。")
    if failed and record.outcome == "none":
        add(B3, "检查表单有不符合项，处理结果不能为“无问题”。")
    if not record.attested:
        add(B5, "执法人员须确认遵守“五个严禁”后才能完成检查。")
    return out


def save_record(
    session: Session,
    *,
    task: InspectionTask,
    actor: Actor,
    data: RecordFields,
    results: Sequence[LineResult],
) -> InspectionRecord:
    """Save the phone page in one go: the record's fields and the checklist answers."""
    record = update_record(session, task=task, actor=actor, data=data)
    save_checklist(session, task=task, actor=actor, results=results)
    return record


def finish_record(
    session: Session,
    *,
    task: InspectionTask,
    actor: Actor,
    attest: bool = False,
    at: dt.datetime | None = None,
) -> Finished:
    """Close the record: the code becomes used, the task done, the evaluation token issued.

    ``attest`` records the officer's 五个严禁 attestation given with the finish itself; ``at``
    is when a record filled offline says the inspection was completed (the field sync).
    """
    record = writable(session, task=task, actor=actor)
    if attest and not record.attested:
        update_record(session, task=task, actor=actor, data=RecordFields(attested=True))
    problems = finish_problems(session, task=task)
    if problems:
        text = "；".join(p.detail for p in problems)
        raise RuleViolation(problems, f"检查笔录尚不能完成：{text}")
    before = audit.snapshot(record)
    now = at or utcnow()
    record.ended_at = now
    record.finished_at = now
    audit.record(
        session,
        actor=actor,
        action="record.finish",
        obj=record,
        before=before,
        summary=f"完成检查笔录（任务 {task.id}，{OUTCOMES[record.outcome]}）",
        region_code=task.region_code,
    )
    code_changes.mark_code_used(session, task=task, actor=actor)  # the task becomes done
    emit(session, Event.RECORD_FINISHED, task=task, record=record)
    _, token = evaluations.issue_evaluation(session, task=task, actor=actor)
    return Finished(record=record, evaluation_token=token)
