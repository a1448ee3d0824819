"""Where the demo history's tasks come from, written first: the 双随机 draws (frozen, drawn
and verifiable) and the annual plans (approved, published and filed) whose entries name the
enterprises the planned inspections went to."""

from __future__ import annotations

import datetime as dt
import gzip
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from wurao.core import audit
from wurao.core.db import is_postgresql
from wurao.demo.common import CITY, GENERATOR
from wurao.demo.history_draws import CREDIT, EXCLUDE_MONTHS, PER_SUBJECT, DrawSpec
from wurao.demo.history_sim import PlanSpec, Sim, Spec, at
from wurao.planning.models import InspectionPlan, PlanEntry, PlanTarget
from wurao.registry.models import Region
from wurao.sampling import algorithm
from wurao.sampling.models import Draw, DrawItem, DrawPool, DrawSubject


@dataclass
class Origins:
    """The ids the tasks refer to: their draw, and their lead's plan entry."""

    draws: dict[int, int] = field(default_factory=dict)  # id(DrawSpec) → draw id
    entries: dict[tuple[int, int, int], int] = field(default_factory=dict)  # subj, year, item
    plans: int = 0

    def draw_of(self, spec: Spec) -> int | None:
        """The draw a task comes from."""
        return self.draws[id(spec.draw)] if spec.draw is not None else None

    def entry_of(self, spec: Spec) -> int | None:
        """The plan entry of a planned task: its lead's entry for its first own item."""
        if spec.origin != "plan":
            return None
        item = next(i for i, s in spec.items if s.id == spec.lead.id)
        return self.entries[(spec.lead.id, spec.window[0].year, item.id)]


def note(session: Session, action: str, table: str, summary: str) -> None:
    """The one audit entry covering a table's bulk insert."""
    audit.record(
        session,
        actor=GENERATOR,
        action=action,
        object_type=table,
        object_id="*",
        region_code=CITY,
        summary=summary,
    )


def bulk(session: Session, model: Any, rows: list[dict[str, Any]], batch: int = 5000) -> None:
    """Insert rows through the Core table: one multi-row statement per batch.

    (The ORM's bulk insert would split the rows into runs by which values are None.)
    """
    for i in range(0, len(rows), batch):
        session.execute(insert(model.__table__), rows[i : i + batch])


def reserve_ids(session: Session, model: Any, n: int) -> list[int]:
    """``n`` new primary keys for ``model``, ascending, taken before a bulk insert.

    PostgreSQL draws them from the column's sequence (so later inserts never collide);
    SQLite, whose write transaction holds the database, continues after the largest id.
    """
    if n == 0:
        return []
    if is_postgresql(session):
        sql = text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)")
        return sorted(session.scalars(sql, {"t": model.__tablename__, "n": n}))
    top = int(session.scalar(select(func.max(model.id))) or 0)
    return list(range(top + 1, top + n + 1))


def _draw_row(d: DrawSpec) -> dict[str, Any]:
    frozen_at = at(d.draw_date - dt.timedelta(days=1), 16.0)
    return {
        "title": d.title, "lead_subject_id": d.lead.id, "region_code": d.region,
        "draw_date": d.draw_date, "method": d.method, "window_start": d.window[0],
        "window_end": d.window[1], "industry_codes": ",".join(d.industries),
        "credit_classes": CREDIT, "tags": "", "exclude_months": EXCLUDE_MONTHS,
        "officers_per_subject": PER_SUBJECT, "officer_cap": d.cap, "public_value_note": "",
        "public_value": "", "public_value_at": None, "status": "drawn",
        "pool_sha256": d.frozen["pool"]["sha256"], "pool_size": len(d.members),
        "seed_commitment": d.frozen["seed_commitment"], "seed_hex": d.seed.hex(),
        "seed_revealed": True, "conflict_salt_hex": d.salt.hex(),
        "result_json": algorithm.canonical(d.result).decode(), "tasks_created": len(d.teams),
        "cancel_reason": "", "created_by_id": None,
        "created_at": at(d.draw_date - dt.timedelta(days=10), 10.0), "frozen_at": frozen_at,
        "drawn_at": at(d.draw_date, 9.5), "cancelled_at": None,
    }  # fmt: skip


def _draws(session: Session, sim: Sim, origins: Origins) -> None:
    if not sim.draws:
        return
    ids = reserve_ids(session, Draw, len(sim.draws))
    rows = []
    for draw_id, d in zip(ids, sim.draws, strict=True):
        origins.draws[id(d)] = draw_id
        d.frozen["draw"]["id"] = draw_id  # freeze_draw records the draw's own id
        frozen = algorithm.canonical(d.frozen)
        rows.append(
            {**_draw_row(d), "id": draw_id, "frozen_json": frozen.decode(),
             "frozen_sha256": algorithm.sha256_hex(frozen)}
        )  # fmt: skip
    bulk(session, Draw, rows)
    pairs = list(zip(ids, sim.draws, strict=True))
    members = [
        {"draw_id": i, "subject_id": s.id, "seq": n}
        for i, d in pairs
        for n, s in enumerate(d.subjects)
    ]
    bulk(session, DrawSubject, members)
    items = [
        {"draw_id": i, "item_id": it.id, "subject_id": s.id} for i, d in pairs for it, s in d.items
    ]
    bulk(session, DrawItem, items)
    pools = []
    for i, d in pairs:
        pool = algorithm.pool_bytes(d.members)
        gz = gzip.compress(pool, compresslevel=6, mtime=0)
        pools.append({"draw_id": i, "sha256": algorithm.sha256_hex(pool), "size": len(pool),
                      "content_gz": gz})  # fmt: skip
    bulk(session, DrawPool, pools)
    summary = (
        f"生成演示双随机抽查 {len(ids)} 次（已冻结名录库、公开种子并抽取，"
        f"共抽中 {sum(len(d.teams) for d in sim.draws)} 户），含参与主体、抽查事项和名录库文件"
    )
    note(session, "draw.generate", "draw", summary)


def _entries(sim: Sim) -> dict[tuple[int, int], dict[tuple[int, str], list[Spec]]]:
    """(subject, year) → (item, kind) → tasks: planned tasks by item, draws by item."""
    out: dict[tuple[int, int], dict[tuple[int, str], list[Spec]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for s in sim.specs:
        year = s.window[0].year
        for item, subj in s.items:
            if s.origin == "plan" and subj.id == s.lead.id:
                out[(subj.id, year)][(item.id, "targeted")].append(s)
            elif s.origin == "draw":
                out[(subj.id, year)][(item.id, "dss")].append(s)
    return out


def _plan_row(p: PlanSpec, reviewer: str) -> dict[str, Any]:
    pub, s = p.published_on, p.subject
    reviewed = at(pub + dt.timedelta(days=9), 11.0)
    return {
        "subject_id": s.id, "year": p.year, "version": 1,
        "title": f"{s.name}{p.year}年度行政检查计划", "status": "filed", "supersedes_id": None,
        "amendment_reason": "", "submitted_at": at(pub - dt.timedelta(days=12), 10.0),
        "approved_at": at(pub - dt.timedelta(days=5), 15.0), "approved_by": "主要负责人",
        "approval_comment": "经局务会议集体讨论通过", "published_on": pub,
        "filed_at": at(pub + dt.timedelta(days=2), 10.0), "filing_status": "accepted",
        "filing_comment": "", "filing_reviewed_at": reviewed, "filing_reviewer": reviewer,
        "created_by_id": None, "created_at": at(pub - dt.timedelta(days=20), 9.0),
        "updated_at": reviewed,
    }  # fmt: skip


def _plans(session: Session, sim: Sim, origins: Origins) -> None:
    used = _entries(sim)
    plans = [p for key, p in sorted(sim.plans.items()) if used.get(key)]
    if not plans:
        return
    names = {c: n for c, n in session.execute(select(Region.code, Region.name))}
    rows = [_plan_row(p, f"{names.get(p.subject.region, '')}司法局") for p in plans]
    ids = reserve_ids(session, InspectionPlan, len(rows))
    bulk(session, InspectionPlan, [{**r, "id": i} for i, r in zip(ids, rows, strict=True)])
    entries, keys, targets = [], [], []
    for plan_id, p in zip(ids, plans, strict=True):
        months = ",".join(str(m) for m in range(p.published_on.month, 13))
        for (item_id, kind), tasks in sorted(used[(p.subject.id, p.year)].items()):
            methods = Counter(t.method for t in tasks)
            entries.append({
                "plan_id": plan_id, "item_id": item_id, "method": methods.most_common(1)[0][0],
                "selection": kind, "scope_region": p.subject.region, "scope_industry": "",
                "scope_credit": ",".join(CREDIT) if kind == "dss" else "", "scope_tag": "",
                "planned_count": len(tasks), "months": months, "officers_per_team": 2,
                "note": "",
            })  # fmt: skip
            keys.append((p.subject.id, p.year, item_id, kind, tasks))
    entry_ids = reserve_ids(session, PlanEntry, len(entries))
    bulk(session, PlanEntry, [{**e, "id": i} for i, e in zip(entry_ids, entries, strict=True)])
    for entry_id, (sid, year, item_id, kind, tasks) in zip(entry_ids, keys, strict=True):
        if kind == "targeted":
            origins.entries[(sid, year, item_id)] = entry_id
            ents = sorted({t.ent.id for t in tasks})
            targets += [{"entry_id": entry_id, "enterprise_id": e} for e in ents]
    bulk(session, PlanTarget, targets)
    origins.plans = len(ids)
    summary = (
        f"生成演示年度行政检查计划 {len(ids)} 份（已批准、公布并备案），"
        f"计划内容 {len(entries)} 行、定向检查对象 {len(targets)} 户"
    )
    note(session, "plan.generate", "inspection_plan", summary)


def write_origins(session: Session, sim: Sim) -> Origins:
    """Write the draws and plans of the history; returns the ids its tasks refer to."""
    origins = Origins()
    _draws(session, sim, origins)
    _plans(session, sim, origins)
    return origins
