"""Importing a benchmark table's rows and a leniency list from .xlsx: every row is checked
first and reported (row number, accepted or the Chinese reasons); the valid rows are written
only when none was rejected or the user chose to import the valid ones. An unreadable file
writes nothing (``read_rows`` refuses it before any row is looked at).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.errors import InvalidInput
from wurao.core.text import has_control
from wurao.core.xlsx import set_cell
from wurao.discretion.leniency import EntryData, build_entry, check_edit_list, entry_problems
from wurao.discretion.models import BenchmarkRow, BenchmarkTable, Circumstance, LeniencyKind
from wurao.discretion.service import check_edit, norm, rows_of
from wurao.registry.imports.service import RowProblem, read_rows
from wurao.registry.imports.specs import Spec
from wurao.registry.models import EnforcementSubject

BENCH_HEADERS = (
    "违法行为编码",
    "违法行为",
    "法律依据",
    "情节",
    "罚款下限（元）",
    "罚款上限（元）",
    "其他处罚种类",
    "执法领域",
)
BENCH_REQUIRED = frozenset({"违法行为", "情节", "罚款下限（元）", "罚款上限（元）"})
BENCH_EXAMPLE = (
    "330217001000",
    "销售不符合保障人体健康和人身、财产安全的国家标准、行业标准的产品",
    "《中华人民共和国产品质量法》第四十九条",
    "一般",
    "5000",
    "20000",
    "没收违法销售的产品",
    "市场监管",
)
LIST_HEADERS = ("清单类别", "执法领域", "违法行为编码", "违法行为", "法律依据", "适用条件")
LIST_REQUIRED = frozenset({"清单类别", "执法领域", "违法行为"})
LIST_EXAMPLE = (
    "可以不予处罚",
    "市场监管",
    "",
    "初次未按规定公示年度报告",
    "《企业信息公示暂行条例》第八条",
    "首次违法、危害后果轻微并及时改正",
)
CIRCUMSTANCES = {m.label: m.value for m in Circumstance}
KINDS = {
    **{m.label: m.value for m in LeniencyKind},
    "可以不予处罚": LeniencyKind.MAY_NO_PENALTY.value,
    "首违不罚": LeniencyKind.MAY_NO_PENALTY.value,
    "减轻": LeniencyKind.MITIGATE.value,
    "从轻": LeniencyKind.LIGHTER.value,
    "从轻罚款": LeniencyKind.LIGHTER.value,
    "从重": LeniencyKind.HEAVIER.value,
}


def _spec(title: str, headers: tuple[str, ...], required: frozenset[str]) -> Spec:
    # read_rows needs only the headers a sheet must carry; these sheets are parsed here
    return Spec(
        kind=title,
        title=title,
        model=BenchmarkRow,
        key="",
        headers=headers,
        required=required,
        example=(),
        parse=lambda _row, _ctx: (None, []),
        export_row=lambda _obj: (),
    )


@dataclass
class RowOutcome:
    """One row of the sheet: accepted, or the reasons it was rejected."""

    line: int
    label: str
    reasons: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        """No reason to reject it."""
        return not self.reasons


@dataclass
class ImportReport:
    """Every row's outcome and the values of the accepted ones."""

    outcomes: list[RowOutcome] = field(default_factory=list)
    values: list[dict[str, Any]] = field(default_factory=list)
    written: int = 0

    @property
    def rejected(self) -> int:
        """How many rows were refused."""
        return sum(1 for o in self.outcomes if not o.accepted)

    @property
    def problems(self) -> list[RowProblem]:
        """The refusals as the registry import lists them."""
        return [RowProblem(o.line, "", o.label, r) for o in self.outcomes for r in o.reasons]


def template(kind: str) -> bytes:
    """The .xlsx template of a benchmark (``benchmark``) or a leniency list (``list``)."""
    headers, example = (
        (BENCH_HEADERS, BENCH_EXAMPLE) if kind == "benchmark" else (LIST_HEADERS, LIST_EXAMPLE)
    )
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "裁量基准" if kind == "benchmark" else "清单"
    for col, (header, value) in enumerate(zip(headers, example, strict=True), start=1):
        set_cell(ws, 1, col, header)
        set_cell(ws, 2, col, value)
    notes = wb.create_sheet("填写说明")
    lines = [
        "第一行为表头，请勿修改；第二行是示例，导入前请删除或改为真实数据。",
        "情节填写：轻微、一般、较重、严重；罚款以元为单位，下限不得大于上限（含本数）。"
        if kind == "benchmark"
        else "清单类别填写：不予处罚、可以不予处罚（首违不罚）、减轻处罚、从轻处罚、从重处罚。",
        "导入时逐行校验，列出每一行的结果；有被拒绝的行时，可选择只导入通过的行，或全部不导入。",
    ]
    for i, text in enumerate(lines, start=1):
        set_cell(notes, i, 1, text)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _fen(raw: str, label: str, reasons: list[str]) -> int | None:
    try:
        amount = Decimal(raw.replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        reasons.append(f"{label}“{raw}”不是数字")
        return None
    if not amount.is_finite() or amount < 0:
        reasons.append(f"{label}不能为负数")
        return None
    if amount != amount.quantize(Decimal("0.01")):
        reasons.append(f"{label}最多保留两位小数")
        return None
    return int(amount * 100)


def _texts(row: dict[str, str], reasons: list[str]) -> dict[str, str]:
    out = {}
    for header, value in row.items():
        if has_control(value):
            reasons.append(f"“{header}”含有不可见的控制字符")
        out[header] = value.strip()
    return out


def _fields(session: Session) -> set[str]:
    return set(session.scalars(select(EnforcementSubject.field).distinct()))


def validate_benchmark(session: Session, *, table: BenchmarkTable, data: bytes) -> ImportReport:
    """Check every row of a benchmark sheet for ``table``; nothing is written."""
    report = ImportReport()
    known = _fields(session) | {table.field}
    seen: dict[tuple[str, str], int] = {}
    spec = _spec("裁量基准", BENCH_HEADERS, BENCH_REQUIRED)
    for line, raw in read_rows(data, spec):
        reasons: list[str] = []
        row = _texts(raw, reasons)
        violation = row.get("违法行为", "")
        if not violation:
            reasons.append("违法行为未填写")
        elif len(violation) > 300:
            reasons.append("违法行为最多300个字")
        circumstance = CIRCUMSTANCES.get(row.get("情节", ""))
        if circumstance is None:
            reasons.append(f"情节“{row.get('情节', '')}”应为轻微、一般、较重或严重")
        low = _fen(row.get("罚款下限（元）", ""), "罚款下限", reasons)
        high = _fen(row.get("罚款上限（元）", ""), "罚款上限", reasons)
        if low is not None and high is not None and low > high:
            reasons.append("罚款下限大于上限")
        row_field = row.get("执法领域", "")
        if row_field and row_field not in known:
            reasons.append(f"未知的执法领域“{row_field}”")
        elif row_field and row_field != table.field:
            reasons.append(f"执法领域“{row_field}”与本基准的领域“{table.field}”不一致")
        code = row.get("违法行为编码", "")
        if len(code) > 40:
            reasons.append("违法行为编码最多40个字")
        key = (code or norm(violation), circumstance or "")
        if not reasons:
            if key in seen:
                reasons.append(f"与第{seen[key]}行重复（同一违法行为、同一情节）")
            else:
                seen[key] = line
        report.outcomes.append(RowOutcome(line, violation[:60], reasons))
        if not reasons:
            assert low is not None and high is not None and circumstance is not None
            report.values.append(
                {
                    "line": line,
                    "violation_code": code,
                    "violation": violation,
                    "provision": row.get("法律依据", ""),
                    "circumstance": circumstance,
                    "fine_min_fen": low,
                    "fine_max_fen": high,
                    "other_kinds": row.get("其他处罚种类", "")[:300],
                }
            )
    return report


def apply_benchmark(
    session: Session,
    *,
    actor: Actor,
    table: BenchmarkTable,
    report: ImportReport,
    accept_valid: bool,
) -> ImportReport:
    """Replace a draft table's rows with the accepted ones (or write nothing)."""
    check_edit(actor, table)
    if table.published:
        raise InvalidInput("已公布的裁量基准不能修改，请新建一版。", field="file")
    if (report.rejected and not accept_valid) or not report.values:
        return report
    old = rows_of(session, table)
    for row in old:
        session.delete(row)
    new = [BenchmarkRow(table_id=table.id, **values) for values in report.values]
    session.add_all(new)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="discretion.import",
        obj=table,
        summary=f"导入裁量基准《{table.title}》{len(new)}行（拒绝{report.rejected}行）",
        region_code=table.region_code,
        covers=[*old, *new],
    )
    report.written = len(new)
    return report


def validate_list(session: Session, *, region_code: str, data: bytes) -> ImportReport:
    """Check every row of a leniency list sheet for a region; nothing is written."""
    report = ImportReport()
    known = _fields(session)
    seen: dict[tuple[str, str, str], int] = {}
    for line, raw in read_rows(data, _spec("清单", LIST_HEADERS, LIST_REQUIRED)):
        reasons: list[str] = []
        row = _texts(raw, reasons)
        kind = KINDS.get(row.get("清单类别", ""), row.get("清单类别", ""))
        entry = EntryData(
            region_code=region_code,
            field=row.get("执法领域", ""),
            kind=kind,
            violation=row.get("违法行为", ""),
            violation_code=row.get("违法行为编码", ""),
            provision=row.get("法律依据", ""),
            conditions=row.get("适用条件", ""),
        )
        reasons += [reason for _f, reason in entry_problems(entry)]
        if entry.field and entry.field not in known:
            reasons.append(f"未知的执法领域“{entry.field}”")
        key = (kind, entry.field, entry.violation_code or norm(entry.violation))
        if not reasons:
            if key in seen:
                reasons.append(f"与第{seen[key]}行重复")
            else:
                seen[key] = line
        report.outcomes.append(RowOutcome(line, entry.violation[:60], reasons))
        if not reasons:
            report.values.append({"entry": entry})
    return report


def apply_list(
    session: Session, *, actor: Actor, region_code: str, report: ImportReport, accept_valid: bool
) -> ImportReport:
    """Add the accepted entries to the region's lists (or write nothing)."""
    if (report.rejected and not accept_valid) or not report.values:
        return report
    entries: list[EntryData] = [v["entry"] for v in report.values]
    for field_name in sorted({e.field for e in entries}):
        check_edit_list(session, actor, region_code, field_name)
    rows = [build_entry(actor, e) for e in entries]
    session.add_all(rows)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="leniency.import",
        object_type="leniency_entry",
        object_id=f"{region_code}:import",
        summary=f"导入清单{len(rows)}条（拒绝{report.rejected}行）",
        region_code=region_code,
        covers=rows,
    )
    report.written = len(rows)
    return report
