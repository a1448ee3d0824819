"""The steps of a demo penalty case: the services each plan of ``demo.cases_data`` is taken
through, from opening to its stop, every date counted forward on working days and never past
today.

Why apart from ``demo.cases``: that module chooses what to write (the plans, the personas, the
history's 移送立案 records); this one only drives one case through the services, so that a
demo case passes every check a case typed in by an officer would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Role
from wurao.auth.scope import Actor
from wurao.cases import clocks, decision, execution, investigation, notice, publication
from wurao.cases.models import PenaltyCase
from wurao.cases.rules import discussion_reasons, hearing_reasons, yuan
from wurao.cases.service import CaseData, file_case, not_file, open_case
from wurao.core import workdays
from wurao.demo.cases_data import FIRST_OFFENCE, REMEDY, VIOLATIONS, Plan
from wurao.demo.identifiers import make_ric
from wurao.demo.seed import COUNTY
from wurao.inspections.models import InspectionRecord, InspectionTask
from wurao.registry.models import EnforcementSubject, Enterprise, Officer
from wurao.registry.officers.service import officer_problems

_FINDING = re.compile(r"检查发现：(.+?)，涉嫌违反(.+?)，移送立案")
OpenCase = tuple[PenaltyCase, Actor]


class NotYet(Exception):
    """A step of the plan would fall after today."""


@dataclass
class Ctx:
    """What every step shares: the session, the seeded random, today, the personas and the
    enterprises not yet a party."""

    session: Session
    rng: random.Random
    today: dt.date
    reviewer: Actor
    subjects: dict[str, EnforcementSubject]
    actors: dict[str, Actor]
    enterprises: list[Enterprise]
    persona_enterprise: Enterprise | None
    used: set[int] = field(default_factory=set)

    def day(self, day: dt.date, n: int = 0) -> dt.date:
        """The n-th working day after ``day`` (n = 0: ``day`` or the next working day)."""
        out = workdays.add_working_days(day, n) if n else day
        while not workdays.is_working_day(out):
            out += dt.timedelta(days=1)
        if out > self.today:
            raise NotYet(out.isoformat())
        return out

    def officers(self, subject: EnforcementSubject, first: dt.date, *, n: int = 2) -> list[int]:
        """``n`` officers of the subject certified from ``first`` to today (a persona first)."""
        rows = self.session.scalars(
            select(Officer)
            .where(Officer.subject_id == subject.id)
            .order_by(Officer.user_id.is_(None), Officer.id)
        )
        fit = [
            o.id
            for o in rows
            if not o.legal_qualified
            and not officer_problems(o, first, region_code=subject.region_code)
            and not officer_problems(o, self.today, region_code=subject.region_code)
        ]
        return fit[:n]


def _sha(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _open_record(ctx: Ctx, found: dt.date, picked: tuple[InspectionRecord, int]) -> OpenCase:
    """A case opened from a 移送立案 record: its enterprise, its subject, its finding."""
    session = ctx.session
    record, subject_id = picked
    subject = session.get(EnforcementSubject, subject_id)
    task = session.get(InspectionTask, record.task_id)
    ent = session.get(Enterprise, task.enterprise_id) if task else None
    assert subject is not None and task is not None and ent is not None
    officers = ctx.officers(subject, found)
    names = session.scalars(
        select(Officer.name).where(Officer.id.in_(officers)).order_by(Officer.id)
    )
    actor = Actor(
        user_id=None,
        username="demo",
        display_name=next(iter(names), "执法人员"),
        role=Role.OFFICER,
        region_code=subject.region_code,
        subject_id=subject.id,
    )
    match = _FINDING.search(record.findings)
    found_what, basis = match.groups() if match else ("", "")
    data = CaseData(
        origin="record",
        party_kind="enterprise",
        enterprise_id=ent.id,
        record_id=record.id,
        act_on=found,
        found_on=found,
        officer_ids=tuple(officers),
        facts=f"{_cn(found)}，{subject.name}对当事人{ent.name}实施行政检查，发现其不符合"
        f"“{found_what}”的要求，涉嫌违反{basis}，检查人员当场移送立案。",
        provisions_breached=basis,
        subject_id=subject.id,
    )
    return open_case(session, actor=actor, data=data, today=found), actor


def _open(ctx: Ctx, plan: Plan, found: dt.date) -> OpenCase:
    """A case of a persona subject: the plan's violation, at an enterprise of its industries
    (or the enterprise persona), or a natural person."""
    rng = ctx.rng
    subject, actor = ctx.subjects[plan.subject], ctx.actors[plan.subject]
    v = VIOLATIONS[plan.violation]
    ent = ctx.persona_enterprise if plan.party == "persona" else None
    if ent is None and plan.party != "person":
        ent = _party(ctx, v.industries)
    person = ("", "")
    if plan.party == "person":
        birth = dt.date(1975 + rng.randrange(20), 1 + rng.randrange(12), 1 + rng.randrange(28))
        person = ("徐某某", make_ric(COUNTY, birth, rng.randrange(1, 999)))
    party = f"当事人{ent.name if ent else person[0]}"
    value = max(plan.fine_yuan // 2, 800)
    data = CaseData(
        origin=plan.origin,
        party_kind="person" if plan.party == "person" else "enterprise",
        enterprise_id=ent.id if ent else None,
        person_name=person[0],
        person_ric=person[1],
        act_on=found - dt.timedelta(days=rng.randint(2, 30)),
        found_on=found,
        facts=v.facts.format(party=party, n=rng.randint(3, 40), value=value),
        officer_ids=tuple(ctx.officers(subject, found)),
        provisions_breached=v.breached,
        provisions_applied=v.applied,
        procedure="simple" if plan.stop == "spot" else "ordinary",
        origin_ref=f"12345-{found.year}-{52000 + rng.randrange(9000)}"
        if plan.origin == "referral"
        else "",
        subject_id=subject.id,
    )
    return open_case(ctx.session, actor=actor, data=data, today=found), actor


def _party(ctx: Ctx, industries: tuple[str, ...]) -> Enterprise:
    """An enterprise of 柯城区 in one of the industries (any when none is left), used once."""
    fits = [k for k, e in enumerate(ctx.enterprises) if e.industry_code.startswith(industries)]
    return ctx.enterprises.pop(ctx.rng.choice(fits or range(len(ctx.enterprises))))


def run(
    ctx: Ctx, plan: Plan, found: dt.date, picked: tuple[InspectionRecord, int] | None
) -> PenaltyCase:
    """Open the case and take it through the services up to the plan's stop."""
    s = ctx.session
    case, actor = _open_record(ctx, found, picked) if picked else _open(ctx, plan, found)
    fine = plan.fine_yuan * 100
    v = VIOLATIONS.get(plan.violation)
    reasons = v.reasons if v else ""
    if plan.stop == "spot":
        return _on_the_spot(ctx, case, actor, fine, reasons, found)
    if plan.stop == "lead":
        return case
    filed = ctx.day(found, 3)
    if plan.stop == "not_filed":
        why = "经核查，举报反映的问题不属实，当事人不存在违法行为，不予立案。"
        return not_file(s, actor=actor, case=case, reason=why, on=filed)
    file_case(s, actor=actor, case=case, on=filed)
    for name in v.evidence if v else ("检查笔录", "现场照片"):
        investigation.add_evidence_external(
            s,
            actor=actor,
            case=case,
            filename=name,
            sha256=_sha(case.number, name),
            uri=f"浙江省行政执法监管平台/案卷/{case.number}/{name}",
            size=204_800,
            description=f"证明{case.party_name}的违法事实",
            on=filed,
        )
    if plan.suspend:
        start = ctx.day(filed, 5)
        investigation.suspend(
            s,
            actor=actor,
            case=case,
            kind="testing",
            starts_on=start,
            ends_on=start + dt.timedelta(days=6),
            reason="涉案产品送法定检验机构检验",
        )
    if plan.extend:
        investigation.extend(
            s,
            actor=actor,
            case=case,
            approved_by="局长 周建国",
            approved_on=ctx.day(filed + dt.timedelta(days=80)),
            reason="涉案产品流向多地，需进一步调查取证",
        )
    if plan.stop in ("investigating", "stale"):
        return case
    if plan.stop == "withdrawn":
        why = "经调查，涉案产品系他人冒用当事人名义销售，当事人不是违法行为人，撤销立案。"
        return execution.withdraw(s, actor=actor, case=case, on=ctx.day(filed, 20), reason=why)
    if plan.stop == "no_penalty":
        return _no_penalty(ctx, case, actor, filed, plan.subject == "scjg")
    return _ordinary(ctx, case, actor, plan, fine, reasons, filed)


def _on_the_spot(
    ctx: Ctx, case: PenaltyCase, actor: Actor, fine: int, reasons: str, day: dt.date
) -> PenaltyCase:
    s = ctx.session
    kinds = {"warning", "fine"} if fine <= 10_000 else {"fine"}
    decision.decide_on_the_spot(
        s,
        actor=actor,
        case=case,
        kinds=kinds,
        fine_fen=fine,
        reasons=reasons,
        remedy=REMEDY,
        decided_on=day,
    )
    small = fine <= 10_000  # 一百元以下, collected on the spot (行政处罚法 第68条)
    paid = day if small else ctx.day(day, 3)
    execution.record_payment(
        s,
        actor=actor,
        case=case,
        paid_on=paid,
        amount_fen=fine,
        channel="on_spot" if small else "online",
        payment_ref="" if small else f"33080226{case.id:08d}",
    )
    return execution.close(s, actor=actor, case=case, on=ctx.day(paid, 1), note="罚款已缴清，归档")


def _review(ctx: Ctx, case: PenaltyCase, actor: Actor, sent: dt.date) -> dt.date:
    decision.send_review(ctx.session, actor=actor, case=case, on=sent)
    day = ctx.day(sent, 2)
    opinion = "事实清楚，证据确凿，适用依据正确，程序合法，处理适当，同意。"
    decision.record_review(
        ctx.session, actor=ctx.reviewer, case=case, passed=True, opinion=opinion, on=day
    )
    return day


def _no_penalty(
    ctx: Ctx, case: PenaltyCase, actor: Actor, filed: dt.date, reviewed: bool
) -> PenaltyCase:
    s = ctx.session
    day = (
        ctx.day(_review(ctx, case, actor, ctx.day(filed, 8)), 1) if reviewed else ctx.day(filed, 12)
    )
    decision.decide_no_penalty(
        s,
        actor=actor,
        case=case,
        reasons=FIRST_OFFENCE.format(field=case.field),
        remedy=REMEDY,
        decided_on=day,
    )
    served = ctx.day(day, 2)
    execution.serve(s, actor=actor, case=case, served_on=served, how="direct")
    return execution.close(
        s, actor=actor, case=case, on=ctx.day(served, 1), note="不予行政处罚决定书已送达，归档"
    )


def _ordinary(
    ctx: Ctx,
    case: PenaltyCase,
    actor: Actor,
    plan: Plan,
    fine: int,
    reasons: str,
    filed: dt.date,
) -> PenaltyCase:
    s, kinds = ctx.session, {"fine"}
    served_on = ctx.day(filed + dt.timedelta(days=30))
    rights = bool(hearing_reasons(case, kinds, fine, 0, served_on))
    notice.serve_notice(
        s,
        actor=actor,
        case=case,
        kinds=kinds,
        fine_fen=fine,
        served_on=served_on,
        hearing_rights=rights,
    )
    if plan.stop == "notified":
        return case
    if plan.hearing:
        asked = ctx.day(served_on, 2)
        notice.request_hearing(s, actor=actor, case=case, requested_on=asked)
        told = ctx.day(asked, 1)
        held = clocks.D8_HEARING_NOTICE.deadline(told, case.region_code)
        investigators = set(ctx.officers(ctx.subjects[plan.subject], told))
        presiding = next(
            o for o in ctx.officers(ctx.subjects[plan.subject], told, n=6) if o not in investigators
        )
        notice.notify_hearing(
            s, actor=actor, case=case, notified_on=told, hearing_on=held, presiding_id=presiding
        )
        if plan.stop == "hearing":
            return case
        ctx.day(held)
        notice.hold_hearing(
            s,
            actor=actor,
            case=case,
            held_on=held,
            record=(
                "当事人委托代理人到场，对违法事实无异议，称系首次经营进口食品、对保质期管理不熟悉，"
                "请求从轻处罚；调查人员出示了现场检查笔录、照片和询问笔录。"
            ),
        )
        sent = ctx.day(held, 1)
    else:
        notice.record_defence(
            s,
            actor=actor,
            case=case,
            on=ctx.day(served_on, 2),
            note="当事人对违法事实无异议，表示已整改，请求从轻处罚；"
            "经复核，当事人所述整改情况属实，已在裁量中考虑。",
        )
        sent = ctx.day(served_on, 6)
    if plan.stop == "review":
        decision.send_review(s, actor=actor, case=case, on=sent)
        return case
    reviewed = _review(ctx, case, actor, sent)
    if plan.stop == "reviewed":
        return case
    decided = ctx.day(reviewed, 2)
    if discussion_reasons(case, kinds, fine, decided):
        minutes = f"局长办公会：参会负责人一致认为本案事实清楚、证据确凿，同意罚款{yuan(fine)}。"
        decision.record_discussion(
            s, actor=actor, case=case, on=ctx.day(reviewed, 1), minutes=minutes
        )
    decision.decide(
        s,
        actor=actor,
        case=case,
        kinds=kinds,
        fine_fen=fine,
        reasons=reasons,
        remedy=REMEDY,
        decided_on=decided,
    )
    if plan.stop == "unserved":
        return case
    served = ctx.day(decided, 2)
    execution.serve(s, actor=actor, case=case, served_on=served, how="mail")
    # D20: published on the portal within the field's period (市场监管: 20 working days)
    publication.publish(s, actor=actor, case=case, on=ctx.day(decided, 5))
    if plan.stop == "unpaid":
        return case
    paid = ctx.day(served + dt.timedelta(days=18 if plan.late_payment else 7))
    due = fine + execution.late_surcharge_fen(case, paid)
    execution.record_payment(
        s,
        actor=actor,
        case=case,
        paid_on=paid,
        amount_fen=due,
        channel="online",
        payment_ref=f"33080226{case.id:08d}",
    )
    return execution.close(
        s, actor=actor, case=case, on=ctx.day(paid, 2), note="罚款已缴清，案卷归档"
    )
