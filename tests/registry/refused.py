"""What a refused page form looks like when it comes back in place (web/form_state.py)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

SUMMARY = "未保存，请按提示修改后重新提交。"


def error_beside(html: str, name: str) -> str:
    """The message shown beside the field ``name`` ("" when there is none)."""
    found = re.search(
        rf'<small class="field-error" role="alert" id="err-{name}">([^<]*)</small>', html
    )
    return found.group(1) if found else ""


def refused(
    client: TestClient, action: str, back: str, data: dict[str, object], status: int = 422
) -> str:
    """Post ``data`` from the page ``back``; assert it came back on that page, not saved."""
    page = client.post(action, data={**data, "_back": back}, follow_redirects=False)
    assert page.status_code == status, page.text[-3000:]
    assert "error-page" not in page.text and SUMMARY in page.text
    return page.text
