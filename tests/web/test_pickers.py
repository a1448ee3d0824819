"""Pickers instead of typed ids (issue 19 item 1): each picker lists only what the user may
use, and the new-task form prefilled from a plan entry creates a task whose code is issued."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.inspections import (
    NOW,
    QJ_SCJG,
    World,
    add_draw,
    add_enterprise,
    approval,
    key_dir,
    new_task,
    world,
)
from wurao.core import audit
from wurao.core.audit import SYSTEM
from wurao.core.time import local_today
from wurao.inspections.models import InspectionTask
from wurao.oversight.clues import intake
from wurao.planning.models import (
    InspectionPlan,
    PlanEntry,
    PlanTarget,
    SpecialInspection,
    SpecialInspectionSubject,
)

__all__ = ["key_dir"]  # a fixture


def _entry(db: Session, w: World, title: str, *, targets: int = 1, version: int = 1) -> PlanEntry:
    """A published plan of this year, one targeted entry covering this month."""
    today = local_today()
    plan = InspectionPlan(
        subject_id=w.subject.id,
        year=today.year,
        title=title,
        version=version,
        status="published",
        created_at=NOW,
        updated_at=NOW,
        published_on=today.replace(day=1),
    )
    db.add(plan)
    db.flush()
    entry = PlanEntry(
        plan_id=plan.id, item_id=w.item.id, months=str(today.month), selection="targeted"
    )
    db.add(entry)
    db.flush()
    ents = [w.enterprise] + [add_enterprise(db) for _ in range(targets - 1)]
    db.flush()
    rows = [PlanTarget(entry_id=entry.id, enterprise_id=e.id) for e in ents]
    db.add_all(rows)
    audit.record(db, actor=SYSTEM, action="plan.create", obj=plan, covers=[entry, *rows])
    return entry


def _special(db: Session, w: World, title: str) -> SpecialInspection:
    today = local_today()
    sp = SpecialInspection(
        subject_id=w.subject.id,
        year=today.year,
        title=title,
        status="published",
        start_on=today - dt.timedelta(days=5),
        end_on=today + dt.timedelta(days=30),
        created_at=NOW,
    )
    db.add(sp)
    db.flush()
    link = SpecialInspectionSubject(special_id=sp.id, subject_id=w.subject.id)
    db.add(link)
    audit.record(db, actor=SYSTEM, action="special.create", obj=sp, covers=[link])
    return sp


def _radios(html: str, name: str) -> set[str]:
    return set(re.findall(rf'type="radio" name="{name}" value="(\d+)"', html))


def test_origin_pickers_list_only_the_subjects_own(
    db: Session, personas: Personas, client: TestClient
) -> None:
    own, other = world(db), world(db, QJ_SCJG)
    mine = _entry(db, own, "柯城本局年度计划")
    theirs = _entry(db, other, "衢江他局年度计划")
    my_draw = add_draw(db, own)
    their_draw = add_draw(db, other)
    my_special, their_special = _special(db, own, "本局专项"), _special(db, other, "他局专项")
    my_ok = approval(db, own, valid_until=local_today() + dt.timedelta(days=10))
    their_ok = approval(db, other, valid_until=local_today() + dt.timedelta(days=10))
    db.commit()
    sign_in(client, "kc_scjg_admin")

    page = client.get("/tasks/new")  # the plan origin comes first
    assert page.status_code == 200
    assert _radios(page.text, "plan_entry_id") == {str(mine.id)}
    assert "柯城本局年度计划" in page.text and "衢江他局年度计划" not in page.text
    for origin, field, yes, no in [
        ("plan", "plan_entry_id", mine.id, theirs.id),
        ("draw", "draw_id", my_draw.id, their_draw.id),
        ("special", "special_id", my_special.id, their_special.id),
        ("unplanned", "unplanned_id", my_ok.id, their_ok.id),
    ]:
        frag = client.get("/tasks/new/origins", params={"origin": origin})
        assert frag.status_code == 200, frag.text
        assert str(yes) in _radios(frag.text, field) and str(no) not in _radios(frag.text, field)
    # scoped to the chosen enterprise, and searchable
    stranger = add_enterprise(db)
    db.commit()
    frag = client.get(
        "/tasks/new/origins", params={"origin": "draw", "enterprise_uscc": stranger.uscc}
    )
    assert _radios(frag.text, "draw_id") == set()
    frag = client.get(
        "/tasks/new/origins", params={"origin": "plan", "enterprise_uscc": own.enterprise.uscc}
    )
    assert _radios(frag.text, "plan_entry_id") == {str(mine.id)}
    frag = client.get("/tasks/new/origins", params={"origin": "plan", "origin_q": "没有这个"})
    assert _radios(frag.text, "plan_entry_id") == set()
    # another subject's entry cannot prefill the form
    foreign = client.get("/tasks/new", params={"plan_entry_id": theirs.id})
    assert foreign.status_code == 200 and other.enterprise.uscc not in foreign.text
    # an officer of another subject sees none of this subject's origins
    client.cookies.clear()
    sign_in(client, "kc_yjj_li")
    frag = client.get("/tasks/new/origins", params={"origin": "plan"})
    assert frag.status_code in (200, 403) and str(mine.id) not in _radios(
        frag.text, "plan_entry_id"
    )
    # the county supervisor creates no tasks
    client.cookies.clear()
    sign_in(client, "kc_sfj")
    assert client.get("/tasks/new/origins", params={"origin": "plan"}).status_code == 403


def test_task_from_a_plan_entry_prefilled_and_issued(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    w = world(db)
    entry = _entry(db, w, "柯城本局年度计划")
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    plan_page = client.get(f"/plans/{entry.plan_id}")
    assert f'href="/tasks/new?plan_entry_id={entry.id}"' in plan_page.text
    assert f'id="entry-{entry.id}"' in plan_page.text  # the entry numbers are shown
    form = client.get(f"/tasks/new?plan_entry_id={entry.id}")
    assert form.status_code == 200
    assert f'value="{w.enterprise.uscc}"' in form.text
    assert f'name="plan_entry_id" value="{entry.id}" checked' in form.text
    assert f'value="{w.item.code}" checked' in form.text
    today = local_today().isoformat()
    resp = client.post(
        "/tasks",
        data={
            "csrf_token": csrf,
            "enterprise_uscc": w.enterprise.uscc,
            "method": "onsite",
            "origin": "plan",
            "plan_entry_id": str(entry.id),
            "origin_q": "",
            "trigger_ref": "",
            "window_start": today,
            "window_end": today,
            "item_codes": [w.item.code],
            "officer_ids": [str(o.id) for o in w.officers],
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    task = db.scalars(select(InspectionTask).order_by(InspectionTask.id.desc())).first()
    assert task is not None and task.plan_entry_id == entry.id and task.origin == "plan"
    issued = client.post(
        resp.headers["location"] + "/code", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert issued.status_code == 303, issued.text
    # an entry naming several enterprises offers them in a list
    many = _entry(db, w, "多家企业计划", targets=3, version=2)
    db.commit()
    form = client.get(f"/tasks/new?plan_entry_id={many.id}")
    assert form.text.count('<option value="91') >= 3


def test_plan_page_offers_no_task_button_to_others(
    db: Session, personas: Personas, client: TestClient
) -> None:
    w = world(db)
    entry = _entry(db, w, "柯城本局年度计划")
    db.commit()
    sign_in(client, "kc_sfj")  # the county supervisor sees the plan, does not create tasks
    page = client.get(f"/plans/{entry.plan_id}")
    assert page.status_code == 200 and "创建检查任务" not in page.text


def test_clue_classify_picks_the_enterprises_tasks_in_the_region(
    db: Session, personas: Personas, client: TestClient
) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w)
    clue = intake.create(
        db,
        actor=personas.supervisor,
        data=intake.ClueInput(
            source="petition",
            description="信访件反映：某局多次到企业检查。",
            enterprise_name=w.enterprise.name,
            enterprise_uscc=w.enterprise.uscc,
            reporter_name="王某",
            reporter_contact="13800000000",
        ),
    )
    db.commit()
    csrf = sign_in(client, "kc_sfj")
    page = client.get(f"/oversight/clues/{clue.id}")
    assert page.status_code == 200
    assert str(task.id) in _radios(page.text, "task_id")
    assert 'name="task_id" value="" checked' in page.text
    frag = client.get(f"/oversight/clues/{clue.id}/tasks", params={"q": w.enterprise.name})
    assert frag.status_code == 200 and str(task.id) in _radios(frag.text, "task_id")
    none = client.get(f"/oversight/clues/{clue.id}/tasks", params={"q": "不存在的企业名称"})
    assert _radios(none.text, "task_id") == set()
    resp = client.post(
        f"/oversight/clues/{clue.id}/classify",
        data={
            "csrf_token": csrf,
            "problem_type": "profit",
            "task_id": str(task.id),
            "q": "",
            "note": "",
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    page = client.get(f"/oversight/clues/{clue.id}")
    assert f'name="task_id" value="{task.id}" checked' in page.text
    # the neighbouring county's supervisor reaches neither the clue nor its task picker
    client.cookies.clear()
    sign_in(client, "qj_sfj")
    assert client.get(f"/oversight/clues/{clue.id}/tasks").status_code in (403, 404)
