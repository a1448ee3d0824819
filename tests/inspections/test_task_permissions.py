"""The task page offers "申请赋码" exactly when the service would accept the request from the
caller (``issuing.may_issue_code``, the predicate ``issue_code``'s guard also applies)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.inspections import new_task, world
from tests.planning.test_permissions import USERNAMES
from wurao.auth.scope import Actor
from wurao.core.errors import Forbidden
from wurao.inspections import issuing, service

# Who may ask for a code on a task of 柯城区市场监管局: its own staff and the system administrator.
ISSUERS = {"admin", "agency_admin", "officer"}


@pytest.mark.parametrize("who", sorted(USERNAMES))
def test_issue_button_agrees_with_service_guard(
    who: str, db: Session, personas: Personas, client: TestClient
) -> None:
    actor: Actor = getattr(personas, who)
    task = new_task(db, personas.agency_admin, world(db))
    task_id = task.id
    b = service.bundle(db, task)
    allowed = issuing.may_issue_code(actor, b)
    assert allowed == (who in ISSUERS)
    try:
        issuing._require_manage(actor, b)  # the guard issue_code runs first
        guard = True
    except Forbidden:
        guard = False
    assert guard == allowed  # a draft task without a code: only the permission decides
    browser = TestClient(client.app, raise_server_exceptions=False)
    sign_in(browser, USERNAMES[who])
    resp = browser.get(f"/tasks/{task_id}")
    shown = resp.status_code == 200 and f'action="/tasks/{task_id}/code"' in resp.text
    assert shown == allowed
