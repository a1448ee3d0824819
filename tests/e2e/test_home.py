"""Each role's home in a browser (issue #19 item 5): the officer reaches a shown QR in at most
three taps from it on a phone; every role's home is photographed on a desktop and a phone and
never scrolls sideways on the phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import shot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
ROLES = ["kc_scjg_zhang", "kc_scjg_admin", "kc_scjg_fzsh", "kc_sfj", "qiye_demo", "admin"]


def new_page(browser: Browser, viewport: dict[str, int]) -> Page:
    phone = viewport == PHONE
    context = browser.new_context(
        locale="zh-CN",
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,  # type: ignore[arg-type]
    )
    return context.new_page()


def test_officer_from_home_to_a_shown_code_in_at_most_three_taps(
    browser: Browser, live_server: str
) -> None:
    officer = new_page(browser, PHONE)
    sign_in(officer, live_server, "kc_scjg_zhang")  # signing in lands on the home
    expect(officer.locator("h1")).to_have_text("执法人员工作台")
    today = officer.locator(".entry", has_text="今天可检查")
    expect(today.locator(".count")).not_to_have_text("0")
    expect(officer.locator(".entry", has_text="检查中").locator(".count")).not_to_have_text("0")
    taps = 0
    today.locator("a.button", has_text="亮码").first.click()
    taps += 1
    expect(officer.locator("h1")).to_contain_text("行政行为码")
    qr = officer.locator(".qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert taps <= 3
    shot(officer, "home-officer-code-phone")
    officer.context.close()


@pytest.mark.parametrize("username", ROLES)
def test_each_roles_home_on_a_desktop_and_a_phone(
    browser: Browser, live_server: str, username: str
) -> None:
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = new_page(browser, viewport)
        sign_in(page, live_server, username)
        expect(page.locator("h1")).to_contain_text("工作台")
        expect(page.locator(".todo section").first).to_be_visible()
        if viewport == PHONE:
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # every entry links to the page where the work is done, and that page opens
        for href in page.locator(".entry-head").evaluate_all("els => els.map(e => e.href)"):
            assert page.request.get(href).status == 200, href
        shot(page, f"home-{username}-{name}")
        page.context.close()
