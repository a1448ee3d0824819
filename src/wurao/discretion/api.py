"""Benchmark and leniency-list API: /api/v1/discretion/… (read-only; edits go through the
pages, where the .xlsx report is shown)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.paging import paginate
from wurao.discretion import leniency, service
from wurao.discretion.schemas import ConflictOut, EntryOut, RowOut, TableDetailOut, TableOut
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import LongId, PageNo

router = APIRouter(
    prefix="/api/v1/discretion", route_class=TxRoute, tags=["discretion"], responses=API_ERRORS
)


@router.get("/tables", response_model=list[TableOut])
def tables(
    region: str = "",
    field: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> list[TableOut]:
    """The benchmark tables the caller may read (published ones and its own drafts)."""
    found = service.list_tables(
        db, service.tables_visible_to(actor), region=region, field=field, page=page
    )
    return [TableOut.model_validate(t) for t in found.items]


@router.get("/tables/{table_id}", response_model=TableDetailOut)
def table(
    table_id: LongId,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> TableDetailOut:
    """One table with its rows and its conflicts with the city's table (D24)."""
    found = service.get_table(db, actor=actor, table_id=table_id)
    return TableDetailOut(
        **TableOut.model_validate(found).model_dump(),
        rows=[RowOut.model_validate(r) for r in service.rows_of(db, found)],
        conflicts=[
            ConflictOut(rule_id=v.rule_id, detail=v.detail)
            for v in (c.violation() for c in service.conflicts(db, found))
        ],
    )


@router.get("/lists", response_model=list[EntryOut])
def lists(
    region: str = "",
    field: str = "",
    kind: str = "",
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.CASES_VIEW)),
    db: Session = Depends(get_db),
) -> list[EntryOut]:
    """Leniency list entries by region (and below), field and list."""
    stmt = leniency.list_entries(db, actor=actor, region=region, field=field, kind=kind)
    return [EntryOut.model_validate(e) for e in paginate(db, stmt, page).items]
