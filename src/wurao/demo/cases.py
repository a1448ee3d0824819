"""The demo's penalty cases: a year of cases in 柯城区 in every stage, written through the case
services (``cases.service``, ``investigation``, ``notice``, ``decision``, ``execution``) so
that each has its timeline, its audit entries and the checks every step passes.

The plans (``demo.cases_data``) are dated back from today: leads past the 15 working days to
decide on 立案 and cases past their 90 days (the sweep's F5 alerts), hearings on fines at or
over the 较大数额, cases waiting for the 法制审核 persona, 首违不罚 decisions, 当场处罚 (one
of a natural person), decisions served and unpaid past the 15 days, paid and closed cases, and
cases opened from the inspection history's 移送立案 records. Deterministic for a seed and a
day; a plan that today's date cannot hold (a step would fall after today, or in a year whose
holidays are unknown) is skipped and counted.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.cases.models import PenaltyCase
from wurao.cases.statuses import CaseStatus
from wurao.core import audit
from wurao.core.errors import DomainError
from wurao.core.time import local_date, local_today
from wurao.demo.cases_data import PLANS, Plan
from wurao.demo.cases_steps import Ctx, NotYet, run
from wurao.demo.common import GENERATOR, later, years_on
from wurao.demo.identifiers import make_ric
from wurao.demo.seed import COUNTY, DEMO_ACCOUNTS, DEMO_SUBJECTS
from wurao.inspections.models import InspectionRecord, TaskSubject
from wurao.registry.models import EnforcementSubject, Enterprise, Officer

REVIEWER = "kc_scjg_fzsh"
PERSONAS = {"scjg": ("kc_scjg_zhang", 0), "yjj": ("kc_yjj_li", 1)}
# how old a 移送立案 record must be (days) for the plan's stop to fit before today
RECORD_MIN_AGE = {"lead": 25, "stale": 100, "not_filed": 8, "investigating": 5, "no_penalty": 40}


@dataclass
class CaseStats:
    """What `generate_cases` wrote."""

    by_status: Counter[str] = field(default_factory=Counter)
    from_records: int = 0
    skipped: list[str] = field(default_factory=list)
    existed: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        """One line in Chinese for the CLI."""
        if self.existed:
            return "演示行政处罚案件已存在，跳过生成"
        parts = "、".join(
            f"{s.label} {self.by_status[s.value]} 件"
            for s in CaseStatus
            if s.value in self.by_status
        )
        line = (
            f"已生成柯城区演示行政处罚案件 {sum(self.by_status.values())} 件（{parts}；"
            f"其中检查移送立案 {self.from_records} 件），用时 {self.seconds:.1f} 秒"
        )
        if self.skipped:
            line += f"；跳过 {len(self.skipped)} 件（{'；'.join(self.skipped[:3])}）"
        return line


def generate_cases(
    session: Session, *, seed: int = 2026, today: dt.date | None = None
) -> CaseStats:
    """Write the demo's penalty cases through the case services (idempotent)."""
    started = time.perf_counter()
    if session.scalar(select(PenaltyCase.id).limit(1)) is not None:
        return CaseStats(existed=True)
    ctx = _context(session, random.Random(f"cases:{seed}"), today or local_today())
    stats = CaseStats()
    if ctx is None:
        stats.skipped.append("演示执法主体或人员不存在")
        return stats
    records = _records(ctx)
    jobs: list[tuple[dt.date, Plan, tuple[InspectionRecord, int] | None]] = []
    for plan in PLANS:
        found = ctx.today - dt.timedelta(days=plan.found_ago)
        picked = _pick_record(ctx, records, plan) if plan.origin == "record" else None
        if plan.origin == "record" and picked is None:
            stats.skipped.append(f"无可用的移送立案检查笔录（{plan.stop}）")
            continue
        jobs.append((_found(picked) if picked else found, plan, picked))
    for found, plan, picked in sorted(jobs, key=lambda j: (j[0], PLANS.index(j[1]))):
        nested = session.begin_nested()
        try:
            case = run(ctx, plan, found, picked)
        except (DomainError, NotYet) as exc:
            nested.rollback()
            stats.skipped.append(f"{plan.violation or '检查移送'}（{plan.stop}）：{exc}")
            continue
        nested.commit()
        stats.by_status[case.status] += 1
        stats.from_records += picked is not None
    stats.seconds = time.perf_counter() - started
    return stats


def _context(session: Session, rng: random.Random, today: dt.date) -> Ctx | None:
    users = {u.username: u for u in session.scalars(select(User))}
    usccs = [uscc for _n, uscc, *_r in DEMO_SUBJECTS]
    persona_subjects = {
        s.uscc: s
        for s in session.scalars(
            select(EnforcementSubject).where(EnforcementSubject.uscc.in_(usccs))
        )
    }
    if REVIEWER not in users or len(persona_subjects) < len(usccs):
        return None
    subjects = {key: persona_subjects[usccs[i]] for key, (_u, i) in PERSONAS.items()}
    actors = {key: auth_service.actor_for(users[u]) for key, (u, _i) in PERSONAS.items()}
    _reviewer_officer(session, users[REVIEWER], subjects["scjg"])
    persona_uscc = next(a.uscc for a in DEMO_ACCOUNTS if a.uscc)
    ents = list(
        session.scalars(
            select(Enterprise)
            .where(Enterprise.region_code.like(f"{COUNTY}%"), Enterprise.status == "active")
            .order_by(Enterprise.id)
        )
    )
    return Ctx(
        session,
        rng,
        today,
        auth_service.actor_for(users[REVIEWER]),
        subjects,
        actors,
        [e for e in ents if e.uscc != persona_uscc],
        next((e for e in ents if e.uscc == persona_uscc), None),
    )


def _reviewer_officer(session: Session, user: User, subject: EnforcementSubject) -> None:
    """The 法制审核 persona's entry in the officer registry, with the 法律职业资格 that D10
    asks of a first-time reviewer (idempotent)."""
    if session.scalar(select(Officer.id).where(Officer.user_id == user.id)) is not None:
        return
    officer = Officer(
        name="王芳",
        ric=make_ric(COUNTY, dt.date(1988, 6, 18), 103),
        subject_id=subject.id,
        kind="officer",
        cert_no="浙33080220002",
        cert_valid_from=dt.date(2024, 1, 1),
        cert_valid_to=later(dt.date(2029, 12, 31), years_on()),
        review_year=2025 + years_on(),
        review_result="passed",
        legal_qualified=True,
        active=True,
        user_id=user.id,
    )
    session.add(officer)
    audit.record(
        session,
        actor=GENERATOR,
        action="officer.create",
        obj=officer,
        summary=f"演示：法制审核人员王芳关联账号{REVIEWER}（具有法律职业资格）",
    )


def _records(ctx: Ctx) -> list[tuple[InspectionRecord, int]]:
    """This year's 移送立案 records of 柯城区's city subjects (the personas' are none)."""
    personas = {s.id for s in ctx.subjects.values()}
    since = ctx.today - dt.timedelta(days=330)
    rows = ctx.session.execute(
        select(InspectionRecord, TaskSubject.subject_id)
        .join(TaskSubject, TaskSubject.task_id == InspectionRecord.task_id)
        .join(EnforcementSubject, EnforcementSubject.id == TaskSubject.subject_id)
        .where(
            InspectionRecord.outcome == "case",
            InspectionRecord.finished_at.is_not(None),
            EnforcementSubject.region_code.like(f"{COUNTY}%"),
            TaskSubject.subject_id.not_in(personas),
        )
        .order_by(InspectionRecord.id, TaskSubject.subject_id)
    )
    out = []
    for record, subject_id in rows:
        assert record.finished_at is not None
        if since <= local_date(record.finished_at) < ctx.today:
            out.append((record, int(subject_id)))
    return out


def _pick_record(
    ctx: Ctx, records: list[tuple[InspectionRecord, int]], plan: Plan
) -> tuple[InspectionRecord, int] | None:
    """The unused record nearest the plan's age that is old enough for its stop."""

    def age(r: InspectionRecord) -> int:
        assert r.finished_at is not None
        return (ctx.today - local_date(r.finished_at)).days

    fits = [
        (abs(age(r) - plan.found_ago), r.id, (r, s))
        for r, s in records
        if r.id not in ctx.used and age(r) >= RECORD_MIN_AGE.get(plan.stop, 5)
    ]
    if not fits:
        return None
    picked = min(fits)[2]
    ctx.used.add(picked[0].id)
    return picked


def _found(picked: tuple[InspectionRecord, int]) -> dt.date:
    """A record's lead is found the day the inspection finished (local time)."""
    assert picked[0].finished_at is not None
    return local_date(picked[0].finished_at)
