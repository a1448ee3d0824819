"""Annual statistics: who sees and works a report, the draft from the records, the subject's
manual figures, 法制审核, the head's approval and publication, the deadline and the recompute.

Who does what (衢州 item 11; docs/annual-statistics.md): the subject's administrator (the
head, 负责人, permission ``plans.edit``) generates the draft, enters the figures the platform
cannot know, submits it and approves it, which publishes it; the subject's 法制审核人员
(``special.legal_review``) passes or returns it; the supervisor sees every subject's report of
its region and changes nothing; the system administrator may act for any subject.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import SYSTEM_ACTOR, Actor, region_filter, subject_filter
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import Forbidden, InvalidInput, NotFound
from wurao.core.policy import get_policy
from wurao.core.time import local_today, utcnow
from wurao.oversight import engine
from wurao.oversight.models import Alert
from wurao.registry.models import EnforcementSubject
from wurao.reports.annual import figures as compute
from wurao.reports.annual.catalogue import BY_KEY, MANUAL_KEYS, derived
from wurao.reports.annual.models import AnnualReport
from wurao.reports.annual.statuses import ANNUAL_LIFECYCLE, AnnualStatus

DEADLINE_POLICY = "stats.publish_deadline"  # F5: 每年1月31日前公告上一年度行政执法数据
MANUAL_MAX = 10**12


def loads(text: str) -> Any:
    """A JSON column's value."""
    return json.loads(text or "{}")


def dumps(value: Any) -> str:
    """Canonical JSON (sorted keys), so that the same figures give the same text and seal."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# --- who ---------------------------------------------------------------------------------


def reports_visible_to(actor: Actor) -> Select[AnnualReport]:
    """The reports the actor may read: its subject's, or its region's (the supervisor)."""
    actor.require(Permission.PLANS_VIEW)
    return select(AnnualReport).where(
        region_filter(actor, AnnualReport.region_code),
        subject_filter(actor, AnnualReport.subject_id),
    )


def get_report(session: Session, *, actor: Actor, report_id: int) -> AnnualReport:
    """One report the actor may see."""
    report = session.scalar(reports_visible_to(actor).where(AnnualReport.id == report_id))
    if report is None:
        raise NotFound("年度行政执法数据不存在，或不在您的管辖范围内。")
    return report


def may_edit(actor: Actor, subject_id: int) -> bool:
    """The subject's administrator (its head), or the system administrator."""
    if not actor.can(Permission.PLANS_EDIT):
        return False
    return actor.role is Role.SYSADMIN or actor.subject_id == subject_id


def may_review(actor: Actor, report: AnnualReport) -> bool:
    """The subject's own 法制审核人员, or the system administrator."""
    if not actor.can(Permission.SPECIAL_LEGAL_REVIEW):
        return False
    return actor.role is Role.SYSADMIN or actor.subject_id == report.subject_id


def allowed_actions(actor: Actor, report: AnnualReport) -> set[str]:
    """The steps the page offers the actor now (the services apply the same predicates)."""
    out: set[str] = set()
    if may_edit(actor, report.subject_id):
        out |= {a for a in ("generate", "manual", "submit", "approve") if _can(report, a)}
    if may_review(actor, report) and _can(report, "review_pass"):
        out |= {"review_pass", "review_return"}
    return out


def _can(report: AnnualReport, action: str) -> bool:
    return ANNUAL_LIFECYCLE.can(report, action)


def _check_edit(actor: Actor, subject_id: int) -> None:
    actor.require(Permission.PLANS_EDIT)
    if not may_edit(actor, subject_id):
        raise Forbidden("只能办理本执法主体的年度行政执法数据。")


# --- the deadline ----------------------------------------------------------------------------


def deadline(region_code: str, year: int) -> dt.date:
    """The last day to publish ``year``'s data (policy stats.publish_deadline, in year + 1)."""
    month_day = str(get_policy().value(DEADLINE_POLICY, region_code, dt.date(year + 1, 1, 1)))
    month, day = (int(p) for p in month_day.split("-"))
    return dt.date(year + 1, month, day)


def is_late(report: AnnualReport | None, region_code: str, year: int, today: dt.date) -> bool:
    """Published after the deadline, or not published and the deadline passed."""
    due = deadline(region_code, year)
    if report is not None and report.published_on is not None:
        return report.published_on > due
    return today > due


# --- the draft -----------------------------------------------------------------------------


def find_report(session: Session, *, subject_id: int, year: int) -> AnnualReport | None:
    """The subject's report of a year, if any (no scope: callers hold the subject)."""
    return session.scalar(
        select(AnnualReport).where(AnnualReport.subject_id == subject_id, AnnualReport.year == year)
    )


def generate(
    session: Session,
    *,
    actor: Actor,
    subject: EnforcementSubject,
    year: int,
    today: dt.date | None = None,
) -> AnnualReport:
    """Compute the subject's figures for a finished year into its draft (new or refreshed)."""
    _check_edit(actor, subject.id)
    today = today or local_today()
    if not 2000 <= year < today.year:
        raise InvalidInput("只能生成已经结束的年度的数据。", field="year")
    report = find_report(session, subject_id=subject.id, year=year)
    if report is not None:
        ANNUAL_LIFECYCLE.check(report, "generate")
    result = compute.compute(session, compute.Scope(subject=subject), year)
    before = None
    if report is None:
        report = AnnualReport(
            subject_id=subject.id,
            region_code=subject.region_code,
            year=year,
            status=AnnualStatus.DRAFT.value,
            manual="{}",
            created_at=utcnow(),
        )
        session.add(report)
    else:
        before = audit.snapshot(report)
    report.figures = dumps(result.figures)
    report.lists = dumps(result.lists)
    report.computed_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="annual.generate",
        obj=report,
        before=before,
        summary=f"生成{subject.name}{year}年度行政执法数据",
    )
    return report


def generate_drafts(
    session: Session, *, actor: Actor, year: int, subject_id: int | None = None
) -> int:
    """Drafts for every announced subject of the actor's region without a report of ``year``
    (or refresh one subject's draft); how many were written."""
    stmt = select(EnforcementSubject).where(
        EnforcementSubject.announced_on.is_not(None),
        region_filter(actor, EnforcementSubject.region_code),
    )
    if subject_id is not None:
        stmt = stmt.where(EnforcementSubject.id == subject_id)
    subjects = list(session.scalars(stmt.order_by(EnforcementSubject.id)))
    if subject_id is not None and not subjects:
        raise NotFound("执法主体不存在、未公告，或不在您的管辖范围内。")
    written = 0
    for subject in subjects:
        if subject_id is None and find_report(session, subject_id=subject.id, year=year):
            continue
        generate(session, actor=actor, subject=subject, year=year)
        written += 1
    return written


@dataclass(frozen=True)
class ManualValue:
    """One figure entered by the subject, with why (its source, e.g. 政务服务网统计)."""

    key: str
    value: int
    reason: str


def set_manual(
    session: Session, *, actor: Actor, report: AnnualReport, values: list[ManualValue]
) -> AnnualReport:
    """Enter (or replace) manual figures; each needs a reason. A blank value removes one."""
    _check_edit(actor, report.subject_id)
    ANNUAL_LIFECYCLE.check(report, "manual")
    before = audit.snapshot(report)
    manual: dict[str, Any] = loads(report.manual)
    for v in values:
        if v.key not in MANUAL_KEYS:
            raise InvalidInput(f"“{v.key}”不是需要填报的指标。", field=v.key)
        if not 0 <= v.value <= MANUAL_MAX:
            raise InvalidInput(f"{BY_KEY[v.key].label}：数值不正确。", field=v.key)
        if not v.reason.strip():
            raise InvalidInput(f"{BY_KEY[v.key].label}：请写明数据来源或理由。", field=v.key)
        manual[v.key] = {"value": v.value, "reason": v.reason.strip()[:500]}
    _check_consistent({k: int(m["value"]) for k, m in manual.items()})
    report.manual = dumps(manual)
    audit.record(
        session,
        actor=actor,
        action="annual.manual",
        obj=report,
        before=before,
        summary="填报：" + "、".join(BY_KEY[v.key].label for v in values),
    )
    return report


def _check_consistent(values: dict[str, int]) -> None:
    for part, whole in (
        ("licensing_granted", "licensing_applications"),
        ("licensing_refused", "licensing_applications"),
        ("reconsideration_corrected", "reconsideration_total"),
        ("litigation_lost", "litigation_total"),
    ):
        if part in values and whole in values and values[part] > values[whole]:
            raise InvalidInput(f"{BY_KEY[part].label}不能大于{BY_KEY[whole].label}。", field=part)
    if {"licensing_granted", "licensing_refused", "licensing_applications"} <= values.keys() and (
        values["licensing_granted"] + values["licensing_refused"] > values["licensing_applications"]
    ):
        raise InvalidInput("准予与不予许可之和不能大于受理的申请。", field="licensing_granted")


def manual_values(report: AnnualReport) -> dict[str, int]:
    """The manual figures' values."""
    return {k: int(m["value"]) for k, m in loads(report.manual).items()}


def all_values(report: AnnualReport) -> dict[str, Any]:
    """Every figure of the report: computed, manual and derived."""
    manual = manual_values(report)
    return {**loads(report.figures), **manual, **derived(manual)}


# --- review, approval, publication ------------------------------------------------------------


def submit(session: Session, *, actor: Actor, report: AnnualReport) -> AnnualReport:
    """Send the draft to the subject's 法制审核."""
    _check_edit(actor, report.subject_id)
    before = audit.snapshot(report)
    ANNUAL_LIFECYCLE.advance(report, "submit")
    audit.record(session, actor=actor, action="annual.submit", obj=report, before=before)
    return report


def review(
    session: Session, *, actor: Actor, report: AnnualReport, passed: bool, opinion: str
) -> AnnualReport:
    """法制审核 by the subject's legal reviewer: passed, or returned with the opinion."""
    actor.require(Permission.SPECIAL_LEGAL_REVIEW)
    if not may_review(actor, report):
        raise Forbidden("只能审核本执法主体的年度行政执法数据。")
    action = "review_pass" if passed else "review_return"
    ANNUAL_LIFECYCLE.check(report, action)
    if not passed and not opinion.strip():
        raise InvalidInput("退回时请写明审核意见。", field="opinion")
    before = audit.snapshot(report)
    ANNUAL_LIFECYCLE.advance(report, action)
    report.review_opinion = opinion.strip()[:2000]
    report.reviewed_by = actor.display_name[:60]
    report.reviewed_at = utcnow()
    audit.record(session, actor=actor, action=f"annual.{action}", obj=report, before=before)
    return report


def seal(report: AnnualReport) -> str:
    """SHA-256 of the published figures (computed and manual) and the query date."""
    body = dumps(
        {
            "figures": loads(report.figures),
            "manual": loads(report.manual),
            "computed_at": report.computed_at.isoformat(),
        }
    )
    return hashlib.sha256(body.encode()).hexdigest()


def approve(
    session: Session, *, actor: Actor, report: AnnualReport, today: dt.date | None = None
) -> AnnualReport:
    """The head approves the reviewed data, which publishes it on the portal."""
    _check_edit(actor, report.subject_id)
    before = audit.snapshot(report)
    ANNUAL_LIFECYCLE.advance(report, "approve")
    report.approved_by = actor.display_name[:60]
    report.approved_at = utcnow()
    report.published_on = today or local_today()
    report.figures_sha256 = seal(report)
    audit.record(session, actor=actor, action="annual.approve", obj=report, before=before)
    _settle_alerts(session, report)
    return report


def _settle_alerts(session: Session, report: AnnualReport) -> None:
    """Publication answers the year's open F5 STATS alerts of the subject: the reminder always,
    the late alert only when the publication was in time after all (a sweep that ran before a
    back-dated publication); a late publication's alert stays for the supervisor."""
    rule = catalogue.F5_STATS.id
    late = is_late(report, report.region_code, report.year, report.published_on or local_today())
    alerts = session.scalars(
        select(Alert).where(
            Alert.rule_id == rule,
            Alert.subject_id == report.subject_id,
            Alert.status.in_(engine.OPEN),
            Alert.dedup_key.startswith(f"{rule}:{report.year}:{report.subject_id}:"),
        )
    )
    for alert in list(alerts):
        if alert.dedup_key.endswith(":late") and late:
            continue
        when = report.published_on.isoformat() if report.published_on else ""
        reason = f"已于{when}公布{report.year}年度行政执法数据。"
        engine.dismiss(session, alert=alert, actor=SYSTEM_ACTOR, reason=reason)


# --- reproducibility -------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """A stored figure the records no longer give."""

    key: str
    label: str
    stored: Any
    now: Any


def recompute(session: Session, report: AnnualReport) -> list[Difference]:
    """Compute the report's figures again from the records; the ones that differ."""
    subject = session.get(EnforcementSubject, report.subject_id)
    assert subject is not None
    fresh = compute.compute(session, compute.Scope(subject=subject), report.year)
    stored = {"figures": loads(report.figures), "lists": loads(report.lists)}
    out = []
    for key in sorted(set(stored["figures"]) | set(fresh.figures)):
        old, new = stored["figures"].get(key), fresh.figures.get(key)
        if old != new:
            label = BY_KEY[key].label if key in BY_KEY else key
            out.append(Difference(key, label, old, new))
    for key in sorted(set(stored["lists"]) | set(fresh.lists)):
        old, new = stored["lists"].get(key), fresh.lists.get(key)
        if old != new:
            out.append(Difference(f"lists.{key}", key, old, new))
    return out
