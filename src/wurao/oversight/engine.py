"""The rules engine's sweep and the alert lifecycle.

新建 new → 已提醒 notified (风险提示函 to the subject's inbox, with a rectification item) →
待核实 answered (the subject's written response answers the item) → 已整改 rectified (only when
the supervisor accepts the item: 销号; a returned item sends the alert back to notified) |
已核销 dismissed (the supervisor's reason; an open item is withdrawn). Nothing is deleted; every
change carries its audit entry. A supervisor sees the alerts of its region; a subject's
administrator and officers see their subject's alerts; the administrator answers them.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import SYSTEM_ACTOR, Actor, region_filter
from wurao.core import audit
from wurao.core.audit import AuditActor
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.core.time import local_today, utcnow
from wurao.inspections.models import InspectionTask
from wurao.oversight import rules
from wurao.oversight.models import Alert, InboxMessage, RiskNotice
from wurao.oversight.organs import organ_names
from wurao.oversight.rectification import service as rectification
from wurao.oversight.rectification.models import RectificationItem
from wurao.registry.models import EnforcementSubject

STATUSES = {
    "new": "新建",
    "notified": "已提醒",
    "answered": "待核实",
    "rectified": "已整改",
    "dismissed": "已核销",
}
OPEN = ("new", "notified", "answered")
KEY_LOOKUP_MAX = 1000  # up to this many findings, look their keys up instead of the rule's


@dataclass
class SweepResult:
    """New alerts raised per rule, and findings already known."""

    raised: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what a rule could not judge, in Chinese
    known: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # per rule: find, dedup, insert

    @property
    def total(self) -> int:
        """All new alerts of the sweep."""
        return sum(self.raised.values())


def _existing(session: Session, rule_id: str, keys: Collection[str]) -> set[str]:
    """The keys among ``keys`` already raised: by key for a few, one query per rule for many."""
    if len(keys) <= KEY_LOOKUP_MAX:
        wanted = sorted(keys)
        return set(session.scalars(select(Alert.dedup_key).where(Alert.dedup_key.in_(wanted))))
    return set(session.scalars(select(Alert.dedup_key).where(Alert.rule_id == rule_id)))


def _raise(
    session: Session,
    selected: Iterable[rules.SupervisionRule],
    ctx: rules.Context,
    actor: Actor,
    why: str = "规则扫描",
) -> tuple[SweepResult, list[str]]:
    """Insert an alert per new finding (Core bulk insert, one audit entry per run)."""
    result = SweepResult()
    keys: list[str] = []
    now = utcnow()
    for rule in selected:
        started = time.perf_counter()
        findings = {f.dedup_key: f for f in rule.find(session, ctx)}
        known = _existing(session, rule.id, findings.keys()) if findings else set()
        result.known += len(known)
        fresh = [f for k, f in findings.items() if k not in known]
        result.raised[rule.id] = len(fresh)
        rows = [
            {
                "rule_id": rule.id,
                "dedup_key": f.dedup_key,
                "severity": rule.severity,
                "title": rule.title,
                "detail": f.detail,
                "source": rule.source,
                "region_code": f.region_code,
                "subject_id": f.subject_id,
                "enterprise_id": f.enterprise_id,
                "task_id": f.task_id,
                "evidence": json.dumps(f.evidence, ensure_ascii=False),
                "status": "new",
                "created_at": now,
                "response": "",
                "dismissed_reason": "",
            }
            for f in fresh
        ]
        for i in range(0, len(rows), 5000):
            session.execute(insert(Alert), rows[i : i + 5000])
        keys.extend(f.dedup_key for f in fresh)
        result.seconds[rule.id] = round(time.perf_counter() - started, 3)
    if keys:
        audit.record(
            session,
            actor=actor,
            action="alert.sweep",
            object_type="alert",
            object_id=f"sweep:{now.isoformat()}",
            summary=f"{why}新增预警{len(keys)}条："
            + "、".join(f"{k} {v}" for k, v in result.raised.items() if v),
        )
    return result, keys


def sweep(
    session: Session,
    *,
    today: dt.date | None = None,
    only: Sequence[str] = (),
    actor: Actor = SYSTEM_ACTOR,
) -> SweepResult:
    """Evaluate every rule (or those in ``only``) and raise an alert per new finding."""
    selected = [r for r in rules.RULES if not only or r.id in only]
    ctx = rules.Context(today=today or local_today())
    result = _raise(session, selected, ctx, actor)[0]
    result.notes = list(ctx.notes)
    return result


def evaluate_for_task(
    session: Session,
    task: InspectionTask,
    *,
    only: Sequence[str] = (),
    today: dt.date | None = None,
) -> list[Alert]:
    """Evaluate the task-based rules (or those in ``only``) for one task just written."""
    return evaluate_for_tasks(
        session, frozenset({task.id}), only=only, today=today, why=f"任务 {task.id} 写入后规则评估"
    )


def evaluate_for_tasks(
    session: Session,
    task_ids: frozenset[int],
    *,
    only: Sequence[str] = (),
    today: dt.date | None = None,
    why: str = "",
) -> list[Alert]:
    """Evaluate the task-based rules (or those in ``only``) for the tasks just written, in one
    query per rule (a draw's thousands of tasks at once)."""
    if not task_ids:
        return []
    ctx = rules.Context(today=today or local_today(), task_ids=task_ids)
    selected = [r for r in rules.RULES if r.task_based and (not only or r.id in only)]
    why = why or f"{len(task_ids)} 个任务写入后规则评估"
    return _alerts(session, _raise(session, selected, ctx, SYSTEM_ACTOR, why)[1])


def evaluate(
    session: Session,
    *,
    only: Sequence[str],
    today: dt.date | None = None,
    clue_ids: frozenset[int] | None = None,
    read_back: bool = True,
) -> list[Alert]:
    """Evaluate a few whole-table rules after a write (small tables: clues, special plans),
    or only for ``clue_ids`` (a report judges its own clue, not every open one: #18). The
    alerts raised, read back; none when ``read_back`` is False (a caller that needs none)."""
    selected = [r for r in rules.RULES if r.id in only]
    ctx = rules.Context(today=today or local_today(), clue_ids=clue_ids)
    keys = _raise(session, selected, ctx, SYSTEM_ACTOR, "写入后规则评估")[1]
    return _alerts(session, keys) if read_back else []


def _alerts(session: Session, keys: list[str]) -> list[Alert]:
    if not keys:
        return []
    return list(session.scalars(select(Alert).where(Alert.dedup_key.in_(keys))))


# --- visibility ---------------------------------------------------------------------------


def alerts_visible_to(actor: Actor) -> Select[Alert]:
    """Alerts the actor may see: its region's (supervisor) or its subject's (agency)."""
    actor.require(Permission.ALERTS_VIEW)
    stmt = select(Alert)
    if actor.role is Role.SYSADMIN:
        return stmt
    if actor.role is Role.SUPERVISOR:
        return stmt.where(region_filter(actor, Alert.region_code))
    if actor.subject_id is None:
        raise Forbidden("本账号不属于任何执法主体。")
    return stmt.where(Alert.subject_id == actor.subject_id)


def list_alerts(
    session: Session,
    *,
    actor: Actor,
    status: str = "",
    rule_id: str = "",
    subject_id: int | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[Alert]:
    """One page of the visible alerts, newest first, filtered by status, rule and subject."""
    stmt = alerts_visible_to(actor)
    if status:
        stmt = stmt.where(Alert.status == status)
    if rule_id:
        stmt = stmt.where(Alert.rule_id == rule_id)
    if subject_id is not None:
        stmt = stmt.where(Alert.subject_id == subject_id)
    return paginate(
        session, stmt.order_by(Alert.created_at.desc(), Alert.id.desc()), page, per_page
    )


def get_alert(session: Session, *, actor: Actor, alert_id: int) -> Alert:
    """One visible alert, or NotFound (also for an alert outside the actor's scope)."""
    alert = session.scalar(alerts_visible_to(actor).where(Alert.id == alert_id))
    if alert is None:
        raise NotFound("预警不存在或不在您的权限范围内。")
    return alert


def evidence_of(alert: Alert) -> list[dict[str, object]]:
    """The alert's evidence list."""
    data = json.loads(alert.evidence or "[]")
    return data if isinstance(data, list) else []


def subject_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Subject id → name, for lists."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(EnforcementSubject.id, EnforcementSubject.name).where(
            EnforcementSubject.id.in_(wanted)
        )
    )
    return {i: n for i, n in rows}


# --- lifecycle ----------------------------------------------------------------------------


def _notice_number(session: Session, region: str, year: int) -> str:
    """柯司风提〔2026〕3号: the organ's short form, counted per region and year (the unique
    number column refuses a duplicate if two notices race for one number)."""
    count = session.scalar(
        select(func.count(RiskNotice.id)).where(
            RiskNotice.region_code == region, RiskNotice.number.like(f"%〔{year}〕%")
        )
    )
    _, short = organ_names(session, region)
    return f"{short}风提〔{year}〕{int(count or 0) + 1}号"


def notify(
    session: Session,
    *,
    alert: Alert,
    actor: Actor,
    note: str = "",
    today: dt.date | None = None,
) -> RiskNotice:
    """Send a 风险提示函 about a new alert to its subject's inbox; the alert becomes notified."""
    from wurao.oversight import notices

    actor.require(Permission.ALERTS_MANAGE)
    if not actor.covers_region(alert.region_code):
        raise Forbidden("该预警不在本机构辖区。")
    if alert.status != "new":
        raise Conflict(f"预警状态为“{STATUSES[alert.status]}”，不能再发风险提示函。")
    if alert.subject_id is None:
        raise InvalidInput("该预警没有对应的执法主体，请核销或转线索处理。")
    subject = session.get(EnforcementSubject, alert.subject_id)
    assert subject is not None
    now = utcnow()
    body = notices.body_text(alert, subject, note)
    notice = RiskNotice(
        number=_notice_number(session, actor.region_code, local_today().year),
        subject_id=subject.id,
        region_code=actor.region_code,
        issued_at=now,
        issued_by_id=actor.user_id,
        body=body,
    )
    session.add(notice)
    session.flush()
    notice.docx_sha256 = notices.write_docx(notice, subject)
    audit.record(session, actor=actor, action="risk_notice.issue", obj=notice)
    before = audit.snapshot(alert)
    alert.status = "notified"
    alert.notice_id = notice.id
    alert.notified_at = now
    audit.record(session, actor=actor, action="alert.notify", obj=alert, before=before)
    msg = InboxMessage(
        subject_id=subject.id,
        kind="risk_notice",
        title=f"风险提示函 {notice.number}：{alert.title}",
        body=body,
        link=f"/oversight/alerts/{alert.id}",
        created_at=now,
    )
    session.add(msg)
    audit.record(session, actor=actor, action="inbox.send", obj=msg)
    rectification.open_item(
        session,
        actor=actor,
        subject_id=subject.id,
        source_kind="alert",
        source_id=alert.id,
        title=alert.title[:200],
        detail=f"风险提示函 {notice.number}：{alert.detail}",
        today=today,
        region_code=alert.region_code,
    )
    return notice


def respond(
    session: Session,
    *,
    alert: Alert,
    actor: Actor,
    response: str,
    files: tuple[rectification.Upload, ...] = (),
) -> Alert:
    """The subject's written response answers the alert's rectification item; the alert waits
    for the supervisor's 核实 (``follow_item`` moves it)."""
    actor.require(Permission.ALERTS_RESPOND)
    if alert.subject_id is None or alert.subject_id != actor.subject_id:
        raise Forbidden("只能答复本主体的预警。")
    if alert.status not in ("new", "notified"):
        raise Conflict(f"预警已{STATUSES[alert.status]}。")
    if not response.strip():
        raise InvalidInput("请填写整改情况说明。", field="response")
    item = rectification.current_item(session, source_kind="alert", source_id=alert.id)
    if item is None or item.status != "open":
        # an alert answered before any 风险提示函: the item is opened on the subject's answer
        item = _item_for_answer(session, alert)
    rectification.answer(session, item=item, actor=actor, body=response, files=files)
    return alert


def _item_for_answer(session: Session, alert: Alert) -> RectificationItem:
    assert alert.subject_id is not None
    today = local_today()
    item = RectificationItem(
        region_code=alert.region_code,
        subject_id=alert.subject_id,
        source_kind="alert",
        source_id=alert.id,
        title=alert.title[:200],
        detail=alert.detail,
        status="open",
        opened_on=today,
        due_on=rectification.deadline(today, alert.region_code),
    )
    session.add(item)
    session.flush()
    audit.record(
        session,
        actor=audit.SYSTEM,
        action="rectification.open",
        obj=item,
        summary=f"执法主体主动答复预警，登记整改事项：{item.title}",
        region_code=item.region_code,
    )
    return item


def follow_item(
    session: Session, *, item: RectificationItem, action: str, actor: AuditActor
) -> Alert | None:
    """An alert follows its rectification item (the ``RECTIFICATION_CHANGED`` handler):
    answered → 待核实, accepted → 已整改, returned → 已提醒 again."""
    if item.source_kind != "alert":
        return None
    target = {"answer": "answered", "accept": "rectified", "return": "notified"}.get(action)
    alert = session.get(Alert, item.source_id)
    if alert is None or target is None or alert.status == "dismissed":
        return alert
    before = audit.snapshot(alert)
    alert.status = target
    if action == "answer":
        alert.response = item.answer
        alert.responded_at = item.answered_at
        alert.responded_by_id = item.answered_by_id
    audit.record(
        session,
        actor=actor,
        action="alert.rectify" if target == "rectified" else f"alert.{action}",
        obj=alert,
        before=before,
        region_code=alert.region_code,
    )
    return alert


def dismiss(session: Session, *, alert: Alert, actor: Actor, reason: str) -> Alert:
    """The supervisor dismisses an alert with a reason (核销)."""
    actor.require(Permission.ALERTS_MANAGE)
    if not actor.covers_region(alert.region_code):
        raise Forbidden("该预警不在本机构辖区。")
    if alert.status not in OPEN:
        raise Conflict(f"预警已{STATUSES[alert.status]}。")
    if not reason.strip():
        raise InvalidInput("请填写核销理由。", field="reason")
    item = rectification.current_item(session, source_kind="alert", source_id=alert.id)
    if item is not None and item.status in ("open", "answered"):
        rectification.withdraw(
            session, item=item, actor=actor, note=f"预警已核销：{reason.strip()}"
        )
    before = audit.snapshot(alert)
    alert.status = "dismissed"
    alert.dismissed_reason = reason.strip()
    alert.dismissed_at = utcnow()
    alert.dismissed_by_id = actor.user_id
    audit.record(session, actor=actor, action="alert.dismiss", obj=alert, before=before)
    return alert


# --- inbox --------------------------------------------------------------------------------


def inbox(
    session: Session, *, actor: Actor, page: int = 1, per_page: int = PER_PAGE
) -> Page[InboxMessage]:
    """The actor's subject's inbox, newest first."""
    actor.require(Permission.ALERTS_VIEW)
    if actor.subject_id is None:
        return Page([], 0, max(page, 1), per_page)
    stmt = select(InboxMessage).where(InboxMessage.subject_id == actor.subject_id)
    stmt = stmt.order_by(InboxMessage.created_at.desc(), InboxMessage.id.desc())
    return paginate(session, stmt, page, per_page)


def get_notice(session: Session, *, actor: Actor, notice_id: int) -> RiskNotice:
    """A risk notice the actor may read: its subject's, or one of its region's."""
    actor.require(Permission.ALERTS_VIEW)
    notice = session.get(RiskNotice, notice_id)
    if notice is None:
        raise NotFound("风险提示函不存在。")
    if actor.role is Role.SUPERVISOR and actor.covers_region(notice.region_code):
        return notice
    if actor.role is Role.SYSADMIN or notice.subject_id == actor.subject_id:
        return notice
    raise NotFound("风险提示函不存在。")


def notice_docx(session: Session, *, notice: RiskNotice) -> bytes:
    """The notice's .docx as issued."""
    from wurao.oversight import notices

    subject = session.get(EnforcementSubject, notice.subject_id)
    assert subject is not None
    return notices.read_docx(notice, subject)
