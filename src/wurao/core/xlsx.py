"""Writing spreadsheets: user text goes in as text, never as a formula.

A name such as ``=HYPERLINK("http://x","y")`` typed into a form must not become a live formula
when a supervisor opens an export (OWASP "CSV injection", which applies to .xlsx as well:
openpyxl stores any string starting with ``=`` as a formula). Every export writes its cells
through this module: strings are string cells (``data_type 's'``), and those starting with a
character a spreadsheet reads as the start of a formula (``= + - @``, tab, carriage return)
also carry the ``quotePrefix`` style, so that editing the cell in Excel or WPS keeps it text.
Numbers, dates and booleans stay what they are. Characters that XML cannot carry (NUL and the
other C0 controls) are removed, so one stray control character cannot break an export.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str) -> str:
    """``value`` without the control characters a spreadsheet file cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def csv_text(value: Any) -> str:
    """One CSV cell: a text a spreadsheet would read as a formula gets a leading apostrophe
    (OWASP "CSV injection"), as ``safe_cell`` marks it quote-prefixed in a workbook."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    text = clean_text(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_cell(ws: Worksheet | WriteOnlyWorksheet, value: Any) -> Cell:
    """A cell of ``ws`` holding ``value``; a string is always a literal string cell."""
    text = clean_text(value) if isinstance(value, str) else value
    cell = WriteOnlyCell(ws)  # a detached cell; ``append`` places it (normal or write-only)
    cell.value = text
    if isinstance(text, str):
        cell.data_type = "s"
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    return cell


def append_row(ws: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    """Append one row of values to ``ws`` (normal or write-only), strings as text."""
    ws.append([safe_cell(ws, v) for v in values])


def write_rows(ws: Worksheet | WriteOnlyWorksheet, rows: Iterable[Iterable[Any]]) -> None:
    """Append every row of ``rows`` to ``ws`` through :func:`append_row`."""
    for row in rows:
        append_row(ws, row)


def set_cell(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Put ``value`` at (row, column) of a normal worksheet, a string as text; returns the cell."""
    cell = ws.cell(row=row, column=column)
    assert isinstance(cell, Cell), "not a merged cell"
    written = safe_cell(ws, value)
    cell.value = written.value
    cell.data_type = written.data_type
    if written.quotePrefix:
        cell.quotePrefix = True
    return cell
