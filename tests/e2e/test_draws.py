"""A 双随机 draw in a browser: define, freeze (commit), draw (reveal), then the public page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import shot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_define_freeze_draw_and_publish(page: Page, live_server: str) -> None:
    today = dt.date.today()
    sign_in(page, live_server, "kc_scjg_admin")
    page.click("nav.mainnav >> text=双随机")
    expect(page.locator("h1")).to_contain_text("双随机抽查")
    page.click("text=定义抽查")
    page.fill("input[name=title]", "浏览器测试双随机抽查")
    page.locator("input[name=item_ids]").first.check()
    page.uncheck("input[name=class_C]")
    page.uncheck("input[name=class_D]")
    page.fill("input[name=window_start]", (today + dt.timedelta(days=1)).isoformat())
    page.fill("input[name=window_end]", (today + dt.timedelta(days=20)).isoformat())
    page.fill("input[name=officer_cap]", "500")
    shot(page, "40-draw-form")
    page.click("text=保存并预览名录库")
    expect(page.locator("h1")).to_contain_text("浏览器测试双随机抽查")
    expect(page.locator("body")).to_contain_text("名录库预览")
    page.click("text=冻结名录库并承诺种子")
    expect(page.locator("body")).to_contain_text("种子承诺值")
    expect(page.locator("body")).to_contain_text("抽取时公开")
    shot(page, "41-draw-frozen")
    page.click("text=公开种子并抽取")
    expect(page.locator("h1")).to_contain_text("确认抽取")  # the count before any task exists
    page.click("text=确认抽取并生成")
    expect(page.locator("body")).to_contain_text("抽取结果与人员分配")
    shot(page, "42-draw-drawn")
    page.click("text=公示页面")
    expect(page.locator("body")).to_contain_text("抽中企业")
    expect(page.locator("a[href$='artefacts.json']")).to_be_visible()
    shot(page, "43-draw-public")
