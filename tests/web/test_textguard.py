"""Control characters and oversized texts are refused at the request edge (issue 17 item 9)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from wurao.auth import service as auth_service
from wurao.auth.scope import Actor
from wurao.core.text import MAX_TEXT, has_control
from wurao.core.time import local_today
from wurao.planning.models import InspectionPlan


def _bearer(db: Session, actor: Actor) -> dict[str, str]:
    _, raw = auth_service.create_api_token(db, actor=actor, name="边界测试")
    db.commit()
    return {"Authorization": f"Bearer {raw}"}


def _plans(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(InspectionPlan)) or 0


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800", "\uffff"])
def test_control_characters_are_recognised(char: str) -> None:
    assert has_control(f"柯城{char}区")


def test_tab_and_line_breaks_are_allowed() -> None:
    assert not has_control("第一行\r\n第二行\t缩进")


def test_nul_in_a_json_field_is_refused_and_nothing_stored(
    client: TestClient, db: Session, personas: Personas
) -> None:
    headers = _bearer(db, personas.agency_admin)
    before = _plans(db)
    body = {"year": local_today().year, "title": "计划\x00名称"}
    resp = client.post("/api/v1/plans", headers=headers, json=body)
    assert resp.status_code == 422, resp.text
    assert resp.json() == {
        "error": "invalid_input",
        "message": "「名称」含有不可见的控制字符，请删除后重试。",
        "field": "title",
    }
    assert _plans(db) == before


def test_control_character_deep_in_json_names_its_field(
    client: TestClient, db: Session, personas: Personas
) -> None:
    headers = _bearer(db, personas.agency_admin)
    body = {
        "code": "T-001",
        "name": "测试事项",
        "field": "市场监管",
        "region_code": "330802",
        "basis_level": "law",
        "basis_law": "某法",
        "checklist": [{"text": "第一条"}, {"text": "响铃\x07"}],
    }
    resp = client.post("/api/v1/items", headers=headers, json=body)
    assert resp.status_code == 422
    assert resp.json()["field"] == "text"
    assert "「内容」含有不可见的控制字符" in resp.json()["message"]


def test_nul_in_a_form_field_is_refused_and_nothing_stored(client: TestClient, db: Session) -> None:
    csrf = sign_in(client, "kc_scjg_admin")
    before = _plans(db)
    data = {"csrf_token": csrf, "year": str(local_today().year), "title": "计划\x00"}
    resp = client.post("/plans", data=data, follow_redirects=False)
    assert resp.status_code == 422
    assert "「名称」含有不可见的控制字符，请删除后重试。" in resp.text
    assert _plans(db) == before


def test_control_character_in_an_upload_file_name_is_refused(client: TestClient) -> None:
    csrf = sign_in(client, "kc_scjg_admin")
    # Written by hand: HTTP clients percent-encode a control character in a file name.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + csrf.encode()
        + b'\r\n--b\r\nContent-Disposition: form-data; name="attachment"; '
        + 'filename="报告\x00.xlsx"'.encode()
        + b"\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n--b--\r\n"
    )
    resp = client.post(
        "/plans",
        content=body,
        headers={"content-type": "multipart/form-data; boundary=b"},
        follow_redirects=False,
    )
    assert resp.status_code == 422
    assert "含有不可见的控制字符" in resp.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/enterprises",
        "/api/v1/tasks",
        "/api/v1/users",
        "/api/v1/items",
        "/api/v1/subjects",
        "/api/v1/plans",
        "/api/v1/clues",
    ],
)
@pytest.mark.parametrize("q", ["柯城\x00市场", "\x00", "abc\x1b[2J", "名称\x7f"])
def test_search_with_a_control_character_is_422_never_500(
    client: TestClient, db: Session, personas: Personas, path: str, q: str
) -> None:
    headers = _bearer(db, personas.supervisor)
    resp = client.get(path, headers=headers, params={"q": q})
    assert resp.status_code == 422, resp.text
    assert resp.json()["field"] == "q"
    assert resp.json()["message"] == "「检索词」含有不可见的控制字符，请删除后重试。"


def test_search_page_with_nul_is_a_chinese_422(client: TestClient) -> None:
    sign_in(client, "kc_sfj")
    resp = client.get("/registry/enterprises", params={"q": "柯城\x00市场"})
    assert resp.status_code == 422
    assert "「检索词」含有不可见的控制字符" in resp.text


def test_multi_line_text_keeps_its_line_breaks(
    client: TestClient, db: Session, personas: Personas
) -> None:
    headers = _bearer(db, personas.agency_admin)
    resp = client.post(
        "/api/v1/plans",
        headers=headers,
        json={"year": local_today().year, "title": "第一行\t说明"},
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["title"] == "第一行\t说明"


def test_any_field_over_the_largest_maximum_is_refused(
    client: TestClient, db: Session, personas: Personas
) -> None:
    headers = _bearer(db, personas.supervisor)
    resp = client.get("/api/v1/tasks", headers=headers, params={"status": "x" * (MAX_TEXT + 1)})
    assert resp.status_code == 422
    assert resp.json()["message"] == f"「状态」最多{MAX_TEXT}个字。"


def test_control_character_in_a_path_is_not_found(
    client: TestClient, db: Session, personas: Personas
) -> None:
    headers = _bearer(db, personas.supervisor)
    assert client.get("/api/v1/enterprises/9133%00", headers=headers).status_code == 404
    page = client.get("/v/abc%00def")
    assert page.status_code == 404 and "页面不存在" in page.text


def test_malformed_json_is_left_to_the_route(
    client: TestClient, db: Session, personas: Personas
) -> None:
    headers = {**_bearer(db, personas.agency_admin), "content-type": "application/json"}
    resp = client.post("/api/v1/plans", headers=headers, content=b'{"year": 20')
    assert resp.status_code == 422
    assert resp.json()["error"] == "invalid_input"


def _multipart(fields: list[tuple[str, str]], file_size: int) -> bytes:
    parts = [
        b'--b\r\nContent-Disposition: form-data; name="attachment"; filename="a.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + b"x" * file_size + b"\r\n"
    ]
    for name, value in fields:
        parts.append(
            f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    return b"".join(parts) + b"--b--\r\n"


def test_a_large_upload_is_spooled_and_still_checked(client: TestClient, db: Session) -> None:
    csrf = sign_in(client, "kc_scjg_admin")
    headers = {"content-type": "multipart/form-data; boundary=b"}
    year = str(local_today().year)
    fields = [("csrf_token", csrf), ("year", year), ("title", "附件后\x00")]
    refused = client.post("/plans", content=_multipart(fields, 3 * 1024 * 1024), headers=headers)
    assert refused.status_code == 422 and "「名称」含有不可见的控制字符" in refused.text
    fields[-1] = ("title", "附件测试计划")
    made = client.post(
        "/plans",
        content=_multipart(fields, 3 * 1024 * 1024),
        headers=headers,
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
