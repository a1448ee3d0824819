"""Review API: a plan with its files, and the draw's verification artefacts (RFC 8785 bytes,
checkable with ``wurao draw verify`` and the pool file)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.oversight.reviews import draw, queries
from wurao.sampling import algorithm
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import Id

router = APIRouter(route_class=TxRoute, tags=["reviews"], responses=API_ERRORS)


@router.get("/api/v1/reviews/{plan_id}")
def plan(
    plan_id: Id,
    actor: Actor = Depends(require(Permission.REVIEWS_VIEW)),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """A review plan, its scope and its drawn files with their scores."""
    p = queries.get_plan(db, actor=actor, plan_id=plan_id)
    return {
        "id": p.id,
        "title": p.title,
        "region_code": p.region_code,
        "file_kind": p.file_kind,
        "period": [p.period_from.isoformat(), p.period_to.isoformat()],
        "sample_size": p.sample_size,
        "sample_rate": p.sample_rate,
        "focus": p.focus,
        "status": p.status,
        "subjects": [s.id for s in queries.scope_of(db, p)],
        "frozen_sha256": p.frozen_sha256 or None,
        "files": [
            {
                "id": r.file.id,
                "file_key": r.file.file_key,
                "subject_id": r.file.subject_id,
                "subject": r.subject_name,
                "task_id": r.file.task_id,
                "case_id": r.file.case_id,
                "reviewer": r.reviewer_name or None,
                "status": r.file.status,
                "score": r.file.score,
                "grade": r.file.grade or None,
                "vetoed": r.file.vetoed,
            }
            for r in queries.files_of(db, p)
        ],
    }


@router.get("/api/v1/reviews/{plan_id}/artefacts.json")
def artefacts(
    plan_id: Id,
    actor: Actor = Depends(require(Permission.REVIEWS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The draw's artefacts in the draws' format, as RFC 8785 canonical bytes."""
    p = queries.get_plan(db, actor=actor, plan_id=plan_id)
    body = algorithm.canonical(draw.artefacts(p, queries.plan_files(db, p)))
    return Response(body, media_type="application/json")


@router.get("/api/v1/reviews/{plan_id}/pool.csv")
def pool(
    plan_id: Id,
    actor: Actor = Depends(require(Permission.REVIEWS_VIEW)),
    db: Session = Depends(get_db),
) -> Response:
    """The frozen pool file, byte for byte as hashed."""
    p = queries.get_plan(db, actor=actor, plan_id=plan_id)
    return Response(p.pool_file.encode("utf-8"), media_type="text/csv; charset=utf-8")
