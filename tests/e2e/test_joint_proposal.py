"""综合查一次 in a browser: two agencies' tasks at one enterprise, the supervisor's proposal,
each agency accepts, and one joint task with both subjects replaces them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import shot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
DEMO_USCC = "91330802MA2A00001N"  # 衢州示例制造有限公司


def next_week() -> tuple[dt.date, dt.date]:
    today = dt.date.today()
    monday = today + dt.timedelta(days=7 - today.weekday())
    return monday, monday + dt.timedelta(days=4)


def draft_task(page: Page, base: str, username: str, ref: str, start: dt.date, end: dt.date) -> int:
    """A complaint-triggered draft task of the demo enterprise with two qualified officers."""
    page.context.clear_cookies()
    sign_in(page, base, username)
    page.goto(f"{base}/tasks/new")
    page.fill("input[name=enterprise_uscc]", DEMO_USCC)
    page.select_option("select[name=origin]", "complaint")
    page.fill("input[name=trigger_ref]", ref)
    page.fill("textarea[name=trigger_reason]", "群众反映安全生产和产品质量问题")
    page.fill("input[name=window_start]", start.isoformat())
    page.fill("input[name=window_end]", end.isoformat())
    page.locator("input[name=item_codes]").first.check()
    officers = page.locator("label:has(.badge.ok) input[name=officer_ids]")
    officers.nth(0).check()
    officers.nth(1).check()
    page.click("button:has-text('创建任务')")
    found = re.search(r"/tasks/(\d+)", page.url)
    assert found, page.url
    return int(found.group(1))


def test_proposal_to_accepted_joint_task(page: Page, live_server: str) -> None:
    start, end = next_week()
    t1 = draft_task(page, live_server, "kc_scjg_admin", "12345-2026-3001", start, end)
    t2 = draft_task(page, live_server, "kc_yjj_li", "12345-2026-3002", start, end)

    # The county's 司法局 runs a proposal for that week.
    page.context.clear_cookies()
    sign_in(page, live_server, "kc_sfj")
    page.goto(f"{live_server}/joint/proposals")
    page.fill("input[name=period_start]", start.isoformat())
    page.fill("input[name=period_end]", end.isoformat())
    page.click("button:has-text('生成方案')")
    expect(page.locator("h1")).to_contain_text("综合查一次方案 #")
    expect(page.locator("#totals")).to_contain_text("下界")
    row = page.locator("#merges tbody tr", has_text=f"任务 #{t1}").filter(has_text=f"任务 #{t2}")
    expect(row).to_have_count(1)
    shot(page, "70-joint-proposal")
    merge_url = row.locator("a[href^='/joint/merges/']").first.get_attribute("href")
    assert merge_url

    # Each agency accepts on the merge page, which shows the merged checklist.
    for username in ("kc_scjg_admin", "kc_yjj_li"):
        page.context.clear_cookies()
        sign_in(page, live_server, username)
        page.goto(f"{live_server}{merge_url}")
        expect(page.locator("#checklist tbody tr").first).to_be_visible()
        if username == "kc_scjg_admin":
            shot(page, "71-joint-merge-decide")
        page.click("button:has-text('同意联合检查')")
    expect(page.locator("#merge-status")).to_contain_text("联合检查任务 #")
    shot(page, "72-joint-merge-accepted")
    page.click("#merge-status a")
    expect(page.locator("body")).to_contain_text("衢州市柯城区市场监督管理局")
    expect(page.locator("body")).to_contain_text("衢州市柯城区应急管理局")
    shot(page, "73-joint-task")
