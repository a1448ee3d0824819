"""The shared document layout (GB/T 9704 on A4) and the regions' own templates, checked on every
kind of generated document: page, margins, East Asian fonts, 文号, organ, seal space, the same
bytes on a re-render, and no code or enum value printed untranslated."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_LINE_SPACING
from docx.oxml.ns import qn
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.conftest import Personas
from tests.inspections.test_records import finish, make_task
from wurao.cases import documents as case_documents
from wurao.cases.models import PenaltyCase
from wurao.core.config import get_settings
from wurao.core.docx_cli import documents_app
from wurao.core.docx_layout import BODY, SEAL_MARK, Writer
from wurao.core.docx_templates import KINDS, DocumentTemplateError, kind_key
from wurao.inspections import documents as record_documents
from wurao.inspections import evaluations, records
from wurao.oversight import engine
from wurao.oversight.documents import docx as supervision_docx
from wurao.oversight.documents.models import SupervisionDocument
from wurao.oversight.documents.statuses import DocumentKind as SupervisionKind
from wurao.oversight.models import Alert

DAY = dt.date(2026, 12, 7)
# A code, an enum value or a table name: lower-case words joined by underscores (no_code,
# risk_notice) or a rule id (F2 EVALUATION). None may reach the reader.
RAW_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[A-Z]\d+ [A-Z_]{3,}\b")


@pytest.fixture(autouse=True)
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Templates and issued files go to a temporary var dir, never the checkout's var/."""
    monkeypatch.setenv("WURAO_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def text_of(doc: DocxDocument) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def assert_standard(data: bytes, *, number: str, organ: str, seal: bool = True) -> str:
    """The GB/T 9704 page and fonts; returns the document's text."""
    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    sizes = (section.page_width, section.page_height)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) if m else None for m in sizes] == [210, 297]
    assert [round(m.mm) if m else None for m in margins] == [37, 35, 28, 26]
    normal = doc.styles["Normal"]
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == BODY.name
    assert normal.font.size.pt == 16  # 三号
    assert normal.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert 28 <= normal.paragraph_format.line_spacing.pt <= 29
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "— " in footer  # — 1 —
    text = text_of(doc)
    if number:
        assert number in text
    if organ:
        assert organ in text
    assert (SEAL_MARK in text) is seal
    found = RAW_CODE.findall(text)
    assert not found, found
    return text


# --- the layout and the templates ------------------------------------------------------------


def _letter(region_code: str = "330802", kind: str = "supervision-opinion") -> Writer:
    w = Writer(
        "柯城区司法局", "行政执法监督意见书", "柯司监意〔2026〕3号", kind=kind,
        region_code=region_code, letterhead=True, addressee="柯城区市场监督管理局",
    )  # fmt: skip
    w.para("经查，你单位一月内三次检查同一企业 & <b>。")
    w.heading("一、存在的问题")
    w.table([("序号", "问题"), ("1", "重复检查")])
    w.signature("柯城区司法局", DAY)
    return w


def test_letter_layout_red_letterhead_number_rule_and_seal() -> None:
    data = _letter().to_bytes(DAY)
    text = assert_standard(data, number="柯司监意〔2026〕3号", organ="柯城区司法局")
    doc = Document(io.BytesIO(data))
    head, number = doc.paragraphs[0], doc.paragraphs[2]
    assert head.text == "柯城区司法局" and str(head.runs[0].font.color.rgb) == "FF0000"
    assert 'w:eastAsia="方正小标宋简体"' in head.runs[0].element.xml
    assert 'w:color="FF0000"' in number._p.xml  # the red separator under the 文号
    assert "2026年12月7日" in text and "柯城区市场监督管理局：" in text
    # the fallbacks are declared in the font table
    table = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("fontTable"))
    assert 'w:name="仿宋"><w:altName w:val="FangSong"/>' in table.blob.decode()
    assert data == _letter().to_bytes(DAY)


def _install(var_dir: Path, folder: str, kind: str, *lines: str) -> Path:
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    path = var_dir / "templates" / folder / f"{kind}.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def test_a_region_template_serves_its_region_and_those_below_not_a_neighbour(
    var_dir: Path,
) -> None:
    lines = ("{%p for p in paragraphs %}", "{{ p }}", "{%p endfor %}", "{{ signed_by }} {{ date }}")
    _install(var_dir, "330800", "supervision-opinion", "衢州模板 {{ organ }} {{ number }}", *lines)
    ours = Document(io.BytesIO(_letter("330802").to_bytes(DAY)))  # 柯城区, under 衢州市
    text = text_of(ours)
    assert text.startswith("衢州模板 柯城区司法局 柯司监意〔2026〕3号")
    assert "你单位一月内三次检查同一企业 & <b>。" in text and "柯城区司法局 2026年12月7日" in text
    assert _letter("330802").to_bytes(DAY) == _letter("330802").to_bytes(DAY)
    neighbour = Document(io.BytesIO(_letter("331002").to_bytes(DAY)))  # 台州 椒江区
    assert "衢州模板" not in text_of(neighbour) and SEAL_MARK in text_of(neighbour)
    other_kind = _letter("330802", kind="supervision-suggestion").to_bytes(DAY)
    assert "衢州模板" not in text_of(Document(io.BytesIO(other_kind)))
    # the nearest wins; ``default`` serves every region without its own
    _install(var_dir, "330802", "supervision-opinion", "柯城模板 {{ number }}")
    _install(var_dir, "default", "supervision-opinion", "通用模板 {{ number }}")
    assert text_of(Document(io.BytesIO(_letter("330802").to_bytes(DAY)))).startswith("柯城模板")
    assert text_of(Document(io.BytesIO(_letter("331002").to_bytes(DAY)))).startswith("通用模板")


def test_a_template_variable_the_document_lacks_is_named_in_the_error(var_dir: Path) -> None:
    path = _install(var_dir, "330802", "supervision-opinion", "{{ organ }} {{ approver }}")
    with pytest.raises(DocumentTemplateError) as missing:
        _letter("330802").to_bytes(DAY)
    assert "approver" in missing.value.message and str(path) in missing.value.message
    assert "docs/documents.md" in missing.value.message
    _install(var_dir, "330802", "supervision-opinion", "{{ fields.approver }}")
    with pytest.raises(DocumentTemplateError) as attribute:
        _letter("330802").to_bytes(DAY)
    assert "approver" in attribute.value.message
    _install(var_dir, "330802", "supervision-opinion", "{% if organ %}未闭合")
    with pytest.raises(DocumentTemplateError, match="标记有误"):
        _letter("330802").to_bytes(DAY)


def test_the_example_template_renders_every_block(var_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "example.docx"
    result = CliRunner().invoke(
        documents_app, ["template-example", "case-filing", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "case-filing" in CliRunner().invoke(documents_app, ["kinds"]).output
    assert CliRunner().invoke(documents_app, ["template-example", "nope"]).exit_code == 2
    target = var_dir / "templates" / "330802" / "supervision-opinion.docx"
    target.parent.mkdir(parents=True)
    target.write_bytes(out.read_bytes())
    w = _letter("330802")
    w.table([("1", "a", "b")], header=("序号", "检查事项", "结果"))
    w.signature_lines = ["承办人签名："]
    data = w.to_bytes(DAY)
    text = assert_standard(data, number="柯司监意〔2026〕3号", organ="柯城区司法局")
    assert "{{" not in text and "{%" not in text
    rows = [[c.text for c in r.cells] for t in Document(io.BytesIO(data)).tables for r in t.rows]
    assert (
        ["序号", "问题"] in rows
        and ["序号", "检查事项", "结果"] in rows
        and ["1", "a", "b"] in rows
    )
    assert "一、存在的问题" in text and "承办人签名：" in text and "2026年12月7日" in text


def test_every_kind_is_known_to_the_template_listing() -> None:
    expected = {kind_key("case", k.value) for k in case_documents.DocumentKind}
    expected |= {kind_key("supervision", k.value) for k in SupervisionKind}
    expected |= {"risk-notice", "inspection-record"}
    assert set(KINDS) == expected


# --- each generated document ------------------------------------------------------------------


def _case(**changes: object) -> PenaltyCase:
    values: dict[str, object] = dict(
        number="柯市监立〔2026〕12号", region_code="330802", origin="clue", origin_ref="线索第3号",
        procedure="ordinary", party_kind="enterprise", party_name="衢州示例制造有限公司",
        act_on=dt.date(2026, 8, 20), found_on=dt.date(2026, 9, 1), filed_on=dt.date(2026, 9, 2),
        facts="当事人销售不合格产品。", provisions_breached="《产品质量法》第三十九条",
        provisions_applied="《产品质量法》第四十九条", notice_kinds="|warning|fine|",
        notice_fine_fen=100_000, notice_confiscation_fen=0, notice_hearing_rights=True,
        notice_served_on=dt.date(2026, 9, 29), hearing_on=dt.date(2026, 10, 9),
        hearing_notified_on=dt.date(2026, 10, 3), review_sent_on=dt.date(2026, 9, 30),
        review_passed=True, review_opinion="事实清楚。", reviewed_on=dt.date(2026, 10, 10),
        outcome="penalty", decided_on=dt.date(2026, 10, 13), decision_kinds="|fine|",
        fine_fen=100_000, confiscation_fen=0, reasons="情节较轻。", remedy="", payment_ref="",
        payment_due_on=None, served_on=dt.date(2026, 10, 14), served_how="direct",
    )  # fmt: skip
    values.update(changes)
    return PenaltyCase(**values)


@pytest.mark.parametrize("kind", list(case_documents.DocumentKind))
def test_each_case_document(kind: case_documents.DocumentKind) -> None:
    changes: dict[str, object] = {}
    if kind is case_documents.DocumentKind.NO_PENALTY:
        changes = {"outcome": "no_penalty"}
    elif kind is case_documents.DocumentKind.ON_SPOT:
        changes = {"procedure": "simple"}
    view = case_documents.CaseView(
        case=_case(**changes), organ="柯城区市场监督管理局", officers=[("张明", "33080001")],
        evidence=[("现场照片.jpg", "违法事实")], party_id_label="统一社会信用代码",
        party_id="91330802MA2A00001N", party_address="衢州市柯城区示例路1号",
        presiding="李华", reviewer="王芳",
    )  # fmt: skip
    number = case_documents.number_text("柯城区市场监督管理局", kind, 2026, 3)
    data = case_documents.render(kind, view, number, DAY)
    text = assert_standard(data, number=number, organ="柯城区市场监督管理局")
    assert kind.label in text
    assert data == case_documents.render(kind, view, number, DAY)


@pytest.mark.parametrize("kind", list(SupervisionKind))
def test_each_supervision_document(kind: SupervisionKind) -> None:
    organ = supervision_docx.Organ("柯城区司法局", "柯司")
    document = SupervisionDocument(
        kind=kind.value, number=supervision_docx.number_text(organ, kind, 2026, 3),
        region_code="330802", title="关于重复检查问题", body="经查，你单位重复检查。\n请予纠正。",
        dated=DAY,
    )  # fmt: skip
    data = supervision_docx.render(document, organ, "柯城区市场监督管理局")
    text = assert_standard(data, number=document.number, organ="柯城区司法局")
    assert kind.label in text and "柯城区市场监督管理局：" in text
    assert data == supervision_docx.render(document, organ, "柯城区市场监督管理局")


def test_the_risk_notice_prints_the_misconduct_in_chinese(db: Session, personas: Personas) -> None:
    b = make_task(db)
    token = finish(db, b, personas.officer)
    evaluations.submit_evaluation(
        db, token=token, rating=1, comment="", misconduct=["no_code", "legal_rep"],
        confirm_no_code=True,
    )  # fmt: skip
    engine.sweep(db, today=DAY, only=["F2 EVALUATION"])
    alert = db.scalars(select(Alert).where(Alert.rule_id == "F2 EVALUATION")).one()
    notice = engine.notify(db, alert=alert, actor=personas.supervisor)
    data = engine.notice_docx(db, notice=notice)
    text = assert_standard(data, number=notice.number, organ="柯城区司法局")
    assert "风险提示函" in text and "反映问题：未亮码、要求法定代表人到场" in text
    # a lost file renders the same bytes again
    (get_settings().var_dir / "notices" / f"{notice.id}.docx").unlink()
    assert engine.notice_docx(db, notice=notice) == data


def test_the_inspection_record(db: Session, personas: Personas) -> None:
    b = make_task(db)
    finish(db, b, personas.officer, ok=False)
    view = records.record_view(db, actor=personas.officer, task_id=b.task.id)
    data = record_documents.record_docx(view)
    assert b.code is not None
    text = assert_standard(data, number=b.code.number, organ="", seal=False)
    assert text.startswith("现场检查笔录") and "企业在场人员签名：" in text
    assert data == record_documents.record_docx(view)
