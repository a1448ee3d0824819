"""Refused sign-in and token forms come back on their page (issue 19 item 2): the typed
values kept (never a password), the error beside its field; a wrong password still answers
401 from the route and counts; a password is checked exactly as typed."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, Role, csrf_of, sign_in
from wurao.auth import service
from wurao.auth.models import ApiToken, User


def _error_beside(html: str, name: str) -> str:
    found = re.search(rf'<small class="field-error" role="alert" id="err-{name}">([^<]*)<', html)
    return found.group(1) if found else ""


def test_a_refused_sign_in_comes_back_without_the_password(client: TestClient) -> None:
    token = csrf_of(client.get("/login?next=/plans").text)
    long_name = "u" * 61
    page = client.post(
        "/login",
        data={
            "csrf_token": token,
            "_back": "/login?next=/plans",
            "username": long_name,
            "password": "secret-typed-here",
            "next": "/plans",
        },
    )
    assert page.status_code == 422 and "error-page" not in page.text
    assert _error_beside(page.text, "username").endswith("最多60个字。")
    assert f'value="{long_name}"' in page.text
    assert "secret-typed-here" not in page.text
    assert 'name="next" value="/plans"' in page.text


def test_a_password_is_checked_exactly_as_typed(
    client: TestClient, db: Session, personas: Personas
) -> None:
    user = service.create_user(
        db,
        actor=personas.admin,
        data=service.NewUser(
            username="spaced_pw",
            display_name="空格密码",
            password=" pass word 12 ",
            role=Role.SUPERVISOR,
            region_code="330802",
        ),
    )
    db.commit()
    token = csrf_of(client.get("/login").text)
    form = {"csrf_token": token, "_back": "/login", "username": "spaced_pw", "next": "/"}
    wrong = client.post("/login", data={**form, "password": "pass word 12"})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    db.expire_all()
    assert db.get(User, user.id).failed_logins == 1  # type: ignore[union-attr]
    right = client.post(
        "/login", data={**form, "password": " pass word 12 "}, follow_redirects=False
    )
    assert right.status_code == 303


def test_a_token_without_a_name_is_refused_beside_the_field(
    client: TestClient, db: Session, personas: Personas
) -> None:
    csrf = sign_in(client, "kc_sfj")
    before = db.scalar(select(func.count()).select_from(ApiToken))
    page = client.post(
        "/account/tokens", data={"csrf_token": csrf, "_back": "/account/tokens", "name": " "}
    )
    assert page.status_code == 422 and "error-page" not in page.text
    assert _error_beside(page.text, "name") == "请填写令牌用途。"
    assert db.scalar(select(func.count()).select_from(ApiToken)) == before
