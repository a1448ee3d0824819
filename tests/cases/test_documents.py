"""The case documents (.docx): each opens and carries the case's number, party and facts (the
决定书 its reasons), numbers per subject, kind and year kept on regeneration, the stage that
allows each, and who may download which (both databases)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cases import FILED, FOUND, Setup, filed, opened, setup
from tests.conftest import Personas, sign_in
from tests.inspections import add_officer
from wurao.cases import decision, document_service, execution, notice
from wurao.cases.documents import DocumentKind, available
from wurao.cases.models import CaseDocument, PenaltyCase
from wurao.core.audit import AuditEntry
from wurao.core.config import get_settings
from wurao.core.errors import Conflict, NotFound
from wurao.registry.models import Officer

REASONS = "当事人销售的产品经检验不合格，货值较小，首次违法，依据裁量基准从轻处罚。"
REMEDY = "如不服本决定，可在六十日内向柯城区人民政府申请行政复议，或在六个月内提起行政诉讼。"
DECIDED = dt.date(2026, 10, 13)


@pytest.fixture
def w(db: Session) -> Setup:
    return setup(db)


def decided(db: Session, p: Personas, w: Setup, **changes: object) -> PenaltyCase:
    """A case notified on 29 Sep (1 000 yuan, no hearing), reviewed and decided on 13 Oct."""
    case = filed(db, p, w, **changes)
    notice.serve_notice(
        db, actor=p.officer, case=case, kinds={"fine"}, fine_fen=100_000,
        served_on=dt.date(2026, 9, 29), hearing_rights=False,
    )  # fmt: skip
    decision.send_review(db, actor=p.officer, case=case, on=dt.date(2026, 9, 30))
    if db.scalar(select(Officer).where(Officer.user_id == p.legal_reviewer.user_id)) is None:
        add_officer(db, w.subject, user_id=p.legal_reviewer.user_id, legal_qualified=True)
        db.flush()
    decision.record_review(
        db, actor=p.legal_reviewer, case=case, passed=True, opinion="事实清楚，同意。",
        on=dt.date(2026, 9, 30),
    )  # fmt: skip
    decision.decide(
        db, actor=p.officer, case=case, kinds={"fine"}, fine_fen=100_000, reasons=REASONS,
        remedy=REMEDY, decided_on=DECIDED,
    )  # fmt: skip
    return case


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def test_every_document_opens_with_number_party_and_facts(
    db: Session, personas: Personas, w: Setup
) -> None:
    case = decided(db, personas, w)
    kinds = available(case)
    assert kinds == [
        DocumentKind.FILING, DocumentKind.NOTICE, DocumentKind.REVIEW,
        DocumentKind.DECISION, DocumentKind.SERVICE,
    ]  # fmt: skip
    for kind in kinds:
        row, data = document_service.generate(db, actor=personas.officer, case=case, kind=kind)
        body = text_of(data)
        assert row.number in body and case.party_name in body, kind
        assert kind.label in body
        if kind is not DocumentKind.SERVICE:
            assert case.facts in body, kind
        doc = Document(io.BytesIO(data))
        fonts = doc.styles["Normal"].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == "仿宋"
        assert round(doc.sections[0].page_width.mm) == 210
    _, data = document_service.generate(
        db, actor=personas.officer, case=case, kind=DocumentKind.DECISION
    )
    body = text_of(data)
    for expected in (REASONS, REMEDY, "六个月", "15日内", "百分之三", "罚款1,000元"):
        assert expected in body, expected
    assert case.provisions_breached in body and case.provisions_applied in body
    assert "现场照片" in body  # the evidence list


def test_numbers_per_subject_kind_and_year_stable_on_regeneration(
    db: Session, personas: Personas, w: Setup
) -> None:
    first = decided(db, personas, w)
    second = decided(db, personas, w, provisions_breached="《食品安全法》第三十四条")  # D19
    gen = document_service.generate
    a, data_a = gen(db, actor=personas.officer, case=first, kind=DocumentKind.DECISION)
    b, _ = gen(db, actor=personas.officer, case=second, kind=DocumentKind.DECISION)
    n, _ = gen(db, actor=personas.officer, case=second, kind=DocumentKind.NOTICE)
    assert a.number == f"{w.subject.name}罚决字〔2026〕第1号"
    assert b.number == f"{w.subject.name}罚决字〔2026〕第2号"
    assert n.number == f"{w.subject.name}罚告字〔2026〕第1号"
    again, data_again = gen(db, actor=personas.officer, case=first, kind=DocumentKind.DECISION)
    assert again.id == a.id and again.number == a.number
    # the same case renders the same bytes: the stored digest checks the party's copy
    assert data_again == data_a and again.sha256 == a.sha256
    rows = db.scalars(select(CaseDocument).where(CaseDocument.case_id == first.id)).all()
    assert [r.kind for r in rows] == ["decision"]
    # a lost file store: the download renders the same bytes again
    (get_settings().var_dir / "case-documents" / f"{a.sha256}.docx").unlink()
    _, again_data = document_service.download(
        db, actor=personas.supervisor, case=first, kind=DocumentKind.DECISION
    )
    assert hashlib.sha256(again_data).hexdigest() == a.sha256


def test_a_document_waits_for_its_stage(db: Session, personas: Personas, w: Setup) -> None:
    case = filed(db, personas, w)
    for kind in (DocumentKind.DECISION, DocumentKind.NOTICE, DocumentKind.ON_SPOT):
        with pytest.raises(Conflict, match=kind.label):
            document_service.generate(db, actor=personas.officer, case=case, kind=kind)
    row, _ = document_service.generate(
        db, actor=personas.officer, case=case, kind=DocumentKind.FILING
    )
    assert row.dated == FILED
    with pytest.raises(NotFound):
        document_service.download(
            db, actor=personas.supervisor, case=case, kind=DocumentKind.NOTICE
        )


def test_a_person_id_is_in_full_in_the_document(db: Session, personas: Personas, w: Setup) -> None:
    from wurao.demo.identifiers import make_ric

    ric = make_ric("330802", dt.date(1990, 1, 2), 5)
    case = decided(db, personas, w, party_kind="person", person_name="赵六", person_ric=ric)
    _, data = document_service.generate(
        db, actor=personas.officer, case=case, kind=DocumentKind.DECISION
    )
    assert ric in text_of(data) and "赵六" in text_of(data)


def test_download_scope_and_audit_over_http(
    db: Session, personas: Personas, w: Setup, client: TestClient
) -> None:
    case = decided(db, personas, w)
    token = sign_in(client, "kc_scjg_zhang")
    base = f"/cases/{case.id}/documents"
    assert client.get(f"{base}/decision.docx").status_code == 404  # not issued yet
    resp = client.post(f"{base}/decision", data={"csrf_token": token}, follow_redirects=False)
    assert resp.status_code == 303
    resp = client.get(f"{base}/decision.docx")
    assert resp.status_code == 200 and resp.headers["content-type"].endswith("document")
    row = db.scalar(select(CaseDocument).where(CaseDocument.case_id == case.id))
    assert row is not None and row.number in text_of(resp.content)
    downloads = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "case.document_download", AuditEntry.object_id == str(row.id)
        )
    ).all()
    assert len(downloads) == 1
    fragment = client.get(base)
    assert row.number in fragment.text and "行政处罚事先告知书" in fragment.text
    # the case page carries the same section: the number, the download and the publication
    page = client.get(f"/cases/{case.id}")
    assert 'id="case-documents"' in page.text and row.number in page.text
    assert f"{base}/decision.docx" in page.text and "处罚决定公开" in page.text
    assert client.get(f"{base}/nonsense.docx").status_code == 404
    # another subject's officer does not see the case at all
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, "kc_yjj_li")
    assert client.get(f"{base}/decision.docx").status_code == 404


def test_the_enterprise_downloads_its_own_decision_once_served(
    db: Session, personas: Personas, w: Setup, client: TestClient
) -> None:
    case = decided(db, personas, w)
    for kind in (DocumentKind.DECISION, DocumentKind.NOTICE):
        document_service.generate(db, actor=personas.officer, case=case, kind=kind)
    kind = DocumentKind.DECISION
    with pytest.raises(NotFound):  # decided, not yet served
        document_service.download(db, actor=personas.enterprise, case=case, kind=kind)
    execution.serve(db, actor=personas.officer, case=case, served_on=DECIDED, how="direct")
    _, data = document_service.download(db, actor=personas.enterprise, case=case, kind=kind)
    assert REASONS in text_of(data)
    with pytest.raises(NotFound):  # only the decision
        document_service.download(
            db, actor=personas.enterprise, case=case, kind=DocumentKind.NOTICE
        )
    entries = document_service.document_list(db, actor=personas.enterprise, case=case)
    assert [e.kind for e in entries] == [DocumentKind.DECISION]
    assert not entries[0].may_generate
    sign_in(client, "qiye_demo")
    assert client.get(f"/enterprise/cases/{case.id}/documents/decision.docx").status_code == 200
    assert client.get(f"/enterprise/cases/{case.id}/documents/notice.docx").status_code == 404
    assert client.get(f"/cases/{case.id}/documents/decision.docx").status_code == 403


def test_hearing_notice_no_penalty_and_on_the_spot_documents(
    db: Session, personas: Personas, w: Setup
) -> None:
    gen = document_service.generate
    heard = filed(db, personas, w)
    notice.serve_notice(
        db, actor=personas.officer, case=heard, kinds={"fine"}, fine_fen=6_000_000,
        served_on=dt.date(2026, 9, 29), hearing_rights=True,
    )  # fmt: skip
    _, data = gen(db, actor=personas.officer, case=heard, kind=DocumentKind.NOTICE)
    assert "有权要求听证" in text_of(data) and "5个工作日内提出" in text_of(data)
    notice.request_hearing(
        db, actor=personas.officer, case=heard, requested_on=dt.date(2026, 10, 12)
    )
    notice.notify_hearing(
        db, actor=personas.officer, case=heard, notified_on=dt.date(2026, 10, 13),
        hearing_on=dt.date(2026, 10, 22), presiding_id=w.presiding.id,
    )  # fmt: skip
    row, data = gen(db, actor=personas.officer, case=heard, kind=DocumentKind.HEARING_NOTICE)
    assert row.number in text_of(data) and w.presiding.name in text_of(data)
    assert "2026年10月22日" in text_of(data)

    spared = filed(db, personas, w, provisions_breached="《食品安全法》第三十四条")
    decision.decide_no_penalty(
        db, actor=personas.officer, case=spared, remedy=REMEDY, decided_on=dt.date(2026, 9, 3),
        reasons="违法行为轻微并及时改正，没有造成危害后果。",
    )  # fmt: skip
    assert DocumentKind.DECISION not in available(spared)
    row, data = gen(db, actor=personas.officer, case=spared, kind=DocumentKind.NO_PENALTY)
    assert "决定不予行政处罚" in text_of(data) and "没有造成危害后果" in text_of(data)
    assert row.number.startswith(f"{w.subject.name}不罚决字〔2026〕")

    spot = opened(db, personas, w, procedure="simple", provisions_breached="《广告法》第九条")
    decision.decide_on_the_spot(
        db, actor=personas.officer, case=spot, kinds={"fine"}, fine_fen=10_000,
        reasons="当场查实，情节轻微。", remedy=REMEDY, decided_on=FOUND,
    )  # fmt: skip
    assert available(spot) == [DocumentKind.SERVICE, DocumentKind.ON_SPOT]
    row, data = gen(db, actor=personas.officer, case=spot, kind=DocumentKind.ON_SPOT)
    body = text_of(data)
    assert row.number in body and "当场查实" in body and w.officers[0].name in body
    _, receipt = gen(db, actor=personas.officer, case=spot, kind=DocumentKind.SERVICE)
    assert row.number in text_of(receipt) and "宣告后当场交付" in text_of(receipt)
