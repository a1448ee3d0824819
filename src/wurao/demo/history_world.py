"""What the demo city's inspection history is made of: its subjects, officers, items and
enterprises, loaded once, and the limits every generated inspection keeps.

The limits are those of the pre-checks and supervision rules: officers certified on both ends
of the window (A2), the enterprise in each subject's jurisdiction (A8), at most one counted
on-site inspection fewer than the cap and inspections in all fewer than the repeated
no-finding count per subject, enterprise and year (A5, F3 REPEAT-NONE), and fewer subjects at
one enterprise than the multi-agency rule warns at in the weeks it looks at (F3 MULTI-AGENCY),
each threshold read from the policy file for the city. The persona subjects, their officers
and the persona enterprise of ``seed.py`` are left out: the browser tests act as them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.core.ids import region_scope_prefix
from wurao.core.policy import get_policy
from wurao.demo.common import CITY
from wurao.demo.seed import DEMO_ACCOUNTS, DEMO_SUBJECTS
from wurao.inspections import precheck
from wurao.registry.items.service import item_problems
from wurao.registry.models import (
    ChecklistLine,
    EnforcementSubject,
    Enterprise,
    InspectionItem,
    Officer,
)
from wurao.registry.officers.service import certificate_review_required
from wurao.registry.subjects.service import subject_problems

CITY_PREFIX = "3308"
# Days added to the multi-agency window (F3 MULTI-AGENCY) in which the history stays below the
# rule's subject count, so that a sweep run a little later stays quiet too.
GUARD_MARGIN_DAYS = 15
# Which enterprises a field inspects: GB/T 4754 code prefixes, or an enterprise |tag|.
FIELD_SCOPE: dict[str, tuple[str, ...]] = {
    "市场监管": (),
    "生态环境": ("C", "D", "|重点排污|"),
    "应急管理": ("C", "D", "F5265", "|危化品|"),
    "交通运输": ("G", "F5265"),
    "综合行政执法": ("H", "E", "F", "D4420"),
    "消防": ("C", "E", "F", "G", "H", "Q"),
    "卫生健康": ("Q", "H", "C"),
    "农业农村": ("A", "F5124", "C13", "C14", "C15"),
}


@dataclass(frozen=True)
class Off:
    """A certified officer, with what A2 reads."""

    id: int
    name: str
    cert_no: str
    subject_id: int
    cert_from: dt.date
    cert_to: dt.date
    review_year: int | None
    review_passed: bool


@dataclass(frozen=True)
class Item:
    """A published inspection item and its checklist lines (id, text)."""

    id: int
    code: str
    name: str
    field: str
    published_on: dt.date
    on_dss: bool
    methods: frozenset[str]
    basis: str
    lines: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Ent:
    """An active enterprise of the city."""

    id: int
    uscc: str
    name: str
    region: str
    industry: str
    credit: str
    tags: str
    address: str
    contact: str


@dataclass
class Subj:
    """A subject that may inspect (confirmed and announced), with its officers and items."""

    id: int
    name: str
    uscc: str
    region: str
    field: str
    announced: dt.date
    officers: list[Off] = dataclasses.field(default_factory=list)
    items: list[Item] = dataclasses.field(default_factory=list)  # by publication date
    scope: str = dataclasses.field(init=False)  # its jurisdiction's region prefix (A8)

    def __post_init__(self) -> None:
        self.scope = region_scope_prefix(self.region)

    @property
    def city_level(self) -> bool:
        """A city-level subject (its jurisdiction is the whole city)."""
        return self.region.endswith("00")

    def covers(self, ent: Ent) -> bool:
        """The enterprise lies in its jurisdiction and its field inspects such enterprises."""
        if not ent.region.startswith(self.scope):
            return False
        marks = FIELD_SCOPE.get(self.field, ())
        return not marks or any(
            (m in ent.tags) if m.startswith("|") else ent.industry.startswith(m) for m in marks
        )

    def items_on(self, day: dt.date, *, dss: bool = False) -> list[Item]:
        """Items published by ``day`` (on the 随机抽查事项清单 when ``dss``)."""
        return [i for i in self.items if i.published_on <= day and (i.on_dss or not dss)]


def _subjects(session: Session) -> list[Subj]:
    personas = {uscc for _n, uscc, *_r in DEMO_SUBJECTS}
    rows = session.scalars(
        select(EnforcementSubject)
        .where(EnforcementSubject.region_code.like(f"{CITY_PREFIX}%"))
        .order_by(EnforcementSubject.id)
    )
    return [
        Subj(s.id, s.name, s.uscc, s.region_code, s.field, s.announced_on)
        for s in rows
        if s.uscc not in personas and not subject_problems(s) and s.announced_on is not None
    ]


def _attach(session: Session, subjects: list[Subj]) -> None:
    by_id = {s.id: s for s in subjects}
    officers = session.scalars(
        select(Officer)
        .where(
            Officer.subject_id.in_(list(by_id)),
            Officer.kind == "officer",
            Officer.active.is_(True),
            Officer.cert_no.is_not(None),
            Officer.user_id.is_(None),
        )
        .order_by(Officer.id)
    )
    for o in officers:
        if o.cert_no and o.cert_valid_from and o.cert_valid_to:
            by_id[o.subject_id].officers.append(
                Off(o.id, o.name, o.cert_no, o.subject_id, o.cert_valid_from, o.cert_valid_to,
                    o.review_year, o.review_result == "passed")
            )  # fmt: skip
    lines: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for line in session.scalars(
        select(ChecklistLine).order_by(ChecklistLine.item_id, ChecklistLine.seq)
    ):
        lines[line.item_id].append((line.id, line.text))
    fields = {s.field for s in subjects}
    items = session.scalars(
        select(InspectionItem)
        .where(
            InspectionItem.status == "published",
            InspectionItem.published_on.is_not(None),
            InspectionItem.field.in_(fields),
            InspectionItem.region_code.like(f"{CITY_PREFIX}%"),
        )
        .order_by(InspectionItem.published_on, InspectionItem.code)
    )
    catalogue = [
        Item(i.id, i.code, i.name, i.field, i.published_on, i.on_dss_list,
             frozenset(i.methods.split(",")), f"{i.basis_law}{i.basis_article}",
             tuple(lines[i.id]))
        for i in items
        if i.published_on is not None and not item_problems(i, field=i.field)
        and lines[i.id]
    ]  # fmt: skip
    for s in subjects:
        s.items = [i for i in catalogue if i.field == s.field]


def _enterprises(session: Session) -> list[Ent]:
    persona = {a.uscc for a in DEMO_ACCOUNTS if a.uscc}
    rows = session.execute(
        select(Enterprise.id, Enterprise.uscc, Enterprise.name, Enterprise.region_code,
               Enterprise.industry_code, Enterprise.credit_class, Enterprise.tags,
               Enterprise.address, Enterprise.contact_name)
        .where(Enterprise.region_code.like(f"{CITY_PREFIX}%"), Enterprise.status == "active")
        .order_by(Enterprise.id)
    )  # fmt: skip
    return [Ent(*r) for r in rows if r[1] not in persona]


class World:
    """The registries as the history sees them, and what the history has used so far."""

    def __init__(self, session: Session, today: dt.date) -> None:
        self.subjects = _subjects(session)
        _attach(session, self.subjects)
        self.subjects = [s for s in self.subjects if s.items and len(s.officers) >= 2]
        self.enterprises = _enterprises(session)
        self.today = today
        policy = get_policy()
        self.counted_methods = frozenset(policy.value(precheck.COUNTED_POLICY, CITY, today))
        self.exempt_origins = frozenset(policy.value(precheck.EXEMPT_POLICY, CITY, today))
        # one below what each rule warns at, so that only the planted cases raise alerts
        self.repeat_min = int(policy.value("oversight.repeat_none_min", CITY, today))
        self.multi_min = int(policy.value("oversight.multi_agency_min_subjects", CITY, today))
        self.counted_max = int(policy.value("inspection.onsite_cap_per_year", CITY, today)) - 1
        self.window_days = int(policy.value("oversight.multi_agency_window_days", CITY, today))
        self.guard_from = today - dt.timedelta(days=self.window_days + GUARD_MARGIN_DAYS)
        self.visits: Counter[tuple[int, int, int]] = Counter()
        self.counted: Counter[tuple[int, int, int]] = Counter()
        self.recent: dict[int, set[int]] = defaultdict(set)
        self.seen: dict[tuple[int, int], dt.date] = {}
        # (enterprise USCC, subject) → (start, certificates) of the latest team, for draws
        self.last_team: dict[tuple[str, int], tuple[dt.date, tuple[str, ...]]] = {}
        self.load: Counter[tuple[int, dt.date]] = Counter()
        self.reserved: set[int] = set()
        self._fit: dict[tuple[int, dt.date], frozenset[int]] = {}
        self._review: dict[tuple[str, dt.date], bool] = {}
        self._candidates: dict[int, list[Ent]] = {}

    # --- officers (A2) ---------------------------------------------------------------

    def _fit_on(self, s: Subj, day: dt.date) -> frozenset[int]:
        # officer_problems (A2) on loaded rows, per subject and day; the tests hold the two equal
        key = (s.id, day)
        if key not in self._fit:
            rk = (s.region, day)
            if rk not in self._review:
                self._review[rk] = certificate_review_required(s.region, day)
            review = self._review[rk]
            self._fit[key] = frozenset(
                o.id for o in s.officers
                if o.cert_from <= day <= o.cert_to
                and (not review or (o.review_passed and (o.review_year or 0) >= day.year - 1))
            )  # fmt: skip
        return self._fit[key]

    def officers(self, s: Subj, start: dt.date, end: dt.date) -> list[Off]:
        """The subject's officers who may inspect on both ``start`` and ``end`` (A2)."""
        ok = self._fit_on(s, start) & self._fit_on(s, end)
        return [o for o in s.officers if o.id in ok]

    def free(self, s: Subj, start: dt.date, end: dt.date, day: dt.date) -> list[Off]:
        """Those of them with fewer than two inspections on ``day`` already."""
        return [o for o in self.officers(s, start, end) if self.load[(o.id, day)] < 2]

    # --- enterprises and limits --------------------------------------------------------

    def candidates(self, s: Subj) -> list[Ent]:
        """Enterprises the subject may inspect (jurisdiction and field)."""
        if s.id not in self._candidates:
            self._candidates[s.id] = [e for e in self.enterprises if s.covers(e)]
        return self._candidates[s.id]

    def is_counted(self, method: str, origin: str) -> bool:
        """Whether an inspection counts towards the on-site cap (A5)."""
        return method in self.counted_methods and origin not in self.exempt_origins

    def fits(
        self,
        subs: list[Subj],
        ent: Ent,
        start: dt.date,
        method: str,
        origin: str,
        joining: int | None = None,
    ) -> bool:
        """Whether ``subs`` may inspect the enterprise once more within every limit the
        supervision rules watch (``joining``: the lead they come along with, checked already)."""
        counted = self.is_counted(method, origin)
        for s in subs:
            key = (s.id, ent.id, start.year)
            if (
                not s.covers(ent)
                or self.visits[key] >= self.repeat_min - 1
                or (counted and self.counted[key] >= self.counted_max)
            ):
                return False
        if start >= self.guard_from:
            went = self.recent[ent.id] | {s.id for s in subs} | {joining} - {None}
            return len(went) < self.multi_min
        return True

    def register(
        self,
        subs: list[Subj],
        ent: Ent,
        start: dt.date,
        method: str,
        origin: str,
        officers: list[Off],
        day: dt.date,
    ) -> None:
        """Record an inspection in the limits and in its officers' day."""
        counted = self.is_counted(method, origin)
        for o in officers:
            self.load[(o.id, day)] += 1
        for s in subs:
            team = tuple(o.cert_no for o in officers if o.subject_id == s.id)
            latest = self.last_team.get((ent.uscc, s.id))
            if latest is None or latest[0] <= start:
                self.last_team[(ent.uscc, s.id)] = (start, team)
            key = (s.id, ent.id, start.year)
            self.visits[key] += 1
            if counted:
                self.counted[key] += 1
            last = self.seen.get((s.id, ent.id))
            self.seen[(s.id, ent.id)] = start if last is None else max(last, start)
            if start >= self.guard_from:
                self.recent[ent.id].add(s.id)

    def recently_seen(self, subs: list[Subj], ent_id: int, since: dt.date) -> bool:
        """Whether one of the subjects has an inspection of the enterprise since ``since``."""
        return any(self.seen.get((s.id, ent_id), dt.date.min) >= since for s in subs)
