"""D20: a decision's publication is due by its field's working days (across the 2026 National
Day holiday), a changed or revoked one is withdrawn within three working days, and the public
portal names a person by surname only (both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.cases import Setup, filed, setup
from tests.cases.test_documents import decided
from tests.conftest import Personas, sign_in
from wurao.cases import publication
from wurao.core.errors import Conflict, InvalidInput

# 2026: 1–7 Oct are holidays, Sat 10 Oct is a working day.
DECIDED = dt.date(2026, 10, 13)


@pytest.fixture
def w(db: Session) -> Setup:
    return setup(db)


def test_d20_due_dates_by_field_across_national_day(
    db: Session, personas: Personas, w: Setup
) -> None:
    clock = publication.PUBLISH_CLOCK
    start = dt.date(2026, 9, 29)
    # 7 working days: 30 Sep, 8, 9, 10 (Sat, worked), 12, 13, 14 Oct
    assert clock.field_deadline(start, "330802", "生态环境") == dt.date(2026, 10, 14)
    # 市场监管: 20 working days (SAMR 公示规定 第9条)
    assert clock.field_deadline(start, "330802", "市场监管") == dt.date(2026, 11, 2)
    assert clock.shortest(start) == 7  # the sweep's pre-filter: the shortest field's period
    case = decided(db, personas, w)
    row = publication.open_publication(db, actor=personas.officer, case=case)
    assert row.required and row.decided_on == DECIDED
    expected = clock.field_deadline(DECIDED, case.region_code, case.field)
    assert row.due_on == expected
    assert publication.open_publication(db, actor=personas.officer, case=case) is row


def test_d20_late_publication_is_a_warning_and_a_deadline(
    db: Session, personas: Personas, w: Setup
) -> None:
    w.subject.field = "生态环境"  # the default: 7 working days from 13 Oct end on 22 Oct
    case = decided(db, personas, w)
    assert case.field == "生态环境"
    deadlines = publication.publication_deadlines(db, case, dt.date(2026, 10, 26))
    assert [(d.deadline, d.state, d.days_left) for d in deadlines] == [
        (dt.date(2026, 10, 22), "已逾期", -2)
    ]
    assert deadlines[0].rule.id == publication.PUBLISH_CLOCK.rule.id
    with pytest.raises(InvalidInput) as exc:
        publication.publish(db, actor=personas.officer, case=case, on=dt.date(2026, 10, 1))
    assert exc.value.field == "on"
    with pytest.raises(Exception, match="只能办理"):
        publication.publish(db, actor=personas.other_officer, case=case, on=dt.date(2026, 10, 26))
    done = publication.publish(db, actor=personas.officer, case=case, on=dt.date(2026, 10, 26))
    assert [v.rule_id for v in done.warnings] == [publication.PUBLISH_CLOCK.rule.id]
    [d] = publication.publication_deadlines(db, case, dt.date(2026, 10, 27))
    assert d.met_on == dt.date(2026, 10, 26) and d.state == "逾期完成"
    with pytest.raises(Conflict):
        publication.publish(db, actor=personas.officer, case=case, on=dt.date(2026, 10, 27))


def test_d20_on_time_publication_has_no_warning(db: Session, personas: Personas, w: Setup) -> None:
    case = decided(db, personas, w)
    done = publication.publish(db, actor=personas.officer, case=case, on=DECIDED)
    assert done.warnings == []
    undecided = filed(db, personas, w, provisions_breached="《食品安全法》第三十四条")
    assert publication.publication_deadlines(db, undecided, DECIDED) == []
    with pytest.raises(Conflict):
        publication.publish(db, actor=personas.officer, case=undecided, on=DECIDED)


def test_d20_withdrawal_within_three_working_days(
    db: Session, personas: Personas, w: Setup
) -> None:
    case = decided(db, personas, w)
    publication.publish(db, actor=personas.officer, case=case, on=DECIDED)
    # three working days from Wed 30 Sep: 8, 9 and Sat 10 Oct (a working day)
    assert publication.WITHDRAW_CLOCK.deadline(dt.date(2026, 9, 30), "330802") == dt.date(
        2026, 10, 10
    )
    with pytest.raises(InvalidInput):
        publication.record_change(
            db, actor=personas.officer, case=case, changed_on=dt.date(2026, 9, 30), reason="撤销"
        )
    row = publication.record_change(
        db, actor=personas.officer, case=case, changed_on=dt.date(2026, 10, 14), reason="复议撤销"
    )
    assert row.withdraw_due_on == dt.date(2026, 10, 19)
    deadlines = publication.publication_deadlines(db, case, dt.date(2026, 10, 20))
    assert [d.state for d in deadlines] == ["已按期完成", "已逾期"]
    with pytest.raises(InvalidInput) as exc:
        publication.withdraw_publication(
            db, actor=personas.officer, case=case, reason=" ", on=dt.date(2026, 10, 20)
        )
    assert exc.value.field == "reason"
    done = publication.withdraw_publication(
        db, actor=personas.officer, case=case, reason="行政复议决定撤销原处罚决定",
        on=dt.date(2026, 10, 20),
    )  # fmt: skip
    assert [v.rule_id for v in done.warnings] == [publication.WITHDRAW_CLOCK.rule.id]
    assert row.withdrawn_on == dt.date(2026, 10, 20)
    with pytest.raises(Conflict):
        publication.withdraw_publication(
            db, actor=personas.officer, case=case, reason="再次", on=dt.date(2026, 10, 21)
        )


def test_the_portal_hides_a_person_and_drops_withdrawn_decisions(
    db: Session, personas: Personas, w: Setup, client: TestClient
) -> None:
    from wurao.demo.identifiers import make_ric

    ric = make_ric("330802", dt.date(1990, 1, 2), 5)
    facts = f"当事人赵六（身份证号{ric}）销售不合格产品。"
    case = decided(
        db, personas, w, party_kind="person", person_name="赵六", person_ric=ric, facts=facts
    )
    publication.publish(db, actor=personas.officer, case=case, on=DECIDED)
    row = publication.get_publication(db, case)
    assert row is not None
    listing = client.get("/public/decisions", params={"region": "330802", "year": "2026"})
    assert listing.status_code == 200
    detail = client.get(f"/public/decisions/{row.id}")
    for page in (listing.text, detail.text):
        assert "赵某" in page and ric not in page and "赵六" not in page
    assert "销售不合格产品" in detail.text
    assert "赵某" not in client.get("/public/decisions", params={"field": "生态环境"}).text
    assert client.get("/public/decisions", params={"region": "99"}).status_code == 422
    publication.withdraw_publication(
        db, actor=personas.officer, case=case, reason="复议撤销", on=dt.date(2026, 10, 14)
    )
    assert "赵某" not in client.get("/public/decisions").text
    assert client.get(f"/public/decisions/{row.id}").status_code == 404


def test_publish_and_withdraw_pages(
    db: Session, personas: Personas, w: Setup, client: TestClient
) -> None:
    case = decided(db, personas, w)
    token = sign_in(client, "kc_scjg_zhang")
    url = f"/cases/{case.id}/publication"
    htmx = {"HX-Request": "true"}
    bad = client.post(
        f"{url}/publish", data={"csrf_token": token, "on": "2026-10-01"}, headers=htmx
    )
    assert (
        bad.status_code == 200 and "公开日期早于决定日期" in bad.text and "2026-10-01" in bad.text
    )
    ok = client.post(f"{url}/publish", data={"csrf_token": token, "on": "2026-10-13"}, headers=htmx)
    assert "处罚决定已公开" in ok.text and "撤回公开" in ok.text
    refused = client.post(
        f"{url}/withdraw", data={"csrf_token": token, "reason": "", "on": "2026-10-14"},
        headers=htmx,
    )  # fmt: skip
    assert "请填写撤回理由" in refused.text
    done = client.post(
        f"{url}/withdraw",
        data={"csrf_token": token, "reason": "复议撤销", "on": "2026-10-14"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    row = publication.get_publication(db, case)
    assert row is not None and row.withdrawn_on == dt.date(2026, 10, 14)
