"""Inspections: JSON routes for tasks, pre-checks and 行政行为码 (plus the public JWK set)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.inspections import (
    code_changes,
    codes,
    creation,
    cross_region,
    issuing,
    service,
    verification,
)
from wurao.inspections.schemas import (
    CodeOut,
    CrossRegionApprovalIn,
    CrossRegionApprovalOut,
    CrossRegionApprovalPage,
    IssueOut,
    PrecheckOut,
    RevokeIn,
    TaskIn,
    TaskOut,
    TaskPage,
    TaskRow,
    VerifyIn,
    VerifyOut,
    ViolationOut,
)
from wurao.web.deps import TxRoute, get_db, public, read_only, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import Id, LongId, PageNo

router = APIRouter(route_class=TxRoute, responses=API_ERRORS)
# The verification at the enterprise's door: included ahead of every other router (web/app.py),
# since FastAPI tries routes in order and each one passed costs the request a match.
door = APIRouter(route_class=TxRoute, responses=API_ERRORS)


@router.get("/api/v1/tasks", response_model=TaskPage, tags=["tasks"])
def list_tasks(
    status: str = "",
    q: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> TaskPage:
    """Tasks visible to the caller, newest first."""
    found = service.list_tasks(db, actor=actor, status=status, q=q, page=page)
    rows, total = found.items, found.total
    return TaskPage(
        items=[
            TaskRow(
                id=t.id,
                status=t.status,
                enterprise_name=e.name,
                method=t.method,
                origin=t.origin,
                window_start=t.window_start,
                window_end=t.window_end,
                code_number=c.number if c else None,
            )
            for t, e, c in rows
        ],
        total=total,
        page=page,
    )


@router.post("/api/v1/tasks", response_model=TaskOut, status_code=201, tags=["tasks"])
def create_task(
    body: TaskIn,
    actor: Actor = Depends(require(Permission.TASKS_MANAGE)),
    db: Session = Depends(get_db),
) -> TaskOut:
    """Create a draft task."""
    task = creation.create_task(db, actor=actor, data=creation.TaskData(**body.model_dump()))
    return TaskOut.of(service.bundle(db, task))


@router.get("/api/v1/tasks/{task_id}", response_model=TaskOut, tags=["tasks"])
def get_task(
    task_id: LongId,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> TaskOut:
    """One task with its subjects, items, officers and code."""
    return TaskOut.of(service.load_task(db, actor=actor, task_id=task_id))


@router.get("/api/v1/tasks/{task_id}/precheck", response_model=PrecheckOut, tags=["tasks"])
def precheck(
    task_id: LongId,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> PrecheckOut:
    """Every pre-check's outcome (pass / fail / warn) with its rule id and source."""
    task = service.get_task(db, actor=actor, task_id=task_id)
    return PrecheckOut.of(issuing.precheck(db, actor=actor, task=task))


@router.get(
    "/api/v1/cross-region-approvals", response_model=CrossRegionApprovalPage, tags=["tasks"]
)
def list_cross_region_approvals(
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> CrossRegionApprovalPage:
    """异地检查 approvals (A8) the caller may see, newest first."""
    found = cross_region.list_approvals(db, actor=actor, page=page)
    rows, total = found.items, found.total
    return CrossRegionApprovalPage(
        items=[CrossRegionApprovalOut.of(v) for v in rows], total=total, page=page
    )


@router.post(
    "/api/v1/cross-region-approvals",
    response_model=CrossRegionApprovalOut,
    status_code=201,
    tags=["tasks"],
)
def record_cross_region_approval(
    body: CrossRegionApprovalIn,
    actor: Actor = Depends(require(Permission.UNPLANNED_APPROVE)),
    db: Session = Depends(get_db),
) -> CrossRegionApprovalOut:
    """Record a common superior's approval of the caller's subject's 异地检查 (A8)."""
    approval = cross_region.record_approval(
        db, actor=actor, data=cross_region.ApprovalData(**body.model_dump())
    )
    return CrossRegionApprovalOut.of(
        cross_region.get_approval(db, actor=actor, approval_id=approval.id)
    )


@router.get(
    "/api/v1/cross-region-approvals/{approval_id}",
    response_model=CrossRegionApprovalOut,
    tags=["tasks"],
)
def get_cross_region_approval(
    approval_id: Id,
    actor: Actor = Depends(require(Permission.TASKS_VIEW)),
    db: Session = Depends(get_db),
) -> CrossRegionApprovalOut:
    """One 异地检查 approval with the enterprises and items it covers."""
    return CrossRegionApprovalOut.of(
        cross_region.get_approval(db, actor=actor, approval_id=approval_id)
    )


@router.post(
    "/api/v1/tasks/{task_id}/code", response_model=IssueOut, status_code=201, tags=["codes"]
)
def issue_code(
    task_id: LongId,
    late_reason: str = "",
    actor: Actor = Depends(require(Permission.TASKS_MANAGE)),
    db: Session = Depends(get_db),
) -> IssueOut:
    """Issue the task's code; 422 with every failed rule when a pre-check fails."""
    task = service.get_task(db, actor=actor, task_id=task_id, lock=True)
    issued = issuing.issue_code(db, actor=actor, task=task, late_reason=late_reason, locked=True)
    return IssueOut(
        code=CodeOut.of(issued.code), warnings=[ViolationOut.of(v) for v in issued.warnings]
    )


@router.post("/api/v1/codes/{number}/revoke", response_model=CodeOut, tags=["codes"])
def revoke_code(
    number: str,
    body: RevokeIn,
    actor: Actor = Depends(require(Permission.CODES_REVOKE)),
    db: Session = Depends(get_db),
) -> CodeOut:
    """Revoke a valid code."""
    code, _task = service.get_code(db, actor=actor, number=number)
    return CodeOut.of(code_changes.revoke_code(db, actor=actor, code=code, reason=body.reason))


@door.post("/api/v1/codes/verify", response_model=VerifyOut, tags=["codes"])
@read_only
def verify_code(
    body: VerifyIn,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """Public: the code's one state (valid, revoked, used, expired, not yet valid, invalid,
    unknown), as the scan page shows it."""
    # ``inspections.door_api`` answers the ordinary anonymous call ahead of routing, with the same
    # body; this route answers the rest (signed-in callers, bodies out of the ordinary).
    verdict = VerifyOut.of(verification.verify_token(db, body.token, details=False))
    # Serialised here (pydantic's JSON encoder), not by FastAPI: a plain function's returned
    # model is validated again in a thread-pool trip that costs more than the verification.
    return Response(verdict.model_dump_json(), media_type="application/json")


@router.get("/.well-known/jwks.json", tags=["codes"])
def jwks(
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> dict[str, list[dict[str, str]]]:
    """Public: the JWK set (RFC 7517) of every signing key, retired ones included."""
    return codes.jwks(db)
