"""Draws through the service: define, freeze, draw, cancel; officers; joint draws; C3, B4, C4."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.sampling import END, KC_YJJ, add_enterprises, add_item, add_officers, new_draw, subject
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from wurao.core.models import AuditEntry
from wurao.inspections.models import InspectionTask, TaskItem, TaskOfficer, TaskSubject
from wurao.registry.models import Enterprise, Officer
from wurao.sampling import algorithm, artefacts, conflicts, freeze, run, service
from wurao.sampling.models import Draw

Frozen = tuple[Draw, list[Officer], list[Enterprise]]


def _frozen(db: Session, personas: Personas, classes: str = "A" * 50 + "B" * 20 + "C" * 3,
            officers: int = 6, **changes: object) -> Frozen:  # fmt: skip
    s = subject(db)
    staff = add_officers(db, s, officers)
    item = add_item(db)
    ents = add_enterprises(db, classes)
    draw = new_draw(db, personas.agency_admin, [s], [item], **changes)
    freeze.freeze_draw(db, draw=draw, actor=personas.agency_admin)
    return draw, staff, ents


def test_freeze_commits_without_revealing_and_draw_creates_tasks(
    db: Session, personas: Personas
) -> None:
    draw, _staff, ents = _frozen(db, personas)
    assert draw.status == "frozen" and len(draw.seed_commitment) == 64
    art = artefacts.artefacts(draw)
    assert art["seed"] is None and art["selection"] is None
    assert draw.seed_hex not in json.dumps(art)
    assert art["frozen"]["pool"]["strata"] == {"A": 50, "B": 20, "C": 3}
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    art = artefacts.artefacts(draw)
    assert art["seed"] == draw.seed_hex
    assert algorithm.commitment(bytes.fromhex(art["seed"])) == draw.seed_commitment
    assert algorithm.verify(art, freeze.stored_pool(db, draw)).ok
    # C4 ratios {A 2 %, B 5 %, C 100 %}: ceil(1.0) + ceil(1.0) + 3
    per = {c: sum(1 for d in art["selection"] if d["stratum"] == c) for c in "ABC"}
    assert per == {"A": 1, "B": 1, "C": 3}
    tasks = db.scalars(select(InspectionTask).where(InspectionTask.draw_id == draw.id)).all()
    assert len(tasks) == 5 == draw.tasks_created
    assert {t.origin for t in tasks} == {"draw"} and {t.status for t in tasks} == {"draft"}
    assert {t.enterprise_id for t in tasks} <= {e.id for e in ents}
    for t in tasks:
        assert len(db.scalars(select(TaskOfficer).where(TaskOfficer.task_id == t.id)).all()) == 2
        assert len(db.scalars(select(TaskItem).where(TaskItem.task_id == t.id)).all()) == 1


def test_a_draw_is_drawn_once_and_cancelling_reveals_the_seed(
    db: Session, personas: Personas
) -> None:
    draw, _s, _e = _frozen(db, personas)
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    with pytest.raises(Conflict):
        run.run_draw(db, draw=draw, actor=personas.agency_admin)
    with pytest.raises(Conflict):
        service.cancel_draw(db, draw=draw, reason="重抽", actor=personas.agency_admin)
    other = new_draw(db, personas.agency_admin, [subject(db)], [add_item(db)])
    freeze.freeze_draw(db, draw=other, actor=personas.agency_admin)
    service.cancel_draw(db, draw=other, reason="事项有误", actor=personas.agency_admin)
    art = artefacts.artefacts(other)
    assert other.status == "cancelled" and art["seed"] == other.seed_hex
    assert art["selection"] is None


def test_no_expired_conflicted_or_capped_officer_is_drawn(db: Session, personas: Personas) -> None:
    s = subject(db)
    good = add_officers(db, s, 4)
    expired = add_officers(db, s, 1, cert_valid_to=dt.date(2026, 3, 1))[0]
    lapsing = add_officers(db, s, 1, cert_valid_to=END - dt.timedelta(days=1))[0]
    ents = add_enterprises(db, "C" * 3)
    conflicts.declare_conflict(db, officer=good[0], enterprise=ents[0], reason="配偶任该企业股东",
                             actor=personas.agency_admin)  # fmt: skip
    draw = new_draw(db, personas.agency_admin, [s], [add_item(db)], officer_cap=2)
    freeze.freeze_draw(db, draw=draw, actor=personas.agency_admin)
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    rows = db.execute(
        select(InspectionTask.enterprise_id, TaskOfficer.officer_id)
        .join(TaskOfficer, TaskOfficer.task_id == InspectionTask.id)
        .where(InspectionTask.draw_id == draw.id)
    ).all()
    assigned = [o for _e, o in rows]
    assert expired.id not in assigned and lapsing.id not in assigned
    assert (ents[0].id, good[0].id) not in rows
    assert max(assigned.count(o.id) for o in good) <= 2
    assert len(assigned) == 6


def test_too_small_pool_or_roster_is_refused_in_chinese(db: Session, personas: Personas) -> None:
    s = subject(db)
    add_officers(db, s, 2)
    item = add_item(db)
    empty = new_draw(db, personas.agency_admin, [s], [item], industry_codes="Z99")
    with pytest.raises(InvalidInput, match="没有符合条件的存续企业"):
        freeze.freeze_draw(db, draw=empty, actor=personas.agency_admin)
    add_enterprises(db, "C" * 5)
    capped = new_draw(db, personas.agency_admin, [s], [item], officer_cap=2)
    with pytest.raises(RuleViolation, match="人员不足") as info:
        freeze.freeze_draw(db, draw=capped, actor=personas.agency_admin)
    assert info.value.violations[0].rule_id.startswith("C3")
    with pytest.raises(RuleViolation, match="至少派出两名"):
        new_draw(db, personas.agency_admin, [s], [item], officers_per_subject=1)


def test_a_joint_draw_gives_one_task_per_enterprise_with_all_subjects(
    db: Session, personas: Personas
) -> None:
    scjg, yjj = subject(db), subject(db, KC_YJJ)
    add_officers(db, scjg, 4)
    add_officers(db, yjj, 4)
    items = [add_item(db), add_item(db, "应急管理")]
    add_enterprises(db, "D" * 4)
    draw = new_draw(db, personas.agency_admin, [scjg, yjj], items, title="部门联合双随机")
    freeze.freeze_draw(db, draw=draw, actor=personas.agency_admin)
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    tasks = db.scalars(select(InspectionTask).where(InspectionTask.draw_id == draw.id)).all()
    assert len(tasks) == 4 and len({t.enterprise_id for t in tasks}) == 4
    for t in tasks:
        subs = db.scalars(select(TaskSubject).where(TaskSubject.task_id == t.id)).all()
        assert {(x.subject_id, x.lead) for x in subs} == {(scjg.id, True), (yjj.id, False)}
        officers = db.scalars(
            select(Officer).join(TaskOfficer, TaskOfficer.officer_id == Officer.id)
            .where(TaskOfficer.task_id == t.id)
        ).all()  # fmt: skip
        assert sorted(o.subject_id for o in officers) == sorted([scjg.id] * 2 + [yjj.id] * 2)


def test_only_the_lead_runs_and_items_must_be_on_the_list(db: Session, personas: Personas) -> None:
    s = subject(db)
    add_officers(db, s, 2)
    with pytest.raises(InvalidInput, match="随机抽查事项清单"):
        new_draw(db, personas.agency_admin, [s], [add_item(db, on_dss_list=False)])
    with pytest.raises(Forbidden):
        new_draw(db, personas.officer, [s], [add_item(db)])
    with pytest.raises(Forbidden):
        new_draw(db, personas.agency_admin, [subject(db, KC_YJJ)], [add_item(db, "应急管理")])


def test_public_value_is_entered_by_the_supervisor_before_the_draw(
    db: Session, personas: Personas
) -> None:
    draw, _s, _e = _frozen(db, personas, public_value_note="3月3日福彩3D开奖号码")
    with pytest.raises(Conflict, match="公开随机数"):
        run.run_draw(db, draw=draw, actor=personas.agency_admin)
    with pytest.raises(Forbidden):
        freeze.set_public_value(db, draw=draw, value="381", actor=personas.neighbour_supervisor)
    freeze.set_public_value(db, draw=draw, value="381", actor=personas.supervisor)
    with pytest.raises(Conflict):
        freeze.set_public_value(db, draw=draw, value="382", actor=personas.supervisor)
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    art = artefacts.artefacts(draw)
    assert art["public_value"] == "381"
    assert algorithm.verify(art, freeze.stored_pool(db, draw)).ok


def test_recent_inspections_are_excluded_and_last_team_avoided(
    db: Session, personas: Personas
) -> None:
    draw, _s, ents = _frozen(db, personas, classes="D" * 3, officers=4)
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    for t in db.scalars(select(InspectionTask).where(InspectionTask.draw_id == draw.id)):
        t.status = "done"
    db.flush()
    from wurao.auth.scope import SYSTEM_ACTOR
    from wurao.core import audit

    audit.record(db, actor=SYSTEM_ACTOR, action="task.test", object_type="inspection_task",
                 object_id="*", covers=db.scalars(select(InspectionTask)).all())  # fmt: skip
    add_enterprises(db, "D")
    again = new_draw(db, personas.agency_admin, [subject(db)], [add_item(db)], exclude_months=6)
    assert freeze.pool_counts(db, draw=again) == {"D": 1}
    later = new_draw(db, personas.agency_admin, [subject(db)], [add_item(db)])
    freeze.freeze_draw(db, draw=later, actor=personas.agency_admin)
    frozen = json.loads(later.frozen_json)
    assert len(frozen["officers"]["avoid"]) == 6  # three enterprises × two officers
    assert {e.uscc for e in ents}


# --- hardening: times, the public value's form, salted conflicts, legacy draws ---------------


def _iso_local(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    assert value.endswith("+08:00") and parsed.utcoffset() == dt.timedelta(hours=8), value
    return parsed


def test_artefacts_carry_the_times_of_freeze_public_value_and_draw(
    db: Session, personas: Personas
) -> None:
    draw, _s, _e = _frozen(db, personas, public_value_note="3月3日福彩3D开奖号码")
    times = artefacts.artefacts(draw)["times"]
    assert times["pool_frozen_at"] == times["seed_committed_at"]
    assert _iso_local(times["pool_frozen_at"]) == draw.frozen_at.replace(microsecond=0)
    assert times["public_value_entered_at"] is None and times["drawn_at"] is None
    freeze.set_public_value(db, draw=draw, value="381", actor=personas.supervisor)
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    times = artefacts.artefacts(draw)["times"]
    keys = ("pool_frozen_at", "public_value_entered_at", "drawn_at")
    frozen_at, entered, drawn = (_iso_local(times[k]) for k in keys)
    assert frozen_at <= entered <= drawn and times["cancelled_at"] is None
    assert algorithm.verify(artefacts.artefacts(draw), freeze.stored_pool(db, draw)).ok
    other = new_draw(db, personas.agency_admin, [subject(db)], [add_item(db)])
    freeze.freeze_draw(db, draw=other, actor=personas.agency_admin)
    service.cancel_draw(db, draw=other, reason="事项有误", actor=personas.agency_admin)
    assert _iso_local(artefacts.artefacts(other)["times"]["cancelled_at"])


def test_public_value_is_stored_nfkc_normalised_and_trimmed(
    db: Session, personas: Personas
) -> None:
    draw, _s, _e = _frozen(db, personas, public_value_note="福彩3D开奖号码")
    with pytest.raises(InvalidInput, match="控制字符"):
        freeze.set_public_value(db, draw=draw, value="38\u200b1", actor=personas.supervisor)
    with pytest.raises(InvalidInput, match="公开随机数"):
        freeze.set_public_value(db, draw=draw, value="\u3000 \u3000", actor=personas.supervisor)
    freeze.set_public_value(db, draw=draw, value="\u3000３８１ ", actor=personas.supervisor)
    assert draw.public_value == "381"
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    art = artefacts.artefacts(draw)
    assert art["public_value"] == "381"
    assert algorithm.verify(art, freeze.stored_pool(db, draw)).ok


def _pairs_in(db: Session, draw: Draw) -> set[str]:
    """Every unsalted pair hash anyone could compute from the public pool and roster."""
    frozen = json.loads(draw.frozen_json)
    members = algorithm.parse_pool(freeze.stored_pool(db, draw))
    certs = [c for cs in frozen["officers"]["roster"].values() for c in cs]
    return {algorithm.pair_hash(u, c) for u, _s in members for c in certs}


def test_conflicts_and_last_teams_are_published_as_salted_tags_only(
    db: Session, personas: Personas
) -> None:
    s = subject(db)
    staff = add_officers(db, s, 4)
    ents = add_enterprises(db, "D" * 3)
    conflicts.declare_conflict(db, officer=staff[0], enterprise=ents[0], reason="配偶任该企业股东",
                             actor=personas.agency_admin)  # fmt: skip
    first = new_draw(db, personas.agency_admin, [s], [add_item(db)])
    freeze.freeze_draw(db, draw=first, actor=personas.agency_admin)
    run.run_draw(db, draw=first, actor=personas.agency_admin)
    later = new_draw(db, personas.agency_admin, [s], [add_item(db)])
    freeze.freeze_draw(db, draw=later, actor=personas.agency_admin)
    run.run_draw(db, draw=later, actor=personas.agency_admin)
    art = artefacts.artefacts(later)
    off = art["frozen"]["officers"]
    assert len(off["conflicts"]) == 1 and len(off["avoid"]) == 6
    # nobody holding the public pool and roster can test a pair
    assert not (set(off["conflicts"]) | set(off["avoid"])) & _pairs_in(db, later)
    salt = bytes.fromhex(later.conflict_salt_hex or "")
    assert len(salt) == 32 and later.conflict_salt_hex not in json.dumps(art)
    assert art["frozen"][algorithm.SALT_COMMITMENT] == algorithm.commitment(salt)
    assert off["conflicts"] == [algorithm.pair_tag(ents[0].uscc, str(staff[0].cert_no), salt)]
    pool = freeze.stored_pool(db, later)
    full = algorithm.verify(art, pool, salt=salt)
    assert full.ok and full.unchecked == []
    partial = algorithm.verify(art, pool)
    assert partial.ok and partial.unchecked


def test_a_draw_frozen_before_salting_still_draws_and_verifies(
    db: Session, personas: Personas
) -> None:
    """A legacy draw: no salt (NULL), plain SHA-256 tags, no salt commitment."""
    draw, staff, ents = _frozen(db, personas, classes="D" * 3, officers=4)
    frozen = json.loads(draw.frozen_json)
    del frozen[algorithm.SALT_COMMITMENT]
    frozen["officers"]["conflicts"] = [algorithm.pair_hash(ents[0].uscc, str(staff[0].cert_no))]
    draw.frozen_json = algorithm.canonical(frozen).decode()
    draw.frozen_sha256 = algorithm.sha256_hex(algorithm.canonical(frozen))
    draw.conflict_salt_hex = None
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    art = artefacts.artefacts(draw)
    team = next(t for t in art["teams"] if t["uscc"] == ents[0].uscc)
    assert str(staff[0].cert_no) not in team["officers"][subject(db).uscc]
    verdict = algorithm.verify(art, freeze.stored_pool(db, draw))
    assert verdict.ok and verdict.unchecked == []


def test_the_verification_package_gives_the_salt_to_the_supervisor_and_the_lead_only(
    db: Session, personas: Personas
) -> None:
    import io
    import zipfile

    draw, _s, _e = _frozen(db, personas, classes="D" * 3, officers=4)
    run.run_draw(db, draw=draw, actor=personas.agency_admin)
    last_seq = db.scalar(select(func.max(AuditEntry.seq))) or 0
    for actor in (personas.supervisor, personas.agency_admin, personas.admin):
        body = artefacts.verification_package(db, draw=draw, actor=actor)
        package = zipfile.ZipFile(io.BytesIO(body))
        names = set(package.namelist())
        assert {"artefacts.json", "pool.csv", "conflict-salt.txt"} <= names
        assert package.read("conflict-salt.txt").decode().strip() == draw.conflict_salt_hex
        assert package.read("artefacts.json") == artefacts.artefacts_bytes(draw)
    for actor in (personas.officer, personas.neighbour_supervisor, personas.other_officer):
        with pytest.raises((Forbidden, NotFound)):
            artefacts.verification_package(db, draw=draw, actor=actor)
    # each disclosure of the salt is on the audit record, naming who took it; refusals are not
    disclosed = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "draw.disclose_salt", AuditEntry.seq > last_seq)
        .order_by(AuditEntry.seq)
    ).all()
    assert [e.actor_id for e in disclosed] == [
        p.user_id for p in (personas.supervisor, personas.agency_admin, personas.admin)
    ]
    assert all(e.object_id == str(draw.id) for e in disclosed)
