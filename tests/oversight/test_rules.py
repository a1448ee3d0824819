"""Each supervision rule on a failing and a passing case, named by its rule id; the sweep's
idempotence. Builders at the top are shared with test_alerts and test_indicators."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.inspections import add_enterprise, add_officer, subject
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import audit
from wurao.core.config import get_settings
from wurao.core.policy import get_policy
from wurao.inspections.models import (
    ActionCode,
    CrossRegionApproval,
    CrossRegionApprovalEnterprise,
    Evaluation,
    InspectionRecord,
    InspectionTask,
    SigningKey,
    TaskOfficer,
    TaskSubject,
)
from wurao.oversight import engine, rules
from wurao.oversight.models import Alert, Clue
from wurao.planning.models import SpecialInspection, UnplannedApproval
from wurao.registry.models import EnforcementSubject, Enterprise

KC_SCJG = "11330802MB1A00001T"
KC_YJJ = "11330802MB1A00002X"
QJ_SCJG = "11330803MB1A00003F"
TODAY = dt.date(2026, 3, 20)
NOW = dt.datetime(2026, 3, 20, 2, 0, tzinfo=dt.UTC)
KC, QJ = "330802", "330803"  # 柯城区 keeps the national values; 衢江区 sets its own
_n = itertools.count(1)


def extra_subject(
    db: Session, name: str = "柯城区生态环境分局", region: str = "330802"
) -> EnforcementSubject:
    n = next(_n)
    s = EnforcementSubject(
        name=f"{name}{n}",
        uscc=f"11{region}MB2B{n:05d}"[:18],
        region_code=region,
        field="生态环境",
        level="county",
    )
    db.add(s)
    audit.record(db, actor=SYSTEM_ACTOR, action="subject.create", obj=s)
    return s


def make_task(
    db: Session,
    ent: Enterprise,
    subjects: list[EnforcementSubject],
    *,
    start: dt.date = TODAY - dt.timedelta(days=5),
    status: str = "done",
    method: str = "onsite",
    origin: str = "plan",
    outcome: str | None = "none",
    finished: dt.datetime | None = NOW,
    officers: tuple[int, ...] = (),
    code: bool = True,
    late: bool = False,
    remote_ref: str = "",
) -> InspectionTask:
    """A task with its subjects (first is lead), optional record, code and officers."""
    task = InspectionTask(
        enterprise_id=ent.id,
        region_code=ent.region_code,
        year=start.year,
        origin=origin,
        method=method,
        window_start=start,
        window_end=start + dt.timedelta(days=3),
        status=status,
        created_at=NOW,
    )
    db.add(task)
    db.flush()
    rows: list[object] = []
    for i, s in enumerate(subjects):
        rows.append(
            TaskSubject(
                task_id=task.id, subject_id=s.id, lead=i == 0, remote_approval_ref=remote_ref
            )
        )
    for oid in officers:
        rows.append(TaskOfficer(task_id=task.id, officer_id=oid, subject_id=subjects[0].id))
    if outcome is not None:
        rows.append(InspectionRecord(task_id=task.id, outcome=outcome, finished_at=finished))
    if code:
        if db.get(SigningKey, "test-kid") is None:
            key = SigningKey(kid="test-kid", public_x="x", created_at=NOW)
            db.add(key)
            db.flush()
            rows.append(key)
        n = next(_n)
        rows.append(
            ActionCode(
                task_id=task.id,
                number=f"T-{task.id}-{n}",
                jti=f"jti-{task.id}-{n}",
                kid="test-kid",
                token="t",
                issued_at=NOW,
                valid_from=start,
                valid_to=start + dt.timedelta(days=3),
                late=late,
            )
        )
    db.add_all(rows)
    db.flush()
    audit.record(db, actor=SYSTEM_ACTOR, action="test.task", obj=task, covers=rows)  # type: ignore[arg-type]
    return task


def findings(db: Session, rule_id: str, today: dt.date = TODAY) -> list[rules.Finding]:
    return list(rules.BY_ID[rule_id].find(db, rules.Context(today=today)))


def for_enterprise(found: list[rules.Finding], ent: Enterprise) -> list[rules.Finding]:
    return [f for f in found if f.enterprise_id == ent.id]


def for_task(found: list[rules.Finding], task: InspectionTask) -> list[rules.Finding]:
    return [f for f in found if f.task_id == task.id]


CountyPolicy = Callable[[dict[str, object]], None]


@pytest.fixture
def county_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CountyPolicy]:
    """Load a local policy file (WURAO_POLICY_FILE) giving 衢江区 its own values."""

    def load(values: dict[str, object]) -> None:
        path = tmp_path / "county.toml"
        path.write_text(
            "".join(
                f'[[{name}.values]]\nregion = "{QJ}"\neffective = 2026-01-01\n'
                f'value = {json.dumps(value)}\nsource = "测试：衢江区自定"\n'
                for name, value in values.items()
            ),
            encoding="utf-8",
        )
        monkeypatch.setenv("WURAO_POLICY_FILE", str(path))
        get_settings.cache_clear()
        get_policy.cache_clear()

    yield load
    monkeypatch.delenv("WURAO_POLICY_FILE", raising=False)
    get_settings.cache_clear()
    get_policy.cache_clear()


# --- A5 -----------------------------------------------------------------------------------


def test_A5_at_cap_warns(db: Session) -> None:
    s, ent = subject(db, KC_SCJG), add_enterprise(db)
    t1 = make_task(db, ent, [s], start=dt.date(2026, 1, 10))
    t2 = make_task(db, ent, [s], start=dt.date(2026, 2, 10), status="coded", outcome=None)
    found = for_enterprise(findings(db, "A5 INSP-FREQ-CAP"), ent)
    assert len(found) == 1 and found[0].subject_id == s.id
    assert {e["id"] for e in found[0].evidence if e["type"] == "task"} == {t1.id, t2.id}
    assert "上限2次" in found[0].detail


def test_A5_triggered_and_nonsite_not_counted(db: Session) -> None:
    s, ent = subject(db, KC_SCJG), add_enterprise(db)
    make_task(db, ent, [s], start=dt.date(2026, 1, 10))
    make_task(db, ent, [s], start=dt.date(2026, 1, 20), origin="complaint")
    make_task(db, ent, [s], start=dt.date(2026, 2, 10), method="offsite")
    assert for_enterprise(findings(db, "A5 INSP-FREQ-CAP"), ent) == []


def test_A5_county_lists_count_offsite_and_complaints_there_only(
    db: Session, county_policy: CountyPolicy
) -> None:
    # 衢江区 counts non-site inspections and exempts only referrals; 柯城区 keeps the national
    # lists (on-site only; complaints, referrals and monitoring exempt)
    county_policy(
        {
            "inspection.cap_counted_methods": ["onsite", "offsite"],
            "inspection.cap_exempt_origins": ["referral"],
        }
    )
    qj_tasks = []
    ents = {}
    for s, region in ((subject(db, KC_SCJG), KC), (subject(db, QJ_SCJG), QJ)):
        ents[region] = ent = add_enterprise(db, region=region)
        tasks = [
            make_task(db, ent, [s], start=dt.date(2026, 1, 10)),
            make_task(db, ent, [s], start=dt.date(2026, 1, 20), origin="complaint"),
            make_task(db, ent, [s], start=dt.date(2026, 2, 10), method="offsite"),
            make_task(db, ent, [s], start=dt.date(2026, 2, 20), origin="referral"),
        ]
        if region == QJ:
            qj_tasks = tasks[:3]
    found = findings(db, "A5 INSP-FREQ-CAP")
    assert for_enterprise(found, ents[KC]) == []
    (qj,) = for_enterprise(found, ents[QJ])
    assert qj.region_code == QJ and "计入上限的检查3次，已超过年度上限2次" in qj.detail
    assert [e["id"] for e in qj.evidence if e["type"] == "task"] == [t.id for t in qj_tasks]


def test_A5_county_cap_of_one_warns_there_only(db: Session, county_policy: CountyPolicy) -> None:
    county_policy({"inspection.onsite_cap_per_year": 1})
    kc, qj = add_enterprise(db, region=KC), add_enterprise(db, region=QJ)
    make_task(db, kc, [subject(db, KC_SCJG)], start=dt.date(2026, 1, 10))
    make_task(db, qj, [subject(db, QJ_SCJG)], start=dt.date(2026, 1, 10))
    found = findings(db, "A5 INSP-FREQ-CAP")
    assert for_enterprise(found, kc) == []
    assert ["已达到年度上限1次" in f.detail for f in for_enterprise(found, qj)] == [True]


# --- F3 multi-agency and the A6 early warning ---------------------------------------------


def _three_agencies(db: Session) -> tuple[Enterprise, list[EnforcementSubject]]:
    ent = add_enterprise(db)
    subs = [subject(db, KC_SCJG), subject(db, KC_YJJ), extra_subject(db)]
    for i, s in enumerate(subs):
        make_task(db, ent, [s], start=TODAY - dt.timedelta(days=3 + i))
    return ent, subs


def test_F3_MULTI_AGENCY_three_subjects_in_window(db: Session) -> None:
    ent, _ = _three_agencies(db)
    found = for_enterprise(findings(db, "F3 MULTI-AGENCY"), ent)
    assert len(found) == 1 and len([e for e in found[0].evidence if e["type"] == "task"]) == 3


def test_F3_MULTI_AGENCY_a_joint_inspection_is_one_visit(db: Session) -> None:
    ent = add_enterprise(db)
    subs = [subject(db, KC_SCJG), subject(db, KC_YJJ), extra_subject(db)]
    make_task(db, ent, subs, start=TODAY - dt.timedelta(days=3))  # three subjects, one visit
    assert for_enterprise(findings(db, "F3 MULTI-AGENCY"), ent) == []
    fourth = extra_subject(db, "柯城区交通运输局")
    make_task(db, ent, [subs[1]], start=TODAY - dt.timedelta(days=2))
    assert for_enterprise(findings(db, "F3 MULTI-AGENCY"), ent) == []  # two leads so far
    make_task(db, ent, [fourth], start=TODAY - dt.timedelta(days=1))
    found = for_enterprise(findings(db, "F3 MULTI-AGENCY"), ent)
    assert len(found) == 1 and "3个执法主体分别检查" in found[0].detail


def test_F3_MULTI_AGENCY_outside_window_passes(db: Session) -> None:
    ent = add_enterprise(db)
    subs = [subject(db, KC_SCJG), subject(db, KC_YJJ), extra_subject(db)]
    make_task(db, ent, [subs[0]], start=TODAY - dt.timedelta(days=45))
    make_task(db, ent, [subs[1]], start=TODAY - dt.timedelta(days=2))
    make_task(db, ent, [subs[2]], start=TODAY - dt.timedelta(days=1))
    assert for_enterprise(findings(db, "F3 MULTI-AGENCY"), ent) == []


def test_A6_early_warning_to_subject_still_planning(db: Session) -> None:
    ent, _ = _three_agencies(db)
    fourth = extra_subject(db, "柯城区交通运输局")
    planned = make_task(
        db, ent, [fourth], start=TODAY + dt.timedelta(days=5), status="coded", outcome=None
    )
    found = for_enterprise(findings(db, "A6 INSP-MERGE-JOINT-OFFSITE"), ent)
    assert [f.subject_id for f in found] == [fourth.id]
    assert planned.id in [e["id"] for e in found[0].evidence]


def test_A6_no_warning_without_planned_visit(db: Session) -> None:
    ent, _ = _three_agencies(db)
    assert for_enterprise(findings(db, "A6 INSP-MERGE-JOINT-OFFSITE"), ent) == []


# --- 路桥 二(三) -----------------------------------------------------------------------------


def test_F3_REPEAT_NONE_three_empty_inspections(db: Session) -> None:
    s, ent = subject(db, KC_SCJG), add_enterprise(db)
    for m in (1, 2, 3):
        make_task(db, ent, [s], start=dt.date(2026, m, 5), origin="complaint")
    found = for_enterprise(findings(db, "F3 REPEAT-NONE"), ent)
    assert len(found) == 1 and found[0].subject_id == s.id


def test_F3_REPEAT_NONE_a_finding_breaks_the_series(db: Session) -> None:
    s, ent = subject(db, KC_SCJG), add_enterprise(db)
    make_task(db, ent, [s], start=dt.date(2026, 1, 5), origin="complaint")
    make_task(db, ent, [s], start=dt.date(2026, 2, 5), origin="complaint")
    make_task(db, ent, [s], start=dt.date(2026, 3, 5), origin="complaint", outcome="rectify")
    assert for_enterprise(findings(db, "F3 REPEAT-NONE"), ent) == []


@pytest.mark.parametrize(
    ("qj_min", "empty", "qj_warns", "kc_warns"),
    [(2, 2, True, False), (4, 3, False, True)],
    ids=["lower-in-qj", "higher-in-qj"],
)
def test_F3_REPEAT_NONE_county_threshold_applies_there_only(
    db: Session,
    county_policy: CountyPolicy,
    qj_min: int,
    empty: int,
    qj_warns: bool,
    kc_warns: bool,
) -> None:
    county_policy({"oversight.repeat_none_min": qj_min})
    kc, qj = add_enterprise(db, region=KC), add_enterprise(db, region=QJ)
    for ent, s in ((kc, subject(db, KC_SCJG)), (qj, subject(db, QJ_SCJG))):
        for m in range(1, empty + 1):
            make_task(db, ent, [s], start=dt.date(2026, m, 5), origin="complaint")
    found = findings(db, "F3 REPEAT-NONE")
    assert len(for_enterprise(found, qj)) == int(qj_warns)
    assert len(for_enterprise(found, kc)) == int(kc_warns)


def test_F2_DEREGISTERED_fails_and_passes(db: Session) -> None:
    s = subject(db, KC_SCJG)
    gone = add_enterprise(db, status="deregistered")
    alive = add_enterprise(db)
    bad = make_task(db, gone, [s])
    good = make_task(db, alive, [s])
    found = findings(db, "F2 DEREGISTERED")
    assert len(for_task(found, bad)) == 1 and for_task(found, good) == []


# --- A2 -----------------------------------------------------------------------------------


def test_A2_INSP_CERT_auxiliary_and_expired(db: Session) -> None:
    s, ent = subject(db, KC_SCJG), add_enterprise(db)
    aux = add_officer(db, s, kind="auxiliary", aux_kind="网格员", cert_no=None)
    expired = add_officer(db, s, cert_valid_to=dt.date(2026, 1, 1))
    ok = add_officer(db, s)
    bad = make_task(db, ent, [s], officers=(aux.id, expired.id, ok.id))
    found = for_task(findings(db, "A2 INSP-CERT"), bad)
    assert sorted(e["id"] for f in found for e in f.evidence if e["type"] == "officer") == sorted(
        [aux.id, expired.id]
    )
    assert any("辅助人员" in f.detail for f in found)


def test_A2_INSP_CERT_certified_passes(db: Session) -> None:
    s, ent = subject(db, KC_SCJG), add_enterprise(db)
    a, b = add_officer(db, s), add_officer(db, s)
    good = make_task(db, ent, [s], officers=(a.id, b.id))
    assert for_task(findings(db, "A2 INSP-CERT"), good) == []


# --- A4 -----------------------------------------------------------------------------------


def test_A4_late_and_missing_codes(db: Session) -> None:
    s, ent = subject(db, KC_SCJG), add_enterprise(db)
    late = make_task(db, ent, [s], late=True)
    missing = make_task(db, ent, [s], code=False, status="in_progress", outcome=None)
    good = make_task(db, ent, [s])
    draft = make_task(db, ent, [s], code=False, status="draft", outcome=None)
    found = findings(db, "A4 INSP-APPROVAL")
    assert ["补码" in f.detail for f in for_task(found, late)] == [True]
    assert ["没有行政行为码" in f.detail for f in for_task(found, missing)] == [True]
    assert for_task(found, good) == [] and for_task(found, draft) == []


# --- A8 -----------------------------------------------------------------------------------


def test_A8_INSP_LOCALITY_remote_without_approval(db: Session) -> None:
    kc = subject(db, KC_SCJG)
    other_county = add_enterprise(db, region="330803")
    bad = make_task(db, other_county, [kc])
    # a free-text reference (the field before approvals were records) proves nothing
    text_only = make_task(db, other_county, [kc], remote_ref="衢市府〔2026〕1号")
    home = make_task(db, add_enterprise(db), [kc])
    found = findings(db, "A8 INSP-LOCALITY")
    assert len(for_task(found, bad)) == 1 and len(for_task(found, text_only)) == 1
    assert "须登记共同上级机关的异地检查批准" in for_task(found, bad)[0].detail
    assert for_task(found, home) == []


def _approval(
    db: Session, s: EnforcementSubject, ent: Enterprise, until: dt.date
) -> CrossRegionApproval:
    row = CrossRegionApproval(
        subject_id=s.id,
        organ_name="衢州市市场监督管理局",
        organ_region_code="330800",
        approved_on=dt.date(2026, 1, 5),
        doc_no="衢市监〔2026〕1号",
        valid_from=dt.date(2026, 1, 5),
        valid_to=until,
        recorded_at=NOW,
    )
    db.add(row)
    db.flush()
    link = CrossRegionApprovalEnterprise(approval_id=row.id, enterprise_id=ent.id)
    db.add(link)
    audit.record(db, actor=SYSTEM_ACTOR, action="t", obj=row, covers=[link])
    return row


def test_A8_INSP_LOCALITY_recorded_common_superior_approval_passes(db: Session) -> None:
    kc = subject(db, KC_SCJG)
    covered, lapsed = add_enterprise(db, region="330803"), add_enterprise(db, region="330803")
    _approval(db, kc, covered, dt.date(2026, 12, 31))
    _approval(db, kc, lapsed, dt.date(2026, 2, 28))  # over before the inspection
    ok = make_task(db, covered, [kc])
    late = make_task(db, lapsed, [kc])
    found = findings(db, "A8 INSP-LOCALITY")
    assert for_task(found, ok) == []
    assert ["不覆盖检查时间" in f.detail for f in for_task(found, late)] == [True]


# --- F9: triggered inspections ----------------------------------------------------------------


def test_F9_TRIGGERED_FREQ_above_the_reasonable_frequency(db: Session) -> None:
    limit = int(get_policy().value("oversight.triggered_max_per_year", KC, TODAY))
    ent = add_enterprise(db)
    subs = [subject(db, KC_SCJG), subject(db, KC_YJJ)]
    origins = ("complaint", "referral", "monitoring")
    tasks = [
        make_task(db, ent, [subs[i % 2]], start=dt.date(2026, 1, 5 + i), origin=origins[i % 3])
        for i in range(limit + 1)
    ]
    (found,) = for_enterprise(findings(db, "F9 TRIGGERED-FREQ"), ent)
    assert f"触发式现场检查{limit + 1}次（2个执法主体），超过合理频次{limit}次" in found.detail
    assert [e["id"] for e in found.evidence if e["type"] == "task"] == [t.id for t in tasks]
    assert found.subject_id == subs[limit % 2].id  # the subject of the latest, to be told


def test_F9_TRIGGERED_FREQ_within_the_frequency_and_uncounted_kinds_pass(db: Session) -> None:
    limit = int(get_policy().value("oversight.triggered_max_per_year", KC, TODAY))
    ent = add_enterprise(db)
    s = subject(db, KC_SCJG)
    for i in range(limit):
        make_task(db, ent, [s], start=dt.date(2026, 1, 5 + i), origin="complaint")
    # none of these is a triggered on-site inspection that takes place
    make_task(db, ent, [s], start=dt.date(2026, 2, 1), origin="complaint", method="written")
    make_task(db, ent, [s], start=dt.date(2026, 2, 2), origin="complaint", status="cancelled")
    make_task(db, ent, [s], start=dt.date(2026, 2, 3), origin="complaint", status="draft")
    make_task(db, ent, [s], start=dt.date(2026, 2, 4), origin="plan")
    make_task(db, ent, [s], start=dt.date(2025, 6, 1), origin="complaint")  # last year
    assert for_enterprise(findings(db, "F9 TRIGGERED-FREQ"), ent) == []


def test_F9_TRIGGERED_FREQ_county_number_applies_there_only(
    db: Session, county_policy: CountyPolicy
) -> None:
    county_policy({"oversight.triggered_max_per_year": 2})
    here, there = add_enterprise(db, region=QJ), add_enterprise(db, region=KC)
    for ent, s in ((here, subject(db, QJ_SCJG)), (there, subject(db, KC_SCJG))):
        for i in range(3):
            make_task(db, ent, [s], start=dt.date(2026, 1, 5 + i), origin="complaint")
    found = findings(db, "F9 TRIGGERED-FREQ")
    assert len(for_enterprise(found, here)) == 1 and for_enterprise(found, there) == []


# --- unplanned filing, special quota -----------------------------------------------------


def test_L1_UNPLANNED_FILING(db: Session) -> None:
    s, ent = subject(db, KC_SCJG), add_enterprise(db)
    rows = [
        UnplannedApproval(
            subject_id=s.id,
            enterprise_id=ent.id,
            reason="r",
            requested_at=NOW,
            status="approved",
            decided_at=NOW,
            filed_at=filed,
        )
        for filed in (None, NOW)
    ]
    db.add_all(rows)
    db.flush()
    audit.record(db, actor=SYSTEM_ACTOR, action="t", obj=rows[0], covers=rows)
    ids = {f.evidence[0]["id"] for f in findings(db, "L1 UNPLANNED-FILING")}
    assert rows[0].id in ids and rows[1].id not in ids


def test_A7_INSP_SPECIAL_PLAN_over_quota(db: Session) -> None:
    s = subject(db, KC_YJJ)
    rows = [
        SpecialInspection(
            subject_id=s.id, year=2026, title=f"专项{i}", status="approved", created_at=NOW
        )
        for i in range(4)
    ]
    db.add_all(rows)
    db.flush()
    audit.record(db, actor=SYSTEM_ACTOR, action="t", obj=rows[0], covers=rows)
    found = [f for f in findings(db, "A7 INSP-SPECIAL-PLAN") if f.subject_id == s.id]
    assert len(found) == 1 and "上限3项" in found[0].detail


def test_A7_INSP_SPECIAL_PLAN_within_quota(db: Session) -> None:
    s = subject(db, KC_YJJ)
    rows = [
        SpecialInspection(
            subject_id=s.id, year=2026, title=f"专项{i}", status="approved", created_at=NOW
        )
        for i in range(3)
    ] + [  # not yet approved: no place taken (planning.special.QUOTA_COUNTED)
        SpecialInspection(subject_id=s.id, year=2026, title=st, status=st, created_at=NOW)
        for st in ("draft", "reviewed", "discussed", "refused")
    ]
    db.add_all(rows)
    db.flush()
    audit.record(db, actor=SYSTEM_ACTOR, action="t", obj=rows[0], covers=rows)
    assert [f for f in findings(db, "A7 INSP-SPECIAL-PLAN") if f.subject_id == s.id] == []


# --- C6 -----------------------------------------------------------------------------------


def test_C6_DSS_PUBLISH_20WD(db: Session) -> None:
    s, ent = subject(db, KC_SCJG), add_enterprise(db)
    old = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)
    late = make_task(db, ent, [s], origin="draw", finished=old, start=dt.date(2026, 1, 5))
    recent = make_task(db, ent, [s], origin="draw", finished=NOW)
    found = findings(db, "C6 DSS-PUBLISH-20WD")
    assert len(for_task(found, late)) == 1 and for_task(found, recent) == []


# --- evaluations and reports -------------------------------------------------------------


def _evaluation(db: Session, task: InspectionTask, rating: int, misconduct: str = "") -> Evaluation:
    ev = Evaluation(
        task_id=task.id,
        token_hash=f"h{task.id}",
        issued_at=NOW,
        rating=rating,
        misconduct=misconduct,
        submitted_at=NOW,
    )
    db.add(ev)
    audit.record(db, actor=SYSTEM_ACTOR, action="t", obj=ev)
    return ev


def test_F2_EVALUATION_low_rating_and_misconduct(db: Session) -> None:
    s, ent = subject(db, KC_SCJG), add_enterprise(db)
    low = make_task(db, ent, [s])
    bad = make_task(db, ent, [s])
    fine = make_task(db, ent, [s])
    _evaluation(db, low, 2)
    _evaluation(db, bad, 5, "no_code")
    _evaluation(db, fine, 4)
    found = findings(db, "F2 EVALUATION")
    assert len(for_task(found, low)) == 1 and len(for_task(found, bad)) == 1
    assert for_task(found, fine) == []
    assert for_task(found, low)[0].subject_id == s.id


def test_F2_CODELESS_REPORT(db: Session) -> None:
    clues = [
        Clue(
            source=src,
            region_code="330802",
            enterprise_name="某企业",
            description="d",
            created_at=NOW,
            status=st,
        )
        for src, st in (
            ("codeless_report", "new"),
            ("codeless_report", "closed"),
            ("hotline", "new"),
        )
    ]
    db.add_all(clues)
    db.flush()
    audit.record(db, actor=SYSTEM_ACTOR, action="t", obj=clues[0], covers=clues)
    ids = {f.evidence[0]["id"] for f in findings(db, "F2 CODELESS-REPORT")}
    assert clues[0].id in ids and clues[1].id not in ids and clues[2].id not in ids


# --- F8 -----------------------------------------------------------------------------------


def _on(day: dt.date) -> dt.datetime:
    """10:00 local time on ``day``: an inspection finished the day its window opened."""
    return dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC)


def test_F8_TARGETS_joint_rate_falling(db: Session) -> None:
    s, other = extra_subject(db), subject(db, KC_SCJG)
    for i in range(10):
        last, this = dt.date(2025, 2, 1 + i), dt.date(2026, 2, 1 + i)
        ent = add_enterprise(db)
        make_task(db, ent, [s, other], start=last, finished=_on(last), method="offsite")
        make_task(db, add_enterprise(db), [s], start=this, finished=_on(this), method="offsite")
    found = [f for f in findings(db, "F8 TARGETS") if f.subject_id == s.id]
    assert len(found) == 1 and "联合检查率0.0%低于目标80%" in found[0].detail


def test_F8_TARGETS_steady_subject_passes(db: Session) -> None:
    s, other = extra_subject(db), subject(db, KC_SCJG)
    for i in range(10):
        last, this = dt.date(2025, 2, 1 + i), dt.date(2026, 2, 1 + i)
        make_task(db, add_enterprise(db), [s, other], start=last, finished=_on(last))
        make_task(db, add_enterprise(db), [s, other], start=this, finished=_on(this))
    assert [f for f in findings(db, "F8 TARGETS") if f.subject_id == s.id] == []


@pytest.mark.parametrize(("problems_now", "warns"), [(9, False), (8, True)], ids=["-2.5pp", "-5pp"])
def test_F8_TARGETS_a_drop_below_the_policy_threshold_passes(
    db: Session, problems_now: int, warns: bool
) -> None:
    # 40 joint on-site inspections a period; problems found 10 last year (25 %)
    s, other = extra_subject(db), subject(db, KC_SCJG)
    for period, problems in ((2025, 10), (2026, problems_now)):
        for i in range(40):
            day = dt.date(period, 1, 1) + dt.timedelta(days=i)
            outcome = "rectify" if i < problems else "none"
            ent = add_enterprise(db)
            make_task(db, ent, [s, other], start=day, finished=_on(day), outcome=outcome)
    found = [f for f in findings(db, "F8 TARGETS") if f.subject_id == s.id]
    assert len(found) == int(warns)
    if warns:
        assert "问题发现率20.0%低于上年同期25.0%" in found[0].detail


@pytest.mark.parametrize(
    ("qj_floor", "per_period", "qj_warns", "kc_warns"),
    [(5, 5, True, False), (11, 10, False, True)],
    ids=["lower-in-qj", "higher-in-qj"],
)
def test_F8_TARGETS_county_floor_applies_there_only(
    db: Session,
    county_policy: CountyPolicy,
    qj_floor: int,
    per_period: int,
    qj_warns: bool,
    kc_warns: bool,
) -> None:
    # both subjects' joint-inspection rate fell from 100% to 0%: only the floor decides
    county_policy({"oversight.trend_min_inspections": qj_floor})
    kc, qj = extra_subject(db, region=KC), extra_subject(db, "衢江区生态环境分局", region=QJ)
    for s, partner, region in ((kc, subject(db, KC_SCJG), KC), (qj, subject(db, QJ_SCJG), QJ)):
        for i in range(per_period):
            last, this = dt.date(2025, 2, 1 + i), dt.date(2026, 2, 1 + i)
            ent = add_enterprise(db, region=region)
            make_task(db, ent, [s, partner], start=last, finished=_on(last), method="offsite")
            ent = add_enterprise(db, region=region)
            make_task(db, ent, [s], start=this, finished=_on(this), method="offsite")
    found = findings(db, "F8 TARGETS")
    assert len([f for f in found if f.subject_id == qj.id]) == int(qj_warns)
    assert len([f for f in found if f.subject_id == kc.id]) == int(kc_warns)


# --- the sweep ----------------------------------------------------------------------------


def test_sweep_is_idempotent(db: Session) -> None:
    s = subject(db, KC_SCJG)
    make_task(db, add_enterprise(db, status="revoked"), [s], late=True)
    first = engine.sweep(db, today=TODAY)
    assert first.raised["F2 DEREGISTERED"] >= 1 and first.raised["A4 INSP-APPROVAL"] >= 1
    count = db.scalar(select(func.count(Alert.id)))
    second = engine.sweep(db, today=TODAY)
    assert second.total == 0 and second.known == first.total + first.known
    assert db.scalar(select(func.count(Alert.id))) == count


def test_evaluate_for_task_raises_only_for_that_task(db: Session) -> None:
    s = subject(db, KC_SCJG)
    t1 = make_task(db, add_enterprise(db, status="deregistered"), [s])
    t2 = make_task(db, add_enterprise(db, status="deregistered"), [s])
    new = engine.evaluate_for_task(db, t1, today=TODAY)
    assert {a.task_id for a in new if a.rule_id == "F2 DEREGISTERED"} == {t1.id}
    assert engine.evaluate_for_task(db, t1, today=TODAY) == []
    assert t2.id not in {a.task_id for a in new}


@pytest.mark.parametrize("rule", rules.RULES, ids=lambda r: r.id)
def test_every_rule_has_source_and_known_params(rule: rules.Rule) -> None:
    assert rule.source and rule.title and rule.severity in {"WARN", "BLOCK", "INFO"}
    for name in rule.params:
        assert name in get_policy().parameters


def test_rules_list_their_thresholds_for_the_rules_page() -> None:
    assert "oversight.repeat_none_min" in rules.BY_ID["F3 REPEAT-NONE"].params
    assert "oversight.trend_min_inspections" in rules.BY_ID["F8 TARGETS"].params


def test_F3_MULTI_AGENCY_county_window_applies_there_only(
    db: Session, county_policy: CountyPolicy
) -> None:
    county_policy({"oversight.multi_agency_window_days": 60})
    subs = [subject(db, KC_SCJG), subject(db, KC_YJJ), extra_subject(db)]
    here, there = add_enterprise(db, region=QJ), add_enterprise(db)
    for ent in (here, there):
        for s, days in zip(subs, (45, 2, 1), strict=True):
            make_task(db, ent, [s], start=TODAY - dt.timedelta(days=days))
    found = findings(db, "F3 MULTI-AGENCY")
    assert len(for_enterprise(found, here)) == 1  # 45 days ago lies in 衢江's 60-day window
    assert for_enterprise(found, there) == []  # and outside the national 30 days


def test_C6_county_shorter_deadline_applies_there_only(
    db: Session, county_policy: CountyPolicy
) -> None:
    county_policy({"dss.publish_working_days": 5})
    s = subject(db, KC_SCJG)
    finished = dt.datetime(2026, 3, 6, 2, 0, tzinfo=dt.UTC)  # ten working days before TODAY
    here = make_task(db, add_enterprise(db, region=QJ), [s], origin="draw", finished=finished)
    there = make_task(db, add_enterprise(db), [s], origin="draw", finished=finished)
    found = findings(db, "C6 DSS-PUBLISH-20WD")
    assert len(for_task(found, here)) == 1 and for_task(found, there) == []


def test_C6_a_deadline_in_a_year_without_holidays_is_noted_not_raised(db: Session) -> None:
    s, ent = subject(db, KC_SCJG), add_enterprise(db)
    finished = dt.datetime(2099, 12, 1, 2, 0, tzinfo=dt.UTC)
    make_task(db, ent, [s], origin="draw", finished=finished, start=dt.date(2099, 12, 1))
    ctx = rules.Context(today=dt.date(2100, 3, 1))
    assert list(rules.BY_ID["C6 DSS-PUBLISH-20WD"].find(db, ctx)) == []
    assert (
        len(ctx.notes) == 1
        and "2099 年节假日安排" in ctx.notes[0]
        and "wurao calendar import" in ctx.notes[0]
    )


def test_F2_EVALUATION_county_low_rating_applies_there_only(
    db: Session, county_policy: CountyPolicy
) -> None:
    county_policy({"evaluations.low_rating_max": 3})
    s = subject(db, KC_SCJG)
    here = make_task(db, add_enterprise(db, region=QJ), [s])
    there = make_task(db, add_enterprise(db), [s])
    _evaluation(db, here, 3)
    _evaluation(db, there, 3)
    found = findings(db, "F2 EVALUATION")
    assert len(for_task(found, here)) == 1 and for_task(found, there) == []
    assert "企业评分3分" in for_task(found, here)[0].detail
