"""Issue 19, "Measured": task taps from each role's home on the demo data, in Debian's chromium.

What counts as a tap: every click on a link, button, radio button or checkbox the user makes.
Typing into a field (a name, a date, a finding) is not a tap, and neither is signing in. Each
flow asserts its bound and saves screenshots next to the other browser tests' pictures
(tests/e2e/screenshots).

- officer, 390×844 phone: home → a shown QR ≤ 3 taps;
- officer, phone: home → a finished record with one 不符合 line ≤ 15 taps;
- supervisor, 1366×768 desktop: home → a sent 风险提示函 ≤ 3 taps.
(The agency admin's plan entry → requested code ≤ 5 is tests/e2e/test_pickers.py.)
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import shot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


class Taps:
    """Clicks made on a page, counted."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, target: Locator) -> None:
        target.click()
        self.count += 1


def _page(browser: Browser, viewport: dict[str, int]) -> Page:
    phone = viewport == PHONE
    context = browser.new_context(
        locale="zh-CN",
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,  # type: ignore[arg-type]
    )
    return context.new_page()


def test_officer_shows_the_code_then_records_an_inspection_to_the_end(
    browser: Browser, live_server: str
) -> None:
    officer = _page(browser, PHONE)
    sign_in(officer, live_server, "kc_scjg_zhang")  # lands on his home
    shot(officer, "taps-officer-home-phone")
    today = officer.locator(".entry", has_text="今天可检查")
    expect(today.locator(".count")).not_to_have_text("0")

    # 1. home → a shown QR
    tap = Taps()
    tap(today.locator("a.button", has_text="亮码").first)
    qr = officer.locator(".qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert tap.count <= 3, tap.count
    shot(officer, "taps-officer-code-phone")

    # 2. the record, from the same home: the code is shown, then 开始检查 on the code page
    officer.goto(f"{live_server}/")
    tap = Taps()
    tap(today.locator("a.button", has_text="亮码").first)
    tap(officer.locator("#start-record button"))
    expect(officer.locator("h1")).to_have_text("现场检查笔录")
    tap(officer.locator("input[name=ids_shown]"))
    officer.fill("input[name=present_person]", "王经理（负责人）")  # typed
    lines = officer.locator(".line")
    assert lines.count() >= 1
    for n in range(lines.count()):
        answer = "fail" if n == 0 else "ok"
        tap(lines.nth(n).locator(f"input[type=radio][value={answer}]"))
    officer.fill("textarea[name=findings]", "第1项不符合：生产场所卫生条件不达标。")  # typed
    tap(officer.locator("input[name=outcome][value=rectify]"))
    deadline = dt.date.today() + dt.timedelta(days=15)
    officer.fill("input[name=rectify_deadline]", deadline.isoformat())  # typed
    tap(officer.locator("button.primary", has_text="保存"))
    expect(officer.locator("#finish .violations")).to_have_count(0)
    shot(officer, "taps-officer-record-saved-phone")
    boxes = officer.locator("#finish input[type=checkbox]")
    for n in range(boxes.count()):
        tap(boxes.nth(n))
    tap(officer.locator("#finish button", has_text="完成检查"))
    expect(officer.locator(".flash-success")).to_contain_text("检查已完成")
    assert officer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(officer, "taps-officer-record-finished-phone")
    assert tap.count <= 15, tap.count
    officer.context.close()


def test_supervisor_sends_a_risk_notice_from_his_home(browser: Browser, live_server: str) -> None:
    supervisor = _page(browser, DESKTOP)
    sign_in(supervisor, live_server, "kc_sfj")
    shot(supervisor, "taps-supervisor-home-desktop")
    tap = Taps()
    tap(supervisor.locator(".entry", has_text="新预警").locator("a.entry-head"))
    expect(supervisor.locator("h1")).to_have_text("监督预警")
    # the list says which alerts allow a 风险提示函 (issue 19 item 6)
    offer = supervisor.locator("#alert_list a", has_text="可发风险提示函")
    expect(offer.first).to_be_visible()
    shot(supervisor, "taps-supervisor-alerts-desktop")
    tap(offer.first)
    tap(supervisor.locator("button", has_text="生成并发送风险提示函"))
    expect(supervisor.locator(".flash-success")).to_contain_text("风险提示函")
    expect(supervisor.locator("a", has_text="下载风险提示函")).to_be_visible()
    shot(supervisor, "taps-supervisor-notice-sent-desktop")
    assert tap.count <= 3, tap.count
    supervisor.context.close()
