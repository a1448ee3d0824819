"""The filing package (备案材料): every published plan version of a year in a region as .xlsx,
one sheet of plans and one of their entries, for the supervising organ's filing review."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor, region_in_scope
from wurao.core.xlsx import append_row
from wurao.planning.models import InspectionPlan, PlanEntry
from wurao.planning.service import (
    FILING_LABELS,
    PUBLIC_STATES,
    SELECTIONS,
    plans_visible_to,
    status_label,
    target_counts,
)
from wurao.registry.items.methods import METHODS
from wurao.registry.models import EnforcementSubject, InspectionItem
from wurao.reports.portal import region_prefix

PLAN_COLUMNS = (
    "计划ID", "执法主体", "主体区划", "年度", "版本", "标题", "状态", "负责人批准",
    "批准时间", "公布日期", "报备状态", "备案意见", "调整理由",
)  # fmt: skip
ENTRY_COLUMNS = (
    "计划ID", "执法主体", "事项编码", "检查事项", "检查方式", "对象确定方式", "范围区划",
    "行业", "信用分类", "标签", "计划户次", "实施月份", "每组人数", "定向对象数", "备注",
)  # fmt: skip


def filing_package(session: Session, *, actor: Actor, year: int, region: str = "") -> bytes:
    """Every published plan version of ``year`` in a region as .xlsx (plans, entries)."""
    stmt = plans_visible_to(actor).where(
        InspectionPlan.year == year, InspectionPlan.status.in_(PUBLIC_STATES)
    )
    if region.strip():
        stmt = stmt.where(region_in_scope(EnforcementSubject.region_code, region_prefix(region)))
    plans = list(session.scalars(stmt.order_by(InspectionPlan.subject_id, InspectionPlan.version)))
    subjects = {
        s.id: s
        for s in session.scalars(
            select(EnforcementSubject).where(
                EnforcementSubject.id.in_({p.subject_id for p in plans})
            )
        )
    }
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "计划"
    append_row(ws, PLAN_COLUMNS)
    for p in plans:
        s = subjects[p.subject_id]
        append_row(
            ws,
            (
                p.id, s.name, s.region_code, p.year, p.version, p.title, status_label(p.status),
                p.approved_by, p.approved_at.strftime("%Y-%m-%d") if p.approved_at else "",
                p.published_on.isoformat() if p.published_on else "",
                FILING_LABELS.get(p.filing_status, p.filing_status), p.filing_comment,
                p.amendment_reason,
            )
        )  # fmt: skip
    es = wb.create_sheet("检查内容")
    append_row(es, ENTRY_COLUMNS)
    entries = list(
        session.execute(
            select(PlanEntry, InspectionItem)
            .join(InspectionItem, InspectionItem.id == PlanEntry.item_id)
            .where(PlanEntry.plan_id.in_([p.id for p in plans]))
            .order_by(PlanEntry.plan_id, PlanEntry.id)
        ).all()
    )
    counts = target_counts(session, [e for e, _ in entries])
    by_id = {p.id: p for p in plans}
    for e, item in entries:
        append_row(
            es,
            (
                e.plan_id, subjects[by_id[e.plan_id].subject_id].name, item.code, item.name,
                METHODS.get(e.method, e.method), SELECTIONS.get(e.selection, e.selection),
                e.scope_region, e.scope_industry, e.scope_credit, e.scope_tag, e.planned_count,
                e.months, e.officers_per_team, counts.get(e.id, 0), e.note,
            )
        )  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
