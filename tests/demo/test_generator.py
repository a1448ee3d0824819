"""The synthetic registry generator: valid identifiers, the cases rules need, determinism."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wurao.core import audit, ids
from wurao.demo.city import city_marker_uscc, generate_city
from wurao.demo.common import CITY
from wurao.demo.identifiers import UsccMaker, make_uscc
from wurao.demo.items import load_items
from wurao.demo.rows import (
    ENTERPRISE_COLUMNS,
    OFFICER_COLUMNS,
    Place,
    SubjectRef,
    enterprise_rows,
    officer_rows,
    places_for,
)
from wurao.registry.models import (
    ChecklistLine,
    EnforcementSubject,
    Enterprise,
    InspectionItem,
    Officer,
)

TODAY = dt.date(2026, 11, 23)


def _city(db: Session) -> None:
    stats = generate_city(db, seed=7, enterprises=500)
    assert not stats.skipped
    assert stats.enterprises == 500


def test_enterprises_have_valid_usccs_of_their_county(db: Session) -> None:
    _city(db)
    persona = "91330802MA2A00001N"  # the enterprise persona's own row, made by seed.py
    rows = db.execute(
        select(Enterprise.uscc, Enterprise.region_code).where(
            Enterprise.region_code.like("3308%"), Enterprise.uscc != persona
        )
    ).all()
    assert len(rows) == 500
    for uscc, region in rows:
        assert ids.validate_uscc(uscc) == uscc
        assert ids.uscc_org_code_warning(uscc) is None
        assert uscc[2:8] == region


def test_enterprise_mix_of_status_and_credit(db: Session) -> None:
    _city(db)
    statuses = dict(
        db.execute(select(Enterprise.status, func.count()).group_by(Enterprise.status)).all()
    )
    classes = dict(
        db.execute(
            select(Enterprise.credit_class, func.count()).group_by(Enterprise.credit_class)
        ).all()
    )
    assert statuses["active"] > 400
    assert set(statuses) >= {"active", "deregistered"}
    assert classes["B"] > classes["A"] > classes["C"] > classes["D"] > 0
    hazardous = db.scalar(select(func.count()).where(Enterprise.tags.like("%|危化品|%")))
    assert (hazardous or 0) > 0


def test_officers_valid_rics_expired_and_auxiliaries(db: Session) -> None:
    _city(db)
    officers = db.scalars(select(Officer)).all()
    assert len(officers) > 100
    for o in officers:
        assert ids.validate_ric(o.ric, today=TODAY) == o.ric
        assert o.ric.startswith("3308")
    certified = [o for o in officers if o.kind == "officer"]
    auxiliaries = [o for o in officers if o.kind == "auxiliary"]
    assert auxiliaries and all(o.cert_no is None and o.aux_kind for o in auxiliaries)
    assert all(o.cert_no and o.cert_valid_from and o.cert_valid_to for o in certified)
    assert any(o.cert_valid_to and o.cert_valid_to < TODAY for o in certified)
    assert any(o.review_result == "failed" for o in certified)
    assert any(o.legal_qualified for o in certified)


def test_subjects_mostly_confirmed_some_not(db: Session) -> None:
    _city(db)
    subjects = db.scalars(
        select(EnforcementSubject).where(EnforcementSubject.region_code.like("3308%"))
    ).all()
    assert len(subjects) >= 12
    assert len({s.field for s in subjects}) >= 8
    not_usable = [s for s in subjects if s.confirmed_on is None or s.announced_on is None]
    assert 1 <= len(not_usable) <= 3
    assert all(ids.validate_uscc(s.uscc) == s.uscc for s in subjects)


def test_items_with_checklists(db: Session) -> None:
    _city(db)
    items = db.scalars(select(InspectionItem).where(InspectionItem.region_code == CITY)).all()
    assert len(items) >= 50
    lines = dict(
        db.execute(
            select(ChecklistLine.item_id, func.count()).group_by(ChecklistLine.item_id)
        ).all()
    )
    for item in items:
        assert 3 <= lines[item.id] <= 8
        assert item.basis_law.startswith("《") and item.basis_article
        assert item.basis_level in {"法律", "行政法规", "地方性法规", "规章"}
        assert (item.status == "published") == (item.published_on is not None)
    published = [i for i in items if i.status == "published"]
    assert len(published) > len(items) * 0.8
    assert any(i.status == "draft" for i in items)
    assert any(i.on_dss_list for i in items)


def test_item_catalogue_is_a_data_file(tmp_path: Path) -> None:
    items = load_items()
    assert len(items) >= 50
    assert len({(i.field, i.name) for i in items}) == len(items)
    assert all(i.checklist.count("；") >= 2 for i in items)
    # The generator reads the file it is given: a county's own list replaces the demo's.
    own = tmp_path / "items.csv"
    own.write_text(
        "field,code_prefix,name,basis_level,basis_law,basis_article,checklist\n"
        "市场监管,SC,自定义事项,法律,《中华人民共和国计量法》,第九条,甲；乙；丙\n",
        encoding="utf-8",
    )
    assert [i.name for i in load_items(own)] == ["自定义事项"]


def test_idempotent(db: Session) -> None:
    _city(db)
    count = db.scalar(select(func.count()).select_from(Enterprise))
    again = generate_city(db, seed=7, enterprises=500)
    assert again.skipped
    assert db.scalar(select(func.count()).select_from(Enterprise)) == count
    assert db.scalar(
        select(EnforcementSubject.id).where(EnforcementSubject.uscc == city_marker_uscc())
    )


def test_audit_chain_verifies_with_one_entry_per_load(db: Session) -> None:
    before = audit.count_entries(db)
    _city(db)
    db.flush()
    assert audit.count_entries(db) == before + 5
    assert audit.verify_chain(db).ok


def test_same_seed_same_rows(db: Session) -> None:
    places = places_for(db, CITY)
    first = list(enterprise_rows(11, places, 300))
    second = list(enterprise_rows(11, places, 300))
    other = list(enterprise_rows(12, places, 300))
    assert first == second
    assert first != other
    assert all(len(r) == len(ENTERPRISE_COLUMNS) for r in first)
    assert len({r[0] for r in first}) == 300


def test_pure_rows_need_no_database() -> None:
    places = [Place("330802", "衢州市柯城区", "衢州市", "柯城区", ("荷花街道",))]
    rows = list(enterprise_rows(1, places, 50))
    assert all(r[3].startswith("浙江省衢州市柯城区荷花街道") for r in rows)
    assert make_uscc("91", "330802", 5) == ids.validate_uscc(make_uscc("91", "330802", 5))


def test_fast_uscc_matches_stdnum() -> None:
    fast = UsccMaker()
    for serial in (0, 1, 30, 31, 961, 31**5, 31**6 - 1, 12_345_678):
        for kind, region in (("91", "330802"), ("92", "331127"), ("11", "330100")):
            assert fast(kind, region, serial) == make_uscc(kind, region, serial)


def test_officers_may_still_inspect_when_the_demo_is_set_up_in_a_later_year(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wurao.demo import common

    subjects = [SubjectRef(1, "330802", "市场监管")]
    monkeypatch.setattr(common, "local_today", lambda: dt.date(2026, 6, 1))
    now = list(officer_rows(2026, subjects, 400, birth_regions=["330802"]))
    monkeypatch.setattr(common, "local_today", lambda: dt.date(2028, 3, 1))
    then = list(officer_rows(2026, subjects, 400, birth_regions=["330802"]))
    col = {name: i for i, name in enumerate(OFFICER_COLUMNS)}
    certified = [(a, b) for a, b in zip(now, then, strict=True) if a[col["kind"]] == "officer"]
    assert certified
    for a, b in certified:  # the same people, two years on
        assert b[col["review_year"]] == a[col["review_year"]] + 2
        assert b[col["cert_valid_to"]] == common.later(a[col["cert_valid_to"]], 2)
    current = [b for _, b in certified if b[col["review_year"]] >= 2027]
    assert len(current) > 0.8 * len(certified)  # reviewed last year: may inspect in 2028
