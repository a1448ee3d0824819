"""The pages: the public portal without sign-in, the staff list with its form (an error shown
beside the field with what was typed), the upload's row report, publication."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.discretion import FIELD, PROVISION, VIOLATION, table
from wurao.discretion import imports
from wurao.discretion.models import BenchmarkTable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_public_pages_are_anonymous(client: TestClient, db: Session, personas: Personas) -> None:
    published = table(db, personas.supervisor)
    draft = table(db, personas.supervisor, publish=False)
    page = client.get("/public/discretion", params={"region": "330802"})
    assert page.status_code == 200
    assert published.title in page.text and f"/public/discretion/{draft.id}" not in page.text
    detail = client.get(f"/public/discretion/{published.id}")
    assert detail.status_code == 200
    assert VIOLATION in detail.text and "5,000元至20,000元" in detail.text and "一般" in detail.text
    assert client.get(f"/public/discretion/{draft.id}").status_code == 404
    assert client.get("/public/discretion", params={"region": "12"}).status_code == 422
    # the staff pages need a sign-in
    assert client.get("/discretion", follow_redirects=False).status_code == 303


def test_create_form_shows_the_error_beside_the_field(client: TestClient, db: Session) -> None:
    token = sign_in(client, "kc_sfj")
    form = {
        "csrf_token": token,
        "owner_kind": "region",
        "region_code": "330802001",
        "field": FIELD,
        "title": "某镇裁量基准",
        "effective_from": "2026-01-01",
    }
    page = client.post("/discretion", data={**form, "_back": "/discretion"})
    assert page.status_code == 422
    assert 'id="err-region_code"' in page.text and "乡镇" in page.text
    assert 'value="某镇裁量基准"' in page.text  # what was typed comes back
    assert "error-page" not in page.text
    # a date the model refuses: beside its field, the rest kept, no table written
    page = client.post(
        "/discretion", data={**form, "_back": "/discretion", "effective_from": "2026-02-30"}
    )
    assert page.status_code == 422 and 'id="err-effective_from"' in page.text
    assert "「施行日期」应为日期（YYYY-MM-DD）。" in page.text
    assert 'value="某镇裁量基准"' in page.text and 'value="330802001"' in page.text
    assert db.scalar(select(func.count()).select_from(BenchmarkTable)) == 0
    form["region_code"] = "330802"
    made = client.post("/discretion", data=form, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"].startswith("/discretion/")


def _xlsx(*rows: tuple[object, ...]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(imports.BENCH_HEADERS))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_upload_reports_each_row_then_publish(
    client: TestClient, db: Session, personas: Personas
) -> None:
    t = table(db, personas.supervisor, publish=False, rows=())
    token = sign_in(client, "kc_sfj")
    assert client.get("/discretion/template/benchmark").status_code == 200
    data = _xlsx(
        ("", VIOLATION, PROVISION, "一般", "5000", "20000", "", FIELD),
        ("", VIOLATION, PROVISION, "较重", "abc", "30000", "", FIELD),
    )
    files = {"file": ("基准.xlsx", data, XLSX)}
    refused = client.post(f"/discretion/{t.id}/import", data={"csrf_token": token}, files=files)
    assert refused.status_code == 422
    assert "本次未写入任何数据" in refused.text and "“abc”不是数字" in refused.text
    accepted = client.post(
        f"/discretion/{t.id}/import",
        data={"csrf_token": token, "accept_valid": "1"},
        files=files,
    )
    assert accepted.status_code == 200 and "已写入 1 行" in accepted.text
    published = client.post(
        f"/discretion/{t.id}/publish", data={"csrf_token": token}, follow_redirects=False
    )
    assert published.status_code == 303
    assert client.get("/public/discretion").text.count(t.title) == 1
    # the neighbouring county's supervisor reads it but cannot change it
    client.cookies.clear()
    other = sign_in(client, "qj_sfj")
    page = client.get(f"/discretion/{t.id}")
    assert page.status_code == 200 and "上传并校验" not in page.text
    assert client.post(f"/discretion/{t.id}/publish", data={"csrf_token": other}).status_code == 403


def test_leniency_list_page(client: TestClient) -> None:
    token = sign_in(client, "kc_sfj")
    form = {
        "csrf_token": token,
        "region_code": "330802",
        "field": FIELD,
        "kind": "may_no_penalty",
        "violation": "初次未按规定公示年度报告",
        "provision": "",
    }
    page = client.post("/leniency", data={**form, "_back": "/leniency"})
    assert page.status_code == 422 and 'id="err-provision"' in page.text
    assert "初次未按规定公示年度报告" in page.text and "error-page" not in page.text
    form["provision"] = "《企业信息公示暂行条例》第八条"
    assert client.post("/leniency", data=form, follow_redirects=False).status_code == 303
    listed = client.get("/leniency", params={"kind": "may_no_penalty"})
    assert "初次未按规定公示年度报告" in listed.text and "可以不予处罚（首违不罚）" in listed.text
