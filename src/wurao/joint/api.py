"""Joint-inspection API: /api/v1/plans/joint-candidates.

Registered before the planning API so that the path is not read as a plan id.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.joint import service
from wurao.joint.schemas import CandidateOut
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import Year

router = APIRouter(prefix="/api/v1", route_class=TxRoute, tags=["plans"], responses=API_ERRORS)


@router.get("/plans/joint-candidates", response_model=list[CandidateOut])
def joint_candidates(
    year: Year,
    actor: Actor = Depends(require(Permission.PLANS_VIEW)),
    db: Session = Depends(get_db),
) -> list[CandidateOut]:
    """Entries of different subjects reaching the same enterprises in shared months."""
    found = service.joint_candidates(db, actor=actor, year=year)
    return [CandidateOut(**{**c.__dict__, "months": list(c.months)}) for c in found]
