"""登记案件 refused on a 390px phone (issue 19 item 2): the form comes back on its own page with
the party picked through the search, the officers ticked and the facts as typed, the error
beside the date it is about, and nothing wider than the screen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import shot, sign_in
from tests.e2e.test_inspection_flow import DEMO_USCC, phone

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
FACTS = "当事人销售过期食品八件，货值三百二十元。"


def test_a_refused_opening_comes_back_in_place_on_a_phone(
    browser: Browser, live_server: str
) -> None:
    page = phone(browser)
    try:
        sign_in(page, live_server, "kc_scjg_zhang")
        page.goto(f"{live_server}/cases/new")
        page.fill("#party input[name=q]", DEMO_USCC)  # the party is picked, not typed
        party = page.locator("#party-list input[name=enterprise_id]")
        expect(party).to_have_count(1)
        party.check()
        officers = page.locator("input[name=officer_ids]")
        officers.nth(0).check()
        officers.nth(1).check()
        page.fill("input[name=act_on]", "2026-11-26")  # after its discovery: refused
        page.fill("input[name=found_on]", "2026-11-25")
        page.fill("textarea[name=facts]", FACTS)
        page.click("button:has-text('登记案件')")

        expect(page.locator("#refused")).to_contain_text("未保存")
        expect(page.locator("#err-found_on")).to_contain_text("线索发现日期应在违法行为发生之后")
        assert re.search(r"/cases/new$", page.url), page.url  # no case page: nothing saved
        expect(page.locator("#field-found_on input")).to_have_value("2026-11-25")
        expect(page.locator("#field-act_on input")).to_have_value("2026-11-26")
        expect(page.locator("textarea[name=facts]")).to_have_value(FACTS)
        expect(page.locator("#party-list input[name=enterprise_id]:checked")).to_have_count(1)
        expect(page.locator("input[name=officer_ids]:checked")).to_have_count(2)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator("#field-found_on").scroll_into_view_if_needed()
        shot(page, "case-open-refused")
    finally:
        page.context.close()
