"""Special inspections (A7): legal review, collective discussion, approval organ, quota."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.planning import MARKET, SAFETY, admin_of, enterprises, item, subject
from wurao.core.errors import Forbidden, RuleViolation
from wurao.core.policy import get_policy
from wurao.core.time import local_today
from wurao.planning import coverage
from wurao.planning import special as special_service
from wurao.reports import portal

A7 = "A7 INSP-SPECIAL-PLAN"


def data(item_ids: list[int], **kw: object) -> special_service.SpecialData:
    today = local_today()
    base: dict[str, object] = {
        "year": today.year,
        "title": "燃气安全专项检查",
        "necessity": "近期辖区发生燃气事故，需集中排查隐患。",
        "scope": "柯城区餐饮服务单位",
        "start_on": today,
        "end_on": today + dt.timedelta(days=30),
        "item_ids": item_ids,
    }
    base.update(kw)
    return special_service.SpecialData(**base)  # type: ignore[arg-type]


def _to_discussed(
    db: Session, personas: Personas, special: special_service.SpecialInspection
) -> None:
    special_service.legal_review_special(
        db, special=special, actor=personas.legal_reviewer, passed=True, opinion="合法"
    )
    special_service.record_discussion(
        db, special=special, actor=personas.agency_admin, on=local_today(), record="同意开展"
    )


def _approve(
    db: Session, personas: Personas, special: special_service.SpecialInspection
) -> special_service.SpecialInspection:
    return special_service.record_special_approval(
        db, special=special, actor=personas.agency_admin, organ="衢州市柯城区人民政府",
        ref=f"柯政办〔2026〕{special.id}号", on=local_today(),
    )  # fmt: skip


def test_a7_quota_counts_approved_special_inspections_not_drafts(
    db: Session, personas: Personas
) -> None:
    """The quota counts special inspections approved (approved, published, filed): drafts and
    those still in legal review or discussion take no place; the approval that would exceed
    the quota is refused, and so is a new draft once the approved ones fill it."""
    admin = personas.agency_admin
    it = item(db)
    quota = int(get_policy().value("special.annual_quota", "330802", local_today()))
    drafts = [
        special_service.create_special(db, actor=admin, data=data([it.id], title=f"专项{i}"))
        for i in range(quota + 1)
    ]  # more drafts than the quota: none of them is a special inspection yet
    for special in drafts:
        _to_discussed(db, personas, special)
    for special in drafts[:quota]:
        _approve(db, personas, special)
    assert special_service.special_quota(db, subject=subject(db, MARKET), year=drafts[0].year) == (
        quota,
        quota,
    )
    with pytest.raises(RuleViolation) as exc:
        _approve(db, personas, drafts[quota])
    v = exc.value.violations[0]
    assert v.rule_id == A7 and f"上限为{quota}项" in v.detail and v.evidence["used"] == quota
    assert drafts[quota].status == "discussed"
    with pytest.raises(RuleViolation):
        special_service.create_special(db, actor=admin, data=data([it.id], title="超额专项"))


def test_a7_passing_case_full_procedure(db: Session, personas: Personas) -> None:
    admin = personas.agency_admin
    it = item(db)
    with pytest.raises(RuleViolation):  # the necessity assessment is required
        special_service.create_special(db, actor=admin, data=data([it.id], necessity=""))
    special = special_service.create_special(db, actor=admin, data=data([it.id]))
    today = local_today()
    with pytest.raises(Forbidden):  # only the legal reviewer reviews
        special_service.legal_review_special(
            db, special=special, actor=personas.officer, passed=True, opinion="同意"
        )
    with pytest.raises(Exception, match="状态"):  # no discussion before review
        special_service.record_discussion(db, special=special, actor=admin, on=today, record="讨论")
    special_service.legal_review_special(
        db, special=special, actor=personas.legal_reviewer, passed=True, opinion="合法"
    )
    with pytest.raises(RuleViolation):
        special_service.record_discussion(db, special=special, actor=admin, on=today, record=" ")
    special_service.record_discussion(
        db, special=special, actor=admin, on=today, record="局务会议集体讨论，同意开展"
    )
    with pytest.raises(RuleViolation) as town:
        special_service.record_special_approval(
            db, special=special, actor=admin, organ="衢州市柯城区石室乡人民政府", ref="x", on=today
        )
    assert town.value.violations[0].rule_id == A7
    with pytest.raises(RuleViolation):  # the organ itself cannot approve
        special_service.record_special_approval(
            db, special=special, actor=admin, organ=subject(db, "11330802MB1A00001T").name,
            ref="x", on=today,
        )  # fmt: skip
    special_service.record_special_approval(
        db, special=special, actor=admin, organ="衢州市柯城区人民政府", ref="柯政办〔2026〕1号",
        on=today,
    )  # fmt: skip
    assert special.status == "approved"
    assert portal.list_public_specials(db, region="330802").total == 0
    special_service.publish_special(db, special=special, actor=admin)
    found = portal.list_public_specials(db, region="330802")
    assert found.total == 1 and found.items[0][0].id == special.id
    assert portal.list_public_specials(db, region="330803").total == 0
    special_service.file_special(db, special=special, actor=admin)
    assert special.status == "filed" and special.filed_at is not None
    ent = enterprises(db, 1)[0]
    cov = coverage.special_coverage(
        db, subject_id=special.subject_id, enterprise_id=ent.id, item_ids=[it.id], on=today
    )
    assert cov is not None and cov.kind == "special" and cov.complete


def test_vertical_subject_may_be_approved_by_its_superior(db: Session) -> None:
    from wurao.planning.rules import approval_organ_problems

    assert approval_organ_problems("浙江省税务局", vertical=True, subject_name="某区税务局") == []
    assert approval_organ_problems("浙江省税务局", vertical=False, subject_name="某局")
    assert approval_organ_problems("衢州市人民政府", vertical=False, subject_name="某局") == []
    assert approval_organ_problems("某街道办事处", vertical=False, subject_name="某局")


def test_joint_special_visible_to_partner(db: Session, personas: Personas) -> None:
    safety = subject(db, SAFETY)
    it = item(db, "应急管理")
    special = special_service.create_special(
        db, actor=personas.agency_admin, data=data([it.id], joint_subject_ids=[safety.id])
    )
    assert [s.id for s in special_service.special_partners(db, special)] == [safety.id]
    rows = special_service.list_specials(db, actor=personas.other_officer).items
    assert special.id in [r.id for r in rows]
    rows = special_service.list_specials(db, actor=personas.neighbour_supervisor).items
    assert special.id not in [r.id for r in rows]
    with pytest.raises(Forbidden):  # the partner does not run the lead's procedure
        special_service.publish_special(db, special=special, actor=admin_of(db, SAFETY))
