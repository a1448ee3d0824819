"""Registry pages in a browser: import a spreadsheet with a bad row, then find the rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import shot, sign_in
from tests.registry.test_imports import BAD, enterprise_row, uscc, workbook

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def test_import_then_search_enterprises(page: Page, live_server: str, tmp_path: Path) -> None:
    rows = [enterprise_row(uscc(900 + i), f"浏览器导入测试{i}号有限公司") for i in range(3)]
    file = tmp_path / "企业名录.xlsx"
    file.write_bytes(workbook("enterprises", [*rows, BAD[1]]))
    sign_in(page, live_server, "kc_sfj")
    page.click("nav.mainnav >> text=导入导出")
    page.select_option("select[name=kind]", "enterprises")
    page.set_input_files("input[name=file]", str(file))
    page.click("text=上传并校验")
    expect(page.locator("h1")).to_contain_text("导入校验结果")
    expect(page.locator("#problems")).to_contain_text("不在您的辖区内")
    expect(page.locator("#problems tbody tr")).to_have_count(1)
    shot(page, "10-import-report")
    page.click("button[value=valid]")
    expect(page.locator(".flash-success")).to_contain_text("新增3")
    page.goto(f"{live_server}/registry/enterprises?q=浏览器导入测试")
    expect(page.locator("table")).to_contain_text("浏览器导入测试1号有限公司")
    shot(page, "11-enterprise-search")
    page.goto(f"{live_server}/registry/enterprises?q={uscc(901)}")
    expect(page.locator("table")).to_contain_text("浏览器导入测试1号有限公司")


def test_public_listing_without_sign_in(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/public/subjects?region=330802")
    expect(page.locator("table")).to_contain_text("衢州市柯城区市场监督管理局")
    shot(page, "12-public-subjects")
