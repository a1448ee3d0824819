"""Every spreadsheet export writes user text as text: no formula, whatever the text starts with."""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.planning import enterprises, entry, item
from wurao.core import xlsx
from wurao.oversight import dashboard
from wurao.planning import lines, steps
from wurao.registry.imports import service as imports
from wurao.reports import filing

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def cells_with(data: bytes, texts: list[str]) -> list[Any]:
    """The cells of a workbook whose value is one of ``texts`` (read back with openpyxl)."""
    wb = load_workbook(io.BytesIO(data))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value in texts]


def assert_literal(data: bytes, texts: list[str]) -> None:
    found = cells_with(data, texts)
    assert {c.value for c in found} == set(texts)
    for c in found:
        assert c.data_type == "s", (c.value, c.data_type)
        assert c.quotePrefix, c.value


@pytest.mark.parametrize("write_only", [False, True])
def test_helper_writes_strings_as_text_and_numbers_as_numbers(write_only: bool) -> None:
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("s") if write_only else wb.active
    assert ws is not None
    xlsx.write_rows(ws, [[*HOSTILE, 7, 2.5, dt.date(2026, 1, 2), None, "普通文字\x00"]])
    buf = io.BytesIO()
    wb.save(buf)
    assert_literal(buf.getvalue(), HOSTILE)
    row = next(load_workbook(io.BytesIO(buf.getvalue())).worksheets[0].iter_rows(values_only=True))
    assert row[len(HOSTILE) : len(HOSTILE) + 2] == (7, 2.5)
    assert row[-1] == "普通文字"  # the NUL a file cannot hold is dropped, not an error


def test_plan_filing_package_writes_titles_and_notes_as_text(
    db: Session, personas: Personas
) -> None:
    admin = personas.agency_admin
    plan = steps.create_plan(db, actor=admin, year=2026, title=HOSTILE[0])
    for note in HOSTILE[1:4]:
        lines.add_entry(db, plan=plan, data=entry(item(db).id, note=note), actor=admin)
    steps.submit_plan(db, plan=plan, actor=admin)
    steps.approve_plan(db, plan=plan, actor=admin, head_name="陈局长")
    steps.publish_plan(db, plan=plan, actor=admin)
    data = filing.filing_package(db, actor=personas.supervisor, year=2026, region="330802")
    assert_literal(data, HOSTILE[:4])


def test_registry_export_writes_names_as_text(db: Session, personas: Personas) -> None:
    firms = enterprises(db, 4)
    for firm, name in zip(firms, HOSTILE[:4], strict=True):
        firm.name = name  # as if typed into a form; the export must not evaluate it
    db.flush()
    data = imports.export(db, actor=personas.supervisor, kind="enterprises")
    assert_literal(data, HOSTILE[:4])


def test_dashboard_workbook_writes_names_as_text() -> None:
    subject = SimpleNamespace(name=HOSTILE[0])
    firm = SimpleNamespace(name=HOSTILE[1], uscc=HOSTILE[2])
    board = dashboard.Dashboard(
        region_code="330802",
        year=2026,
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 6, 1),
        last_end=dt.date(2025, 6, 1),
        target=0.8,
        total=dashboard.Rates(),
        last_total=dashboard.Rates(),
        months=[0] * 12,
        last_months=[0] * 12,
        subjects=[(subject, dashboard.Rates(inspections=3, joint=1))],  # type: ignore[list-item]
        per_enterprise=[0] * len(dashboard.PER_ENTERPRISE_BUCKETS),
        top=[(firm, 3)],  # type: ignore[list-item]
        evaluations=dashboard.Evaluations(by_rating=(0, 0, 0, 0, 1), misconduct=0, low_max=2),
        alerts_by_rule=[(HOSTILE[3], [1, 0, 0])],
    )
    data = dashboard.workbook(board)
    assert_literal(data, HOSTILE[:4])
    sheet = load_workbook(io.BytesIO(data))["执法主体"]
    assert sheet.cell(row=2, column=2).value == 3  # figures stay numbers


def test_import_template_cells_are_text() -> None:
    data = imports.template("enterprises")
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f"


def test_csv_text_quotes_what_a_spreadsheet_would_run() -> None:
    from wurao.core.xlsx import csv_text

    assert csv_text('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert csv_text("@SUM(A1)") == "'@SUM(A1)" and csv_text("-1+1") == "'-1+1"
    assert csv_text("衢州\x00市") == "衢州市"  # a control character a file cannot hold
    assert csv_text(-5) == "-5" and csv_text(None) == "" and csv_text("普通文字") == "普通文字"
