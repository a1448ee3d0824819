"""API shapes of the clue loop: a service request in the spirit of Open311 GeoReport v2
(``service_code``, ``description``, ``service_request_id``), and its public status."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel

from wurao.oversight.clues.intake import PublicStatus
from wurao.web.params import Text


class ServiceOut(BaseModel):
    """One problem type a request may name (Open311 "service")."""

    service_code: str
    service_name: str


class ServiceRequestIn(BaseModel):
    """A clue sent by another system (a hotline platform, a court's or procuratorate's)."""

    service_code: Annotated[str, Text(20, "问题类型")] = ""
    description: Annotated[str, Text(4000, "线索内容")]
    enterprise_name: Annotated[str, Text(200, "企业名称")] = ""
    enterprise_uscc: Annotated[str, Text(30, "企业统一社会信用代码")] = ""
    subject_text: Annotated[str, Text(200, "被反映单位")] = ""
    reporter_name: Annotated[str, Text(50, "反映人")] = ""
    reporter_contact: Annotated[str, Text(100, "联系方式")] = ""
    external_id: Annotated[str, Text(60, "来源系统编号")] = ""


class ServiceRequestAccepted(BaseModel):
    """The reference the reporter follows the clue by (Open311 ``service_request_id``)."""

    service_request_id: str
    service_notice: str


class StepOut(BaseModel):
    on: dt.date
    status: str


class ServiceRequestStatus(BaseModel):
    """A clue's public status: labels and dates, nothing else."""

    service_request_id: str
    status: str  # open / closed, as Open311
    status_label: str
    source_label: str
    requested_date: dt.date
    expected_date: dt.date | None
    closed_date: dt.date | None
    steps: list[StepOut]

    @classmethod
    def of(cls, view: PublicStatus) -> ServiceRequestStatus:
        """The API view of a public status."""
        return cls(
            service_request_id=view.reference,
            status="closed" if view.closed_on else "open",
            status_label=view.status_label,
            source_label=view.source_label,
            requested_date=view.received_on,
            expected_date=view.due_on,
            closed_date=view.closed_on,
            steps=[StepOut(on=s.on, status=s.label) for s in view.steps],
        )
