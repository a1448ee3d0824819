"""A refused page form comes back in place (issue 19 item 2, web/form_state.py): the page it
was sent from, what was typed, each error beside its field and a summary above; nothing
saved; the API and pages without ``_back`` answer as before."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Annotated

from fastapi import Form
from fastapi.testclient import TestClient
from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.planning.test_http import enterprises, item
from wurao.planning.models import PlanEntry
from wurao.web.forms import PageForm, route_titles
from wurao.web.labels import label_of


def _plan(client: TestClient, csrf: str) -> str:
    made = client.post("/plans", data={"csrf_token": csrf, "year": "2027"}, follow_redirects=False)
    return str(made.headers["location"])


def _entries(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(PlanEntry)) or 0


def _error_beside(html: str, name: str) -> str:
    found = re.search(
        rf'<small class="field-error" role="alert" id="err-{name}">([^<]*)</small>', html
    )
    return found.group(1) if found else ""


def test_a_field_the_model_refuses_comes_back_with_the_typed_values(
    client: TestClient, db: Session, personas: Personas
) -> None:
    it = item(db)
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    url = _plan(client, csrf)
    long_note = "备" * 1999
    form = {
        "csrf_token": csrf,
        "_back": url,
        "item_id": str(it.id),
        "selection": "dss",
        "months": "3-4",
        "planned_count": "²",  # a Unicode digit: refused by the model, not a 500
        "officers_per_team": "2",
        "note": long_note,
    }
    before = _entries(db)
    page = client.post(f"{url}/entries", data=form)
    assert page.status_code == 422
    assert "未保存，请按提示修改后重新提交。" in page.text  # the summary above the page
    assert _error_beside(page.text, "planned_count") == "「计划户数」应为整数。"
    assert 'value="²"' in page.text and long_note in page.text and 'value="3-4"' in page.text
    assert "<h1" in page.text and "添加检查内容" in page.text  # the plan page, not an error page
    assert _entries(db) == before


def test_a_rule_the_service_refuses_names_its_field_and_keeps_the_rest(
    client: TestClient, db: Session, personas: Personas
) -> None:
    it = item(db)
    firm = enterprises(db, 1)[0]
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    url = _plan(client, csrf)
    form = {
        "csrf_token": csrf,
        "_back": url,
        "item_id": str(it.id),
        "selection": "targeted",
        "months": "13",
        "officers_per_team": "2",
        "targets": firm.uscc,
    }
    page = client.post(f"{url}/entries", data=form)
    assert page.status_code == 422
    assert "月份应为1至12的数字" in _error_beside(page.text, "months")
    assert 'value="13"' in page.text and firm.uscc in page.text
    # the selection typed is the one selected again, not the form's default
    assert re.search(r'<option value="targeted" selected>', page.text)


def test_without_back_or_from_the_api_the_answer_is_unchanged(
    client: TestClient, db: Session, personas: Personas
) -> None:
    it = item(db)
    db.commit()
    csrf = sign_in(client, "kc_scjg_admin")
    url = _plan(client, csrf)
    bad = {"csrf_token": csrf, "item_id": str(it.id), "months": "13", "officers_per_team": "2"}
    page = client.post(f"{url}/entries", data=bad)
    assert page.status_code == 422 and "error-page" in page.text
    # a _back that leaves the site or reaches the API is ignored
    for back in ("//evil.example/x", "https://evil.example/", "/api/v1/plans"):
        page = client.post(f"{url}/entries", data={**bad, "_back": back})
        assert page.status_code == 422 and "error-page" in page.text, back


def test_every_form_carries_its_page_as_back(client: TestClient, personas: Personas) -> None:
    csrf = sign_in(client, "kc_scjg_admin")
    url = _plan(client, csrf)
    page = client.get(f"{url}?tab=x")
    forms = page.text.count('name="csrf_token"') - page.text.count('action="/logout"')
    assert forms > 0
    assert page.text.count(f'name="_back" value="{url}?tab=x"') == forms


class _GuidanceLikeForm(PageForm):
    subject_id: int = Field(ge=1, title="执法单位")


def _endpoint(form: Annotated[_GuidanceLikeForm, Form()]) -> None: ...


def test_a_page_forms_own_titles_label_its_errors_before_the_shared_ones() -> None:
    route = SimpleNamespace(endpoint=_endpoint)
    assert route_titles(route)["subject_id"] == "执法单位"
    assert label_of("subject_id") != "执法单位"  # the application-wide label differs
    assert route_titles(object()) == {}
