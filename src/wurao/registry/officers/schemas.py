"""API shapes of officers. The 居民身份证号 appears only masked: no schema carries it whole
on the way out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from wurao.registry.models import Officer
from wurao.registry.officers.service import masked_ric
from wurao.web.params import BodyId, BodyYear, Text


class OfficerOut(BaseModel):
    id: int
    name: str
    ric_masked: str
    subject_id: int
    kind: str
    aux_kind: str
    cert_no: str | None
    cert_valid_from: dt.date | None
    cert_valid_to: dt.date | None
    review_year: int | None
    review_result: str
    legal_qualified: bool
    supervision_cert_no: str | None
    active: bool

    @classmethod
    def of(cls, officer: Officer) -> OfficerOut:
        """The API view of an officer, with the 居民身份证号 masked."""
        return cls(
            id=officer.id,
            name=officer.name,
            ric_masked=masked_ric(officer),
            subject_id=officer.subject_id,
            kind=officer.kind,
            aux_kind=officer.aux_kind,
            cert_no=officer.cert_no,
            cert_valid_from=officer.cert_valid_from,
            cert_valid_to=officer.cert_valid_to,
            review_year=officer.review_year,
            review_result=officer.review_result,
            legal_qualified=officer.legal_qualified,
            supervision_cert_no=officer.supervision_cert_no,
            active=officer.active,
        )


class OfficerPage(BaseModel):
    items: list[OfficerOut]
    total: int
    page: int


class OfficerIn(BaseModel):
    name: Annotated[str, Text(60, "姓名")] = Field(min_length=1)
    ric: Annotated[str, Text(40, "公民身份号码")]
    subject_id: BodyId
    kind: Annotated[str, Text(20, "人员类别")] = "officer"
    aux_kind: Annotated[str, Text(20, "辅助人员类别")] = ""
    cert_no: Annotated[str, Text(40, "执法证号")] | None = None
    cert_valid_from: dt.date | None = None
    cert_valid_to: dt.date | None = None
    legal_qualified: bool = False
    supervision_cert_no: Annotated[str, Text(40, "监督证号")] | None = None
    active: bool = True


class ReviewIn(BaseModel):
    year: BodyYear
    result: Annotated[str, Text(10, "考核结果")]


class MayInspectOut(BaseModel):
    subject_id: int
    on: dt.date
    officers: list[OfficerOut]
