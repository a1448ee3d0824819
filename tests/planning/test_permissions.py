"""The page shows what the service allows: for every role, the plan and special-inspection
pages offer their steps exactly when the service's predicate (and so its guard) lets the
caller take them. The system administrator acts for any subject, on both sides."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.planning import entry, item
from wurao.auth.scope import Actor
from wurao.core.errors import Forbidden
from wurao.core.time import local_today
from wurao.planning import lines, service, steps
from wurao.planning import special as special_service
from wurao.planning.models import InspectionPlan, SpecialInspection

USERNAMES = {
    "admin": "admin",
    "supervisor": "kc_sfj",
    "neighbour_supervisor": "qj_sfj",
    "agency_admin": "kc_scjg_admin",
    "officer": "kc_scjg_zhang",
    "other_officer": "kc_yjj_li",
    "legal_reviewer": "kc_scjg_fzsh",
    "enterprise": "qiye_demo",
}
# Who may take the subject's steps, and who gives the 法制审核 (the rule the pages follow).
EDITORS = {"admin", "agency_admin"}
REVIEWERS = {"admin", "legal_reviewer"}


def _guard_allows(check: object, actor: Actor, obj: object) -> bool:
    try:
        check(actor, obj)  # type: ignore[operator]
    except Forbidden:
        return False
    return True


def _page(client: TestClient, username: str, path: str) -> str | None:
    """The page as ``username`` sees it (None when the page is refused)."""
    browser = TestClient(client.app, raise_server_exceptions=False)
    sign_in(browser, username)
    resp = browser.get(path)
    return resp.text if resp.status_code == 200 else None


@pytest.mark.parametrize("who", sorted(USERNAMES))
def test_plan_page_flag_agrees_with_service_guard(
    who: str, db: Session, personas: Personas, client: TestClient
) -> None:
    actor: Actor = getattr(personas, who)
    plan = steps.create_plan(db, actor=personas.agency_admin, year=2031, title="权限一致性测试")
    lines.add_entry(db, plan=plan, data=entry(item(db).id), actor=personas.agency_admin)
    plan_id = plan.id
    allowed = service.may_edit_plan(actor, plan)
    assert allowed == (who in EDITORS)
    assert _guard_allows(service.check_own_plan, actor, plan) == allowed
    html = _page(client, USERNAMES[who], f"/plans/{plan_id}")
    shown = html is not None and 'id="next-step"' in html
    assert shown == allowed
    fresh = db.get(InspectionPlan, plan_id)
    assert fresh is not None and fresh.status == "draft"


@pytest.mark.parametrize("who", sorted(USERNAMES))
def test_special_page_flags_agree_with_service_guards(
    who: str, db: Session, personas: Personas, client: TestClient
) -> None:
    actor: Actor = getattr(personas, who)
    today = local_today()
    data = special_service.SpecialData(
        year=today.year,
        title="权限一致性专项检查",
        necessity="核对页面与服务的权限一致。",
        scope="柯城区",
        start_on=today,
        end_on=today,
        item_ids=[item(db).id],
    )
    special = special_service.create_special(db, actor=personas.agency_admin, data=data)
    special_id = special.id
    may_edit = special_service.may_edit_special(actor, special)
    may_review = special_service.may_review_special(actor, special)
    assert (may_edit, may_review) == (who in EDITORS, who in REVIEWERS)
    assert _guard_allows(special_service._check_own_special, actor, special) == may_edit
    html = _page(client, USERNAMES[who], f"/special/{special_id}")
    assert (html is not None and "<h2>办理</h2>" in html) == may_edit
    assert (html is not None and f"/special/{special_id}/legal-review" in html) == may_review
    if may_review:  # the reviewer the page offers the form to is the one the service accepts
        fresh = db.get(SpecialInspection, special_id)
        assert fresh is not None
        special_service.legal_review_special(
            db, special=fresh, actor=actor, passed=True, opinion="合法"
        )
        assert fresh.status == "reviewed"
