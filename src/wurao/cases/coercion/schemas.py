"""API shapes of coercive measures and enforcement."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from wurao.cases.schemas import DeadlineOut
from wurao.inspections.schemas import ViolationOut

StepKey = Annotated[str, Field(max_length=40)]
StepText = Annotated[str, Field(max_length=20_000)]


class ItemOut(BaseModel):
    """One line of the property list."""

    description: str
    quantity: str
    location: str
    owner: str
    identifier: str


class MeasureRowOut(BaseModel):
    """A measure in the list."""

    id: int
    number: str
    kind: str
    kind_label: str
    status: str
    state: str  # Chinese, 期限届满，应立即解除 when expired
    party_name: str
    case_id: int | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    expired: bool


class MeasurePage(BaseModel):
    """One page of measures."""

    items: list[MeasureRowOut]
    total: int
    page: int
    pages: int


class MeasureOut(MeasureRowOut):
    """A measure with its clock and property list."""

    reason: str
    basis: str
    emergency: bool
    approver: str
    extended_on: dt.date | None
    outcome: str
    outcome_on: dt.date | None
    deadlines: list[DeadlineOut]
    items_list: list[ItemOut]
    actions: list[str]


class StepIn(BaseModel):
    """A step's values, named as on the page's form (dates ``YYYY-MM-DD``, times
    ``YYYY-MM-DDTHH:MM`` local, checkboxes ``"1"``)."""

    values: dict[StepKey, StepText] = Field(default_factory=dict, max_length=20)


class StepResult(BaseModel):
    """The step's outcome: the object after it and the warnings recorded with it."""

    status: str
    warnings: list[ViolationOut] = Field(default_factory=list)


class EnforcementOut(BaseModel):
    """An enforcement with its periods."""

    id: int
    number: str
    status: str
    status_label: str
    party_name: str
    obligation: str
    case_id: int | None
    reminder_served_on: dt.date | None
    remedy_ends_on: dt.date | None
    court_applied_on: dt.date | None
    deadlines: list[DeadlineOut]
