"""A penalty case in a browser, from an inspection referred for a case to its close: the
officer opens and files it, adds evidence, serves the notice, records the defence and sends it
for review; the reviewer passes it; the officer decides with reasons, serves the decision,
records the payment against its reference and closes the case. Each step's form is
photographed on a desktop, the decision also on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import shot, sign_in
from tests.e2e.test_inspection_flow import complaint_task, phone
from wurao.core.time import local_today

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
# Provisions of this test only, so that D19 (one fine per act) never meets a demo case.
PROVISIONS = "《中华人民共和国特种设备安全法》第四十条第三款（端到端测试）"
REASONS = (
    "经查，当事人使用未经定期检验的电梯一台，有现场检查笔录、检验报告为证。"
    "当事人系初次违法且积极整改，依据裁量基准在法定幅度内从轻处罚。"
)


def _record_referred_for_a_case(page: Page, browser: Browser, base: str) -> str:
    """An inspection of the demo enterprise whose record ends in 移送立案; the case link."""
    task_id = complaint_task(page, base, "12345-2026-3001", "群众反映电梯未按期检验")
    page.click("button:has-text('申请赋码')")
    page.context.close()

    officer = phone(browser)
    sign_in(officer, base, "kc_scjg_zhang")
    officer.goto(f"{base}/tasks/{task_id}/record")
    officer.click("button:has-text('开始检查')")
    officer.check("input[name=ids_shown]")
    officer.fill("input[name=present_person]", "王经理（安全主管）")
    radios = officer.locator("input[type=radio][value=fail]")
    radios.first.check()
    for radio in officer.locator("input[type=radio][value=ok]").all()[1:]:
        radio.check()
    officer.fill("textarea[name=findings]", "电梯一台超过检验有效期仍在使用。")
    officer.check("input[name=outcome][value=case]")
    officer.click("button:has-text('保存')")
    for box in officer.locator("input[type=checkbox][name^=attest_]").all():
        box.check()
    officer.click("button:has-text('完成检查')")
    link = officer.locator("a[href^='/cases/new?record_id=']")
    expect(link).to_have_count(1)
    href = link.get_attribute("href")
    officer.context.close()
    assert href
    return href


def _open(page: Page, base: str, case_id: str, action: str) -> None:
    """Open a step's form; what the law requires of the step is shown above it."""
    page.goto(f"{base}/cases/{case_id}/act/{action}")
    expect(page.locator("#law")).to_be_visible()


def _submit(page: Page, case_id: str, name: str) -> None:
    """Photograph the filled form, submit it and land on the case page."""
    shot(page, name)
    page.click("#act-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/cases/{case_id}$"))


def test_a_case_from_the_record_to_its_close(
    page: Page, browser: Browser, live_server: str
) -> None:
    base = live_server
    href = _record_referred_for_a_case(page, browser, base)

    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    officer = desk.new_page()
    sign_in(officer, base, "kc_scjg_zhang")
    officer.goto(f"{base}{href}")
    today = local_today().isoformat()  # the server's day (China time), as its forms default
    for name in ("act_on", "found_on"):
        officer.fill(f"input[name={name}]", today)
    officer.fill("textarea[name=provisions_breached]", PROVISIONS)
    officer.fill("textarea[name=provisions_applied]", PROVISIONS)
    officer.click("button:has-text('登记案件')")
    opened = re.search(r"/cases/(\d+)$", officer.url)
    assert opened, officer.url
    cid = opened.group(1)

    # 立案: the form names D1, B1/A2 and D2 above the date, which defaults to today
    _open(officer, base, cid, "file")
    expect(officer.locator("#law")).to_contain_text("D1 LIMITATION")
    expect(officer.locator("input[name=on]")).to_have_value(today)
    _submit(officer, cid, "80-case-file")
    expect(officer.locator("body")).to_contain_text("已办理：立案")

    # evidence: a recording kept on the body camera's store, by its SHA-256
    _open(officer, base, cid, "evidence")
    officer.fill("input[name=filename]", "执法记录仪视频")
    officer.fill("input[name=sha256]", "ab" * 32)
    officer.fill("input[name=uri]", "nas://dv/2026/1205-01.mp4")
    officer.fill("textarea[name=description]", "证明电梯超期使用")
    _submit(officer, cid, "81-case-evidence")

    # 告知: an amount with too many decimals comes back beside the field, kept as typed
    _open(officer, base, cid, "notify")
    officer.check("input[name=kinds][value=fine]")
    officer.fill("input[name=fine]", "5000.555")
    officer.click("#act-form button[type=submit]")
    expect(officer.locator("#err-fine")).to_contain_text("两位小数")
    expect(officer.locator("input[name=fine]")).to_have_value("5000.555")
    expect(officer.locator("input[name=kinds][value=fine]")).to_be_checked()
    shot(officer, "82-case-notify-error")
    officer.fill("input[name=fine]", "5000")
    officer.click("#act-form button[type=submit]")
    officer.wait_for_url(re.compile(rf"/cases/{cid}$"))

    _open(officer, base, cid, "defence")
    officer.fill("textarea[name=note]", "当事人称系初次违法，已停用电梯并申请检验；意见部分采纳。")
    _submit(officer, cid, "83-case-defence")
    _open(officer, base, cid, "send_review")
    _submit(officer, cid, "84-case-send-review")

    # 法制审核 by the subject's reviewer
    checker = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    reviewer = checker.new_page()
    sign_in(reviewer, base, "kc_scjg_fzsh")
    _open(reviewer, base, cid, "review_pass")
    expect(reviewer.locator("#so-far")).to_contain_text("电梯")
    reviewer.fill("textarea[name=opinion]", "事实清楚，证据确凿，程序合法，适用依据正确，同意。")
    _submit(reviewer, cid, "85-case-review")
    checker.close()

    # 决定: the case so far above the form, which starts from the notice's proposal
    _open(officer, base, cid, "decide")
    expect(officer.locator("#so-far")).to_contain_text("罚款5,000元")
    expect(officer.locator("input[name=fine]")).to_have_value("5000")
    officer.fill("textarea[name=reasons]", REASONS)
    mobile = phone(browser)
    sign_in(mobile, base, "kc_scjg_zhang")
    _open(mobile, base, cid, "decide")
    expect(mobile.locator("#act-form")).to_be_visible()
    shot(mobile, "86-case-decide-phone")
    mobile.context.close()
    _submit(officer, cid, "87-case-decide")

    _open(officer, base, cid, "serve")
    officer.select_option("select[name=how]", "direct")
    _submit(officer, cid, "88-case-serve")

    _open(officer, base, cid, "pay")
    expect(officer.locator("input[name=amount]")).to_have_value("5000")
    officer.fill("input[name=payment_ref]", "33080226120500001")
    _submit(officer, cid, "89-case-pay")

    _open(officer, base, cid, "close")
    officer.fill("textarea[name=note]", "罚款已缴清，案卷归档。")
    _submit(officer, cid, "90-case-close")
    expect(officer.locator("body")).to_contain_text("已结案")
    shot(officer, "91-case-closed")
    desk.close()
