"""Supervision on write: the services raise alerts and keep the dashboard's figures in the
transaction of the triggering record, with no sweep run."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.inspections import new_task, world
from tests.inspections.test_records import DEMO_USCC, finish, make_task
from wurao.core.time import local_today
from wurao.inspections import evaluations
from wurao.oversight import dashboard, engine, indicators, rules, triggers
from wurao.oversight.models import Alert
from wurao.oversight.service import CodelessReport, report_codeless


def alert_rules(db: Session) -> list[str]:
    return sorted(db.scalars(select(Alert.rule_id)))


def test_the_rules_page_says_when_each_rule_is_evaluated() -> None:
    assert triggers.events_of("F2 EVALUATION") == ["企业提交评价"]
    assert triggers.events_of("F8 TARGETS") == []  # the sweep's alone
    on_create = ["创建检查任务", "修改检查任务", "双随机抽取生成任务"]
    assert triggers.events_of("A5 INSP-FREQ-CAP") == on_create
    assert "赋码" in triggers.events_of("F9 TRIGGERED-FREQ")


def test_every_trigger_names_a_rule_it_may_evaluate() -> None:
    task_triggers = (
        triggers.ON_CREATE,
        triggers.ON_CODE,
        triggers.ON_START,
        triggers.ON_FINISH,
        triggers.ON_EVALUATION,
    )
    for ids in task_triggers:
        assert all(rules.BY_ID[i].task_based for i in ids)
    for ids in (triggers.ON_CLUE, triggers.ON_SPECIAL):
        assert all(i in rules.BY_ID for i in ids)


def test_finishing_and_evaluating_keep_the_figures_equal_to_a_rebuild(
    db: Session, personas: Personas
) -> None:
    today = local_today()
    first, second = make_task(db), make_task(db, method="offsite")
    token = finish(db, first, personas.officer, ok=False)
    finish(db, second, personas.officer)
    r = dashboard.region_rates(db, "330802", today, today)
    assert (r.inspections, r.nonsite, r.problem, r.joint) == (2, 1, 1, 0)
    evaluations.submit_evaluation(db, token=token, rating=2, comment="", misconduct=[])
    ev = dashboard.evaluation_summary(db, "3308", today, today, 2)
    assert ev.by_rating == (0, 1, 0, 0, 0) and (ev.count, ev.mean, ev.low) == (1, 2.0, 1)
    assert dashboard.per_enterprise(db, "330802", today.year)[0] == [0, 1, 0, 0, 0]
    kept = indicators.snapshot(db)
    indicators.rebuild(db)
    assert indicators.snapshot(db) == kept
    # a day, a subject-month, an enterprise-year, and one group (the enterprise, twice)
    assert [len(rows) for rows in kept.values()] == [1, 1, 1, 1]


def test_F2_EVALUATION_is_raised_when_the_rating_is_submitted(
    db: Session, personas: Personas
) -> None:
    token = finish(db, make_task(db), personas.officer)
    assert alert_rules(db) == []
    evaluations.submit_evaluation(db, token=token, rating=1, comment="", misconduct=["repeated"])
    assert alert_rules(db) == ["F2 EVALUATION"]
    assert engine.sweep(db, only=["F2 EVALUATION"]).total == 0  # the sweep finds it known


def test_F3_REPEAT_NONE_is_raised_when_the_third_empty_record_is_finished(
    db: Session, personas: Personas
) -> None:
    for _ in range(2):
        finish(db, make_task(db), personas.officer)
    assert "F3 REPEAT-NONE" not in alert_rules(db)
    finish(db, make_task(db), personas.officer)
    alert = db.scalar(select(Alert).where(Alert.rule_id == "F3 REPEAT-NONE"))
    assert alert is not None  # the demo enterprise, three inspections without a finding
    assert len([e for e in engine.evidence_of(alert) if e["type"] == "task"]) == 3


def test_F2_CODELESS_REPORT_is_raised_when_the_report_arrives(db: Session) -> None:
    report_codeless(
        db,
        report=CodelessReport(
            enterprise_name="",
            enterprise_uscc=DEMO_USCC,
            occurred_on=local_today(),
            agency="某执法队",
            people=2,
            description="两人进厂检查，未出示行政行为码。",
        ),
    )
    assert alert_rules(db) == ["F2 CODELESS-REPORT"]


def test_F2_DEREGISTERED_is_raised_when_the_task_is_created(
    db: Session, personas: Personas
) -> None:
    w = world(db)
    w.enterprise.status = "deregistered"
    db.flush()
    task = new_task(db, personas.agency_admin, w)
    alert = db.scalar(select(Alert).where(Alert.task_id == task.id))
    assert alert is not None and alert.rule_id == "F2 DEREGISTERED"


def test_an_enterprise_moves_up_the_distribution_and_stays_in_five_or_more(
    db: Session, personas: Personas
) -> None:
    year = local_today().year
    seen = []
    for _ in range(6):
        finish(db, make_task(db), personas.officer)
        seen.append(dashboard.per_enterprise(db, "330802", year)[0])
    assert seen == [
        [1, 0, 0, 0, 0],
        [0, 1, 0, 0, 0],
        [0, 0, 1, 0, 0],
        [0, 0, 0, 1, 0],
        [0, 0, 0, 0, 1],
        [0, 0, 0, 0, 1],
    ]
    kept = indicators.snapshot(db)
    indicators.rebuild(db)
    assert indicators.snapshot(db) == kept
