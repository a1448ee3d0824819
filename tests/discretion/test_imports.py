"""Importing a benchmark and a leniency list from .xlsx: the row-by-row report (non-numeric
range, min > max, unknown field, duplicate row), nothing written for an unreadable file or
when rows were rejected and the user did not accept the valid ones."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.discretion import FIELD, PROVISION, VIOLATION, table
from wurao.core.errors import Forbidden, InvalidInput
from wurao.discretion import imports, service
from wurao.discretion.models import BenchmarkRow, LeniencyEntry


def sheet(headers: tuple[str, ...], *rows: tuple[object, ...]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def bench(*rows: tuple[object, ...]) -> bytes:
    return sheet(imports.BENCH_HEADERS, *rows)


def good(
    circumstance: str = "一般", low: object = "5000", high: object = "20000"
) -> tuple[object, ...]:
    return ("", VIOLATION, PROVISION, circumstance, low, high, "", FIELD)


def test_the_templates_carry_the_headers() -> None:
    for kind, headers in (("benchmark", imports.BENCH_HEADERS), ("list", imports.LIST_HEADERS)):
        ws = load_workbook(io.BytesIO(imports.template(kind))).worksheets[0]
        assert tuple(c.value for c in ws[1]) == headers


def test_import_row_report(db: Session, personas: Personas) -> None:
    t = table(db, personas.supervisor, publish=False, rows=())
    data = bench(
        good(),
        good("较重", "一万", "30000"),  # row 3: non-numeric
        good("严重", 50000, 30000),  # row 4: min > max
        ("", "另一行为", PROVISION, "一般", 1, 2, "", "外星执法"),  # row 5: unknown field
        good(),  # row 6: duplicate of row 2
        good("很重"),  # row 7: unknown circumstance
        good("轻微", "0", "1000.5"),  # row 8: fine, with fen
    )
    report = imports.validate_benchmark(db, table=t, data=data)
    by_line = {o.line: o for o in report.outcomes}
    assert [o.line for o in report.outcomes] == [2, 3, 4, 5, 6, 7, 8]
    assert by_line[2].accepted and by_line[8].accepted
    assert "不是数字" in by_line[3].reasons[0]
    assert by_line[4].reasons == ["罚款下限大于上限"]
    assert by_line[5].reasons == ["未知的执法领域“外星执法”"]
    assert by_line[6].reasons == ["与第2行重复（同一违法行为、同一情节）"]
    assert "情节“很重”" in by_line[7].reasons[0]
    assert report.rejected == 5
    # rejected rows and no consent: nothing is written
    imports.apply_benchmark(
        db, actor=personas.supervisor, table=t, report=report, accept_valid=False
    )
    assert service.rows_of(db, t) == [] and report.written == 0
    imports.apply_benchmark(
        db, actor=personas.supervisor, table=t, report=report, accept_valid=True
    )
    rows = service.rows_of(db, t)
    assert [(r.line, r.fine_min_fen, r.fine_max_fen) for r in rows] == [
        (2, 500_000, 2_000_000),
        (8, 0, 100_050),
    ]
    # another field's table refuses a row of this one
    other = imports.validate_benchmark(
        db, table=table(db, personas.admin, publish=False, rows=()), data=bench(good())
    )
    assert other.rejected == 0


def test_an_unreadable_file_writes_nothing(db: Session, personas: Personas) -> None:
    t = table(db, personas.supervisor, publish=False, rows=())
    with pytest.raises(InvalidInput, match="xlsx") as exc:
        imports.validate_benchmark(db, table=t, data=b"not a spreadsheet")
    assert exc.value.field == "file"
    with pytest.raises(InvalidInput, match="表头缺少"):
        imports.validate_benchmark(db, table=t, data=sheet(("违法行为",), ("x",)))
    assert db.scalar(select(func.count()).select_from(BenchmarkRow)) == 0


def test_a_published_table_is_not_reimported(db: Session, personas: Personas) -> None:
    t = table(db, personas.supervisor)
    report = imports.validate_benchmark(db, table=t, data=bench(good()))
    with pytest.raises(InvalidInput, match="已公布"):
        imports.apply_benchmark(
            db, actor=personas.supervisor, table=t, report=report, accept_valid=True
        )
    with pytest.raises(Forbidden):
        imports.apply_benchmark(
            db, actor=personas.neighbour_supervisor, table=t, report=report, accept_valid=True
        )


def test_leniency_list_import(db: Session, personas: Personas) -> None:
    data = sheet(
        imports.LIST_HEADERS,
        (
            "首违不罚",
            FIELD,
            "",
            "初次未按规定公示年度报告",
            "《企业信息公示暂行条例》第八条",
            "及时改正",
        ),
        ("从宽", FIELD, "", "某行为", PROVISION, ""),  # unknown list
        ("从轻", FIELD, "", "无依据的行为", "", ""),  # nothing to match a case with
        ("可以不予处罚", FIELD, "", "初次未按规定公示年度报告", "第八条", ""),  # = row 2
    )
    report = imports.validate_list(db, region_code="330802", data=data)
    assert [o.accepted for o in report.outcomes] == [True, False, False, False]
    assert "清单类别" in report.outcomes[1].reasons[0]
    assert "法律依据或违法行为编码" in report.outcomes[2].reasons[0]
    assert report.outcomes[3].reasons == ["与第2行重复"]
    with pytest.raises(Forbidden):
        imports.apply_list(
            db,
            actor=personas.neighbour_supervisor,
            region_code="330802",
            report=report,
            accept_valid=True,
        )
    imports.apply_list(
        db, actor=personas.supervisor, region_code="330802", report=report, accept_valid=True
    )
    (entry,) = db.scalars(select(LeniencyEntry)).all()
    assert (entry.kind, entry.region_code, entry.field) == ("may_no_penalty", "330802", FIELD)
    town = imports.validate_list(db, region_code="330802001", data=data)
    with pytest.raises(InvalidInput, match="乡镇"):
        imports.apply_list(
            db, actor=personas.admin, region_code="330802001", report=town, accept_valid=True
        )
