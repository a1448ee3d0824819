"""伴随式监督 (F8 OBSERVER): who may join an inspection, the code's ``ob`` claim, the scan page,
findings and the observer's own list."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Personas, csrf_of, sign_in
from tests.inspections import NOW, issue, key_dir, new_task, world
from tests.test_monitors_registry import add_monitor
from wurao.core.errors import Conflict, Forbidden, RuleViolation
from wurao.core.time import local_today
from wurao.inspections import code_changes, codes, observers
from wurao.inspections.models import InspectionTask

__all__ = ["key_dir"]


def _task(db: Session, personas: Personas) -> InspectionTask:
    return new_task(db, personas.agency_admin, world(db))


def test_f8_observer_active_monitor_of_the_region_joins(db: Session, personas: Personas) -> None:
    task = _task(db, personas)
    m = add_monitor(db, personas, name="张三")
    row = observers.join(db, actor=personas.supervisor, task=task, monitor=m)
    assert (row.name, row.capacity, row.monitor_id) == ("张三", "执法监督员", m.id)
    with pytest.raises(Conflict):  # not twice
        observers.join(db, actor=personas.supervisor, task=task, monitor=m)


def test_f8_observer_expired_monitor_is_refused(db: Session, personas: Personas) -> None:
    task = _task(db, personas)
    old = add_monitor(
        db,
        personas,
        valid_from=local_today() - dt.timedelta(days=800),
        valid_to=local_today() - dt.timedelta(days=1),
    )
    with pytest.raises(RuleViolation) as refused:
        observers.join(db, actor=personas.supervisor, task=task, monitor=old)
    assert [v.rule_id for v in refused.value.violations] == ["F8 OBSERVER"]
    assert "已到期" in refused.value.violations[0].detail
    assert observers.monitor_choices(db, actor=personas.supervisor, task=task) == []


def test_f8_observer_monitor_of_another_region_is_refused(db: Session, personas: Personas) -> None:
    task = _task(db, personas)  # an enterprise of 柯城区 (330802)
    other = add_monitor(db, personas, appointed_by="衢州市柯城区司法局")
    other.region_code = "330803"  # as if appointed by 衢江区
    with pytest.raises(RuleViolation) as refused:
        observers.join(db, actor=personas.supervisor, task=task, monitor=other)
    assert "不在其辖区内" in refused.value.violations[0].detail


def test_f8_observer_supervisor_joins_but_not_the_neighbour_nor_an_agency(
    db: Session, personas: Personas
) -> None:
    task = _task(db, personas)
    me = observers.join(db, actor=personas.supervisor, task=task)
    assert me.capacity == "执法监督机构" and me.user_id == personas.supervisor.user_id
    with pytest.raises(Forbidden):
        observers.join(db, actor=personas.neighbour_supervisor, task=task)
    with pytest.raises(Forbidden):
        observers.join(db, actor=personas.agency_admin, task=task)


def test_a_supervisor_linked_to_a_monitor_joins_as_the_monitor(
    db: Session, personas: Personas
) -> None:
    task = _task(db, personas)
    m = add_monitor(db, personas, name="李监督", username="kc_sfj")
    row = observers.join(db, actor=personas.supervisor, task=task)
    assert row.monitor_id == m.id and row.capacity == "执法监督员"


def test_a_used_code_takes_no_observer(db: Session, personas: Personas, key_dir: object) -> None:
    task = _task(db, personas)
    issue(db, personas.agency_admin, task)
    code_changes.mark_code_used(db, task=task, actor=personas.agency_admin)
    with pytest.raises(Conflict):
        observers.join(db, actor=personas.supervisor, task=task)


def test_the_code_claim_carries_the_observer_and_verifies(
    db: Session, personas: Personas, key_dir: object
) -> None:
    task = _task(db, personas)
    m = add_monitor(db, personas, name="张三")
    observers.join(db, actor=personas.supervisor, task=task, monitor=m)
    issued = issue(db, personas.agency_admin, task)
    verdict = codes.verify(
        issued.code.token, codes.keys_from_db(db), at=NOW + dt.timedelta(days=1, hours=2)
    )
    assert verdict.state is codes.CodeState.VALID
    assert verdict.claims["ob"] == [["张三", m.id]]
    assert ("随行监督", "张三（执法监督员）") in codes.describe(verdict.claims)


def test_a_code_issued_without_observers_has_no_claim(
    db: Session, personas: Personas, key_dir: object
) -> None:
    issued = issue(db, personas.agency_admin, _task(db, personas))
    verdict = codes.verify(issued.code.token, codes.keys_from_db(db), at=NOW)
    assert "ob" not in verdict.claims


def test_scan_page_shows_the_observer_even_when_joined_after_the_code(
    db: Session, personas: Personas, client: TestClient, key_dir: object
) -> None:
    today = local_today()
    task = new_task(db, personas.agency_admin, world(db), window_start=today, window_end=today)
    issued = issue(db, personas.agency_admin, task, today=today, now=None)
    m = add_monitor(db, personas, name="张三")
    observers.join(db, actor=personas.supervisor, task=task, monitor=m)
    db.commit()
    page = client.get(f"/v/{issued.code.token}")
    assert page.status_code == 200
    assert "随行监督" in page.text and "张三（执法监督员）" in page.text


def test_findings_on_the_task_page_and_the_observed_list(
    db: Session, personas: Personas, client: TestClient
) -> None:
    task = _task(db, personas)
    db.commit()
    sign_in(client, "kc_sfj")
    page = client.get(f"/tasks/{task.id}")
    assert page.status_code == 200 and "加入随行监督" in page.text
    joined = client.post(
        f"/tasks/{task.id}/observers",
        data={"csrf_token": csrf_of(page.text), "monitor_id": ""},
        follow_redirects=False,
    )
    assert joined.status_code == 303
    page = client.get(f"/tasks/{task.id}")
    assert "柯城区司法局（执法监督）（执法监督机构）" in page.text
    filed = client.post(
        f"/tasks/{task.id}/findings",
        data={"csrf_token": csrf_of(page.text), "text": "检查人员未出示执法证件"},
        follow_redirects=False,
    )
    assert filed.status_code == 303
    page = client.get(f"/tasks/{task.id}")
    assert "检查人员未出示执法证件" in page.text
    mine = client.get("/inspections/observed")
    assert mine.status_code == 200 and f"#{task.id}" in mine.text and "1条" in mine.text
    # someone who did not accompany the inspection files nothing
    with pytest.raises(Forbidden):
        observers.add_finding(db, actor=personas.neighbour_supervisor, task=task, text="x")
    assert len(observers.findings_of(db, task.id)) == 1


def test_an_officer_sees_the_observers_but_may_not_join(
    db: Session, personas: Personas, client: TestClient
) -> None:
    task = _task(db, personas)
    observers.join(db, actor=personas.supervisor, task=task)
    db.commit()
    sign_in(client, "kc_scjg_admin")
    page = client.get(f"/tasks/{task.id}")
    assert page.status_code == 200 and "执法监督机构" in page.text
    assert "加入随行监督" not in page.text
    assert client.get("/inspections/observed").status_code == 403


def test_a_refused_finding_comes_back_on_the_task_page(
    db: Session, personas: Personas, client: TestClient
) -> None:
    task = _task(db, personas)
    observers.join(db, actor=personas.supervisor, task=task, monitor=None)
    db.commit()
    task_id = task.id
    sign_in(client, "kc_sfj")
    page = client.get(f"/tasks/{task_id}")
    text = "检查人员进门未出示证件。" * 400  # beyond the finding's maximum
    filed = client.post(
        f"/tasks/{task_id}/findings",
        data={"csrf_token": csrf_of(page.text), "_back": f"/tasks/{task_id}", "text": text},
    )
    assert filed.status_code == 422 and "error-page" not in filed.text
    assert 'id="err-text"' in filed.text and "伴随式监督" in filed.text
    assert text in filed.text  # what was typed, in the textarea again
    assert observers.findings_of(db, task_id) == []
