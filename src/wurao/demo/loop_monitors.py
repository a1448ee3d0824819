"""Demo 执法监督员 and 企业联系点 of 柯城区, and 伴随式监督 of two inspections, written through the
services as kc_sfj: eight monitors (one whose term has ended), six contact-point enterprises,
one inspection accompanied by a monitor and one by the supervisor, who files a finding."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.auth.scope import Actor
from wurao.core.errors import DomainError
from wurao.core.time import local_today
from wurao.demo.identifiers import make_ric
from wurao.inspections import creation, issuing, observers
from wurao.inspections.models import InspectionTask
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem
from wurao.registry.monitors import service
from wurao.registry.monitors.models import EnforcementMonitor
from wurao.registry.officers import service as officer_service

COUNTY = "330802"  # 柯城区, the supervisor persona's county
APPOINTED_BY = "衢州市柯城区司法局"
MONITORS = [
    ("张三", "柯城区人大代表联络站", "13905700001"),
    ("李红梅", "衢州市律师协会柯城分会", "13905700002"),
    ("王建国", "柯城区工商业联合会", "13905700003"),
    ("赵丽", "衢州学院法学系", "13905700004"),
    ("陈志强", "柯城区政协委员工作室", "13905700005"),
    ("刘芳", "柯城区个体劳动者协会", "13905700006"),
    ("周海", "浙江衢信律师事务所", "13905700007"),
    ("吴晓东", "柯城区退休法官代表", "13905700008"),  # the term has ended
]
CONTACTS = ["王经理", "钱主任", "孙总", "郑会计", "冯经理", "何厂长"]
FINDING = "检查人员出示执法证件、亮码规范；现场未按检查表单逐项记录，建议补充检查记录。"


def generate(session: Session) -> str:
    """Write this part's demo rows through the services; a one-line Chinese summary."""
    user = session.scalars(select(User).where(User.username == "kc_sfj")).one()
    actor = auth_service.actor_for(user)
    today = local_today()
    monitors = []
    for n, (name, organ, phone) in enumerate(MONITORS, start=1):
        ended = n == len(MONITORS)
        start = dt.date(today.year - (3 if ended else 1), 1, 1)
        data = service.MonitorData(
            name=name,
            ric=make_ric(COUNTY, dt.date(1965 + n * 3, n, 10 + n), 700 + n),
            region_code=COUNTY,
            organ=organ,
            appointed_by=APPOINTED_BY,
            appointment_no=f"柯司〔{start.year}〕{10 + n}号",
            valid_from=start,
            valid_to=today - dt.timedelta(days=20) if ended else dt.date(today.year + 2, 12, 31),
            phone=phone,
        )
        monitors.append(service.create_monitor(session, data=data, actor=actor))
    enterprises = list(
        session.scalars(
            select(Enterprise)
            .where(Enterprise.region_code == COUNTY, Enterprise.status == "active")
            .order_by(Enterprise.id)
            .limit(len(CONTACTS))
        )
    )
    for n, (ent, contact) in enumerate(zip(enterprises, CONTACTS, strict=False)):
        point = service.ContactPointData(
            enterprise_uscc=ent.uscc,
            contact_name=contact,
            phone=f"0570-30{n:05d}",
            since=today - dt.timedelta(days=90 + 30 * n),
        )
        service.create_contact_point(session, data=point, actor=actor)
    observed = _observe(session, actor, monitors[0], enterprises)
    return (
        f"执法监督员{len(monitors)}名（1名聘期已满），企业联系点{len(enterprises)}家，"
        f"伴随式监督{observed}次"
    )


def _open_task(session: Session, agency: Actor, enterprise: Enterprise, n: int) -> InspectionTask:
    """A complaint-triggered inspection of this week by the market regulator (as kc_scjg_admin)."""
    assert agency.subject_id is not None
    subject = session.get(EnforcementSubject, agency.subject_id)
    assert subject is not None
    today = local_today()
    item = session.scalars(
        select(InspectionItem.code)
        .where(InspectionItem.field == subject.field, InspectionItem.status == "published")
        .order_by(InspectionItem.code)
        .limit(1)
    ).one()
    inspectors = officer_service.who_may_inspect(session, subject_id=subject.id, on=today)[:2]
    data = creation.TaskData(
        enterprise_uscc=enterprise.uscc,
        subject_ids=[subject.id],
        item_codes=[item],
        officer_ids=[o.id for o in inspectors],
        method="onsite",
        origin="complaint",
        window_start=today,
        window_end=today + dt.timedelta(days=7),
        trigger_ref=f"12345-{today.year}-9{n:05d}",
        trigger_reason="企业联系点反映的投诉，执法监督机构随行监督",
    )
    return creation.create_task(session, data=data, actor=agency)


def _observe(
    session: Session, actor: Actor, monitor: EnforcementMonitor, enterprises: list[Enterprise]
) -> int:
    """Two open inspections: 张三 joins the first before its code is issued (the code carries
    him); kc_sfj joins the second after its code and files a finding."""
    agency_user = session.scalars(select(User).where(User.username == "kc_scjg_admin")).one()
    agency = auth_service.actor_for(agency_user)
    done = 0
    for n, enterprise in enumerate(enterprises[-2:]):
        try:
            with session.begin_nested():
                task = _open_task(session, agency, enterprise, n)
                if n == 0:
                    observers.join(session, actor=actor, task=task, monitor=monitor)
                issuing.issue_code(session, actor=agency, task=task)
                if n == 1:
                    observers.join(session, actor=actor, task=task)
                    observers.add_finding(session, actor=actor, task=task, text=FINDING)
        except DomainError:  # a pre-check the demo's registry did not foresee: skip it
            continue
        done += 1
    return done
