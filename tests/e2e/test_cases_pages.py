"""The case list and a case page in a browser, on a desktop and on a 390px phone: the officer
filters the demo's cases, opens one and sees its deadlines, timeline and the steps it may
take; the supervisor reads the same case without them."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import SHOTS, shot, sign_in
from tests.e2e.test_inspection_flow import DEMO_USCC, phone

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
# A copy of the pictures for the reviewer of this change (WURAO_SHOTS_COPY=/tmp/shots/a1).
COPY = Path(os.environ["WURAO_SHOTS_COPY"]) if os.environ.get("WURAO_SHOTS_COPY") else None


def _shot(page: Page, name: str) -> None:
    path = shot(page, name)
    if COPY is not None:
        COPY.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, COPY / path.name)


def _section(locator: Locator, name: str) -> None:
    """A picture of one section of a page (the full phone page is too tall to read)."""
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"{name}.png"
    locator.screenshot(path=str(path))
    if COPY is not None:
        COPY.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, COPY / path.name)


def _served_case(page: Page) -> str:
    """A demo case served and awaiting payment: the one with the most on its page."""
    row = page.locator("#case_list tbody tr:has-text('已送达')").first
    link = row.locator("a[href^='/cases/']")
    href = link.get_attribute("href")
    assert href and re.fullmatch(r"/cases/\d+", href), href
    return href


def test_case_list_and_page_on_desktop_and_phone(
    page: Page, browser: Browser, live_server: str
) -> None:
    base = live_server
    sign_in(page, base, "kc_scjg_zhang")
    page.click("nav.mainnav a:has-text('行政处罚')")
    page.wait_for_url(f"{base}/cases")
    expect(page.locator("h1")).to_have_text("行政处罚案件")
    expect(page.locator("#case_list tbody tr").first).to_be_visible()
    _shot(page, "90-cases-list")
    page.goto(f"{base}/cases?status=served")  # the list's own filter, as a clerk would use it
    href = _served_case(page)
    page.goto(f"{base}{href}")
    expect(page.locator("#case-deadlines")).to_be_visible()
    expect(page.locator("#case-timeline")).to_contain_text("登记案件")
    _shot(page, "91-case-page")
    page.goto(f"{base}/cases/new")
    expect(page.locator("button:has-text('登记案件')")).to_be_visible()
    page.fill("input[name=act_on]", "2026-11-20")
    page.fill("input[name=found_on]", "2026-11-25")
    page.fill("textarea[name=facts]", "当事人销售过期食品。")
    page.fill("#party input[name=q]", DEMO_USCC)  # the party is picked, not typed (#19)
    expect(page.locator("#party-list input[name=enterprise_id]")).to_have_count(1)
    page.locator("#party-list input[name=enterprise_id]").check()
    page.click("button:has-text('登记案件')")  # no officer chosen: refused beside the field
    expect(page.locator("#err-officer_ids")).to_contain_text("承办的执法人员")
    expect(page.locator("textarea[name=facts]")).to_have_value("当事人销售过期食品。")
    _shot(page, "92-case-new-error")

    mobile = phone(browser)
    sign_in(mobile, base, "kc_scjg_zhang")
    mobile.goto(f"{base}/cases?overdue=1")
    expect(mobile.locator("input[name=overdue]")).to_be_checked()
    _shot(mobile, "93-cases-list-phone")
    mobile.goto(f"{base}{href}")
    expect(mobile.locator("#case-deadlines")).to_be_visible()
    _shot(mobile, "94-case-page-phone")
    # the served decision's documents and publication, as a section of the case page
    documents = mobile.locator("#case-documents")
    expect(documents).to_contain_text("行政处罚决定书")
    _section(documents, "95-case-documents-phone")
    # a case still under investigation shows the 裁量与清单 panel with its two forms
    mobile.goto(f"{base}/cases?status=investigating")
    mobile.locator("#case_list a[href^='/cases/']").first.click()
    panel = mobile.locator("#discretion")
    expect(panel).to_contain_text("适用的裁量基准")
    expect(panel.locator("button:has-text('记录清单适用')")).to_be_visible()
    _section(panel, "96-case-discretion-phone")
    mobile.context.close()

    reader = phone(browser)
    sign_in(reader, base, "kc_sfj")
    reader.goto(f"{base}{href}")
    expect(reader.locator("#case-facts")).to_be_visible()
    expect(reader.locator("#case-actions")).to_have_count(0)
    reader.context.close()
