"""Evaluations stay anonymous to the inspected subject (事后评价, 路桥方案 二(二)6): from the
subject's side no page or API names the evaluating enterprise or shows a single evaluation;
aggregates appear only from five evaluations on."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.inspections.test_records import bearer, finish, make_task
from wurao.inspections import evaluations

MARK = "匿名性核对专用意见"


def _evaluated(db: Session, personas: Personas, n: int) -> list[int]:
    ids = []
    for i in range(n):
        b = make_task(db)
        token = finish(db, b, personas.officer)
        evaluations.submit_evaluation(
            db, token=token, rating=1 + i % 5, comment=f"{MARK}{i}", misconduct=["repeated"]
        )
        ids.append(b.task.id)
    return ids


def test_subject_pages_and_api_never_reveal_an_evaluation(
    db: Session, client: TestClient, personas: Personas
) -> None:
    task_ids = _evaluated(db, personas, 5)
    headers = bearer(db, personas.agency_admin)
    db.commit()
    sign_in(client, "kc_scjg_admin")
    summary = client.get("/inspections/evaluation-summary")
    assert summary.status_code == 200
    assert "衢州示例制造有限公司" not in summary.text and MARK not in summary.text
    pages = [f"/tasks/{tid}" for tid in task_ids] + [f"/tasks/{tid}/record" for tid in task_ids]
    pages += ["/tasks", "/inspections/rectification-orders", "/inspections/date-requests"]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        assert MARK not in page.text, url
    assert client.get("/oversight/evaluations").status_code == 403
    for url in [f"/api/v1/tasks/{tid}" for tid in task_ids] + [
        f"/api/v1/tasks/{tid}/record" for tid in task_ids
    ]:
        resp = client.get(url, headers=headers)
        assert resp.status_code == 200, url
        body = resp.text
        assert MARK not in body and '"rating"' not in body and "submitted_at" not in body, url


def test_enterprise_page_says_evaluations_are_anonymous(
    client: TestClient, personas: Personas
) -> None:
    sign_in(client, "qiye_demo")
    page = client.get("/enterprise/evaluations")
    assert page.status_code == 200
    assert "被检查的执法单位看不到您的评价" in page.text and "不少于5条" in page.text
