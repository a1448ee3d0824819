"""Monthly fine revenue (罚没收入) per subject and per region, and the paid cases behind a month.

One figure per subject and month: the finance side's imported figure when one exists for that
subject and month (it is the booked 罚没收入, and the only source for the years before the
platform), otherwise the fines paid on the platform's cases that month (``paid_fen`` — the fine
and any D16 surcharge — by the local date ``paid_on``). A region's figure is the sum of its
subjects'. The same reads serve the pages, the JSON API, the dashboard section and the F1 rule,
so they cannot disagree (docs/indicators.md "Fine revenue").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor, region_filter, region_in_scope
from wurao.cases.models import PenaltyCase
from wurao.core.errors import NotFound
from wurao.core.paging import PER_PAGE, Page, paginate
from wurao.oversight.fines.models import FineRevenueMonth
from wurao.registry.models import EnforcementSubject, Region

CASES = "cases"  # a month counted from the paid cases
IMPORTED = "import"  # a month taken from the finance side's sheet


@dataclass
class Year:
    """Twelve monthly figures (fen) of one subject or region, and where each came from."""

    months: list[int] = field(default_factory=lambda: [0] * 12)
    sources: list[str] = field(default_factory=lambda: [""] * 12)

    def upto(self, last_month: int) -> int:
        """The sum of January to ``last_month``."""
        return sum(self.months[:last_month])


@dataclass
class Row:
    """One line of the monthly table: this year, last year, and the year-on-year change."""

    key: str  # the subject id or the region code
    label: str
    region_code: str
    now: Year
    last: Year
    compared: int  # the months compared: January to this month

    @property
    def total(self) -> int:
        """This year's figure over the compared months."""
        return self.now.upto(self.compared)

    @property
    def last_total(self) -> int:
        """Last year's figure over the same months."""
        return self.last.upto(self.compared)

    @property
    def growth(self) -> float | None:
        """(本期 − 上年同期) ÷ 上年同期, None when last year's figure is 0."""
        return growth(self.total, self.last_total)


def growth(now: int, last: int) -> float | None:
    """Year-on-year change as a fraction; None without a base."""
    return (now - last) / last if last else None


def compared_months(year: int, today: dt.date) -> int:
    """The months the year-on-year compares: the whole months of ``year`` already over (all
    twelve for a past year; none yet in January of this year)."""
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month - 1


def actor_prefix(actor: Actor) -> str:
    """The region prefix whose figures the actor may see (checks the permission)."""
    actor.require(Permission.DASHBOARD_VIEW)
    return "" if actor.role is Role.SYSADMIN else actor.scope_prefix


SubjectYears = dict[tuple[int, int], Year]  # (subject id, year) → its months


def subject_years(
    session: Session, *, prefix: str, first_year: int, last_year: int
) -> tuple[SubjectYears, dict[int, str]]:
    """Every subject's monthly figures in the region ``prefix`` (all when empty) for the years
    ``first_year``…``last_year``, and each subject's region. Two grouped queries."""
    start, end = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
    out: SubjectYears = defaultdict(Year)
    regions: dict[int, str] = {}
    c = PenaltyCase
    paid = session.execute(
        select(c.subject_id, c.region_code, c.paid_on, func.sum(c.paid_fen))
        .where(
            c.paid_on >= start,
            c.paid_on <= end,
            c.paid_fen > 0,
            region_in_scope(c.region_code, prefix),
        )
        .group_by(c.subject_id, c.region_code, c.paid_on)
    )
    for subject_id, region, day, fen in paid:
        assert day is not None  # selected so
        year = out[(subject_id, day.year)]
        year.months[day.month - 1] += int(fen or 0)
        year.sources[day.month - 1] = CASES
        regions.setdefault(subject_id, region)
    f = FineRevenueMonth
    imported = session.execute(
        select(f.subject_id, f.region_code, f.month, f.amount_fen).where(
            f.month >= start, f.month <= end, region_in_scope(f.region_code, prefix)
        )
    )
    for subject_id, region, month, fen in imported:
        year = out[(subject_id, month.year)]
        year.months[month.month - 1] = int(fen)  # the booked figure replaces the cases'
        year.sources[month.month - 1] = IMPORTED
        regions.setdefault(subject_id, region)
    return dict(out), regions


def county(region_code: str) -> str:
    """The county-level code a region's figures are summed under (a town counts in its county)."""
    return region_code[:6]


def region_years(figures: SubjectYears, regions: dict[int, str]) -> dict[tuple[str, int], Year]:
    """Subjects' figures summed per county-level region and year."""
    out: dict[tuple[str, int], Year] = defaultdict(Year)
    for (subject_id, year), months in figures.items():
        total = out[(county(regions[subject_id]), year)]
        for i in range(12):
            total.months[i] += months.months[i]
            if months.sources[i] and total.sources[i] != months.sources[i]:
                total.sources[i] = "mixed" if total.sources[i] else months.sources[i]
    return dict(out)


@dataclass
class Table:
    """The monthly table of a region for one year, by subject or by region."""

    year: int
    by: str  # subject / region
    compared: int
    rows: list[Row]
    total: Row


def table(
    session: Session, *, actor: Actor, year: int, today: dt.date, by: str = "subject"
) -> Table:
    """The actor's region, one row per subject (or per county-level region) with this year's
    and last year's months and the year-on-year change; the region's total last."""
    prefix = actor_prefix(actor)
    figures, regions = subject_years(session, prefix=prefix, first_year=year - 1, last_year=year)
    compared = compared_months(year, today)
    rows: list[Row] = []
    if by == "region":
        per_region = region_years(figures, regions)
        codes = sorted({code for code, _y in per_region})
        names = dict(
            session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all()
        )
        for code in codes:
            rows.append(
                Row(
                    code,
                    names.get(code, code),
                    code,
                    per_region.get((code, year), Year()),
                    per_region.get((code, year - 1), Year()),
                    compared,
                )
            )
    else:
        subjects = session.scalars(
            select(EnforcementSubject)
            .where(region_filter(actor, EnforcementSubject.region_code))
            .order_by(EnforcementSubject.region_code, EnforcementSubject.id)
        ).all()
        for s in subjects:
            now, last = figures.get((s.id, year)), figures.get((s.id, year - 1))
            if now is None and last is None:
                continue
            rows.append(
                Row(str(s.id), s.name, s.region_code, now or Year(), last or Year(), compared)
            )
    rows.sort(key=lambda r: (-r.total, r.key))
    return Table(year, by, compared, rows, _sum(rows, year, compared))


def _sum(rows: list[Row], year: int, compared: int) -> Row:
    now, last = Year(), Year()
    for r in rows:
        for i in range(12):
            now.months[i] += r.now.months[i]
            last.months[i] += r.last.months[i]
    return Row("", "合计", "", now, last, compared)


# --- the paid cases of a month (drill-down) -------------------------------------------------


def paid_cases_visible_to(actor: Actor) -> Select[PenaltyCase]:
    """Paid cases in the actor's region."""
    actor_prefix(actor)
    return select(PenaltyCase).where(
        region_filter(actor, PenaltyCase.region_code), PenaltyCase.paid_fen > 0
    )


def paid_cases(
    session: Session,
    *,
    actor: Actor,
    year: int,
    month: int | None = None,
    subject_id: int | None = None,
    region: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> Page[PenaltyCase]:
    """The cases whose fine was paid in the month (or the year), by payment date."""
    if region and not actor.covers_region(region):
        raise NotFound("该地区不在您的管辖范围内。")
    if month:
        start = dt.date(year, month, 1)
        end = dt.date(year + month // 12, month % 12 + 1, 1)
    else:
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    c = PenaltyCase
    stmt = paid_cases_visible_to(actor).where(c.paid_on >= start, c.paid_on < end)
    if subject_id is not None:
        stmt = stmt.where(c.subject_id == subject_id)
    if region:
        stmt = stmt.where(region_in_scope(c.region_code, region))
    return paginate(session, stmt.order_by(c.paid_on, c.id), page, per_page)


def imported_month(
    session: Session, *, actor: Actor, year: int, month: int, subject_id: int | None, region: str
) -> int | None:
    """The finance side's figure for the month (summed over the subjects asked), None if none."""
    f = FineRevenueMonth
    stmt = select(func.sum(f.amount_fen), func.count()).where(
        region_filter(actor, f.region_code), f.month == dt.date(year, month, 1)
    )
    if subject_id is not None:
        stmt = stmt.where(f.subject_id == subject_id)
    if region:
        stmt = stmt.where(region_in_scope(f.region_code, region))
    fen, n = session.execute(stmt).one()
    return int(fen or 0) if n else None


def subject_in_scope(session: Session, *, actor: Actor, subject_id: int) -> EnforcementSubject:
    """A subject of the actor's region (NotFound otherwise: cross-region is refused)."""
    actor_prefix(actor)
    subject = session.scalar(
        select(EnforcementSubject).where(
            EnforcementSubject.id == subject_id,
            region_filter(actor, EnforcementSubject.region_code),
        )
    )
    if subject is None:
        raise NotFound("执法主体不存在，或不在您的管辖范围内。")
    return subject


@dataclass
class Summary:
    """The dashboard's 罚没收入 section: the region's (or one subject's) months and totals."""

    year: int
    compared: int
    now: Year
    last: Year
    subjects: int  # subjects with a figure this year

    @property
    def total(self) -> int:
        """This year over the compared months."""
        return self.now.upto(self.compared)

    @property
    def last_total(self) -> int:
        """Last year over the same months."""
        return self.last.upto(self.compared)

    @property
    def growth(self) -> float | None:
        """Year-on-year change; None without a base."""
        return growth(self.total, self.last_total)


def summary(
    session: Session, *, actor: Actor, year: int, today: dt.date, subject_id: int | None = None
) -> Summary:
    """The region's (or one subject's) monthly figures this year and last: two queries, however
    many subjects and cases."""
    prefix = actor_prefix(actor)
    figures, _regions = subject_years(session, prefix=prefix, first_year=year - 1, last_year=year)
    now, last = Year(), Year()
    subjects = 0
    for (sid, y), figs in figures.items():
        if subject_id is not None and sid != subject_id:
            continue
        target = now if y == year else last
        subjects += y == year
        for i in range(12):
            target.months[i] += figs.months[i]
    return Summary(year, compared_months(year, today), now, last, subjects)
