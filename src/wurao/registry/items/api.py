"""Inspection items API (检查事项清单)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.registry.items import service
from wurao.registry.items.schemas import ItemIn, ItemOut, ItemPage
from wurao.registry.models import ChecklistLine, InspectionItem
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import PageNo

router = APIRouter(prefix="/api/v1", route_class=TxRoute, tags=["items"], responses=API_ERRORS)


def item_out(item: InspectionItem, lines: list[ChecklistLine]) -> dict[str, Any]:
    """The JSON shape of an item with its checklist."""
    return {
        "id": item.id,
        "code": item.code,
        "name": item.name,
        "field": item.field,
        "region_code": item.region_code,
        "basis_level": item.basis_level,
        "basis_law": item.basis_law,
        "basis_article": item.basis_article,
        "standard": item.standard,
        "methods": [m for m in item.methods.split(",") if m],
        "on_dss_list": item.on_dss_list,
        "status": item.status,
        "status_label": service.status_label(item.status),
        "published_on": item.published_on,
        "checklist": [{"seq": ln.seq, "text": ln.text, "basis": ln.basis} for ln in lines],
    }


@router.get("/items", response_model=ItemPage)
def list_items(
    q: str = "",
    field: str = "",
    status: str = "",
    dss: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Items applicable in, or made within, the caller's region."""
    found = service.list_items(db, actor=actor, q=q, field=field, status=status, dss=dss, page=page)
    lines = service.checklists_of(db, found.items)
    items = [item_out(i, lines[i.id]) for i in found.items]
    return {"items": items, "total": found.total, "page": page}


@router.get("/items/{code}", response_model=ItemOut)
def get_item(
    code: str,
    actor: Actor = Depends(require(Permission.REGISTRY_VIEW)),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """One item with its checklist."""
    item = service.get_item(db, actor=actor, code=code)
    return item_out(item, service.checklist_of(db, item))


@router.post("/items", response_model=ItemOut, status_code=201)
def create_item(
    body: ItemIn,
    actor: Actor = Depends(require(Permission.ITEMS_MANAGE)),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Draft an item, with its checklist."""
    fields = body.model_dump(exclude={"checklist"})
    item = service.create_item(db, actor=actor, data=service.ItemData(**fields))
    if body.checklist:
        service.set_checklist(
            db,
            item=item,
            actor=actor,
            lines=[service.LineIn(text=ln.text, basis=ln.basis) for ln in body.checklist],
        )
    return item_out(item, service.checklist_of(db, item))


@router.post("/items/{code}/publish", response_model=ItemOut)
def publish_item(
    code: str,
    actor: Actor = Depends(require(Permission.ITEMS_MANAGE)),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Publish a draft item (A3)."""
    item = service.publish_item(db, item=service.get_item(db, actor=actor, code=code), actor=actor)
    return item_out(item, service.checklist_of(db, item))


@router.post("/items/{code}/withdraw", response_model=ItemOut)
def withdraw_item(
    code: str,
    actor: Actor = Depends(require(Permission.ITEMS_MANAGE)),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Stop using a published item."""
    item = service.withdraw_item(db, item=service.get_item(db, actor=actor, code=code), actor=actor)
    return item_out(item, service.checklist_of(db, item))
