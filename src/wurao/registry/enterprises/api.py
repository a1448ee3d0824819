"""Enterprise registry API (检查对象名录库)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.registry.enterprises import service
from wurao.registry.enterprises.schemas import (
    EnterpriseIn,
    EnterpriseOut,
    EnterprisePageOut,
    EnterprisePatch,
)
from wurao.registry.models import Enterprise
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import PageNo

router = APIRouter(
    prefix="/api/v1", route_class=TxRoute, tags=["enterprises"], responses=API_ERRORS
)


def _out(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "id": enterprise.id,
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "region_code": enterprise.region_code,
        "address": enterprise.address,
        "industry_code": enterprise.industry_code,
        "status": enterprise.status,
        "status_label": service.status_label(enterprise.status),
        "credit_class": enterprise.credit_class,
        "tags": service.tags_to_list(enterprise.tags),
        "contact_name": enterprise.contact_name,
        "contact_phone": enterprise.contact_phone,
        "uscc_override": enterprise.uscc_override,
        "updated_at": enterprise.updated_at,
        "warnings": service.enterprise_warnings(enterprise),
    }


@router.get("/enterprises", response_model=EnterprisePageOut)
def list_enterprises(
    q: str = "",
    status: str = "",
    credit: str = "",
    industry: str = "",
    tag: str = "",
    region: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Enterprises in the caller's region; ``total`` stops counting at 10 000."""
    result = service.list_enterprises(
        db,
        actor=actor,
        q=q,
        status=status,
        credit=credit,
        industry=industry,
        tag=tag,
        region=region,
        page=page,
    )
    return {
        "items": [_out(e) for e in result.rows],
        "total": result.total,
        "total_capped": result.capped,
        "page": result.page,
        "note": result.note,
    }


@router.get("/enterprises/{uscc}", response_model=EnterpriseOut)
def get_enterprise(
    uscc: str,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """One enterprise by its 统一社会信用代码."""
    return _out(service.get_by_uscc(db, actor=actor, uscc=uscc))


@router.post("/enterprises", response_model=EnterpriseOut, status_code=201)
def create_enterprise(
    body: EnterpriseIn,
    actor: Actor = Depends(require(Permission.ENTERPRISES_MANAGE)),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Register an enterprise."""
    data = service.NewEnterprise(**body.model_dump())
    return _out(service.create_enterprise(db, actor=actor, data=data))


@router.patch("/enterprises/{uscc}", response_model=EnterpriseOut)
def update_enterprise(
    uscc: str,
    body: EnterprisePatch,
    actor: Actor = Depends(require(Permission.ENTERPRISES_MANAGE)),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Change an enterprise's record; only the fields sent change."""
    enterprise = service.get_by_uscc(db, actor=actor, uscc=uscc)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    return _out(service.update_enterprise(db, enterprise=enterprise, actor=actor, **changes))
