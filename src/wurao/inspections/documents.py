"""The 现场检查笔录 as an editable .docx (python-docx), from the record as stored.

A 检查笔录 is mandatory (B3, 行政处罚法 第55条); it names the inspectors and their
certificates, the code shown (B2), times, the checklist, findings and the outcome, and
carries signature lines for the officers and the enterprise's person present.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from wurao.core.time import format_local
from wurao.inspections.records import ATTESTATION, OUTCOMES, RESULTS, RecordView
from wurao.registry.items.methods import METHODS

FONT = "宋体"


def _set_font(document: object) -> None:
    style = document.styles["Normal"]  # type: ignore[attr-defined]
    style.font.name = FONT
    style.font.size = Pt(11)
    # East Asian text takes the eastAsia font, not the Latin one.
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)


def title_of(view: RecordView) -> str:
    """The document's title by the inspection's method."""
    return "现场检查笔录" if view.onsite else "非现场检查记录"


def record_docx(view: RecordView) -> bytes:
    """The record as a Chinese .docx, ready to print and sign."""
    doc = Document()
    _set_font(doc)
    task, record = view.task, view.record
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title_of(view) + ("" if record and record.finished_at else "（草稿）"))
    run.bold = True
    run.font.size = Pt(18)

    facts: list[tuple[str, str]] = [
        ("检查任务", f"第 {task.id} 号（{METHODS.get(task.method, task.method)}）"),
        ("检查对象", view.enterprise.name),
        ("统一社会信用代码", view.enterprise.uscc),
        ("地址", view.enterprise.address or "—"),
        ("执法主体", "、".join(s.name for s in view.subjects) or "—"),
        (
            "执法人员及证件号",
            "；".join(
                f"{o.officer.name}（执法证号 {o.officer.cert_no or '—'}）" for o in view.officers
            )
            or "—",
        ),
        ("行政行为码编号", view.code.number if view.code else "—"),
        ("开始时间", format_local(record.started_at) if record else ""),
        ("结束时间", format_local(record.ended_at) if record else ""),
    ]
    if view.onsite:
        facts += [
            ("检查地点", record.location if record else ""),
            ("企业在场人员", record.present_person if record else ""),
            (
                "出示证件",
                "已出示行政执法证件和行政行为码" if record and record.ids_shown else "未确认",
            ),
        ]
    else:
        facts.append(("数据来源", record.data_source if record else ""))
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in facts:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value or "—"

    doc.add_paragraph()
    doc.add_paragraph().add_run("一、检查表单").bold = True
    lines = doc.add_table(rows=1, cols=5)
    lines.style = "Table Grid"
    for cell, text in zip(
        lines.rows[0].cells, ("序号", "检查事项", "检查内容", "结果", "说明"), strict=True
    ):
        cell.text = text
    n = 0
    for il in view.items:
        for line in il.lines:
            n += 1
            result = view.results.get(line.id)
            cells = lines.add_row().cells
            cells[0].text = str(n)
            cells[1].text = il.item.name
            cells[2].text = line.text
            cells[3].text = RESULTS.get(result.result, result.result) if result else "未填写"
            cells[4].text = result.note if result else ""

    doc.add_paragraph().add_run("二、检查情况").bold = True
    doc.add_paragraph((record.findings if record else "") or "未发现问题。")
    doc.add_paragraph().add_run("三、处理结果").bold = True
    outcome = OUTCOMES.get(record.outcome, "") if record else ""
    if record and record.outcome == "rectify" and record.rectify_deadline:
        outcome += f"，整改期限至 {record.rectify_deadline.isoformat()}"
    doc.add_paragraph(outcome or "—")
    if view.evidence:
        doc.add_paragraph().add_run("四、证据").bold = True
        for ev in view.evidence:
            where = f"，存放于 {ev.uri}" if ev.uri else ""
            doc.add_paragraph(f"{ev.filename}（{ev.size} 字节，SHA-256 {ev.sha256}{where}）")
    doc.add_paragraph().add_run("执法人员承诺").bold = True
    attested = bool(record and record.attested)
    for line_text in ATTESTATION:
        doc.add_paragraph(("☑ " if attested else "☐ ") + line_text)

    doc.add_paragraph()
    signatures = doc.add_table(rows=0, cols=2)
    for label in (
        "执法人员签名：",
        "执法人员签名：",
        "企业在场人员签名：",
        "签名日期：",
    ):
        cells = signatures.add_row().cells
        cells[0].text = label
        cells[1].text = "____________________"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def filename_of(view: RecordView) -> str:
    """A download name for the document."""
    return f"{title_of(view)}-任务{view.task.id}.docx"
