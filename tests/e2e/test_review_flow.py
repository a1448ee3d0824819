"""案卷评查 in a browser: the supervisor plans a review of 柯城区市场监管局's penalty case files,
draws the sample (re-verifiable), scores a file with a problem; the problem reaches the subject
as a rectification item, which the subject answers and the supervisor accepts (销号)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import shot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SUBJECT = "衢州市柯城区市场监督管理局"


def test_review_problem_to_rectification_accepted(
    page: Page, browser: Browser, live_server: str
) -> None:
    sign_in(page, live_server, "kc_sfj")
    page.goto(f"{live_server}/oversight/reviews/new")
    today = dt.date.today()
    page.fill("input[name=title]", "浏览器测试：市场监管处罚案卷评查")
    page.select_option("select[name=file_kind]", label="行政处罚案卷")
    page.fill("input[name=period_from]", (today - dt.timedelta(days=360)).isoformat())
    page.fill("input[name=period_to]", today.isoformat())
    page.fill("input[name=sample_size]", "2")
    page.fill("textarea[name=focus]", "处罚决定书是否说明裁量理由、是否按期送达")
    page.locator(f"label.tick:has-text('{SUBJECT}') input").check()
    page.click("button:has-text('保存方案')")
    assert re.search(r"/oversight/reviews/\d+$", page.url), page.locator("main").inner_text()[
        100:900
    ]
    plan_url = page.url

    page.click("button:has-text('抽取案卷并自动检查')")
    shot(page, "75b-review-drawn")
    expect(page.locator("body")).to_contain_text("抽中的案卷")
    page.goto(f"{plan_url}/verify")
    expect(page.locator("body")).to_contain_text("一致")
    shot(page, "76-review-verified")

    page.goto(plan_url)
    page.locator("form[action$='/assign'] input[name=reviewer_ids]").first.check()
    page.click("form[action$='/assign'] button:has-text('分配')")
    page.locator("a[href^='/oversight/reviews/files/']").first.click()
    file_url = page.url

    page.fill("textarea[name=problem_text]", "决定书未说明裁量理由，现场照片未标注时间。")
    page.click("button:has-text('记录问题')")
    expect(page.locator("#problems")).to_contain_text("现场照片未标注时间")
    # every item the platform could not judge is confirmed by the reviewer
    page.evaluate(
        """() => {
        const names = new Set([...document.querySelectorAll("input[type=radio][name^=result_]")]
          .map(r => r.name));
        for (const n of names) {
          if (!document.querySelector(`input[name="${n}"]:checked`)) {
            document.querySelector(`input[name="${n}"][value=pass]`).checked = true;
          }
        }
      }"""
    )
    page.fill("textarea[name=comment]", "案卷要素基本齐全，存在一处问题需整改。")
    page.click("button:has-text('确定评分')")
    expect(page.locator("#problems")).to_contain_text("待整改")
    shot(page, "77-review-file-scored")
    assert page.url.startswith(file_url)

    # The subject finds the problem among its rectification items and answers on a phone.
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    mobile = phone.new_page()
    sign_in(mobile, live_server, "kc_scjg_admin")
    mobile.goto(f"{live_server}/oversight/rectifications?source_kind=review&status=open")
    mobile.locator("a:has-text('现场照片未标注时间')").first.click()
    mobile.fill(
        "textarea[name=body]", "已补充裁量理由说明，照片补注拍摄时间，并对执法人员开展培训。"
    )
    mobile.click("button:has-text('提交答复')")
    expect(mobile.locator("body")).to_contain_text("待核实")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    item_path = mobile.url.removeprefix(live_server)
    shot(mobile, "78-review-problem-answered-phone")

    # The supervisor accepts: 已销号, and the review file shows it.
    page.goto(f"{live_server}{item_path}")
    page.click("button:has-text('核实销号')")
    expect(page.locator("body")).to_contain_text("已销号")
    page.goto(file_url)
    expect(page.locator("#problems")).to_contain_text("已销号")
    shot(page, "79-review-problem-accepted")
