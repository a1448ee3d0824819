"""Annual plans: lifecycle permissions, filing review, amendments, validation, coverage."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.planning import MARKET, SAFETY, admin_of, enterprises, entry, item, published_plan
from wurao.core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from wurao.core.models import AuditEntry
from wurao.core.time import local_today
from wurao.planning import coverage, lines, service, steps
from wurao.planning import unplanned as unplanned_service
from wurao.reports import filing, portal


def test_lifecycle_with_role_checks_and_audit(db: Session, personas: Personas) -> None:
    admin = personas.agency_admin
    it = item(db)
    plan = steps.create_plan(db, actor=admin, year=2026, title="2026年度行政检查计划")
    lines.add_entry(db, plan=plan, data=entry(it.id), actor=admin)
    with pytest.raises(Forbidden):
        steps.submit_plan(db, plan=plan, actor=personas.officer)
    steps.submit_plan(db, plan=plan, actor=admin)
    with pytest.raises(Forbidden):  # an officer cannot approve
        steps.approve_plan(db, plan=plan, actor=personas.officer, head_name="陈局长")
    with pytest.raises(RuleViolation):  # the head must be named
        steps.approve_plan(db, plan=plan, actor=admin, head_name=" ")
    with pytest.raises(Conflict):  # not before approval
        steps.publish_plan(db, plan=plan, actor=admin)
    steps.approve_plan(db, plan=plan, actor=admin, head_name="陈局长", comment="同意")
    assert plan.status == "approved" and plan.approved_by == "陈局长"
    steps.publish_plan(db, plan=plan, actor=admin)
    assert plan.status == "published" and plan.published_on == local_today()
    with pytest.raises(Forbidden):  # another subject cannot file this subject's plan
        steps.file_plan(db, plan=plan, actor=admin_of(db, SAFETY))
    with pytest.raises(Forbidden):  # the supervisor does not file for the subject
        steps.file_plan(db, plan=plan, actor=personas.supervisor)
    steps.file_plan(db, plan=plan, actor=admin)
    assert plan.filing_status == "pending"
    with pytest.raises(Forbidden):  # a supervisor of another county cannot accept it
        steps.review_filing(db, plan=plan, actor=personas.neighbour_supervisor, accept=True)
    with pytest.raises(Forbidden):  # nor can the subject itself
        steps.review_filing(db, plan=plan, actor=admin, accept=True)
    steps.review_filing(db, plan=plan, actor=personas.supervisor, accept=True)
    assert plan.status == "filed" and plan.filing_status == "accepted"
    actions = set(
        db.scalars(
            select(AuditEntry.action).where(
                AuditEntry.object_type == "inspection_plan", AuditEntry.object_id == str(plan.id)
            )
        )
    )
    assert {
        "plan.create",
        "plan.submit",
        "plan.approve",
        "plan.publish",
        "plan.file",
        "plan.filing_review",
    } <= actions


def test_returned_filing_carries_comments_and_can_be_refiled(
    db: Session, personas: Personas
) -> None:
    admin = personas.agency_admin
    plan = published_plan(db, admin, [entry(item(db).id)])
    steps.file_plan(db, plan=plan, actor=admin)
    with pytest.raises(InvalidInput):
        steps.review_filing(db, plan=plan, actor=personas.supervisor, accept=False)
    steps.review_filing(
        db, plan=plan, actor=personas.supervisor, accept=False, comment="抽查比例偏高，请说明"
    )
    assert plan.status == "returned" and plan.filing_comment == "抽查比例偏高，请说明"
    seen = service.get_plan(db, actor=admin, plan_id=plan.id)
    assert seen.filing_comment == "抽查比例偏高，请说明"
    steps.file_plan(db, plan=plan, actor=admin)
    assert plan.status == "published" and plan.filing_status == "pending"


def test_pending_filing_of_a_superseded_version_cannot_be_reviewed(
    db: Session, personas: Personas
) -> None:
    admin = personas.agency_admin
    v1 = published_plan(db, admin, [entry(item(db).id)])
    steps.file_plan(db, plan=v1, actor=admin)
    v2 = steps.amend_plan(db, plan=v1, actor=admin, reason="根据上级部署调整")
    steps.submit_plan(db, plan=v2, actor=admin)
    steps.approve_plan(db, plan=v2, actor=admin, head_name="陈局长")
    steps.publish_plan(db, plan=v2, actor=admin)
    assert (v1.status, v1.filing_status) == ("superseded", "pending")
    for accept, comment in ((True, ""), (False, "请补充说明")):
        with pytest.raises(Conflict, match="已被新版本取代"):
            steps.review_filing(
                db, plan=v1, actor=personas.supervisor, accept=accept, comment=comment
            )
    # the old version stays superseded: only v2 is in force
    assert (v1.status, v1.filing_status) == ("superseded", "pending")
    assert v2.status == "published"


def test_amendment_keeps_history(db: Session, personas: Personas) -> None:
    admin = personas.agency_admin
    targets = enterprises(db, 3)
    it = item(db)
    v1 = published_plan(
        db,
        admin,
        [entry(it.id), entry(it.id, selection="targeted", target_ids=[e.id for e in targets])],
    )
    with pytest.raises(Conflict):  # one plan per subject and year: amend instead
        steps.create_plan(db, actor=admin, year=2026, title="另一个计划")
    with pytest.raises(InvalidInput):
        steps.amend_plan(db, plan=v1, actor=admin, reason="")
    v2 = steps.amend_plan(db, plan=v1, actor=admin, reason="根据上级部署增加专项内容")
    assert (v2.version, v2.status, v2.supersedes_id) == (2, "draft", v1.id)
    assert len(service.entries_of(db, v2)) == 2
    assert sum(service.target_counts(db, service.entries_of(db, v2)).values()) == 3
    with pytest.raises(Conflict):  # a second amendment of the same version
        steps.amend_plan(db, plan=v1, actor=admin, reason="再次调整")
    assert v1.status == "published"  # still in force until v2 is published
    steps.submit_plan(db, plan=v2, actor=admin)
    steps.approve_plan(db, plan=v2, actor=admin, head_name="陈局长")
    steps.publish_plan(db, plan=v2, actor=admin)
    assert v1.status == "superseded" and v2.status == "published"
    old = portal.get_public_plan(db, plan_id=v1.id)  # the old version stays readable
    assert len(service.entries_of(db, old)) == 2
    assert [p.version for p in portal.public_versions(db, v2)] == [2, 1]
    current = portal.list_public_plans(db, region="330802").items
    assert [p.id for p, _ in current if p.subject_id == v1.subject_id] == [v2.id]


def test_entry_rules(db: Session, personas: Personas) -> None:
    admin = personas.agency_admin
    plan = steps.create_plan(db, actor=admin, year=2026, title="")
    assert plan.title.endswith("2026年度行政检查计划")
    with pytest.raises(RuleViolation) as two:
        lines.add_entry(db, plan=plan, data=entry(item(db).id, officers_per_team=1), actor=admin)
    assert two.value.violations[0].rule_id == "B1 TWO-OFFICERS"
    with pytest.raises(RuleViolation) as a3:
        lines.add_entry(db, plan=plan, data=entry(item(db, status="draft").id), actor=admin)
    assert a3.value.violations[0].rule_id.startswith("A3")
    with pytest.raises(RuleViolation):  # an item of another field
        lines.add_entry(db, plan=plan, data=entry(item(db, "应急管理").id), actor=admin)
    with pytest.raises(InvalidInput):
        lines.add_entry(db, plan=plan, data=entry(item(db).id, months=()), actor=admin)
    with pytest.raises(InvalidInput):
        lines.add_entry(db, plan=plan, data=entry(item(db).id, selection="targeted"), actor=admin)
    with pytest.raises(InvalidInput):
        lines.add_entry(db, plan=plan, data=entry(item(db).id, scope_region="330803"), actor=admin)
    with pytest.raises(InvalidInput):  # an empty plan cannot be submitted
        steps.submit_plan(db, plan=plan, actor=admin)
    assert service.parse_months("3-5,11") == [3, 4, 5, 11]
    with pytest.raises(InvalidInput):
        service.parse_months("13")


def test_scope_is_region_and_subject(db: Session, personas: Personas) -> None:
    plan = published_plan(db, personas.agency_admin, [entry(item(db).id)])
    assert service.get_plan(db, actor=personas.supervisor, plan_id=plan.id).id == plan.id
    with pytest.raises(Exception, match="不在您的辖区内"):
        service.get_plan(db, actor=personas.neighbour_supervisor, plan_id=plan.id)
    with pytest.raises(Exception, match="不在您的辖区内"):
        service.get_plan(db, actor=personas.other_officer, plan_id=plan.id)


def test_plan_and_unplanned_coverage(db: Session, personas: Personas) -> None:
    admin = personas.agency_admin
    today = local_today()
    named, in_scope = enterprises(db, 1), enterprises(db, 1, tag="覆盖测试")
    outside = enterprises(db, 1)
    a, b, c = item(db), item(db), item(db)
    plan = published_plan(
        db,
        admin,
        [
            entry(a.id, selection="targeted", target_ids=[named[0].id], months=(today.month,)),
            entry(b.id, selection="dss", scope_tag="覆盖测试", months=(today.month,)),
            entry(c.id, months=((today.month % 12) + 1,)),
        ],
        year=today.year,
    )
    sid = plan.subject_id

    def cov(ent: int, items: list[int]) -> coverage.Coverage | None:
        return coverage.plan_coverage(
            db, subject_id=sid, enterprise_id=ent, item_ids=items, on=today
        )

    full = cov(named[0].id, [a.id])
    assert full is not None and full.complete and full.source_id == plan.id
    part = cov(named[0].id, [a.id, b.id])
    assert part is not None and part.missing_item_ids == (b.id,)
    assert cov(in_scope[0].id, [b.id]) is not None
    assert cov(outside[0].id, [a.id, b.id]) is None
    assert cov(named[0].id, [c.id]) is None  # not in this month
    # outside the plan: the head's approval, filed with the supervisor
    officer = personas.officer
    req = unplanned_service.request_unplanned(
        db, actor=officer, enterprise=outside[0], reason="群众投诉举报", key_area=False
    )
    # no end named: the policy's default validity (30 days nationally) from today
    assert req.valid_until == today + dt.timedelta(days=30)
    assert (
        coverage.unplanned_coverage(
            db, subject_id=sid, enterprise_id=outside[0].id, item_ids=[a.id], on=today
        )
        is None
    )
    with pytest.raises(Forbidden):
        unplanned_service.decide_unplanned(
            db, approval=req, actor=officer, approve=True, head_name="陈局长", comment="同意"
        )
    with pytest.raises(Forbidden):
        unplanned_service.decide_unplanned(
            db, approval=req, actor=admin_of(db, SAFETY), approve=True, head_name="x", comment="y"
        )
    unplanned_service.decide_unplanned(
        db,
        approval=req,
        actor=admin,
        approve=True,
        head_name="陈局长",
        comment="投诉线索具体，同意检查",
    )
    assert req.approved_by == "陈局长" and req.filed_at is not None
    got = coverage.inspection_coverage(
        db, subject_id=sid, enterprise_id=outside[0].id, item_ids=[a.id], on=today
    )
    assert got is not None and got.kind == "unplanned" and "投诉线索具体" in got.detail
    listed = unplanned_service.list_unplanned(db, actor=personas.supervisor).items
    assert req.id in [r.id for r in listed]
    listed = unplanned_service.list_unplanned(db, actor=personas.neighbour_supervisor).items
    assert req.id not in [r.id for r in listed]


def test_filing_package(db: Session, personas: Personas) -> None:
    import io

    from openpyxl import load_workbook

    published_plan(db, personas.agency_admin, [entry(item(db).id), entry(item(db).id)])
    data = filing.filing_package(db, actor=personas.supervisor, year=2026, region="330802")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["计划", "检查内容"]
    assert wb["计划"].max_row == 2 and wb["检查内容"].max_row == 3
    assert admin_of(db, MARKET).subject_id is not None
