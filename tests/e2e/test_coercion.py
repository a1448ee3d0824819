"""A seizure in a browser, from the form to its release: the officer registers a 扣押 with two
officers and its property list, the head's approval starts the 30-day clock, the decision is
issued, the goods are released and the 解除决定书 issued; the demo's overdue seizure says
立即解除 on the list and on its page; the list and a measure on a 390×844 phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import shot, sign_in
from tests.e2e.test_inspection_flow import phone
from wurao.core.time import LOCAL_TZ

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _certified_officers(page: Page, n: int = 2) -> None:
    boxes = page.locator("#measure-form fieldset label:not(.unfit) input[name=officer_ids]")
    for i in range(n):
        boxes.nth(i).check()


def test_a_seizure_from_the_form_to_its_release(
    page: Page, browser: Browser, live_server: str
) -> None:
    base = live_server
    sign_in(page, base, "kc_scjg_zhang")
    page.click("nav.mainnav a:has-text('行政强制')")
    page.wait_for_url(f"{base}/coercion")
    expect(page.locator("h1")).to_have_text("行政强制措施")
    shot(page, "95-coercion-list")

    # the demo's overdue seizure: the list filter and its page say release now
    page.select_option("select[name=due]", "overdue")
    page.click("form.filters button[type=submit]")
    expect(page.locator("#measure_list tbody tr").first).to_contain_text("应立即解除")
    page.locator("#measure_list tbody tr a").first.click()
    expect(page.locator("#release-now")).to_contain_text("立即解除")
    shot(page, "95-coercion-overdue")

    # a new 扣押, refused first for one officer only, then with two
    page.goto(f"{base}/coercion/new")
    page.select_option("select[name=kind]", "detention")
    page.fill("input[name=party_name]", "衢州市柯城区某某五金店")
    page.fill("textarea[name=reason]", "当事人销售的电热水壶经抽检不合格，涉嫌销售不合格产品。")
    page.fill("input[name=basis]", "《中华人民共和国产品质量法》第十八条第一款第四项")
    _certified_officers(page, 1)
    page.fill("input[name=item0_description]", "电热水壶")
    page.fill("input[name=item0_identifier]", "DRS-2026-1205")
    page.fill("input[name=item0_quantity]", "60台")
    page.fill("input[name=item0_location]", "店内仓库")
    page.click("#measure-form button[type=submit]")
    expect(page.locator("#err-officer_ids")).to_contain_text("两名以上")
    expect(page.locator("input[name=item0_identifier]")).to_have_value("DRS-2026-1205")
    shot(page, "95-coercion-new-refused")
    _certified_officers(page, 2)
    page.click("#measure-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/coercion/\d+$"))
    expect(page.locator("#measure-state")).to_have_text("待批准")
    measure_url = page.url

    # the head approves: the clock starts
    page.click("#step-approve summary")
    page.fill("#step-approve input[name=approver]", "局长 李建国")
    when = (dt.datetime.now(LOCAL_TZ) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#step-approve input[name=approved_at]", when)
    page.click("#step-approve button[type=submit]")
    expect(page.locator("#measure-state")).to_have_text("实施中")
    expect(page.locator("#clock")).to_contain_text("剩余")
    page.locator("#documents form:has(button:has-text('出具'))").first.locator("button").click()
    expect(page.locator("#documents")).to_contain_text("查扣字")
    shot(page, "95-coercion-in-force")

    # released
    page.click("#step-release summary")
    page.fill("#step-release textarea[name=reason]", "复检合格，与违法行为无关")
    page.click("#step-release button[type=submit]")
    expect(page.locator("#measure-state")).to_have_text("已解除")
    expect(page.locator("#documents")).to_contain_text("解除查封（扣押）决定书")
    page.locator("#documents li:has-text('解除') button").click()
    expect(page.locator("#documents li:has-text('解除')")).to_contain_text("解除字")
    shot(page, "95-coercion-released")

    mobile = phone(browser)
    sign_in(mobile, base, "kc_scjg_zhang")
    mobile.goto(f"{base}/coercion")
    shot(mobile, "95-coercion-list-phone")
    mobile.goto(measure_url)
    expect(mobile.locator("#measure-state")).to_have_text("已解除")
    width = mobile.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the measure page is {width}px wide on a 390px phone"
    shot(mobile, "95-coercion-measure-phone")
    mobile.context.close()
