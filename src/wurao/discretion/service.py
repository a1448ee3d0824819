"""Benchmark tables (裁量基准): who may set them, which one applies to a case, the county-versus-
city conflict check and the D24 check of a proposed fine.

Why here and not in ``cases``: a benchmark is published on its own (a subject's or a city or
county government's document) and read by the public portal; the decision only asks "is this
fine inside the applicable range?", so ``cases.decision`` calls :func:`discretion_findings`
with the case, and this domain never imports ``cases``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter, region_in_scope
from wurao.core import audit
from wurao.core import rules as catalogue
from wurao.core.errors import Forbidden, InvalidInput, NotFound, Violation
from wurao.core.ids import (
    IdentifierError,
    region_level,
    region_parent,
    region_scope_prefix,
    validate_region_code,
)
from wurao.core.paging import Page, paginate
from wurao.core.text import MAX_TEXT
from wurao.core.time import utcnow
from wurao.discretion.models import BenchmarkRow, BenchmarkTable, Circumstance, OwnerKind
from wurao.registry.models import EnforcementSubject
from wurao.registry.service import region_path

# Only a city (设区市) or a county may set or refine a benchmark (衢政办发〔2025〕16号 第14项).
OWNER_LEVELS = {"prefecture": "市级", "county": "县级"}
MANAGE = Permission.ITEMS_MANAGE  # those who keep the field's item lists keep its benchmarks


class CaseView(Protocol):
    """What the D24 and D17 checks read of a penalty case (``cases.models.PenaltyCase``)."""

    @property
    def id(self) -> int: ...
    @property
    def subject_id(self) -> int: ...
    @property
    def region_code(self) -> str: ...
    @property
    def field(self) -> str: ...
    @property
    def violation_code(self) -> str: ...
    @property
    def circumstance(self) -> str: ...
    @property
    def provisions_breached(self) -> str: ...
    @property
    def provisions_applied(self) -> str: ...
    @property
    def discretion_reason(self) -> str: ...


def norm(value: str) -> str:
    """A provision or name compared without spaces and book-title marks."""
    return re.sub(r"[\s《》〈〉“”\"'：:，,。；;]", "", value)


def owner_level(region_code: str) -> str:
    """The level of a benchmark's owner region; a town (or a province) is refused (D24)."""
    try:
        level = region_level(validate_region_code(region_code))
    except IdentifierError as exc:
        raise InvalidInput(exc.reason, field="region_code") from exc
    if level == "town":
        raise InvalidInput(
            "乡镇（街道）不得制定或细化量化行政处罚裁量基准（衢政办发〔2025〕16号 第14项）。",
            field="region_code",
        )
    if level not in OWNER_LEVELS:
        raise InvalidInput(
            "裁量基准由市级或县级制定，请选择市、县（市、区）。", field="region_code"
        )
    return level


# --- scope ----------------------------------------------------------------------------------


def tables_visible_to(actor: Actor) -> Select[BenchmarkTable]:
    """Published tables for every staff member, plus the drafts the actor may edit."""
    actor.require(Permission.CASES_VIEW)
    stmt = select(BenchmarkTable)
    if actor.role is Role.SYSADMIN:
        return stmt
    own: list[ColumnElement[bool]] = [BenchmarkTable.published.is_(True)]
    if actor.role is Role.SUPERVISOR:
        own.append(
            (BenchmarkTable.owner_kind == OwnerKind.REGION)
            & region_filter(actor, BenchmarkTable.region_code)
        )
    elif actor.subject_id is not None:
        own.append(BenchmarkTable.subject_id == actor.subject_id)
    return stmt.where(or_(*own))


def may_edit(actor: Actor, table: BenchmarkTable) -> bool:
    """A subject's table by its own administrator; a region's by the supervisor of that
    region or above; everything by the system administrator."""
    if not actor.can(MANAGE):
        return False
    if actor.role is Role.SYSADMIN:
        return True
    if table.owner_kind == OwnerKind.SUBJECT:
        return actor.role is Role.AGENCY_ADMIN and actor.subject_id == table.subject_id
    return actor.role is Role.SUPERVISOR and actor.covers_region(table.region_code)


def check_edit(actor: Actor, table: BenchmarkTable) -> None:
    """Raise Forbidden unless the actor may change the table."""
    actor.require(MANAGE)
    if not may_edit(actor, table):
        raise Forbidden("只能维护本单位或本地区的裁量基准。")


def get_table(session: Session, *, actor: Actor, table_id: int) -> BenchmarkTable:
    """One table the actor may read (NotFound otherwise)."""
    table = session.scalar(tables_visible_to(actor).where(BenchmarkTable.id == table_id))
    if table is None:
        raise NotFound("裁量基准不存在，或不在您的权限范围内。")
    return table


def rows_of(session: Session, table: BenchmarkTable) -> list[BenchmarkRow]:
    """The table's rows in sheet order."""
    stmt = select(BenchmarkRow).where(BenchmarkRow.table_id == table.id)
    return list(session.scalars(stmt.order_by(BenchmarkRow.line, BenchmarkRow.id)))


# --- writes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableData:
    """A new table as the form gives it."""

    owner_kind: str
    field: str
    title: str
    effective_from: dt.date | None
    doc_number: str = ""
    region_code: str = ""  # a region table's region
    subject_id: int | None = None  # a subject table's subject (the admin's own by default)


def _clean(value: str, *, field: str, label: str, limit: int, required: bool = True) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidInput(f"请填写{label}。", field=field)
    if len(cleaned) > min(limit, MAX_TEXT):
        raise InvalidInput(f"{label}最多{limit}个字。", field=field)
    return cleaned


def create_table(session: Session, *, actor: Actor, data: TableData) -> BenchmarkTable:
    """A draft benchmark table of the actor's subject or of a region in its scope."""
    actor.require(MANAGE)
    if data.owner_kind == OwnerKind.SUBJECT:
        subject_id = data.subject_id if actor.role is Role.SYSADMIN else actor.subject_id
        subject = session.get(EnforcementSubject, subject_id) if subject_id else None
        if subject is None:
            raise InvalidInput("请选择制定基准的执法主体。", field="subject_id")
        region, subject_ref = subject.region_code, subject.id
    elif data.owner_kind == OwnerKind.REGION:
        region, subject_ref = data.region_code.strip(), None
    else:
        raise InvalidInput("请选择基准的制定者。", field="owner_kind")
    level = owner_level(region)
    if data.effective_from is None:
        raise InvalidInput("请填写施行日期。", field="effective_from")
    table = BenchmarkTable(
        owner_kind=data.owner_kind,
        subject_id=subject_ref,
        region_code=region,
        level=level,
        field=_clean(data.field, field="field", label="执法领域", limit=30),
        title=_clean(data.title, field="title", label="基准名称", limit=200),
        doc_number=_clean(
            data.doc_number, field="doc_number", label="文号", limit=120, required=False
        ),
        effective_from=data.effective_from,
        created_by_id=actor.user_id,
        created_at=utcnow(),
    )
    check_edit(actor, table)
    session.add(table)
    audit.record(
        session,
        actor=actor,
        action="discretion.create",
        obj=table,
        summary=f"新建裁量基准：{table.title}",
        region_code=table.region_code,
    )
    return table


def publish_table(
    session: Session, *, actor: Actor, table: BenchmarkTable, on: dt.date
) -> BenchmarkTable:
    """Publish a table that has rows (公开: it shows on the portal from now on)."""
    check_edit(actor, table)
    if table.published:
        raise InvalidInput("该裁量基准已公布。")
    if not rows_of(session, table):
        raise InvalidInput("裁量基准尚无内容，请先导入。", field="file")
    before = audit.snapshot(table)
    table.published, table.published_on = True, on
    audit.record(
        session,
        actor=actor,
        action="discretion.publish",
        obj=table,
        before=before,
        summary=f"公布裁量基准：{table.title}",
        region_code=table.region_code,
    )
    return table


# --- the conflict check (county against city) -----------------------------------------------


@dataclass(frozen=True)
class RangeConflict:
    """A county row whose range leaves the city's range for the same violation and
    circumstance."""

    row: BenchmarkRow
    upper: BenchmarkRow
    upper_table: BenchmarkTable

    def violation(self) -> Violation:
        """The finding as a D24 warning."""
        row, upper = self.row, self.upper
        own = fen_range(row.fine_min_fen, row.fine_max_fen)
        city = fen_range(upper.fine_min_fen, upper.fine_max_fen)
        return catalogue.D24.warning(
            f"第{row.line}行“{row.violation}”（{Circumstance(row.circumstance).label}）"
            f"罚款幅度{own}超出市级基准《{self.upper_table.title}》的{city}。",
            row=row.line,
        )


def fen_range(low: int, high: int) -> str:
    """A fine range as pages write it (元, both bounds inclusive)."""
    return f"{_yuan(low)}至{_yuan(high)}"


def _yuan(fen: int) -> str:
    whole, cents = divmod(fen, 100)
    return f"{whole:,}元" if cents == 0 else f"{whole:,}.{cents:02d}元"


def _key(row: BenchmarkRow) -> tuple[str, str]:
    return (row.violation_code.strip() or norm(row.violation), row.circumstance)


def conflicts(session: Session, table: BenchmarkTable) -> list[RangeConflict]:
    """The rows of a county table outside the published city table of its field (D24)."""
    if table.level != "county":
        return []
    city = region_parent(table.region_code)
    uppers = session.scalars(
        select(BenchmarkTable)
        .where(
            BenchmarkTable.level == "prefecture",
            BenchmarkTable.region_code == city,
            BenchmarkTable.field == table.field,
            BenchmarkTable.published.is_(True),
        )
        .order_by(BenchmarkTable.effective_from.desc(), BenchmarkTable.id.desc())
    ).all()
    upper_rows: dict[tuple[str, str], tuple[BenchmarkRow, BenchmarkTable]] = {}
    for upper_table in uppers:  # the newest city table wins for a key it holds
        for line in rows_of(session, upper_table):
            upper_rows.setdefault(_key(line), (line, upper_table))
    found = []
    for row in rows_of(session, table):
        hit = upper_rows.get(_key(row))
        if hit is None:
            continue
        upper, upper_table = hit
        if row.fine_min_fen < upper.fine_min_fen or row.fine_max_fen > upper.fine_max_fen:
            found.append(RangeConflict(row, upper, upper_table))
    return found


# --- D24 at the decision --------------------------------------------------------------------


@dataclass(frozen=True)
class Applicable:
    """The benchmark range that applies to a case: its table, matching rows and bounds."""

    table: BenchmarkTable
    rows: list[BenchmarkRow]
    low: int
    high: int

    @property
    def label(self) -> str:
        """The range as the page and the warning write it."""
        return fen_range(self.low, self.high)


def row_matches(row_code: str, row_provision: str, case: CaseView) -> bool:
    """Whether a benchmark or list line names the case's violation: the same code, or its
    provision written in the case's provisions breached or applied."""
    if row_code.strip() and case.violation_code.strip():
        return row_code.strip() == case.violation_code.strip()
    wanted = norm(row_provision)
    if not wanted:
        return False
    return wanted in norm(case.provisions_breached) or wanted in norm(case.provisions_applied)


def _candidate_tables(session: Session, case: CaseView, on: dt.date) -> list[BenchmarkTable]:
    """Published tables in force for the case, most specific first: the subject's own, the
    county's, the city's; within each the newest."""
    regions = {case.region_code[:6]}
    parent = region_parent(case.region_code[:6])
    if parent:
        regions.add(parent)
    found = session.scalars(
        select(BenchmarkTable).where(
            BenchmarkTable.published.is_(True),
            BenchmarkTable.field == case.field,
            BenchmarkTable.effective_from <= on,
            or_(
                BenchmarkTable.subject_id == case.subject_id,
                (BenchmarkTable.owner_kind == OwnerKind.REGION)
                & BenchmarkTable.region_code.in_(regions),
            )
            if case.field
            else false(),
        )
    ).all()

    def rank(t: BenchmarkTable) -> tuple[int, int, int]:
        own = 0 if t.subject_id == case.subject_id else 1
        county = 0 if t.level == "county" else 1
        return (own, county, -t.effective_from.toordinal())

    return sorted(found, key=rank)


def applicable_range(session: Session, case: CaseView, on: dt.date) -> Applicable | None:
    """The range of the most specific table holding the case's violation (of its circumstance
    when recorded, else every circumstance), or None when no benchmark covers it."""
    for table in _candidate_tables(session, case, on):
        rows = [
            r for r in rows_of(session, table) if row_matches(r.violation_code, r.provision, case)
        ]
        if case.circumstance:
            rows = [r for r in rows if r.circumstance == case.circumstance]
        if rows:
            low = min(r.fine_min_fen for r in rows)
            high = max(r.fine_max_fen for r in rows)
            return Applicable(table, rows, low, high)
    return None


def discretion_findings(
    session: Session, case: CaseView, fine_fen: int, on: dt.date
) -> list[Violation]:
    """D24 (WARN): a fine outside the applicable range (bounds inclusive) without a written
    reason."""
    if fine_fen <= 0:
        return []
    found = applicable_range(session, case, on)
    if found is None or found.low <= fine_fen <= found.high:
        return []
    if case.discretion_reason.strip():
        return []
    return [
        catalogue.D24.violation(
            f"拟罚款{_yuan(fine_fen)}超出《{found.table.title}》的幅度{found.label}，"
            "请书面说明理由（裁量说明）。",
            field="discretion_reason",
            range=found.label,
        )
    ]


# --- lists and the public portal --------------------------------------------------------------


def list_tables(
    session: Session,
    stmt: Select[BenchmarkTable],
    *,
    region: str = "",
    field: str = "",
    page: int = 1,
) -> Page[BenchmarkTable]:
    """Tables of ``stmt`` in a region (and below) and a field, newest first, one page."""
    if region.strip():
        stmt = stmt.where(region_in_scope(BenchmarkTable.region_code, _prefix(region)))
    if field.strip():
        stmt = stmt.where(BenchmarkTable.field == field.strip())
    stmt = stmt.order_by(
        BenchmarkTable.region_code, BenchmarkTable.effective_from.desc(), BenchmarkTable.id
    )
    return paginate(session, stmt, page)


def _prefix(region: str) -> str:
    try:
        return region_scope_prefix(validate_region_code(region))
    except IdentifierError as exc:
        raise InvalidInput(exc.reason, field="region") from exc


def public_tables(
    session: Session, *, region: str = "", field: str = "", page: int = 1
) -> Page[BenchmarkTable]:
    """Published tables, for anyone (no region scope: what is published is open)."""
    stmt = select(BenchmarkTable).where(BenchmarkTable.published.is_(True))
    return list_tables(session, stmt, region=region, field=field, page=page)


def get_public_table(session: Session, *, table_id: int) -> BenchmarkTable:
    """One published table (NotFound for a draft)."""
    table = session.scalar(
        select(BenchmarkTable).where(
            BenchmarkTable.id == table_id, BenchmarkTable.published.is_(True)
        )
    )
    if table is None:
        raise NotFound("裁量基准不存在或尚未公布。")
    return table


def owner_name(session: Session, table: BenchmarkTable) -> str:
    """Who set the table: the subject's name, or the region's full name."""
    if table.subject_id is not None:
        subject = session.get(EnforcementSubject, table.subject_id)
        return subject.name if subject else ""
    return region_path(session, table.region_code) + "人民政府"
