"""API shapes of enforcement subjects."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from wurao.core.text import LONG_TEXT
from wurao.registry.models import EnforcementSubject
from wurao.registry.subjects.service import subject_problems, subject_state
from wurao.web.params import BodyId, Text


class ViolationOut(BaseModel):
    rule_id: str
    title: str
    source: str
    detail: str
    severity: str


class SubjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    uscc: str
    region_code: str
    field: str
    level: str
    kind: str
    entrusted_by_id: int | None
    vertical: bool
    legal_basis: str
    confirmed_on: dt.date | None
    confirmed_by: str
    announced_on: dt.date | None
    announcement_ref: str
    state: str
    usable: bool
    problems: list[ViolationOut]

    @classmethod
    def of(cls, subject: EnforcementSubject) -> SubjectOut:
        """The API view of a subject, with its A1 state."""
        problems = subject_problems(subject)
        return cls(
            id=subject.id,
            name=subject.name,
            uscc=subject.uscc,
            region_code=subject.region_code,
            field=subject.field,
            level=subject.level,
            kind=subject.kind,
            entrusted_by_id=subject.entrusted_by_id,
            vertical=subject.vertical,
            legal_basis=subject.legal_basis,
            confirmed_on=subject.confirmed_on,
            confirmed_by=subject.confirmed_by,
            announced_on=subject.announced_on,
            announcement_ref=subject.announcement_ref,
            state=subject_state(subject),
            usable=not problems,
            problems=[
                ViolationOut(
                    rule_id=v.rule_id,
                    title=v.title,
                    source=v.source,
                    detail=v.detail,
                    severity=v.severity,
                )
                for v in problems
            ],
        )


class SubjectPage(BaseModel):
    items: list[SubjectOut]
    total: int
    page: int


class SubjectIn(BaseModel):
    name: Annotated[str, Text(120, "主体名称")] = Field(min_length=1)
    uscc: Annotated[str, Text(40, "统一社会信用代码")]
    region_code: Annotated[str, Text(12, "行政区划代码")]
    field: Annotated[str, Text(30, "领域")] = Field(min_length=1)
    level: Annotated[str, Text(12, "层级")]
    kind: Annotated[str, Text(20, "主体类别")] = "organ"
    entrusted_by_id: BodyId | None = None
    vertical: bool = False
    legal_basis: Annotated[str, Text(LONG_TEXT, "法律依据")] = ""


class ConfirmIn(BaseModel):
    confirmed_by: Annotated[str, Text(120, "确认机关")] = Field(min_length=1)
    on: dt.date | None = None


class AnnounceIn(BaseModel):
    announcement_ref: Annotated[str, Text(200, "公告文号")] = Field(min_length=1)
    on: dt.date | None = None
