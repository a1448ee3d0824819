"""API shapes of the 执法监督员 and 企业联系点 registries. The 居民身份证号 appears only masked."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from wurao.registry.models import Enterprise
from wurao.registry.monitors.models import EnforcementMonitor, EnterpriseContactPoint
from wurao.registry.monitors.service import masked_ric, monitor_state


class MonitorOut(BaseModel):
    id: int
    name: str
    ric_masked: str
    region_code: str
    organ: str
    appointed_by: str
    appointment_no: str
    valid_from: dt.date
    valid_to: dt.date
    phone: str
    has_account: bool
    status: str  # stored: active / revoked
    state: str  # on the day asked: active / not_yet / expired / revoked

    @classmethod
    def of(cls, monitor: EnforcementMonitor, on: dt.date) -> MonitorOut:
        """The API view of a monitor, with the 居民身份证号 masked."""
        return cls(
            id=monitor.id,
            name=monitor.name,
            ric_masked=masked_ric(monitor),
            region_code=monitor.region_code,
            organ=monitor.organ,
            appointed_by=monitor.appointed_by,
            appointment_no=monitor.appointment_no,
            valid_from=monitor.valid_from,
            valid_to=monitor.valid_to,
            phone=monitor.phone,
            has_account=monitor.user_id is not None,
            status=monitor.status,
            state=monitor_state(monitor, on),
        )


class MonitorPage(BaseModel):
    items: list[MonitorOut]
    total: int
    page: int


class ContactPointOut(BaseModel):
    id: int
    enterprise_id: int
    enterprise_uscc: str
    enterprise_name: str
    region_code: str
    contact_name: str
    phone: str
    since: dt.date
    status: str

    @classmethod
    def of(cls, point: EnterpriseContactPoint, enterprise: Enterprise) -> ContactPointOut:
        """The API view of a contact point."""
        return cls(
            id=point.id,
            enterprise_id=enterprise.id,
            enterprise_uscc=enterprise.uscc,
            enterprise_name=enterprise.name,
            region_code=point.region_code,
            contact_name=point.contact_name,
            phone=point.phone,
            since=point.since,
            status=point.status,
        )


class ContactPointPage(BaseModel):
    items: list[ContactPointOut]
    total: int
    page: int
