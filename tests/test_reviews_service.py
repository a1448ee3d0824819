"""案卷评查 (oversight/reviews): the draw re-verified from its published artefacts, the
automatic checks on constructed good and bad files of both kinds, scoring with a veto, who may
score and close (never a subject, never another region), problems opened as rectification
items, and the totals per subject."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
from decimal import ROUND_CEILING, Decimal

import pytest
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.inspections import add_enterprise, add_item, add_officer, subject
from tests.oversight.test_rules import KC_SCJG, KC_YJJ, make_task
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.cases import documents as case_docs
from wurao.cases.models import CaseDocument, CaseEvidence, CaseOfficer, PenaltyCase
from wurao.core import audit
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.inspections.models import Evidence, InspectionRecord, InspectionTask, TaskItem
from wurao.oversight.rectification import service as rectification
from wurao.oversight.reviews import checks, draw, queries, service, totals
from wurao.oversight.reviews.checklist import checklist
from wurao.oversight.reviews.models import ReviewFile, ReviewPlan
from wurao.oversight.reviews.statuses import FileKind, Grade, PlanStatus, Result
from wurao.registry.models import EnforcementSubject
from wurao.sampling import algorithm

PERIOD = (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
AT = dt.datetime(2026, 9, 15, 1, 0, tzinfo=dt.UTC)
SHA = "cd" * 32
_n = itertools.count(1)


# --- builders -------------------------------------------------------------------------------


def inspection_file(db: Session, s: EnforcementSubject, *, good: bool = True) -> InspectionTask:
    """A finished inspection of ``s`` in September 2026: complete, or missing most things."""
    if good:
        officers = [add_officer(db, s), add_officer(db, s)]
    else:
        officers = [add_officer(db, s, cert_valid_to=dt.date(2025, 12, 31))]
    db.flush()
    task = make_task(
        db,
        add_enterprise(db),
        [s],
        start=dt.date(2026, 9, 14),
        outcome=None,
        officers=tuple(o.id for o in officers),
        late=not good,
    )
    record = InspectionRecord(
        task_id=task.id,
        started_at=AT,
        ended_at=AT + dt.timedelta(hours=1),
        ids_shown=good,
        location="企业生产车间" if good else "",
        present_person="王经理" if good else "",
        findings="检查产品合格证明，未发现问题。" if good else "",
        outcome="none" if good else "",
        attested=good,
        finished_at=AT + dt.timedelta(hours=1),
        published_at=AT + dt.timedelta(days=1) if good else None,
    )
    db.add(record)
    db.flush()
    rows: list[object] = [record]
    if good:
        item = add_item(db, s.field)
        db.flush()
        rows.append(TaskItem(task_id=task.id, item_id=item.id, subject_id=s.id))
        rows.append(
            Evidence(
                record_id=record.id,
                kind="external",
                filename="现场照片",
                sha256=SHA,
                uri="s3://evidence/x",
                created_at=AT,
            )
        )
    db.add_all(rows)
    db.flush()
    audit.record(db, actor=SYSTEM_ACTOR, action="test.record", obj=task, covers=rows)  # type: ignore[arg-type]
    return task


def case_file(db: Session, s: EnforcementSubject, *, good: bool = True) -> PenaltyCase:
    """A decided case of ``s`` (September 2026): every step on time and documented, or not."""
    n = next(_n)
    ent = add_enterprise(db)
    officers = [add_officer(db, s), add_officer(db, s)] if good else [add_officer(db, s)]
    db.flush()
    case = PenaltyCase(
        number=f"柯市监罚〔2026〕评{n}号",
        subject_id=s.id,
        region_code=s.region_code,
        field=s.field,
        year=2026,
        origin="own",
        procedure="ordinary",
        party_kind="enterprise",
        enterprise_id=ent.id,
        party_name=ent.name,
        act_on=dt.date(2026, 5, 20),
        found_on=dt.date(2026, 8, 25) if good else dt.date(2026, 6, 1),
        filed_on=dt.date(2026, 8, 26),
        facts="当事人销售不合格产品。",
        provisions_breached="《中华人民共和国产品质量法》第四十九条",
        provisions_applied="《中华人民共和国产品质量法》第四十九条" if good else "",
        status="closed" if good else "decided",
        notice_kinds="|fine|",
        notice_fine_fen=100000,
        notice_served_on=dt.date(2026, 9, 2) if good else None,
        defence_waived=good,
        reviewed_on=dt.date(2026, 9, 10) if good else None,
        review_passed=True if good else None,
        outcome="penalty",
        decided_on=dt.date(2026, 9, 15),
        decision_kinds="|fine|",
        fine_fen=100000,
        reasons="当事人首次违法，依裁量基准从轻处罚。" if good else "",
        served_on=dt.date(2026, 9, 16) if good else None,
        closed_on=dt.date(2026, 9, 30) if good else None,
        created_at=AT,
    )
    db.add(case)
    db.flush()
    rows: list[object] = [CaseOfficer(case_id=case.id, officer_id=o.id) for o in officers]
    if good:
        rows.append(
            CaseEvidence(
                case_id=case.id,
                kind="external",
                filename="检验报告",
                sha256=SHA,
                uri="s3://evidence/y",
                created_at=AT,
            )
        )
        for kind in case_docs.available(case):
            rows.append(
                CaseDocument(
                    case_id=case.id,
                    kind=kind.value,
                    number=f"评{n}-{kind.value}",
                    dated=case_docs.dated_on(case, kind),
                    sha256=SHA,
                    size=1,
                    template_version="t1",
                    generated_at=AT,
                )
            )
    db.add_all(rows)
    db.flush()
    audit.record(db, actor=SYSTEM_ACTOR, action="test.case", obj=case, covers=rows)  # type: ignore[arg-type]
    return case


def new_plan(
    db: Session, p: Personas, kind: str = FileKind.INSPECTION.value, **changes: object
) -> ReviewPlan:
    values: dict[str, object] = {
        "title": "2026年9月案卷评查",
        "file_kind": kind,
        "period_from": PERIOD[0],
        "period_to": PERIOD[1],
        "sample_size": 3,
        "focus": "重点评查亮码检查和结果公示",
    }
    values.update(changes)
    return service.create_plan(db, actor=p.supervisor, data=service.PlanInput(**values))  # type: ignore[arg-type]


def drawn_plan(db: Session, p: Personas, n: int = 6, **changes: object) -> ReviewPlan:
    s1, s2 = subject(db, KC_SCJG), subject(db, KC_YJJ)
    for i in range(n):
        inspection_file(db, s1 if i % 2 else s2, good=i % 3 != 0)
    plan = new_plan(db, p, **changes)
    service.draw_plan(db, plan=plan, actor=p.supervisor)
    return plan


def _all_pass(db: Session, plan: ReviewPlan, f: ReviewFile) -> dict[str, service.ItemEntry]:
    return {i.code: service.ItemEntry("pass") for i in checklist().of(plan.file_kind)}


# --- the draw -------------------------------------------------------------------------------


def test_F8_REVIEW_SAMPLE_the_draw_is_recomputed_from_its_published_artefacts(
    db: Session, personas: Personas
) -> None:
    plan = drawn_plan(db, personas, n=10)
    files = queries.plan_files(db, plan)
    assert plan.status == PlanStatus.DRAWN and len(files) >= 3
    published = algorithm.canonical(draw.artefacts(plan, files))
    pool = plan.pool_file.encode("utf-8")

    # 1. the shared verifier (what `wurao draw verify` runs) accepts it
    import json

    art = json.loads(published)
    verdict = algorithm.verify(art, pool)
    assert verdict.ok, verdict.checks

    # 2. an independent recomputation, as in docs/draw-algorithm.md's script
    frozen = art["frozen"]
    assert hashlib.sha256(pool).hexdigest() == frozen["pool"]["sha256"]
    assert hashlib.sha256(algorithm.canonical(frozen)).hexdigest() == art["frozen_sha256"]
    seed = bytes.fromhex(art["seed"])
    assert hashlib.sha256(seed).hexdigest() == frozen["seed_commitment"]
    strata: dict[str, list[str]] = {}
    for line in pool.decode().split("\n")[1:-1]:
        u, s = line.split(",")
        strata.setdefault(s, []).append(u)
    selection = []
    for s in sorted(strata):
        r = Decimal(frozen["ratios"][s])
        k = int((r * len(strata[s])).to_integral_value(ROUND_CEILING))
        keyed = sorted((hmac.digest(seed, f"E|{s}|{u}".encode(), "sha256"), u) for u in strata[s])
        selection += [
            {"uscc": u, "stratum": s, "rank": i + 1, "key": d.hex()}
            for i, (d, u) in enumerate(keyed[:k])
        ]
    assert selection == art["selection"]
    assert {f.file_key for f in files} == {d["uscc"] for d in selection}
    assert len(selection) >= plan.sample_size  # type: ignore[operator]

    # 3. a tampered sample (one file swapped for an undrawn one) fails verification
    undrawn = next(u for us in strata.values() for u in us if u not in {f.file_key for f in files})
    art["selection"][0]["uscc"] = undrawn
    assert not algorithm.verify(art, pool).ok


def test_F8_REVIEW_SAMPLE_a_plan_is_drawn_once_and_an_empty_pool_is_refused(
    db: Session, personas: Personas
) -> None:
    plan = drawn_plan(db, personas, n=4)
    with pytest.raises(Conflict):
        service.draw_plan(db, plan=plan, actor=personas.supervisor)
    empty = new_plan(db, personas, period_from=dt.date(2025, 1, 1), period_to=dt.date(2025, 1, 31))
    with pytest.raises(Conflict, match="没有符合条件的案卷"):
        service.draw_plan(db, plan=empty, actor=personas.supervisor)


def test_sample_rate_and_size_ratios() -> None:
    plan = ReviewPlan(sample_size=3, sample_rate="")
    r = draw.ratio(plan, 7)
    assert Decimal(r) * 7 <= 3 and algorithm.quota(r, 7) == 3
    assert draw.ratio(ReviewPlan(sample_size=None, sample_rate="0.1"), 50) == "0.1"


def test_plan_form_errors_name_their_field(db: Session, personas: Personas) -> None:
    with pytest.raises(InvalidInput) as exc:
        new_plan(db, personas, title=" ")
    assert exc.value.field == "title"
    with pytest.raises(InvalidInput) as exc:
        new_plan(db, personas, period_to=dt.date(2026, 8, 1))
    assert exc.value.field == "period_to"
    with pytest.raises(InvalidInput) as exc:
        new_plan(db, personas, sample_size=None, sample_rate="")
    assert exc.value.field == "sample_size"
    with pytest.raises(InvalidInput) as exc:
        new_plan(db, personas, sample_size=None, sample_rate="120")
    assert exc.value.field == "sample_rate"
    neighbour = subject(db, KC_SCJG).id
    plan = new_plan(db, personas, subject_ids=[neighbour])
    assert [s.id for s in queries.scope_of(db, plan)] == [neighbour]


# --- automatic checks -----------------------------------------------------------------------


def _suggestions(db: Session, kind: str, facts: checks.Facts) -> dict[str, Result]:
    keys = [i.check for i in checklist().of(kind)]
    return {k: o.result for k, o in checks.run(db, facts, keys).items()}


def test_automatic_checks_on_a_good_and_a_bad_inspection_file(db: Session) -> None:
    s = subject(db, KC_SCJG)
    good, bad = inspection_file(db, s), inspection_file(db, s, good=False)
    facts = checks.task_facts(db, [(good.id, s.id), (bad.id, s.id)])
    ok = _suggestions(db, FileKind.INSPECTION, facts[good.id])
    assert set(ok.values()) == {Result.PASS}, ok
    failed = _suggestions(db, FileKind.INSPECTION, facts[bad.id])
    assert failed["subject_confirmed"] is Result.PASS
    for key in (
        "two_certified",
        "code_present",
        "items_listed",
        "record_complete",
        "ids_shown",
        "outcome_recorded",
        "evidence_kept",
        "attested",
        "published",
    ):
        assert failed[key] is Result.FAIL, key
    note = checks.code_present(facts[bad.id], db).note
    assert "补码" in note


def test_automatic_checks_on_a_good_and_a_bad_case_file(db: Session) -> None:
    s = subject(db, KC_SCJG)
    good, bad = case_file(db, s), case_file(db, s, good=False)
    facts = checks.case_facts(db, [good.id, bad.id])
    ok = _suggestions(db, FileKind.CASE, facts[good.id])
    assert set(ok.values()) == {Result.PASS}, {
        k: checks.CHECKS[k](facts[good.id], db).note for k, v in ok.items() if v != Result.PASS
    }
    failed = _suggestions(db, FileKind.CASE, facts[bad.id])
    for key in (
        "two_certified",
        "evidence_kept",
        "provisions_written",
        "deadlines_met",
        "rights_notified",
        "legal_review",
        "reasons_written",
        "documents_present",
        "served",
    ):
        assert failed[key] is Result.FAIL, key
    assert "立案" in checks.deadlines_met(facts[bad.id], db).note
    assert "决定书" in checks.documents_present(facts[bad.id], db).note


def test_the_draw_stores_each_suggestion_for_the_reviewer(db: Session, personas: Personas) -> None:
    s = subject(db, KC_SCJG)
    case_file(db, s)
    case_file(db, s, good=False)
    plan = new_plan(db, personas, FileKind.CASE.value, sample_size=None, sample_rate="100")
    files = service.draw_plan(db, plan=plan, actor=personas.supervisor)
    assert len(files) == 2
    for f in files:
        items = queries.items_of(db, f)
        assert set(items) == {i.code for i in checklist().of("case")}
        assert items["C-P1"].auto_result == ""  # the reviewer alone judges presentation
        assert items["C-C4"].auto_result in ("pass", "fail")
        if items["C-C4"].auto_result == "fail":
            assert items["C-C4"].deduction == 15 and items["C-C4"].result == "fail"


# --- scoring and who may ----------------------------------------------------------------------


def test_F8_REVIEW_SCORE_a_failed_veto_item_scores_zero_and_unqualified(
    db: Session, personas: Personas
) -> None:
    plan = drawn_plan(db, personas)
    service.assign_reviewers(
        db, plan=plan, actor=personas.supervisor, reviewer_ids=[personas.supervisor.user_id or 0]
    )
    first, second = queries.plan_files(db, plan)[:2]
    entries = _all_pass(db, plan, first)
    entries["I-C2"] = service.ItemEntry("fail", 8, "检查情况记录过简")
    service.save_scores(
        db, plan=plan, review_file=first, actor=personas.supervisor, entries=entries, final=True
    )
    assert (first.score, first.grade, first.vetoed) == (92, Grade.EXCELLENT, False)
    entries = _all_pass(db, plan, second)
    entries["I-V2"] = service.ItemEntry("fail")
    service.save_scores(
        db, plan=plan, review_file=second, actor=personas.supervisor, entries=entries, final=True
    )
    assert (second.score, second.grade, second.vetoed) == (0, Grade.UNQUALIFIED, True)
    with pytest.raises(Conflict):  # a final score is final
        service.save_scores(
            db,
            plan=plan,
            review_file=second,
            actor=personas.supervisor,
            entries=entries,
            final=True,
        )


def test_F8_REVIEW_SCORE_every_item_is_confirmed_before_the_final_score(
    db: Session, personas: Personas
) -> None:
    plan = drawn_plan(db, personas)
    service.assign_reviewers(
        db, plan=plan, actor=personas.supervisor, reviewer_ids=[personas.supervisor.user_id or 0]
    )
    f = queries.plan_files(db, plan)[0]
    with pytest.raises(InvalidInput) as exc:  # presentation items have no suggestion
        service.save_scores(
            db, plan=plan, review_file=f, actor=personas.supervisor, entries={}, final=True
        )
    assert exc.value.field and exc.value.field.startswith("result_")
    with pytest.raises(InvalidInput) as exc:
        service.save_scores(
            db,
            plan=plan,
            review_file=f,
            actor=personas.supervisor,
            entries={"I-C2": service.ItemEntry("fail", 99)},
        )
    assert exc.value.field == "deduct_I-C2"


def test_a_subject_cannot_plan_score_or_close(db: Session, personas: Personas) -> None:
    plan = drawn_plan(db, personas)
    f = queries.plan_files(db, plan)[0]
    for actor in (personas.agency_admin, personas.officer):
        with pytest.raises(Forbidden):
            queries.get_plan(db, actor=actor, plan_id=plan.id)
        with pytest.raises(Forbidden):
            new_plan(db, personas.__class__(**{**personas.__dict__, "supervisor": actor}))
        with pytest.raises(Forbidden):
            service.assign_reviewers(db, plan=plan, actor=actor, reviewer_ids=[1])
        with pytest.raises(Forbidden):
            service.save_scores(db, plan=plan, review_file=f, actor=actor, entries={}, final=True)
        with pytest.raises(Forbidden):
            service.finish_plan(db, plan=plan, actor=actor)


def test_another_region_sees_and_touches_nothing(db: Session, personas: Personas) -> None:
    plan = drawn_plan(db, personas)
    f = queries.plan_files(db, plan)[0]
    other = personas.neighbour_supervisor
    with pytest.raises(NotFound):
        queries.get_plan(db, actor=other, plan_id=plan.id)
    with pytest.raises(NotFound):
        queries.get_file(db, actor=other, file_id=f.id)
    with pytest.raises(Forbidden):
        service.draw_plan(db, plan=plan, actor=other)
    with pytest.raises(Forbidden):
        service.save_scores(db, plan=plan, review_file=f, actor=other, entries={})
    assert queries.list_plans(db, actor=other).total == 0
    with pytest.raises(InvalidInput):  # nor names a neighbour's subject in its own plan
        service.create_plan(
            db,
            actor=other,
            data=service.PlanInput(
                "x", "inspection", PERIOD[0], PERIOD[1], 3, subject_ids=[subject(db, KC_SCJG).id]
            ),
        )


def test_only_the_assigned_reviewer_scores(db: Session, personas: Personas) -> None:
    plan = drawn_plan(db, personas)
    f = queries.plan_files(db, plan)[0]
    with pytest.raises(Conflict):  # not assigned yet: the plan is not in review
        service.save_scores(db, plan=plan, review_file=f, actor=personas.supervisor, entries={})
    with pytest.raises(InvalidInput):  # a neighbour's supervisor is no reviewer here
        service.assign_reviewers(
            db,
            plan=plan,
            actor=personas.supervisor,
            reviewer_ids=[personas.neighbour_supervisor.user_id or 0],
        )
    service.assign_reviewers(
        db, plan=plan, actor=personas.supervisor, reviewer_ids=[personas.supervisor.user_id or 0]
    )
    assert f.reviewer_id == personas.supervisor.user_id
    service.save_scores(db, plan=plan, review_file=f, actor=personas.admin, entries={})


# --- problems to rectification, totals --------------------------------------------------------


def test_F8_REVIEW_PROBLEM_problems_become_rectification_items_of_the_subject(
    db: Session, personas: Personas
) -> None:
    plan = drawn_plan(db, personas)
    service.assign_reviewers(
        db, plan=plan, actor=personas.supervisor, reviewer_ids=[personas.supervisor.user_id or 0]
    )
    files = queries.plan_files(db, plan)
    f = files[0]
    problem = service.add_problem(
        db,
        plan=plan,
        review_file=f,
        actor=personas.supervisor,
        item_code="I-C2",
        text="检查记录未写明企业在场人员。",
    )
    with pytest.raises(InvalidInput):
        service.add_problem(
            db, plan=plan, review_file=f, actor=personas.supervisor, item_code="X-9", text="x"
        )
    assert (
        rectification.items_of(db, source_kind="review", source_ids=[problem.id])[problem.id] == []
    )
    entries = _all_pass(db, plan, f)
    entries["I-C2"] = service.ItemEntry("fail", 5)
    service.save_scores(
        db, plan=plan, review_file=f, actor=personas.supervisor, entries=entries, final=True
    )
    items = rectification.items_of(db, source_kind="review", source_ids=[problem.id])[problem.id]
    assert len(items) == 1 and problem.opened
    item = items[0]
    assert item.subject_id == f.subject_id and item.status == "open"
    assert "在场人员" in item.detail

    # the subject answers, the supervisor accepts: counted as rectified in the totals
    answering = personas.agency_admin if f.subject_id == subject(db, KC_SCJG).id else None
    if answering is not None:
        rectification.answer(db, item=item, actor=answering, body="已补充在场人员信息。")
        rectification.accept(db, item=item, actor=personas.supervisor)
    rows = {r.subject_id: r for r in totals.review_totals(db, region_code="330802", year=2026)}
    line = rows[f.subject_id]
    assert line.reviewed == 1 and line.average == 95 and line.problems == 1
    assert line.rectified == (1 if answering else 0)
    late = totals.review_totals(
        db, region_code="330802", year=2026, today=item.due_on + dt.timedelta(days=1)
    )
    assert {r.subject_id: r.overdue for r in late}[f.subject_id] == (0 if answering else 1)
    assert totals.review_totals(db, region_code="330803", year=2026) == []

    # finishing waits for every file
    with pytest.raises(Conflict, match="未确定评分"):
        service.finish_plan(db, plan=plan, actor=personas.supervisor)
    for other in files[1:]:
        service.save_scores(
            db,
            plan=plan,
            review_file=other,
            actor=personas.supervisor,
            entries=_all_pass(db, plan, other),
            final=True,
        )
    service.finish_plan(db, plan=plan, actor=personas.supervisor)
    assert plan.status == PlanStatus.FINISHED
    book = totals.xlsx(totals.review_totals(db, region_code="330802", year=2026), 2026)
    assert book[:2] == b"PK"
