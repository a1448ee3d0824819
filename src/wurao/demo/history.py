"""The demo city's inspection history: finished inspections from 1 January of last year to
yesterday, so that the supervisor's dashboard and alerts have something to show.

``history_sim`` decides who inspected which enterprise when, how and with what result;
this module writes it as the services would have: tasks with their subjects, items and
officers, a genuine 行政行为码 signed before each inspection (``wurao code verify`` accepts
it), the 检查笔录 with its checklist, the on-site counts (A5), the enterprise's evaluation, the
annual plans and 双随机 draws the tasks come from. Rows go in through Core bulk inserts, which
the audit guard cannot see, so each table written gets ONE audit entry (object_id ``*``).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from wurao.core.models import AuditEntry
from wurao.core.time import LOCAL_TZ, local_today
from wurao.demo.common import GENERATOR
from wurao.demo.history_cases import balance, plant, rate
from wurao.demo.history_sim import Sim, Spec, at
from wurao.demo.history_world import World
from wurao.demo.history_write import Origins, bulk, note, reserve_ids, write_origins
from wurao.inspections import codes
from wurao.inspections.evaluations import misconduct_labels, token_hash
from wurao.inspections.models import (
    ActionCode,
    ChecklistResult,
    CodeSequence,
    Evaluation,
    InspectionRecord,
    InspectionTask,
    OnsiteCount,
    TaskItem,
    TaskOfficer,
    TaskSubject,
)
from wurao.oversight.dashboard import same_day_last_year
from wurao.oversight.indicators import NONSITE, PROBLEM
from wurao.oversight.models import Clue

LAST_YEAR_TOTAL = 2500
MARKER = "task.generate"  # the audit action whose presence means the history exists


@dataclass(frozen=True)
class HistoryStats:
    """What `generate_history` wrote, by year of the local day each record was finished."""

    inspections: dict[int, int] = field(default_factory=dict)
    same_period_last_year: int = 0  # last year's inspections up to the same day
    joint: dict[int, float] = field(default_factory=dict)
    nonsite: dict[int, float] = field(default_factory=dict)
    problem: dict[int, float] = field(default_factory=dict)
    draws: int = 0
    plans: int = 0
    evaluations: int = 0
    skipped: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        """One line in Chinese for the CLI."""
        if self.skipped:
            return "演示检查历史已存在（或尚无演示城市），跳过生成"
        if len(self.inspections) < 2:
            total = sum(self.inspections.values())
            return f"已生成演示检查记录 {total} 次，用时 {self.seconds:.1f} 秒"
        last, this = sorted(self.inspections)[-2:]
        change = self.inspections[this] / max(1, self.same_period_last_year) - 1

        def pair(rates: dict[int, float]) -> str:
            return f"{rates[last]:.0%}→{rates[this]:.0%}"

        return (
            f"已生成衢州市检查历史：{last}年 {self.inspections[last]} 次，{this}年至今 "
            f"{self.inspections[this]} 次（同比 {change:+.1%}）；联合检查率 {pair(self.joint)}，"
            f"非现场检查占比 {pair(self.nonsite)}，问题发现率 {pair(self.problem)}；"
            f"双随机抽查 {self.draws} 次、年度计划 {self.plans} 份、"
            f"企业评价 {self.evaluations} 条，用时 {self.seconds:.1f} 秒"
        )


def _stats(sim: Sim, plans: int, seconds: float) -> HistoryStats:
    years: dict[int, list[Spec]] = defaultdict(list)
    for s in sim.specs:
        years[s.day.year].append(s)
    last_day = same_day_last_year(sim.world.today)

    def share(test: Callable[[Spec], bool]) -> dict[int, float]:
        return {y: sum(1 for s in ss if test(s)) / len(ss) for y, ss in years.items()}

    return HistoryStats(
        inspections={y: len(ss) for y, ss in sorted(years.items())},
        same_period_last_year=sum(1 for s in years[last_day.year] if s.day <= last_day),
        joint=share(lambda s: len(s.subjects) >= 2),
        nonsite=share(lambda s: s.method in NONSITE),
        problem=share(lambda s: s.outcome in PROBLEM),
        draws=len(sim.draws),
        plans=plans,
        evaluations=sum(1 for s in sim.specs if s.rating is not None),
        seconds=seconds,
    )


def generate_history(
    session: Session, *, seed: int = 2026, today: dt.date | None = None
) -> HistoryStats:
    """Write the demo city's inspections from 1 January of last year to yesterday (idempotent)."""
    started = time.perf_counter()
    if session.scalar(select(AuditEntry.seq).where(AuditEntry.action == MARKER).limit(1)):
        return HistoryStats(skipped=True)
    world = World(session, today or local_today())
    if not world.subjects or not world.enterprises:
        return HistoryStats(skipped=True)
    rng = random.Random(f"history:{seed}")
    sim = Sim(world, rng, LAST_YEAR_TOTAL)
    sim.run(plant)
    balance(sim)
    rate(sim)
    sim.specs.sort(key=lambda s: (s.created, s.started))
    origins = write_origins(session, sim)
    _write(session, sim, origins, seed)
    return _stats(sim, origins.plans, time.perf_counter() - started)


def _ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    ids = reserve_ids(session, model, len(rows))
    bulk(session, model, [{**r, "id": i} for i, r in zip(ids, rows, strict=True)])
    return ids


def _task_row(s: Spec, origins: Origins) -> dict[str, Any]:
    start, end = s.window
    return {
        "enterprise_id": s.ent.id,
        "region_code": s.ent.region,
        "year": start.year,
        "origin": s.origin,
        "plan_entry_id": origins.entry_of(s),
        "special_id": None,
        "unplanned_id": None,
        "draw_id": origins.draw_of(s),
        "trigger_ref": s.trigger[0],
        "trigger_reason": s.trigger[1],
        "method": s.method,
        "window_start": start,
        "window_end": end,
        "started_without_code_on": start if s.late_reason else None,
        "legal_rep_required": False,
        "status": "done",
        "created_by_id": None,
        "created_at": s.created,
    }


def _write(session: Session, sim: Sim, origins: Origins, seed: int) -> None:
    ids = _ids(session, InspectionTask, [_task_row(s, origins) for s in sim.specs])
    pairs = list(zip(ids, sim.specs, strict=True))
    links = [
        {"task_id": t, "subject_id": x.id, "lead": k == 0, "remote_approval_ref": ""}
        for t, s in pairs
        for k, x in enumerate(s.subjects)
    ]
    bulk(session, TaskSubject, links)
    items = [
        {"task_id": t, "item_id": i.id, "subject_id": x.id} for t, s in pairs for i, x in s.items
    ]
    bulk(session, TaskItem, items)
    team = [
        {"task_id": t, "officer_id": o.id, "subject_id": o.subject_id}
        for t, s in pairs
        for o in s.officers
    ]
    bulk(session, TaskOfficer, team)
    summary = (
        f"生成衢州市演示检查历史（{sim.first.year}年1月1日至{sim.last:%Y年%m月%d日}）："
        f"检查任务 {len(ids)} 个，执法主体 {len(links)} 行、检查事项 {len(items)} 行、"
        f"执法人员 {len(team)} 行（种子 {seed}）"
    )
    note(session, MARKER, "inspection_task", summary)
    _codes(session, sim, pairs)
    _counts(session, sim)
    _records(session, sim, pairs)
    _evaluations(session, pairs)


def _epoch(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(0), LOCAL_TZ).timestamp())


def _claims(s: Spec, *, jti: str, number: str) -> dict[str, Any]:
    """The token's claims, in the order ``inspections.issuing.claims_for`` lists them."""
    claims: dict[str, Any] = {
        "jti": jti,
        "no": number,
        "s": [x.uscc for x in (s.lead, *sorted(s.subjects[1:], key=lambda x: x.id))],
        "e": s.ent.uscc,
        "o": [o.cert_no for o in sorted(s.officers, key=lambda o: (o.name, o.id))],
        "i": sorted(i.code for i, _x in s.items),
        "m": s.method,
        "nbf": _epoch(s.window[0]),
        "exp": _epoch(s.window[1] + dt.timedelta(days=1)),
        "iat": int(s.issued.timestamp()),
    }
    if s.late_reason:
        claims["late"] = True
    return claims


def _codes(session: Session, sim: Sim, pairs: list[tuple[int, Spec]]) -> None:
    """Sign each task's code and number it in issue order, as ``issue_code`` would have."""
    key = codes.current_key(session, actor=GENERATOR)
    private = codes.load_private(key.kid)
    last = {(r.region_code, r.year): r.last for r in session.scalars(select(CodeSequence))}
    known = set(last)
    rows = []
    for task_id, s in sorted(pairs, key=lambda p: p[1].issued):
        seq = (s.lead.region[:6], s.window[0].year)
        last[seq] = last.get(seq, 0) + 1
        number = f"{seq[0]}-{seq[1]}-{last[seq]:06d}"
        jti = codes.b64u(sim.rng.randbytes(9))
        token = codes.sign(_claims(s, jti=jti, number=number), kid=key.kid, private=private)
        rows.append({
            "task_id": task_id, "number": number, "jti": jti, "kid": key.kid, "token": token,
            "issued_at": s.issued, "valid_from": s.window[0], "valid_to": s.window[1],
            "late": bool(s.late_reason), "late_reason": s.late_reason, "status": "used",
            "used_at": s.finished, "revoked_at": None, "revoked_reason": "",
            "issued_by_id": None, "warnings": "",
        })  # fmt: skip
    bulk(session, ActionCode, rows)
    for (region, year), n in last.items():
        where = (CodeSequence.region_code == region, CodeSequence.year == year)
        if (region, year) in known:
            session.execute(update(CodeSequence).where(*where).values(last=n))
        else:
            session.execute(insert(CodeSequence).values(region_code=region, year=year, last=n))
    summary = f"为演示检查历史签发行政行为码 {len(rows)} 个（签名密钥 {key.kid}，均已使用）"
    note(session, "code.generate", "action_code", summary)


def _counts(session: Session, sim: Sim) -> None:
    """The on-site counts ``issue_code`` keeps (A5): counted, or exempt for triggered ones."""
    counts: dict[tuple[int, int, int], dict[str, int]] = defaultdict(
        lambda: {"counted": 0, "exempt": 0}
    )
    world = sim.world
    for s in sim.specs:
        if s.method in world.counted_methods:
            kind = "exempt" if s.origin in world.exempt_origins else "counted"
            for subject in s.subjects:
                counts[(s.ent.id, subject.id, s.window[0].year)][kind] += 1
    rows = [
        {"enterprise_id": e, "subject_id": x, "year": y, **c} for (e, x, y), c in counts.items()
    ]
    bulk(session, OnsiteCount, rows)


PRESENT = ("负责人", "安全主管", "经理", "办公室主任", "质量负责人")
SOURCES = {
    "offsite": "浙江省“大综合一体化”执法监管数字应用在线监测数据、视频远程查看记录",
    "written": "企业报送的书面材料：台账、检测报告及许可证照复印件",
}
FINDINGS = {
    "none": "经检查，未发现违法违规问题。",
    "rectify": "检查发现：{lines}，不符合要求。已责令限期于{deadline}前整改。",
    "case": "检查发现：{lines}，涉嫌违反{basis}，移送立案查处。",
}


def _record(s: Spec, rng: random.Random, now: dt.datetime) -> tuple[dict[str, Any], list[Any]]:
    """A finished 检查笔录 and its checklist answers (failed lines iff a problem was found)."""
    lines = [line for i, _x in s.items for line in i.lines]
    basis = {ln: i.basis for i, _x in s.items for ln, _t in i.lines}
    fails = set()
    if s.outcome != "none":
        fails = set(rng.sample([ln for ln, _t in lines], min(len(lines), rng.randint(1, 2))))
    onsite = s.method == "onsite"
    why = "现场核查不符合要求，已拍照取证。" if onsite else "所报材料显示不符合要求。"
    answers = [
        (ln, "fail", why) if ln in fails else (ln, "na" if rng.random() < 0.05 else "ok", "")
        for ln, _t in lines
    ]
    deadline = s.day + dt.timedelta(days=rng.choice((15, 30))) if s.outcome == "rectify" else None
    texts = "；".join(t for ln, t in lines if ln in fails)
    by = f"{deadline.year}年{deadline.month}月{deadline.day}日" if deadline else ""
    published = None
    if s.draw is not None:  # 一公开 within days (C6)
        published = min(at(s.day + dt.timedelta(days=rng.randint(1, 6)), 10.0), now)
    row = {
        "started_at": s.started,
        "ended_at": s.finished,
        "ids_shown": onsite,
        "location": s.ent.address if onsite else "",
        "data_source": "" if onsite else SOURCES[s.method],
        "present_person": f"{s.ent.contact}（{rng.choice(PRESENT)}）" if onsite else "",
        "findings": FINDINGS[s.outcome].format(
            lines=texts, deadline=by, basis=basis[min(fails)] if fails else ""
        ),
        "outcome": s.outcome,
        "rectify_deadline": deadline,
        "attested": True,
        "finished_at": s.finished,
        "published_at": published,
    }
    return row, answers


def _records(session: Session, sim: Sim, pairs: list[tuple[int, Spec]]) -> None:
    now = at(sim.world.today, 0) - dt.timedelta(hours=1)
    rows, answers = [], []
    for task_id, s in pairs:
        row, lines = _record(s, sim.rng, now)
        rows.append({"task_id": task_id, **row})
        answers.append(lines)
    ids = _ids(session, InspectionRecord, rows)
    summary = f"生成演示检查笔录 {len(ids)} 份（均已完成）"
    note(session, "record.generate", "inspection_record", summary)
    checks = [
        {"record_id": r, "line_id": ln, "result": res, "note": text}
        for r, lines in zip(ids, answers, strict=True)
        for ln, res, text in lines
    ]
    bulk(session, ChecklistResult, checks)
    summary = f"生成演示检查表单结果 {len(checks)} 行"
    note(session, "checklist.generate", "checklist_result", summary)


def _clue(task_id: int, s: Spec) -> dict[str, Any]:
    """The clue ``submit_evaluation`` opens for reported misconduct."""
    labels = "、".join(misconduct_labels(s.misconduct))
    return {
        "source": "evaluation",
        "region_code": s.ent.region,
        "enterprise_uscc": s.ent.uscc,
        "enterprise_name": s.ent.name,
        "subject_text": "",
        "subject_id": s.lead.id,
        "occurred_on": None,
        "description": f"企业评价反映：{labels}。{s.comment}".strip(),
        "reporter_contact": "",
        "task_id": task_id,
        "status": "new",
        "created_at": s.rated_at,
        "handled_note": "",
        "handled_by_id": None,
    }


def _evaluations(session: Session, pairs: list[tuple[int, Spec]]) -> None:
    """Each finished inspection has its evaluation (a fresh secret token's hash, the token
    itself kept nowhere); those the enterprise rated are submitted."""
    rows = [
        {"task_id": t, "token_hash": token_hash(secrets.token_urlsafe(24)),
         "issued_at": s.finished, "rating": s.rating, "comment": s.comment,
         "misconduct": s.misconduct, "submitted_at": s.rated_at}
        for t, s in pairs
    ]  # fmt: skip
    bulk(session, Evaluation, rows)
    rated = sum(1 for r in rows if r["submitted_at"] is not None)
    summary = f"生成演示企业评价 {len(rows)} 条，其中企业已提交 {rated} 条"
    note(session, "evaluation.generate", "evaluation", summary)
    clues = [_clue(t, s) for t, s in pairs if s.misconduct]
    if clues:
        bulk(session, Clue, clues)
        note(session, "clue.generate", "clue", f"企业评价反映的问题转为监督线索 {len(clues)} 条")
