"""公示: announced subjects, open to everyone without sign-in."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import uscc as stdnum_uscc

from tests.conftest import Personas
from wurao.registry.models import EnforcementSubject
from wurao.registry.subjects import service


def make_uscc(n: int) -> str:
    body = f"11330802MB1D{n:05d}"
    return body + stdnum_uscc.calc_check_digit(body)


def make(
    db: Session, personas: Personas, n: int, *, confirm: bool, announce: bool, name: str = ""
) -> int:
    subject = service.create_subject(
        db,
        data=service.SubjectData(
            name=name or f"公示测试局{n}",
            uscc=make_uscc(n),
            region_code="330802001",
            field="卫生健康",
            level="乡级",
        ),
        actor=personas.supervisor,
    )
    if confirm:
        service.confirm_subject(
            db,
            subject=subject,
            confirmed_by="衢州市柯城区人民政府",
            on=dt.date(2026, 1, 5),
            actor=personas.supervisor,
        )
    if announce:
        service.announce_subject(
            db,
            subject=subject,
            announcement_ref=f"柯政公告〔2026〕{n}号",
            on=dt.date(2026, 1, 6),
            actor=personas.supervisor,
        )
    return subject.id


def test_lists_only_confirmed_and_announced_without_sign_in(
    db: Session, personas: Personas, client: TestClient
) -> None:
    make(db, personas, 1, confirm=False, announce=False)
    make(db, personas, 2, confirm=True, announce=False)
    make(db, personas, 3, confirm=True, announce=True)
    page = client.get("/public/subjects?region=330802", follow_redirects=False)
    assert page.status_code == 200
    assert "公示测试局3" in page.text
    assert "柯政公告〔2026〕3号" in page.text
    assert "衢州市柯城区人民政府" in page.text
    assert "2026-01-06" in page.text
    assert "公示测试局1" not in page.text
    assert "公示测试局2" not in page.text
    assert "衢州市柯城区市场监督管理局" in page.text  # demo subject, announced
    assert "衢江区" not in page.text  # the neighbouring county is not below 330802


def test_region_covers_the_regions_below(db: Session, client: TestClient) -> None:
    city = client.get("/public/subjects?region=330800")
    assert "衢州市衢江区市场监督管理局" in city.text
    assert "衢州市柯城区市场监督管理局" in city.text
    town = client.get("/public/subjects?region=330802001")
    assert "衢州市柯城区市场监督管理局" not in town.text  # a county body is not in the town


def test_search_field_and_pages(db: Session, personas: Personas, client: TestClient) -> None:
    for n in range(10, 32):
        make(db, personas, n, confirm=True, announce=True, name=f"分页公示局{n}")
    first = client.get("/public/subjects?q=分页公示&field=卫生健康")
    assert "共 22 条，第 1 / 2 页" in first.text
    assert "q=%E5%88%86%E9%A1%B5%E5%85%AC%E7%A4%BA" in first.text  # the next link keeps filters
    second = client.get("/public/subjects?q=分页公示&field=卫生健康&page=2")
    assert "分页公示局31" in second.text
    assert "分页公示局10" not in second.text
    none = client.get("/public/subjects?q=分页公示&field=税务")
    assert "没有符合条件的已公告执法主体" in none.text


def test_detail_of_announced_subject_only(
    db: Session, personas: Personas, client: TestClient
) -> None:
    shown = make(db, personas, 40, confirm=True, announce=True)
    hidden = make(db, personas, 41, confirm=True, announce=False)
    page = client.get(f"/public/subjects/{shown}")
    assert page.status_code == 200
    assert "公示测试局40" in page.text
    assert "衢州市柯城区人民政府" in page.text
    assert make_uscc(40) in page.text
    missing = client.get(f"/public/subjects/{hidden}")
    assert missing.status_code == 404
    assert "尚未公告" in missing.text


def test_bad_region_is_a_chinese_error(client: TestClient) -> None:
    resp = client.get("/public/subjects?region=12")
    assert resp.status_code == 422
    assert "行政区划代码" in resp.text


def test_service_hides_unannounced(db: Session, personas: Personas) -> None:
    make(db, personas, 50, confirm=True, announce=False)
    rows = service.list_public_subjects(db, q="公示测试局50").items
    assert rows == []
    demo = db.scalar(
        select(EnforcementSubject).where(EnforcementSubject.uscc == "11330802MB1A00001T")
    )
    assert demo is not None
    assert service.get_public_subject(db, subject_id=demo.id).id == demo.id
