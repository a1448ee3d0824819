"""Supervision in a browser: a task for a deregistered enterprise raises an alert; the
supervisor sends a 风险提示函; the agency reads it in its inbox and answers (待核实); the
supervisor returns the first answer, accepts the second (销号) and the alert is 已整改; the
supervisor's dashboard draws its charts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import shot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_alert_from_warning_to_rectified(page: Page, browser: Browser, live_server: str) -> None:
    # The agency plans a complaint-triggered task for an enterprise that has been deregistered.
    sign_in(page, live_server, "kc_scjg_admin")
    page.goto(f"{live_server}/registry/enterprises?status=deregistered&region=330802")
    found = re.search(r"91330802[0-9A-HJ-NPQRTUWXY]{10}", page.content())
    assert found, "the demo has no deregistered enterprise in 柯城区"
    page.goto(f"{live_server}/tasks/new")
    page.fill("input[name=enterprise_uscc]", found.group(0))
    page.select_option("select[name=origin]", "complaint")
    page.fill("input[name=trigger_ref]", "12345-2026-3001")
    page.fill("textarea[name=trigger_reason]", "群众反映该企业仍在经营")
    page.locator("input[name=item_codes]").first.check()
    page.locator("label:has(.badge.ok) input[name=officer_ids]").nth(0).check()
    page.locator("label:has(.badge.ok) input[name=officer_ids]").nth(1).check()
    page.click("button:has-text('创建任务')")
    assert re.search(r"/tasks/\d+", page.url), page.url

    # The alert exists as soon as the task does (no sweep); the supervisor sends a risk notice.
    sup = browser.new_context(locale="zh-CN").new_page()
    sign_in(sup, live_server, "kc_sfj")
    sup.goto(f"{live_server}/oversight/alerts?rule=F2+DEREGISTERED&status=new")
    sup.locator("#alert_list tbody a").first.click()
    expect(sup.locator("#alert-status")).to_have_text("新建")
    expect(sup.locator("body")).to_contain_text("路桥区涉企行政检查专项整治方案")
    sup.fill("textarea[name=note]", "请核实企业状态，撤销不必要的检查任务。")
    sup.click("button:has-text('生成并发送风险提示函')")
    expect(sup.locator("#alert-status")).to_have_text("已提醒")
    expect(sup.locator("a:has-text('下载风险提示函')")).to_be_visible()
    alert_url = sup.url
    shot(sup, "70-oversight-alert-notified")

    # The agency finds the notice in its inbox and answers it in writing.
    page.goto(f"{live_server}/inbox")
    page.locator("#inbox_list a:has-text('风险提示函')").first.click()
    assert page.url == alert_url
    page.fill("textarea[name=response]", "经核实企业已注销，已取消该检查任务，并加强核查。")
    page.click("button:has-text('提交答复')")
    expect(page.locator("#alert-status")).to_have_text("待核实")
    shot(page, "71-oversight-alert-answered")

    # Only the supervisor closes it: the first answer is returned with a reason …
    sup.goto(alert_url)
    sup.click("a:has-text('核实销号或退回')")
    item_url = sup.url.split("#")[0]
    sup.click("button:has-text('退回重新整改')")  # without a reason: refused beside the field
    expect(sup.locator(".field-error")).to_contain_text("请填写退回理由")
    sup.fill("form[action$='/return'] textarea[name=note]", "请附上取消任务的记录。")
    sup.click("button:has-text('退回重新整改')")
    expect(sup.locator("body")).to_contain_text("已退回1次")

    # … the agency answers again on its phone with a file, from its list of items …
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    mobile = phone.new_page()
    sign_in(mobile, live_server, "kc_scjg_admin")
    mobile.goto(f"{live_server}/oversight/rectifications")
    mobile.locator(f"a[href='{item_url.removeprefix(live_server)}']").click()
    mobile.fill("textarea[name=body]", "已取消该任务，附取消记录。")
    mobile.set_input_files(
        "input[name=files]",
        files=[{"name": "取消记录.txt", "mimeType": "text/plain", "buffer": "任务已取消".encode()}],
    )
    mobile.click("button:has-text('提交答复')")
    expect(mobile.locator("body")).to_contain_text("待核实")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    shot(mobile, "71a-rectification-answered-phone")

    # … and the supervisor accepts it: the item is 已销号 and the alert 已整改.
    sup.goto(item_url)
    expect(sup.locator("a:has-text('取消记录.txt')")).to_be_visible()
    sup.click("button:has-text('核实销号')")
    expect(sup.locator("body")).to_contain_text("已销号")
    sup.goto(alert_url)
    expect(sup.locator("#alert-status")).to_have_text("已整改")
    sup.goto(f"{live_server}/oversight/rectifications/totals")
    shot(sup, "71b-rectification-totals")

    # The neighbouring county's supervisor cannot open it.
    other = browser.new_context(locale="zh-CN").new_page()
    sign_in(other, live_server, "qj_sfj")
    assert other.goto(alert_url).status == 404  # type: ignore[union-attr]


def test_dashboard_draws_charts(page: Page, live_server: str) -> None:
    sign_in(page, live_server, "kc_sfj")
    page.goto(f"{live_server}/oversight/dashboard")
    expect(page.locator("h1")).to_contain_text("监督看板")
    for chart in ("months", "method", "subjects", "per-enterprise", "ratings", "alerts"):
        expect(page.locator(f"#chart-{chart} canvas")).to_have_count(1)
    expect(page.locator("#definitions")).to_contain_text("联合检查率")
    shot(page, "72-oversight-dashboard")
    # A subject of the region has its own dashboard, reached from the subject table.
    page.locator("#subjects tbody a[title='查看该主体的看板']").first.click()
    expect(page.locator("body")).to_contain_text("返回全辖区看板")
    expect(page.locator("#chart-months canvas")).to_have_count(1)
    shot(page, "74-oversight-subject-dashboard")
    # Every figure opens the inspections behind it.
    page.locator("#kpi a").first.click()
    expect(page.locator("h1")).to_contain_text("指标明细")
    shot(page, "75-oversight-indicator-list")
    page.goto(f"{live_server}/public/rules")
    expect(page.locator("body")).to_contain_text("A5 INSP-FREQ-CAP")
    shot(page, "73-public-rules")


def test_dashboard_says_so_when_the_chart_library_is_blocked(page: Page, live_server: str) -> None:
    """Blocked or offline: each chart's box says the charts are missing, not an empty box."""
    sign_in(page, live_server, "kc_sfj")
    page.route("**/static/vendor/echarts.min.js", lambda route: route.abort())
    page.goto(f"{live_server}/oversight/dashboard")
    expect(page.locator("#chart-months")).to_contain_text("图表组件未能加载")
    expect(page.locator("#chart-months canvas")).to_have_count(0)
    expect(page.locator("#definitions")).to_contain_text("联合检查率")
    shot(page, "73-oversight-dashboard-no-charts")
