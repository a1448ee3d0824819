"""A refused 登记案件 form comes back on its own page (issue 19 item 2): what was typed kept
(never the 居民身份证号), each error beside its field — whether the form model or the service
refused it — and no case saved, not even a case number used up (both databases)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.cases import Setup, setup
from tests.conftest import Personas, csrf_of, sign_in
from tests.oversight.test_rules import make_task
from wurao.cases.models import PenaltyCase
from wurao.core import audit
from wurao.core.time import utcnow
from wurao.inspections.models import InspectionRecord
from wurao.oversight.models import Clue
from wurao.web.params import MAX_ID

OFFICER = "kc_scjg_zhang"
FORM = "/cases/new"
BAD_RIC = "33080219900101123"  # 17 digits: refused, and never written back into the page

Values = dict[str, str | list[str]]


@pytest.fixture
def w(db: Session) -> Setup:
    return setup(db)


def _form(w: Setup, **changes: str | list[str]) -> Values:
    values: Values = {
        "_back": FORM,
        "origin": "own",
        "procedure": "ordinary",
        "party_kind": "enterprise",
        "enterprise_id": str(w.enterprise.id),
        "act_on": "2026-11-20",
        "found_on": "2026-11-25",
        "facts": "当事人销售不合格产品，货值一万二千元。",
        "provisions_breached": "《产品质量法》第四十九条",
        "officer_ids": [str(o.id) for o in w.officers],
    }
    values.update(changes)
    return values


def _post(client: TestClient, token: str, values: Values) -> tuple[int, str]:
    resp = client.post(FORM, data={**values, "csrf_token": token}, follow_redirects=False)
    return resp.status_code, resp.text


def _error_beside(html: str, name: str) -> str:
    found = re.search(rf'<small class="field-error" role="alert" id="err-{name}">([^<]*)<', html)
    return found.group(1) if found else ""


def _the_form(html: str) -> bool:
    """The opening page came back (not the error page), its summary above it."""
    return (
        "<h1>登记案件</h1>" in html
        and 'action="/cases/new"' in html
        and 'class="flash flash-error error-summary"' in html
        and "error-page" not in html
    )


def _cases(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(PenaltyCase)) or 0


def test_a_refused_person_keeps_what_was_typed_but_not_the_id_number(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    sign_in(client, OFFICER)
    token = csrf_of(client.get(FORM).text)
    facts = "当事人无照经营，已持续三个月。"
    status, html = _post(
        client,
        token,
        _form(w, facts=facts, party_kind="person", person_name="赵六", person_ric=BAD_RIC,
              grave_harm="1", act_end_on="2026-11-22"),
    )  # fmt: skip
    assert status == 422 and _the_form(html)
    assert _error_beside(html, "person_ric")
    assert BAD_RIC not in html  # neither in the field nor anywhere else
    assert 'name="person_ric" value=""' in html
    assert f">{facts}</textarea>" in html and 'name="person_name" value="赵六"' in html
    assert 'name="party_kind" value="person" checked' in html
    assert 'name="party_kind" value="enterprise" checked' not in html
    assert 'name="act_end_on" value="2026-11-22"' in html
    assert 'name="grave_harm" value="1" checked' in html
    assert 'name="complex_case" value="1" checked' not in html
    assert all(f'name="officer_ids" value="{o.id}" checked' in html for o in w.officers)
    assert _cases(db) == 0


def test_each_refusal_of_the_service_stands_beside_its_field(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    sign_in(client, OFFICER)
    token = csrf_of(client.get(FORM).text)
    # the act after its discovery
    status, html = _post(client, token, _form(w, act_on="2026-11-26", found_on="2026-11-25"))
    assert status == 422 and _the_form(html)
    assert _error_beside(html, "found_on") == "线索发现日期应在违法行为发生之后、今天之前。"
    assert 'name="act_on" value="2026-11-26"' in html
    assert 'name="found_on" value="2026-11-25"' in html
    # no facts: refused after the case number was drawn, which the rollback returns
    status, html = _post(client, token, _form(w, facts=" "))
    assert status == 422 and _the_form(html)
    assert _error_beside(html, "facts") == "请填写违法事实。"
    assert 'name="provisions_breached" rows="2" maxlength="20000">《产品质量法》第四十九条<' in html
    # an officer of no subject of ours
    status, html = _post(client, token, _form(w, officer_ids=[str(w.officers[0].id), "999999"]))
    assert status == 422 and _the_form(html)
    assert _error_beside(html, "officer_ids") == "承办人员须为本执法主体的执法人员。"
    assert f'name="officer_ids" value="{w.officers[0].id}" checked' in html
    assert f'name="officer_ids" value="{w.officers[1].id}" checked' not in html
    # no officer at all
    status, html = _post(client, token, _form(w, officer_ids=[]))
    assert status == 422 and "承办的执法人员" in _error_beside(html, "officer_ids")
    # an enterprise the registry does not hold (a client naming it by 统一社会信用代码)
    status, html = _post(
        client, token, _form(w, enterprise_id="", enterprise_uscc="91330802MA2A99999X")
    )
    assert status == 422 and _error_beside(html, "enterprise_id")
    # a missing date
    status, html = _post(client, token, _form(w, found_on=""))
    assert status == 422 and _error_beside(html, "found_on") == "请填写线索发现日期。"
    assert _cases(db) == 0
    # the refusals used up no case number: the first case opened is number 1
    resp = client.post(FORM, data={**_form(w), "csrf_token": token}, follow_redirects=False)
    assert resp.status_code == 303, resp.text
    case = db.scalar(select(PenaltyCase))
    assert case is not None and case.number.endswith("〕1号")


def test_what_the_form_model_refuses_stands_beside_its_field(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    sign_in(client, OFFICER)
    token = csrf_of(client.get(FORM).text)
    facts = "当事人超范围经营。"
    status, html = _post(
        client,
        token,
        _form(w, facts=facts, act_on="2026-02-30", officer_ids=[str(w.officers[0].id), "²"],
              origin_ref="文" * 121, enterprise_id="²", record_id="9" * 20),
    )  # fmt: skip
    assert status == 422 and _the_form(html)
    assert _error_beside(html, "act_on") == "「违法行为发生日期」应为日期（YYYY-MM-DD）。"
    assert _error_beside(html, "officer_ids") == "「承办人员」应为整数。"
    assert _error_beside(html, "origin_ref") == "「移送、交办文号」最多120个字。"
    assert _error_beside(html, "enterprise_id") == "「当事人（企业）」应为整数。"
    assert _error_beside(html, "record_id") == f"「检查笔录」不能大于{MAX_ID}。"
    assert 'name="act_on" value="2026-02-30"' in html and f">{facts}</textarea>" in html
    assert _cases(db) == 0


def test_a_record_not_sent_for_a_case_is_refused_on_the_form(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    task = make_task(db, w.enterprise, [w.subject], outcome="rectify")
    record = db.scalar(select(InspectionRecord).where(InspectionRecord.task_id == task.id))
    assert record is not None
    db.commit()
    sign_in(client, OFFICER)
    token = csrf_of(client.get(FORM).text)
    status, html = _post(client, token, _form(w, origin="record", record_id=str(record.id)))
    assert status == 409 and _the_form(html)  # a state conflict: the summary says why
    assert "处理结果不是“移送立案”" in html
    assert '<option value="record" selected' in html
    assert f'name="record_id" value="{record.id}" checked' in html  # kept though not listed
    assert _cases(db) == 0


def test_a_refused_prefilled_form_shows_what_was_typed_over_the_prefill(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    clue = Clue(
        source="hotline", region_code="330802", description="群众反映销售过期食品",
        created_at=utcnow(), enterprise_id=w.enterprise.id,
    )  # fmt: skip
    db.add(clue)
    db.flush()
    audit.record(db, actor=personas.admin, action="test.clue", obj=clue)
    db.commit()
    sign_in(client, OFFICER)
    back = f"{FORM}?clue_id={clue.id}"
    token = csrf_of(client.get(back).text)
    typed = "核实后：当事人销售过期食品八件。"
    status, html = _post(
        client,
        token,
        _form(w, _back=back, origin="clue", clue_id=str(clue.id), facts=typed, found_on=""),
    )
    assert status == 422 and _the_form(html)
    assert _error_beside(html, "found_on") == "请填写线索发现日期。"
    assert f">{typed}</textarea>" in html and ">群众反映销售过期食品</textarea>" not in html
    assert f'name="clue_id" value="{clue.id}" checked' in html
    assert _cases(db) == 0
