"""The demo's penalty cases: every plan written through the services, every stage present,
the sweep's F5 alerts for the late ones, work waiting for the 法制审核 persona, and the
supervisor of 柯城区 seeing them all."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.auth.scope import Actor
from wurao.cases import decision
from wurao.cases.access import cases_visible_to, may_review
from wurao.cases.models import CasePublication, CaseStep, PenaltyCase
from wurao.cases.rules import hearing_threshold_fen
from wurao.cases.service import party_label
from wurao.core import audit
from wurao.core.config import get_settings
from wurao.core.ids import validate_ric
from wurao.demo.cases import CaseStats, generate_cases
from wurao.demo.cases_data import PLANS
from wurao.demo.city import generate_city
from wurao.demo.discretion import PRICE, generate_discretion
from wurao.demo.history import generate_history
from wurao.discretion import leniency
from wurao.discretion import service as discretion
from wurao.discretion.models import BenchmarkTable
from wurao.inspections.models import InspectionRecord, InspectionTask, TaskSubject
from wurao.oversight.engine import SweepResult, alerts_visible_to, sweep
from wurao.oversight.models import Alert
from wurao.registry.models import Officer

TODAY = dt.date(2026, 11, 23)
F5 = "F5 CASE-OVERDUE"


@dataclass
class Demo:
    """The demo city, its history and its cases, swept once; rolled back at the end."""

    db: Session
    stats: CaseStats
    swept: SweepResult

    def actor(self, username: str) -> Actor:
        user = self.db.scalar(select(User).where(User.username == username))
        assert user is not None
        return auth_service.actor_for(user)

    def cases(self) -> list[PenaltyCase]:
        return list(self.db.scalars(select(PenaltyCase).order_by(PenaltyCase.id)))


@pytest.fixture(scope="module")
def demo(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """Generated once per database: the tests below read it (one acts in a savepoint)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WURAO_VAR_DIR", str(tmp_path_factory.mktemp("cases-var")))
        get_settings.cache_clear()
        conn = engine.connect()
        trans = conn.begin()
        db = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            generate_city(db)
            generate_history(db, today=TODAY)
            generate_discretion(db)
            stats = generate_cases(db, today=TODAY)
            yield Demo(db, stats, sweep(db, today=TODAY, only=[F5]))
        finally:
            db.close()
            trans.rollback()
            conn.close()
            get_settings.cache_clear()


def test_every_plan_is_written_in_every_stage(demo: Demo) -> None:
    assert demo.stats.skipped == []
    assert sum(demo.stats.by_status.values()) == len(PLANS) == len(demo.cases())
    statuses = Counter(c.status for c in demo.cases())
    assert set(statuses) == {
        "lead", "not_filed", "investigating", "notified", "hearing", "review", "reviewed",
        "decided", "served", "closed", "withdrawn",
    }  # fmt: skip
    assert statuses["review"] == 3 and statuses["lead"] == 4
    assert all(c.region_code == "330802" for c in demo.cases())
    # numbered per subject and year in the order the leads were found
    mine = [c for c in demo.cases() if c.subject_id == demo.cases()[0].subject_id]
    assert [c.found_on for c in mine] == sorted(c.found_on for c in mine)
    assert mine[0].number.endswith("罚立〔2026〕1号")
    assert "已结案" in demo.stats.summary() and "检查移送立案" in demo.stats.summary()


def test_f5_alerts_for_late_filing_decision_and_service(demo: Demo) -> None:
    assert demo.swept.raised[F5] == 7
    alerts = list(demo.db.scalars(select(Alert).where(Alert.rule_id == F5)))
    clocks = Counter(a.dedup_key.split(":")[2] for a in alerts)
    assert clocks == {"D2": 3, "D3": 3, "D13": 1}
    supervisor = demo.actor("kc_sfj")
    seen = demo.db.scalar(
        select(func.count()).select_from(
            alerts_visible_to(supervisor).where(Alert.rule_id == F5).subquery()
        )
    )
    assert seen == 7
    assert sweep(demo.db, today=TODAY, only=[F5]).raised[F5] == 0


def test_supervisor_sees_every_case_and_the_neighbour_none(demo: Demo) -> None:
    def count(actor: Actor) -> int:
        stmt = cases_visible_to(actor).subquery()
        return int(demo.db.scalar(select(func.count()).select_from(stmt)) or 0)

    assert count(demo.actor("kc_sfj")) == len(PLANS)
    assert count(demo.actor("qj_sfj")) == 0
    # the enterprise persona sees its own decided case
    assert count(demo.actor("qiye_demo")) == 1


def test_the_legal_reviewer_has_work_waiting_and_may_do_it(demo: Demo) -> None:
    reviewer = demo.actor("kc_scjg_fzsh")
    waiting = list(
        demo.db.scalars(cases_visible_to(reviewer).where(PenaltyCase.status == "review"))
    )
    assert len(waiting) == 3 and all(may_review(reviewer, c) for c in waiting)
    officer = demo.db.scalar(select(Officer).where(Officer.user_id == reviewer.user_id))
    assert officer is not None and officer.legal_qualified
    nested = demo.db.begin_nested()
    case = waiting[0]
    assert case.review_sent_on is not None
    decision.record_review(
        demo.db, actor=reviewer, case=case, passed=True, opinion="同意", on=TODAY
    )
    assert case.status == "reviewed"
    nested.rollback()


def test_hearings_on_fines_at_or_over_the_threshold(demo: Demo) -> None:
    heard = [c for c in demo.cases() if c.hearing_requested_on is not None]
    assert len(heard) == 3
    for case in heard:
        assert case.notice_served_on is not None and case.notice_hearing_rights
        assert case.notice_fine_fen >= hearing_threshold_fen(case, case.notice_served_on)
    closed = [c for c in heard if c.status == "closed"]
    assert len(closed) == 1 and closed[0].discussed_on is not None
    # a fine exactly at the threshold: rights given, no hearing asked for
    at = [c for c in demo.cases() if c.notice_hearing_rights and c.hearing_requested_on is None]
    assert at and at[0].notice_served_on is not None
    assert at[0].fine_fen == hearing_threshold_fen(at[0], at[0].notice_served_on)


def test_no_penalty_simple_procedure_and_the_natural_person(demo: Demo) -> None:
    cases = demo.cases()
    spared = [c for c in cases if c.outcome == "no_penalty"]
    assert len(spared) == 3 and all("首违不罚" in c.reasons for c in spared)
    simple = [c for c in cases if c.procedure == "simple"]
    assert len(simple) == 3 and {c.status for c in simple} == {"closed"}
    (person,) = [c for c in cases if c.party_kind == "person"]
    assert validate_ric(person.person_ric, today=TODAY) == person.person_ric
    assert person.person_ric not in party_label(person) and person.paid_channel == "on_spot"


def test_unpaid_past_fifteen_days_and_a_late_payment(demo: Demo) -> None:
    unpaid = [
        c
        for c in demo.cases()
        if c.status == "served" and c.fine_fen and c.payment_due_on and c.payment_due_on < TODAY
    ]
    assert len(unpaid) == 2
    late = [c for c in demo.cases() if c.surcharge_fen > 0]
    assert len(late) == 1 and late[0].paid_fen == late[0].fine_fen + late[0].surcharge_fen


def test_cases_opened_from_the_history_records(demo: Demo) -> None:
    opened = [c for c in demo.cases() if c.origin == "record"]
    assert demo.stats.from_records == len(opened) == 5
    for case in opened:
        record = demo.db.get(InspectionRecord, case.record_id)
        assert record is not None and record.outcome == "case"
        task = demo.db.get(InspectionTask, record.task_id)
        assert task is not None and task.enterprise_id == case.enterprise_id
        assert demo.db.get(TaskSubject, (task.id, case.subject_id)) is not None


def test_idempotent_timelines_and_the_audit_chain(demo: Demo) -> None:
    assert generate_cases(demo.db, today=TODAY).existed
    assert len(demo.cases()) == len(PLANS)
    firsts = demo.db.execute(
        select(CaseStep.case_id, CaseStep.action).order_by(CaseStep.case_id, CaseStep.id)
    ).all()
    first_action = {}
    for case_id, action in firsts:
        first_action.setdefault(case_id, action)
    assert set(first_action.values()) == {"open"} and len(first_action) == len(PLANS)
    result = audit.verify_chain(demo.db)
    assert result.ok, result.reason


def test_served_decisions_are_published_in_time(demo: Demo) -> None:
    served = [
        c
        for c in demo.cases()
        if c.procedure == "ordinary" and c.outcome == "penalty" and c.served_on is not None
    ]
    rows = {
        p.case_id: p
        for p in demo.db.scalars(
            select(CasePublication).where(CasePublication.case_id.in_([c.id for c in served]))
        )
    }
    assert len(served) == 7 and set(rows) == {c.id for c in served}
    assert all(p.published_on and p.due_on and p.published_on <= p.due_on for p in rows.values())


def test_benchmarks_and_lists_reach_the_cases(demo: Demo) -> None:
    """Both benchmarks published, the county's 明码标价 range flagged against the city's
    (D24), and a 明码标价 case offered the 首违不罚 list with the party's history (D17)."""
    tables = list(demo.db.scalars(select(BenchmarkTable).order_by(BenchmarkTable.id)))
    assert [t.region_code for t in tables] == ["330800", "330802"]
    assert all(t.published for t in tables)
    assert discretion.conflicts(demo.db, tables[1]) and not discretion.conflicts(demo.db, tables[0])
    price = [c for c in demo.cases() if PRICE in c.provisions_applied]
    assert price
    found = leniency.leniency_for(demo.db, price[0])
    assert "may_no_penalty" in found.kinds and found.history is not None
    assert discretion.applicable_range(demo.db, price[0], TODAY) is not None
