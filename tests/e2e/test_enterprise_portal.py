"""The enterprise's one-stop view on a phone (390×844): 检查预告 with the officers and the
checklist, a date request the subject accepts, the enterprise's QR scanned on arrival, an
inspection ending in 责令整改, proof uploaded and accepted."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import shot, sign_in
from tests.e2e.test_inspection_flow import complaint_task, phone

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_notice_to_rectification_accepted(page: Page, browser: Browser, live_server: str) -> None:
    base = live_server
    task_id = complaint_task(page, base, "12345-2026-3001", "群众反映从业人员无健康证")
    page.click("button:has-text('申请赋码')")
    expect(page.locator(".qr")).to_be_visible()

    # 检查预告: the enterprise sees who comes, their certificates and what to prepare.
    firm = phone(browser)
    sign_in(firm, base, "qiye_demo")
    firm.goto(f"{base}/enterprise")
    expect(firm.locator("#coming")).to_contain_text("柯城区市场监督管理局")
    shot(firm, "enterprise-01-portal")
    firm.goto(f"{base}/enterprise/notices/{task_id}")
    expect(firm.locator("#officers")).to_contain_text("张明")
    expect(firm.locator("#officers")).to_contain_text("执法证号")
    expect(firm.locator("#items li").first).to_be_visible()
    day = firm.locator("input[name=wanted_on]").get_attribute("max")
    assert day
    firm.fill("input[name=wanted_on]", day)
    firm.fill("textarea[name=reason]", "当天设备检修，负责人不在厂")
    shot(firm, "enterprise-02-notice")
    firm.click("button:has-text('提交改期申请')")
    expect(firm.locator("#date-request")).to_contain_text("待答复")

    # The subject accepts; the planned day moves inside the window.
    agency = phone(browser)
    sign_in(agency, base, "kc_scjg_admin")
    agency.goto(f"{base}/inspections/date-requests")
    expect(agency.locator("body")).to_contain_text("当天设备检修")
    shot(agency, "enterprise-03-agency-date-requests")
    agency.locator("section.card", has_text="当天设备检修").locator(
        "button:has-text('同意改期')"
    ).click()
    firm.goto(f"{base}/enterprise/notices/{task_id}")
    expect(firm.locator("#planned")).to_contain_text(day)
    expect(firm.locator("#date-request")).to_contain_text("已同意")

    # The enterprise's QR, scanned by 张明 on arrival.
    firm.goto(f"{base}/enterprise/qr")
    scan_url = firm.locator(".qr").get_attribute("data-url")
    assert scan_url and "/q/" in scan_url
    officer = phone(browser)
    officer.context.grant_permissions(["geolocation"])
    officer.context.set_geolocation({"latitude": 28.9701, "longitude": 118.8593})
    sign_in(officer, base, "kc_scjg_zhang")
    officer.goto(scan_url)
    expect(officer.locator("#qr-genuine")).to_be_visible()
    officer.check("input[name=kind][value=inspection]")
    officer.select_option("select[name=task_id]", str(task_id))
    expect(officer.locator("#position-status")).to_contain_text("已获取")
    shot(officer, "enterprise-04-officer-scan")
    officer.click("button:has-text('登记到访')")
    expect(officer.locator("body")).to_contain_text("已登记到访")
    firm.goto(f"{base}/enterprise/qr")
    expect(firm.locator("#scans")).to_contain_text("张明")
    expect(firm.locator("#scans")).to_contain_text("28.97010")
    shot(firm, "enterprise-05-qr-and-scans")

    # The inspection ends in 责令整改.
    officer.goto(f"{base}/tasks/{task_id}/record")
    officer.click("button:has-text('开始检查')")
    officer.check("input[name=ids_shown]")
    officer.fill("input[name=present_person]", "王经理（安全主管）")
    radios = officer.locator("input[type=radio][value=ok]").all()
    for radio in radios[:-1]:
        radio.check()
    officer.locator("input[type=radio][value=fail]").last.check()
    officer.fill("textarea[name=findings]", "一名从业人员健康证明过期。")
    officer.check("input[name=outcome][value=rectify]")
    deadline = (dt.date.today() + dt.timedelta(days=15)).isoformat()
    officer.fill("input[name=rectify_deadline]", deadline)
    officer.click("button:has-text('保存')")
    for box in officer.locator("input[type=checkbox][name^=attest_]").all():
        box.check()
    officer.click("button:has-text('完成检查')")
    expect(officer.locator("body")).to_contain_text("已完成")

    # The enterprise uploads proof against the order.
    firm.goto(f"{base}/enterprise/rectifications")
    expect(firm.locator("body")).to_contain_text("待整改")
    firm.locator("section.order a").first.click()
    record_url = firm.url
    assert re.search(r"/enterprise/rectifications/\d+$", record_url)
    firm.set_input_files(
        "input[name=file]",
        files=[{"name": "健康证.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8 new cert"}],
    )
    firm.fill("textarea[name=note]", "已为该员工重新办理健康证明。")
    shot(firm, "enterprise-06-order-upload")
    firm.click("button:has-text('提交整改材料')")
    expect(firm.locator("#order-state")).to_have_attribute("data-state", "submitted")

    # The subject accepts the proof; both sides see the order rectified.
    record_id = record_url.rsplit("/", 1)[1]
    agency.goto(f"{base}/inspections/rectification-orders/{record_id}")
    expect(agency.locator("#proofs")).to_contain_text("健康证.jpg")
    shot(agency, "enterprise-07-agency-proof")
    agency.click("button:has-text('认可，整改完成')")
    expect(agency.locator("#order-state")).to_have_attribute("data-state", "done")
    firm.goto(record_url)
    expect(firm.locator("#order-state")).to_have_attribute("data-state", "done")
    expect(firm.locator("input[name=file]")).to_have_count(0)
    shot(firm, "enterprise-08-order-done")
