"""Plans in a browser: draft → approval → publication, then find it on the public portal."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import shot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_plan_from_draft_to_public_portal(page: Page, live_server: str, browser: Browser) -> None:
    year = dt.date.today().year
    sign_in(page, live_server, "kc_scjg_admin")
    page.click("nav.mainnav >> text=检查计划")
    expect(page.locator("h1")).to_contain_text("年度行政检查计划")
    page.fill("input[name=title]", "柯城区市场监管局浏览器测试年度检查计划")
    page.fill("input[name=year]", str(year))
    page.click("text=新建计划草稿")
    expect(page.locator(".flash-success")).to_contain_text("草稿")
    form = page.locator("#entry-form")
    form.locator("select[name=item_id]").select_option(index=0)
    form.locator("select[name=method]").select_option("onsite")
    form.locator("select[name=selection]").select_option("dss")
    form.locator("input[name=scope_credit]").fill("C,D")
    form.locator("input[name=planned_count]").fill("30")
    form.locator("input[name=months]").fill("3-5")
    form.locator("button[type=submit]").click()
    expect(page.locator("#entries tbody tr")).to_have_count(1)
    expect(page.locator("#entries")).to_contain_text("双随机抽查")
    shot(page, "30-plan-draft")
    page.click("button[value=submit]")
    expect(page.locator("#plan-status")).to_have_text("已提交待批准")
    page.fill("input[name=head_name]", "陈局长")
    page.click("button[value=approve]")
    expect(page.locator("#plan-status")).to_have_text("负责人已批准")
    page.click("button[value=publish]")
    expect(page.locator("#plan-status")).to_have_text("已公布")
    page.click("button[value=file]")
    expect(page.locator(".flash-success")).to_contain_text("备案")
    shot(page, "31-plan-published")

    # the public portal, on a phone, without signing in
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    anon = phone.new_page()
    try:
        anon.goto(f"{live_server}/public")
        expect(anon.locator("h1")).to_have_text("涉企行政执法公示")
        anon.select_option("select[name=region]", "330802")
        anon.click("text=选择地区")
        shot(anon, "32-public-home")
        anon.click("text=年度行政检查计划")
        anon.fill("input[name=q]", "浏览器测试")
        anon.click("button:has-text('查询')")
        expect(anon.locator("article")).to_have_count(1)
        expect(anon.locator("article")).to_contain_text("衢州市柯城区市场监督管理局")
        shot(anon, "33-public-plans")
        anon.click("text=柯城区市场监管局浏览器测试年度检查计划")
        expect(anon.locator("h1")).to_have_text("柯城区市场监管局浏览器测试年度检查计划")
        expect(anon.locator("main")).to_contain_text("3、4、5月")
        expect(anon.locator("main")).to_contain_text("已报备待审核")
        shot(anon, "34-public-plan-detail")
    finally:
        phone.close()

    # the supervisor accepts the filing
    page.context.clear_cookies()
    sign_in(page, live_server, "kc_sfj")
    page.goto(f"{live_server}/plans?q=浏览器测试")
    page.click("text=柯城区市场监管局浏览器测试年度检查计划")
    page.click("button[value=accept]")
    expect(page.locator("#plan-status")).to_have_text("已公布并备案")
    shot(page, "35-plan-filed")
