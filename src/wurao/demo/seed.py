"""Fill a database with the demo: regions, subjects and one account per persona."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.auth.permissions import Role
from wurao.auth.scope import SYSTEM_ACTOR
from wurao.core import audit
from wurao.demo.common import DEMO_YEAR, later, years_on
from wurao.registry import service as registry
from wurao.registry.models import EnforcementSubject

DEMO_PASSWORD = "Wurao@2026"  # noqa: S105 - the published demo password
DEMO_CITY = "330800"  # 衢州市
COUNTY = "330802"  # 柯城区
NEIGHBOUR = "330803"  # 衢江区

# name, USCC (valid GB 32100 check digits, synthetic), region, field, level
DEMO_SUBJECTS = [
    ("衢州市柯城区市场监督管理局", "11330802MB1A00001T", COUNTY, "市场监管", "县级"),
    ("衢州市柯城区应急管理局", "11330802MB1A00002X", COUNTY, "应急管理", "县级"),
    ("衢州市衢江区市场监督管理局", "11330803MB1A00003F", NEIGHBOUR, "市场监管", "县级"),
]


@dataclass(frozen=True)
class DemoAccount:
    """A persona's account as printed for the demo user."""

    username: str
    display_name: str
    role: Role
    region: str
    subject_index: int | None = None
    uscc: str | None = None


DEMO_ACCOUNTS = [
    DemoAccount("admin", "系统管理员", Role.SYSADMIN, "330000"),
    DemoAccount("kc_sfj", "柯城区司法局（执法监督）", Role.SUPERVISOR, COUNTY),
    DemoAccount("qj_sfj", "衢江区司法局（执法监督）", Role.SUPERVISOR, NEIGHBOUR),
    DemoAccount("kc_scjg_admin", "柯城区市场监管局管理员", Role.AGENCY_ADMIN, COUNTY, 0),
    DemoAccount("kc_scjg_zhang", "张明（柯城区市场监管局）", Role.OFFICER, COUNTY, 0),
    DemoAccount("kc_yjj_li", "李华（柯城区应急管理局）", Role.OFFICER, COUNTY, 1),
    DemoAccount("kc_scjg_fzsh", "王芳（法制审核）", Role.LEGAL_REVIEWER, COUNTY, 0),
    DemoAccount(
        "qiye_demo", "衢州示例制造有限公司", Role.ENTERPRISE, COUNTY, None, "91330802MA2A00001N"
    ),
]


def _subjects(session: Session) -> list[EnforcementSubject]:
    out = []
    for name, uscc, region, field, level in DEMO_SUBJECTS:
        subject = session.scalar(select(EnforcementSubject).where(EnforcementSubject.uscc == uscc))
        if subject is None:
            subject = EnforcementSubject(
                name=name,
                uscc=uscc,
                region_code=region,
                field=field,
                level=level,
                confirmed_on=dt.date(2025, 3, 1),
                announced_on=dt.date(2025, 3, 5),
            )
            session.add(subject)
            audit.record(session, actor=SYSTEM_ACTOR, action="subject.create", obj=subject)
        out.append(subject)
    return out


# The officer personas' own entries in the officer registry (持证执法人员), linked to their
# accounts so that the record page knows who is on site.
PERSONA_OFFICERS = [
    ("kc_scjg_zhang", "张明", 0, "浙33080220001", dt.date(1986, 4, 12), 101),
    ("kc_yjj_li", "李华", 1, "浙33080230001", dt.date(1990, 9, 3), 102),
]


def link_persona_officers(session: Session) -> None:
    """Give the officer personas certified officer entries of their subjects (idempotent)."""
    from wurao.demo.identifiers import make_ric
    from wurao.registry.models import Officer

    subjects = _subjects(session)
    for username, name, index, cert_no, birth, seq in PERSONA_OFFICERS:
        user_id = session.scalar(select(User.id).where(User.username == username))
        if user_id is None or session.scalar(select(Officer.id).where(Officer.user_id == user_id)):
            continue
        officer = Officer(
            name=name,
            ric=make_ric("330802", birth, seq),
            subject_id=subjects[index].id,
            kind="officer",
            cert_no=cert_no,
            cert_valid_from=dt.date(2024, 1, 1),
            cert_valid_to=later(dt.date(2029, 12, 31), years_on()),
            review_year=DEMO_YEAR - 1 + years_on(),
            review_result="passed",
            active=True,
            user_id=user_id,
        )
        session.add(officer)
        audit.record(
            session,
            actor=SYSTEM_ACTOR,
            action="officer.create",
            obj=officer,
            summary=f"演示：执法人员{name}关联账号{username}",
        )


def _demo_enterprise(session: Session) -> None:
    """The enterprise persona's own entry in the 检查对象名录库."""
    from wurao.core.time import utcnow
    from wurao.registry.models import Enterprise

    uscc = next(a.uscc for a in DEMO_ACCOUNTS if a.role is Role.ENTERPRISE)
    if uscc is None or session.scalar(select(Enterprise.id).where(Enterprise.uscc == uscc)):
        return
    enterprise = Enterprise(
        uscc=uscc,
        name="衢州示例制造有限公司",
        region_code=COUNTY,
        address="衢州市柯城区示例路1号",
        industry_code="C3311",
        status="active",
        credit_class="B",
        tags="|特种设备|",
        contact_name="王经理",
        contact_phone="0570-0000000",
        updated_at=utcnow(),
    )
    session.add(enterprise)
    audit.record(session, actor=SYSTEM_ACTOR, action="enterprise.create", obj=enterprise)


def seed_foundation(session: Session) -> list[DemoAccount]:
    """Regions, demo subjects and persona accounts (idempotent)."""
    registry.load_shipped_regions(session, actor=SYSTEM_ACTOR)
    subjects = _subjects(session)
    for acc in DEMO_ACCOUNTS:
        if session.scalar(select(User.id).where(User.username == acc.username)) is not None:
            continue
        auth_service.create_user(
            session,
            actor=SYSTEM_ACTOR,
            data=auth_service.NewUser(
                username=acc.username,
                display_name=acc.display_name,
                password=DEMO_PASSWORD,
                role=acc.role,
                region_code=acc.region,
                subject_id=subjects[acc.subject_index].id
                if acc.subject_index is not None
                else None,
                enterprise_uscc=acc.uscc,
            ),
        )
    link_persona_officers(session)
    _demo_enterprise(session)
    return DEMO_ACCOUNTS
