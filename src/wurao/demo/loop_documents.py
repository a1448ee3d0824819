"""Demo supervision documents, issued through the documents service as kc_sfj.

A 督办通知 from an overdue routed clue (waiting for its reply), a 监督意见书 from one of the
sweep's alerts that the subject's administrator has answered (the supervisor can close it)
and a 监督建议书 issued weeks ago that nobody answered (overdue on the list).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth import service as auth_service
from wurao.auth.models import User
from wurao.auth.permissions import Role
from wurao.auth.scope import Actor
from wurao.core.time import local_today
from wurao.oversight.clues.statuses import ClueStatus
from wurao.oversight.documents import drafts, service
from wurao.oversight.documents.statuses import DocumentKind
from wurao.oversight.models import Alert, Clue
from wurao.registry.models import EnforcementSubject

COUNTY = "330802"  # 柯城区, the supervisor persona's county


def _actor(session: Session, username: str) -> Actor | None:
    user = session.scalar(select(User).where(User.username == username))
    return auth_service.actor_for(user) if user is not None else None


def _admin_of(session: Session, subject_id: int) -> Actor | None:
    user = session.scalar(
        select(User)
        .where(User.role == Role.AGENCY_ADMIN.value, User.subject_id == subject_id)
        .order_by(User.id)
        .limit(1)
    )
    return auth_service.actor_for(user) if user is not None else None


def _from(
    session: Session, actor: Actor, sources: list[tuple[str, int]], kind: str, day: dt.date
) -> tuple[drafts.Draft, EnforcementSubject | None]:
    draft = drafts.build(session, actor=actor, sources=sources, kind=kind, today=day)
    subject = session.get(EnforcementSubject, draft.subject_id) if draft.subject_id else None
    return draft, subject


def generate(session: Session) -> str:
    """Write this part's demo rows through the services; a one-line Chinese summary."""
    supervisor = _actor(session, "kc_sfj")
    if supervisor is None:
        return ""
    today = local_today()
    issued: list[str] = []
    clue = session.scalar(
        select(Clue)
        .where(
            Clue.region_code.startswith(COUNTY),
            Clue.status == ClueStatus.ROUTED.value,
            Clue.due_on < today,
            Clue.subject_id.is_not(None),
        )
        .order_by(Clue.due_on, Clue.id)
        .limit(1)
    )
    if clue is not None:
        draft, subject = _from(session, supervisor, [("clue", clue.id)], "", today)
        if subject is not None:
            doc = service.issue(
                session, actor=supervisor, kind=DocumentKind.SUPERVISE.value, subject=subject,
                title=draft.title, body=draft.body, sources=draft.sources, today=today,
            )  # fmt: skip
            issued.append(doc.number)
    alerts = session.scalars(
        select(Alert)
        .where(Alert.region_code.startswith(COUNTY), Alert.subject_id.is_not(None))
        .order_by(Alert.id)
        .limit(20)
    ).all()
    for alert in alerts:
        assert alert.subject_id is not None
        admin = _admin_of(session, alert.subject_id)
        if admin is None:
            continue
        day = today - dt.timedelta(days=10)
        draft, subject = _from(session, supervisor, [("alert", alert.id)], "opinion", day)
        if subject is None or not supervisor.covers_region(subject.region_code):
            continue
        doc = service.issue(
            session, actor=supervisor, kind=DocumentKind.OPINION.value, subject=subject,
            title=draft.title, body=draft.body, sources=draft.sources, rectify=True, today=day,
        )  # fmt: skip
        service.reply(
            session, actor=admin, document=doc,
            text="收到意见书后已逐项核查：涉及的检查已补正程序，相关执法人员已作批评教育，"
            "并修订了本单位涉企检查工作规程。",
        )  # fmt: skip
        issued.append(doc.number)
        break
    subject = session.scalar(
        select(EnforcementSubject)
        .where(EnforcementSubject.region_code.startswith(COUNTY))
        .order_by(EnforcementSubject.id)
        .limit(1)
    )
    if subject is not None:
        day = today - dt.timedelta(days=45)
        doc = service.issue(
            session, actor=supervisor, kind=DocumentKind.SUGGESTION.value, subject=subject,
            title="关于规范涉企行政检查频次的监督建议",
            body="我局在日常监督中发现，你单位部分检查事项在同一季度内对同一企业重复安排，"
            "企业迎检负担较重。\n"
            + drafts.ASKS[DocumentKind.SUGGESTION].format(
                due=service.reply_due(day, COUNTY).isoformat()
            ),
            sources=[], today=day,
        )  # fmt: skip
        issued.append(doc.number)
    if not issued:
        return ""
    return f"监督文书{len(issued)}份（{'、'.join(issued)}）"
