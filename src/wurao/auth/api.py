"""Accounts API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from wurao.auth import service
from wurao.auth.permissions import ROLE_PERMISSIONS, Permission
from wurao.auth.schemas import MeOut, UserIn, UserOut, UserPage
from wurao.auth.scope import Actor
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import Id, PageNo

router = APIRouter(prefix="/api/v1", route_class=TxRoute, tags=["auth"], responses=API_ERRORS)


@router.get("/me", response_model=MeOut)
def me(actor: Actor = Depends(require(Permission.HOME))) -> dict[str, Any]:
    """Who the token or session belongs to, and what it may do."""
    return {
        "user_id": actor.user_id,
        "username": actor.username,
        "display_name": actor.display_name,
        "role": actor.role,
        "role_label": actor.role.label,
        "region_code": actor.region_code,
        "subject_id": actor.subject_id,
        "enterprise_uscc": actor.enterprise_uscc,
        "permissions": sorted(p.value for p in ROLE_PERMISSIONS[actor.role]),
    }


@router.get("/users", response_model=UserPage)
def list_users(
    q: str = "",
    role: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.USERS_VIEW)),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Accounts the caller may see."""
    found = service.list_users(db, actor=actor, q=q, role=role, page=page)
    return {"items": found.items, "total": found.total, "page": page}


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(
    user_id: Id,
    actor: Actor = Depends(require(Permission.USERS_VIEW)),
    db: Session = Depends(get_db),
) -> Any:
    """One account, if within the caller's scope."""
    return service.get_user(db, actor=actor, user_id=user_id)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(
    body: UserIn,
    actor: Actor = Depends(require(Permission.USERS_MANAGE)),
    db: Session = Depends(get_db),
) -> Any:
    """Create an account."""
    return service.create_user(db, actor=actor, data=service.NewUser(**body.model_dump()))
