"""The form of each step of a case (both databases): every form renders in its stage under the
rules that guard it; a good post advances the case; a bad field or a failed rule brings the
form back with what was typed and nothing written; a step out of order is refused; a
supervisor or another subject's officer cannot act; amounts in 元 become fen exactly."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.cases import FILED, Setup, filed, opened, setup
from tests.conftest import Personas, sign_in
from tests.inspections import add_officer
from wurao.cases import clocks, decision, execution, investigation, notice
from wurao.cases.models import PenaltyCase
from wurao.cases.stage_forms import FORMS, form_yuan, yuan_input
from wurao.core import rules as catalogue
from wurao.core.config import get_settings
from wurao.core.errors import InvalidInput
from wurao.core.time import local_today

REASONS = "当事人销售的产品经检验不合格，依据裁量基准在法定幅度内处罚。"
NOTICE_ON = dt.date(2026, 9, 29)


@pytest.fixture
def w(db: Session, personas: Personas) -> Setup:
    built = setup(db)
    add_officer(db, built.subject, user_id=personas.legal_reviewer.user_id, legal_qualified=True)
    db.flush()
    return built


def _url(case: PenaltyCase, action: str) -> str:
    return f"/cases/{case.id}/act/{action}"


def _form_ok(client: TestClient, case: PenaltyCase, action: str) -> str:
    page = client.get(_url(case, action))
    assert page.status_code == 200, (action, page.text[:500])
    assert f'action="{_url(case, action)}"' in page.text
    for rule in FORMS[action].rules:
        assert rule.id in page.text and rule.title in page.text, (action, rule.id)
    return page.text


def _fresh(db: Session, case: PenaltyCase) -> PenaltyCase:
    """The case as stored now (each request closes the test's session, detaching it)."""
    found = db.get(PenaltyCase, case.id, populate_existing=True)
    assert found is not None
    return found


def _status(db: Session, case: PenaltyCase) -> str:
    return _fresh(db, case).status


def _notified(db: Session, p: Personas, w: Setup, **changes: object) -> PenaltyCase:
    case = filed(db, p, w, **changes)
    notice.serve_notice(
        db, actor=p.officer, case=case, kinds={"fine"}, fine_fen=1_000_000,
        served_on=NOTICE_ON, hearing_rights=True,
    )  # fmt: skip
    return case


def test_every_form_renders_in_the_stage_that_allows_it(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    p = personas
    lead = opened(db, p, w)
    spot = opened(db, p, w, procedure="simple")
    investigating = filed(db, p, w)
    investigation.suspend(
        db, actor=p.officer, case=investigating, kind="testing",
        starts_on=dt.date(2026, 9, 3), reason="抽样检测",
    )  # fmt: skip
    notified = _notified(db, p, w)
    hearing = _notified(db, p, w)
    notice.request_hearing(db, actor=p.officer, case=hearing, requested_on=dt.date(2026, 9, 30))
    review = _notified(db, p, w)
    notice.record_defence(db, actor=p.officer, case=review, on=NOTICE_ON, waived=True)
    decision.send_review(db, actor=p.officer, case=review, on=dt.date(2026, 10, 9))
    decided = _notified(db, p, w)
    notice.record_defence(db, actor=p.officer, case=decided, on=NOTICE_ON, waived=True)
    decision.send_review(db, actor=p.officer, case=decided, on=dt.date(2026, 10, 9))
    decision.record_review(
        db, actor=p.legal_reviewer, case=decided, passed=True, opinion="同意",
        on=dt.date(2026, 10, 10),
    )  # fmt: skip
    decision.decide(
        db, actor=p.officer, case=decided, kinds={"fine"}, fine_fen=1_000_000, reasons=REASONS,
        remedy=decision.REMEDY_HINT, decided_on=dt.date(2026, 10, 12),
    )  # fmt: skip
    served = _notified(db, p, w)
    served.status = "decided"  # the steps before are the flow's; only the stage matters here
    served.decided_on, served.fine_fen = dt.date(2026, 10, 12), 1_000_000
    execution.serve(db, actor=p.officer, case=served, served_on=dt.date(2026, 10, 13), how="mail")
    db.commit()
    sign_in(client, "kc_scjg_zhang")
    where = {
        lead: ["file", "not_file", "approve_filing_extension", "evidence", "suspend"],
        spot: ["decide_on_spot"],
        investigating: [
            "evidence", "suspend", "end_suspension", "extend", "notify", "send_review",
            "decide_no_penalty", "withdraw",
        ],
        notified: ["defence", "request_hearing", "discuss", "decide", "notify", "send_review"],
        hearing: ["notify_hearing", "hold_hearing", "defence"],
        decided: ["serve"],
        served: ["remedy", "pay", "close"],
    }  # fmt: skip
    seen = {a for actions in where.values() for a in actions}
    for case, actions in where.items():
        for action in actions:
            _form_ok(client, case, action)
    # the decision shows the case so far, and starts from the notice's proposal
    page = _form_ok(client, notified, "decide")
    assert "当事人销售不合格产品。" in page and "拟罚款（罚款10,000元）" in page
    assert re.search(r'name="fine"[^>]*value="10000"', page)
    assert re.search(r'value="fine" checked', page)
    # the payment starts from the fine due; the suspension to end is offered by its kind
    due = yuan_input(1_000_000 + execution.late_surcharge_fen(served, local_today()))
    assert re.search(rf'name="amount"[^>]*value="{due}"', _form_ok(client, served, "pay"))
    assert "检测、检验、检疫、鉴定（2026-09-03起）" in _form_ok(
        client, investigating, "end_suspension"
    )
    # the presiding officer is chosen among the subject's officers
    assert w.presiding.name in _form_ok(client, hearing, "notify_hearing")
    # the reviewer's two steps are the reviewer's
    sign_in(client, "kc_scjg_fzsh")
    for action in ("review_pass", "review_return"):
        _form_ok(client, review, action)
    seen |= {"review_pass", "review_return"}
    assert seen == set(FORMS)


def test_a_case_through_the_forms(
    client: TestClient,
    db: Session,
    personas: Personas,
    w: Setup,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "var_dir", tmp_path)
    case = opened(db, personas, w)
    db.commit()
    csrf = sign_in(client, "kc_scjg_zhang")

    def post(action: str, data: dict[str, object], **kw: object) -> None:
        r = client.post(
            _url(case, action), data={"csrf_token": csrf, **data}, follow_redirects=False, **kw
        )  # type: ignore[arg-type]
        assert r.status_code == 303, (action, r.status_code, r.text[:800])
        assert r.headers["location"] == f"/cases/{case.id}"

    post("file", {"on": FILED.isoformat()})
    assert _status(db, case) == "investigating"
    content = b"%PDF-1.4 inspection report"
    post(
        "evidence",
        {"description": "证明产品不合格"},
        files={"file": ("检验报告.pdf", content, "application/pdf")},
    )
    digest = hashlib.sha256(content).hexdigest()
    assert (tmp_path / "evidence" / digest).read_bytes() == content
    post("evidence", {"filename": "执法记录仪视频", "sha256": "cd" * 32, "uri": "nas://dv/1"})
    assert [e.sha256 for e in investigation.evidence_of(db, case)] == [digest, "cd" * 32]
    post("notify", {"served_on": "2026-09-29", "kinds": ["fine", "warning"], "fine": "10000.5"})
    now = _fresh(db, case)
    assert now.notice_fine_fen == 1_000_050 and now.notice_kinds == "|warning|fine|"
    post("defence", {"on": "2026-09-30", "note": "当事人称系初次违法，已下架。"})
    post("send_review", {"on": "2026-10-09"})
    assert _status(db, case) == "review"
    reviewer = sign_in(client, "kc_scjg_fzsh")
    post(
        "review_pass",
        {"on": "2026-10-12", "opinion": "事实清楚，证据确凿。", "csrf_token": reviewer},
    )
    assert _status(db, case) == "reviewed"
    csrf = sign_in(client, "kc_scjg_zhang")
    decided = {"decided_on": "2026-10-13", "kinds": ["fine", "warning"], "fine": "10000.50"}
    post("decide", {**decided, "reasons": REASONS, "remedy": decision.REMEDY_HINT})
    now = _fresh(db, case)
    assert now.status == "decided" and now.fine_fen == 1_000_050 and now.reasons == REASONS
    post("serve", {"served_on": "2026-10-14", "how": "direct"})
    post(
        "pay",
        {"paid_on": "2026-10-20", "amount": "10000.50", "channel": "bank", "payment_ref": "330-1"},
    )
    now = _fresh(db, case)
    assert now.status == "executed" and now.paid_fen == 1_000_050 and now.payment_ref == "330-1"
    post("close", {"on": "2026-10-21", "note": "归档"})
    assert _status(db, case) == "closed"


def test_a_bad_field_comes_back_beside_it_with_what_was_typed(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    case = filed(db, personas, w)
    db.commit()
    csrf = sign_in(client, "kc_scjg_zhang")
    typed = {"served_on": "2026-09-29", "kinds": ["fine"], "fine": "3000.555", "csrf_token": csrf}
    r = client.post(_url(case, "notify"), data={**typed, "confiscation": "12.5"})
    assert r.status_code == 422
    assert re.search(r'id="err-fine"[^>]*>金额最多保留两位小数', r.text)
    assert 'value="3000.555"' in r.text and 'value="12.5"' in r.text
    assert 'value="2026-09-29"' in r.text and 'value="fine" checked' in r.text
    assert _status(db, case) == "investigating"
    # a date the service refuses (before filing) is shown beside the date, nothing written
    early = client.post(
        _url(case, "notify"), data={**typed, "fine": "3000", "served_on": "2026-09-01"}
    )
    assert early.status_code == 422 and 'id="err-served_on"' in early.text
    assert _fresh(db, case).notice_served_on is None
    # a malformed date, and a reason left blank
    bad = client.post(_url(case, "withdraw"), data={"csrf_token": csrf, "on": "2026-13-01"})
    assert bad.status_code == 422 and 'id="err-on"' in bad.text and "YYYY-MM-DD" in bad.text
    blank = client.post(_url(case, "withdraw"), data={"csrf_token": csrf, "on": "2026-10-01"})
    assert blank.status_code == 422 and re.search(
        r'id="err-reason"[^>]*>请填写撤案理由', blank.text
    )
    # evidence with neither a file nor a recording's digest
    none = client.post(_url(case, "evidence"), data={"csrf_token": csrf, "description": "照片"})
    assert (
        none.status_code == 422 and 'id="err-file"' in none.text and ">照片</textarea>" in none.text
    )


def test_a_blocking_rule_is_listed_and_nothing_is_written(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    case = filed(db, personas, w)
    old = opened(db, personas, w, act_on=dt.date(2024, 8, 31))
    db.commit()
    csrf = sign_in(client, "kc_scjg_zhang")
    # D6: a fine of 60 000 元 to an organisation must come with hearing rights
    heavy = {"served_on": "2026-09-29", "kinds": ["fine"], "fine": "60000", "csrf_token": csrf}
    r = client.post(_url(case, "notify"), data=heavy)
    assert r.status_code == 422 and 'id="refused"' in r.text and 'class="violations"' in r.text
    assert catalogue.D6.id in r.text and catalogue.D6.title in r.text
    assert 'value="60000"' in r.text
    assert _status(db, case) == "investigating"
    # D1: an act discovered more than two years later cannot be filed
    late = client.post(_url(old, "file"), data={"on": "2026-09-02", "csrf_token": csrf})
    assert late.status_code == 422 and catalogue.D1.id in late.text
    assert _status(db, old) == "lead"
    # D4, D10, D12 on a decision attempted the day after the notice: every failure is listed
    # and nothing of the decision is stored
    client.post(_url(case, "notify"), data={**heavy, "hearing_rights": "1"})
    attempt = {"decided_on": "2026-09-30", "kinds": ["fine"], "fine": "60000", "reasons": ""}
    d = client.post(_url(case, "decide"), data={**attempt, "remedy": "", "csrf_token": csrf})
    assert d.status_code == 422
    for rule in (catalogue.D4, catalogue.D10, catalogue.D12):
        assert rule.id in d.text
    now = _fresh(db, case)
    assert now.status == "notified" and now.decided_on is None and now.fine_fen == 0


def test_warnings_are_flashed_with_their_rule(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    case = opened(db, personas, w)
    db.commit()
    csrf = sign_in(client, "kc_scjg_zhang")
    # D2: filed more than fifteen working days after discovery
    r = client.post(
        _url(case, "file"), data={"on": "2026-10-30", "csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303 and _status(db, case) == "investigating"
    home = client.get("/")
    assert f"{catalogue.D2.id}「{catalogue.D2.title}」" in home.text and "已办理：立案" in home.text


def test_a_step_out_of_order_and_an_unknown_step_are_refused(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    case = filed(db, personas, w)
    db.commit()
    csrf = sign_in(client, "kc_scjg_zhang")
    assert client.get(_url(case, "serve")).status_code == 409
    assert client.get(_url(case, "end_suspension")).status_code == 409  # none is open
    assert client.get(_url(case, "approve_filing_extension")).status_code == 409  # filed
    refused = client.post(_url(case, "pay"), data={"csrf_token": csrf, "amount": "1"})
    assert refused.status_code == 409 and "不能登记缴款" in refused.text
    assert client.get(_url(case, "fly")).status_code == 404
    assert client.get(f"/cases/{case.id}/act/FILE").status_code in (404, 422)
    assert client.get("/cases/999999/act/file").status_code == 404
    # the reviewer's steps are not the officer's
    assert client.get(_url(case, "review_pass")).status_code == 403
    # a refusal by the service itself (an overlapping suspension) keeps the form as typed
    pause = {"kind": "testing", "starts_on": "2026-09-03", "reason": "抽样检测", "csrf_token": csrf}
    first = client.post(_url(case, "suspend"), data=pause, follow_redirects=False)
    assert first.status_code == 303
    again = client.post(_url(case, "suspend"), data={**pause, "reason": "复检"})
    assert again.status_code == 409 and 'id="refused"' in again.text
    assert "重叠" in again.text and ">复检</textarea>" in again.text
    assert len(clocks.suspensions(db, _fresh(db, case))) == 1


def test_a_supervisor_or_another_subjects_officer_cannot_act(
    client: TestClient, db: Session, personas: Personas, w: Setup
) -> None:
    case = opened(db, personas, w)
    db.commit()
    for username, code in (("kc_sfj", 403), ("kc_yjj_li", 404), ("qiye_demo", 403)):
        csrf = sign_in(client, username)
        assert client.get(_url(case, "file")).status_code == code, username
        posted = client.post(_url(case, "file"), data={"on": "2026-09-02", "csrf_token": csrf})
        assert posted.status_code == code, username
    assert _status(db, case) == "lead"
    # a form without the CSRF token is refused
    sign_in(client, "kc_scjg_zhang")
    assert client.post(_url(case, "file"), data={"on": "2026-09-02"}).status_code == 403
    assert _status(db, case) == "lead"


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("3000", 300_000),
        ("3000.5", 300_050),
        ("3000.50", 300_050),
        ("0.01", 1),
        (" 3000 ", 300_000),
        ("3000元", 300_000),
        ("３０００", 300_000),
        ("３０００．５", 300_050),
        ("", None),
    ],
)
def test_amounts_in_yuan_become_fen_exactly(typed: str, fen: int | None) -> None:
    assert form_yuan(typed, "fine") == fen


@pytest.mark.parametrize(
    "typed", ["3000.555", "3000.", ".5", "-5", "3,000", "1e3", "²", "٣٠٠٠", "1" * 13, "三千"]
)
def test_amounts_refused(typed: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        form_yuan(typed, "fine")
    assert exc.value.field == "fine"
    if typed == "3000.555":
        assert "两位小数" in exc.value.message
