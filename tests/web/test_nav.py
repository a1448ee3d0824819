"""The top navigation shows each role only what it may open: every entry answers, and the
system administrator is offered no enterprise pages (they would answer 403)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import sign_in
from wurao.auth.permissions import Permission, Role
from wurao.auth.scope import Actor
from wurao.web.nav import nav_for


def _actor(role: Role) -> Actor:
    return Actor(user_id=1, username="x", display_name="x", role=role, region_code="330802")


def test_the_sysadmin_is_not_offered_the_enterprise_portal() -> None:
    admin = _actor(Role.SYSADMIN)
    hrefs = {item.href for item in nav_for(admin)}
    assert "/enterprise/inspections" not in hrefs and "/enterprise/cases" not in hrefs
    assert not admin.can(Permission.ENTERPRISE_PORTAL)
    assert "/admin/users" in hrefs and "/cases" in hrefs


def test_the_enterprise_sees_its_own_pages_only() -> None:
    hrefs = {item.href for item in nav_for(_actor(Role.ENTERPRISE))}
    assert {"/enterprise/inspections", "/enterprise/cases"} <= hrefs
    assert "/cases" not in hrefs and "/oversight/clues" not in hrefs


@pytest.mark.parametrize(
    "username",
    ["admin", "kc_sfj", "kc_scjg_admin", "kc_scjg_zhang", "kc_scjg_fzsh", "qiye_demo"],
)
def test_every_entry_a_persona_is_offered_opens(client: TestClient, username: str) -> None:
    sign_in(client, username)
    home = client.get("/")
    nav = home.text.split('<nav class="mainnav">', 1)[1].split("</nav>", 1)[0]
    hrefs = re.findall(r'href="(/[^"]*)"', nav)
    assert hrefs, username
    refused = {h: client.get(h).status_code for h in hrefs}
    assert {h: c for h, c in refused.items() if c != 200} == {}, username
