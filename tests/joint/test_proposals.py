"""Proposals end to end in the service layer: gather, solve, decide, apply, checklist, 委托查."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.inspections import KC_YJJ, World, key_dir, new_task, world
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import audit
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.inspections import enterprise_service, issuing, service, verification
from wurao.inspections.models import InspectionTask
from wurao.joint import decisions, proposal_reads, proposals, solver
from wurao.joint.checklist import merged_checklist
from wurao.joint.models import JointMerge, JointProposal
from wurao.planning.models import InspectionPlan, PlanEntry, PlanTarget
from wurao.registry.models import ChecklistLine

__all__ = ["key_dir"]

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
TODAY = dt.date(2026, 3, 2)


def shared_line(db: Session, w: World, text: str) -> None:
    line = ChecklistLine(item_id=w.item.id, seq=2, text=text, basis="")
    db.add(line)
    audit.record(db, actor=SYSTEM_ACTOR, action="item.line", obj=line)


def pair(db: Session, personas: Personas) -> tuple[World, World, InspectionTask, InspectionTask]:
    """Two agencies' tasks at one enterprise whose windows meet on 5–6 March."""
    w = world(db)
    o = world(db, KC_YJJ)
    o.enterprise = w.enterprise
    shared_line(db, w, "查验营业执照、许可证件。")
    shared_line(db, o, "查验营业执照 许可证件")
    t1 = new_task(
        db, personas.officer, w, window_start=dt.date(2026, 3, 3), window_end=dt.date(2026, 3, 6)
    )
    t2 = new_task(
        db,
        personas.other_officer,
        o,
        window_start=dt.date(2026, 3, 5),
        window_end=dt.date(2026, 3, 10),
        origin="plan",
        trigger_ref="",
        trigger_reason="",
    )
    return w, o, t1, t2


def merge_for(db: Session, proposal: JointProposal, enterprise_id: int) -> proposal_reads.MergeView:
    views = [v for v in proposal_reads.merges_of(db, proposal) if v.enterprise.id == enterprise_id]
    assert len(views) == 1
    return views[0]


def test_two_agencies_tasks_merge_into_one_visit(db: Session, personas: Personas) -> None:
    w, _o, t1, t2 = pair(db, personas)
    p = proposals.run_proposal(db, actor=personas.supervisor, start=MARCH[0], end=MARCH[1])
    view = merge_for(db, p, w.enterprise.id)
    assert {part.task_id for part, _ in view.parts} == {t1.id, t2.id}
    assert dt.date(2026, 3, 5) <= view.merge.visit_date <= dt.date(2026, 3, 6)
    assert (view.merge.window_start, view.merge.window_end) == (
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 6),
    )
    assert p.visits < p.demands and p.lower_bound <= p.window_bound <= p.visits


def test_merged_checklist_shows_a_shared_line_once(db: Session, personas: Personas) -> None:
    w, o, _, _ = pair(db, personas)
    p = proposals.run_proposal(db, actor=personas.supervisor, start=MARCH[0], end=MARCH[1])
    view = merge_for(db, p, w.enterprise.id)
    lines = merged_checklist(db, view.items)
    # Both items carry 查验产品质量检验合格证明 (the builder's line) and the licence line
    # (worded with different punctuation): four lines asked, two shown, each once.
    assert len(lines) == 2 and all(line.shared for line in lines)
    for line in lines:
        assert line.subjects == [w.subject.name, o.subject.name]
        assert line.items == [w.item.code, o.item.code]
    assert len({line.text for line in lines}) == len(lines)


def test_every_subject_accepts_then_one_joint_task_with_one_code(
    db: Session, personas: Personas, key_dir: object
) -> None:
    w, o, t1, t2 = pair(db, personas)
    p = proposals.run_proposal(db, actor=personas.supervisor, start=MARCH[0], end=MARCH[1])
    merge = merge_for(db, p, w.enterprise.id).merge
    decisions.decide(db, actor=personas.officer, merge=merge, accept=True)
    assert merge.status == "proposed" and merge.joint_task_id is None
    with pytest.raises(Conflict):  # one decision per subject
        decisions.decide(db, actor=personas.agency_admin, merge=merge, accept=True)
    decisions.decide(db, actor=personas.other_officer, merge=merge, accept=True, reason="同意")
    assert merge.status == "accepted" and merge.joint_task_id is not None
    assert t1.status == t2.status == "cancelled"
    b = service.load_task(db, actor=personas.officer, task_id=merge.joint_task_id)
    assert {s.id for s in b.subjects} == {w.subject.id, o.subject.id}
    assert len(b.officers) == 4 and len(b.items) == 2
    issued = issuing.issue_code(
        db,
        actor=personas.officer,
        task=b.task,
        today=TODAY,
        now=dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC),
    )
    at = dt.datetime(2026, 3, 5, 2, 0, tzinfo=dt.UTC)
    scan = verification.verify_token(db, issued.code.token, now=at)
    assert scan.may_enter
    claims = scan.verified.claims
    assert set(claims["s"]) == {w.subject.uscc, o.subject.uscc}
    assert set(claims["o"]) == {x.cert_no for x in w.officers + o.officers}
    # each subject's officers see the one joint task (and its code)
    for actor in (personas.officer, personas.other_officer):
        assert service.get_code(db, actor=actor, number=issued.code.number)[1].id == b.task.id
    # the enterprise's 检查预告 shows one visit and the merged checklist, each line once
    owner = dataclasses.replace(personas.enterprise, enterprise_uscc=w.enterprise.uscc)
    card = enterprise_service.announcement(db, actor=owner, task_id=b.task.id)
    assert {s.id for s in card.subjects} == {w.subject.id, o.subject.id}
    asked = sum(len(c.lines) for c in card.items)
    assert len(card.merged) == 2 < asked  # both items ask both lines
    assert all(set(subjects) == {w.subject.name, o.subject.name} for _, _, subjects in card.merged)


def test_a_decline_needs_a_reason_and_is_visible(db: Session, personas: Personas) -> None:
    w, _, t1, t2 = pair(db, personas)
    p = proposals.run_proposal(db, actor=personas.officer, start=MARCH[0], end=MARCH[1])
    merge = merge_for(db, p, w.enterprise.id).merge
    with pytest.raises(InvalidInput):
        decisions.decide(db, actor=personas.other_officer, merge=merge, accept=False)
    decisions.decide(
        db, actor=personas.other_officer, merge=merge, accept=False, reason="本局检查须在10日进行"
    )
    assert merge.status == "declined" and t1.status == t2.status == "draft"
    view = merge_for(
        db,
        proposal_reads.get_proposal(db, actor=personas.supervisor, proposal_id=p.id),
        w.enterprise.id,
    )
    assert [(pt.decision, pt.reason) for pt, _ in view.parts if pt.reason] == [
        ("declined", "本局检查须在10日进行")
    ]
    with pytest.raises(Conflict):
        decisions.decide(db, actor=personas.officer, merge=merge, accept=True)


def test_a_declined_merge_is_not_proposed_again(db: Session, personas: Personas) -> None:
    w, _, t1, t2 = pair(db, personas)
    first = proposals.run_proposal(db, actor=personas.supervisor, start=MARCH[0], end=MARCH[1])
    merge = merge_for(db, first, w.enterprise.id).merge
    decisions.decide(db, actor=personas.other_officer, merge=merge, accept=False, reason="另行安排")
    again = proposals.run_proposal(db, actor=personas.supervisor, start=MARCH[0], end=MARCH[1])
    assert not [
        v for v in proposal_reads.merges_of(db, again) if v.enterprise.id == w.enterprise.id
    ]
    left = {
        row.task_id: row.reason
        for row, enterprise, _ in proposal_reads.leftovers_of(db, again)
        if enterprise.id == w.enterprise.id
    }
    assert left == {t1.id: "declined", t2.id: "declined"}
    assert solver.REASONS["declined"] == "已被执法主体拒绝合并"
    assert again.lower_bound == first.lower_bound  # the bound still counts the enterprise once


def test_delegation_is_stored_on_the_joint_task(db: Session, personas: Personas) -> None:
    w, o, _, _ = pair(db, personas)
    p = proposals.run_proposal(db, actor=personas.supervisor, start=MARCH[0], end=MARCH[1])
    merge = merge_for(db, p, w.enterprise.id).merge
    with pytest.raises(Conflict):
        decisions.delegate(
            db,
            actor=personas.officer,
            merge=merge,
            to_subject_id=o.subject.id,
            item_ids=[w.item.id],
        )
    decisions.decide(db, actor=personas.officer, merge=merge, accept=True)
    decisions.decide(db, actor=personas.other_officer, merge=merge, accept=True)
    with pytest.raises(InvalidInput):  # not its own item
        decisions.delegate(
            db,
            actor=personas.officer,
            merge=merge,
            to_subject_id=o.subject.id,
            item_ids=[o.item.id],
        )
    row = decisions.delegate(
        db,
        actor=personas.officer,
        merge=merge,
        to_subject_id=o.subject.id,
        item_ids=[w.item.id],
        note="请应急局一并查验",
    )
    assert merge.joint_task_id is not None
    assert decisions.delegations_of(db, merge.joint_task_id) == [row]
    assert (row.from_subject_id, row.to_subject_id) == (w.subject.id, o.subject.id)


def test_who_may_run_and_see_proposals(db: Session, personas: Personas) -> None:
    pair(db, personas)
    with pytest.raises(Forbidden):
        proposals.run_proposal(db, actor=personas.legal_reviewer, start=MARCH[0], end=MARCH[1])
    with pytest.raises(InvalidInput):
        proposals.run_proposal(db, actor=personas.supervisor, start=MARCH[1], end=MARCH[0])
    p = proposals.run_proposal(db, actor=personas.supervisor, start=MARCH[0], end=MARCH[1])
    with pytest.raises(NotFound):
        proposal_reads.get_proposal(db, actor=personas.neighbour_supervisor, proposal_id=p.id)
    merge = db.scalars(select(JointMerge).where(JointMerge.proposal_id == p.id)).first()
    assert merge is not None
    with pytest.raises(Forbidden):  # the supervisor proposes; the subjects decide
        decisions.decide(db, actor=personas.supervisor, merge=merge, accept=True)


def targeted_entry(db: Session, w: World, months: str = "3") -> PlanEntry:
    """An approved plan of ``w``'s subject naming ``w``'s enterprise in ``months``."""
    now = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)
    plan = InspectionPlan(
        subject_id=w.subject.id,
        year=2026,
        title="2026年度检查计划",
        status="approved",
        created_at=now,
        updated_at=now,
    )
    db.add(plan)
    db.flush()
    entry = PlanEntry(
        plan_id=plan.id,
        item_id=w.item.id,
        method="onsite",
        selection="targeted",
        months=months,
        planned_count=1,
        officers_per_team=2,
    )
    db.add(entry)
    db.flush()
    target = PlanTarget(entry_id=entry.id, enterprise_id=w.enterprise.id)
    db.add(target)
    audit.record(db, actor=SYSTEM_ACTOR, action="plan.create", obj=plan, covers=[entry, target])
    return entry


def test_a_plan_target_joins_a_task_and_brings_qualified_officers(
    db: Session, personas: Personas
) -> None:
    w = world(db)
    o = world(db, KC_YJJ)
    o.enterprise = w.enterprise
    task = new_task(
        db, personas.officer, w, window_start=dt.date(2026, 3, 3), window_end=dt.date(2026, 3, 6)
    )
    entry = targeted_entry(db, o)
    p = proposals.run_proposal(db, actor=personas.supervisor, start=MARCH[0], end=MARCH[1])
    view = merge_for(db, p, w.enterprise.id)
    assert {(pt.task_id, pt.plan_entry_id) for pt, _ in view.parts} == {
        (task.id, None),
        (None, entry.id),
    }
    assert view.lead.id == w.subject.id or view.lead.id == o.subject.id
    decisions.decide(db, actor=personas.officer, merge=view.merge, accept=True)
    decisions.decide(db, actor=personas.other_officer, merge=view.merge, accept=True)
    assert view.merge.joint_task_id is not None
    b = service.load_task(db, actor=personas.supervisor, task_id=view.merge.joint_task_id)
    by_subject = {s.id: [x for t, x in b.officers if t.subject_id == s.id] for s in b.subjects}
    assert len(by_subject[o.subject.id]) >= 2 and len(by_subject[w.subject.id]) == 2
    # the entry now has a task for that enterprise: a new proposal no longer asks for it
    again = proposals.run_proposal(db, actor=personas.supervisor, start=MARCH[0], end=MARCH[1])
    assert all(v.enterprise.id != w.enterprise.id for v in proposal_reads.merges_of(db, again))
