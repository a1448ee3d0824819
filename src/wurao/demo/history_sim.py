"""The demo city's inspection history, simulated day by day from 1 January of last year.

Every working day gets the inspections that keep the running total on a seasonal curve (last
year's total, this year about a quarter lower): 双随机 draws run on their draw dates and spread
their teams over their windows; the rest come from the subjects' annual plans and from
complaints, referrals and monitoring alerts. The probabilities of a joint, a non-site and a
problem-finding inspection move from last year's levels to this year's, so the trends a
supervisor looks for are there. A handful of deliberate cases (``plant``) give the
supervision rules something to find; everything else keeps their limits (``World.fits``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from wurao.core import workdays
from wurao.core.time import LOCAL_TZ
from wurao.demo.history_draws import DrawSpec, Pools, run, schedule
from wurao.demo.history_world import Ent, Item, Off, Subj, World
from wurao.registry.officers.service import MIN_OFFICERS

TRIGGERED = ("complaint", "referral", "monitoring")
# (at the start of the history, today): how the mix moves
ORIGINS = {"plan": (0.55, 0.48), "complaint": (0.2, 0.2), "referral": (0.1, 0.1),
           "monitoring": (0.15, 0.22)}  # fmt: skip
JOINT = {"plan": (0.6, 0.95), "complaint": (0.2, 0.55), "referral": (0.3, 0.6),
         "monitoring": (0.1, 0.4)}  # fmt: skip
NONSITE = {"plan": (0.06, 0.4), "complaint": (0.02, 0.1), "referral": (0.08, 0.3),
           "monitoring": (0.35, 0.75)}  # fmt: skip
PROBLEM = {"plan": (0.14, 0.17), "draw": (0.08, 0.11), "complaint": (0.42, 0.45),
           "referral": (0.32, 0.35), "monitoring": (0.25, 0.27)}  # fmt: skip
MONTHS = (0.55, 0.45, 0.95, 1.05, 1.1, 1.15, 0.85, 0.8, 1.1, 1.05, 1.2, 0.95)
DECLINE = 0.75  # this year against last: about a quarter fewer inspections
COMPAT = {
    "onsite": {"onsite"},
    "written": {"written"},
    "offsite": {"offsite", "written"},
}
TOPICS = {
    "市场监管": ("产品标签标注不规范", "销售过期食品", "价格标示不清"),
    "生态环境": ("夜间异味扰民", "废水排放口颜色异常", "噪声超标"),
    "应急管理": ("车间安全防护不到位", "危化品仓库堆放混乱", "有限空间违规作业"),
    "交通运输": ("货车超限超载", "机动车维修质量纠纷", "道路运输证过期"),
    "综合行政执法": ("餐饮油烟扰民", "店外占道经营", "建筑垃圾乱倒"),
    "消防": ("疏散通道堵塞", "电动自行车室内充电", "消防设施损坏"),
    "卫生健康": ("诊所超范围执业", "公共场所卫生状况差", "职业病防护缺失"),
    "农业农村": ("销售禁用农药", "兽药来源不明", "种子标签不规范"),
}  # fmt: skip


@dataclass
class PlanSpec:
    """A subject's annual plan: published on a day, listing the items published by then."""

    subject: Subj
    year: int
    published_on: dt.date
    items: list[Item]


@dataclass
class Spec:
    """One inspection to write: the task, its code, record and evaluation."""

    ent: Ent
    subjects: list[Subj]  # lead first
    items: list[tuple[Item, Subj]]
    officers: list[Off]
    origin: str
    method: str
    window: tuple[dt.date, dt.date]
    day: dt.date  # the local day the record was finished
    created: dt.datetime
    issued: dt.datetime
    started: dt.datetime
    finished: dt.datetime
    outcome: str = "none"
    trigger: tuple[str, str] = ("", "")
    draw: DrawSpec | None = None
    late_reason: str = ""  # 补码: the inspection began before its code
    planted: str = ""
    rating: int | None = None
    comment: str = ""
    misconduct: str = ""
    rated_at: dt.datetime | None = None

    @property
    def lead(self) -> Subj:
        """The lead subject."""
        return self.subjects[0]


def at(day: dt.date, hour: float) -> dt.datetime:
    """A local time of day on ``day``, as an aware UTC timestamp."""
    minutes = int(hour * 60)
    local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), LOCAL_TZ)
    return local.astimezone(dt.UTC)


class Calendar:
    """Working days (cached); for a year without a known schedule, Monday to Friday.

    Only places synthetic inspections on the calendar: no legal deadline is computed here.
    """

    def __init__(self) -> None:
        self._known: dict[dt.date, bool] = {}

    def __call__(self, day: dt.date) -> bool:
        if day not in self._known:
            try:
                self._known[day] = workdays.is_working_day(day)
            except workdays.UnknownCalendarYear:
                self._known[day] = day.weekday() < 5
        return self._known[day]

    def after(self, day: dt.date) -> dt.date:
        """The first working day after ``day``."""
        day += dt.timedelta(days=1)
        while not self(day):
            day += dt.timedelta(days=1)
        return day

    def between(self, first: dt.date, last: dt.date) -> list[dt.date]:
        """The working days from ``first`` to ``last``."""
        days = (first + dt.timedelta(days=k) for k in range((last - first).days + 1))
        return [d for d in days if self(d)]


class Sim:
    """The history being made: specs, draws and plans, and how to add to them."""

    def __init__(self, world: World, rng: random.Random, last_year_total: int) -> None:
        self.world, self.rng, self.total = world, rng, last_year_total
        self.first = dt.date(world.today.year - 1, 1, 1)
        self.last = world.today - dt.timedelta(days=1)
        self.specs: list[Spec] = []
        self.draws: list[DrawSpec] = []
        self.plans: dict[tuple[int, int], PlanSpec] = {}
        self.serial: Counter[str] = Counter()
        self.per_day: Counter[dt.date] = Counter()  # inspections finished on each day
        self.workday = Calendar()

    def mix(self, a: float, b: float, day: dt.date) -> float:
        """A probability moving from ``a`` at the start of the history to ``b`` today."""
        span = max(1, (self.last - self.first).days)
        return a + (b - a) * min(1.0, max(0.0, (day - self.first).days / span))

    def listed(self, s: Subj, day: dt.date) -> list[Item]:
        """The items of the subject's plan, published by ``day``, on the 随机抽查事项清单."""
        plan = self.plans.get((s.id, day.year))
        if plan is None or plan.published_on > day:
            return []
        return [i for i in plan.items if i.on_dss]

    def working(self, day: dt.date) -> dt.date:
        """``day`` if a working day, else the next one."""
        return day if self.workday(day) else self.workday.after(day)

    # --- the day loop -----------------------------------------------------------------

    def run(self, plant: Callable[[Sim], None]) -> None:
        """Make the whole history."""
        self._plans()
        plant(self)
        years = list(range(self.first.year, self.last.year + 1))
        by_date: dict[dt.date, list[DrawSpec]] = defaultdict(list)
        for d in schedule(self.world, self.rng, years, self):
            by_date[d.draw_date].append(d)
        pools = Pools(self.world)
        self.per_day = Counter(s.day for s in self.specs)  # the planted ones, as they ended
        target, made = 0.0, 0
        rates = self._targets()
        day = self.first
        while day <= self.last:
            for draw in by_date.get(day, []):
                if run(self.world, pools, draw, self.rng):
                    self.draws.append(draw)
                    for ent, officers in draw.teams:
                        self._from_draw(draw, ent, officers)
            target += rates.get(day, 0.0)
            for _ in range(max(0, round(target - made - self.per_day[day]))):
                self._task(day, self._origin(day))
            made += self.per_day[day]  # draws and planted cases included
            day += dt.timedelta(days=1)

    def _targets(self) -> dict[dt.date, float]:
        out: dict[dt.date, float] = {}
        for year in range(self.first.year, self.last.year + 1):
            total = self.total * (1.0 if year < self.world.today.year else DECLINE)
            for month in range(1, 13):
                first = dt.date(year, month, 1)
                end = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
                days = self.workday.between(first, end)
                for d in days:
                    out[d] = total * MONTHS[month - 1] / sum(MONTHS) / len(days)
        return out

    def _origin(self, day: dt.date) -> str:
        weights = [self.mix(a, b, day) for a, b in ORIGINS.values()]
        return self.rng.choices(list(ORIGINS), weights)[0]

    def _plans(self) -> None:
        for year in range(self.first.year, self.last.year + 1):
            for s in self.world.subjects:
                if year == self.first.year:
                    day = dt.date(year, 2, 20) + dt.timedelta(days=self.rng.randrange(10))
                    day = max(day, s.items[0].published_on + dt.timedelta(days=7))
                else:
                    day = dt.date(year, 1, 15) + dt.timedelta(days=self.rng.randrange(15))
                items = s.items_on(day)
                if items and day <= self.last - dt.timedelta(days=10):
                    self.plans[(s.id, year)] = PlanSpec(s, year, day, items)

    # --- one inspection ---------------------------------------------------------------

    def _leads(self, day: dt.date, origin: str) -> list[Subj]:
        out = []
        for s in self.world.subjects:
            plan = self.plans.get((s.id, day.year))
            if origin == "plan" and (plan is None or plan.published_on > day - dt.timedelta(5)):
                continue
            if s.announced <= day and s.items_on(day):
                out.append(s)
        return out

    def _task(self, day: dt.date, origin: str) -> Spec | None:
        world, rng = self.world, self.rng
        leads = self._leads(day, origin)
        weights = [len(s.officers) * (1.0 if s.city_level else 0.7) for s in leads]
        for _ in range(15 if leads else 0):
            lead = rng.choices(leads, weights)[0]
            cands = world.candidates(lead)
            ent = cands[rng.randrange(len(cands))]
            if ent.id in world.reserved:
                continue
            window = self._window(day, origin, lead)
            joint = rng.random() < self.mix(*JOINT[origin], day)
            nonsite = rng.random() < self.mix(*NONSITE[origin], day) * (0.6 if joint else 1.0)
            method = self._nonsite(origin) if nonsite else "onsite"
            if not world.fits([lead], ent, window[0], method, origin):
                continue
            partners = self.partners(lead, ent, window, method, origin, day) if joint else []
            spec = self.add(day, [lead, *partners], ent, origin, method, window)
            if spec is not None:
                return spec
        return None

    def _nonsite(self, origin: str) -> str:
        if origin == "monitoring":
            return "offsite"
        return "written" if origin == "referral" or self.rng.random() < 0.5 else "offsite"

    def _window(self, day: dt.date, origin: str, lead: Subj) -> tuple[dt.date, dt.date]:
        end = min(day + dt.timedelta(days=self.rng.randint(5, 20)), dt.date(day.year, 12, 31))
        if origin in TRIGGERED:
            return day, end
        plan = self.plans[(lead.id, day.year)]
        start = max(day - dt.timedelta(days=self.rng.randint(0, 4)), plan.published_on)
        return max(start, dt.date(day.year, 1, 1)), end

    def partners(
        self,
        lead: Subj,
        ent: Ent,
        window: tuple[dt.date, dt.date],
        method: str,
        origin: str,
        day: dt.date,
        want: int = 0,
    ) -> list[Subj]:
        """Subjects of other fields that may join the lead (one, sometimes two)."""
        world, start = self.world, window[0]
        if not want:
            want = 2 if start < world.guard_from and self.rng.random() < 0.25 else 1
        pool = [s for s in world.subjects if s.id != lead.id and s.field != lead.field]
        self.rng.shuffle(pool)
        out: list[Subj] = []
        for s in pool:
            if s.field in {p.field for p in out} or s.announced > start or not s.items_on(start):
                continue
            fits = world.fits([*out, s], ent, start, method, origin, joining=lead.id)
            if fits and len(world.free(s, start, window[1], day)) >= MIN_OFFICERS:
                out.append(s)
            if len(out) == want:
                break
        return out

    def join(self, spec: Spec) -> bool:
        """Make a single-subject inspection a joint one, if another subject may come along."""
        found = self.partners(spec.lead, spec.ent, spec.window, spec.method, spec.origin,
                              spec.day, want=1)  # fmt: skip
        if not found:
            return False
        partner, start, end = found[0], *spec.window
        free = self.world.free(partner, start, end, spec.day)
        spec.subjects = [spec.lead, partner]
        extra = self._items(partner, partner.items_on(start), spec.method)
        spec.items = sorted([*spec.items, *extra], key=lambda p: p[0].code)
        officers = self.rng.sample(free, MIN_OFFICERS)
        spec.officers = [*spec.officers, *officers]
        self.world.register([partner], spec.ent, start, spec.method, spec.origin, officers,
                            spec.day)  # fmt: skip
        return True

    def _items(self, s: Subj, pool: list[Item], method: str) -> list[tuple[Item, Subj]]:
        good = [i for i in pool if i.methods & COMPAT[method]] or pool
        picked = self.rng.sample(good, min(len(good), 1 if self.rng.random() < 0.7 else 2))
        return [(i, s) for i in picked]

    def add(
        self,
        day: dt.date,
        subs: list[Subj],
        ent: Ent,
        origin: str,
        method: str,
        window: tuple[dt.date, dt.date],
        *,
        planted: str = "",
    ) -> Spec | None:
        """Add a planned or triggered inspection, if officers and items allow it."""
        rng, start = self.rng, window[0]
        items: list[tuple[Item, Subj]] = []
        officers: list[Off] = []
        for k, s in enumerate(subs):
            plan = self.plans.get((s.id, start.year))
            own = plan.items if k == 0 and origin == "plan" and plan else s.items_on(start)
            free = self.world.free(s, start, window[1], day)
            if len(free) < MIN_OFFICERS or not own:
                return None
            items += self._items(s, own, method)
            extra = len(free) > MIN_OFFICERS and rng.random() < 0.1  # now and then a third
            officers += rng.sample(free, MIN_OFFICERS + extra)
        created, issued, started, finished = self._times(day, origin, start, subs[0])
        spec = Spec(
            ent, subs, sorted(items, key=lambda p: p[0].code), officers, origin, method, window,
            day, created, issued, started, finished, self._outcome(origin, day),
            self._trigger(origin, subs[0], day), planted=planted,
        )  # fmt: skip
        self.keep(spec)
        return spec

    def keep(self, spec: Spec) -> None:
        """Append a spec and record it in the limits."""
        self.specs.append(spec)
        self.per_day[spec.day] += 1
        self.world.register(spec.subjects, spec.ent, spec.window[0], spec.method, spec.origin,
                            spec.officers, spec.day)  # fmt: skip

    def _times(
        self, day: dt.date, origin: str, start: dt.date, lead: Subj
    ) -> tuple[dt.datetime, dt.datetime, dt.datetime, dt.datetime]:
        rng = self.rng
        started = at(day, 9 + rng.random() * 5)
        if origin in TRIGGERED:  # the clue came in that morning: task, code, then the visit
            created = at(day, 7.5 + rng.random())
            issued = created + dt.timedelta(minutes=rng.randint(10, 40))
            started = max(started, issued + dt.timedelta(minutes=rng.randint(30, 90)))
        else:
            plan = self.plans[(lead.id, start.year)]
            made_on = max(start - dt.timedelta(days=rng.randint(1, 6)), plan.published_on)
            created = at(made_on, 9 + rng.random() * 8) if made_on < day else at(day, 7.5)
            issued = min(created + dt.timedelta(hours=rng.randint(1, 30)), at(day, 8.5))
            issued = max(issued, created + dt.timedelta(minutes=5))
        finished = started + dt.timedelta(minutes=rng.randint(50, 210))
        return created, issued, started, finished

    def _outcome(self, origin: str, day: dt.date) -> str:
        if self.rng.random() >= self.mix(*PROBLEM[origin], day):
            return "none"
        return "case" if self.rng.random() < 0.15 else "rectify"

    def _trigger(self, origin: str, lead: Subj, day: dt.date) -> tuple[str, str]:
        if origin not in TRIGGERED:
            return "", ""
        self.serial[f"{origin}{day.year}"] += 1
        n = self.serial[f"{origin}{day.year}"]
        topic = self.rng.choice(TOPICS.get(lead.field, ("经营行为不规范",)))
        if origin == "complaint":
            return f"12345-{day.year}-{40000 + 7 * n:05d}", f"群众通过12345热线投诉：{topic}。"
        if origin == "referral":
            return f"衢交办〔{day.year}〕{n}号", f"上级机关交办线索：{topic}，要求核查处理。"
        return f"JC{day.year}{n:05d}", f"在线监测预警：{topic}相关数据异常，需核实。"

    def _from_draw(self, draw: DrawSpec, ent: Ent, officers: list[Off]) -> Spec:
        rng = self.rng
        start, end = draw.window
        day = rng.choice(self.workday.between(start, end) or [start])
        drawn = at(draw.draw_date, 9.5)
        started = at(day, 9 + rng.random() * 5)
        issued = max(
            drawn + dt.timedelta(minutes=20),
            at(day - dt.timedelta(days=rng.randint(1, 4)), 10 + rng.random() * 6),
        )
        spec = Spec(
            ent, draw.subjects, draw.items, officers, "draw", draw.method, draw.window, day,
            drawn, min(issued, started - dt.timedelta(minutes=30)), started,
            started + dt.timedelta(minutes=rng.randint(50, 210)), self._outcome("draw", day),
            draw=draw,
        )  # fmt: skip
        self.keep(spec)
        return spec
