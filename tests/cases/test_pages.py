"""The case pages — the list, the opening form and the case page — for each persona: the
officer and the subject's admin work their cases, the reviewer sees what was sent, the
supervisor reads without action links, another subject's officer gets 404, the enterprise
reads its own decided cases (both databases)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cases import FILED, Setup, data, filed, opened, setup
from tests.conftest import Personas, csrf_of, sign_in
from tests.inspections import add_enterprise
from tests.oversight.test_rules import make_task
from tests.web.test_query_counts import queries_for
from wurao.cases import decision, investigation, notice, service
from wurao.cases.models import PenaltyCase
from wurao.core import audit
from wurao.core.time import utcnow
from wurao.demo.identifiers import make_ric
from wurao.inspections.models import InspectionRecord
from wurao.oversight.models import Clue

NOW = utcnow()
TODAY = dt.date(2026, 12, 5)  # D3 of a case filed on 2026-09-02 ran out on 2026-12-01

OFFICER, ADMIN, REVIEWER = "kc_scjg_zhang", "kc_scjg_admin", "kc_scjg_fzsh"
SUPERVISOR, NEIGHBOUR, STRANGER, ENTERPRISE = "kc_sfj", "qj_sfj", "kc_yjj_li", "qiye_demo"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages count deadlines from a fixed day, whatever the machine's date."""
    monkeypatch.setattr("wurao.cases.pages.local_today", lambda: TODAY)


@pytest.fixture
def w(db: Session) -> Setup:
    return setup(db)


def _sent_for_review(db: Session, p: Personas, case: PenaltyCase) -> None:
    notice.serve_notice(
        db, actor=p.officer, case=case, kinds={"warning"}, fine_fen=0, served_on=FILED,
        hearing_rights=False,
    )  # fmt: skip
    notice.record_defence(db, actor=p.officer, case=case, on=FILED, waived=True)
    decision.send_review(db, actor=p.officer, case=case, on=FILED)


def _act_links(html: str, case_id: int) -> set[str]:
    return set(re.findall(rf'href="/cases/{case_id}/act/([a-z_]+)"', html))


# --- the list ------------------------------------------------------------------------------


def test_list_shows_each_persona_its_own_cases(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    case = filed(db, personas, w)
    db.commit()
    for user in (OFFICER, ADMIN, SUPERVISOR):
        sign_in(client, user)
        page = client.get("/cases")
        assert page.status_code == 200, user
        assert case.number in page.text and w.enterprise.name in page.text, user
        assert 'href="/cases"' in page.text  # the nav entry 行政处罚
    for user in (STRANGER, NEIGHBOUR, REVIEWER):  # another subject, county; not sent yet
        sign_in(client, user)
        page = client.get("/cases")
        assert page.status_code == 200 and case.number not in page.text, user
        assert "没有符合条件的案件" in page.text
    sign_in(client, ENTERPRISE)
    assert client.get("/cases").status_code == 403
    assert case.number not in client.get("/enterprise/cases").text  # not decided yet


def test_list_next_deadline_is_red_when_overdue_and_filters(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    late = filed(db, personas, w)  # D3: filed 2026-09-02, due 2026-12-01
    recent = data(w, found_on=dt.date(2026, 12, 1), act_on=dt.date(2026, 11, 30))
    lead = service.open_case(db, actor=personas.officer, data=recent, today=TODAY)
    db.commit()
    sign_in(client, OFFICER)
    page = client.get("/cases").text
    row = page.split(late.number)[1].split("</tr>")[0]
    assert "作出处罚决定期限 2026-12-01" in row and 'class="late"' in row and "已逾期4日" in row
    row = page.split(lead.number)[1].split("</tr>")[0]
    assert "决定是否立案期限" in row and "剩余" in row and 'class="late"' not in row
    overdue = client.get("/cases?overdue=1").text
    assert late.number in overdue and lead.number not in overdue
    leads = client.get("/cases?status=lead").text
    assert lead.number in leads and late.number not in leads
    found = client.get("/cases", params={"q": "不存在的当事人"}).text
    assert late.number not in found and lead.number not in found
    by_number = client.get("/cases", params={"q": lead.number}).text
    assert lead.number in by_number and late.number not in by_number
    assert late.number not in client.get("/cases?procedure=simple").text
    assert late.number not in client.get("/cases?year=2025").text
    assert late.number in client.get("/cases?year=2026&procedure=ordinary").text
    bad = client.get("/cases?status=nonsense")
    assert bad.status_code == 422 and "案件状态不正确" in bad.text


def test_supervisor_filters_by_subject(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    case = filed(db, personas, w)
    db.commit()
    sign_in(client, SUPERVISOR)
    page = client.get("/cases").text
    assert 'name="subject"' in page and w.subject.name in page
    assert case.number in client.get(f"/cases?subject={w.subject.id}").text
    assert case.number not in client.get(f"/cases?subject={w.subject.id + 1000}").text
    sign_in(client, OFFICER)
    assert 'name="subject"' not in client.get("/cases").text


def test_person_party_is_masked_in_the_list_and_found_by_the_whole_id(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    ric = make_ric("330802", dt.date(1990, 1, 2), 5)
    case = opened(
        db, personas, w, party_kind="person", person_name="赵六", person_ric=ric,
        enterprise_id=None,
    )  # fmt: skip
    db.commit()
    sign_in(client, OFFICER)
    page = client.get("/cases").text
    assert "赵六（330802" in page and ric not in page
    assert case.number in client.get("/cases", params={"q": ric}).text
    detail = client.get(f"/cases/{case.id}").text
    assert "赵六（330802" in detail and ric not in detail


def test_the_list_has_no_n_plus_one(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    filed(db, personas, w)
    opened(db, personas, w)
    db.commit()
    sign_in(client, OFFICER)
    few = queries_for(client, db, "/cases")
    for i in range(28):
        case = filed(db, personas, w) if i % 2 else opened(db, personas, w)
        if i % 3 == 0 and case.status == "investigating":
            investigation.suspend(
                db, actor=personas.officer, case=case, kind="testing",
                starts_on=dt.date(2026, 9, 10), reason="送检",
            )  # fmt: skip
    db.commit()
    assert queries_for(client, db, "/cases") == few
    assert queries_for(client, db, "/cases?overdue=1") <= few + 1


# --- the case page ---------------------------------------------------------------------------


def test_case_page_for_each_persona(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    case = filed(db, personas, w)
    db.commit()
    sign_in(client, OFFICER)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    for text in (case.number, w.enterprise.name, "作出处罚决定期限", "D3", "已逾期", "现场照片"):
        assert text in page.text, text
    assert "立案" in page.text and "执法主体负责人（作出决定）" in page.text
    assert _act_links(page.text, case.id) >= {"evidence", "suspend", "extend", "notify"}
    assert "file" not in _act_links(page.text, case.id)  # already filed
    assert "review_pass" not in _act_links(page.text, case.id)  # the reviewer's step
    sign_in(client, ADMIN)
    assert "notify" in _act_links(client.get(f"/cases/{case.id}").text, case.id)
    sign_in(client, SUPERVISOR)
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200 and case.number in page.text
    assert not _act_links(page.text, case.id) and "可办理的操作" not in page.text
    for user in (STRANGER, NEIGHBOUR, REVIEWER):
        sign_in(client, user)
        assert client.get(f"/cases/{case.id}").status_code == 404, user
    sign_in(client, ENTERPRISE)
    assert client.get(f"/cases/{case.id}").status_code == 403
    assert client.get(f"/enterprise/cases/{case.id}").status_code == 404


def test_reviewer_sees_the_sent_case_with_its_review_actions(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    case = filed(db, personas, w)
    _sent_for_review(db, personas, case)
    db.commit()
    sign_in(client, REVIEWER)
    assert case.number in client.get("/cases").text
    page = client.get(f"/cases/{case.id}").text
    assert _act_links(page, case.id) == {"review_pass", "review_return"}
    assert "法制审核" in page
    sign_in(client, OFFICER)
    links = _act_links(client.get(f"/cases/{case.id}").text, case.id)
    assert "review_pass" not in links and "withdraw" in links


def test_lead_offers_filing_and_the_enterprise_reads_its_decided_case(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    lead = opened(db, personas, w)
    case = filed(db, personas, w)
    other = filed(db, personas, w, enterprise_id=add_enterprise(db).id)
    for c in (case, other):
        c.status, c.decided_on, c.outcome = "decided", dt.date(2026, 9, 20), "penalty"
        c.decision_kinds, c.fine_fen = "|fine|", 300_000
    db.commit()
    sign_in(client, OFFICER)
    links = _act_links(client.get(f"/cases/{lead.id}").text, lead.id)
    assert {"file", "not_file", "approve_filing_extension"} <= links
    assert "decide_on_spot" not in links  # the simple procedure's step
    sign_in(client, ENTERPRISE)
    mine = client.get("/enterprise/cases")
    assert mine.status_code == 200
    assert case.number in mine.text and other.number not in mine.text
    assert lead.number not in mine.text and "我的案件" in mine.text
    page = client.get(f"/enterprise/cases/{case.id}")
    assert page.status_code == 200
    assert "3,000.00 元" in page.text and "罚款" in page.text
    assert "现场照片" not in page.text and "办案过程" not in page.text  # internal file
    assert not _act_links(page.text, case.id)
    assert client.get(f"/enterprise/cases/{other.id}").status_code == 404


# --- the opening form ------------------------------------------------------------------------


def _form(w: Setup, **changes: str | list[str]) -> dict[str, str | list[str]]:
    values: dict[str, str | list[str]] = {
        "origin": "own",
        "procedure": "ordinary",
        "party_kind": "enterprise",
        "enterprise_id": str(w.enterprise.id),
        "act_on": "2026-11-20",
        "found_on": "2026-11-25",
        "facts": "当事人销售不合格产品。",
        "provisions_breached": "《产品质量法》第四十九条",
        "officer_ids": [str(o.id) for o in w.officers],
    }
    values.update(changes)
    return values


def test_open_a_case_from_the_form(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    inspected = add_enterprise(db)
    make_task(db, inspected, [w.subject], outcome="none")
    db.commit()
    sign_in(client, OFFICER)
    page = client.get("/cases/new")
    assert page.status_code == 200
    for o in w.officers:
        assert f'value="{o.id}"' in page.text
    assert f'name="enterprise_id" value="{inspected.id}"' in page.text  # inspected by us
    assert w.enterprise.name not in page.text  # never inspected by this subject
    assert 'name="enterprise_uscc"' not in page.text  # no typed ids (issue 19 item 1)
    assert "没有移送立案的检查笔录" in page.text and 'type="text" name="record_id"' not in page.text
    found = client.get("/cases/new/enterprises", params={"q": w.enterprise.uscc}).text
    assert f'name="enterprise_id" value="{w.enterprise.id}"' in found
    assert w.enterprise.name in client.get("/cases/new/enterprises", params={"q": "示例制造"}).text
    resp = client.post(
        "/cases/new", data={**_form(w), "csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert resp.status_code == 303, resp.text
    case_id = int(resp.headers["location"].rsplit("/", 1)[1])
    case = db.get(PenaltyCase, case_id)
    assert case is not None and case.status == "lead" and case.enterprise_id == w.enterprise.id
    shown = client.get(resp.headers["location"]).text
    assert "已登记案件" in shown and case.number in shown and "决定是否立案期限" in shown


def test_the_record_links_to_a_prefilled_form(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    task = make_task(
        db, w.enterprise, [w.subject], outcome="case", officers=tuple(o.id for o in w.officers)
    )
    record = db.scalar(select(InspectionRecord).where(InspectionRecord.task_id == task.id))
    assert record is not None
    record.findings = "现场发现过期食品十二件。"
    record.started_at = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
    rectified = make_task(db, w.enterprise, [w.subject], outcome="rectify")
    for r in db.scalars(select(InspectionRecord).where(InspectionRecord.task_id == rectified.id)):
        r.started_at = record.started_at
    db.commit()
    link = f'href="/cases/new?record_id={record.id}"'
    sign_in(client, OFFICER)
    assert link in client.get(f"/tasks/{task.id}/record").text
    form = client.get(f"/cases/new?record_id={record.id}")
    assert form.status_code == 200
    assert "现场发现过期食品十二件。" in form.text
    assert f'name="record_id" value="{record.id}"' in form.text
    assert 'name="act_on" value="2026-11-02"' in form.text
    assert f'name="enterprise_id" value="{w.enterprise.id}" checked' in form.text
    assert all(f'value="{o.id}" checked' in form.text for o in w.officers)
    sign_in(client, SUPERVISOR)  # reads the record, does not handle cases
    assert link not in client.get(f"/tasks/{task.id}/record").text
    sign_in(client, OFFICER)
    page = client.get(f"/tasks/{rectified.id}/record").text
    assert "责令整改" in page and "/cases/new?record_id=" not in page


def test_stranger_and_supervisor_cannot_open_cases(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    sign_in(client, SUPERVISOR)
    assert client.get("/cases/new").status_code == 403
    sign_in(client, REVIEWER)
    assert client.get("/cases/new").status_code == 403
    sign_in(client, STRANGER)  # another subject's officer: its own subject's form
    page = client.get("/cases/new")
    assert page.status_code == 200 and w.officers[0].name not in page.text


def test_a_clue_of_the_region_prefills_the_form_and_another_region_does_not(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    far = Clue(source="hotline", region_code="330803", description="衢江区的线索", created_at=NOW)
    near = Clue(
        source="hotline", region_code="330802", description="柯城区的线索", created_at=NOW,
        enterprise_id=w.enterprise.id,
    )  # fmt: skip
    db.add_all([far, near])
    db.flush()
    audit.record(db, actor=personas.admin, action="test.clue", obj=far, covers=[near])
    db.commit()
    sign_in(client, OFFICER)
    form = client.get(f"/cases/new?clue_id={near.id}")
    assert form.status_code == 200 and "柯城区的线索" in form.text
    assert f'name="clue_id" value="{near.id}"' in form.text
    assert '<option value="clue" selected' in form.text
    assert f'name="enterprise_id" value="{w.enterprise.id}" checked' in form.text
    refused = client.get(f"/cases/new?clue_id={far.id}")
    assert refused.status_code == 422 and "衢江区的线索" not in refused.text
    assert 'id="err-clue_id"' in refused.text
