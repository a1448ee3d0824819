"""The officer's offline field page on a phone: the page and its data stay on the phone, a
record with a photo filled offline survives closing the page and syncs once the network
returns, exactly once; a record changed on the server meanwhile is shown as a conflict."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import shot, sign_in
from tests.e2e.test_inspection_flow import complaint_task

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
PHOTO = b"\xff\xd8\xff\xe0 field photo taken offline in a basement"


def phone_context(browser: Browser) -> BrowserContext:
    return browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )


def coded_task(page: Page, base: str, ref: str) -> int:
    task_id = complaint_task(page, base, ref, "群众反映地下仓库消防通道堵塞")
    page.click("button:has-text('申请赋码')")
    expect(page.locator(".qr")).to_be_visible()
    return task_id


def open_field(ctx: BrowserContext, base: str) -> Page:
    page = ctx.new_page()
    page.goto(f"{base}/field")
    expect(page.locator("body")).to_have_attribute("data-field-ready", "1", timeout=15000)
    return page


def fill_offline(page: Page, task_id: int, present: str, tmp: Path) -> None:
    page.click(f"article[data-task='{task_id}'] .open-record")
    page.click("#start")
    page.check("input[name=ids_shown]")
    page.fill("input[name=present_person]", present)
    for radio in page.locator("input[type=radio][value=ok]").all():
        radio.check()
    page.check("input[name=outcome][value=none]")
    photo = tmp / "basement.jpg"
    photo.write_bytes(PHOTO)
    page.set_input_files("input[name=photo]", str(photo))
    expect(page.locator("#photos li")).to_have_count(1)


def test_offline_record_with_photo_syncs_once(
    page: Page, browser: Browser, live_server: str, tmp_path: Path
) -> None:
    task_id = coded_task(page, live_server, "12345-2026-3101")
    ctx = phone_context(browser)
    sign_in(ctx.new_page(), live_server, "kc_scjg_zhang")
    field = open_field(ctx, live_server)
    expect(field.locator(f"article[data-task='{task_id}']")).to_be_visible()
    field.evaluate("navigator.serviceWorker.ready.then(() => true)")
    shot(field, "90-field-list")

    ctx.set_offline(True)
    field.reload()  # the page itself comes from the phone now
    expect(field.locator("#net-status")).to_have_text("离线")
    field.click(f"article[data-task='{task_id}'] .show-qr")
    expect(field.locator("#qr-view svg")).to_be_visible()
    shot(field, "91-field-qr-offline")
    field.click("#qr-view button")
    fill_offline(field, task_id, "王经理（仓库主管）", tmp_path)
    for box in field.locator("input[type=checkbox][name^=attest_]").all():
        box.check()
    field.click("#finish")
    expect(field.locator("#pending")).not_to_have_attribute("data-count", "0")
    shot(field, "92-field-record-offline")
    field.close()  # closing the page loses nothing

    again = open_field(ctx, live_server)
    expect(again.locator("#pending")).not_to_have_attribute("data-count", "0")
    ctx.set_offline(False)
    again.evaluate("window.dispatchEvent(new Event('online'))")
    expect(again.locator("#pending")).to_have_attribute("data-count", "0", timeout=15000)
    shot(again, "93-field-synced")

    api = ctx.request
    rec = api.get(f"{live_server}/api/v1/tasks/{task_id}/record").json()
    assert rec["finished_at"] and rec["present_person"] == "王经理（仓库主管）"
    assert [e["sha256"] for e in rec["evidence"]] == [hashlib.sha256(PHOTO).hexdigest()]
    # A second sync (the page reopened, the button pressed) changes nothing.
    third = open_field(ctx, live_server)
    third.click("#sync-now")
    third.wait_for_timeout(500)
    rec = api.get(f"{live_server}/api/v1/tasks/{task_id}/record").json()
    assert len(rec["evidence"]) == 1
    ctx.close()


def test_a_conflict_is_shown_to_the_officer(
    page: Page, browser: Browser, live_server: str, tmp_path: Path
) -> None:
    task_id = coded_task(page, live_server, "12345-2026-3102")
    ctx = phone_context(browser)
    sign_in(ctx.new_page(), live_server, "kc_scjg_zhang")
    field = open_field(ctx, live_server)
    field.click(f"article[data-task='{task_id}'] .open-record")
    field.click("#start")
    field.check("input[name=ids_shown]")
    field.evaluate("window.dispatchEvent(new Event('online'))")
    expect(field.locator("#pending")).to_have_attribute("data-count", "0", timeout=15000)

    ctx.set_offline(True)
    field.fill("input[name=present_person]", "本机：王经理")
    # Meanwhile the record is changed on the server (the colleague's phone, online).
    other = phone_context(browser)
    colleague = other.new_page()
    sign_in(colleague, live_server, "kc_scjg_zhang")
    token = colleague.locator("body").get_attribute("hx-headers") or ""
    csrf = token.split('"')[3]
    r = other.request.put(
        f"{live_server}/api/v1/tasks/{task_id}/record",
        data={"present_person": "服务器：李主任"},
        headers={"X-CSRF-Token": csrf},
    )
    assert r.ok, r.text()
    other.close()

    ctx.set_offline(False)
    field.evaluate("window.dispatchEvent(new Event('online'))")
    field.click("#task-view button.link")
    field.click(f"article[data-task='{task_id}'] .open-record")
    expect(field.locator("#conflict")).to_contain_text("服务器：李主任")
    expect(field.locator("#conflict")).to_contain_text("本机：王经理")
    shot(field, "94-field-conflict")
    rec = ctx.request.get(f"{live_server}/api/v1/tasks/{task_id}/record").json()
    assert rec["present_person"] == "服务器：李主任"  # never silently overwritten
    ctx.close()
