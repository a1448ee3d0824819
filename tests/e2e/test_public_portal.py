"""The public portal on a phone (390×844, no sign-in): an enterprise checks the officer at its
door by name and by certificate number, then reads the procedures and the results (#16)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import shot

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_personnel_search_on_a_phone(live_server: str, browser: Browser) -> None:
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    try:
        page.goto(f"{live_server}/public/")
        page.click("a.tile:has-text('执法人员')")
        expect(page.locator("h1")).to_have_text("执法人员公示")
        page.fill("input[name=q]", "张明")
        page.click("form[role=search] button[type=submit]")
        # a name finds every officer whose name contains it; the certificate tells them apart
        card = page.locator("article.personnel", has_text="浙33080220001")
        expect(card).to_have_count(1)
        expect(card).to_contain_text("证件有效")
        expect(card).to_contain_text("衢州市柯城区市场监督管理局")
        # nothing runs off the right edge of the phone
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        shot(page, "90-public-personnel-phone")

        page.fill("input[name=q]", "浙33080230001")
        page.click("form[role=search] button[type=submit]")
        expect(page.locator("article.personnel")).to_have_count(1)
        expect(page.locator("article.personnel")).to_contain_text("李华")

        page.fill("input[name=q]", "王不存在")
        page.click("form[role=search] button[type=submit]")
        expect(page.locator("main")).to_contain_text("没有找到符合条件的持证执法人员")
        shot(page, "91-public-personnel-none")

        twin = page.request.get(f"{live_server}/public/personnel.json?q=张明")
        assert twin.ok and "浙33080220001" in [p["cert_no"] for p in twin.json()["items"]]

        page.goto(f"{live_server}/public/procedures")
        expect(page.locator("h1")).to_have_text("执法流程")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "92-public-procedures-phone")
        page.goto(f"{live_server}/public/results?region=330802")
        expect(page.locator("h1")).to_have_text("检查结果公示")
        shot(page, "93-public-results-phone")
    finally:
        phone.close()
