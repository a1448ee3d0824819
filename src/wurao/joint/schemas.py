"""Joint-inspection API bodies."""

from __future__ import annotations

from pydantic import BaseModel


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
