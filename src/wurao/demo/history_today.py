"""The demo officer's work of today: the history ends yesterday, so without these the officer
persona (张明, kc_scjg_zhang) and his administrator open a home with nothing to do (issue #19
item 5).

Written through the services, as a clerk and the officer would: the administrator creates
three complaint-triggered tasks with 张明 and a colleague — one coded for today (张明 shows its
code), one coded and started today at the enterprise persona's company (a record in
progress, which that enterprise sees as 正在进行的检查), one for later this week still waiting
for its code. Idempotent: the tasks carry the trigger references below.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.auth.scope import Actor
from wurao.core.errors import DomainError
from wurao.core.time import local_today
from wurao.demo.seed import DEMO_ACCOUNTS
from wurao.inspections import creation, issuing, records
from wurao.inspections.models import InspectionTask
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem, Officer

OFFICER = "kc_scjg_zhang"
ADMIN = "kc_scjg_admin"
REF = "12345-DEMO-{}"  # the tasks' 12345 work-order numbers
REASON = "12345热线投诉反映{}，经负责人批准开展检查"


def _actor(session: Session, username: str) -> Actor | None:
    user = session.scalar(select(User).where(User.username == username))
    return None if user is None else auth_service.actor_for(user)


def _enterprises(session: Session, region: str, count: int) -> list[Enterprise]:
    """The enterprise persona's company first, then the county's with no open task."""
    persona = next(a.uscc for a in DEMO_ACCOUNTS if a.uscc)
    open_task = exists().where(
        InspectionTask.enterprise_id == Enterprise.id,
        InspectionTask.status.in_(("draft", "coded", "in_progress")),
    )
    stmt = select(Enterprise).where(Enterprise.region_code == region, Enterprise.status == "active")
    first = session.scalar(stmt.where(Enterprise.uscc == persona))
    others = session.scalars(
        stmt.where(Enterprise.uscc != persona, ~open_task)
        .order_by(Enterprise.id.desc())
        .limit(count)
    ).all()
    return ([first] if first is not None else []) + list(others)


def generate_today(session: Session, *, today: dt.date | None = None) -> int:
    """Create the officer persona's tasks of today and this week (idempotent); how many."""
    today = today or local_today()
    mine = InspectionTask.trigger_ref.startswith(REF.format(""), autoescape=True)
    if session.scalar(select(InspectionTask.id).where(mine).limit(1)):
        return 0
    admin, officer_actor = _actor(session, ADMIN), _actor(session, OFFICER)
    if admin is None or officer_actor is None or admin.subject_id is None:
        return 0
    subject = session.get(EnforcementSubject, admin.subject_id)
    me = session.scalar(select(Officer).where(Officer.user_id == officer_actor.user_id))
    if subject is None or me is None:
        return 0
    partner = session.scalar(
        select(Officer)
        .where(
            Officer.subject_id == subject.id,
            Officer.id != me.id,
            Officer.kind == "officer",
            Officer.active.is_(True),
            Officer.review_result == "passed",
            Officer.cert_valid_to >= today + dt.timedelta(days=7),
        )
        .order_by(Officer.id)
    )
    item = session.scalar(
        select(InspectionItem)
        .where(
            InspectionItem.field == subject.field,
            InspectionItem.status == "published",
            InspectionItem.methods.contains("onsite"),
        )
        .order_by(InspectionItem.id)
    )
    companies = _enterprises(session, subject.region_code, 2)
    if partner is None or item is None or len(companies) < 3:
        return 0
    later = min(today + dt.timedelta(days=2), today + dt.timedelta(days=6 - today.weekday()))
    plans = [  # (enterprise, window start, end, what the complaint is about, how far it goes)
        (companies[0], today, today, "产品标识不全", "started"),
        (companies[1], today, today + dt.timedelta(days=2), "销售过期食品", "coded"),
        (companies[2], later, later + dt.timedelta(days=3), "虚假宣传", "draft"),
    ]
    made = 0
    for n, (ent, start, end, about, stage) in enumerate(plans, start=1):
        data = creation.TaskData(
            enterprise_uscc=ent.uscc,
            subject_ids=[subject.id],
            item_codes=[item.code],
            officer_ids=[me.id, partner.id],
            method="onsite",
            origin="complaint",
            window_start=start,
            window_end=end,
            trigger_ref=REF.format(n),
            trigger_reason=REASON.format(about),
        )
        try:
            with session.begin_nested():  # a day the pre-checks refuse leaves nothing behind
                task = creation.create_task(session, data=data, actor=admin)
                if stage != "draft":
                    issuing.issue_code(session, actor=admin, task=task, today=today)
                if stage == "started":
                    records.start_record(session, task=task, actor=officer_actor)
        except DomainError:
            continue
        made += 1
    return made
