"""The draw form in a browser (issue 19 item 3): laid out for a phone and a desktop, a refused
definition kept with the error beside its field, the preview's overload warning holding the
freeze until an override with a reason, and the confirmation before the tasks are created."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import shot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _next_weekday(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)  # fmt: skip
    p = context.new_page()
    yield p
    context.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    p = context.new_page()
    yield p
    context.close()


def test_draw_form_on_a_phone_keeps_input_and_shows_the_error_beside_the_field(
    phone: Page, live_server: str
) -> None:
    today = dt.date.today()
    sign_in(phone, live_server, "kc_scjg_admin")
    phone.goto(f"{live_server}/draws/new")
    expect(phone.locator("h1")).to_contain_text("定义双随机抽查")
    # the name comes first; nothing scrolls sideways
    title_box = phone.locator("input[name=title]").bounding_box()
    items_box = phone.locator("#item-list").bounding_box()
    assert title_box and items_box and title_box["y"] < items_box["y"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # a checkbox sits beside its label, not above it
    first = phone.locator("#item-list label.check").first
    box, text = first.locator("input").bounding_box(), first.locator("span").bounding_box()
    assert box and text and box["x"] < text["x"] and abs(box["y"] - text["y"]) < 12
    shot(phone, "50-draw-form-phone")
    phone.fill("input[name=title]", "手机上输入的抽查名称")
    phone.locator("#item-list input[name=item_ids]").first.check()
    phone.fill("input[name=window_start]", (today + dt.timedelta(days=10)).isoformat())
    phone.fill("input[name=window_end]", (today + dt.timedelta(days=2)).isoformat())
    phone.click("text=保存并预览名录库")
    expect(phone.locator("#err-window_end")).to_contain_text("结束日期不能早于开始日期")
    expect(phone.locator("input[name=title]")).to_have_value("手机上输入的抽查名称")
    expect(phone.locator("#item-list input[name=item_ids]").first).to_be_checked()
    phone.locator("#err-window_end").scroll_into_view_if_needed()
    shot(phone, "51-draw-form-error-phone")


def test_overloaded_draw_needs_an_override_and_tasks_need_a_confirmation(
    desktop: Page, live_server: str
) -> None:
    page = desktop
    day = _next_weekday(dt.date.today())
    sign_in(page, live_server, "kc_scjg_admin")
    page.goto(f"{live_server}/draws/new")
    items = page.locator("#item-list label.check")
    total = items.count()
    page.fill("input[data-filter-list]", "zzzz-不存在的事项")
    expect(page.locator("#item-list label.check:visible")).to_have_count(0)
    page.fill("input[data-filter-list]", "")
    expect(page.locator("#item-list label.check:visible")).to_have_count(total)
    page.fill("input[name=title]", "负荷过重的双随机抽查")
    items.first.locator("input").check()
    page.fill("input[name=window_start]", day.isoformat())
    page.fill("input[name=window_end]", day.isoformat())
    page.fill("input[name=officer_cap]", "5000")
    shot(page, "52-draw-form-desktop")
    page.click("text=保存并预览名录库")
    expect(page.locator("h1")).to_contain_text("负荷过重的双随机抽查")
    feas = page.locator("#feasibility")
    expect(feas).to_contain_text("将生成")
    expect(feas).to_contain_text("负荷过重")
    button = page.locator("button[data-freeze]")
    expect(button).to_be_disabled()
    shot(page, "53-draw-preview-overload")
    page.check("input[data-override]")
    expect(button).to_be_disabled()  # a reason is still missing
    page.fill("textarea[data-override-reason]", "专项整治，全局人员集中一日完成")
    expect(button).to_be_enabled()
    button.click()
    expect(page.locator("body")).to_contain_text("种子承诺值")
    page.click("text=公开种子并抽取")
    expect(page.locator("h1")).to_contain_text("确认抽取")
    expect(page.locator("#confirm")).to_contain_text("个检查任务")
    shot(page, "54-draw-confirm")
    page.click("text=确认抽取并生成")
    expect(page.locator("body")).to_contain_text("抽取结果与人员分配")
    shot(page, "55-draw-drawn")
