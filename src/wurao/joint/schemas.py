"""Joint-inspection API bodies."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class CandidateOut(BaseModel):
    year: int
    subject_ids: tuple[int, int]
    subject_names: tuple[str, str]
    plan_ids: tuple[int, int]
    entry_ids: tuple[int, int]
    item_names: tuple[str, str]
    selections: tuple[str, str]
    months: list[int]
    enterprises: int
    visits_saved: int
    exact: bool


class ProposalIn(BaseModel):
    """Run a proposal for the caller's region and a period (at most 92 days)."""

    period_start: dt.date
    period_end: dt.date
    time_limit: float = Field(default=20.0, ge=1.0, le=60.0, description="CP-SAT seconds")


class PartOut(BaseModel):
    subject_id: int
    subject_name: str
    task_id: int | None
    plan_entry_id: int | None
    window_start: dt.date
    window_end: dt.date
    decision: str
    reason: str


class MergeOut(BaseModel):
    id: int
    enterprise_id: int
    enterprise_name: str
    visit_date: dt.date
    window_start: dt.date
    window_end: dt.date
    method: str
    lead_subject_id: int
    status: str
    joint_task_id: int | None
    parts: list[PartOut]


class LeftoverOut(BaseModel):
    enterprise_id: int
    subject_id: int
    task_id: int | None
    plan_entry_id: int | None
    reason: str
    reason_text: str


class ProposalOut(BaseModel):
    id: int
    region_code: str
    period_start: dt.date
    period_end: dt.date
    visits_before: int
    visits: int
    lower_bound: int
    window_bound: int
    ratio_to_bound: float
    officer_days_before: int
    officer_days: int
    solver: str
    solver_status: str
    seconds: float
    merges: list[MergeOut] = Field(default_factory=list)
    leftovers: list[LeftoverOut] = Field(default_factory=list)


class DecisionIn(BaseModel):
    accept: bool
    reason: str = Field(default="", max_length=2000)


class ChecklistLineOut(BaseModel):
    text: str
    basis: list[str]
    subjects: list[str]
    items: list[str]
