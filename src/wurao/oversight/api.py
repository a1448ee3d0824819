"""Oversight: api routes (clues; the public report of an inspection without a code)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.oversight import service
from wurao.oversight.schemas import ClueOut, CluePage, CodelessReportIn, ReportAccepted
from wurao.web.deps import TxRoute, get_db, public, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import PageNo

router = APIRouter(route_class=TxRoute, tags=["oversight"], responses=API_ERRORS)


@router.get("/api/v1/clues", response_model=CluePage)
def list_clues(
    status: str = "",
    source: str = "",
    q: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.CLUES_VIEW)),
    db: Session = Depends(get_db),
) -> CluePage:
    """Clues of the supervisor's region."""
    found = service.list_clues(db, actor=actor, status=status, source=source, q=q, page=page)
    return CluePage(items=[ClueOut.of(c) for c in found.items], total=found.total, page=page)


@router.post("/api/v1/reports/codeless", response_model=ReportAccepted, status_code=201)
def report_codeless(
    body: CodelessReportIn,
    _: Actor | None = Depends(public),
    db: Session = Depends(get_db),
) -> JSONResponse:
    """Anyone reports an inspection that came without a 行政行为码.

    The answer is built here, from the clue's id: returning the model would have FastAPI
    validate it in a second trip to the thread pool while the request holds the writers'
    turn (#18, docs/benchmarks-writes.md)."""
    clue = service.report_codeless(db, report=service.CodelessReport(**body.model_dump()))
    accepted = ReportAccepted(accepted=True, reference=clue.id)
    return JSONResponse(accepted.model_dump(mode="json"), status_code=201)
