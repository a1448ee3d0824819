"""API shapes of the administration routes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel


class WorkingDaysOut(BaseModel):
    start: dt.date
    is_working_day: bool
    n: int
    plus_n: dt.date
    end: dt.date | None
    working_days_to_end: int | None


class PolicyValueOut(BaseModel):
    name: str
    value: Any
    region: str
    effective: dt.date
    source: str
    unconfirmed: bool


class AuditVerifyOut(BaseModel):
    ok: bool
    checked: int
    broken_seq: int | None
    reason: str
