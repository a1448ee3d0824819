"""JSON routes of rectification items: the caller's items and totals, the subject's answer
and the supervisor's 销号 or return — the same service calls as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core.time import local_today
from wurao.oversight.rectification import queries, service
from wurao.oversight.rectification.models import RectificationItem
from wurao.web.deps import TxRoute, get_db, require
from wurao.web.errors import API_ERRORS
from wurao.web.params import Id, PageNo, Text

router = APIRouter(route_class=TxRoute, tags=["rectifications"], responses=API_ERRORS)


class ItemOut(BaseModel):
    """A rectification item as the API shows it (status and source as codes; see docs/api.md)."""

    id: int
    subject_id: int
    region_code: str
    source_kind: str
    source_id: int
    title: str
    detail: str
    status: str
    opened_on: dt.date
    due_on: dt.date
    overdue: bool
    answer: str
    returned_times: int
    verdict: str

    @classmethod
    def of(cls, item: RectificationItem, today: dt.date) -> ItemOut:
        return cls(
            id=item.id,
            subject_id=item.subject_id,
            region_code=item.region_code,
            source_kind=item.source_kind,
            source_id=item.source_id,
            title=item.title,
            detail=item.detail,
            status=item.status,
            opened_on=item.opened_on,
            due_on=item.due_on,
            overdue=service.is_overdue(item, today),
            answer=item.answer,
            returned_times=item.returned_times,
            verdict=item.verdict,
        )


class ItemPage(BaseModel):
    """One page of items."""

    items: list[ItemOut]
    total: int
    page: int
    pages: int


class TotalsOut(BaseModel):
    """One subject's totals."""

    subject_id: int
    subject_name: str
    found: int
    rectified: int
    answered: int
    open: int
    overdue: int


class AnswerIn(BaseModel):
    """The subject's answer (evidence files are uploaded on the page)."""

    body: str = Field(max_length=4000)


class VerdictIn(BaseModel):
    """The supervisor's note: optional on 销号, required on return."""

    note: str = Field(default="", max_length=4000)


def _today() -> dt.date:
    return local_today()


@router.get("/api/v1/rectifications", response_model=ItemPage)
def list_items(
    status: Annotated[str, Text(12, "状态")] = "",
    overdue: bool = False,
    page: PageNo = 1,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> ItemPage:
    """The caller's items: the region's for a supervisor, its own for a subject."""
    filters = queries.ItemFilters(status=status, overdue=overdue)
    found = queries.list_items(db, actor=actor, filters=filters, page=page)
    today = _today()
    return ItemPage(
        items=[ItemOut.of(i, today) for i in found.items],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


@router.get("/api/v1/rectifications/totals", response_model=list[TotalsOut])
def totals(
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> list[TotalsOut]:
    """Found / rectified / waiting / overdue per subject, live."""
    rows = queries.totals_by_subject(db, actor=actor)
    return [
        TotalsOut(
            subject_id=r.subject_id,
            subject_name=r.subject_name,
            found=r.found,
            rectified=r.rectified,
            answered=r.answered,
            open=r.open,
            overdue=r.overdue,
        )
        for r in rows
    ]


@router.get("/api/v1/rectifications/{item_id}", response_model=ItemOut)
def get_item(
    item_id: Id,
    actor: Actor = Depends(require(Permission.ALERTS_VIEW)),
    db: Session = Depends(get_db),
) -> ItemOut:
    """One item the caller may read."""
    return ItemOut.of(queries.get_item(db, actor=actor, item_id=item_id), _today())


@router.post("/api/v1/rectifications/{item_id}/answer", response_model=ItemOut)
def answer(
    item_id: Id,
    body: AnswerIn,
    actor: Actor = Depends(require(Permission.ALERTS_RESPOND)),
    db: Session = Depends(get_db),
) -> ItemOut:
    """The subject answers; the item waits for the supervisor's 核实 (409 when not open)."""
    item = queries.get_item(db, actor=actor, item_id=item_id)
    return ItemOut.of(service.answer(db, item=item, actor=actor, body=body.body), _today())


@router.post("/api/v1/rectifications/{item_id}/accept", response_model=ItemOut)
def accept(
    item_id: Id,
    body: VerdictIn,
    actor: Actor = Depends(require(Permission.ALERTS_MANAGE)),
    db: Session = Depends(get_db),
) -> ItemOut:
    """The supervisor accepts an answered item (核实销号)."""
    item = queries.get_item(db, actor=actor, item_id=item_id)
    return ItemOut.of(service.accept(db, item=item, actor=actor, note=body.note), _today())


@router.post("/api/v1/rectifications/{item_id}/return", response_model=ItemOut)
def send_back(
    item_id: Id,
    body: VerdictIn,
    actor: Actor = Depends(require(Permission.ALERTS_MANAGE)),
    db: Session = Depends(get_db),
) -> ItemOut:
    """The supervisor returns an answered item with a reason; a new deadline from today."""
    item = queries.get_item(db, actor=actor, item_id=item_id)
    return ItemOut.of(service.send_back(db, item=item, actor=actor, note=body.note), _today())
