"""The open data's reads: what the portal publishes, as flat rows, for anyone.

Each list is filtered by region (the region and those below it; items: those applicable in it)
and by a date (``since``/``until`` on the resource's own date, named in ``DATE_OF``), ordered by
id so that pages stay stable while rows are added. The serialisers (``*_out``) are shared with
the portal's JSON and CSV twins, so a row reads the same wherever it is published.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Row, Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from wurao.auth.scope import region_in_scope
from wurao.cases import publication
from wurao.cases.publication import PublicDecision
from wurao.core.errors import InvalidInput, NotFound
from wurao.core.paging import (
    PER_PAGE,
    Page,
    paginate,
    paginate_list,
    paginate_rows,
)
from wurao.core.rules import RuleDef, catalogue
from wurao.core.time import LOCAL_TZ, local_date, local_today
from wurao.discretion.models import BenchmarkTable
from wurao.discretion.service import owner_name
from wurao.inspections.models import InspectionRecord, InspectionTask, TaskSubject
from wurao.planning.models import InspectionPlan, SpecialInspection
from wurao.planning.service import PUBLIC_STATES
from wurao.planning.special import SPECIAL_PUBLIC
from wurao.registry.items.service import checklists_of, region_lineage
from wurao.registry.models import (
    ChecklistLine,
    EnforcementSubject,
    Enterprise,
    InspectionItem,
    Officer,
)
from wurao.reports.annual import service as annual
from wurao.reports.annual.catalogue import FIGURES
from wurao.reports.annual.models import AnnualReport
from wurao.reports.annual.statuses import AnnualStatus
from wurao.reports.open_data.published import (
    DecisionOut,
    DiscretionOut,
    DrawOut,
    ItemOut,
    PersonnelOut,
    PlanOut,
    ResultOut,
    RuleOut,
    SpecialOut,
    StatisticOut,
    SubjectOut,
)
from wurao.reports.portal import region_prefix
from wurao.sampling.models import Draw
from wurao.sampling.results import OUTCOMES

Ts = TypeVarTuple("Ts")


@dataclass(frozen=True)
class Filters:
    """The filters every resource takes: a region code, a date range on the resource's date."""

    region: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise InvalidInput("「起始日期」不能晚于「截止日期」。", field="since")


def _dated(stmt: Select[*Ts], col: InstrumentedAttribute[Any], f: Filters) -> Select[*Ts]:
    if f.since:
        stmt = stmt.where(col >= f.since)
    if f.until:
        stmt = stmt.where(col <= f.until)
    return stmt


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), LOCAL_TZ)


# --- serialisers (shared with the portal twins) ----------------------------------------------


def subject_out(s: EnforcementSubject) -> SubjectOut:
    """An announced subject as published."""
    return SubjectOut(
        id=s.id, name=s.name, uscc=s.uscc, region_code=s.region_code, field=s.field,
        level=s.level, kind=s.kind, legal_basis=s.legal_basis, announced_on=s.announced_on,
        announcement_ref=s.announcement_ref,
    )  # fmt: skip


def cert_state(o: Officer, today: dt.date) -> str:
    """valid / expired / not_yet_valid: what an enterprise checking at the door needs."""
    if o.cert_valid_to is not None and o.cert_valid_to < today:
        return "expired"
    if o.cert_valid_from is not None and o.cert_valid_from > today:
        return "not_yet_valid"
    return "valid"


CERT_STATES = {"valid": "有效", "expired": "已过期", "not_yet_valid": "未生效"}


def personnel_out(o: Officer, s: EnforcementSubject, today: dt.date) -> PersonnelOut:
    """A certified officer as published: name, subject, certificate; never the ID number."""
    return PersonnelOut(
        id=o.id, name=o.name, subject_id=s.id, subject_name=s.name, region_code=s.region_code,
        field=s.field, cert_no=o.cert_no or "", cert_valid_from=o.cert_valid_from,
        cert_valid_to=o.cert_valid_to, cert_state=cert_state(o, today),
    )  # fmt: skip


def item_out(i: InspectionItem, lines: Sequence[ChecklistLine]) -> ItemOut:
    """A published item with its checklist lines."""
    return ItemOut(
        id=i.id, code=i.code, name=i.name, field=i.field, region_code=i.region_code,
        basis_level=i.basis_level, basis_law=i.basis_law, basis_article=i.basis_article,
        standard=i.standard, methods=i.methods, on_dss_list=i.on_dss_list,
        published_on=i.published_on, checklist=[line.text for line in lines],
    )  # fmt: skip


def items_out(session: Session, items: Sequence[InspectionItem]) -> list[ItemOut]:
    """Several items with their checklists (one query for the lines)."""
    lines = checklists_of(session, items)
    return [item_out(i, lines.get(i.id, [])) for i in items]


def plan_out(p: InspectionPlan, s: EnforcementSubject) -> PlanOut:
    """A published plan version."""
    return PlanOut(
        id=p.id, subject_id=s.id, subject_name=s.name, region_code=s.region_code, year=p.year,
        version=p.version, title=p.title, status=p.status, published_on=p.published_on,
        filing_status=p.filing_status,
    )  # fmt: skip


def special_out(sp: SpecialInspection, s: EnforcementSubject) -> SpecialOut:
    """A published special inspection."""
    return SpecialOut(
        id=sp.id, subject_id=s.id, subject_name=s.name, region_code=s.region_code, year=sp.year,
        title=sp.title, scope=sp.scope, start_on=sp.start_on, end_on=sp.end_on,
        approval_organ=sp.approval_organ, approval_ref=sp.approval_ref,
        approved_on=sp.approved_on, published_on=sp.published_on,
    )  # fmt: skip


def draw_out(d: Draw) -> DrawOut:
    """A committed draw and the addresses of its artefacts."""
    return DrawOut(
        id=d.id, title=d.title, region_code=d.region_code, lead_subject_id=d.lead_subject_id,
        draw_date=d.draw_date, method=d.method, window_start=d.window_start,
        window_end=d.window_end, status=d.status, pool_size=d.pool_size,
        pool_sha256=d.pool_sha256, seed_commitment=d.seed_commitment,
        seed_hex=d.seed_hex if d.seed_revealed else "", public_value=d.public_value,
        tasks_created=d.tasks_created,
        artefacts_url=f"/public/draws/{d.id}/artefacts.json",
        pool_url=f"/public/draws/{d.id}/pool.csv",
        results_url=f"/public/draws/{d.id}/results",
    )  # fmt: skip


def decision_out(d: PublicDecision) -> DecisionOut:
    """A published decision (the party already reduced to 张某 for a person)."""
    return DecisionOut(
        id=d.id, number=d.number, organ=d.organ, region_code=d.region_code, field=d.field,
        decided_on=d.decided_on, published_on=d.published_on, party=d.party, facts=d.facts,
        provisions_breached=d.provisions_breached, provisions_applied=d.provisions_applied,
        penalty=d.penalty,
    )  # fmt: skip


def discretion_out(t: BenchmarkTable, owner: str) -> DiscretionOut:
    """A published benchmark table's header."""
    return DiscretionOut(
        id=t.id, title=t.title, owner=owner, region_code=t.region_code, level=t.level,
        field=t.field, doc_number=t.doc_number, effective_from=t.effective_from,
        published_on=t.published_on,
    )  # fmt: skip


def rule_out(r: RuleDef) -> RuleOut:
    """A catalogue rule."""
    return RuleOut(
        id=r.id, title=r.title, source=r.source, severity=r.severity, params="|".join(r.params),
        unconfirmed=r.unconfirmed,
    )  # fmt: skip


# --- the resources' reads ------------------------------------------------------------------


def _announced() -> ColumnElement[bool]:
    return EnforcementSubject.announced_on.is_not(None) & (
        EnforcementSubject.announced_on <= local_today()
    )


def subjects(session: Session, f: Filters, page: int, per_page: int) -> Page[SubjectOut]:
    """Announced subjects; date: announced_on."""
    stmt = select(EnforcementSubject).where(_announced())
    if f.region.strip():
        stmt = stmt.where(region_in_scope(EnforcementSubject.region_code, region_prefix(f.region)))
    stmt = _dated(stmt, EnforcementSubject.announced_on, f)
    found = paginate(session, stmt.order_by(EnforcementSubject.id), page, per_page)
    return found.map(subject_out)


def personnel_stmt(
    *, region: str = "", q: str = "", subject_id: int | None = None
) -> Select[Officer, EnforcementSubject]:
    """Certified, active officers of announced subjects, by name or certificate number."""
    stmt = (
        select(Officer, EnforcementSubject)
        .join(EnforcementSubject, EnforcementSubject.id == Officer.subject_id)
        .where(
            _announced(),
            Officer.kind == "officer",
            Officer.active.is_(True),
            Officer.cert_no.is_not(None),
            Officer.cert_no != "",
        )
    )
    if region.strip():
        stmt = stmt.where(region_in_scope(EnforcementSubject.region_code, region_prefix(region)))
    if subject_id is not None:
        stmt = stmt.where(Officer.subject_id == subject_id)
    text = q.strip()
    if text:
        stmt = stmt.where(
            Officer.name.contains(text, autoescape=True)
            | Officer.cert_no.contains(text.upper(), autoescape=True)
            | Officer.cert_no.contains(text, autoescape=True)
        )
    return stmt


def personnel(session: Session, f: Filters, page: int, per_page: int) -> Page[PersonnelOut]:
    """Certified officers; date: the certificate's first valid day."""
    stmt = _dated(personnel_stmt(region=f.region), Officer.cert_valid_from, f)
    found = paginate_rows(session, stmt.order_by(Officer.id), page, per_page)
    today = local_today()
    return found.map(lambda row: personnel_out(row[0], row[1], today))


def items(session: Session, f: Filters, page: int, per_page: int) -> Page[ItemOut]:
    """Published items applicable in the region (its own and its ancestors'); date: published_on."""
    stmt = select(InspectionItem).where(InspectionItem.status == "published")
    if f.region.strip():
        region_prefix(f.region)  # validates the code
        stmt = stmt.where(InspectionItem.region_code.in_(region_lineage(f.region.strip())))
    stmt = _dated(stmt, InspectionItem.published_on, f)
    found = paginate(session, stmt.order_by(InspectionItem.id), page, per_page)
    return found.with_items(items_out(session, found.items))


def plans(session: Session, f: Filters, page: int, per_page: int) -> Page[PlanOut]:
    """Every published plan version (superseded ones too); date: published_on."""
    stmt = (
        select(InspectionPlan, EnforcementSubject)
        .join(EnforcementSubject, EnforcementSubject.id == InspectionPlan.subject_id)
        .where(InspectionPlan.status.in_(PUBLIC_STATES), InspectionPlan.published_on.is_not(None))
    )
    if f.region.strip():
        stmt = stmt.where(region_in_scope(EnforcementSubject.region_code, region_prefix(f.region)))
    stmt = _dated(stmt, InspectionPlan.published_on, f)
    found = paginate_rows(session, stmt.order_by(InspectionPlan.id), page, per_page)
    return found.map(lambda row: plan_out(row[0], row[1]))


def specials(session: Session, f: Filters, page: int, per_page: int) -> Page[SpecialOut]:
    """Published special inspections; date: published_on."""
    stmt = (
        select(SpecialInspection, EnforcementSubject)
        .join(EnforcementSubject, EnforcementSubject.id == SpecialInspection.subject_id)
        .where(SpecialInspection.status.in_(SPECIAL_PUBLIC))
    )
    if f.region.strip():
        stmt = stmt.where(region_in_scope(EnforcementSubject.region_code, region_prefix(f.region)))
    stmt = _dated(stmt, SpecialInspection.published_on, f)
    found = paginate_rows(session, stmt.order_by(SpecialInspection.id), page, per_page)
    return found.map(lambda row: special_out(row[0], row[1]))


def draws(session: Session, f: Filters, page: int, per_page: int) -> Page[DrawOut]:
    """Committed draws (frozen, drawn or cancelled); date: draw_date."""
    stmt = select(Draw).where(Draw.frozen_at.is_not(None))
    if f.region.strip():
        stmt = stmt.where(region_in_scope(Draw.region_code, region_prefix(f.region)))
    stmt = _dated(stmt, Draw.draw_date, f)
    return paginate(session, stmt.order_by(Draw.id), page, per_page).map(draw_out)


def results_stmt(
    *, region: str = "", q: str = ""
) -> Select[InspectionTask, Enterprise, InspectionRecord]:
    """Published inspection results with their enterprise (一公开)."""
    stmt = (
        select(InspectionTask, Enterprise, InspectionRecord)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .join(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
        .where(InspectionRecord.published_at.is_not(None))
    )
    if region.strip():
        stmt = stmt.where(region_in_scope(InspectionTask.region_code, region_prefix(region)))
    if q.strip():
        stmt = stmt.where(
            Enterprise.name.contains(q.strip(), autoescape=True)
            | (Enterprise.uscc == q.strip().upper())
        )
    return stmt


def results_out(
    session: Session, rows: Sequence[Row[InspectionTask, Enterprise, InspectionRecord]]
) -> list[ResultOut]:
    """Result rows with the names of the subjects that inspected (one query)."""
    tasks = [row[0] for row in rows]
    names: dict[int, list[str]] = defaultdict(list)
    if tasks:
        for task_id, name in session.execute(
            select(TaskSubject.task_id, EnforcementSubject.name)
            .join(EnforcementSubject, EnforcementSubject.id == TaskSubject.subject_id)
            .where(TaskSubject.task_id.in_([t.id for t in tasks]))
            .order_by(TaskSubject.task_id, TaskSubject.lead.desc(), EnforcementSubject.id)
        ):
            names[task_id].append(name)
    out = []
    for task, ent, rec in rows:
        out.append(
            ResultOut(
                id=task.id, draw_id=task.draw_id, region_code=task.region_code,
                enterprise_name=ent.name, enterprise_uscc=ent.uscc,
                subject_names="、".join(names[task.id]), method=task.method,
                finished_on=local_date(rec.finished_at) if rec.finished_at else None,
                outcome=rec.outcome, outcome_label=OUTCOMES.get(rec.outcome, rec.outcome),
                published_on=local_date(rec.published_at) if rec.published_at else None,
            )
        )  # fmt: skip
    return out


def results(session: Session, f: Filters, page: int, per_page: int) -> Page[ResultOut]:
    """Published inspection results; date: the day published."""
    stmt = results_stmt(region=f.region)
    if f.since:
        stmt = stmt.where(InspectionRecord.published_at >= _day_start(f.since))
    if f.until:
        stmt = stmt.where(
            InspectionRecord.published_at < _day_start(f.until + dt.timedelta(days=1))
        )
    found = paginate_rows(session, stmt.order_by(InspectionTask.id), page, per_page)
    return found.with_items(results_out(session, found.items))


def discretion(session: Session, f: Filters, page: int, per_page: int) -> Page[DiscretionOut]:
    """Published benchmark tables; date: published_on."""
    stmt = select(BenchmarkTable).where(BenchmarkTable.published.is_(True))
    if f.region.strip():
        stmt = stmt.where(region_in_scope(BenchmarkTable.region_code, region_prefix(f.region)))
    stmt = _dated(stmt, BenchmarkTable.published_on, f)
    found = paginate(session, stmt.order_by(BenchmarkTable.id), page, per_page)
    owners: dict[tuple[int | None, str], str] = {}  # a page repeats a few owners many times
    for t in found.items:
        key = (t.subject_id, t.region_code)
        if key not in owners:
            owners[key] = owner_name(session, t)
    return found.map(lambda t: discretion_out(t, owners[(t.subject_id, t.region_code)]))


def rules(session: Session, f: Filters, page: int, per_page: int) -> Page[RuleOut]:
    """The rule catalogue, in catalogue order (no region or date)."""
    return paginate_list([rule_out(r) for r in catalogue()], page, per_page)


def decisions(session: Session, f: Filters, page: int, per_page: int) -> Page[DecisionOut]:
    """Published penalty decisions still in force (withdrawn ones drop out); date: published_on."""
    prefix = region_prefix(f.region) if f.region.strip() else ""
    found = publication.open_data_decisions(
        session, region_prefix=prefix, since=f.since, until=f.until, page=page, per_page=per_page
    )
    return found.map(decision_out)


# --- the portal's own lists (their pages and twins keep the portal's order) ------------------


def portal_personnel(
    session: Session, *, region: str = "", q: str = "", page: int = 1, per_page: int = PER_PAGE
) -> Page[PersonnelOut]:
    """Certified officers by name or certificate number, by subject then name (执法人员公示)."""
    stmt = personnel_stmt(region=region, q=q).order_by(
        EnforcementSubject.region_code, EnforcementSubject.name, Officer.name, Officer.id
    )
    today = local_today()
    found = paginate_rows(session, stmt, page, per_page)
    return found.map(lambda row: personnel_out(row[0], row[1], today))


def portal_results(
    session: Session, *, region: str = "", q: str = "", page: int = 1, per_page: int = PER_PAGE
) -> Page[ResultOut]:
    """Published inspection results, newest publication first (检查结果公示)."""
    stmt = results_stmt(region=region, q=q).order_by(
        InspectionRecord.published_at.desc(), InspectionTask.id.desc()
    )
    found = paginate_rows(session, stmt, page, per_page)
    return found.with_items(results_out(session, found.items))


def portal_guides(
    session: Session, *, region: str = "", page: int = 1, per_page: int = PER_PAGE
) -> Page[SubjectOut]:
    """Announced subjects, each with its service guide, by region then name (服务指南)."""
    stmt = select(EnforcementSubject).where(_announced())
    if region.strip():
        stmt = stmt.where(region_in_scope(EnforcementSubject.region_code, region_prefix(region)))
    stmt = stmt.order_by(
        EnforcementSubject.region_code, EnforcementSubject.name, EnforcementSubject.id
    )
    return paginate(session, stmt, page, per_page).map(subject_out)


def announced_subject(session: Session, *, subject_id: int) -> EnforcementSubject:
    """One announced subject (NotFound otherwise)."""
    subject = session.scalar(
        select(EnforcementSubject).where(EnforcementSubject.id == subject_id, _announced())
    )
    if subject is None:
        raise NotFound("该执法主体不存在或尚未公告。")
    return subject


def statistics(session: Session, f: Filters, page: int, per_page: int) -> Page[StatisticOut]:
    """Published annual figures, one row per subject, year and figure; date: published_on.

    The figures are those approved and sealed (``reports.annual``), read as published."""
    stmt = (
        select(AnnualReport, EnforcementSubject)
        .join(EnforcementSubject, EnforcementSubject.id == AnnualReport.subject_id)
        .where(AnnualReport.status == AnnualStatus.PUBLISHED.value)
    )
    if f.region.strip():
        stmt = stmt.where(region_in_scope(AnnualReport.region_code, region_prefix(f.region)))
    stmt = _dated(stmt, AnnualReport.published_on, f)
    rows = []
    for report, subject in session.execute(stmt.order_by(AnnualReport.id)):
        values = annual.all_values(report)
        rows += [
            StatisticOut(
                year=report.year, subject_id=subject.id, subject_name=subject.name,
                region_code=report.region_code, key=fig.key, label=fig.label,
                category=fig.category, unit=fig.unit, value=values.get(fig.key),
                published_on=report.published_on,
            )
            for fig in FIGURES
        ]  # fmt: skip
    # a report is a few dozen figures: the published reports are read whole, paged in memory
    return paginate_list(rows, page, per_page)
