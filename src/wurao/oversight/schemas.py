"""API shapes of supervision clues."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from wurao.oversight.models import Clue
from wurao.web.params import Text


class ClueOut(BaseModel):
    id: int
    source: str
    status: str
    region_code: str
    enterprise_uscc: str
    enterprise_name: str
    subject_text: str
    subject_id: int | None
    occurred_on: dt.date | None
    description: str
    reporter_contact: str
    task_id: int | None
    created_at: dt.datetime
    handled_note: str

    @classmethod
    def of(cls, clue: Clue) -> ClueOut:
        """The API view of a clue."""
        return cls(
            id=clue.id,
            source=clue.source,
            status=clue.status,
            region_code=clue.region_code,
            enterprise_uscc=clue.enterprise_uscc,
            enterprise_name=clue.enterprise_name,
            subject_text=clue.subject_text,
            subject_id=clue.subject_id,
            occurred_on=clue.occurred_on,
            description=clue.description,
            reporter_contact=clue.reporter_contact,
            task_id=clue.task_id,
            created_at=clue.created_at,
            handled_note=clue.handled_note,
        )


class CluePage(BaseModel):
    items: list[ClueOut]
    total: int
    page: int


class CodelessReportIn(BaseModel):
    """A report of an inspection without a 行政行为码; USCC or an exact registered name."""

    enterprise_name: Annotated[str, Text(200, "企业名称")] = ""
    enterprise_uscc: Annotated[str, Text(30, "企业统一社会信用代码")] = ""
    occurred_on: dt.date | None = None
    agency: Annotated[str, Text(150, "执法机关")]
    people: int | None = Field(None, ge=1, le=100)
    description: Annotated[str, Text(4000, "情况描述")]
    contact: Annotated[str, Text(100, "联系方式")] = ""


class ReportAccepted(BaseModel):
    """Only an acknowledgement: the reporter learns nothing about other clues."""

    accepted: bool
    reference: int
