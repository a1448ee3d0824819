"""Telling the local counterpart (告知当地主管部门) of a 异地检查: the administrative organs of
the subject's field in the enterprise's county, the notice's text, and the event that has
oversight deliver it to their inbox when the code is issued (``cross_region`` holds the
approval and its check, A8).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.core.events import Event, emit
from wurao.inspections.models import (
    CrossRegionApproval,
)
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem


def counterparts(
    session: Session, subject: EnforcementSubject, enterprise: Enterprise
) -> list[EnforcementSubject]:
    """The administrative organs of the subject's field in the enterprise's county."""
    return list(
        session.scalars(
            select(EnforcementSubject)
            .where(
                EnforcementSubject.field == subject.field,
                EnforcementSubject.region_code == enterprise.region_code[:6],
                EnforcementSubject.kind == "organ",
                EnforcementSubject.id != subject.id,
            )
            .order_by(EnforcementSubject.id)
        )
    )


def notice_body(
    *,
    subject: EnforcementSubject,
    enterprise: Enterprise,
    approval: CrossRegionApproval,
    window: tuple[dt.date, dt.date],
    items: Sequence[InspectionItem],
    code_number: str,
) -> str:
    """What a local counterpart is told about a coded 异地检查 (第10项: 并告知当地主管部门)."""
    return "\n".join(
        (
            f"{subject.name}经{approval.organ_name}批准（{approval.doc_no}，"
            f"{approval.approved_on.isoformat()}），将对你单位辖区内企业实施异地检查。",
            f"检查对象：{enterprise.name}（{enterprise.uscc}）{enterprise.address}",
            f"检查时间：{window[0].isoformat()} 至 {window[1].isoformat()}",
            "检查事项：" + "、".join(f"{i.code} {i.name}" for i in items),
            f"行政行为码：{code_number}",
            "依据：衢政办发〔2025〕16号 第10项（确需开展异地检查的，应当报共同上一级行政执法机关"
            "批准，并告知当地主管部门）。",
        )
    )


def notify_counterparts(
    session: Session,
    *,
    actor: Actor,
    subject: EnforcementSubject,
    enterprise: Enterprise,
    approval: CrossRegionApproval,
    window: tuple[dt.date, dt.date],
    items: Sequence[InspectionItem],
    code_number: str,
) -> None:
    """Announce a coded 异地检查; oversight sends each local counterpart an inbox message
    (``wurao.oversight.handlers.cross_region_coded``) in this transaction."""
    emit(
        session,
        Event.CROSS_REGION_CODED,
        actor=actor,
        subject=subject,
        enterprise=enterprise,
        approval=approval,
        window=window,
        items=items,
        code_number=code_number,
    )
