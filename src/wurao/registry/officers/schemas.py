"""API shapes of officers. The 居民身份证号 appears only masked: no schema carries it whole
on the way out."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from wurao.registry.models import Officer
from wurao.registry.officers.service import masked_ric


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
    name: str = Field(min_length=1, max_length=60)
    ric: str
    subject_id: int
    kind: str = "officer"
    aux_kind: str = ""
    cert_no: str | None = None
    cert_valid_from: dt.date | None = None
    cert_valid_to: dt.date | None = None
    legal_qualified: bool = False
    supervision_cert_no: str | None = None
    active: bool = True


class ReviewIn(BaseModel):
    year: int
    result: str


class MayInspectOut(BaseModel):
    subject_id: int
    on: dt.date
    officers: list[OfficerOut]
