"""API bodies of the benchmarks and the leniency lists (amounts in fen)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class RowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    line: int
    violation_code: str
    violation: str
    provision: str
    circumstance: str
    fine_min_fen: int
    fine_max_fen: int
    other_kinds: str


class TableOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    owner_kind: str
    subject_id: int | None
    region_code: str
    level: str
    field: str
    title: str
    doc_number: str
    effective_from: dt.date
    published: bool
    published_on: dt.date | None


class ConflictOut(BaseModel):
    rule_id: str
    detail: str


class TableDetailOut(TableOut):
    rows: list[RowOut]
    conflicts: list[ConflictOut]


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    region_code: str
    field: str
    kind: str
    violation_code: str
    violation: str
    provision: str
    conditions: str
