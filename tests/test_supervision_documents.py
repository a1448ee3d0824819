"""Supervision documents (监督意见书, 监督建议书, 督办通知, 评查通报): numbering per issuing
region, kind and year; the .docx; who may issue; the reply flow; overdue listing; pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas, csrf_of, sign_in
from wurao.core.config import get_settings
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.core.models import AuditEntry
from wurao.oversight.clues import intake
from wurao.oversight.clues import service as clue_service
from wurao.oversight.documents import drafts, queries, service
from wurao.oversight.documents.models import SupervisionDocument
from wurao.oversight.documents.statuses import DocumentKind, DocumentStatus
from wurao.oversight.models import Clue, InboxMessage
from wurao.oversight.rectification import service as rectification
from wurao.registry.models import EnforcementSubject

DAY = dt.date(2026, 11, 2)  # a Monday


@pytest.fixture(autouse=True)
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Documents are kept in a temporary var dir, never the checkout's var/."""
    monkeypatch.setenv("WURAO_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _subject(db: Session, personas: Personas) -> EnforcementSubject:
    subject = db.get(EnforcementSubject, personas.agency_admin.subject_id)
    assert subject is not None
    return subject


def _issue(
    db: Session, personas: Personas, kind: str = "opinion", today: dt.date = DAY, **kw: object
) -> SupervisionDocument:
    return service.issue(
        db, actor=personas.supervisor, kind=kind, subject=_subject(db, personas),
        title="关于重复检查问题的监督意见", body="经查，你单位一月内三次检查同一企业。\n请予纠正。",
        sources=[], today=today, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def _routed_clue(db: Session, personas: Personas, routed_on: dt.date) -> Clue:
    clue = intake.create(
        db,
        actor=personas.supervisor,
        data=intake.ClueInput(
            source="petition",
            description="信访件反映：某局一月内三次到同一企业检查。",
            enterprise_name="柯城示例企业",
            subject_text="柯城区市场监督管理局",
        ),
    )
    clue_service.route(
        db, clue=clue, actor=personas.supervisor, subject=_subject(db, personas), today=routed_on
    )
    return clue


def test_numbers_run_per_region_kind_and_year(db: Session, personas: Personas) -> None:
    a = _issue(db, personas)
    b = _issue(db, personas)
    c = _issue(db, personas, kind="suggestion")
    d = _issue(db, personas, today=dt.date(2025, 12, 1))
    assert a.number.startswith("柯司监意〔2026〕") and a.number.endswith("号")
    assert (b.year, b.seq, b.kind) == (2026, a.seq + 1, "opinion")
    assert b.number == f"柯司监意〔2026〕{a.seq + 1}号"
    assert c.number.startswith("柯司监建〔2026〕")
    assert d.number == "柯司监意〔2025〕1号"
    assert len({a.number, b.number, c.number, d.number}) == 4


def test_each_region_numbers_on_its_own(db: Session, personas: Personas) -> None:
    ours = _issue(db, personas)
    region = personas.neighbour_supervisor.region_code
    theirs_subject = db.scalar(
        select(EnforcementSubject)
        .where(EnforcementSubject.region_code.startswith(region))
        .order_by(EnforcementSubject.id)
        .limit(1)
    )
    assert theirs_subject is not None
    theirs = service.issue(
        db, actor=personas.neighbour_supervisor, kind="opinion", subject=theirs_subject,
        title="t", body="b", sources=[], today=DAY,
    )  # fmt: skip
    assert theirs.region_code == region and theirs.seq == 1
    assert theirs.number == "衢司监意〔2026〕1号"
    assert ours.region_code == personas.supervisor.region_code
    assert service.organ_of(db, "330800").short == "衢市司"


def test_docx_carries_number_addressee_body_and_its_sha(
    db: Session, personas: Personas, var_dir: Path
) -> None:
    document = _issue(db, personas)
    data = service.download(db, actor=personas.agency_admin, document=document)
    assert hashlib.sha256(data).hexdigest() == document.docx_sha256
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert document.number in text
    assert f"{_subject(db, personas).name}：" in text
    assert "一月内三次检查同一企业" in text and "柯城区司法局" in text
    assert "行政执法监督意见书" in text and "2026年11月2日" in text
    # The same document renders the same bytes (the stored digest checks the subject's copy).
    (var_dir / "supervision-documents" / f"{document.docx_sha256}.docx").unlink()
    assert service.download(db, actor=personas.supervisor, document=document) == data
    downloads = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "supervision_document.download")
    ).all()
    assert len(downloads) == 2


def test_issue_sends_to_the_inbox_with_a_working_day_deadline(
    db: Session, personas: Personas
) -> None:
    document = _issue(db, personas)
    assert document.reply_due_on == service.reply_due(DAY, document.region_code)
    assert document.reply_due_on == dt.date(2026, 11, 23)  # 15 working days
    msg = db.scalar(
        select(InboxMessage).where(InboxMessage.link == f"/oversight/documents/{document.id}")
    )
    assert msg is not None and msg.subject_id == document.subject_id
    assert document.number in msg.title


def test_subject_cannot_issue_and_other_region_is_refused(db: Session, personas: Personas) -> None:
    with pytest.raises(Forbidden):
        service.issue(
            db, actor=personas.agency_admin, kind="opinion", subject=_subject(db, personas),
            title="t", body="b", sources=[],
        )  # fmt: skip
    with pytest.raises(Forbidden):
        service.issue(
            db, actor=personas.neighbour_supervisor, kind="opinion",
            subject=_subject(db, personas), title="t", body="b", sources=[],
        )  # fmt: skip
    document = _issue(db, personas)
    with pytest.raises(NotFound):
        queries.get_document(db, actor=personas.neighbour_supervisor, document_id=document.id)
    with pytest.raises(NotFound):
        queries.get_document(db, actor=personas.other_officer, document_id=document.id)
    with pytest.raises(NotFound):
        service.close(db, actor=personas.neighbour_supervisor, document=document, note="x")
    with pytest.raises(InvalidInput):
        _issue(db, personas, kind="nonsense")


def test_reply_then_supervisor_closes(db: Session, personas: Personas) -> None:
    document = _issue(db, personas)
    with pytest.raises(Forbidden):
        service.reply(db, actor=personas.other_officer, document=document, text="x")
    with pytest.raises(InvalidInput):
        service.reply(db, actor=personas.agency_admin, document=document, text="  ")
    service.reply(db, actor=personas.agency_admin, document=document, text="已整改，附台账。")
    assert document.status == DocumentStatus.REPLIED and document.replied_at is not None
    with pytest.raises(Conflict):
        service.reply(db, actor=personas.agency_admin, document=document, text="再答复")
    assert service.allowed_actions(personas.agency_admin, document) == []
    assert service.allowed_actions(personas.supervisor, document) == ["close"]
    service.close(db, actor=personas.supervisor, document=document)
    assert document.status == DocumentStatus.CLOSED


def test_closing_without_a_reply_needs_a_reason(db: Session, personas: Personas) -> None:
    document = _issue(db, personas)
    with pytest.raises(InvalidInput):
        service.close(db, actor=personas.supervisor, document=document)
    service.close(db, actor=personas.supervisor, document=document, note="已当面督促，另案处理。")
    assert document.status == DocumentStatus.CLOSED


def test_overdue_listing(db: Session, personas: Personas) -> None:
    late = _issue(db, personas, kind="suggestion", today=dt.date(2026, 9, 1))
    answered = _issue(db, personas, today=dt.date(2026, 9, 1))
    service.reply(db, actor=personas.agency_admin, document=answered, text="已答复")
    fresh = _issue(db, personas)
    today = dt.date(2026, 11, 5)
    assert service.is_overdue(late, today) and not service.is_overdue(fresh, today)
    assert not service.is_overdue(answered, today)
    found = queries.list_documents(
        db, actor=personas.supervisor, filters=queries.DocumentFilters(overdue=True), today=today
    )
    assert [d.id for d in found.items] == [late.id]
    assert found.items[0].overdue
    mine = queries.list_documents(
        db, actor=personas.agency_admin, filters=queries.DocumentFilters(), today=today
    )
    assert {late.id, answered.id, fresh.id} <= {d.id for d in mine.items if d.kind != "risk_notice"}
    assert (
        queries.list_documents(
            db, actor=personas.neighbour_supervisor, filters=queries.DocumentFilters(kind="opinion")
        ).total
        == 0
    )


def test_draft_from_an_overdue_clue_is_a_supervise_notice(db: Session, personas: Personas) -> None:
    clue = _routed_clue(db, personas, dt.date(2026, 9, 1))
    draft = drafts.build(db, actor=personas.supervisor, sources=[("clue", clue.id)], today=DAY)
    assert draft.kind == DocumentKind.SUPERVISE
    assert draft.subject_id == clue.subject_id
    assert "已超期" in draft.body and "一月内三次" in draft.body and "依据" in draft.body
    assert draft.tokens == [f"clue:{clue.id}"]
    with pytest.raises(NotFound):
        drafts.build(db, actor=personas.neighbour_supervisor, sources=[("clue", clue.id)])
    with pytest.raises(InvalidInput):
        drafts.parse_tokens(["clue:x"])


def test_rectify_opens_an_item_for_the_document(db: Session, personas: Personas) -> None:
    document = _issue(db, personas, rectify=True)
    items = rectification.items_of(db, source_kind="document", source_ids=[document.id])
    assert len(items[document.id]) == 1
    assert items[document.id][0].subject_id == document.subject_id


def test_pages_issue_from_a_clue_reply_and_close(
    db: Session, personas: Personas, client: TestClient
) -> None:
    clue = _routed_clue(db, personas, dt.date(2026, 9, 1))
    token = sign_in(client, "kc_sfj")
    assert (
        f"/oversight/documents/new?clue={clue.id}" in client.get(f"/oversight/clues/{clue.id}").text
    )
    page = client.get(f"/oversight/documents/new?clue={clue.id}")
    assert page.status_code == 200 and "督办通知" in page.text and "信访件反映" in page.text
    form = {
        "csrf_token": token, "kind": "supervise", "subject_id": str(clue.subject_id),
        "title": "关于信访线索的督办通知", "body": "请限期办结。", "sources": f"clue:{clue.id}",
        "rectify": "1",
    }  # fmt: skip
    back = f"/oversight/documents/new?clue={clue.id}"
    bad = client.post("/oversight/documents/new", data={**form, "_back": back, "body": " "})
    assert bad.status_code == 422 and "error-page" not in bad.text
    assert 'id="err-body">请填写正文' in bad.text and 'value="关于信访线索的督办通知"' in bad.text
    assert 'name="rectify" value="1" checked' in bad.text  # the typed choice, not the draft's
    bad = client.post("/oversight/documents/new", data={**form, "_back": back, "subject_id": "x"})
    assert bad.status_code == 422 and 'id="err-subject_id"' in bad.text
    assert db.scalar(select(func.count()).select_from(SupervisionDocument)) == 0  # nothing saved
    done = client.post("/oversight/documents/new", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    url = done.headers["location"]
    detail = client.get(url)
    assert "柯司督办〔" in detail.text and "SHA-256" in detail.text and "整改事项" in detail.text
    assert client.get(f"{url}/docx").status_code == 200
    listing = client.get("/oversight/documents?kind=supervise")
    assert "关于信访线索的督办通知" in listing.text
    client.post("/logout", data={"csrf_token": token})

    client.cookies.clear()
    token = sign_in(client, "kc_scjg_admin")
    detail = client.get(url)
    assert detail.status_code == 200 and "提交答复" in detail.text
    assert client.get("/oversight/documents/new").status_code == 403
    empty = client.post(
        f"{url}/reply", data={"csrf_token": csrf_of(detail.text), "_back": url, "text": " "}
    )
    assert empty.status_code == 422 and 'id="err-text">请填写答复内容' in empty.text
    replied = client.post(
        f"{url}/reply", data={"csrf_token": csrf_of(detail.text), "text": "已办结"}
    )
    assert replied.status_code == 200 and "已答复" in replied.text

    client.cookies.clear()
    sign_in(client, "qj_sfj")
    assert client.get(url).status_code == 404
