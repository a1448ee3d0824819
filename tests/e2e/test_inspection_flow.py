"""The main line in a browser: a code is issued, the enterprise scans it, the officer
completes the record on a phone, and the enterprise rates the inspection."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import shot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
DEMO_USCC = "91330802MA2A00001N"  # 衢州示例制造有限公司, the enterprise persona


def phone(browser: Browser) -> Page:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    return context.new_page()


def complaint_task(page: Page, base: str, ref: str, reason: str) -> int:
    """As the agency's admin, a complaint-triggered task of the demo enterprise with 张明 and a
    certified colleague; the page is left on the new task."""
    sign_in(page, base, "kc_scjg_admin")
    page.goto(f"{base}/tasks/new")
    page.fill("input[name=enterprise_uscc]", DEMO_USCC)
    page.select_option("select[name=origin]", "complaint")
    page.fill("input[name=trigger_ref]", ref)
    page.fill("textarea[name=trigger_reason]", reason)
    page.locator("input[name=item_codes]").first.check()
    page.locator("label:has-text('张明') input[name=officer_ids]").check()
    page.locator(
        "label:has(.badge.ok):not(:has-text('张明')) input[name=officer_ids]"
    ).first.check()
    page.click("button:has-text('创建任务')")
    task = re.search(r"/tasks/(\d+)", page.url)
    assert task, page.url
    return int(task.group(1))


def test_code_scan_record_and_rating(page: Page, browser: Browser, live_server: str) -> None:
    # The agency creates a complaint-triggered task with 张明 and a colleague, and gets a code.
    task_id = complaint_task(page, live_server, "12345-2026-2001", "群众反映特种设备未按期检验")
    expect(page.locator("#precheck .badge.bad")).to_have_count(0)
    page.click("button:has-text('申请赋码')")
    url = page.locator(".qr").get_attribute("data-url")
    assert url

    # The enterprise scans the code with its phone, without signing in.
    scan = phone(browser)
    scan.goto(url)
    expect(scan.locator("#scan-status")).to_have_attribute("data-status", "valid")
    expect(scan.locator("body")).to_contain_text("张明")
    shot(scan, "50-flow-scan")

    # The officer 张明 fills the record on his phone.
    officer = phone(browser)
    sign_in(officer, live_server, "kc_scjg_zhang")
    officer.goto(f"{live_server}/tasks/{task_id}/record")
    officer.click("button:has-text('开始检查')")
    officer.check("input[name=ids_shown]")
    officer.fill("input[name=present_person]", "王经理（安全主管）")
    for radio in officer.locator("input[type=radio][value=ok]").all():
        radio.check()
    officer.check("input[name=outcome][value=none]")
    officer.click("button:has-text('保存')")
    for box in officer.locator("input[type=checkbox][name^=attest_]").all():
        box.check()
    shot(officer, "51-flow-record")
    officer.click("button:has-text('完成检查')")
    expect(officer.locator("body")).to_contain_text("已完成")
    shot(officer, "52-flow-record-done")

    # The scan page now says the code has been used.
    scan.goto(url)
    expect(scan.locator("#scan-status")).to_have_attribute("data-status", "used")

    # The enterprise signs in, finds the inspection and rates it once.
    firm = phone(browser)
    sign_in(firm, live_server, "qiye_demo")
    firm.goto(f"{live_server}/enterprise/inspections")
    expect(firm.locator("body")).to_contain_text("张明")
    firm.click("button:has-text('评价本次检查')")
    firm.click("a[href*='/evaluate/']")
    firm.check("input[name=rating][value='5']")
    firm.fill("textarea[name=comment]", "检查规范，出示了行政行为码，未影响生产。")
    shot(firm, "53-flow-evaluate")
    firm.click("button[type=submit]:has-text('提交')")
    expect(firm.locator("body")).to_contain_text("感谢")
    shot(firm, "54-flow-evaluated")
