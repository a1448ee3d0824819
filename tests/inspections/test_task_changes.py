"""Editing and cancelling a task before its code (issue 19 item 6): a draft changes, a coded
task is frozen (its code is revoked instead), and only the task's subject may change it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.inspections import END, START, add_officer, issue, key_dir, new_task, world
from wurao.auth.scope import SYSTEM_ACTOR, Actor
from wurao.core import audit
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.core.time import local_today
from wurao.inspections import service, task_changes
from wurao.inspections.models import InspectionTask, TaskOfficer
from wurao.inspections.task_changes import TaskEdit
from wurao.registry.models import Officer

__all__ = ["key_dir"]


def _error_beside(html: str, name: str) -> str:
    found = re.search(
        rf'<small class="field-error" role="alert" id="err-{name}">([^<]*)</small>', html
    )
    return found.group(1) if found else ""


def _officer_ids(db: Session, task: InspectionTask) -> set[int]:
    return set(db.scalars(select(TaskOfficer.officer_id).where(TaskOfficer.task_id == task.id)))


def _actions(db: Session, task: InspectionTask) -> list[str]:
    return list(
        db.scalars(
            select(audit.AuditEntry.action)
            .where(
                audit.AuditEntry.object_type == "inspection_task",
                audit.AuditEntry.object_id == str(task.id),
            )
            .order_by(audit.AuditEntry.seq)
        )
    )


def test_a_draft_is_edited_with_its_audit_entry(db: Session, personas: Personas) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w)
    third = add_officer(db, w.subject)
    edit = TaskEdit(
        window_start=START + dt.timedelta(days=7),
        window_end=END + dt.timedelta(days=7),
        officer_ids=[w.officers[1].id, third.id],
        trigger_reason="复核投诉",
    )
    task_changes.edit_task(db, actor=personas.agency_admin, task=task, edit=edit)
    assert (task.window_start, task.window_end) == (edit.window_start, edit.window_end)
    assert task.trigger_reason == "复核投诉" and task.status == "draft"
    assert _officer_ids(db, task) == {w.officers[1].id, third.id}
    assert _actions(db, task) == ["task.create", "task.edit"]


def test_an_edit_is_checked_as_a_new_task_is(db: Session, personas: Personas) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w)
    ids = [o.id for o in w.officers]
    backwards = TaskEdit(window_start=END, window_end=START, officer_ids=ids)
    with pytest.raises(InvalidInput) as exc:
        task_changes.edit_task(db, actor=personas.agency_admin, task=task, edit=backwards)
    assert exc.value.field == "window_end"
    across = TaskEdit(window_start=START, window_end=dt.date(2027, 1, 5), officer_ids=ids)
    with pytest.raises(InvalidInput, match="跨年度"):
        task_changes.edit_task(db, actor=personas.agency_admin, task=task, edit=across)
    nobody = TaskEdit(window_start=START, window_end=END, officer_ids=[])
    with pytest.raises(InvalidInput) as exc:
        task_changes.edit_task(db, actor=personas.agency_admin, task=task, edit=nobody)
    assert exc.value.field == "officer_ids"
    ghost = TaskEdit(window_start=START, window_end=END, officer_ids=[ids[0], 2**31 - 2])
    with pytest.raises(InvalidInput, match="执法人员不存在"):
        task_changes.edit_task(db, actor=personas.agency_admin, task=task, edit=ghost)
    assert _officer_ids(db, task) == set(ids)


def test_a_draft_is_cancelled_with_its_reason(db: Session, personas: Personas) -> None:
    task = new_task(db, personas.agency_admin, world(db))
    with pytest.raises(InvalidInput) as exc:
        task_changes.cancel_task(db, actor=personas.agency_admin, task=task, reason="  ")
    assert exc.value.field == "reason" and task.status == "draft"
    task_changes.cancel_task(db, actor=personas.agency_admin, task=task, reason="企业已注销")
    assert task.status == "cancelled"
    assert _actions(db, task) == ["task.create", "task.cancel"]
    with pytest.raises(Conflict, match="已取消"):
        task_changes.cancel_task(db, actor=personas.agency_admin, task=task, reason="再次")


def test_a_coded_task_is_frozen_and_points_to_revoking(
    db: Session, personas: Personas, key_dir: object
) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w)
    issue(db, personas.agency_admin, task)
    edit = TaskEdit(window_start=START, window_end=END, officer_ids=[o.id for o in w.officers])
    with pytest.raises(Conflict, match=r"已赋码.*撤销此码"):
        task_changes.edit_task(db, actor=personas.agency_admin, task=task, edit=edit)
    with pytest.raises(Conflict, match=f"/tasks/{task.id}"):
        task_changes.cancel_task(db, actor=personas.agency_admin, task=task, reason="不查了")
    assert task.status == "coded"


def test_a_done_task_is_refused(db: Session, personas: Personas) -> None:
    task = new_task(db, personas.agency_admin, world(db))
    before = audit.snapshot(task)
    task.status = "done"
    audit.record(db, actor=SYSTEM_ACTOR, action="task.done", obj=task, before=before)
    with pytest.raises(Conflict, match="已完成"):
        task_changes.cancel_task(db, actor=personas.agency_admin, task=task, reason="不查了")
    assert task.status == "done"


@pytest.mark.parametrize("who", ["other_officer", "legal_reviewer", "supervisor", "enterprise"])
def test_others_may_not_change_a_task(db: Session, personas: Personas, who: str) -> None:
    actor: Actor = getattr(personas, who)
    task = new_task(db, personas.agency_admin, world(db))
    assert not task_changes.may_change(actor, service.bundle(db, task))
    with pytest.raises((Forbidden, NotFound)):
        task_changes.cancel_task(db, actor=actor, task=task, reason="不查了")
    assert task.status == "draft"


def test_the_subjects_staff_who_may_create_it_may_change_it(
    db: Session, personas: Personas
) -> None:
    task = new_task(db, personas.agency_admin, world(db))
    for actor in (personas.agency_admin, personas.officer, personas.admin):
        assert task_changes.may_change(actor, service.bundle(db, task))


def test_pages_edit_and_cancel_a_draft(db: Session, personas: Personas, client: TestClient) -> None:
    w = world(db)
    today = local_today()
    me = db.scalar(select(Officer).where(Officer.user_id == personas.officer.user_id))
    assert me is not None
    task = new_task(
        db, personas.agency_admin, w, window_start=today, window_end=today,
        officer_ids=[me.id, *(o.id for o in w.officers)],
    )  # fmt: skip
    db.commit()
    task_id = task.id
    csrf = sign_in(client, "kc_scjg_admin")
    detail = client.get(f"/tasks/{task_id}")
    assert f'href="/tasks/{task_id}/edit"' in detail.text
    assert f'action="/tasks/{task_id}/cancel"' in detail.text
    form = client.get(f"/tasks/{task_id}/edit")
    assert form.status_code == 200 and "修改检查任务" in form.text
    assert all(f'value="{o.id}" checked' in form.text for o in w.officers)
    resp = client.post(
        f"/tasks/{task_id}/edit",
        data={
            "csrf_token": csrf,
            "_back": f"/tasks/{task_id}/edit",
            "window_start": today.isoformat(),
            "window_end": today.isoformat(),
            "officer_ids": [str(me.id), str(w.officers[0].id)],
            "trigger_reason": "复核",
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    db.expire_all()
    assert _officer_ids(db, task) == {me.id, w.officers[0].id}
    # the officer sees the draft on the home page and in the open list, then no more
    officer = TestClient(client.app, raise_server_exceptions=False)
    sign_in(officer, "kc_scjg_zhang")
    assert w.enterprise.name in officer.get("/").text
    assert w.enterprise.name in officer.get("/tasks?status=draft").text
    resp = client.post(
        f"/tasks/{task_id}/cancel",
        data={"csrf_token": csrf, "_back": f"/tasks/{task_id}", "reason": "企业已停业"},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    detail = client.get(f"/tasks/{task_id}")
    assert "已取消" in detail.text and f'action="/tasks/{task_id}/cancel"' not in detail.text
    assert f'href="/tasks/{task_id}/edit"' not in detail.text
    assert "取消，理由：企业已停业" in detail.text  # who, when and why, from the cancel's entry
    assert w.enterprise.name not in officer.get("/").text
    assert w.enterprise.name not in officer.get("/tasks?status=draft").text
    assert client.get(f"/tasks/{task_id}/edit").status_code == 409


def test_refused_forms_come_back_in_place(
    db: Session, personas: Personas, client: TestClient
) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w)
    db.commit()
    task_id = task.id
    csrf = sign_in(client, "kc_scjg_admin")
    url = f"/tasks/{task_id}/edit"
    page = client.post(
        url,
        data={
            "csrf_token": csrf,
            "_back": url,
            "window_start": END.isoformat(),
            "window_end": START.isoformat(),  # refused by the creation's check
            "officer_ids": [str(w.officers[0].id)],
            "trigger_reason": "理由改过了",
        },
    )
    assert page.status_code == 422 and "error-page" not in page.text
    assert "结束日期早于开始日期" in _error_beside(page.text, "window_end")
    assert "理由改过了" in page.text and f'value="{END.isoformat()}"' in page.text
    assert f'value="{w.officers[0].id}" checked' in page.text
    assert f'value="{w.officers[1].id}" checked' not in page.text
    page = client.post(
        f"/tasks/{task_id}/cancel",
        data={"csrf_token": csrf, "_back": f"/tasks/{task_id}", "reason": ""},
    )
    assert page.status_code == 422 and "error-page" not in page.text
    assert _error_beside(page.text, "reason")
    db.expire_all()
    saved = db.get(InspectionTask, task_id)
    assert saved is not None and saved.status == "draft"
    assert (saved.window_start, saved.window_end) == (START, END)
    assert saved.trigger_reason != "理由改过了"
    assert _officer_ids(db, saved) == {o.id for o in w.officers}


def test_pages_refuse_other_subject_and_coded(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    w = world(db)
    task = new_task(db, personas.agency_admin, w)
    coded = new_task(db, personas.agency_admin, w)
    issue(db, personas.agency_admin, coded)
    db.commit()
    csrf = sign_in(client, "kc_yjj_li")  # another subject's officer
    assert client.get(f"/tasks/{task.id}/edit").status_code == 404
    resp = client.post(f"/tasks/{task.id}/cancel", data={"csrf_token": csrf, "reason": "x"})
    assert resp.status_code == 404
    client.cookies.clear()
    csrf = sign_in(client, "kc_scjg_admin")
    detail = client.get(f"/tasks/{coded.id}")
    assert f'action="/tasks/{coded.id}/cancel"' not in detail.text
    assert "撤销此码即取消任务" in detail.text
    resp = client.post(f"/tasks/{coded.id}/cancel", data={"csrf_token": csrf, "reason": "x"})
    assert resp.status_code == 409 and "撤销此码" in resp.text
    db.expire_all()
    assert db.get(InspectionTask, coded.id).status == "coded"  # type: ignore[union-attr]
