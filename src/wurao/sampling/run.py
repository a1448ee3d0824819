"""Running a frozen 双随机 draw: reveal the seed, compute the selection and the teams
(``wurao.sampling.algorithm``), and create one inspection task per drawn enterprise."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.db import Base
from wurao.core.errors import Conflict
from wurao.core.events import Event, emit
from wurao.core.time import utcnow
from wurao.inspections.models import InspectionTask, TaskItem, TaskOfficer, TaskSubject
from wurao.registry.models import EnforcementSubject, Enterprise, InspectionItem, Officer
from wurao.sampling import algorithm
from wurao.sampling.freeze import stored_pool
from wurao.sampling.models import Draw
from wurao.sampling.service import items_of, require_lead, subjects_of
from wurao.sampling.statuses import DRAW_LIFECYCLE


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
    require_lead(actor, draw)
    DRAW_LIFECYCLE.check(draw, "run")
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
    # the supervision rules a new task meets, for all the draw's tasks in one evaluation each
    drawn_ids = frozenset(r.id for r in written if isinstance(r, InspectionTask))
    emit(session, Event.TASKS_DRAWN, task_ids=drawn_ids)
    draw.result_json = algorithm.canonical(
        {"selection": algorithm.selection_json(drawn), "teams": algorithm.teams_json(teams)}
    ).decode()
    DRAW_LIFECYCLE.advance(draw, "run")
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
