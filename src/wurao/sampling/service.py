"""双随机 draws: define, freeze (pool and roster), draw, cancel, and their artefacts.

Rules coded here: C2 (objects drawn at random from the 名录库, seed, algorithm and pool kept),
C3 (inspectors drawn at random, two or more certified per subject, conflicted officers
excluded), C4 (ratios by credit class from the policy file). The draw itself is
`wurao.sampling.algorithm`; results and their publication (一公开, C6) are in
`wurao.sampling.results`, conflict declarations (回避, B4) in `wurao.sampling.conflicts`.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import secrets
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import AGENCY_ROLES, Permission, Role
from wurao.auth.scope import Actor, region_filter, region_in_scope
from wurao.core import audit
from wurao.core.db import Base
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation, Violation
from wurao.core.ids import IdentifierError, region_scope_prefix, validate_region_code
from wurao.core.policy import PolicyError, get_policy
from wurao.core.time import to_local, utcnow
from wurao.inspections.models import (
    InspectionTask,
    TaskItem,
    TaskOfficer,
    TaskSubject,
)
from wurao.registry.items.service import item_problems
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem, Officer
from wurao.registry.officers.service import MIN_OFFICERS, who_may_inspect
from wurao.registry.subjects.service import subject_problems
from wurao.sampling import algorithm
from wurao.sampling.models import Draw, DrawItem, DrawPool, DrawSubject, OfficerConflict

STATES = {
    "draft": "待冻结",
    "frozen": "已冻结（种子已承诺）",
    "drawn": "已抽取",
    "cancelled": "已取消",
}
METHODS = {"onsite": "现场检查", "offsite": "非现场检查", "written": "书面检查"}
CREDIT_CLASSES = "ABCD"
INSPECTED = ("coded", "in_progress", "done")  # tasks that count as "inspected recently"
RATIO_POLICY = "dss.ratio_by_credit_class"

C3 = (
    "C3 DSS-DRAW-INSPECTORS",
    "双随机抽取检查人员",
    "国办发〔2015〕58号；行政处罚法 第42条、第43条",
)


def _c3(detail: str, **evidence: object) -> Violation:
    return Violation(rule_id=C3[0], title=C3[1], source=C3[2], detail=detail, evidence=evidence)


@dataclass(frozen=True)
class DrawData:
    """Input defining a draw; the first subject leads (a joint draw lists several)."""

    title: str
    subject_ids: Sequence[int]
    item_ids: Sequence[int]
    region_code: str
    draw_date: dt.date
    method: str
    window_start: dt.date
    window_end: dt.date
    industry_codes: str = ""
    credit_classes: str = CREDIT_CLASSES
    tags: str = ""
    exclude_months: int = 0
    officers_per_subject: int = 2
    officer_cap: int = 10
    public_value_note: str = ""


# --- scope ---------------------------------------------------------------------------------


def draws_visible_to(actor: Actor) -> Select[Draw]:
    """Draws in the actor's region; agency roles see only draws their subject takes part in."""
    actor.require(Permission.TASKS_VIEW)
    stmt = select(Draw).where(region_filter(actor, Draw.region_code))
    if actor.role in AGENCY_ROLES:
        stmt = stmt.where(
            exists().where(
                DrawSubject.draw_id == Draw.id, DrawSubject.subject_id == actor.subject_id
            )
        )
    return stmt


def list_draws(
    session: Session, *, actor: Actor, status: str = "", page: int = 1, per_page: int = 20
) -> tuple[list[Draw], int]:
    """A page of the draws the actor may see, newest first."""
    stmt = draws_visible_to(actor)
    if status:
        if status not in STATES:
            raise InvalidInput("状态应为待冻结、已冻结、已抽取或已取消。", field="status")
        stmt = stmt.where(Draw.status == status)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.scalars(
        stmt.order_by(Draw.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def get_draw(session: Session, *, actor: Actor, draw_id: int) -> Draw:
    """One draw the actor may see."""
    draw = session.scalar(draws_visible_to(actor).where(Draw.id == draw_id))
    if draw is None:
        raise NotFound("抽查不存在，或不在您的管辖范围内。")
    return draw


def _require_lead(actor: Actor, draw: Draw) -> None:
    actor.require(Permission.DRAWS_MANAGE)
    if actor.role is not Role.SYSADMIN and actor.subject_id != draw.lead_subject_id:
        raise Forbidden("只有牵头执法主体可以操作本次抽查。")


def subjects_of(session: Session, draw: Draw) -> list[EnforcementSubject]:
    """The draw's subjects, the lead first."""
    return list(
        session.scalars(
            select(EnforcementSubject)
            .join(DrawSubject, DrawSubject.subject_id == EnforcementSubject.id)
            .where(DrawSubject.draw_id == draw.id)
            .order_by(DrawSubject.seq)
        )
    )


def items_of(session: Session, draw: Draw) -> list[tuple[InspectionItem, int]]:
    """The draw's items with the subject checking each."""
    rows = session.execute(
        select(InspectionItem, DrawItem.subject_id)
        .join(DrawItem, DrawItem.item_id == InspectionItem.id)
        .where(DrawItem.draw_id == draw.id)
        .order_by(InspectionItem.code)
    )
    return [(item, sid) for item, sid in rows]


# --- policy --------------------------------------------------------------------------------


def ratios_for(region_code: str, on: dt.date) -> dict[str, str]:
    """Sampling ratios by credit class (C4) as exact decimal strings."""
    try:
        table = get_policy().value(RATIO_POLICY, region_code, on)
    except PolicyError as exc:
        raise InvalidInput(f"政策参数“{RATIO_POLICY}”在该区划和日期没有取值：{exc}") from None
    return {str(k): str(Decimal(str(v))) for k, v in sorted(dict(table).items())}


# --- define --------------------------------------------------------------------------------


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def _check_data(data: DrawData) -> None:
    if not data.title.strip() or len(data.title) > 200:
        raise InvalidInput("请填写抽查名称（不超过200字）。", field="title")
    if data.method not in METHODS:
        raise InvalidInput("检查方式应为现场检查、非现场检查或书面检查。", field="method")
    if data.window_end < data.window_start:
        raise InvalidInput("检查期限的结束日期不能早于开始日期。", field="window_end")
    if data.window_start < data.draw_date:
        raise InvalidInput("检查期限不能早于抽取日期。", field="window_start")
    classes = data.credit_classes.strip().upper()
    if not classes or any(c not in CREDIT_CLASSES for c in classes):
        raise InvalidInput("信用风险分类应为 A、B、C、D 中的一个或多个。", field="credit_classes")
    if not 0 <= data.exclude_months <= 60:
        raise InvalidInput("排除近期已检查企业的月数应在0到60之间。", field="exclude_months")
    if data.officers_per_subject < MIN_OFFICERS:
        raise RuleViolation(
            [_c3("每个执法主体对每户企业至少派出两名执法人员。", value=data.officers_per_subject)]
        )
    if data.officer_cap < 1:
        raise InvalidInput("每名执法人员的任务上限至少为1。", field="officer_cap")
    if len(set(data.subject_ids)) != len(data.subject_ids) or not data.subject_ids:
        raise InvalidInput("请选择执法主体，且不要重复。", field="subject_ids")


def create_draw(session: Session, *, data: DrawData, actor: Actor) -> Draw:
    """Define a draw (draft): subjects, items on the 随机抽查事项清单, pool filter, officers."""
    actor.require(Permission.DRAWS_MANAGE)
    _check_data(data)
    try:
        region = validate_region_code(data.region_code.strip())
    except IdentifierError as exc:
        raise InvalidInput(str(exc), field="region_code") from None
    subjects = [session.get(EnforcementSubject, sid) for sid in data.subject_ids]
    if any(s is None for s in subjects):
        raise InvalidInput("执法主体不存在。", field="subject_ids")
    subs = [s for s in subjects if s is not None]
    lead = subs[0]
    if actor.role is not Role.SYSADMIN and actor.subject_id != lead.id:
        raise Forbidden("抽查由本执法主体牵头定义：请把本主体列为第一个（牵头）主体。")
    problems = [p for s in subs for p in subject_problems(s)]
    if problems:
        raise RuleViolation(problems)
    if not region.startswith(region_scope_prefix(lead.region_code)):
        raise InvalidInput("抽查区划须在牵头执法主体的管辖区划内。", field="region_code")
    ratios_for(region, data.draw_date)
    by_field = {s.field: s for s in subs}
    draw_items: list[tuple[InspectionItem, EnforcementSubject]] = []
    for item_id in dict.fromkeys(data.item_ids):
        item = session.get(InspectionItem, item_id)
        if item is None:
            raise InvalidInput("检查事项不存在。", field="item_ids")
        owner = by_field.get(item.field)
        if owner is None:
            raise InvalidInput(f"检查事项“{item.name}”不属于所选主体的执法领域。", field="item_ids")
        issues = item_problems(item, field=owner.field)
        if issues:
            raise RuleViolation(issues)
        if not item.on_dss_list:
            raise InvalidInput(
                f"检查事项“{item.name}”不在随机抽查事项清单上（C1）。", field="item_ids"
            )
        draw_items.append((item, owner))
    missing = [s.name for s in subs if all(o.id != s.id for _i, o in draw_items)]
    if missing:
        raise InvalidInput(
            f"每个主体至少选择一项检查事项：{'、'.join(missing)}。", field="item_ids"
        )
    draw = Draw(
        title=data.title.strip(),
        lead_subject_id=lead.id,
        region_code=region,
        draw_date=data.draw_date,
        method=data.method,
        window_start=data.window_start,
        window_end=data.window_end,
        industry_codes=",".join(p.strip() for p in data.industry_codes.split(",") if p.strip()),
        credit_classes="".join(sorted(set(data.credit_classes.strip().upper()))),
        tags=",".join(t.strip() for t in data.tags.split(",") if t.strip()),
        exclude_months=data.exclude_months,
        officers_per_subject=data.officers_per_subject,
        officer_cap=data.officer_cap,
        public_value_note=data.public_value_note.strip()[:200],
        status="draft",
        created_by_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(draw)
    session.flush()
    children: list[Base] = [
        DrawSubject(draw_id=draw.id, subject_id=s.id, seq=n) for n, s in enumerate(subs)
    ]
    children += [DrawItem(draw_id=draw.id, item_id=i.id, subject_id=o.id) for i, o in draw_items]
    session.add_all(children)
    audit.record(
        session, actor=actor, action="draw.create", obj=draw, covers=children,
        region_code=region, summary=f"定义双随机抽查“{draw.title}”",
    )  # fmt: skip
    return draw


# --- the pool ------------------------------------------------------------------------------


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


def freeze_draw(session: Session, *, draw: Draw, actor: Actor) -> Draw:
    """Freeze the pool and roster, commit to a fresh secret seed and conflict salt, and publish
    the pool hash and both commitments."""
    _require_lead(actor, draw)
    if draw.status != "draft":
        raise Conflict("只有待冻结的抽查可以冻结名录库。")
    before = audit.snapshot(draw)
    subjects = subjects_of(session, draw)
    problems = [p for s in subjects for p in subject_problems(s)]
    if problems:
        raise RuleViolation(problems)
    members = read_pool(session, draw=draw)
    where = f"区划 {draw.region_code}、信用分类 {draw.credit_classes}"
    if not members:
        raise InvalidInput(
            f"检查对象名录库中没有符合条件的存续企业（{where}），无法抽取；请调整筛选条件。"
        )
    ratios = {c: r for c, r in ratios_for(draw.region_code, draw.draw_date).items()
              if c in draw.credit_classes}  # fmt: skip
    counts = algorithm.strata_counts(members)
    missing = [c for c in counts if c not in ratios]
    if missing:
        raise InvalidInput(f"政策参数未规定信用分类 {'、'.join(missing)} 的抽查比例。")
    total = sum(algorithm.quota(ratios[c], n) for c, n in counts.items())
    if total == 0:
        raise InvalidInput(
            f"按现行抽查比例，名录库（{len(members)} 户）中一户也抽不到；请调整筛选条件。"
        )
    roster = _roster(session, draw, subjects)
    m, cap = draw.officers_per_subject, draw.officer_cap
    short = []
    for s in subjects:
        have = len(roster[s.uscc])
        if have < m or have * cap < m * total:
            short.append(_c3(
                f"{s.name}在抽取日持证可执法人员 {have} 名，每户需 {m} 名、共抽 {total} 户，"
                f"每人上限 {cap} 户，人员不足；请增加人员或提高上限。",
                subject=s.uscc, officers=have, needed=m * total,
            ))  # fmt: skip
    if short:
        raise RuleViolation(short)
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
    draw.status = "frozen"
    draw.frozen_at = utcnow()
    stored = DrawPool(draw_id=draw.id, sha256=draw.pool_sha256, size=len(pool),
                      content_gz=gzip.compress(pool, compresslevel=6, mtime=0))  # fmt: skip
    session.add(stored)
    audit.record(
        session, actor=actor, action="draw.freeze", obj=draw, before=before, covers=[stored],
        region_code=draw.region_code,
        summary=f"冻结名录库 {len(members)} 户（SHA-256 {draw.pool_sha256[:16]}…），"
        f"承诺种子 {draw.seed_commitment[:16]}…",
    )  # fmt: skip
    return draw


def set_public_value(session: Session, *, draw: Draw, value: str, actor: Actor) -> Draw:
    """Record the public random value: the supervisor of the draw's region enters it once,
    after the freeze has published the commitments and before the draw; it is stored (and
    used) NFKC-normalised and trimmed (docs/draw-algorithm.md)."""
    actor.require(Permission.DRAWS_SUPERVISE)
    if not actor.covers_region(draw.region_code):
        raise Forbidden("该抽查不在您的监督区域内。")
    if draw.status != "frozen":
        raise Conflict("只有已冻结、尚未抽取的抽查可以录入公开随机数。")
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


# --- the draw ------------------------------------------------------------------------------


def _create_task(
    session: Session,
    *,
    draw: Draw,
    enterprise: Enterprise,
    subjects: Sequence[EnforcementSubject],
    items: Sequence[tuple[InspectionItem, int]],
    officers: Sequence[Officer],
    actor: Actor,
) -> list[Base]:
    """One task (joint when several subjects) ready for a code; returns every row written."""
    task = InspectionTask(
        enterprise_id=enterprise.id, region_code=enterprise.region_code,
        year=draw.window_start.year, origin="draw", draw_id=draw.id, method=draw.method,
        window_start=draw.window_start, window_end=draw.window_end, status="draft",
        created_by_id=actor.user_id, created_at=utcnow(),
    )  # fmt: skip
    session.add(task)
    session.flush()
    rows: list[Base] = [task]
    rows += [TaskSubject(task_id=task.id, subject_id=s.id, lead=n == 0)
             for n, s in enumerate(subjects)]  # fmt: skip
    rows += [TaskItem(task_id=task.id, item_id=i.id, subject_id=sid) for i, sid in items]
    rows += [TaskOfficer(task_id=task.id, officer_id=o.id, subject_id=o.subject_id)
             for o in officers]  # fmt: skip
    session.add_all(rows[1:])
    return rows


def _chunks(values: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def run_draw(session: Session, *, draw: Draw, actor: Actor) -> Draw:
    """Reveal the seed, compute selection and teams, and create one task per enterprise."""
    _require_lead(actor, draw)
    if draw.status != "frozen":
        raise Conflict("只有已冻结的抽查可以抽取；每次抽查只能抽取一次。")
    if draw.public_value_note and not draw.public_value:
        raise Conflict(
            f"本次抽查约定混入公开随机数（{draw.public_value_note}），须先由监督机构录入。"
        )
    before = audit.snapshot(draw)
    frozen = json.loads(draw.frozen_json)
    members = algorithm.parse_pool(stored_pool(session, draw))
    salt = bytes.fromhex(draw.conflict_salt_hex) if draw.conflict_salt_hex else None
    drawn, teams = algorithm.compute(
        members, frozen, bytes.fromhex(draw.seed_hex), draw.public_value, salt
    )
    usccs = [t.uscc for t in teams]
    certs = sorted({c for t in teams for cs in t.officers.values() for c in cs})
    enterprises: dict[str, Enterprise] = {}
    for part in _chunks(usccs):
        enterprises.update(
            (e.uscc, e)
            for e in session.scalars(select(Enterprise).where(Enterprise.uscc.in_(part)))
        )
    officers: dict[str, Officer] = {}
    for part in _chunks(certs):
        officers.update(
            (str(o.cert_no), o)
            for o in session.scalars(select(Officer).where(Officer.cert_no.in_(part)))
        )
    subjects = subjects_of(session, draw)
    items = [(i, sid) for i, sid in items_of(session, draw)]
    written: list[Base] = []
    for team in teams:
        team_officers = [officers[c] for s in sorted(team.officers) for c in team.officers[s]]
        written += _create_task(session, draw=draw, enterprise=enterprises[team.uscc],
                                subjects=subjects, items=items, officers=team_officers,
                                actor=actor)  # fmt: skip
    draw.result_json = algorithm.canonical(
        {"selection": algorithm.selection_json(drawn), "teams": algorithm.teams_json(teams)}
    ).decode()
    draw.status = "drawn"
    draw.seed_revealed = True
    draw.drawn_at = utcnow()
    draw.tasks_created = len(teams)
    short = sum(1 for t in teams if t.short)
    audit.record(
        session, actor=actor, action="draw.run", obj=draw, before=before, covers=written,
        region_code=draw.region_code,
        summary=f"公开种子并抽取 {len(teams)} 户，生成检查任务 {len(teams)} 个"
        + (f"（{short} 户人员不足）" if short else ""),
    )  # fmt: skip
    return draw


def cancel_draw(session: Session, *, draw: Draw, reason: str, actor: Actor) -> Draw:
    """Cancel a draft or frozen draw; a committed seed is revealed so no re-roll hides."""
    _require_lead(actor, draw)
    if draw.status not in ("draft", "frozen"):
        raise Conflict("已抽取或已取消的抽查不能取消。")
    if not reason.strip():
        raise InvalidInput("请填写取消理由。", field="reason")
    before = audit.snapshot(draw)
    draw.seed_revealed = draw.status == "frozen"
    draw.status = "cancelled"
    draw.cancel_reason = reason.strip()
    draw.cancelled_at = utcnow()
    audit.record(
        session, actor=actor, action="draw.cancel", obj=draw, before=before,
        region_code=draw.region_code, summary=f"取消抽查：{draw.cancel_reason}",
    )  # fmt: skip
    return draw


def iso_local(value: dt.datetime | None) -> str | None:
    """A timestamp as published: ISO 8601 in Asia/Shanghai with its offset, to the second."""
    return None if value is None else to_local(value).replace(microsecond=0).isoformat()


def artefacts(draw: Draw) -> dict[str, Any]:
    """What anyone needs (with pool.csv) to recompute a draw: never the seed before the draw,
    never the conflict salt."""
    if draw.status == "draft" or not draw.frozen_json:
        raise NotFound("该抽查尚未冻结，没有可公开的材料。")
    result = json.loads(draw.result_json) if draw.result_json else {}
    return {
        "format": algorithm.ARTEFACTS_FORMAT,
        "algorithm": algorithm.ALGORITHM,
        "draw_id": draw.id,
        "status": draw.status,
        "frozen": json.loads(draw.frozen_json),
        "frozen_sha256": draw.frozen_sha256,
        "public_value": draw.public_value,
        "seed": draw.seed_hex if draw.seed_revealed else None,
        "selection": result.get("selection"),
        "teams": result.get("teams"),
        "times": {
            # the pool is frozen and the seed and salt committed in one transaction
            "pool_frozen_at": iso_local(draw.frozen_at),
            "seed_committed_at": iso_local(draw.frozen_at),
            "public_value_entered_at": iso_local(draw.public_value_at),
            "drawn_at": iso_local(draw.drawn_at),
            "cancelled_at": iso_local(draw.cancelled_at),
        },
        "pool_file": "pool.csv",
    }


def artefacts_bytes(draw: Draw) -> bytes:
    """artefacts.json as served: its RFC 8785 canonical form, byte for byte."""
    return algorithm.canonical(artefacts(draw))


def may_see_salt(actor: Actor, draw: Draw) -> bool:
    """Who may hold a draw's conflict salt: the supervisor of its region, the lead subject's
    draw managers, the system administrator (each may already see the declared conflicts)."""
    if actor.role is Role.SYSADMIN:
        return True
    if actor.can(Permission.DRAWS_SUPERVISE) and actor.covers_region(draw.region_code):
        return True
    return actor.can(Permission.DRAWS_MANAGE) and actor.subject_id == draw.lead_subject_id


VERIFY_README = """双随机抽查核验材料（抽查编号 {id}）

artefacts.json      公开的抽查材料（RFC 8785 规范化 JSON）
pool.csv            冻结的名录库文件
conflict-salt.txt   回避盐值（不公开；凭此可核验回避排除，也可推知回避关系，请妥善保管）

核验：wurao draw verify artefacts.json --pool pool.csv --salt-file conflict-salt.txt
"""


def verification_package(session: Session, *, draw: Draw, actor: Actor) -> bytes:
    """The full verification package (zip): artefacts, pool file and the conflict salt."""
    if not may_see_salt(actor, draw):
        raise Forbidden("完整核验材料（含回避盐值）只提供给执法监督机构和牵头执法主体。")
    files = {"artefacts.json": artefacts_bytes(draw), "pool.csv": stored_pool(session, draw)}
    if draw.conflict_salt_hex:
        files["conflict-salt.txt"] = f"{draw.conflict_salt_hex}\n".encode()
    files["README.txt"] = VERIFY_README.format(id=draw.id).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in files.items():
            package.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                             zipfile.ZIP_DEFLATED)  # fmt: skip
    return out.getvalue()


# --- form choices ----------------------------------------------------------------------------


def form_choices(
    session: Session, *, actor: Actor
) -> tuple[list[EnforcementSubject], list[InspectionItem]]:
    """Announced subjects in the actor's region (partners) and published items on the list."""
    actor.require(Permission.DRAWS_MANAGE)
    subjects = session.scalars(
        select(EnforcementSubject)
        .where(region_filter(actor, EnforcementSubject.region_code),
               EnforcementSubject.announced_on.is_not(None))
        .order_by(EnforcementSubject.region_code, EnforcementSubject.id)
        .limit(200)
    ).all()  # fmt: skip
    fields = {s.field for s in subjects}
    items = session.scalars(
        select(InspectionItem)
        .where(InspectionItem.on_dss_list.is_(True), InspectionItem.status == "published",
               InspectionItem.field.in_(fields))
        .order_by(InspectionItem.field, InspectionItem.code)
        .limit(500)
    ).all()  # fmt: skip
    return list(subjects), list(items)
