"""Rectification items (整改事项): opened for a subject with the F8 clock, answered with
evidence, accepted (销号) or returned only by the supervisor of the region, live totals per
subject, and the pages and API that do the same."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import Personas, csrf_of, sign_in
from tests.inspections import subject
from tests.oversight.test_rules import KC_SCJG, KC_YJJ
from wurao.core import workdays
from wurao.core.config import get_settings
from wurao.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from wurao.oversight.models import InboxMessage
from wurao.oversight.rectification import queries, service
from wurao.oversight.rectification.models import RectificationEvidence, RectificationItem

# 2026-09-30 is a Wednesday; 1–8 October is the National Day holiday.
BEFORE_HOLIDAY = dt.date(2026, 9, 30)


@pytest.fixture(autouse=True)
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Evidence files go to a temporary var dir, never the checkout's var/."""
    monkeypatch.setenv("WURAO_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _open(
    db: Session, personas: Personas, uscc: str = KC_SCJG, today: dt.date | None = None
) -> RectificationItem:
    return service.open_item(
        db,
        actor=personas.supervisor,
        subject_id=subject(db, uscc).id,
        source_kind="review",
        source_id=7,
        title="行政处罚决定书未载明裁量理由",
        detail="案卷评查发现：决定书未说明适用裁量基准的理由。",
        today=today,
    )


def test_opening_counts_working_days_across_the_national_day_holiday(
    db: Session, personas: Personas
) -> None:
    item = _open(db, personas, today=BEFORE_HOLIDAY)
    length = service.CLOCK.length(BEFORE_HOLIDAY, item.region_code)
    assert item.due_on == workdays.add_working_days(BEFORE_HOLIDAY, length)
    # fifteen working days from 30 September skip the eight holiday days of October
    assert (item.due_on - BEFORE_HOLIDAY).days > length + 7
    msg = db.scalar(select(InboxMessage).where(InboxMessage.link.like("%/rectifications/%")))
    assert msg is not None and msg.subject_id == item.subject_id and "整改事项" in msg.title


def test_only_the_region_supervisor_opens_and_never_in_the_past(
    db: Session, personas: Personas
) -> None:
    with pytest.raises(Forbidden):  # a subject opens nothing
        service.open_item(
            db,
            actor=personas.agency_admin,
            subject_id=subject(db, KC_SCJG).id,
            source_kind="review",
            source_id=1,
            title="x",
            detail="",
        )
    with pytest.raises(Forbidden):
        service.open_item(
            db,
            actor=personas.neighbour_supervisor,
            subject_id=subject(db, KC_SCJG).id,
            source_kind="review",
            source_id=1,
            title="x",
            detail="",
        )
    with pytest.raises(InvalidInput) as exc:
        service.open_item(
            db,
            actor=personas.supervisor,
            subject_id=subject(db, KC_SCJG).id,
            source_kind="review",
            source_id=1,
            title="x",
            detail="",
            due_on=dt.date(2000, 1, 1),
        )
    assert exc.value.field == "due_on"


def test_answer_accept_and_return(db: Session, personas: Personas) -> None:
    item = _open(db, personas)
    with pytest.raises(Forbidden):  # another subject's officer
        service.answer(db, item=item, actor=personas.other_officer, body="x")
    with pytest.raises(InvalidInput):
        service.answer(db, item=item, actor=personas.agency_admin, body="  ")
    upload = service.Upload("整改报告.pdf", "application/pdf", io.BytesIO(b"%PDF-1.4 report"))
    service.answer(db, item=item, actor=personas.agency_admin, body="已补正", files=(upload,))
    assert item.status == "answered"
    files = db.scalars(select(RectificationEvidence)).all()
    assert [f.filename for f in files] == ["整改报告.pdf"] and len(files[0].sha256) == 64
    with pytest.raises(Conflict):  # answered twice
        service.answer(db, item=item, actor=personas.agency_admin, body="again")
    with pytest.raises(Forbidden):  # the subject never closes its own item
        service.accept(db, item=item, actor=personas.agency_admin)
    with pytest.raises(InvalidInput):  # a return needs its reason
        service.send_back(db, item=item, actor=personas.supervisor, note="")
    later = dt.date(2026, 11, 2)
    service.send_back(db, item=item, actor=personas.supervisor, note="材料不全", today=later)
    assert item.status == "open" and item.returned_times == 1 and item.due_on > later
    service.answer(db, item=item, actor=personas.agency_admin, body="已补充材料")
    service.accept(db, item=item, actor=personas.supervisor, note="属实")
    assert item.status == "accepted" and item.closed_at is not None
    actions = [e.action for e in queries.history(db, item=item)]
    assert actions == ["open", "answer", "return", "answer", "accept"]


def test_visibility_and_totals(db: Session, personas: Personas) -> None:
    mine, theirs = _open(db, personas), _open(db, personas, KC_YJJ)
    assert queries.get_item(db, actor=personas.agency_admin, item_id=mine.id) is mine
    with pytest.raises(NotFound):
        queries.get_item(db, actor=personas.agency_admin, item_id=theirs.id)
    with pytest.raises(NotFound):
        queries.get_item(db, actor=personas.neighbour_supervisor, item_id=mine.id)
    # one overdue, one answered and accepted
    mine.due_on = dt.date(2026, 1, 5)
    service.answer(db, item=theirs, actor=_admin_of(db, KC_YJJ, personas), body="已整改")
    service.accept(db, item=theirs, actor=personas.supervisor)
    rows = {r.subject_id: r for r in queries.totals_by_subject(db, actor=personas.supervisor)}
    a, b = rows[mine.subject_id], rows[theirs.subject_id]
    assert (a.found, a.rectified, a.open, a.overdue) == (1, 0, 1, 1)
    assert (b.found, b.rectified, b.rate) == (1, 1, 1.0)
    overdue = queries.list_items(
        db, actor=personas.supervisor, filters=queries.ItemFilters(overdue=True)
    )
    assert [i.id for i in overdue.items] == [mine.id]
    assert queries.totals_by_subject(db, actor=personas.neighbour_supervisor) == []


def _admin_of(db: Session, uscc: str, personas: Personas):  # type: ignore[no-untyped-def]
    """An administrator actor of another subject (the personas cover 市场监管局 only)."""
    from dataclasses import replace

    return replace(personas.agency_admin, subject_id=subject(db, uscc).id)


def test_pages_answer_with_file_then_accept_and_export(
    db: Session, personas: Personas, client: TestClient
) -> None:
    item = _open(db, personas)
    db.commit()
    sign_in(client, "kc_scjg_admin")
    listing = client.get("/oversight/rectifications")
    assert listing.status_code == 200 and item.title in listing.text
    page = client.get(f"/oversight/rectifications/{item.id}")
    assert "act-answer" in page.text and "act-verify" not in page.text
    # an empty answer comes back with the error beside the field
    r = client.post(
        f"/oversight/rectifications/{item.id}/answer",
        data={"csrf_token": csrf_of(page.text), "_back": page.url.path, "body": " "},
    )
    assert r.status_code == 422 and "error-page" not in r.text
    assert 'id="err-body">请填写整改情况' in r.text
    r = client.post(
        f"/oversight/rectifications/{item.id}/answer",
        data={"csrf_token": csrf_of(page.text), "body": "已整改，附整改报告"},
        files={"files": ("报告.txt", b"rectified", "text/plain")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    client.cookies.clear()

    sign_in(client, "kc_sfj")
    page = client.get(f"/oversight/rectifications/{item.id}")
    assert "act-verify" in page.text and "报告.txt" in page.text
    file_link = page.text.split(f"/oversight/rectifications/{item.id}/files/")[1].split('"')[0]
    download = client.get(f"/oversight/rectifications/{item.id}/files/{file_link}")
    assert download.status_code == 200 and download.content == b"rectified"
    r = client.post(
        f"/oversight/rectifications/{item.id}/return",
        data={"csrf_token": csrf_of(page.text), "_back": page.url.path, "note": " "},
    )
    assert r.status_code == 422 and 'id="err-return-note">请填写退回理由' in r.text
    assert 'id="err-accept-note"' not in r.text  # beside the refused form's field only
    db.expire_all()
    assert db.get(RectificationItem, item.id).status == "answered"  # type: ignore[union-attr]
    r = client.post(
        f"/oversight/rectifications/{item.id}/accept",
        data={"csrf_token": csrf_of(page.text), "note": "核实属实"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    db.expire_all()
    assert db.get(RectificationItem, item.id).status == "accepted"  # type: ignore[union-attr]
    totals = client.get("/oversight/rectifications/totals?year=2026")
    assert totals.status_code == 200 and "100.0%" in totals.text
    assert client.get("/oversight/rectifications/totals?year=99999").status_code == 422
    xlsx = client.get("/oversight/rectifications/totals.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "执法主体" and rows[-1][0] == "合计"
    client.cookies.clear()
    sign_in(client, "qj_sfj")
    assert client.get(f"/oversight/rectifications/{item.id}").status_code == 404


def test_api_answer_and_accept(db: Session, personas: Personas, client: TestClient) -> None:
    item = _open(db, personas)
    db.commit()
    sign_in(client, "kc_scjg_admin")
    page = client.get("/oversight/rectifications")
    headers = {"X-CSRF-Token": csrf_of(page.text)}
    listed = client.get("/api/v1/rectifications?status=open").json()
    assert item.id in [i["id"] for i in listed["items"]]
    r = client.post(
        f"/api/v1/rectifications/{item.id}/answer", json={"body": "已整改"}, headers=headers
    )
    assert r.status_code == 200 and r.json()["status"] == "answered"
    r = client.post(f"/api/v1/rectifications/{item.id}/accept", json={}, headers=headers)
    assert r.status_code == 403
    client.cookies.clear()
    sign_in(client, "kc_sfj")
    page = client.get("/oversight/rectifications")
    headers = {"X-CSRF-Token": csrf_of(page.text)}
    r = client.post(f"/api/v1/rectifications/{item.id}/accept", json={}, headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = client.post(f"/api/v1/rectifications/{item.id}/accept", json={}, headers=headers)
    assert r.status_code == 409
    totals = client.get("/api/v1/rectifications/totals").json()
    assert any(t["rectified"] == 1 for t in totals)
