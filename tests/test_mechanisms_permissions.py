"""Pages show what the services allow (issue #20 item 4): the unplanned-approval decision, a
draw's steps and the 回避 declarations are offered by the service's own predicate, the one its
guard raises on, for every persona. The system administrator, who acts for any subject in the
services, is offered the same steps; a supervisor is no longer offered a withdrawal the
service refuses."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.planning.test_permissions import USERNAMES
from tests.sampling import add_enterprises, add_item, add_officers, new_draw, subject
from wurao.auth.scope import Actor
from wurao.core.errors import Forbidden, RuleViolation
from wurao.planning import unplanned
from wurao.planning.models import UnplannedApproval
from wurao.sampling import conflicts, service
from wurao.sampling.models import Draw


def _allows(check: object, *args: object) -> bool:
    try:
        check(*args)  # type: ignore[operator]
    except Forbidden:
        return False
    return True


def _page(client: TestClient, username: str, path: str) -> str | None:
    """The page as ``username`` sees it (None when it is refused)."""
    browser = TestClient(client.app, raise_server_exceptions=False)
    sign_in(browser, username)
    resp = browser.get(path)
    return resp.text if resp.status_code == 200 else None


def _guard_of_decision(db: Session, actor: Actor, approval: UnplannedApproval) -> bool:
    """decide_unplanned's permission guard, stopped before it writes (no head's name)."""
    try:
        unplanned.decide_unplanned(
            db, approval=approval, actor=actor, approve=True, head_name="", comment=""
        )
    except Forbidden:
        return False
    except RuleViolation:  # past the guard: refused for the missing name, nothing written
        return True
    raise AssertionError("a decision without the head's name was accepted")


@pytest.mark.parametrize("who", sorted(USERNAMES))
def test_unplanned_decision_form_agrees_with_service_guard(
    who: str, db: Session, personas: Personas, client: TestClient
) -> None:
    actor: Actor = getattr(personas, who)
    ent = add_enterprises(db, "B")[0]
    req = unplanned.request_unplanned(
        db, actor=personas.officer, enterprise=ent, reason="群众投诉举报（权限一致性）"
    )
    req_id = req.id
    allowed = unplanned.may_decide_unplanned(actor, req)
    assert allowed == (who in {"admin", "agency_admin"})
    assert _guard_of_decision(db, actor, req) == allowed
    html = _page(client, USERNAMES[who], "/unplanned")
    shown = html is not None and f'action="/unplanned/{req_id}/decision"' in html
    assert shown == allowed
    fresh = db.get(UnplannedApproval, req_id)
    assert fresh is not None and fresh.status == "requested"


@pytest.mark.parametrize("who", sorted(USERNAMES))
def test_draw_steps_agree_with_service_guard(
    who: str, db: Session, personas: Personas, client: TestClient
) -> None:
    actor: Actor = getattr(personas, who)
    s = subject(db)
    add_officers(db, s, 2)
    add_enterprises(db, "C" * 2)
    draw = new_draw(db, personas.agency_admin, [s], [add_item(db)])
    draw_id = draw.id
    allowed = service.may_manage_draw(actor, draw)
    assert allowed == (who in {"admin", "agency_admin"})
    assert _allows(service.require_lead, actor, draw) == allowed
    html = _page(client, USERNAMES[who], f"/draws/{draw_id}")
    shown = html is not None and f'action="/draws/{draw_id}/freeze"' in html
    assert shown == allowed
    fresh = db.get(Draw, draw_id)
    assert fresh is not None and fresh.status == "draft"


@pytest.mark.parametrize("who", sorted(USERNAMES))
def test_conflict_form_and_withdrawal_agree_with_service_guard(
    who: str, db: Session, personas: Personas, client: TestClient
) -> None:
    actor: Actor = getattr(personas, who)
    officer = add_officers(db, subject(db), 1)[0]
    ent = add_enterprises(db, "C")[0]
    row = conflicts.declare_conflict(
        db, officer=officer, enterprise=ent, reason="配偶任该企业股东", actor=personas.agency_admin
    )
    row_id = row.id
    may_withdraw = conflicts.may_declare(actor, officer.subject_id)
    assert may_withdraw == (who in {"admin", "agency_admin", "officer"})
    assert _allows(conflicts._may_declare, actor, officer) == may_withdraw
    html = _page(client, USERNAMES[who], "/draws/conflicts")
    if html is None:  # the page itself is refused: nothing is offered
        assert not conflicts.may_declare(actor)
        return
    assert ('action="/draws/conflicts"' in html) == conflicts.may_declare(actor)
    listed = f"/draws/conflicts/{row_id}/withdraw" in html
    # a row the actor sees offers the withdrawal exactly when the service would accept it
    assert listed == (may_withdraw and (row_id in _listed_ids(db, actor)))


def _listed_ids(db: Session, actor: Actor) -> set[int]:
    return {c.id for c, _o, _e in conflicts.list_conflicts(db, actor=actor).items}
