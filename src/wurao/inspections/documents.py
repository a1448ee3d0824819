"""The 现场检查笔录 as an editable .docx in the shared A4 layout, from the record as stored.

A 检查笔录 is mandatory (B3, 行政处罚法 第55条); it names the inspectors and their
certificates, the code shown (B2), times, the checklist, findings and the outcome, and
carries signature lines for the officers and the enterprise's person present.
"""

from __future__ import annotations

from wurao.core.docx_layout import Writer, cn_date
from wurao.core.time import format_local, local_date
from wurao.inspections.records import ATTESTATION, OUTCOMES, RESULTS, RecordView
from wurao.registry.items.methods import METHODS

KIND = "inspection-record"


def title_of(view: RecordView) -> str:
    """The document's title by the inspection's method."""
    return "现场检查笔录" if view.onsite else "非现场检查记录"


def _facts(view: RecordView) -> list[tuple[str, str]]:
    task, record = view.task, view.record
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
    return [(label, value or "—") for label, value in facts]


def record_docx(view: RecordView) -> bytes:
    """The record as a Chinese .docx in the shared A4 layout, ready to print and sign."""
    task, record = view.task, view.record
    finished = bool(record and record.finished_at)
    title = title_of(view) + ("" if finished else "（草稿）")
    w = Writer("", title, "", kind=KIND, region_code=task.region_code)
    w.fields.update(
        enterprise=view.enterprise.name,
        uscc=view.enterprise.uscc,
        code_number=view.code.number if view.code else "",
    )
    w.table(_facts(view))
    w.heading("一、检查表单")
    rows: list[tuple[str, ...]] = []
    for il in view.items:
        for line in il.lines:
            result = view.results.get(line.id)
            rows.append(
                (
                    str(len(rows) + 1),
                    il.item.name,
                    line.text,
                    RESULTS.get(result.result, result.result) if result else "未填写",
                    result.note if result else "",
                )
            )
    w.table(
        rows, header=("序号", "检查事项", "检查内容", "结果", "说明"), widths=(16, 36, 56, 20, 28)
    )
    w.heading("二、检查情况")
    w.para((record.findings if record else "") or "未发现问题。")
    w.heading("三、处理结果")
    outcome = OUTCOMES.get(record.outcome, "") if record else ""
    if record and record.outcome == "rectify" and record.rectify_deadline:
        outcome += f"，整改期限至{cn_date(record.rectify_deadline)}"
    w.para(outcome or "—")
    if view.evidence:
        w.heading("四、证据")
        for ev in view.evidence:
            where = f"，存放于 {ev.uri}" if ev.uri else ""
            w.para(f"{ev.filename}（{ev.size} 字节，SHA-256 {ev.sha256}{where}）", indent=False)
    w.heading("执法人员承诺")
    attested = bool(record and record.attested)
    for line_text in ATTESTATION:
        w.para(("☑ " if attested else "☐ ") + line_text, indent=False)
    when = record.finished_at or record.started_at if record else None
    day = local_date(when) if when else local_date(task.created_at)
    labels = ("执法人员签名：", "执法人员签名：", "企业在场人员签名：")
    w.para("", indent=False)
    w.table([(label, "____________________") for label in labels], grid=False)
    w.table([("签名日期：", cn_date(day) if finished else cn_date(None))], grid=False)
    w.signature_lines, w.dated = list(labels), day
    return w.to_bytes(day)


def filename_of(view: RecordView) -> str:
    """A download name for the document."""
    return f"{title_of(view)}-任务{view.task.id}.docx"
