"""Freezing a 双随机 draw: the candidate pool (C2), the officer roster (C3, A2), the seed and
conflict-salt commitments, the public random value, and the stored pool file.

After the freeze nothing the draw depends on can change: the pool file and the roster are
published by hash and the seed by commitment (docs/draw-algorithm.md). The draw itself is run
by ``wurao.sampling.run``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import secrets
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor, region_in_scope
from wurao.core import audit
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from wurao.core.ids import region_scope_prefix
from wurao.core.text import NOTE, text_problem
from wurao.core.time import utcnow
from wurao.inspections.models import InspectionTask, TaskOfficer, TaskSubject
from wurao.registry.models import EnforcementSubject, Enterprise, Officer
from wurao.registry.officers.service import who_may_inspect
from wurao.registry.subjects.service import subject_problems
from wurao.sampling import algorithm, feasibility
from wurao.sampling.models import Draw, DrawPool, OfficerConflict
from wurao.sampling.service import (
    INSPECTED,
    items_of,
    ratios_for,
    require_lead,
    subjects_of,
)
from wurao.sampling.statuses import DRAW_LIFECYCLE

# --- the pool ------------------------------------------------------------------------------


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _pool_conditions(draw: Draw, subject_ids: Sequence[int]) -> list[Any]:
    conds: list[Any] = [
        region_in_scope(Enterprise.region_code, region_scope_prefix(draw.region_code)),
        Enterprise.status == "active",
        Enterprise.credit_class.in_(list(draw.credit_classes)),
    ]
    if draw.industry_codes:
        conds.append(or_(*[Enterprise.industry_code.startswith(p)
                           for p in draw.industry_codes.split(",")]))  # fmt: skip
    if draw.tags:
        conds.append(or_(*[Enterprise.tags.contains(f"|{t}|") for t in draw.tags.split(",")]))
    if draw.exclude_months:
        cutoff = _months_before(draw.draw_date, draw.exclude_months)
        recent = (
            select(InspectionTask.id)
            .join(TaskSubject, TaskSubject.task_id == InspectionTask.id)
            .where(
                InspectionTask.enterprise_id == Enterprise.id,
                TaskSubject.subject_id.in_(list(subject_ids)),
                InspectionTask.status.in_(INSPECTED),
                InspectionTask.window_start >= cutoff,
            )
        )
        conds.append(~recent.exists())
    return conds


def pool_counts(session: Session, *, draw: Draw) -> dict[str, int]:
    """Candidates per credit class for the draw's filter, now (a preview before freezing)."""
    ids = [s.id for s in subjects_of(session, draw)]
    rows = session.execute(
        select(Enterprise.credit_class, func.count())
        .where(and_(*_pool_conditions(draw, ids)))
        .group_by(Enterprise.credit_class)
    )
    return dict(sorted((str(c), int(n)) for c, n in rows))


def pool_statement(draw: Draw, subject_ids: Sequence[int]) -> Select[str, str]:
    """SQL for the candidate pool of ``draw``: (USCC, credit class) ordered by USCC."""
    return (
        select(Enterprise.uscc, Enterprise.credit_class)
        .where(and_(*_pool_conditions(draw, subject_ids)))
        .order_by(Enterprise.uscc)
    )


def read_pool(session: Session, *, draw: Draw) -> list[tuple[str, str]]:
    """The candidate pool as (USCC, credit class), sorted by USCC in byte order."""
    ids = [s.id for s in subjects_of(session, draw)]
    rows = session.execute(pool_statement(draw, ids))
    members = [(str(u), str(c)) for u, c in rows]
    members.sort()  # collations differ between databases; the documented order is bytes
    return members


def _roster(
    session: Session, draw: Draw, subjects: Sequence[EnforcementSubject]
) -> dict[str, list[Officer]]:
    # certified on the draw date and still on the last day of the window (A2)
    roster: dict[str, list[Officer]] = {}
    for s in subjects:
        last = {o.id for o in who_may_inspect(session, subject_id=s.id, on=draw.window_end)}
        officers = [o for o in who_may_inspect(session, subject_id=s.id, on=draw.draw_date)
                    if o.id in last and o.cert_no]  # fmt: skip
        roster[s.uscc] = sorted(officers, key=lambda o: str(o.cert_no))
    return roster


def _conflict_pairs(session: Session, officer_ids: Sequence[int], salt: bytes) -> list[str]:
    rows = session.execute(
        select(Enterprise.uscc, Officer.cert_no)
        .join(OfficerConflict, OfficerConflict.enterprise_id == Enterprise.id)
        .join(Officer, Officer.id == OfficerConflict.officer_id)
        .where(OfficerConflict.officer_id.in_(list(officer_ids)),
               OfficerConflict.withdrawn_at.is_(None))
    )  # fmt: skip
    return sorted({algorithm.pair_tag(u, str(c), salt) for u, c in rows})


def _last_team_pairs(session: Session, officer_ids: Sequence[int], salt: bytes) -> list[str]:
    rows = session.execute(
        select(Enterprise.uscc, Officer.cert_no, TaskOfficer.subject_id,
               InspectionTask.window_start, InspectionTask.id)
        .join(InspectionTask, InspectionTask.id == TaskOfficer.task_id)
        .join(Enterprise, Enterprise.id == InspectionTask.enterprise_id)
        .join(Officer, Officer.id == TaskOfficer.officer_id)
        .where(TaskOfficer.officer_id.in_(list(officer_ids)),
               InspectionTask.status != "cancelled")
    )  # fmt: skip
    latest: dict[tuple[str, int], tuple[dt.date, int]] = {}
    pairs: dict[tuple[str, int, int], list[str]] = {}
    for uscc, cert, sid, start, tid in rows:
        latest[(uscc, sid)] = max(latest.get((uscc, sid), (start, tid)), (start, tid))
        pairs.setdefault((uscc, sid, tid), []).append(str(cert))
    out = {
        algorithm.pair_tag(uscc, c, salt)
        for (uscc, sid), (_s, tid) in latest.items()
        for c in pairs[(uscc, sid, tid)]
    }
    return sorted(out)


def _ratios(draw: Draw) -> dict[str, str]:
    return {c: r for c, r in ratios_for(draw.region_code, draw.draw_date).items()
            if c in draw.credit_classes}  # fmt: skip


def _known_conflicts(
    session: Session, draw: Draw, subjects: Sequence[EnforcementSubject],
    roster: dict[str, list[Officer]],
) -> dict[str, tuple[int, int]]:  # fmt: skip
    """Per subject: declared conflicts of its roster with pool enterprises, and how many pool
    enterprises they leave with fewer than ``m`` officers of that subject."""
    of_subject = {o.id: uscc for uscc, officers in roster.items() for o in officers}
    if not of_subject:
        return {}
    rows = session.execute(
        select(OfficerConflict.officer_id, OfficerConflict.enterprise_id)
        .join(Enterprise, Enterprise.id == OfficerConflict.enterprise_id)
        .where(OfficerConflict.officer_id.in_(list(of_subject)),
               OfficerConflict.withdrawn_at.is_(None),
               *_pool_conditions(draw, [s.id for s in subjects]))
    )  # fmt: skip
    per: dict[str, dict[int, int]] = {}
    for officer_id, enterprise_id in rows:
        ents = per.setdefault(of_subject[officer_id], {})
        ents[enterprise_id] = ents.get(enterprise_id, 0) + 1
    m = draw.officers_per_subject
    return {
        uscc: (sum(ents.values()), sum(1 for n in ents.values() if len(roster[uscc]) - n < m))
        for uscc, ents in per.items()
    }


def _assess(
    session: Session, draw: Draw, subjects: Sequence[EnforcementSubject],
    counts: dict[str, int], ratios: dict[str, str] | None,
) -> tuple[feasibility.Feasibility, dict[str, list[Officer]]]:  # fmt: skip
    roster = _roster(session, draw, subjects)
    check = feasibility.assess(
        counts=counts, ratios=ratios,
        roster=[(s.uscc, s.name, len(roster[s.uscc])) for s in subjects],
        per_subject=draw.officers_per_subject, cap=draw.officer_cap,
        window=(draw.window_start, draw.window_end),
        threshold=feasibility.threshold_for(draw.region_code, draw.draw_date),
        conflicts=_known_conflicts(session, draw, subjects, roster),
        where=f"区划 {draw.region_code}、信用分类 {draw.credit_classes}",
    )  # fmt: skip
    return check, roster


def assess_draw(session: Session, *, draw: Draw) -> feasibility.Feasibility:
    """The preview of a draft: what the freeze would draw and whether the roster carries it,
    by the same assessment the freeze enforces (on the pool as it is now)."""
    subjects = subjects_of(session, draw)
    counts = pool_counts(session, draw=draw)
    try:
        ratios: dict[str, str] | None = _ratios(draw)
        problem = ""
    except InvalidInput as exc:
        ratios, problem = None, exc.message
    check, _ = _assess(session, draw, subjects, counts, ratios)
    if problem and counts:
        check = replace(check, errors=[(problem, "")], shortages=[])
    return check


def freeze_draw(session: Session, *, draw: Draw, actor: Actor, override_reason: str = "") -> Draw:
    """Freeze the pool and roster, commit to a fresh secret seed and conflict salt, and publish
    the pool hash and both commitments; a load above the policy's threshold needs a reason."""
    require_lead(actor, draw)
    DRAW_LIFECYCLE.check(draw, "freeze")
    before = audit.snapshot(draw)
    subjects = subjects_of(session, draw)
    problems = [p for s in subjects for p in subject_problems(s)]
    if problems:
        raise RuleViolation(problems)
    members = read_pool(session, draw=draw)
    counts = algorithm.strata_counts(members)
    ratios = _ratios(draw) if members else {}
    check, roster = _assess(session, draw, subjects, counts, ratios)
    check.raise_blocking()
    override = override_reason.strip()
    if check.overloaded:
        if not override:
            raise RuleViolation([check.load_violation()])
        problem = text_problem(override, "理由", NOTE)
        if problem:
            raise InvalidInput(problem, field="override_reason")
    m, cap = draw.officers_per_subject, draw.officer_cap
    officer_ids = [o.id for officers in roster.values() for o in officers]
    pool = algorithm.pool_bytes(members)
    seed = secrets.token_bytes(32)
    # conflicts and last teams are published as HMAC tags under this salt: with the public pool
    # and roster a plain hash of "USCC|cert" would give every declared relation away
    salt = secrets.token_bytes(32)
    items = items_of(session, draw)
    by_id = {s.id: s for s in subjects}
    frozen: dict[str, Any] = {
        "algorithm": algorithm.ALGORITHM,
        "draw": {
            "id": draw.id,
            "title": draw.title,
            "region_code": draw.region_code,
            "draw_date": draw.draw_date.isoformat(),
            "method": draw.method,
            "window": [draw.window_start.isoformat(), draw.window_end.isoformat()],
            "subjects": [{"uscc": s.uscc, "name": s.name} for s in subjects],
            "items": [
                {"code": i.code, "name": i.name, "subject": by_id[sid].uscc} for i, sid in items
            ],
        },
        "pool": {
            "sha256": algorithm.sha256_hex(pool),
            "size": len(members),
            "strata": counts,
            "filter": {
                "region_code": draw.region_code,
                "status": "active",
                "credit_classes": draw.credit_classes,
                "industry_codes": draw.industry_codes,
                "tags": draw.tags,
                "exclude_months": draw.exclude_months,
            },
        },
        "ratios": ratios,
        "seed_commitment": algorithm.commitment(seed),
        algorithm.SALT_COMMITMENT: algorithm.commitment(salt),
        "public_value_note": draw.public_value_note,
        "officers": {
            "per_subject": m,
            "cap": cap,
            "roster": {u: [str(o.cert_no) for o in officers] for u, officers in roster.items()},
            "conflicts": _conflict_pairs(session, officer_ids, salt),
            "avoid": _last_team_pairs(session, officer_ids, salt),
        },
    }
    draw.frozen_json = algorithm.canonical(frozen).decode()
    draw.frozen_sha256 = algorithm.sha256_hex(algorithm.canonical(frozen))
    draw.pool_sha256 = frozen["pool"]["sha256"]
    draw.pool_size = len(members)
    draw.seed_commitment = frozen["seed_commitment"]
    draw.seed_hex = seed.hex()
    draw.conflict_salt_hex = salt.hex()
    DRAW_LIFECYCLE.advance(draw, "freeze")
    draw.frozen_at = utcnow()
    stored = DrawPool(draw_id=draw.id, sha256=draw.pool_sha256, size=len(pool),
                      content_gz=gzip.compress(pool, compresslevel=6, mtime=0))  # fmt: skip
    session.add(stored)
    summary = (f"冻结名录库 {len(members)} 户（SHA-256 {draw.pool_sha256[:16]}…），"
               f"承诺种子 {draw.seed_commitment[:16]}…")  # fmt: skip
    if check.overloaded:
        # the override lives in the entry's summary: the row's audited state stays the draw's
        worst = max(check.overloaded, key=lambda s: s.per_week)
        summary += (f"；{worst.name}人均约每周 {feasibility.fmt(worst.per_week)} 户，超过上限 "
                    f"{check.threshold} 户，经确认冻结，理由：{override}")  # fmt: skip
    audit.record(
        session, actor=actor, action="draw.freeze", obj=draw, before=before, covers=[stored],
        region_code=draw.region_code, summary=summary,
    )  # fmt: skip
    return draw


def set_public_value(session: Session, *, draw: Draw, value: str, actor: Actor) -> Draw:
    """Record the public random value: the supervisor of the draw's region enters it once,
    after the freeze has published the commitments and before the draw; it is stored (and
    used) NFKC-normalised and trimmed (docs/draw-algorithm.md)."""
    actor.require(Permission.DRAWS_SUPERVISE)
    if not actor.covers_region(draw.region_code):
        raise Forbidden("该抽查不在您的监督区域内。")
    DRAW_LIFECYCLE.check(draw, "public_value")
    if draw.public_value:
        raise Conflict("公开随机数已录入，不能更改。")
    try:
        value = algorithm.normalise_public_value(value)
    except algorithm.PublicValueError as exc:
        raise InvalidInput(
            f"公开随机数含有控制字符或不可见字符（{exc}），请重新录入。", field="public_value"
        ) from None
    if not value or len(value) > 200:
        raise InvalidInput("请填写公开随机数（不超过200字）。", field="public_value")
    before = audit.snapshot(draw)
    draw.public_value = value
    draw.public_value_at = utcnow()
    audit.record(session, actor=actor, action="draw.public_value", obj=draw, before=before,
                 region_code=draw.region_code, summary=f"录入公开随机数“{value}”")  # fmt: skip
    return draw


def stored_pool(session: Session, draw: Draw) -> bytes:
    """The frozen pool file (plain), checked against its hash."""
    row = session.get(DrawPool, draw.id)
    if row is None:
        raise NotFound("该抽查尚未冻结名录库。")
    data = gzip.decompress(row.content_gz)
    if algorithm.sha256_hex(data) != draw.pool_sha256:
        raise Conflict("存储的名录库文件与其哈希不符，已停止。")
    return data
