"""The annual statistics as files: the published .xlsx and .docx, the report package (.zip) for
the same-level government and the higher department, and the .xlsx of manual figures the
subject fills in and imports. Pure functions from a report (and its subject) to bytes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from openpyxl import Workbook, load_workbook

from wurao.cases.documents_docx import Writer
from wurao.core.errors import InvalidInput
from wurao.core.time import LOCAL_TZ
from wurao.core.xlsx import append_row
from wurao.registry.models import EnforcementSubject
from wurao.reports.annual import service
from wurao.reports.annual.catalogue import BY_KEY, FIGURES, MANUAL_KEYS, by_category
from wurao.reports.annual.models import AnnualReport

COLUMNS = ("类别", "指标", "数值", "单位", "来源", "填报理由")
MANUAL_COLUMNS = ("指标代码", "指标", "数值", "数据来源或理由")
IMPORT_MAX_BYTES = 1_000_000


def _source(key: str, manual: dict[str, Any]) -> tuple[str, str]:
    figure = BY_KEY[key]
    if figure.manual:
        entry = manual.get(key)
        return ("主体填报", entry["reason"]) if entry else ("未填报", "")
    return ("由填报数据计算", "") if figure.derived else ("平台统计", "")


def rows(report: AnnualReport) -> list[tuple[str, str, str, str, str, str]]:
    """One row per figure, in the national template's order."""
    values = service.all_values(report)
    manual = service.loads(report.manual)
    out = []
    for category, figures in by_category(values):
        for figure, value in figures:
            if figure.key == "items_never_used" and value is None:
                continue
            source, reason = _source(figure.key, manual)
            out.append((category, figure.label, figure.show(value), figure.unit, source, reason))
    return out


def query_time(report: AnnualReport) -> str:
    """The query date of the computed figures, local time."""
    return report.computed_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def workbook(report: AnnualReport, subject: EnforcementSubject) -> bytes:
    """The report as .xlsx: the figures, then the item lists."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "年度数据"
    append_row(ws, (f"{subject.name}{report.year}年度行政执法数据",))
    append_row(ws, (f"数据查询时间：{query_time(report)}", f"SHA-256：{report.figures_sha256}"))
    append_row(ws, COLUMNS)
    for row in rows(report):
        append_row(ws, row)
    lists = service.loads(report.lists)
    if lists:
        ls = wb.create_sheet("检查事项使用情况")
        append_row(ls, ("类别", "事项编码", "检查事项", "使用次数"))
        for code, name, n in lists.get("most_used", []):
            append_row(ls, ("使用最多", code, name, n))
        for code, name in lists.get("never_used", []):
            append_row(ls, ("全年未使用", code, name, 0))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def document(report: AnnualReport, subject: EnforcementSubject) -> bytes:
    """The report as .docx: the announcement with the figures' table."""
    day = report.published_on or report.computed_at.astimezone(LOCAL_TZ).date()
    writer = Writer(subject.name, f"{report.year}年度行政执法数据公告", "")
    writer.para(
        f"根据《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的"
        f"指导意见》（国办发〔2018〕118号），现将本机关{report.year}年度行政执法数据公告如下。"
        f"数据查询时间：{query_time(report)}。"
    )
    current = ""
    table: list[tuple[str, str]] = []
    for category, label, value, unit, _source, _reason in rows(report):
        if category != current:
            if table:
                writer.table(table)
                table = []
            writer.heading(category)
            current = category
        table.append((label, value if unit == "%" else f"{value} {unit}"))
    if table:
        writer.table(table)
    writer.signature(subject.name, day)
    return writer.to_bytes(day)


def package(report: AnnualReport, subject: EnforcementSubject) -> bytes:
    """The report package (报送材料) for the government and the higher department: the .docx,
    the .xlsx and a note with the query date, the approvals and the figures' SHA-256."""
    name = f"{subject.name}{report.year}年度行政执法数据"
    note = "\n".join(
        (
            name,
            f"执法主体：{subject.name}（{subject.uscc}）",
            f"数据查询时间：{query_time(report)}",
            f"法制审核：{report.reviewed_by} {_when(report.reviewed_at)}",
            f"负责人批准：{report.approved_by} {_when(report.approved_at)}",
            f"公布日期：{report.published_on.isoformat() if report.published_on else '未公布'}",
            f"数据SHA-256：{report.figures_sha256}",
            f"复核命令：wurao report annual --year {report.year} --subject {subject.id}",
        )
    )
    stamp = (report.year + 1, 1, 1, 0, 0, 0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for filename, data in (
            (f"{name}.docx", document(report, subject)),
            (f"{name}.xlsx", workbook(report, subject)),
            ("说明.txt", note.encode()),
        ):
            zf.writestr(zipfile.ZipInfo(filename, stamp), data)
    return buf.getvalue()


def _when(value: dt.datetime | None) -> str:
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d") if value else ""


def manual_template(report: AnnualReport) -> bytes:
    """The .xlsx of manual figures to fill in (with what is entered so far)."""
    manual = service.loads(report.manual)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "补充数据"
    append_row(ws, MANUAL_COLUMNS)
    for f in FIGURES:
        if f.manual:
            entry = manual.get(f.key, {})
            append_row(ws, (f.key, f.label, entry.get("value", ""), entry.get("reason", "")))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parse_manual(data: bytes) -> list[service.ManualValue]:
    """The filled-in rows of a manual-figures .xlsx (code or label, value, reason)."""
    if not data or len(data) > IMPORT_MAX_BYTES:
        raise InvalidInput("请上传不超过1 MB的 .xlsx 文件。", field="file")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds on a file that is no .xlsx
        raise InvalidInput("文件不是有效的 .xlsx 表格。", field="file") from exc
    by_label = {BY_KEY[k].label: k for k in MANUAL_KEYS}
    out: list[service.ManualValue] = []
    ws = wb.worksheets[0]
    for n, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        cells = [c if c is not None else "" for c in [*row, "", "", "", ""][:4]]
        code, label, value, reason = (str(c).strip() for c in cells)
        if not value:
            continue
        key = code if code in MANUAL_KEYS else by_label.get(label, "")
        if not key:
            raise InvalidInput(f"第{n}行：未知的指标“{code or label}”。", field="file")
        try:
            number = int(float(value))
        except ValueError:
            raise InvalidInput(f"第{n}行：数值“{value}”不是整数。", field="file") from None
        out.append(service.ManualValue(key, number, reason))
    wb.close()
    if not out:
        raise InvalidInput("表格中没有填写任何数值。", field="file")
    return out
