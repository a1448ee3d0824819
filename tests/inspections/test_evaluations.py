"""The enterprise's side: 我的检查, the one-time evaluation, supervisor-only details and
subject aggregates shown from five evaluations on (事后评价, 路桥方案 二(二)6)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas, sign_in
from tests.inspections.test_records import finish, make_task
from wurao.core.errors import Forbidden, InvalidInput, NotFound
from wurao.inspections import evaluations
from wurao.inspections.evaluations import EvaluationUsed
from wurao.oversight.models import Clue


def test_token_accepted_once(db: Session, personas: Personas) -> None:
    b = make_task(db)
    token = finish(db, b, personas.officer)
    ev = evaluations.submit_evaluation(db, token=token, rating=4, comment="文明执法", misconduct=[])
    assert ev.rating == 4 and ev.submitted_at is not None
    with pytest.raises(EvaluationUsed) as exc:
        evaluations.submit_evaluation(db, token=token, rating=1, comment="", misconduct=[])
    assert "只能评价一次" in exc.value.message
    with pytest.raises(NotFound):
        evaluations.submit_evaluation(db, token="not-a-token", rating=3, comment="", misconduct=[])


def test_invalid_rating_and_misconduct(db: Session, personas: Personas) -> None:
    token = finish(db, make_task(db), personas.officer)
    with pytest.raises(InvalidInput):
        evaluations.submit_evaluation(db, token=token, rating=6, comment="", misconduct=[])
    with pytest.raises(InvalidInput):
        evaluations.submit_evaluation(db, token=token, rating=3, comment="", misconduct=["bribe"])
    with pytest.raises(InvalidInput):  # "other" needs a word of explanation
        evaluations.submit_evaluation(db, token=token, rating=3, comment="", misconduct=["other"])


def test_api_second_use_is_a_typed_error(
    db: Session, client: TestClient, personas: Personas
) -> None:
    token = finish(db, make_task(db), personas.officer)
    db.commit()
    url = f"/api/v1/evaluations/{token}"
    body = {"rating": 5, "comment": "", "misconduct": []}
    first = client.post(url, json=body)  # anonymous, no cookie, no CSRF: the token is enough
    assert first.status_code == 201, first.text
    second = client.post(url, json=body)
    assert second.status_code == 409
    assert second.json()["error"] == "evaluation_used"
    assert "只能评价一次" in second.json()["message"]


def test_misconduct_becomes_a_clue_for_the_region(db: Session, personas: Personas) -> None:
    b = make_task(db)
    token = finish(db, b, personas.officer)
    with pytest.raises(InvalidInput) as unconfirmed:  # the code was issued: confirm first
        evaluations.submit_evaluation(
            db, token=token, rating=1, comment="要求老板到场", misconduct=["no_code"]
        )
    assert unconfirmed.value.field == "confirm_no_code"
    evaluations.submit_evaluation(
        db, token=token, rating=1, comment="要求老板到场", misconduct=["legal_rep", "no_code"],
        confirm_no_code=True,
    )  # fmt: skip
    clue = db.scalar(select(Clue).where(Clue.task_id == b.task.id))
    assert clue is not None and clue.source == "evaluation" and clue.region_code == "330802"
    assert "未亮码" in clue.description and "要求法定代表人到场" in clue.description


def _evaluate(db: Session, personas: Personas, n: int) -> None:
    for i in range(n):
        token = finish(db, make_task(db), personas.officer)
        misconduct = ["repeated"] if i == 0 else []
        evaluations.submit_evaluation(
            db, token=token, rating=3 + i % 3, comment="", misconduct=misconduct
        )


def test_aggregates_hidden_below_five_and_shown_at_five(db: Session, personas: Personas) -> None:
    _evaluate(db, personas, 4)
    summary = evaluations.subject_summary(db, actor=personas.agency_admin)
    assert summary.count == 4 and not summary.shown
    assert summary.average is None and summary.misconduct is None
    _evaluate(db, personas, 1)
    summary = evaluations.subject_summary(db, actor=personas.officer)
    assert summary.count == 5 and summary.shown
    assert summary.average == pytest.approx((3 + 4 + 5 + 3 + 3) / 5, abs=0.01)
    assert summary.misconduct is not None and summary.misconduct["repeated"] == 2
    # A subject sees only its own aggregates, never the single evaluations.
    with pytest.raises(Forbidden):
        evaluations.subject_summary(db, actor=personas.other_officer, subject_id=summary.subject.id)
    with pytest.raises(Forbidden):
        evaluations.list_evaluations(db, actor=personas.agency_admin)


def test_summary_page_says_hidden(db: Session, client: TestClient, personas: Personas) -> None:
    _evaluate(db, personas, 2)
    db.commit()
    sign_in(client, "kc_scjg_admin")
    page = client.get("/inspections/evaluation-summary")
    assert page.status_code == 200
    assert "评价不足5条，暂不显示" in page.text


def test_supervisor_sees_details_neighbour_sees_none(
    db: Session, client: TestClient, personas: Personas
) -> None:
    _evaluate(db, personas, 2)
    found = evaluations.list_evaluations(db, actor=personas.supervisor)
    rows, total = found.items, found.total
    assert total == 2 and rows[0].enterprise_name == "衢州示例制造有限公司"
    found = evaluations.list_evaluations(db, actor=personas.neighbour_supervisor)
    rows, total = found.items, found.total
    assert total == 0 and rows == []
    found = evaluations.list_evaluations(db, actor=personas.supervisor, misconduct="repeated")
    rows, total = found.items, found.total
    assert total == 1 and rows[0].misconduct_labels == ["重复检查"]
    db.commit()
    sign_in(client, "qj_sfj")
    page = client.get("/oversight/evaluations")
    assert page.status_code == 200 and "暂无评价" in page.text


def test_enterprise_sees_its_inspections_and_gets_the_link(
    db: Session, client: TestClient, personas: Personas
) -> None:
    b = make_task(db)
    first_token = finish(db, b, personas.officer)
    pending = make_task(db)  # coded but not started: not disclosed in advance
    found = evaluations.enterprise_inspections(db, actor=personas.enterprise)
    rows, total = found.items, found.total
    assert total == 1 and rows[0].task.id == b.task.id and rows[0].can_evaluate
    assert rows[0].officers[0][1]  # certificate numbers are shown
    with pytest.raises(Forbidden):
        evaluations.enterprise_inspections(db, actor=personas.officer)
    db.commit()
    task_id, number = b.task.id, b.code.number if b.code else ""
    assert pending.task.id != task_id

    csrf = sign_in(client, "qiye_demo")
    page = client.get("/enterprise/inspections")
    assert page.status_code == 200
    assert number in page.text and "衢州市柯城区市场监督管理局" in page.text
    assert "评价本次检查" in page.text
    shown = client.post(
        f"/enterprise/inspections/{task_id}/evaluation-link", data={"csrf_token": csrf}
    )
    assert shown.status_code == 200
    link = shown.text.split('<a href="http://testserver/evaluate/', 1)[1].split('"', 1)[0]
    # The link shown replaces the one drawn at finishing.
    client.post("/logout", data={"csrf_token": csrf})
    assert client.get(f"/evaluate/{first_token}").status_code == 404
    form = client.get(f"/evaluate/{link}")
    assert form.status_code == 200 and "评价本次检查" in form.text
    token_csrf = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert number in form.text and 'name="confirm_no_code"' in form.text
    # "未亮码" for an inspection whose code was issued: the form comes back as filled in,
    # asking the enterprise to confirm the contradiction; nothing is recorded yet
    said = "检查人员没有出示任何二维码。"
    asked = client.post(
        f"/evaluate/{link}",
        data={"csrf_token": token_csrf, "_back": f"/evaluate/{link}", "rating": "2",
              "misconduct": ["no_code"], "comment": said},
    )  # fmt: skip
    assert asked.status_code == 422 and 'id="err-confirm_no_code"' in asked.text
    assert said in asked.text and 'value="2" checked' in asked.text
    assert 'value="no_code" checked' in asked.text
    done = client.post(
        f"/evaluate/{link}",
        data={"csrf_token": token_csrf, "rating": "5", "misconduct": ["disturbance"]},
    )
    assert done.status_code == 200 and "评价已提交" in done.text
    again = client.get(f"/evaluate/{link}")
    assert again.status_code == 409 and "只能评价一次" in again.text


def test_enterprise_of_another_uscc_cannot_get_the_link(
    db: Session, client: TestClient, personas: Personas
) -> None:
    b = make_task(db, enterprise_uscc="91330802MA2C00001U", enterprise_name="另一家企业有限公司")
    finish(db, b, personas.officer)
    with pytest.raises(NotFound):
        evaluations.reissue_link_token(db, actor=personas.enterprise, task_id=b.task.id)
    total = evaluations.enterprise_inspections(db, actor=personas.enterprise).total
    assert total == 0


def test_reveal_refused_after_submission(db: Session, personas: Personas) -> None:
    b = make_task(db)
    token = finish(db, b, personas.officer)
    evaluations.submit_evaluation(db, token=token, rating=5, comment="", misconduct=[])
    with pytest.raises(EvaluationUsed):
        evaluations.reissue_link_token(db, actor=personas.enterprise, task_id=b.task.id)


def test_api_evaluation_needs_no_sign_in_but_a_token(client: TestClient) -> None:
    resp = client.post("/api/v1/evaluations/nonsense", json={"rating": 3})
    assert resp.status_code == 404 and resp.json()["error"] == "not_found"
    bad = client.post("/api/v1/evaluations/nonsense", json={"rating": 9})
    assert bad.status_code == 422
