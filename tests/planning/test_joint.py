"""Joint-inspection candidates (综合查一次) on a constructed case with known savings."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.planning import SAFETY, admin_of, enterprises, entry, item, published_plan
from wurao.joint import service as joint
from wurao.planning import lines, steps


def test_overlap_and_visits_saved(db: Session, personas: Personas) -> None:
    market, safety = personas.agency_admin, admin_of(db, SAFETY)
    firms = enterprises(db, 12)
    enterprises(db, 4, tag="联合测试")
    ids = [e.id for e in firms]
    m_item, s_item = item(db), item(db, "应急管理")
    published_plan(
        db,
        market,
        [
            # E1..E10 in March and April
            entry(m_item.id, selection="targeted", target_ids=ids[:10], months=(3, 4)),
            # a 双随机 draw of 2 among the 4 tagged firms in June
            entry(m_item.id, selection="dss", scope_tag="联合测试", planned_count=2, months=(6,)),
            # disjoint months: no candidate
            entry(m_item.id, selection="targeted", target_ids=ids[:3], months=(9,)),
        ],
    )
    plan_b = steps.create_plan(db, actor=safety, year=2026, title="应急管理检查计划")
    lines.add_entry(
        db,
        plan=plan_b,
        data=entry(s_item.id, selection="targeted", target_ids=ids[5:12], months=(4, 5)),
        actor=safety,
    )
    lines.add_entry(
        db,
        plan=plan_b,
        data=entry(s_item.id, selection="key", scope_tag="联合测试", months=(6, 7)),
        actor=safety,
    )
    # a draft is still changing: not considered yet
    assert joint.joint_candidates(db, actor=personas.supervisor, year=2026) == []
    steps.submit_plan(db, plan=plan_b, actor=safety)
    found = joint.joint_candidates(db, actor=personas.supervisor, year=2026)
    assert len(found) == 2
    exact, estimate = found
    # E6..E10 are named by both in April: 5 visits become 5 joint ones, exactly
    assert (exact.enterprises, exact.visits_saved, exact.exact, exact.months) == (5, 5, True, (4,))
    assert exact.selections == ("targeted", "targeted")
    # 4 tagged firms: safety visits all (key), market draws 2 of 4 → 2 saved, estimated
    assert (estimate.enterprises, estimate.visits_saved, estimate.exact) == (4, 2, False)
    assert estimate.months == (6,)
    # the subjects see candidates involving themselves; the neighbour county sees none
    assert len(joint.joint_candidates(db, actor=safety, year=2026)) == 2
    assert len(joint.joint_candidates(db, actor=personas.officer, year=2026)) == 2
    assert joint.joint_candidates(db, actor=personas.neighbour_supervisor, year=2026) == []
    assert joint.joint_candidates(db, actor=personas.supervisor, year=2025) == []
