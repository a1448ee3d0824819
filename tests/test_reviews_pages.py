"""案卷评查 pages and API: a plan made through the form (errors beside fields, the form
refilled), drawn, verified, assigned, a file scored with a problem through the review form,
the totals and their .xlsx; a subject and another region are refused."""

from __future__ import annotations

import io
import json

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, csrf_of, sign_in
from tests.inspections import subject
from tests.oversight.test_rules import KC_SCJG
from tests.test_reviews_service import PERIOD, drawn_plan, inspection_file
from wurao.oversight.reviews import queries
from wurao.oversight.reviews.checklist import checklist
from wurao.oversight.reviews.models import ReviewPlan
from wurao.sampling import algorithm


def test_the_plan_form_keeps_what_was_typed_and_names_the_field(
    client: TestClient, db: Session
) -> None:
    sign_in(client, "kc_sfj")
    page = client.get("/oversight/reviews/new")
    assert page.status_code == 200 and "新建评查方案" in page.text
    resp = client.post(
        "/oversight/reviews/new",
        data={
            "csrf_token": csrf_of(page.text),
            "_back": "/oversight/reviews/new",
            "title": "十月评查",
            "file_kind": "inspection",
            "period_from": "2026-10-31",
            "period_to": "2026-10-01",
            "sample_size": "5",
            "focus": "重点：<结果公示>",
        },
    )
    assert resp.status_code == 422 and "error-page" not in resp.text
    assert 'id="err-period_to">截止日期不能早于起始日期' in resp.text
    assert 'value="十月评查"' in resp.text and "重点：&lt;结果公示&gt;" in resp.text
    data = {"csrf_token": csrf_of(page.text), "_back": "/oversight/reviews/new", "title": "十月",
            "sample_size": "５", "subject_ids": "99999999999"}  # fmt: skip
    resp = client.post("/oversight/reviews/new", data=data)
    assert resp.status_code == 422 and "error-page" not in resp.text
    assert 'id="err-sample_size"' in resp.text and 'id="err-subject_ids"' in resp.text
    assert 'value="５"' in resp.text and 'value="十月"' in resp.text
    assert db.scalar(select(func.count()).select_from(ReviewPlan)) == 0  # nothing saved


def test_plan_draw_verify_assign_score_and_totals_through_the_pages(
    client: TestClient, db: Session, personas: Personas
) -> None:
    s = subject(db, KC_SCJG)
    for i in range(4):
        inspection_file(db, s, good=i != 0)
    csrf = sign_in(client, "kc_sfj")
    resp = client.post(
        "/oversight/reviews/new",
        data={
            "csrf_token": csrf,
            "title": "九月行政检查案卷评查",
            "file_kind": "inspection",
            "period_from": PERIOD[0].isoformat(),
            "period_to": PERIOD[1].isoformat(),
            "sample_rate": "50",
            "subject_ids": str(s.id),
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    url = resp.headers["location"]
    plan_id = int(url.rsplit("/", 1)[1])
    assert client.post(f"{url}/draw", data={"csrf_token": csrf}).status_code == 200
    page = client.get(url)
    assert "抽取验证" in page.text and "平台复算" in page.text
    page = client.get(f"{url}/verify")
    assert "✓" in page.text and "✗" not in page.text and "一致" in page.text

    art = client.get(f"/api/v1/reviews/{plan_id}/artefacts.json")
    pool = client.get(f"/api/v1/reviews/{plan_id}/pool.csv").content
    assert art.status_code == 200 and pool == client.get(f"{url}/pool.csv").content
    assert algorithm.verify(json.loads(art.content), pool).ok
    body = client.get(f"/api/v1/reviews/{plan_id}").json()
    assert body["status"] == "drawn" and len(body["files"]) == 2

    resp = client.post(
        f"{url}/assign", data={"csrf_token": csrf, "reviewer_ids": str(personas.supervisor.user_id)}
    )
    assert resp.status_code == 200 and "柯城区司法局" in resp.text
    file_id = body["files"][0]["id"]
    form_url = f"/oversight/reviews/files/{file_id}"
    page = client.get(form_url)
    assert page.status_code == 200 and "平台自动检查" in page.text and "一票否决" in page.text

    resp = client.post(
        f"{form_url}/problems",
        data={"csrf_token": csrf, "_back": form_url, "item_code": "I-C2", "problem_text": " "},
    )
    assert resp.status_code == 422 and "error-page" not in resp.text
    assert 'id="err-problem_text">请填写发现的问题' in resp.text
    assert '<option value="I-C2" selected>' in resp.text
    client.post(
        f"{form_url}/problems",
        data={"csrf_token": csrf, "item_code": "I-C2", "problem_text": "检查情况记录过简。"},
    )
    data = {"csrf_token": csrf, "_back": form_url, "final": "1", "comment": "总体规范"}
    for e in checklist().of("inspection"):
        data[f"result_{e.code}"] = "pass"
    data["result_I-C2"] = "fail"
    data["deduct_I-C2"] = "25"  # more than the item's 20 points
    resp = client.post(f"{form_url}/score", data=data)
    assert resp.status_code == 422 and "error-page" not in resp.text
    assert 'id="err-deduct_I-C2">扣分应在0至20之间' in resp.text
    assert 'value="25"' in resp.text and "总体规范" in resp.text  # the form as it was filled in
    data["deduct_I-C2"] = "6"
    resp = client.post(f"{form_url}/score", data=data)
    assert resp.status_code == 200 and "94" in resp.text and "待整改" in resp.text

    totals = client.get("/oversight/reviews/totals?year=2026")
    assert "柯城区市场监督管理局" in totals.text or s.name in totals.text
    book = load_workbook(io.BytesIO(client.get("/oversight/reviews/totals.xlsx?year=2026").content))
    rows = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][0] == "执法主体" and rows[-1][0] == "合计" and rows[-1][4] == 1
    assert client.get("/oversight/reviews?status=in_review&year=").status_code == 200
    assert client.get("/oversight/reviews/totals?year=").status_code == 200
    assert client.get("/oversight/reviews?year=19").status_code == 422


def test_a_subject_and_another_region_are_refused(
    client: TestClient, db: Session, personas: Personas
) -> None:
    plan = drawn_plan(db, personas, n=3)
    f = queries.plan_files(db, plan)[0]
    csrf = sign_in(client, "kc_scjg_admin")
    assert client.get("/oversight/reviews").status_code == 403
    assert client.get(f"/oversight/reviews/{plan.id}").status_code == 403
    assert (
        client.post(f"/oversight/reviews/{plan.id}/finish", data={"csrf_token": csrf}).status_code
        == 403
    )
    assert (
        client.post(
            f"/oversight/reviews/files/{f.id}/score", data={"csrf_token": csrf, "final": "1"}
        ).status_code
        == 403
    )
    client.cookies.clear()
    sign_in(client, "qj_sfj")
    assert client.get(f"/oversight/reviews/{plan.id}").status_code == 404
    assert client.get(f"/oversight/reviews/files/{f.id}").status_code == 404
    assert client.get(f"/api/v1/reviews/{plan.id}/artefacts.json").status_code == 404
    assert "案卷评查" in client.get("/oversight/reviews").text
