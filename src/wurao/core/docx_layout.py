"""The layout every generated .docx shares: GB/T 9704-2012 (党政机关公文格式) as far as Word can.

A4 (210×297 mm) with the standard's margins (top 37, bottom 35, left 28, right 26 mm: a 版心 of
156×225 mm), 22 lines of exactly 28.9 pt, the title in 小标宋 二号, the body in 仿宋 三号, headings
in 黑体 三号, each named as the East Asian font (``w:eastAsia``) with a fallback in the font table;
for letters the 发文机关标志 in red, the 文号 under it and a red separator; the signature block
(organ, date as 2026年12月6日) inside a marked 〔印章〕 seal space; page numbers "— 1 —".

The writer also records what it wrote (``context()``) so that a region's own Word template
(core/docx_templates.py) can lay out the same content instead of the built-in layout.

Why the bytes are normalised: a .docx is a zip whose entries carry the time they were written,
and python-docx stamps the core properties with the current time. Both are fixed to the date
the document bears, so the same content renders the same bytes and a stored SHA-256 checks the
copy the recipient holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from wurao.core.docx_templates import find_template, fixed_bytes, render_template


@dataclass(frozen=True)
class Font:
    """A font as the document names it, and what a reader without it should use instead."""

    name: str
    fallback: str  # written as w:altName in the font table (Word, WPS, LibreOffice read it)
    family: str = "roman"


# GB/T 9704-2012 7.1: 标题 2号小标宋体字, 正文 3号仿宋体字, 一级标题 黑体, 页码 4号半角宋体.
# 仿宋 (FangSong) is the 仿宋体 every Windows and WPS has; 仿宋_GB2312 is not installed on
# current Windows, so a region that has it supplies its own template (docs/documents.md).
TITLE = Font("方正小标宋简体", "宋体")
BODY = Font("仿宋", "FangSong")
HEADING = Font("黑体", "SimHei", "swiss")
PLAIN = Font("宋体", "SimSun")
FONTS = (TITLE, BODY, HEADING, PLAIN)
SIZE_ORGAN = 26.0  # 一号: the 发文机关标志
SIZE_TITLE = 22.0  # 二号
SIZE_BODY = 16.0  # 三号
SIZE_PAGE_NUMBER = 14.0  # 四号
LINE = Pt(28.9)  # 22 lines in the 225 mm 版心
RED = RGBColor(0xFF, 0x00, 0x00)
SEAL_MM = 42  # a round official seal is 42 mm across
SEAL_MARK = "〔印章〕"
PAGE = {"width": 210, "height": 297, "top": 37, "bottom": 35, "left": 28, "right": 26}


def cn_date(day: dt.date | None) -> str:
    """A date as GB/T 9704 writes it (Arabic numerals): 2026年12月6日; blanks when unknown."""
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def set_font(run: Run, font: Font, size: float, *, bold: bool = False) -> None:
    """Name the font for Latin and East Asian text (python-docx sets only the Latin one)."""
    run.font.name = font.name
    run.font.size = Pt(size)
    run.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font.name)


def _border(p: Paragraph, sides: tuple[str, ...], *, val: str, color: str, size: int) -> None:
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for side in sides:
        edge = OxmlElement(f"w:{side}")
        for key, value in (("val", val), ("sz", str(size)), ("space", "4"), ("color", color)):
            edge.set(qn(f"w:{key}"), value)
        borders.append(edge)
    ppr.append(borders)


def _font_table(doc: DocxDocument) -> None:
    """Declare each font with its fallback, so a reader without 小标宋 uses 宋体, not Arial."""
    table = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    head, _, tail = table.blob.decode("utf-8").rpartition("</w:fonts>")
    entries = "".join(
        f'<w:font w:name="{f.name}"><w:altName w:val="{f.fallback}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{f.family}"/><w:pitch w:val="variable"/></w:font>'
        for f in FONTS
    )
    table._blob = (head + entries + "</w:fonts>" + tail).encode("utf-8")


def new_document() -> DocxDocument:
    """An empty A4 document with the standard's margins, styles and page numbers."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = BODY.name
    normal.font.size = Pt(SIZE_BODY)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY.name)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    table_style = doc.styles["Table Grid"]
    table_style.font.size = Pt(14)  # 四号 in forms: a 156 mm wide table holds 11 characters a cell
    for section in doc.sections:
        section.page_width, section.page_height = Mm(PAGE["width"]), Mm(PAGE["height"])
        section.top_margin, section.bottom_margin = Mm(PAGE["top"]), Mm(PAGE["bottom"])
        section.left_margin, section.right_margin = Mm(PAGE["left"]), Mm(PAGE["right"])
        section.footer_distance = Mm(22)  # the number's line 7 mm below the 版心
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_font(footer.add_run("— "), PLAIN, SIZE_PAGE_NUMBER)
        field = footer.add_run()
        set_font(field, PLAIN, SIZE_PAGE_NUMBER)
        for kind, text in (("begin", ""), ("instr", " PAGE "), ("separate", ""), ("end", "")):
            if kind == "instr":
                node = OxmlElement("w:instrText")
                node.set(qn("xml:space"), "preserve")
                node.text = text
            else:
                node = OxmlElement("w:fldChar")
                node.set(qn("w:fldCharType"), kind)
            field._r.append(node)
            if kind == "separate":
                shown = OxmlElement("w:t")
                shown.text = "1"
                field._r.append(shown)
        set_font(footer.add_run(" —"), PLAIN, SIZE_PAGE_NUMBER)
    _font_table(doc)
    return doc


class Writer:
    """One document being written, paragraph by paragraph, in the standard layout.

    ``letterhead`` gives the 发文机关标志 in red with the 文号 centred under it and a red line
    (letters and notices); without it the organ and title head the page in black and the number
    stands on the right (the 执法文书 forms). ``kind`` and ``region_code`` choose a region's own
    template when one is installed (core/docx_templates.py).
    """

    def __init__(
        self,
        organ: str,
        title: str,
        number: str,
        *,
        kind: str = "",
        region_code: str = "",
        letterhead: bool = False,
        addressee: str = "",
    ) -> None:
        self.doc = new_document()
        self.organ, self.title, self.number = organ, title, number
        self.kind, self.region_code, self.addressee = kind, region_code, addressee
        self.blocks: list[dict[str, Any]] = []
        self.fields: dict[str, str] = {}  # kind-specific values a region's template may print
        self.signature_lines: list[str] = []
        self.signed_by = organ
        self.dated: dt.date | None = None
        if letterhead:
            self._letterhead()
        else:
            if organ:
                self.centred(organ, TITLE, SIZE_BODY + 2)
            self.centred(title, TITLE, SIZE_TITLE)
            if number:
                p = self._paragraph(WD_ALIGN_PARAGRAPH.RIGHT)
                set_font(p.add_run(number), BODY, SIZE_BODY)
        if addressee:
            self.para(f"{addressee}：", indent=False, record=False)

    def _paragraph(self, align: WD_ALIGN_PARAGRAPH | None = None) -> Paragraph:
        p = self.doc.add_paragraph()
        if align is not None:
            p.alignment = align
        return p

    def _letterhead(self) -> None:
        # 7.2: the organ's mark in red, centred; the 文号 two lines under it; a red line below.
        p = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.line_spacing = Pt(SIZE_ORGAN * 1.5)
        run = p.add_run(self.organ)
        set_font(run, TITLE, SIZE_ORGAN)
        run.font.color.rgb = RED
        self._paragraph()
        number = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER)
        set_font(number.add_run(self.number), BODY, SIZE_BODY)
        _border(number, ("bottom",), val="single", color="FF0000", size=12)
        self._paragraph()
        self.centred(self.title, TITLE, SIZE_TITLE)
        self._paragraph()

    def centred(self, text: str, font: Font, size: float, bold: bool = False) -> None:
        """A centred line (the organ, the title)."""
        p = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER)
        if size > SIZE_BODY + 4:
            p.paragraph_format.line_spacing = Pt(size * 1.5)
        set_font(p.add_run(text), font, size, bold=bold)

    def para(self, text: str, *, label: str = "", indent: bool = True, record: bool = True) -> None:
        """A body paragraph, optionally led by a bold label (当事人：…)."""
        p = self._paragraph(WD_ALIGN_PARAGRAPH.JUSTIFY)
        if indent:
            p.paragraph_format.first_line_indent = Pt(SIZE_BODY * 2)
        if label:
            set_font(p.add_run(label), BODY, SIZE_BODY, bold=True)
        set_font(p.add_run(text), BODY, SIZE_BODY)
        if record:
            self.blocks.append({"type": "para", "text": label + text, "rows": []})

    def heading(self, text: str) -> None:
        """A section heading inside the body, in 黑体."""
        p = self._paragraph()
        p.paragraph_format.first_line_indent = Pt(SIZE_BODY * 2)
        p.paragraph_format.keep_with_next = True  # never the last line of a page
        set_font(p.add_run(text), HEADING, SIZE_BODY)
        self.blocks.append({"type": "heading", "text": text, "rows": []})

    def table(
        self,
        rows: Sequence[Sequence[str]],
        *,
        header: Sequence[str] = (),
        grid: bool = True,
        widths: Sequence[float] = (),
    ) -> None:
        """A form table (the 审批表, the 送达回证, a checklist), with an optional header row;
        without ``grid`` a borderless one (signature lines). ``widths`` in mm fill the 156 mm
        版心; a two-column form gets a narrow label column."""
        width = len(header) if header else max((len(r) for r in rows), default=2)
        if not widths:
            widths = (44, 112) if width == 2 else (156 / width,) * width
        table = self.doc.add_table(rows=0, cols=width)
        if grid:
            table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, mm in zip(table.columns, widths, strict=False):
            column.width = Mm(mm)  # the grid, which LibreOffice and WPS follow
        for n, values in enumerate([*([header] if header else []), *rows]):
            row = table.add_row()
            row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row stays whole
            for cell, value, mm in zip(row.cells, values, widths, strict=False):
                cell.width = Mm(mm)
                cell.text = value or ""
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.line_spacing = Pt(22)
                if paragraph.runs:
                    set_font(paragraph.runs[0], HEADING if header and n == 0 else BODY, 14)
        # a template repeats rows: the header is the first of them
        rows_text = [list(r) for r in [*([header] if header else []), *rows]]
        self.blocks.append({"type": "table", "text": "", "rows": rows_text})

    def signature(
        self, organ: str, day: dt.date | None, lines: tuple[str, ...] = (), *, seal: bool = True
    ) -> None:
        """Signature lines, then the seal space holding the organ's name and the date."""
        self.signed_by, self.dated = organ, day
        self.signature_lines = list(lines)
        # 7.3.5.4: no page bears the seal alone; the last paragraph moves over with it
        body = self.doc.element.body
        if len(body) > 1 and body[-2].tag == qn("w:p"):
            self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
        self._paragraph().paragraph_format.keep_with_next = True
        for line in lines:
            self.para(f"{line}____________________", indent=False, record=False)
            self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
        # 7.3.5.1: the seal presses on the organ's name and the date, the date four characters
        # from the right; the dashed box shows where it goes on the printed copy.
        texts = ([SEAL_MARK] if seal else []) + [t for t in (organ, cn_date(day)) if t]
        box = Mm(SEAL_MM + 30)
        for n, text in enumerate(texts):
            p = self._paragraph(WD_ALIGN_PARAGRAPH.CENTER)
            fmt = p.paragraph_format
            fmt.left_indent = Mm(156) - box - Pt(SIZE_BODY * 2)
            fmt.right_indent = Pt(SIZE_BODY * 2)
            fmt.keep_with_next = n < len(texts) - 1  # the seal space never splits over a page
            run = p.add_run(text)
            set_font(run, BODY, SIZE_BODY)
            if seal and n == 0:
                fmt.space_before = Pt(14)
                fmt.space_after = Pt(28)
                run.font.color.rgb = RGBColor(0xA6, 0xA6, 0xA6)
            if seal:
                _border(p, ("top", "left", "bottom", "right"), val="dashed", color="BFBFBF", size=4)

    def context(self) -> dict[str, Any]:
        """What a region's template may print (docs/documents.md lists every name)."""
        day = self.dated
        return {
            "organ": self.organ,
            "title": self.title,
            "number": self.number,
            "addressee": self.addressee,
            "blocks": self.blocks,
            "paragraphs": [b["text"] for b in self.blocks if b["type"] != "table"],
            "tables": [b["rows"] for b in self.blocks if b["type"] == "table"],
            "signature_lines": self.signature_lines,
            "signed_by": self.signed_by,
            "date": cn_date(day),
            "date_iso": day.isoformat() if day else "",
            "seal_mark": SEAL_MARK,
            "kind": self.kind,
            "region_code": self.region_code,
            "fields": dict(self.fields),
        }

    def to_bytes(self, day: dt.date) -> bytes:
        """The .docx (a region's template when it has one), the same bytes for the same input."""
        template = find_template(self.region_code, self.kind) if self.kind else None
        if template is not None:
            return render_template(template, self.context(), title=self.title, day=day)
        return fixed_bytes(self.doc, title=self.title, day=day)


def example_template(kind: str, title: str, *, letterhead: bool = True) -> bytes:
    """A region template to start from: the built-in letter layout written as docxtpl tags.

    Every paragraph of the document comes from ``blocks`` in order (a paragraph, a 黑体 heading
    or a table whose rows repeat); a region edits the letterhead, fonts and fixed wording in Word
    and keeps the tags (docs/documents.md).
    """
    w = Writer("{{ organ }}", title, "{{ number }}", letterhead=letterhead)

    def tag(text: str) -> None:
        w._paragraph().add_run(text)

    tag("{%p if addressee %}")
    w.para("{{ addressee }}：", indent=False, record=False)
    tag("{%p endif %}")
    tag("{%p for b in blocks %}")
    tag('{%p if b.type == "table" %}')
    table = w.doc.add_table(rows=2, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("{%tr for row in b.rows %}", "", ""), strict=True):
        cell.text = text
    for cell, text in zip(
        table.rows[1].cells, ("{%tc for c in row %}", "{{ c }}", "{%tc endfor %}"), strict=True
    ):
        cell.text = text
    last = table.add_row().cells
    last[0].text = "{%tr endfor %}"
    tag('{%p elif b.type == "heading" %}')
    w.heading("{{ b.text }}")
    tag("{%p else %}")
    w.para("{{ b.text }}", record=False)
    tag("{%p endif %}")
    tag("{%p endfor %}")
    tag("{%p for line in signature_lines %}")
    w.para("{{ line }}____________________", indent=False, record=False)
    tag("{%p endfor %}")
    w.signature("{{ signed_by }}", None)
    # the seal box's date line is a placeholder too
    for p in w.doc.paragraphs:
        if p.text == cn_date(None):
            p.runs[0].text = "{{ date }}"
        elif p.text == SEAL_MARK:
            p.runs[0].text = "{{ seal_mark }}"
    w.blocks = []
    return fixed_bytes(w.doc, title=f"{title}（{kind}）模板", day=dt.date(2026, 1, 1))
