"""Fine revenue (罚没收入): the sweep's signals of a fine quota, and fines the organ collected.

Why these: 衢政办发〔2025〕16号 items 15–16 forbid fine quotas (罚没指标) and require 罚缴分离; a
quota does not show in any one case, only in the pattern of many — revenue rising faster than
last year (F1), fines driven to the top of the benchmark (F2 MAX-PENALTY), many cases fined the
same round amount (F2 SAME-AMOUNT), decisions bunched in the last days of the month (F2
MONTH-END). A fine paid to the deciding organ itself outside 行政处罚法 第68条、第69条 breaks D15.
docs/indicators.md "Fine revenue" says how each figure is computed. Every threshold is a policy
parameter read for the subject's (or the region's) own region; the year's figures compare whole
months (``fines.queries.compared_months``). One alert per subject (or region) and year, per
case for D15. Registered in ``wurao.oversight.rules``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.cases.models import PenaltyCase
from wurao.cases.statuses import PaymentChannel, Procedure
from wurao.core import rules as catalogue
from wurao.discretion.models import BenchmarkTable
from wurao.discretion.service import applicable_range
from wurao.oversight.fines.queries import compared_months, county, growth, subject_years
from wurao.oversight.rule_base import Context, Finding, PerRegion, cite, policy_value
from wurao.registry.models import EnforcementSubject, Region

EVIDENCE_MAX = 20  # cases cited per finding; the detail gives the full counts


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}元"


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(EnforcementSubject.id, EnforcementSubject.name).where(
            EnforcementSubject.id.in_(sorted(ids))
        )
    )
    return {int(i): str(n) for i, n in rows}


def _key(rule: catalogue.RuleDef) -> str:
    # "F2 SAME-AMOUNT" → "F2-SAME-AMOUNT": several F2 rules share the letter and number
    return rule.id.replace(" ", "-")


# --- F1: year-on-year growth ----------------------------------------------------------------


def fine_growth(session: Session, ctx: Context) -> Iterator[Finding]:
    """Subjects and county-level regions whose 罚没收入 over this year's whole months rose more
    than the policy's warning value over the same months last year (last year at least the
    policy's floor)."""
    year, months = ctx.year, compared_months(ctx.year, ctx.today)
    if months == 0:
        return
    figures, regions = subject_years(session, prefix="", first_year=year - 1, last_year=year)
    warn = PerRegion("oversight.fine_growth_warn", ctx.today)
    floor = PerRegion("oversight.fine_growth_min_yuan", ctx.today)
    per_subject: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    per_region: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (subject_id, y), figs in figures.items():
        i = 0 if y == year else 1
        per_subject[subject_id][i] += figs.upto(months)
        per_region[county(regions[subject_id])][i] += figs.upto(months)

    def rose(region: str, now: int, last: int) -> float | None:
        g = growth(now, last)
        if g is None or last < int(floor(region)) * 100 or g <= float(warn(region)):
            return None
        return g

    period = f"{year}年1–{months}月"
    names = _names(session, set(per_subject))
    prefix = _key(catalogue.F1_FINE_GROWTH)
    for subject_id, (now, last) in sorted(per_subject.items()):
        region = regions[subject_id]
        g = rose(region, now, last)
        if g is None:
            continue
        yield Finding(
            dedup_key=f"{prefix}:subject:{subject_id}:{year}",
            region_code=region,
            subject_id=subject_id,
            detail=(
                f"{names.get(subject_id, subject_id)}{period}罚没收入{_yuan(now)}，上年同期"
                f"{_yuan(last)}，同比增长{g:.1%}，超过预警值{float(warn(region)):.0%}。"
            ),
            evidence=[cite("indicator", subject_id, f"罚没收入 {period}（按执法主体）")],
        )
    region_names = {
        str(code): str(name)
        for code, name in session.execute(
            select(Region.code, Region.name).where(Region.code.in_(sorted(per_region)))
        )
    }
    for code, (now, last) in sorted(per_region.items()):
        g = rose(code, now, last)
        if g is None:
            continue
        yield Finding(
            dedup_key=f"{prefix}:region:{code}:{year}",
            region_code=code,
            detail=(
                f"{region_names.get(code, code)}（全部执法主体合计）{period}罚没收入{_yuan(now)}，"
                f"上年同期{_yuan(last)}，同比增长{g:.1%}，超过预警值{float(warn(code)):.0%}。"
            ),
            evidence=[cite("indicator", 0, f"罚没收入 {period}（按地区）")],
        )


# --- the year's fine decisions ---------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    """What the F2 rules read of one fine decision (a light row, not the ORM object)."""

    id: int
    number: str
    subject_id: int
    region_code: str
    field: str
    violation_code: str
    provisions_breached: str
    provisions_applied: str
    procedure: str
    fine_fen: int
    decided_on: dt.date
    circumstance: str = ""  # the whole range of the violation, every circumstance
    discretion_reason: str = ""


def decided(session: Session, start: dt.date, end: dt.date) -> list[Decided]:
    """Penalty decisions with a fine between ``start`` and ``end`` (inclusive)."""
    c = PenaltyCase
    rows = session.execute(
        select(
            c.id,
            c.number,
            c.subject_id,
            c.region_code,
            c.field,
            c.violation_code,
            c.provisions_breached,
            c.provisions_applied,
            c.procedure,
            c.fine_fen,
            c.decided_on,
        )
        .where(
            c.outcome == "penalty",
            c.fine_fen > 0,
            c.decided_on >= start,
            c.decided_on <= end,
        )
        .order_by(c.subject_id, c.id)
    )
    return [Decided(*row) for row in rows]


def _by_subject(rows: list[Decided]) -> dict[int, list[Decided]]:
    out: dict[int, list[Decided]] = defaultdict(list)
    for r in rows:
        out[r.subject_id].append(r)
    return out


def _year_to_date(ctx: Context) -> tuple[dt.date, dt.date]:
    return dt.date(ctx.year, 1, 1), ctx.today


def _decided_this_year(session: Session, ctx: Context) -> list[Decided]:
    """This year's decisions to date, read once per sweep for the F2 rules that share them."""
    if "fines.decided" not in ctx.shared:
        ctx.shared["fines.decided"] = decided(session, *_year_to_date(ctx))
    rows: list[Decided] = ctx.shared["fines.decided"]
    return rows


def _cases(rows: list[Decided]) -> list[dict[str, object]]:
    return [cite("case", r.id, f"行政处罚案件 {r.number}") for r in rows[:EVIDENCE_MAX]]


# --- F2 MAX-PENALTY: fines at the top of the benchmark ---------------------------------------


class Tops:
    """The top of the benchmark range of a case's violation, looked up once per violation.

    The range is the discretion domain's own (``applicable_range``, the one D24 applies): the
    most specific published table holding the violation, over every circumstance, so its top
    is the highest fine the benchmark allows for the act (顶格). A table that came into force
    after a decision is not that decision's: such a case is looked up again on its own date.
    """

    def __init__(self, session: Session, today: dt.date) -> None:
        self.session, self.today = session, today
        self._seen: dict[tuple[str, ...], tuple[int, dt.date] | None] = {}
        self.fields = set(
            session.scalars(
                select(BenchmarkTable.field).where(BenchmarkTable.published.is_(True)).distinct()
            )
        )

    def top(self, case: Decided) -> int | None:
        """The highest fine the benchmark allows for the case's violation (None: no benchmark)."""
        if case.field not in self.fields:
            return None
        key = (
            str(case.subject_id),
            case.region_code,
            case.field,
            case.violation_code,
            case.provisions_breached,
            case.provisions_applied,
        )
        if key not in self._seen:
            found = applicable_range(self.session, case, self.today)
            self._seen[key] = None if found is None else (found.high, found.table.effective_from)
        seen = self._seen[key]
        if seen is not None and seen[1] <= case.decided_on:
            return seen[0]
        found = applicable_range(self.session, case, case.decided_on)
        return None if found is None else found.high


def max_penalty(session: Session, ctx: Context) -> Iterator[Finding]:
    """Subjects whose share of this year's fines at the top of the benchmark range (among the
    fines a benchmark covers, at least the policy's floor of them) exceeds the warning value."""
    tops = Tops(session, ctx.today)
    warn = PerRegion("oversight.max_penalty_share_warn", ctx.today)
    floor = PerRegion("oversight.fine_pattern_min_cases", ctx.today)
    found: list[tuple[int, str, list[Decided], int]] = []
    for subject_id, rows in _by_subject(_decided_this_year(session, ctx)).items():
        region = rows[0].region_code
        covered = [(r, tops.top(r)) for r in rows]
        judged = [(r, top) for r, top in covered if top]
        at_top = [r for r, top in judged if r.fine_fen >= top]
        if len(judged) < int(floor(region)) or len(at_top) / len(judged) <= float(warn(region)):
            continue
        found.append((subject_id, region, at_top, len(judged)))
    names = _names(session, {f[0] for f in found})
    for subject_id, region, at_top, n_judged in found:
        yield Finding(
            dedup_key=f"{_key(catalogue.F2_MAX_PENALTY)}:{subject_id}:{ctx.year}",
            region_code=region,
            subject_id=subject_id,
            detail=(
                f"{names.get(subject_id, subject_id)}{ctx.year}年作出的有裁量基准可依的罚款决定"
                f"{n_judged}件，其中顶格（达到基准幅度上限）{len(at_top)}件，占"
                f"{len(at_top) / n_judged:.1%}，超过预警值{float(warn(region)):.0%}。"
            ),
            evidence=_cases(at_top),
        )


# --- F2 SAME-AMOUNT: many fines of one amount ------------------------------------------------


def same_amount(session: Session, ctx: Context) -> Iterator[Finding]:
    """Subjects whose most frequent fine amount makes up more than the warning share of this
    year's ordinary-procedure fines (at least the policy's floor of them)."""
    warn = PerRegion("oversight.same_amount_share_warn", ctx.today)
    floor = PerRegion("oversight.fine_pattern_min_cases", ctx.today)
    rows = [r for r in _decided_this_year(session, ctx) if r.procedure == Procedure.ORDINARY]
    found: list[tuple[int, str, int, list[Decided], int]] = []
    for subject_id, cases in _by_subject(rows).items():
        region = cases[0].region_code
        if len(cases) < int(floor(region)):
            continue
        amount, n = min(Counter(r.fine_fen for r in cases).items(), key=lambda kv: (-kv[1], kv[0]))
        if n / len(cases) <= float(warn(region)):
            continue
        found.append(
            (subject_id, region, amount, [r for r in cases if r.fine_fen == amount], len(cases))
        )
    names = _names(session, {f[0] for f in found})
    for subject_id, region, amount, same, total in found:
        yield Finding(
            dedup_key=f"{_key(catalogue.F2_SAME_AMOUNT)}:{subject_id}:{ctx.year}",
            region_code=region,
            subject_id=subject_id,
            detail=(
                f"{names.get(subject_id, subject_id)}{ctx.year}年普通程序罚款决定{total}件，"
                f"其中罚款均为{_yuan(amount)}的{len(same)}件，占{len(same) / total:.1%}，"
                f"超过预警值{float(warn(region)):.0%}。"
            ),
            evidence=_cases(same),
        )


# --- F2 MONTH-END: decisions bunched at the end of months ------------------------------------


def month_end(session: Session, ctx: Context) -> Iterator[Finding]:
    """Subjects whose share of fine decisions made in the last N days of their month, over this
    year's whole months, is more than the policy's multiple of the share a uniform spread of
    decision days would give (Σ N ÷ days of the decision's month, over the decisions)."""
    months = compared_months(ctx.year, ctx.today)
    if months == 0:
        return
    end = dt.date(ctx.year, months, calendar.monthrange(ctx.year, months)[1])
    days = PerRegion("oversight.month_end_days", ctx.today)
    ratio = PerRegion("oversight.month_end_ratio_warn", ctx.today)
    floor = PerRegion("oversight.fine_pattern_min_cases", ctx.today)
    found: list[tuple[int, str, list[Decided], int, float, int]] = []
    whole_months = [r for r in _decided_this_year(session, ctx) if r.decided_on <= end]
    for subject_id, cases in _by_subject(whole_months).items():
        region = cases[0].region_code
        n_days = int(days(region))
        if len(cases) < int(floor(region)):
            continue
        late: list[Decided] = []
        expected = 0.0
        for r in cases:
            length = calendar.monthrange(r.decided_on.year, r.decided_on.month)[1]
            expected += min(n_days, length) / length
            if r.decided_on.day > length - n_days:
                late.append(r)
        expected /= len(cases)
        if not late or len(late) / len(cases) <= float(ratio(region)) * expected:
            continue
        found.append((subject_id, region, late, len(cases), expected, n_days))
    names = _names(session, {f[0] for f in found})
    for subject_id, region, late, total, expected, n_days in found:
        share = len(late) / total
        yield Finding(
            dedup_key=f"{_key(catalogue.F2_MONTH_END)}:{subject_id}:{ctx.year}",
            region_code=region,
            subject_id=subject_id,
            detail=(
                f"{names.get(subject_id, subject_id)}{ctx.year}年1–{months}月罚款决定{total}件，"
                f"其中在每月最后{n_days}日作出的{len(late)}件，占{share:.1%}；决定日期均匀分布时"
                f"预期占{expected:.1%}，为预期的{share / expected:.1f}倍"
                f"（预警倍数{float(ratio(region)):g}）。"
            ),
            evidence=_cases(late),
        )


# --- D15: fines collected by the deciding organ ----------------------------------------------


def self_collected(session: Session, ctx: Context) -> Iterator[Finding]:
    """Fines recorded as collected on the spot by the organ, other than a simple-procedure fine
    within the on-the-spot cap in force on the payment day (行政处罚法 第68条第1项): the written
    reason (第68条第2项, 第69条) is for the supervisor to verify."""
    c = PenaltyCase
    rows = session.execute(
        select(
            c.id,
            c.number,
            c.subject_id,
            c.region_code,
            c.enterprise_id,
            c.procedure,
            c.fine_fen,
            c.paid_fen,
            c.paid_on,
            c.payment_ref,
        )
        .where(c.paid_channel == PaymentChannel.ON_SPOT.value, c.paid_on.is_not(None))
        .order_by(c.id)
    )
    caps: dict[tuple[str, dt.date], int] = {}
    for (
        case_id,
        number,
        subject_id,
        region,
        enterprise_id,
        procedure,
        fine,
        paid,
        paid_on,
        ref,
    ) in rows:
        assert paid_on is not None  # selected so
        key = (region, paid_on)
        if key not in caps:
            caps[key] = int(policy_value("case.onsite_collection_max_yuan", region, paid_on)) * 100
        if procedure == Procedure.SIMPLE and fine <= caps[key]:
            continue
        kind = "当场处罚" if procedure == Procedure.SIMPLE else "普通程序"
        reason = f"，所写理由：{ref}" if ref else "，未写明理由"
        yield Finding(
            dedup_key=f"{catalogue.D15.id.split()[0]}:{case_id}",
            region_code=region,
            subject_id=subject_id,
            enterprise_id=enterprise_id,
            detail=(
                f"案件{number}（{kind}，罚款{_yuan(fine)}）于{paid_on.isoformat()}由执法机关当场收缴"
                f"{_yuan(paid)}，超出当场处罚{caps[key] // 100}元以下的当场收缴范围{reason}。"
                "请核实是否属于行政处罚法第68条第2项、第69条规定的情形。"
            ),
            evidence=[cite("case", case_id, f"行政处罚案件 {number}")],
        )
