"""Clue API: other systems send service requests (Open311 style); anyone with a reference
reads its status (``/public/clues/{reference}.json``, no account, rate-limited with the report).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.errors import NotFound
from wurao.core.time import local_today
from wurao.oversight.clues import intake, routing
from wurao.oversight.clues.schemas import (
    ServiceOut,
    ServiceRequestAccepted,
    ServiceRequestIn,
    ServiceRequestStatus,
)
from wurao.oversight.clues.statuses import ClueSource
from wurao.web.deps import TxRoute, get_db, public, require
from wurao.web.errors import API_ERRORS

router = APIRouter(route_class=TxRoute, tags=["clues"], responses=API_ERRORS)


@router.get("/api/v1/clue-services", response_model=list[ServiceOut])
def services(actor: Actor = Depends(require(Permission.CLUES_VIEW))) -> list[ServiceOut]:
    """The problem types a request may name (``service_code``)."""
    types = routing.problem_types(actor.region_code, local_today())
    return [ServiceOut(service_code=k, service_name=v) for k, v in types.items()]


@router.post("/api/v1/clue-requests", response_model=ServiceRequestAccepted, status_code=201)
def create_request(
    body: ServiceRequestIn,
    actor: Actor = Depends(require(Permission.CLUES_VIEW)),
    db: Session = Depends(get_db),
) -> ServiceRequestAccepted:
    """A system of the supervisor's region sends a clue; the answer is its reference."""
    clue = intake.create(
        db,
        actor=actor,
        api=True,
        data=intake.ClueInput(
            source=ClueSource.API.value,
            description=body.description,
            enterprise_name=body.enterprise_name,
            enterprise_uscc=body.enterprise_uscc,
            subject_text=body.subject_text,
            reporter_name=body.reporter_name,
            reporter_contact=body.reporter_contact,
            work_order_no=body.external_id,
            problem_type=body.service_code,
        ),
    )
    assert clue.reference is not None
    return ServiceRequestAccepted(
        service_request_id=clue.reference,
        service_notice=f"线索已受理，可凭编号 {clue.reference} 查询办理进度。",
    )


@router.get("/public/clues/{reference}.json", response_model=ServiceRequestStatus)
def request_status(
    reference: str,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> Response:
    """A clue's status by its reference: labels and dates only."""
    try:
        view = intake.public_status(db, reference=reference)
    except NotFound as exc:  # a JSON answer, though the path is not under /api/
        return JSONResponse({"error": exc.code, "message": exc.message}, status_code=404)
    return JSONResponse(ServiceRequestStatus.of(view).model_dump(mode="json"))
