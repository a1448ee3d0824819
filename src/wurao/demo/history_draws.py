"""双随机 draws of the demo history, made the way ``wurao.sampling.freeze`` and
``wurao.sampling.run`` make them.

Each draw freezes a pool (active enterprises of its region, credit classes A and B, a few
industries, none inspected by its subjects in the past twelve months), commits to a seed,
and draws with ``wurao.sampling.algorithm``; the frozen parameters carry the same fields as
``freeze_draw`` writes, so ``wurao draw verify`` recomputes every historical draw.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Protocol

from wurao.demo.history_world import FIELD_SCOPE, Ent, Item, Off, Subj, World
from wurao.demo.rows import INDUSTRIES
from wurao.sampling import algorithm
from wurao.sampling.service import ratios_for

CREDIT = "AB"  # low-risk classes, drawn at their small ratios (C and D would be drawn in full)
PER_SUBJECT = 2
EXCLUDE_MONTHS = 12
# (first, last) possible draw dates per batch of a year, as (month, day)
PERIODS = (((3, 1), (4, 30)), ((5, 10), (7, 10)), ((8, 10), (10, 20)))


@dataclass
class DrawSpec:
    """A draw: its definition, and once run its pool, seed, frozen parameters and result."""

    title: str
    subjects: list[Subj]  # lead first
    items: list[tuple[Item, Subj]]
    region: str
    draw_date: dt.date
    method: str
    window: tuple[dt.date, dt.date]
    target: int
    industries: list[str] = field(default_factory=list)
    cap: int = 10
    seed: bytes = b""
    salt: bytes = b""  # the conflict salt (never published)
    members: list[tuple[str, str]] = field(default_factory=list)
    frozen: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    teams: list[tuple[Ent, list[Off]]] = field(default_factory=list)

    @property
    def lead(self) -> Subj:
        """The lead subject."""
        return self.subjects[0]


def _codes(field_name: str) -> list[str]:
    marks = [m for m in FIELD_SCOPE.get(field_name, ()) if not m.startswith("|")]
    return [c for c, _p, _t in INDUSTRIES if not marks or any(c.startswith(m) for m in marks)]


class Planner(Protocol):
    """What scheduling draws asks of the history being made (``history_sim.Sim``)."""

    def mix(self, a: float, b: float, day: dt.date) -> float:
        """A probability moving from ``a`` at the start of the history to ``b`` today."""

    def listed(self, s: Subj, day: dt.date) -> list[Item]:
        """The items of the subject's plan, published by ``day``, on the 随机抽查事项清单."""

    def working(self, day: dt.date) -> dt.date:
        """``day`` if a working day, else the next one."""


def _partners(
    world: World, rng: random.Random, lead: Subj, day: dt.date, planner: Planner
) -> list[Subj]:
    """One or two subjects of other fields for a 部门联合双随机 draw, in one county at most."""
    pool = [s for s in world.subjects if s.id != lead.id and planner.listed(s, day)]
    rng.shuffle(pool)
    want = 1 if rng.random() < 0.75 else 2
    out: list[Subj] = []
    for s in pool:
        counties = {x.region for x in (lead, *out, s) if not x.city_level}
        if s.field in {x.field for x in (lead, *out)} or len(counties) > 1:
            continue
        if set(_codes(lead.field)) & set(_codes(s.field)):
            out.append(s)
        if len(out) == want:
            break
    return out


def _draw(
    world: World, rng: random.Random, planner: Planner, lead: Subj, day: dt.date, batch: int
) -> DrawSpec | None:
    start = planner.working(day + dt.timedelta(days=rng.randint(3, 7)))
    end = start + dt.timedelta(days=rng.randint(35, 50))
    end = min(end, world.guard_from - dt.timedelta(days=1), dt.date(day.year, 12, 31))
    own = planner.listed(lead, day)
    if (end - start).days < 14 or not own:
        return None
    # this year every draw that can be is a 部门联合双随机 (a solo draw would drag a subject's
    # joint rate below last year's, which F8 reports)
    joint = day.year == world.today.year or rng.random() < planner.mix(0.4, 0.95, day)
    subs = [lead, *(_partners(world, rng, lead, day, planner) if joint else [])]
    items = [(i, lead) for i in rng.sample(own, min(len(own), rng.randint(1, 2)))]
    items += [(rng.choice(planner.listed(s, day)), s) for s in subs[1:]]
    region = next((s.region for s in subs if not s.city_level), "")
    if not region:  # a city-level lead draws from the city or from one county
        counties = sorted({e.region for e in world.enterprises})
        region = lead.region if rng.random() < 0.3 else rng.choice(counties)
    nonsite = rng.random() < planner.mix(0.05, 0.35, day)
    kind = "部门联合双随机抽查" if len(subs) > 1 else "双随机抽查"
    fields = "、".join(s.field for s in subs)
    return DrawSpec(
        title=f"{day.year}年度{fields}{kind}（{lead.name}牵头，第{batch}批）",
        subjects=subs,
        items=sorted(items, key=lambda p: p[0].code),
        region=region,
        draw_date=day,
        method=rng.choice(("offsite", "written")) if nonsite else "onsite",
        window=(start, end),
        target=rng.randint(20, 40) if lead.city_level else rng.randint(10, 20),
    )


def schedule(
    world: World, rng: random.Random, years: list[int], planner: Planner
) -> list[DrawSpec]:
    """The draws of the history: up to three a year per subject, more of them joint lately,
    each over items its published plan lists, ending before the weeks F3 looks at."""
    out: list[DrawSpec] = []
    for year in years:
        for lead in world.subjects:
            for batch, (lo, hi) in enumerate(PERIODS, start=1):
                first, last = dt.date(year, *lo), dt.date(year, *hi)
                day = planner.working(first + dt.timedelta(days=rng.randrange((last - first).days)))
                draw = _draw(world, rng, planner, lead, day, batch)
                if draw is not None:
                    out.append(draw)
    return sorted(out, key=lambda d: d.draw_date)


def _year_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = (dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month + 1, min(day.day, last))


class Pools:
    """Active A/B enterprises by county and industry, for building pools quickly."""

    def __init__(self, world: World) -> None:
        self.groups: dict[tuple[str, str], list[Ent]] = defaultdict(list)
        for e in world.enterprises:
            if e.credit in CREDIT:
                self.groups[(e.region, e.industry)].append(e)

    def members(self, world: World, draw: DrawSpec, codes: list[str]) -> list[Ent]:
        """The pool for ``codes``: in the draw's region, not inspected by its subjects lately."""
        since = _year_before(draw.draw_date, EXCLUDE_MONTHS)
        prefix = draw.region[:4] if draw.region.endswith("00") else draw.region
        return [
            e
            for (region, code), ents in self.groups.items()
            if region.startswith(prefix) and code in codes
            for e in ents
            if not world.recently_seen(draw.subjects, e.id, since)
        ]


def _quota(ratios: dict[str, str], ents: list[Ent]) -> int:
    counts = algorithm.strata_counts((e.uscc, e.credit) for e in ents)
    return sum(algorithm.quota(ratios[c], n) for c, n in counts.items())


def _avoid(world: World, draw: DrawSpec, certs: set[str]) -> list[str]:
    ids = {s.id for s in draw.subjects}
    return sorted(
        {algorithm.pair_tag(uscc, c, draw.salt)
         for (uscc, sid), (_start, team) in world.last_team.items() if sid in ids
         for c in team if c in certs}
    )  # fmt: skip


def run(world: World, pools: Pools, draw: DrawSpec, rng: random.Random) -> bool:
    """Freeze the pool and roster, draw, and keep the teams; False when nothing can be drawn."""
    ratios = {c: r for c, r in ratios_for(draw.region, draw.draw_date).items() if c in CREDIT}
    codes = _codes(draw.subjects[0].field)
    for s in draw.subjects[1:]:
        codes = [c for c in codes if c in _codes(s.field)]
    rng.shuffle(codes)
    chosen: list[str] = []
    ents: list[Ent] = []
    for code in codes:
        chosen.append(code)
        ents = pools.members(world, draw, chosen)
        if _quota(ratios, ents) >= draw.target:
            break
    roster = {s.uscc: sorted(world.officers(s, draw.draw_date, draw.window[1]),
                             key=lambda o: o.cert_no) for s in draw.subjects}  # fmt: skip
    total = _quota(ratios, ents)
    have = min(len(v) for v in roster.values())
    if total == 0 or have < PER_SUBJECT:
        return False
    draw.industries = sorted(chosen)
    draw.cap = max(10, -(-PER_SUBJECT * total // have))
    draw.members = sorted((e.uscc, e.credit) for e in ents)
    draw.seed = rng.randbytes(32)
    # Demo only: the salt follows from the seed so the history stays a function of its generator
    # seed without drawing from ``rng`` (which would change every later draw). The service takes
    # an independent secret salt; in the demo everything follows from the public generator seed.
    draw.salt = hashlib.sha256(b"wurao-demo-conflict-salt|" + draw.seed).digest()
    certs = {o.cert_no for offs in roster.values() for o in offs}
    draw.frozen = _frozen(draw, roster, _avoid(world, draw, certs), ratios)
    drawn, teams = algorithm.compute(draw.members, draw.frozen, draw.seed, "", draw.salt)
    draw.result = {
        "selection": algorithm.selection_json(drawn),
        "teams": algorithm.teams_json(teams),
    }
    by_uscc = {e.uscc: e for e in ents}
    by_cert = {o.cert_no: o for offs in roster.values() for o in offs}
    draw.teams = [
        (by_uscc[t.uscc], [by_cert[c] for s in sorted(t.officers) for c in t.officers[s]])
        for t in teams
    ]
    return True


def _frozen(
    draw: DrawSpec, roster: dict[str, list[Off]], avoid: list[str], ratios: dict[str, str]
) -> dict[str, Any]:
    """The frozen parameters exactly as ``freeze_draw`` records them (the id comes later)."""
    pool = algorithm.pool_bytes(draw.members)
    start, end = draw.window
    return {
        "algorithm": algorithm.ALGORITHM,
        "draw": {
            "id": 0,
            "title": draw.title,
            "region_code": draw.region,
            "draw_date": draw.draw_date.isoformat(),
            "method": draw.method,
            "window": [start.isoformat(), end.isoformat()],
            "subjects": [{"uscc": s.uscc, "name": s.name} for s in draw.subjects],
            "items": [{"code": i.code, "name": i.name, "subject": s.uscc} for i, s in draw.items],
        },
        "pool": {
            "sha256": algorithm.sha256_hex(pool),
            "size": len(draw.members),
            "strata": algorithm.strata_counts(draw.members),
            "filter": {
                "region_code": draw.region,
                "status": "active",
                "credit_classes": CREDIT,
                "industry_codes": ",".join(draw.industries),
                "tags": "",
                "exclude_months": EXCLUDE_MONTHS,
            },
        },
        "ratios": ratios,
        "seed_commitment": algorithm.commitment(draw.seed),
        algorithm.SALT_COMMITMENT: algorithm.commitment(draw.salt),
        "public_value_note": "",
        "officers": {
            "per_subject": PER_SUBJECT,
            "cap": draw.cap,
            "roster": {u: [o.cert_no for o in offs] for u, offs in roster.items()},
            "conflicts": [],
            "avoid": avoid,
        },
    }
