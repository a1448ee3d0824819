"""Whether a 双随机 draw can be carried out with its roster: how many enterprises it draws,
how many officers each subject has, and the load per officer over the inspection window
(C3; threshold ``dss.max_inspections_per_officer_week``).

One pure function, ``assess``, decides; the preview page, the freeze and the confirmation
before the draw all call it (through ``wurao.sampling.freeze.assess_draw`` or on the frozen
document), so what the preview promises is what the freeze enforces. It never changes the
draw's result: the algorithm (docs/draw-algorithm.md) reads only the frozen document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from wurao.core.errors import InvalidInput, RuleViolation, Violation
from wurao.core.policy import PolicyError, get_policy
from wurao.core.workdays import UnknownCalendarYear, is_working_day
from wurao.sampling import algorithm
from wurao.sampling.service import c3_violation

LOAD_POLICY = "dss.max_inspections_per_officer_week"
WEEK = 5  # working days


@dataclass(frozen=True)
class Stratum:
    """One credit class of the pool: candidates, ratio and how many are drawn."""

    stratum: str
    n: int
    ratio: str
    k: int


@dataclass(frozen=True)
class SubjectLoad:
    """One subject's roster against what the draw needs of it."""

    uscc: str
    name: str
    officers: int  # certified on the draw date and on the window's last day
    conflicts: int = 0  # declared conflicts of these officers with enterprises in the pool
    tight: int = 0  # pool enterprises for which conflicts leave fewer than m officers
    needed: int = 0  # officer visits: m per drawn enterprise
    per_officer: Fraction = Fraction(0)
    per_week: Fraction = Fraction(0)
    short: bool = False  # fewer than m officers, or officers × cap below what is needed


@dataclass(frozen=True)
class Feasibility:
    """The numbers the preview shows and the freeze enforces."""

    pool_size: int
    strata: list[Stratum]
    total: int  # enterprises drawn = tasks created (one joint task per enterprise)
    per_subject: int  # m
    cap: int
    window: tuple[dt.date, dt.date]
    working_days: int
    calendar_known: bool
    threshold: int | None
    subjects: list[SubjectLoad]
    errors: list[tuple[str, str]] = field(default_factory=list)  # (message, field)
    shortages: list[Violation] = field(default_factory=list)

    @property
    def overloaded(self) -> list[SubjectLoad]:
        """Subjects whose average load per officer per week is above the threshold."""
        if self.threshold is None or self.errors or self.shortages:
            return []
        return [s for s in self.subjects if s.per_week > self.threshold]

    @property
    def feasible(self) -> bool:
        """Nothing stops the freeze and nobody is loaded above the threshold."""
        return not self.errors and not self.shortages and not self.overloaded

    @property
    def overridable(self) -> bool:
        """Only the load threshold may be overridden (with a reason); C3 may not."""
        return not self.errors and not self.shortages and bool(self.overloaded)

    @property
    def max_per_officer(self) -> int:
        """The most any one officer can get: the cap, or every drawn enterprise."""
        return min(self.cap, self.total)

    def load_violation(self) -> Violation:
        """The finding raised when the load is above the threshold and no reason is given."""
        worst = max(self.overloaded, key=lambda s: s.per_week)
        return c3_violation(
            f"{worst.name}执法人员 {worst.officers} 名，共需 {worst.needed} 人次，"
            f"人均 {fmt(worst.per_officer)} 户，约每人每周 {fmt(worst.per_week)} 户，"
            f"超过每人每周 {self.threshold} 户的上限；请减少抽取户数、延长检查期限，"
            "或勾选“确认超负荷冻结”并说明理由。",
            subject=worst.uscc, per_week=fmt(worst.per_week), threshold=self.threshold,
        )  # fmt: skip

    def raise_blocking(self) -> None:
        """Raise what the freeze has always refused: no pool or ratio, then C3 shortages."""
        if self.errors:
            raise InvalidInput(self.errors[0][0])
        if self.shortages:
            raise RuleViolation(self.shortages)


def fmt(value: Fraction) -> str:
    """A load for people: one decimal."""
    return f"{float(value):.1f}"


def working_days(start: dt.date, end: dt.date) -> tuple[int, bool]:
    """Working days from ``start`` to ``end`` inclusive; Monday–Friday when the official
    schedule of a year is not known (then False)."""
    days, known, day = 0, True, start
    while day <= end:
        try:
            days += is_working_day(day)
        except UnknownCalendarYear:
            known = False
            days += day.weekday() < WEEK
        day += dt.timedelta(days=1)
    return days, known


def threshold_for(region_code: str, on: dt.date) -> int | None:
    """The policy's weekly load limit, or None when the policy has no value there."""
    try:
        return int(get_policy().value(LOAD_POLICY, region_code, on))
    except PolicyError:
        return None


def assess(
    *,
    counts: Mapping[str, int],
    ratios: Mapping[str, str] | None,
    roster: Sequence[tuple[str, str, int]],
    per_subject: int,
    cap: int,
    window: tuple[dt.date, dt.date],
    threshold: int | None,
    conflicts: Mapping[str, tuple[int, int]] | None = None,
    where: str = "",
) -> Feasibility:
    """Assess a draw: ``counts`` per credit class, ``ratios`` (None: none in force),
    ``roster`` as (USCC, name, officers) per subject, ``conflicts`` per subject USCC as
    (declared pairs in the pool, enterprises left with fewer than m officers)."""
    errors: list[tuple[str, str]] = []
    pool_size = sum(counts.values())
    if not pool_size:
        errors.append((
            f"检查对象名录库中没有符合条件的存续企业（{where}），无法抽取；请调整筛选条件。",
            "industry_codes",
        ))  # fmt: skip
    ratios = ratios or {}
    missing = [c for c in counts if c not in ratios]
    if pool_size and missing:
        errors.append((f"政策参数未规定信用分类 {'、'.join(missing)} 的抽查比例。", ""))
    strata = [
        Stratum(c, n, ratios.get(c, ""), algorithm.quota(ratios[c], n) if c in ratios else 0)
        for c, n in counts.items()
    ]
    total = sum(s.k for s in strata)
    if pool_size and not missing and total == 0:
        errors.append((
            f"按现行抽查比例，名录库（{pool_size} 户）中一户也抽不到；请调整筛选条件。", ""
        ))  # fmt: skip
    days, known = working_days(*window)
    m, loads, shortages = per_subject, [], []
    for uscc, name, have in roster:
        needed = m * total
        per_officer = Fraction(needed, have) if have else Fraction(needed)
        per_week = per_officer * WEEK / days if days >= WEEK else per_officer
        short = have < m or have * cap < needed
        pairs, tight = (conflicts or {}).get(uscc, (0, 0))
        loads.append(SubjectLoad(uscc, name, have, pairs, tight, needed, per_officer, per_week,
                                 short))  # fmt: skip
        if short and not errors:
            shortages.append(c3_violation(
                f"{name}在抽取日持证可执法人员 {have} 名，每户需 {m} 名、共抽 {total} 户，"
                f"每人上限 {cap} 户，人员不足；请增加人员或提高上限。",
                subject=uscc, officers=have, needed=needed,
            ))  # fmt: skip
    return Feasibility(
        pool_size=pool_size, strata=strata, total=total, per_subject=m, cap=cap,
        window=window, working_days=days, calendar_known=known, threshold=threshold,
        subjects=loads, errors=errors, shortages=shortages,
    )  # fmt: skip


def from_frozen(frozen: Mapping[str, Any], threshold: int | None) -> Feasibility:
    """The same assessment of a frozen draw, from its frozen document (before the draw)."""
    off = frozen["officers"]
    names = {s["uscc"]: s["name"] for s in frozen["draw"]["subjects"]}
    window = tuple(dt.date.fromisoformat(d) for d in frozen["draw"]["window"])
    return assess(
        counts=frozen["pool"]["strata"], ratios=frozen["ratios"],
        roster=[(u, names.get(u, u), len(c)) for u, c in sorted(off["roster"].items())],
        per_subject=int(off["per_subject"]), cap=int(off["cap"]),
        window=(window[0], window[1]), threshold=threshold,
    )  # fmt: skip
