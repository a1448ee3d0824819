"""Issue 19: the agency admin goes from a plan entry to a requested code in ≤ 5 clicks, with no
typed id — the plan page's 创建检查任务 opens the new-task form prefilled from the entry."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import shot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
TARGET = "91330802MA2MX7F485"  # 衢州市柯城区博远酒业有限公司 (demo registry, no tasks)
TITLE = "柯城区市场监管局来年定向检查计划"


def _published_plan(page: Page, base: str) -> str:
    """Set-up, not counted: next year's plan (this year's belongs to test_plans, and a subject
    has one plan a year) with one entry naming one enterprise in January, approved and
    published — as a December publication of next year's plan would be. Returns its URL."""
    page.click("nav.mainnav >> text=检查计划")
    page.fill("input[name=title]", TITLE)
    page.fill("input[name=year]", str(dt.date.today().year + 1))
    page.click("text=新建计划草稿")
    form = page.locator("#entry-form")
    form.locator("select[name=item_id]").select_option(index=0)
    form.locator("select[name=method]").select_option("onsite")
    form.locator("select[name=selection]").select_option("targeted")
    form.locator("input[name=planned_count]").fill("1")
    form.locator("input[name=months]").fill("1")
    form.locator("textarea[name=targets]").fill(TARGET)
    form.locator("button[type=submit]").click()
    expect(page.locator("#entries tbody tr")).to_have_count(1)
    page.click("button[value=submit]")
    page.fill("input[name=head_name]", "陈局长")
    page.click("button[value=approve]")
    page.click("button[value=publish]")
    expect(page.locator("#plan-status")).to_have_text("已公布")
    return page.url


def _reviewed_officers(page: Page, base: str) -> None:
    """Set-up, not counted: the January task needs officers reviewed for this year (A2), so
    the first two officers qualified today get this year's annual review recorded."""
    page.goto(f"{base}/tasks/new")
    boxes = page.locator("label:has(.badge.ok) input[name=officer_ids]")
    ids = [boxes.nth(n).get_attribute("value") for n in range(2)]
    for officer_id in ids:
        page.goto(f"{base}/registry/officers/{officer_id}")
        page.fill("input[name=year]", str(dt.date.today().year))
        page.select_option("select[name=result]", "passed")
        page.click("button:has-text('记录')")


def _from_entry_to_code(page: Page, plan_url: str) -> int:
    """From the plan page, count the clicks to a requested code."""
    page.goto(plan_url)
    clicks = 0

    def click(target: str) -> None:
        nonlocal clicks
        page.locator(target).first.click()
        clicks += 1

    row = page.locator("#entries tbody tr").first
    expect(row.locator(".entry-no")).to_have_text(re.compile(r"^\d+$"))  # the entry number
    click("#entries a:has-text('创建检查任务')")
    expect(page.locator("h1")).to_have_text("新建检查任务")
    expect(page.locator("input[name=enterprise_uscc]")).to_have_value(TARGET)
    expect(page.locator("input[name=plan_entry_id]:checked")).to_have_count(1)
    expect(page.locator("input[name=item_codes]:checked")).to_have_count(1)
    click("label:has(.badge.ok) input[name=officer_ids] >> nth=0")
    click("label:has(.badge.ok) input[name=officer_ids] >> nth=1")
    click("button:has-text('创建任务')")
    expect(page.locator("#precheck .badge.bad")).to_have_count(0)
    click("button:has-text('申请赋码')")
    expect(page.locator(".qr")).to_have_count(1)
    return clicks


def test_plan_entry_to_requested_code(browser: Browser, live_server: str) -> None:
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    admin = desk.new_page()
    try:
        sign_in(admin, live_server, "kc_scjg_admin")
        plan_url = _published_plan(admin, live_server)
        _reviewed_officers(admin, live_server)
        admin.goto(plan_url)
        shot(admin, "19-pickers-plan-entries-desktop")
        admin.goto(f"{live_server}/tasks/new?origin=plan")
        shot(admin, "19-pickers-task-form-desktop")
        assert _from_entry_to_code(admin, plan_url) <= 5
        shot(admin, "19-pickers-code-desktop")
    finally:
        desk.close()

    # the same form on a phone: the picker fits, and searching narrows it
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    mobile = phone.new_page()
    try:
        sign_in(mobile, live_server, "kc_scjg_admin")
        mobile.goto(plan_url)
        shot(mobile, "19-pickers-plan-entries-phone")
        mobile.locator("#entries a:has-text('创建检查任务')").first.click()
        expect(mobile.locator(".picker-list")).to_contain_text(TITLE)
        width = mobile.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        shot(mobile, "19-pickers-task-form-phone")
        mobile.fill("input[name=origin_q]", "没有这个计划")
        expect(mobile.locator("#origin-list")).to_contain_text("没有已公布")
        mobile.fill("input[name=origin_q]", "来年定向")
        expect(mobile.locator("#origin-list")).to_contain_text(TITLE)
        mobile.select_option("select[name=origin]", "special")
        expect(mobile.locator("#origin-list")).not_to_contain_text(TITLE)
    finally:
        phone.close()
