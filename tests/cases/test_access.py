"""Who sees and who works a case: the subject's officers and admin, the reviewer once sent,
the supervisor of the region (read-only), the enterprise once decided (both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from tests.cases import FILED, filed, setup
from tests.conftest import Personas
from tests.inspections import add_enterprise
from wurao.cases import decision, investigation, notice
from wurao.cases.access import cases_visible_to, get_case, may_handle, may_review
from wurao.cases.models import PenaltyCase
from wurao.core.errors import Forbidden, NotFound


def visible(db: Session, actor: object, case: PenaltyCase) -> bool:
    try:
        get_case(db, actor=actor, case_id=case.id)  # type: ignore[arg-type]
    except NotFound:
        return False
    return True


def test_scoping_by_subject_region_review_and_decision(db: Session, personas: Personas) -> None:
    p = personas
    w = setup(db)
    case = filed(db, p, w)
    assert visible(db, p.officer, case) and visible(db, p.agency_admin, case)
    assert visible(db, p.supervisor, case) and visible(db, p.admin, case)
    assert not visible(db, p.other_officer, case)  # another subject of the same county
    assert not visible(db, p.neighbour_supervisor, case)  # another county
    assert not visible(db, p.legal_reviewer, case)  # not sent for review yet
    assert not visible(db, p.enterprise, case)  # not decided yet
    notice.serve_notice(
        db,
        actor=p.officer,
        case=case,
        kinds={"warning"},
        fine_fen=0,
        served_on=FILED,
        hearing_rights=False,
    )
    notice.record_defence(db, actor=p.officer, case=case, on=FILED, waived=True)
    decision.send_review(db, actor=p.officer, case=case, on=FILED)
    assert visible(db, p.legal_reviewer, case)
    case.status, case.decided_on = "decided", dt.date(2026, 9, 3)
    db.flush()
    assert visible(db, p.enterprise, case)
    other = filed(db, p, w, enterprise_id=add_enterprise(db).id)
    other.status = "decided"
    db.flush()
    assert visible(db, p.officer, other) and not visible(db, p.enterprise, other)
    ids = set(db.scalars(cases_visible_to(p.enterprise).with_only_columns(PenaltyCase.id)))
    assert ids == {case.id}


def test_the_supervisor_reads_but_does_not_work_a_case(db: Session, personas: Personas) -> None:
    p = personas
    case = filed(db, p, setup(db))
    assert not may_handle(p.supervisor, case) and not may_review(p.supervisor, case)
    assert may_handle(p.officer, case) and may_review(p.legal_reviewer, case)
    assert not may_handle(p.legal_reviewer, case) and not may_handle(p.other_officer, case)
    with pytest.raises(Forbidden):
        investigation.suspend(
            db,
            actor=p.supervisor,
            case=case,
            kind="other",
            starts_on=FILED,
            reason="试图中止",
        )
    with pytest.raises(Forbidden):
        investigation.suspend(
            db,
            actor=p.other_officer,
            case=case,
            kind="other",
            starts_on=FILED,
            reason="试图中止",
        )
