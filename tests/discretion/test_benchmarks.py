"""D24: who may set a benchmark (a town never), scope, the county-versus-city conflict and
the applicable range of a case (bounds inclusive) — both databases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.discretion import FIELD, PROVISION, table
from wurao.core import rules as catalogue
from wurao.core.errors import Forbidden, InvalidInput, NotFound
from wurao.discretion import service
from wurao.discretion.models import BenchmarkTable

ON = dt.date(2026, 10, 13)


@dataclass
class FakeCase:
    """The columns of a penalty case the checks read."""

    subject_id: int = 0
    region_code: str = "330802"
    field: str = FIELD
    violation_code: str = ""
    circumstance: str = ""
    provisions_breached: str = PROVISION
    provisions_applied: str = PROVISION
    discretion_reason: str = ""
    id: int = 0


def test_d24_a_town_may_not_set_a_benchmark(db: Session, personas: Personas) -> None:
    data = service.TableData("region", FIELD, "某镇裁量基准", dt.date(2026, 1, 1), "", "330802001")
    with pytest.raises(InvalidInput, match="乡镇") as exc:
        service.create_table(db, actor=personas.admin, data=data)
    assert exc.value.field == "region_code"
    county = service.TableData("region", FIELD, "柯城区裁量基准", dt.date(2026, 1, 1), "", "330802")
    assert service.create_table(db, actor=personas.admin, data=county).level == "county"


def test_d24_other_regions_tables_are_not_editable(db: Session, personas: Personas) -> None:
    own = table(db, personas.supervisor, publish=False)
    data = service.TableData("region", FIELD, "衢江区基准", dt.date(2026, 1, 1), "", "330803")
    with pytest.raises(Forbidden):
        service.create_table(db, actor=personas.supervisor, data=data)
    assert not service.may_edit(personas.neighbour_supervisor, own)
    with pytest.raises(Forbidden):
        service.publish_table(db, actor=personas.neighbour_supervisor, table=own, on=ON)
    # a draft is not even visible outside its owner's scope; the officer cannot edit
    with pytest.raises(NotFound):
        service.get_table(db, actor=personas.neighbour_supervisor, table_id=own.id)
    assert not service.may_edit(personas.officer, own)
    service.publish_table(db, actor=personas.supervisor, table=own, on=ON)
    assert service.get_table(db, actor=personas.neighbour_supervisor, table_id=own.id) is own


def test_d24_a_subject_table_belongs_to_its_admin(db: Session, personas: Personas) -> None:
    t = table(db, personas.agency_admin, owner_kind="subject", publish=False)
    assert t.subject_id == personas.agency_admin.subject_id and t.region_code == "330802"
    assert service.may_edit(personas.agency_admin, t)
    assert not service.may_edit(personas.supervisor, t)
    empty = service.create_table(
        db,
        actor=personas.agency_admin,
        data=service.TableData("subject", FIELD, "空", dt.date(2026, 1, 1)),
    )
    with pytest.raises(InvalidInput, match="尚无内容"):
        service.publish_table(db, actor=personas.agency_admin, table=empty, on=ON)


def test_d24_county_outside_city_is_flagged(db: Session, personas: Personas) -> None:
    city = table(db, personas.admin, region_code="330800", rows=(("general", 500_000, 2_000_000),))
    inside = table(db, personas.supervisor, rows=(("general", 500_000, 2_000_000),))
    assert service.conflicts(db, inside) == []
    outside = table(db, personas.supervisor, rows=(("general", 400_000, 2_000_000),))
    found = service.conflicts(db, outside)
    assert len(found) == 1 and found[0].upper_table is city
    finding = found[0].violation()
    assert finding.rule_id == catalogue.D24.id and finding.severity == "WARN"
    assert "4,000元至20,000元" in finding.detail and "5,000元至20,000元" in finding.detail
    # another circumstance is another row: no conflict
    other = table(db, personas.supervisor, rows=(("grave", 100, 9_000_000),))
    assert service.conflicts(db, other) == []
    assert service.conflicts(db, city) == []  # the city itself is not compared


def test_d24_fine_inside_outside_and_at_the_bounds(db: Session, personas: Personas) -> None:
    t = table(db, personas.supervisor, rows=(("general", 500_000, 2_000_000),))
    case = FakeCase(subject_id=personas.officer.subject_id or 0)
    for fine in (500_000, 1_000_000, 2_000_000):  # BOUND: inclusive
        assert service.discretion_findings(db, case, fine, ON) == []
    for fine in (499_999, 2_000_001):
        (v,) = service.discretion_findings(db, case, fine, ON)
        assert v.rule_id == catalogue.D24.id and v.severity == "WARN"
        assert t.title in v.detail
    case.discretion_reason = "当事人多次违法且拒不改正，经集体讨论超出幅度处罚。"
    assert service.discretion_findings(db, case, 2_000_001, ON) == []
    assert service.discretion_findings(db, case, 0, ON) == []  # no fine: nothing to compare


def test_d24_the_most_specific_table_in_force_applies(db: Session, personas: Personas) -> None:
    table(db, personas.admin, region_code="330800", rows=(("general", 100_000, 900_000),))
    case = FakeCase(subject_id=personas.officer.subject_id or 0)
    found = service.applicable_range(db, case, ON)
    assert found is not None and (found.low, found.high) == (100_000, 900_000)
    table(
        db,
        personas.supervisor,
        rows=(("general", 200_000, 800_000), ("serious", 800_000, 1_500_000)),
    )
    found = service.applicable_range(db, case, ON)
    assert found is not None and (found.low, found.high) == (200_000, 1_500_000)
    case.circumstance = "serious"
    found = service.applicable_range(db, case, ON)
    assert found is not None and (found.low, found.high) == (800_000, 1_500_000)
    own = table(
        db, personas.agency_admin, owner_kind="subject", rows=(("serious", 900_000, 1_000_000),)
    )
    found = service.applicable_range(db, case, ON)
    assert found is not None and found.table is own
    # not yet in force, another field, another provision: nothing applies
    assert service.applicable_range(db, case, dt.date(2025, 12, 31)) is None
    assert service.applicable_range(db, FakeCase(field="应急管理"), ON) is None
    other = FakeCase(provisions_breached="《食品安全法》第三十四条", provisions_applied="")
    assert service.applicable_range(db, other, ON) is None


def test_a_draft_does_not_apply(db: Session, personas: Personas) -> None:
    draft = table(db, personas.supervisor, publish=False)
    assert isinstance(draft, BenchmarkTable) and not draft.published
    assert service.applicable_range(db, FakeCase(), ON) is None
