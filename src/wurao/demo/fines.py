"""Demo fine revenue (罚没收入, #12): a subject whose fines grow suspiciously.

柯城区市场监管局's last year is imported from the finance side, low (6 000 yuan a month), through
the supervisor's .xlsx import; this year it adds, through the case services, two 不明码标价
cases a month fined mostly the same 5 000 yuan — the top of the county's benchmark — and mostly
decided in the last days of the month, all paid online; and one fine collected on the spot
under the 边远地区 exception. The sweep that follows (``wurao demo``) then raises F1 (growth),
F2 MAX-PENALTY, F2 SAME-AMOUNT, F2 MONTH-END and D15 on first sign-in. Idempotent: nothing is
written when the subject already has imported figures.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import random

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.auth.scope import Actor
from wurao.cases import decision, execution, investigation, notice, publication
from wurao.cases.models import PenaltyCase
from wurao.cases.service import CaseData, file_case, open_case
from wurao.core import workdays
from wurao.core.errors import DomainError
from wurao.core.time import local_today
from wurao.demo.cases_data import REMEDY, VIOLATIONS
from wurao.demo.cases_steps import Ctx, NotYet
from wurao.demo.seed import COUNTY, DEMO_SUBJECTS
from wurao.oversight.fines import imports
from wurao.oversight.fines.models import FineRevenueMonth
from wurao.registry.models import EnforcementSubject, Enterprise

SUPERVISOR, OFFICER, REVIEWER = "kc_sfj", "kc_scjg_zhang", "kc_scjg_fzsh"
LAST_YEAR_MONTHLY_YUAN = 6_000
SAME_YUAN = 5_000  # the county benchmark's top for 不明码标价 (demo.discretion COUNTY_ROWS)
OTHER_YUAN = 2_000
MONTH_END_DAYS = 5


def generate(session: Session, *, today: dt.date | None = None) -> str:
    """Write this part's demo rows through the services; a one-line Chinese summary."""
    today = today or local_today()
    users = {u.username: u for u in session.scalars(select(User))}
    uscc = DEMO_SUBJECTS[0][1]
    subject = session.scalar(select(EnforcementSubject).where(EnforcementSubject.uscc == uscc))
    if subject is None or not {SUPERVISOR, OFFICER, REVIEWER} <= set(users):
        return ""
    if session.scalar(select(FineRevenueMonth.id).where(FineRevenueMonth.subject_id == subject.id)):
        return "演示罚没收入已存在，跳过生成"
    supervisor = auth_service.actor_for(users[SUPERVISOR])
    report = imports.validate(
        session, actor=supervisor, data=_sheet(subject, today.year - 1), today=today
    )
    imports.apply(session, actor=supervisor, report=report, accept_valid=False)
    officer = auth_service.actor_for(users[OFFICER])
    ctx = Ctx(
        session,
        random.Random(f"fines:{today.isoformat()}"),
        today,
        auth_service.actor_for(users[REVIEWER]),
        {"scjg": subject},
        {"scjg": officer},
        _parties(session),
        None,
    )
    written, skipped = 0, 0
    for month in range(1, today.month):
        for k in range(2):
            bunched = k == 0 or month % 3 != 0
            decided = _month_end(today.year, month) if bunched else dt.date(today.year, month, 12)
            fine = SAME_YUAN if bunched else OTHER_YUAN
            on_spot = month == today.month - 1 and k == 1
            nested = session.begin_nested()
            try:
                _case(ctx, officer, decided, fine * 100, on_spot=on_spot)
            except (DomainError, NotYet, workdays.UnknownCalendarYear):
                nested.rollback()
                skipped += 1
                continue
            nested.commit()
            written += 1
    line = (
        f"罚没收入：导入{subject.name}{today.year - 1}年月度数据{report.added}条（每月"
        f"{LAST_YEAR_MONTHLY_YUAN}元），本年不明码标价罚款案件{written}件（多为{SAME_YUAN}元、月末决定）"
    )
    return line + (f"，跳过{skipped}件" if skipped else "")


def _sheet(subject: EnforcementSubject, year: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(imports.HEADERS))
    for month in range(1, 13):
        ws.append([subject.uscc, subject.name, f"{year}-{month:02d}", LAST_YEAR_MONTHLY_YUAN, ""])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _parties(session: Session) -> list[Enterprise]:
    """Retail enterprises of 柯城区 (the 不明码标价 violation's industries), any when none."""
    ents = list(
        session.scalars(
            select(Enterprise)
            .where(Enterprise.region_code.like(f"{COUNTY}%"), Enterprise.status == "active")
            .order_by(Enterprise.id.desc())
        )
    )
    shops = [e for e in ents if e.industry_code.startswith(VIOLATIONS["price"].industries)]
    return shops or ents


def _month_end(year: int, month: int) -> dt.date:
    """A working day in the last days of the month (the latest), else the month's 20th."""
    last = calendar.monthrange(year, month)[1]
    for day in range(last, last - MONTH_END_DAYS, -1):
        if workdays.is_working_day(dt.date(year, month, day)):
            return dt.date(year, month, day)
    return dt.date(year, month, 20)


def _case(ctx: Ctx, actor: Actor, decided: dt.date, fine: int, *, on_spot: bool) -> PenaltyCase:
    """One 不明码标价 case decided on ``decided`` and paid, through the services."""
    s, v = ctx.session, VIOLATIONS["price"]
    subject = ctx.subjects["scjg"]
    found = ctx.day(decided - dt.timedelta(days=42))
    ent = ctx.enterprises[ctx.rng.randrange(len(ctx.enterprises))]
    data = CaseData(
        origin="own",
        party_kind="enterprise",
        enterprise_id=ent.id,
        act_on=found - dt.timedelta(days=ctx.rng.randint(2, 20)),
        found_on=found,
        facts=v.facts.format(party=f"当事人{ent.name}", n=ctx.rng.randint(3, 40), value=0),
        officer_ids=tuple(ctx.officers(subject, found)),
        provisions_breached=v.breached,
        provisions_applied=v.applied,
        subject_id=subject.id,
    )
    case = open_case(s, actor=actor, data=data, today=found)
    filed = ctx.day(found, 1)
    file_case(s, actor=actor, case=case, on=filed)
    investigation.add_evidence_external(
        s,
        actor=actor,
        case=case,
        filename="现场检查笔录",
        sha256=f"{case.id:064x}",
        uri=f"浙江省行政执法监管平台/案卷/{case.number}/现场检查笔录",
        size=204_800,
        description=f"证明{case.party_name}的违法事实",
        on=filed,
    )
    served = ctx.day(filed, 5)
    notice.serve_notice(
        s,
        actor=actor,
        case=case,
        kinds={"fine"},
        fine_fen=fine,
        served_on=served,
        hearing_rights=False,
    )
    notice.record_defence(
        s, actor=actor, case=case, on=ctx.day(served, 2), note="当事人对违法事实无异议。"
    )
    sent = ctx.day(served, 4)
    decision.send_review(s, actor=actor, case=case, on=sent)
    decision.record_review(
        s,
        actor=ctx.reviewer,
        case=case,
        passed=True,
        opinion="事实清楚，证据确凿，适用依据正确，程序合法，处理适当，同意。",
        on=ctx.day(sent, 2),
    )
    decision.decide(
        s,
        actor=actor,
        case=case,
        kinds={"fine"},
        fine_fen=fine,
        reasons=v.reasons,
        remedy=REMEDY,
        decided_on=ctx.day(decided),
    )
    handed = ctx.day(decided, 1)
    execution.serve(s, actor=actor, case=case, served_on=handed, how="direct")
    publication.publish(s, actor=actor, case=case, on=ctx.day(decided, 3))
    paid = ctx.day(handed, 3)
    if on_spot:
        execution.record_payment(
            s,
            actor=actor,
            case=case,
            paid_on=paid,
            amount_fen=fine,
            channel="on_spot",
            onsite_reason="当事人位于边远山区，交通不便，经当事人提出当场收缴",
        )
    else:
        execution.record_payment(
            s,
            actor=actor,
            case=case,
            paid_on=paid,
            amount_fen=fine,
            channel="online",
            payment_ref=f"33080226{case.id:08d}",
        )
    try:
        closed = ctx.day(paid, 1)
    except NotYet:  # paid this week: archived later
        return case
    return execution.close(s, actor=actor, case=case, on=closed, note="罚款已缴清，归档")
