"""Coercive measures and enforcement: JSON routes for the list, one measure or enforcement and
each step. Thin on purpose: each route reads through ``access`` (404 outside the caller's
view) and runs the same step functions as the pages (``step_forms``), so the E rules refuse
the same way here (422 with the failed rules).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.cases.coercion import queries, service, step_forms, steps
from wurao.cases.coercion.access import get_enforcement, get_measure
from wurao.cases.coercion.clocks import enforcement_deadlines, measure_deadlines
from wurao.cases.coercion.models import CoerciveEnforcement
from wurao.cases.coercion.schemas import (
    EnforcementOut,
    ItemOut,
    MeasureOut,
    MeasurePage,
    MeasureRowOut,
    StepIn,
    StepResult,
)
from wurao.cases.coercion.statuses import ENFORCEMENT_LIFECYCLE, MeasureKind
from wurao.cases.schemas import DeadlineOut
from wurao.core.time import local_today
from wurao.inspections.schemas import ViolationOut
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import LongId, PageNo

router = APIRouter(route_class=TxRoute, responses=API_ERRORS)
VIEW = Depends(require(Permission.CASES_VIEW))
Action = Annotated[str, Path(max_length=40, pattern=r"^[a-z_]+$", description="办理步骤")]
Filter = Annotated[str, Query(max_length=20, pattern=r"^[a-z_]*$", description="筛选")]
TAGS: list[str | Enum] = ["coercion"]


def _row(r: queries.MeasureRow) -> MeasureRowOut:
    m = r.measure
    return MeasureRowOut(
        id=m.id,
        number=m.number,
        kind=m.kind,
        kind_label=MeasureKind(m.kind).label,
        status=m.status,
        state=r.state,
        party_name=m.party_name,
        case_id=m.case_id,
        starts_on=m.starts_on,
        ends_on=m.ends_on,
        expired=r.expired,
    )


@router.get("/api/v1/coercion/measures", response_model=MeasurePage, tags=TAGS)
def list_measures(
    status: Filter = "",
    due: Filter = "",
    page: PageNo = 1,
    actor: Actor = VIEW,
    db: Session = Depends(get_db),
) -> MeasurePage:
    """The measures the caller may read (``due``: ``week`` or ``overdue``)."""
    found = queries.list_measures(
        db, actor=actor, today=local_today(), status=status, due=due, page=page
    )
    return MeasurePage(
        items=[_row(r) for r in found.items], total=found.total, page=found.page, pages=found.pages
    )


def _measure_out(db: Session, measure_id: int, actor: Actor) -> MeasureOut:
    m = get_measure(db, actor=actor, measure_id=measure_id)
    today = local_today()
    rows = queries.pauses_by_measure(db, [m.id]).get(m.id, [])
    r = queries.row_of(db, m, today, rows)
    deadlines = measure_deadlines(db, m, today, rows) if r.deadline else []
    return MeasureOut(
        **_row(r).model_dump(),
        reason=m.reason,
        basis=m.basis,
        emergency=m.emergency,
        approver=m.approver,
        extended_on=m.extended_on,
        outcome=m.outcome,
        outcome_on=m.outcome_on,
        deadlines=[DeadlineOut.of(d) for d in deadlines],
        items_list=[
            ItemOut(
                description=i.description,
                quantity=i.quantity,
                location=i.location,
                owner=i.owner,
                identifier=i.identifier,
            )
            for i in service.items_of(db, m)
        ],
        actions=steps.next_actions(m),
    )


@router.get("/api/v1/coercion/measures/{measure_id}", response_model=MeasureOut, tags=TAGS)
def get_one_measure(
    measure_id: LongId, actor: Actor = VIEW, db: Session = Depends(get_db)
) -> MeasureOut:
    """One measure with its clock, property list and the steps its state allows."""
    return _measure_out(db, measure_id, actor)


@router.post(
    "/api/v1/coercion/measures/{measure_id}/steps/{action}", response_model=StepResult, tags=TAGS
)
def measure_step(
    measure_id: LongId,
    action: Action,
    body: StepIn,
    actor: Actor = VIEW,
    db: Session = Depends(get_db),
) -> StepResult:
    """Take a step (approve, report, deliver, pause, extend, decide, release)."""
    m = get_measure(db, actor=actor, measure_id=measure_id)
    step_forms.step_of(step_forms.MEASURE_STEPS, action)
    warnings = step_forms.run_measure_step(db, actor, m, action, body.values)
    return StepResult(status=m.status, warnings=[ViolationOut.of(w) for w in warnings])


def _enforcement_out(enf: CoerciveEnforcement) -> EnforcementOut:
    return EnforcementOut(
        id=enf.id,
        number=enf.number,
        status=enf.status,
        status_label=ENFORCEMENT_LIFECYCLE.label(enf.status),
        party_name=enf.party_name,
        obligation=enf.obligation,
        case_id=enf.case_id,
        reminder_served_on=enf.reminder_served_on,
        remedy_ends_on=enf.remedy_ends_on,
        court_applied_on=enf.court_applied_on,
        deadlines=[DeadlineOut.of(d) for d in enforcement_deadlines(enf, local_today())],
    )


@router.get(
    "/api/v1/coercion/enforcements/{enforcement_id}", response_model=EnforcementOut, tags=TAGS
)
def get_one_enforcement(
    enforcement_id: LongId, actor: Actor = VIEW, db: Session = Depends(get_db)
) -> EnforcementOut:
    """One enforcement with its periods (代履行 notice, the court window)."""
    return _enforcement_out(get_enforcement(db, actor=actor, enforcement_id=enforcement_id))


@router.post(
    "/api/v1/coercion/enforcements/{enforcement_id}/steps/{action}",
    response_model=EnforcementOut,
    tags=TAGS,
)
def enforcement_step(
    enforcement_id: LongId,
    action: Action,
    body: StepIn,
    actor: Actor = VIEW,
    db: Session = Depends(get_db),
) -> EnforcementOut:
    """Take a step (remind, enforce, notify_substitute, substitute, apply_court, close)."""
    enf = get_enforcement(db, actor=actor, enforcement_id=enforcement_id)
    step_forms.step_of(step_forms.ENFORCEMENT_STEPS, action)
    step_forms.run_enforcement_step(db, actor, enf, action, body.values)
    return _enforcement_out(enf)
