"""Demo coercive measures (#12): the 柯城区市场监管局's seizures in every state — one expiring
this week, one overdue and not released (the sweep raises E7 for the supervisor), one extended,
one released, one confiscated by decision, one awaiting approval — a freeze, and an enforcement
whose 催告 was served with the court window open. Dated back from today, written through the
services (idempotent: nothing is written when a measure exists)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.auth.scope import Actor
from wurao.cases.coercion import enforcement, service, steps
from wurao.cases.coercion.models import CoerciveMeasure
from wurao.cases.coercion.service import ItemData, MeasureData
from wurao.cases.models import PenaltyCase
from wurao.core.errors import DomainError
from wurao.core.time import LOCAL_TZ, local_today
from wurao.registry.models import Enterprise, Officer
from wurao.registry.officers.service import officer_problems

OFFICER = "kc_scjg_zhang"


@dataclass(frozen=True)
class Plan:
    """One demo measure: how many days ago it took effect and what happened since."""

    label: str
    kind: str
    ago: int
    items: tuple[ItemData, ...]
    then: Callable[[Session, Actor, CoerciveMeasure, dt.date], object] | None = None
    approve: bool = True


def _extend(session: Session, actor: Actor, m: CoerciveMeasure, today: dt.date) -> object:
    on = today - dt.timedelta(days=12)
    return steps.extend_measure(
        session,
        actor=actor,
        measure=m,
        approver="柯城区市场监管局副局长",
        on=on,
        notified_on=on,
        reason="涉案货物须送省级检验机构检验，案情复杂",
    )


def _release(session: Session, actor: Actor, m: CoerciveMeasure, today: dt.date) -> object:
    return steps.release_measure(
        session,
        actor=actor,
        measure=m,
        on=today - dt.timedelta(days=5),
        reason="经检验产品合格，与违法行为无关",
    )


def _confiscate(session: Session, actor: Actor, m: CoerciveMeasure, today: dt.date) -> object:
    return steps.decide_measure(
        session,
        actor=actor,
        measure=m,
        outcome="confiscate",
        on=today - dt.timedelta(days=3),
        reason="系用于生产不合格产品的工具，依据产品质量法第四十九条没收",
    )


def _deliver(session: Session, actor: Actor, m: CoerciveMeasure, today: dt.date) -> object:
    return steps.deliver_freeze(session, actor=actor, measure=m, on=today)


PLANS = (
    Plan(
        "本周到期",
        "detention",
        25,
        (
            ItemData(
                "不合格电动自行车充电器",
                "320个",
                "柯城区市场监管局涉案物品仓库",
                identifier="CDQ-2026-0815",
            ),
        ),
    ),
    Plan(
        "逾期未解除",
        "seizure",
        40,
        (ItemData("生产车间及生产线", "1处", "柯城区白云街道工业园3号", identifier="车间-白云-3"),),
    ),
    Plan(
        "已延长",
        "detention",
        40,
        (ItemData("小型普通客车", "1辆", "柯城区市场监管局停车场", identifier="浙H·5K721"),),
        _extend,
    ),
    Plan(
        "已解除",
        "detention",
        20,
        (ItemData("散装食用油", "48桶", "柯城区市场监管局涉案物品仓库"),),
        _release,
    ),
    Plan(
        "没收",
        "detention",
        30,
        (ItemData("灌装设备", "2台", "柯城区市场监管局涉案物品仓库", identifier="GZ-88-001"),),
        _confiscate,
    ),
    Plan(
        "冻结",
        "freeze",
        2,
        (
            ItemData(
                "银行存款",
                "人民币120000元",
                "中国工商银行衢州柯城支行",
                identifier="1209 0301 0900 1234 567",
            ),
        ),
        _deliver,
    ),
    Plan(
        "待批准",
        "seizure",
        0,
        (ItemData("仓储库房", "1间", "柯城区荷花街道物流园B区"),),
        None,
        False,
    ),
)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ)


def generate(session: Session, *, today: dt.date | None = None) -> str:
    """Write the demo's seizures, freezes and enforcement through the services; a summary."""
    if session.scalar(select(CoerciveMeasure.id).limit(1)) is not None:
        return ""
    today = today or local_today()
    user = session.scalar(select(User).where(User.username == OFFICER))
    if user is None or user.subject_id is None:
        return "行政强制措施演示数据：演示执法人员不存在，未生成。"
    actor = auth_service.actor_for(user)
    officers = [
        o
        for o in session.scalars(
            select(Officer).where(Officer.subject_id == user.subject_id).order_by(Officer.id)
        )
        if not officer_problems(o, today - dt.timedelta(days=60)) and not officer_problems(o, today)
    ][:2]
    ents = list(
        session.scalars(
            select(Enterprise)
            .where(Enterprise.region_code.like("330802%"), Enterprise.status == "active")
            .order_by(Enterprise.id)
            .limit(len(PLANS) + 1)
        )
    )
    case = session.scalar(
        select(PenaltyCase)
        .where(PenaltyCase.subject_id == user.subject_id, PenaltyCase.status == "investigating")
        .order_by(PenaltyCase.id)
        .limit(1)
    )
    if len(officers) < 2 or len(ents) < len(PLANS):
        return "行政强制措施演示数据：演示执法主体的持证人员或企业不足，未生成。"
    done: Counter[str] = Counter()
    skipped: list[str] = []
    for n, plan in enumerate(PLANS):
        start = today - dt.timedelta(days=plan.ago)
        use_case = case is not None and n == 0
        data = MeasureData(
            kind=plan.kind,
            reason=f"当事人涉嫌生产、销售不符合保障人体健康和人身、财产安全的国家标准的产品（{plan.label}）。",
            basis="《中华人民共和国产品质量法》第十八条第一款第四项",
            officer_ids=tuple(o.id for o in officers),
            items=plan.items,
            case_id=case.id if use_case and case is not None else None,
            enterprise_id=None if use_case else ents[n].id,
            heard=True,
        )
        nested = session.begin_nested()
        try:
            m = service.apply_measure(session, actor=actor, data=data, now=_at(start, 9))
            if plan.approve:
                steps.approve_measure(
                    session,
                    actor=actor,
                    measure=m,
                    approver="柯城区市场监管局局长",
                    approved_at=_at(start),
                )
            if plan.then is not None:
                plan.then(session, actor, m, today)
        except DomainError as exc:
            nested.rollback()
            skipped.append(f"{plan.label}：{exc}")
            continue
        nested.commit()
        done[plan.label] += 1
    nested = session.begin_nested()
    try:
        enf = enforcement.open_enforcement(
            session,
            actor=actor,
            today=today - dt.timedelta(days=30),
            data=enforcement.EnforcementData(
                obligation="缴纳罚款人民币30000元及加处罚款",
                enterprise_id=ents[len(PLANS)].id if len(ents) > len(PLANS) else ents[0].id,
                decision_ref="柯城区市场监督管理局罚决字〔2026〕第3号",
                remedy_ends_on=today - dt.timedelta(days=40),
            ),
        )
        enforcement.serve_reminder(
            session,
            actor=actor,
            enf=enf,
            served_on=today - dt.timedelta(days=21),
            content="请于收到本催告书之日起十日内缴纳罚款；逾期不缴纳的，本机关将依法申请人民法院强制执行。",
        )
        nested.commit()
        done["强制执行（已催告）"] += 1
    except DomainError as exc:
        nested.rollback()
        skipped.append(f"强制执行：{exc}")
    parts = "，".join(f"{k}{v}项" for k, v in done.items())
    note = f"；未生成：{'；'.join(skipped)}" if skipped else ""
    return f"行政强制措施：{parts}{note}"
