"""Pre-checks before a 行政行为码: each rule's failing case and the all-pass case.

Tests are named after the docs/rules.md ids.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.inspections import (
    END,
    KC_YJJ,
    NOW,
    START,
    TODAY,
    add_draw,
    add_enterprise,
    add_item,
    add_officer,
    approval,
    issue,
    key_dir,
    new_task,
    statuses,
    subject,
    world,
)
from wurao.core import audit
from wurao.core.audit import SYSTEM
from wurao.core.errors import InvalidInput, RuleViolation
from wurao.core.policy import get_policy
from wurao.inspections import cross_region, issuing
from wurao.inspections.models import OnsiteCount
from wurao.oversight.models import Alert
from wurao.planning.models import (
    InspectionPlan,
    PlanEntry,
    SpecialInspection,
    SpecialInspectionItem,
)

__all__ = ["key_dir"]
ALL_BLOCK = (
    "subject_qualified",
    "officer_cert",
    "two_officers",
    "items_published",
    "target_status",
    "origin_approved",
    "late_window",
    "frequency_cap",
    "locality",
)


def test_all_rules_pass(db: Session, personas: Personas) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w)
    got = statuses(db, personas.agency_admin, task)
    assert all(got[k] == "pass" for k in ALL_BLOCK), got
    assert got["merge_joint"] == "pass" and got["legal_rep"] == "pass"


def test_B1_two_officers_one_officer_fails(db: Session, personas: Personas) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w, officer_ids=[w.officers[0].id])
    got = statuses(db, personas.agency_admin, task)
    assert got["two_officers"] == "fail"
    assert got["officer_cert"] == "pass"


def test_A2_auxiliary_expired_and_unreviewed_officers_fail(db: Session, personas: Personas) -> None:
    w = world(db)
    aux = add_officer(db, w.subject, kind="auxiliary", aux_kind="协管员", cert_no=None)
    expired = add_officer(db, w.subject, cert_valid_to=dt.date(2026, 3, 4))  # mid-window
    failed = add_officer(db, w.subject, review_result="failed")
    ids = [w.officers[0].id, aux.id, expired.id, failed.id]
    task = new_task(db, personas.agency_admin, w, officer_ids=ids)
    result = issuing.precheck(db, actor=personas.agency_admin, task=task, today=TODAY)
    a2 = next(o for o in result.outcomes if o.rule.key == "officer_cert")
    assert a2.status == "fail"
    text = " ".join(v.detail for v in a2.violations)
    assert "辅助人员" in text and "已过期" in text and "审验" in text
    assert {v.rule_id for v in a2.violations} == {"A2 INSP-CERT"}
    # only one officer qualifies, so B1 fails too
    assert next(o for o in result.outcomes if o.rule.key == "two_officers").status == "fail"


def test_A2_officer_of_another_subject_fails(db: Session, personas: Personas) -> None:
    w = world(db)
    stranger = add_officer(db, subject(db, KC_YJJ))
    ids = [o.id for o in w.officers] + [stranger.id]
    task = new_task(db, personas.agency_admin, w, officer_ids=ids)
    assert statuses(db, personas.agency_admin, task)["officer_cert"] == "fail"


def test_A1_unannounced_subject_fails(db: Session, personas: Personas) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w)
    before = audit.snapshot(w.subject)
    w.subject.announced_on = None
    audit.record(db, actor=SYSTEM, action="subject.edit", obj=w.subject, before=before)
    assert statuses(db, personas.agency_admin, task)["subject_qualified"] == "fail"


def test_A3_unpublished_and_other_field_items_fail(db: Session, personas: Personas) -> None:
    w = world(db)
    draft = add_item(db, status="draft", published_on=None)
    other = add_item(db, "应急管理")
    task = new_task(db, personas.agency_admin, w, item_codes=[w.item.code, draft.code, other.code])
    result = issuing.precheck(db, actor=personas.agency_admin, task=task, today=TODAY)
    a3 = next(o for o in result.outcomes if o.rule.key == "items_published")
    assert a3.status == "fail"
    text = " ".join(v.detail for v in a3.violations)
    assert "未公布" in text and "应急管理" in text


def test_target_status_revoked_enterprise_fails(db: Session, personas: Personas) -> None:
    w = world(db)
    w.enterprise = add_enterprise(db, status="revoked")
    task = new_task(db, personas.agency_admin, w)
    assert statuses(db, personas.agency_admin, task)["target_status"] == "fail"


def _plan(
    db: Session,
    w: object,
    status: str,
    year: int = 2026,
    version: int = 1,
    months: str = "3",
    published_on: dt.date | None = dt.date(2026, 1, 15),
) -> PlanEntry:
    s = w.subject  # type: ignore[attr-defined]
    plan = InspectionPlan(
        subject_id=s.id,
        year=year,
        title="2026年度检查计划",
        status=status,
        version=version,
        created_at=NOW,
        updated_at=NOW,
        published_on=published_on if status in ("published", "filed") else None,
    )
    db.add(plan)
    db.flush()
    entry = PlanEntry(plan_id=plan.id, item_id=w.item.id, months=months)  # type: ignore[attr-defined]
    db.add(entry)
    audit.record(db, actor=SYSTEM, action="plan.create", obj=plan, covers=[entry])
    return entry


def test_A4_plan_origin_needs_published_plan(db: Session, personas: Personas) -> None:
    w = world(db)
    draft = _plan(db, w, "draft")
    task = new_task(db, personas.agency_admin, w, origin="plan", plan_entry_id=draft.id)
    assert statuses(db, personas.agency_admin, task)["origin_approved"] == "fail"
    ok = _plan(db, w, "filed", version=2)
    task2 = new_task(db, personas.agency_admin, w, origin="plan", plan_entry_id=ok.id)
    assert statuses(db, personas.agency_admin, task2)["origin_approved"] == "pass"
    last_year = _plan(db, w, "published", year=2025)
    task3 = new_task(db, personas.agency_admin, w, origin="plan", plan_entry_id=last_year.id)
    assert statuses(db, personas.agency_admin, task3)["origin_approved"] == "fail"


def test_A4_plan_origin_needs_the_entry_to_cover_the_inspection(
    db: Session, personas: Personas
) -> None:
    """Stricter than the old rule: the plan's own coverage (planning.coverage) must agree."""
    w = world(db)
    april = _plan(db, w, "published", months="4")  # not the month the inspection starts
    task = new_task(db, personas.agency_admin, w, origin="plan", plan_entry_id=april.id)
    assert statuses(db, personas.agency_admin, task)["origin_approved"] == "fail"
    late = _plan(db, w, "published", version=2, published_on=dt.date(2026, 3, 4))  # after START
    task2 = new_task(db, personas.agency_admin, w, origin="plan", plan_entry_id=late.id)
    assert statuses(db, personas.agency_admin, task2)["origin_approved"] == "fail"
    ok = _plan(db, w, "published", version=3)
    extra = add_item(db, w.subject.field)  # an item the plan does not list
    task3 = new_task(
        db,
        personas.agency_admin,
        w,
        origin="plan",
        plan_entry_id=ok.id,
        item_codes=[w.item.code, extra.code],
    )
    result = issuing.precheck(db, actor=personas.agency_admin, task=task3, today=TODAY)
    origin = next(o for o in result.outcomes if o.rule.key == "origin_approved")
    assert origin.status == "fail" and "部分检查事项" in origin.violations[0].detail
    task4 = new_task(db, personas.agency_admin, w, origin="plan", plan_entry_id=ok.id)
    assert statuses(db, personas.agency_admin, task4)["origin_approved"] == "pass"


def test_A7_special_origin_needs_approved_special(db: Session, personas: Personas) -> None:
    w = world(db)
    special = _special(db, w)
    task = new_task(db, personas.agency_admin, w, origin="special", special_id=special.id)
    result = issuing.precheck(db, actor=personas.agency_admin, task=task, today=TODAY)
    origin = next(o for o in result.outcomes if o.rule.key == "origin_approved")
    assert origin.status == "fail"
    assert origin.violations[0].rule_id == "A7 INSP-SPECIAL-PLAN"
    special.status = "approved"
    audit.record(db, actor=SYSTEM, action="special.approve", obj=special)
    # approved but not yet published: planning's coverage (SPECIAL_PUBLIC) does not count it
    assert statuses(db, personas.agency_admin, task)["origin_approved"] == "fail"
    special.status = "published"
    audit.record(db, actor=SYSTEM, action="special.publish", obj=special)
    assert statuses(db, personas.agency_admin, task)["origin_approved"] == "pass"


def _special(db: Session, w: object, end_on: dt.date = dt.date(2026, 6, 30)) -> SpecialInspection:
    special = SpecialInspection(
        subject_id=w.subject.id,  # type: ignore[attr-defined]
        year=2026,
        title="燃气安全专项",
        status="reviewed",
        created_at=NOW,
        start_on=dt.date(2026, 3, 1),
        end_on=end_on,
    )
    db.add(special)
    db.flush()
    line = SpecialInspectionItem(special_id=special.id, item_id=w.item.id)  # type: ignore[attr-defined]
    db.add(line)
    audit.record(db, actor=SYSTEM, action="special.create", obj=special, covers=[line])
    return special


def test_A7_special_origin_needs_the_special_to_run_then(db: Session, personas: Personas) -> None:
    """Stricter than the old rule: published, running on the start day, listing the items."""
    w = world(db)
    ended = _special(db, w, end_on=dt.date(2026, 3, 2))  # ends the day before START
    ended.status = "published"
    task = new_task(db, personas.agency_admin, w, origin="special", special_id=ended.id)
    assert statuses(db, personas.agency_admin, task)["origin_approved"] == "fail"
    running = _special(db, w)
    running.status = "published"
    extra = add_item(db, w.subject.field)  # not among the special inspection's items
    task2 = new_task(
        db,
        personas.agency_admin,
        w,
        origin="special",
        special_id=running.id,
        item_codes=[w.item.code, extra.code],
    )
    assert statuses(db, personas.agency_admin, task2)["origin_approved"] == "fail"
    task3 = new_task(db, personas.agency_admin, w, origin="special", special_id=running.id)
    assert statuses(db, personas.agency_admin, task3)["origin_approved"] == "pass"


def test_A4_unplanned_needs_valid_approval(db: Session, personas: Personas) -> None:
    w = world(db)
    expired = approval(db, w, valid_until=dt.date(2026, 3, 1))
    task = new_task(db, personas.agency_admin, w, origin="unplanned", unplanned_id=expired.id)
    assert statuses(db, personas.agency_admin, task)["origin_approved"] == "fail"
    refused = approval(db, w, status="refused")
    task2 = new_task(db, personas.agency_admin, w, origin="unplanned", unplanned_id=refused.id)
    assert statuses(db, personas.agency_admin, task2)["origin_approved"] == "fail"
    good = approval(db, w)
    task3 = new_task(db, personas.agency_admin, w, origin="unplanned", unplanned_id=good.id)
    assert statuses(db, personas.agency_admin, task3)["origin_approved"] == "pass"
    none = new_task(db, personas.agency_admin, w, origin="unplanned")
    assert statuses(db, personas.agency_admin, none)["origin_approved"] == "fail"


def test_A4_unplanned_must_precede_the_inspection(db: Session, personas: Personas) -> None:
    """Stricter than the old rule: approved before the start and valid then (planning's
    coverage); an approval without an end date covers nothing."""
    w = world(db)
    after = approval(db, w, requested_at=dt.datetime(2026, 3, 4, 2, 0, tzinfo=dt.UTC))
    task = new_task(db, personas.agency_admin, w, origin="unplanned", unplanned_id=after.id)
    assert statuses(db, personas.agency_admin, task)["origin_approved"] == "fail"
    open_ended = approval(db, w, valid_until=None)
    task2 = new_task(db, personas.agency_admin, w, origin="unplanned", unplanned_id=open_ended.id)
    assert statuses(db, personas.agency_admin, task2)["origin_approved"] == "fail"
    good = approval(db, w)
    task3 = new_task(db, personas.agency_admin, w, origin="unplanned", unplanned_id=good.id)
    assert statuses(db, personas.agency_admin, task3)["origin_approved"] == "pass"


def test_A4_late_code_may_rest_on_an_approval_obtained_after_the_start(
    db: Session, personas: Personas
) -> None:
    """补码 (衢政办发〔2025〕16号 第7项): the approval is obtained afterwards, so coverage is
    checked on the day of the code rather than on the start."""
    w = world(db)
    started = dt.date(2026, 2, 27)
    ok = approval(db, w)  # requested on TODAY, after the inspection started
    task = new_task(
        db,
        personas.agency_admin,
        w,
        origin="unplanned",
        unplanned_id=ok.id,
        window_start=started,
        started_without_code_on=started,
    )
    assert statuses(db, personas.agency_admin, task)["origin_approved"] == "pass"


def _origin(db: Session, actor: object, task: object) -> tuple[str, str]:
    result = issuing.precheck(db, actor=actor, task=task, today=TODAY)  # type: ignore[arg-type]
    o = next(o for o in result.outcomes if o.rule.key == "origin_approved")
    return o.status, " ".join(v.detail for v in o.violations)


def test_A4_draw_must_be_drawn_by_a_task_subject_and_select_the_enterprise(
    db: Session, personas: Personas
) -> None:
    """双随机 origin: the draw must exist, be drawn (not merely created), belong to one of the
    task's subjects and have selected this enterprise; a number alone proves nothing."""
    w = world(db)
    admin = personas.agency_admin
    none = new_task(db, admin, w, origin="draw")
    assert _origin(db, admin, none)[0] == "fail"
    frozen = add_draw(db, w, status="frozen")
    status, text = _origin(db, admin, new_task(db, admin, w, origin="draw", draw_id=frozen.id))
    assert status == "fail" and "尚未抽取" in text
    others = add_draw(db, w, subjects=(subject(db, KC_YJJ),))
    status, text = _origin(db, admin, new_task(db, admin, w, origin="draw", draw_id=others.id))
    assert status == "fail" and "不属于本任务的执法主体" in text
    elsewhere = add_draw(db, w, selected=(add_enterprise(db).uscc,))
    status, text = _origin(db, admin, new_task(db, admin, w, origin="draw", draw_id=elsewhere.id))
    assert status == "fail" and "未抽中" in text
    good = add_draw(db, w)
    assert _origin(db, admin, new_task(db, admin, w, origin="draw", draw_id=good.id)) == (
        "pass",
        "",
    )


def test_A4_draw_that_does_not_exist_is_refused_at_creation(
    db: Session, personas: Personas
) -> None:
    w = world(db)
    with pytest.raises(InvalidInput) as err:
        new_task(db, personas.agency_admin, w, origin="draw", draw_id=987654)
    assert err.value.field == "draw_id" and "987654" in err.value.message


def test_A4_trigger_needs_reference(db: Session, personas: Personas) -> None:
    w = world(db)
    bare = new_task(db, personas.agency_admin, w, trigger_ref="", trigger_reason="")
    assert statuses(db, personas.agency_admin, bare)["origin_approved"] == "fail"


@pytest.mark.parametrize(
    ("started", "finished", "code_on", "ok"),
    [
        # a two-day inspection ending on the eve of 国庆 2026 (1–7 October are holidays): the
        # one working day after completion is 8 October; counted from the start it was 30 Sep.
        (dt.date(2026, 9, 29), dt.date(2026, 9, 30), dt.date(2026, 10, 8), True),
        (dt.date(2026, 9, 29), dt.date(2026, 9, 30), dt.date(2026, 10, 9), False),
        # begun on the holiday's last day, completed on 8 October: until 9 October; Saturday
        # 10 October is a make-up working day and already too late
        (dt.date(2026, 10, 7), dt.date(2026, 10, 8), dt.date(2026, 10, 9), True),
        (dt.date(2026, 10, 7), dt.date(2026, 10, 8), dt.date(2026, 10, 10), False),
    ],
    ids=["eve-in-time", "eve-late", "last-day-in-time", "makeup-saturday-late"],
)
def test_A4_late_code_counts_from_completion_across_national_day(
    db: Session,
    personas: Personas,
    started: dt.date,
    finished: dt.date,
    code_on: dt.date,
    ok: bool,
) -> None:
    """衢政办发〔2025〕16号 第7项: 在检查任务完成后1个工作日内补办批准手续并赋码."""
    w = world(db)
    task = new_task(
        db,
        personas.agency_admin,
        w,
        window_start=started,
        window_end=dt.date(2026, 10, 16),
        started_without_code_on=started,
        finished_without_code_on=finished,
    )
    result = issuing.precheck(db, actor=personas.agency_admin, task=task, today=code_on)
    late = next(o for o in result.outcomes if o.rule.key == "late_window")
    assert late.status == ("pass" if ok else "fail"), late
    assert f"{finished.isoformat()} 完成检查" in late.note


def test_A4_late_code_without_completion_date_counts_from_the_start(
    db: Session, personas: Personas
) -> None:
    w = world(db)
    started = dt.date(2026, 9, 29)
    kw = {"window_start": started, "window_end": dt.date(2026, 10, 16)}
    task = new_task(db, personas.agency_admin, w, started_without_code_on=started, **kw)
    result = issuing.precheck(
        db, actor=personas.agency_admin, task=task, today=dt.date(2026, 10, 8)
    )
    late = next(o for o in result.outcomes if o.rule.key == "late_window")
    assert late.status == "fail" and "未填写检查完成日期" in late.note
    with pytest.raises(InvalidInput) as err:  # completed before it started
        new_task(
            db,
            personas.agency_admin,
            w,
            started_without_code_on=started,
            finished_without_code_on=started - dt.timedelta(days=1),
            **kw,
        )
    assert err.value.field == "finished_without_code_on"
    future = new_task(
        db,
        personas.agency_admin,
        w,
        started_without_code_on=started,
        finished_without_code_on=dt.date(2026, 10, 12),
        **kw,
    )  # a completion after the day of the code has not happened yet
    result = issuing.precheck(
        db, actor=personas.agency_admin, task=future, today=dt.date(2026, 10, 9)
    )
    late = next(o for o in result.outcomes if o.rule.key == "late_window")
    assert late.status == "fail" and "晚于" in late.violations[0].detail


def _count(db: Session, w: object, counted: int, exempt: int = 0) -> None:
    db.add(
        OnsiteCount(
            enterprise_id=w.enterprise.id,
            subject_id=w.subject.id,  # type: ignore[attr-defined]
            year=2026,
            counted=counted,
            exempt=exempt,
        )
    )
    db.flush()


def test_A5_cap_blocks_routine_onsite_above_cap(db: Session, personas: Personas) -> None:
    w = world(db)
    _count(db, w, 2)
    ok = approval(db, w)
    task = new_task(db, personas.agency_admin, w, origin="unplanned", unplanned_id=ok.id)
    assert statuses(db, personas.agency_admin, task)["frequency_cap"] == "fail"
    written = new_task(
        db, personas.agency_admin, w, origin="unplanned", unplanned_id=ok.id, method="written"
    )
    assert statuses(db, personas.agency_admin, written)["frequency_cap"] == "pass"


def test_A5_cap_warns_at_the_cap(db: Session, personas: Personas) -> None:
    w = world(db)
    _count(db, w, 1)
    ok = approval(db, w)
    task = new_task(db, personas.agency_admin, w, origin="unplanned", unplanned_id=ok.id)
    assert statuses(db, personas.agency_admin, task)["frequency_cap"] == "warn"


def test_A5_triggered_inspection_exempt_but_counted_and_shown(
    db: Session, personas: Personas, key_dir: object
) -> None:
    w = world(db)
    _count(db, w, 2, exempt=1)
    task = new_task(db, personas.agency_admin, w)  # a complaint
    result = issuing.precheck(db, actor=personas.agency_admin, task=task, today=TODAY)
    cap = next(o for o in result.outcomes if o.rule.key == "frequency_cap")
    assert cap.status == "pass"
    assert "已计数 2/2" in cap.note and "触发式 1" in cap.note
    issue(db, personas.agency_admin, task)
    row = db.get(OnsiteCount, (w.enterprise.id, w.subject.id, 2026))
    assert row is not None and (row.counted, row.exempt) == (2, 2)


def test_A8_remote_enterprise_needs_common_superior_approval(
    db: Session, personas: Personas
) -> None:
    """Each failure of the recorded approval is in tests/inspections/test_cross_region.py."""
    w = world(db)
    w.enterprise = add_enterprise(db, region="330803")
    task = new_task(db, personas.agency_admin, w)
    assert statuses(db, personas.agency_admin, task)["locality"] == "fail"
    cross_region.record_approval(
        db,
        actor=personas.agency_admin,
        data=cross_region.ApprovalData(
            organ_name="衢州市市场监督管理局",
            organ_region_code="330800",
            approved_on=dt.date(2026, 3, 1),
            doc_no="衢市监〔2026〕3号",
            valid_from=START,
            valid_to=END,
            enterprise_usccs=[w.enterprise.uscc],
            item_codes=[w.item.code],
        ),
    )
    assert statuses(db, personas.agency_admin, task)["locality"] == "pass"


def test_F9_triggered_count_shown_and_warned_above_the_reasonable_frequency(
    db: Session, personas: Personas, key_dir: object
) -> None:
    """衢政办发〔2025〕16号 第9项: exempt from the cap, but not obviously above a reasonable
    frequency; the count (all subjects) is shown at code issue and the code carries the warning."""
    limit = int(get_policy().value("oversight.triggered_max_per_year", "330802", START))
    w = world(db)
    other = world(db, KC_YJJ)
    other.enterprise = w.enterprise
    for n in range(limit):  # half by each subject: the count is the enterprise's
        if n % 2:
            issue(db, personas.other_officer, new_task(db, personas.other_officer, other))
        else:
            issue(db, personas.agency_admin, new_task(db, personas.agency_admin, w))
    new_task(db, personas.agency_admin, w, method="written")  # not on-site: not counted
    task = new_task(db, personas.agency_admin, w)
    result = issuing.precheck(db, actor=personas.agency_admin, task=task, today=TODAY)
    f9 = next(o for o in result.outcomes if o.rule.key == "triggered_freq")
    assert f"该企业本年度已接受触发式检查 {limit} 次（合理频次上限 {limit}）" in f9.note
    assert f9.status == "warn" and f9.rule.rule_id == "F9 TRIGGERED-FREQ"
    f9_alerts = select(Alert).where(
        Alert.rule_id == "F9 TRIGGERED-FREQ", Alert.enterprise_id == w.enterprise.id
    )
    assert db.scalar(f9_alerts) is None
    issued = issue(db, personas.agency_admin, task)  # a warning never blocks
    assert "F9 TRIGGERED-FREQ" in issued.code.warnings
    alert = db.scalar(f9_alerts)  # evaluated on code issue: the pre-check warned F9
    assert alert is not None and f"触发式现场检查{limit + 1}次（2个执法主体）" in alert.detail


def test_F9_triggered_within_the_reasonable_frequency_passes(
    db: Session, personas: Personas
) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w)
    result = issuing.precheck(db, actor=personas.agency_admin, task=task, today=TODAY)
    f9 = next(o for o in result.outcomes if o.rule.key == "triggered_freq")
    assert f9.status == "pass" and "该企业本年度已接受触发式检查 0 次" in f9.note


def test_A6_merge_and_joint_warn_and_are_stored_with_the_code(
    db: Session, personas: Personas, key_dir: object
) -> None:
    w = world(db)
    new_task(db, personas.agency_admin, w)  # same subject, same window
    other = world(db, KC_YJJ)
    other.enterprise = w.enterprise
    new_task(db, personas.other_officer, other)  # other subject, same window
    task = new_task(db, personas.agency_admin, w)
    got = statuses(db, personas.agency_admin, task)
    assert got["merge_joint"] == "warn"
    issued = issue(db, personas.agency_admin, task)
    assert {v.rule_id for v in issued.warnings} == {"A6 INSP-MERGE-JOINT-OFFSITE"}
    assert "能合并" in issued.code.warnings and "综合查一次" in issued.code.warnings


def test_A6_offsite_verifiable_items_warn(db: Session, personas: Personas) -> None:
    w = world(db)
    w.item = add_item(db, methods="onsite,offsite")
    task = new_task(db, personas.agency_admin, w)
    assert statuses(db, personas.agency_admin, task)["merge_joint"] == "warn"


def test_B5_legal_representative_required_warns(
    db: Session, personas: Personas, key_dir: object
) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w, legal_rep_required=True)
    assert statuses(db, personas.agency_admin, task)["legal_rep"] == "warn"
    issued = issue(db, personas.agency_admin, task)  # a warning never blocks
    assert "B5 FIVE-BANS" in issued.code.warnings


def test_refusal_lists_every_failed_rule_with_source(
    db: Session, personas: Personas, key_dir: object
) -> None:
    w = world(db)
    w.enterprise = add_enterprise(db, region="330803", status="deregistered")
    draft = add_item(db, status="draft")
    task = new_task(
        db,
        personas.agency_admin,
        w,
        officer_ids=[w.officers[0].id],
        item_codes=[draft.code],
        trigger_ref="",
    )
    with pytest.raises(RuleViolation) as err:
        issue(db, personas.agency_admin, task)
    ids = {v.rule_id for v in err.value.violations}
    assert {
        "B1 TWO-OFFICERS",
        "A3 INSP-ITEM-PUBLISHED",
        "A INSP-TARGET-STATUS",
        "A4 INSP-APPROVAL",
        "A8 INSP-LOCALITY",
    } <= ids
    assert all(v.source for v in err.value.violations)
    assert "不予赋码" in err.value.message


def test_window_must_stay_in_one_year(db: Session, personas: Personas) -> None:
    from wurao.core.errors import InvalidInput

    w = world(db)
    with pytest.raises(InvalidInput):
        new_task(db, personas.agency_admin, w, window_start=END, window_end=START)
    with pytest.raises(InvalidInput):
        new_task(
            db,
            personas.agency_admin,
            w,
            window_start=dt.date(2026, 12, 30),
            window_end=dt.date(2027, 1, 2),
        )
