"""Demo annual statistics (#16): last year's data of four subjects of the demo county — two
published in January (before the 31 January deadline), the 柯城区市场监管局's waiting for its
法制审核人员 (王芳, kc_scjg_fzsh) and then its administrator's approval, one still a draft; the
supervisor's overview (/reports/annual) shows them. Written through the services; idempotent
(nothing is written when last year's data exists)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.auth.scope import SYSTEM_ACTOR, Actor
from wurao.core.errors import DomainError
from wurao.core.time import local_today
from wurao.registry.models import EnforcementSubject
from wurao.reports.annual import service
from wurao.reports.annual.models import AnnualReport
from wurao.reports.annual.service import ManualValue

COUNTY = "330802"
ADMIN = "kc_scjg_admin"  # its reviewer, kc_scjg_fzsh, reviews it in the running demo
SOURCE = "浙江政务服务网办件统计（{year}年1月1日至12月31日）"


def _actor(session: Session, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    return auth_service.actor_for(user) if user is not None else SYSTEM_ACTOR


def _manual(year: int, n: int) -> list[ManualValue]:
    source = SOURCE.format(year=year)
    return [
        ManualValue("licensing_applications", 420 + 37 * n, source),
        ManualValue("licensing_granted", 401 + 35 * n, source),
        ManualValue("licensing_refused", 12 + n, source),
        ManualValue("reconsideration_total", 3 + n, "本机关行政复议应诉台账"),
        ManualValue("reconsideration_corrected", n % 2, "行政复议决定书"),
        ManualValue("litigation_total", 1 + n, "本机关行政诉讼应诉台账"),
        ManualValue("litigation_lost", 0, "已生效判决"),
    ]


def generate(session: Session, *, today: dt.date | None = None) -> str:
    """Write the demo's annual statistics through the services; a one-line summary."""
    today = today or local_today()
    year = today.year - 1
    if session.scalar(select(AnnualReport.id).where(AnnualReport.year == year).limit(1)):
        return ""
    admin = _actor(session, ADMIN)
    own = admin.subject_id
    subjects = list(
        session.scalars(
            select(EnforcementSubject)
            .where(
                EnforcementSubject.region_code == COUNTY,
                EnforcementSubject.announced_on.is_not(None),
            )
            .order_by(EnforcementSubject.id)
        )
    )
    others = [s for s in subjects if s.id != own][:3]
    mine = [s for s in subjects if s.id == own]
    if len(others) < 3 or not mine:
        return "年度行政执法数据演示：演示区县的执法主体不足，未生成。"
    published_on = dt.date(today.year, 1, 20)
    try:
        for n, subject in enumerate(others[:2]):
            r = service.generate(session, actor=SYSTEM_ACTOR, subject=subject, year=year)
            service.set_manual(session, actor=SYSTEM_ACTOR, report=r, values=_manual(year, n))
            service.submit(session, actor=SYSTEM_ACTOR, report=r)
            service.review(session, actor=SYSTEM_ACTOR, report=r, passed=True, opinion="")
            service.approve(session, actor=SYSTEM_ACTOR, report=r, today=published_on)
        r = service.generate(session, actor=admin, subject=mine[0], year=year)
        service.set_manual(session, actor=admin, report=r, values=_manual(year, 2))
        service.submit(session, actor=admin, report=r)
        service.generate(session, actor=SYSTEM_ACTOR, subject=others[2], year=year)
    except DomainError as exc:
        return f"年度行政执法数据演示：未生成（{exc}）。"
    return (
        f"{year}年度行政执法数据：已公布2份（{others[0].name}、{others[1].name}），"
        f"法制审核中1份（{mine[0].name}），草稿1份（{others[2].name}）"
    )
