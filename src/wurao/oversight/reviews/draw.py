"""The review sample, drawn with the 双随机's verifiable draw (sampling/algorithm.py,
``wurao-dss-v1``, docs/draw-algorithm.md) — F8 REVIEW-SAMPLE.

The pool file lists the eligible files as ``FILEKEY,STRATUM`` lines (the algorithm's "uscc"
column holds the file key: ``T`` + task id or ``C`` + case id, ten digits; the stratum is the
file's subject's USCC, so every subject with files is represented). The plan's rate is the
ratio of every stratum; a sample size becomes the rate size ÷ pool (rounded down to twelve
decimals), so at least that many files are drawn. The frozen document and the artefacts have
the draws' shape with an empty officer roster, so ``wurao draw verify`` and
``sampling.algorithm.verify`` recompute a review sample exactly like a 双随机 draw.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import region_in_scope
from wurao.cases.models import PenaltyCase
from wurao.cases.statuses import DECIDED_STATES
from wurao.core.ids import region_scope_prefix
from wurao.core.time import LOCAL_TZ, to_local
from wurao.inspections.models import InspectionRecord, InspectionTask, TaskSubject
from wurao.oversight.reviews.models import ReviewFile, ReviewPlan
from wurao.oversight.reviews.statuses import FileKind, PlanStatus
from wurao.registry.models import EnforcementSubject
from wurao.sampling import algorithm

FORMAT = "wurao-review-artefacts/1"
NO_OFFICERS: dict[str, Any] = {
    "per_subject": 0,
    "cap": 0,
    "roster": {},
    "conflicts": [],
    "avoid": [],
}


@dataclass(frozen=True)
class Member:
    """One eligible file."""

    key: str
    stratum: str  # the subject's USCC
    subject_id: int
    task_id: int | None = None
    case_id: int | None = None


def file_key(kind: str, ident: int) -> str:
    """A file's key in the pool file."""
    return f"{'T' if kind == FileKind.INSPECTION else 'C'}{ident:010d}"


def _bounds(plan: ReviewPlan) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(plan.period_from, dt.time(), LOCAL_TZ)
    end = dt.datetime.combine(plan.period_to + dt.timedelta(days=1), dt.time(), LOCAL_TZ)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def pool(session: Session, plan: ReviewPlan, subject_ids: list[int]) -> list[Member]:
    """The eligible files, sorted by key: finished inspection records, or decided cases, of the
    scope's subjects (all of the plan's region when the scope is empty) in the period."""
    prefix = region_scope_prefix(plan.region_code)
    subjects = select(EnforcementSubject.id, EnforcementSubject.uscc).where(
        region_in_scope(EnforcementSubject.region_code, prefix)
    )
    if subject_ids:
        subjects = subjects.where(EnforcementSubject.id.in_(subject_ids))
    uscc = dict(session.execute(subjects).all())
    out: list[Member] = []
    if plan.file_kind == FileKind.INSPECTION:
        start, end = _bounds(plan)
        rows = session.execute(
            select(InspectionTask.id, TaskSubject.subject_id)
            .join(InspectionRecord, InspectionRecord.task_id == InspectionTask.id)
            .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
            .where(
                TaskSubject.lead.is_(True),
                TaskSubject.subject_id.in_(list(uscc)),
                InspectionRecord.finished_at >= start,
                InspectionRecord.finished_at < end,
            )
        ).all()
        out = [Member(file_key(FileKind.INSPECTION, t), uscc[s], s, task_id=t) for t, s in rows]
    else:
        rows = session.execute(
            select(PenaltyCase.id, PenaltyCase.subject_id).where(
                PenaltyCase.subject_id.in_(list(uscc)),
                PenaltyCase.status.in_([s.value for s in DECIDED_STATES]),
                PenaltyCase.decided_on >= plan.period_from,
                PenaltyCase.decided_on <= plan.period_to,
            )
        ).all()
        out = [Member(file_key(FileKind.CASE, c), uscc[s], s, case_id=c) for c, s in rows]
    return sorted(out, key=lambda m: m.key.encode())


def ratio(plan: ReviewPlan, size: int) -> str:
    """The ratio applied to every stratum: the plan's rate, or its sample size ÷ pool size
    rounded down to twelve decimals (so ceil per stratum draws at least the size)."""
    if plan.sample_rate:
        return plan.sample_rate
    if size == 0:
        return "0"
    wanted = min(Decimal(plan.sample_size or 0), Decimal(size))
    r = (wanted / Decimal(size)).quantize(Decimal("1e-12"), rounding=ROUND_DOWN)
    return format(r.normalize(), "f") if r else "0"


def _iso(value: dt.datetime | None) -> str | None:
    return to_local(value).isoformat(timespec="seconds") if value is not None else None


def frozen_document(
    plan: ReviewPlan, members: list[Member], subject_ids: list[int], seed: bytes
) -> dict[str, Any]:
    """What the draw commits to: the plan, the pool's hash and strata, the ratios, the seed's
    commitment (the draws' document with an empty officer roster)."""
    data = algorithm.pool_bytes((m.key, m.stratum) for m in members)
    strata = algorithm.strata_counts((m.key, m.stratum) for m in members)
    r = ratio(plan, len(members))
    return {
        "algorithm": algorithm.ALGORITHM,
        "review": {
            "id": plan.id,
            "title": plan.title,
            "region_code": plan.region_code,
            "file_kind": plan.file_kind,
            "period": [plan.period_from.isoformat(), plan.period_to.isoformat()],
            "subjects": sorted(subject_ids),
            "sample_size": plan.sample_size,
            "sample_rate": plan.sample_rate,
        },
        "pool": {
            "sha256": algorithm.sha256_hex(data),
            "size": len(members),
            "strata": strata,
            "filter": {"file_kind": plan.file_kind},
        },
        "ratios": {s: r for s in strata},
        "seed_commitment": algorithm.commitment(seed),
        "public_value_note": "",
        "officers": NO_OFFICERS,
    }


@dataclass(frozen=True)
class Drawn:
    """The outcome of a review draw, before it is written."""

    members: list[Member]
    frozen: dict[str, Any]
    pool_file: bytes
    seed: bytes
    selection: list[algorithm.Drawn]


def run(plan: ReviewPlan, members: list[Member], subject_ids: list[int]) -> Drawn:
    """Freeze the pool, commit a fresh seed and draw (pure: the caller stores it)."""
    seed = secrets.token_bytes(32)
    frozen = frozen_document(plan, members, subject_ids, seed)
    data = algorithm.pool_bytes((m.key, m.stratum) for m in members)
    selection, _teams = algorithm.compute([(m.key, m.stratum) for m in members], frozen, seed)
    return Drawn(members, frozen, data, seed, selection)


def artefacts(plan: ReviewPlan, files: list[ReviewFile]) -> dict[str, Any]:
    """The published artefacts of a drawn plan in the draws' format: the selection is the
    stored sample, so ``sampling.algorithm.verify`` (and ``wurao draw verify``) recomputes it
    from the pool file, the frozen document and the revealed seed."""
    if plan.status == PlanStatus.DRAFT or not plan.frozen_json:
        return {"format": FORMAT, "algorithm": algorithm.ALGORITHM, "review_id": plan.id,
                "status": plan.status}  # fmt: skip
    stratum = dict(algorithm.parse_pool(plan.pool_file.encode("utf-8")))
    ordered = sorted(files, key=lambda f: (stratum.get(f.file_key, ""), f.rank))
    at = _iso(plan.drawn_at)
    return {
        "format": FORMAT,
        "algorithm": algorithm.ALGORITHM,
        "review_id": plan.id,
        "status": plan.status,
        "frozen": json.loads(plan.frozen_json),
        "frozen_sha256": plan.frozen_sha256,
        "public_value": "",
        "seed": plan.seed_hex,
        "selection": [
            {
                "uscc": f.file_key,
                "stratum": stratum.get(f.file_key, ""),
                "rank": f.rank,
                "key": f.draw_key,
            }
            for f in ordered
        ],
        "teams": [
            {"uscc": k, "officers": {}} for k in sorted({f.file_key for f in files}, key=str.encode)
        ],
        "times": {
            "pool_frozen_at": at,
            "seed_committed_at": at,
            "public_value_entered_at": None,
            "drawn_at": at,
            "cancelled_at": None,
        },
        "pool_file": "pool.csv",
    }
