"""In a browser: create a task, check it, issue the 行政行为码, scan it as the enterprise."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import shot, sign_in
from wurao.inspections.pages import qr_svg

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
USCC_RE = re.compile(r"\b9[0-9A-HJ-NPQRTUWXY]{17}\b")


def test_issue_a_code_and_scan_it(page: Page, browser: Browser, live_server: str) -> None:
    sign_in(page, live_server, "kc_scjg_admin")
    page.goto(f"{live_server}/registry/enterprises?status=active")
    uscc = USCC_RE.search(page.locator("table").inner_text())
    assert uscc, "the demo city has active enterprises in 柯城区"

    page.click("nav.mainnav >> text=检查任务")
    page.click("text=新建检查任务")
    page.fill("input[name=enterprise_uscc]", uscc.group(0))
    page.select_option("select[name=origin]", "complaint")
    page.fill("input[name=trigger_ref]", "12345-2026-118")
    page.fill("textarea[name=trigger_reason]", "消费者投诉产品标签不符")
    page.locator("input[name=item_codes]").first.check()
    qualified = page.locator("label:has(.badge.ok) input[name=officer_ids]")
    qualified.nth(0).check()
    qualified.nth(1).check()
    shot(page, "20-task-new")
    page.click("button:has-text('创建任务')")
    expect(page.locator("#precheck")).to_contain_text("B1 TWO-OFFICERS")
    task_url = page.url
    expect(page.locator("#precheck .badge.bad")).to_have_count(0)
    shot(page, "21-task-prechecks")

    page.click("button:has-text('申请赋码')")
    expect(page.locator("h1")).to_contain_text("行政行为码")
    url = page.locator(".qr").get_attribute("data-url")
    assert url and url.startswith(f"{live_server}/v/")
    # segno cannot decode; the QR on the page must be exactly the QR of this URL
    raw = page.request.get(page.url).text()
    assert qr_svg(url) in raw
    # shown on an officer's phone, the whole code with its quiet zone fits the screen
    desktop = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    box = page.locator(".qr svg").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "22-code-phone")
    if desktop is not None:
        page.set_viewport_size(desktop)
    page.click("text=打印")
    expect(page.locator("h1")).to_contain_text("行政检查")
    shot(page, "23-code-print")

    # the enterprise scans with a phone, signed in or not
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    scan = phone.new_page()
    scan.goto(url)
    expect(scan.locator("#scan-status")).to_have_attribute("data-status", "valid")
    expect(scan.locator("#scan-status")).to_contain_text("真实有效")
    expect(scan.locator("body")).to_contain_text("执法证号")
    expect(scan.locator("#evaluation")).to_be_visible()
    shot(scan, "24-scan-valid")
    scan.goto(url[:-4] + ("AAAA" if not url.endswith("AAAA") else "BBBB"))
    expect(scan.locator("#scan-status")).to_have_attribute("data-status", "invalid")
    shot(scan, "25-scan-tampered")

    # the agency revokes the code: the same scan now shows one state and no entry grant
    page.goto(task_url)
    page.fill("input[name=reason]", "检查计划调整")
    page.click("button:has-text('撤销此码')")
    expect(page.locator("body")).to_contain_text("已撤销")
    scan.goto(url)
    expect(scan.locator("#scan-status")).to_have_attribute("data-status", "revoked")
    expect(scan.locator("#scan-status")).to_contain_text("已撤销")
    for granted in ("可以进入", "真实有效", "签名真实，且在检查时间窗口内"):
        expect(scan.locator("body")).not_to_contain_text(granted)
    shot(scan, "26-scan-revoked")
    phone.close()
