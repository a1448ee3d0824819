"""Sign-in, the role's home page and navigation, on a desktop and on a phone screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import shot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_supervisor_signs_in_and_reaches_home(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/admin/users")
    expect(page).to_have_url(f"{live_server}/login?next=/admin/users")
    shot(page, "01-login")
    sign_in(page, live_server, "kc_sfj")
    expect(page.locator("h1")).to_have_text("执法监督机构工作台")
    expect(page.locator(".facts")).to_contain_text("浙江省衢州市柯城区")
    expect(page.locator(".flash-success")).to_contain_text("欢迎")
    shot(page, "02-home-supervisor")
    page.click("nav.mainnav >> text=账号")
    expect(page.locator("table")).to_contain_text("kc_scjg_zhang")
    expect(page.locator("table")).not_to_contain_text("qj_sfj")
    page.click("nav.mainnav >> text=审计日志")
    page.click("text=校验哈希链")
    expect(page.locator("#verify_result")).to_contain_text("哈希链完整")
    shot(page, "03-audit-verified")


def test_wrong_password_is_explained_in_chinese(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "kc_scjg_zhang")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    expect(page.locator(".flash-error")).to_contain_text("用户名或密码错误")


def test_officer_home_on_a_phone(browser: Browser, live_server: str) -> None:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    sign_in(page, live_server, "kc_scjg_zhang")
    expect(page.locator("h1")).to_have_text("执法人员工作台")
    expect(page.locator(".facts")).to_contain_text("衢州市柯城区市场监督管理局")
    shot(page, "04-home-officer-phone")
    page.click("label.navbutton")
    expect(page.locator("nav.mainnav")).to_be_visible()
    # An officer has no account administration: the server says so in Chinese.
    page.goto(f"{live_server}/admin/audit")
    expect(page.locator(".error-page")).to_contain_text("无权访问")
    context.close()
