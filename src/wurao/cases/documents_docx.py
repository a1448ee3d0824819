"""The page layout shared by every case document: A4, 仿宋 body and 宋体 title (eastAsia set),
the organ's name and the title centred, the number on the right, signature and seal lines.

Why the bytes are normalised: a .docx is a zip whose entries carry the time they were written,
and python-docx stamps the core properties with the current time. Both are fixed to the date
the document bears, so the same case renders the same bytes and the stored SHA-256 checks the
copy the party holds (regenerating an unchanged document gives the same digest).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.run import Run

BODY_FONT = "仿宋"
TITLE_FONT = "宋体"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def cn_date(day: dt.date | None) -> str:
    """A date as documents write it: 2026年10月13日 (blank line when not yet known)."""
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def _font(run: Run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.bold = bold
    # East Asian text takes the eastAsia font, not the Latin one.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


class Writer:
    """One document being written, paragraph by paragraph."""

    def __init__(self, organ: str, title: str, number: str) -> None:
        self.doc = Document()
        style = self.doc.styles["Normal"]
        style.font.name = BODY_FONT
        style.font.size = Pt(14)
        style.element.rPr.rFonts.set(qn("w:eastAsia"), BODY_FONT)
        for section in self.doc.sections:
            section.page_width, section.page_height = Mm(210), Mm(297)
            section.top_margin, section.bottom_margin = Mm(37), Mm(35)
            section.left_margin, section.right_margin = Mm(28), Mm(26)
        self.title = title
        self.centred(organ, TITLE_FONT, 16, bold=True)
        self.centred(title, TITLE_FONT, 22, bold=True)
        if number:
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(p.add_run(number), BODY_FONT, 14)

    def centred(self, text: str, font: str, size: float, bold: bool = False) -> None:
        """A centred line (the organ, the title)."""
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run(text), font, size, bold)

    def para(self, text: str, *, label: str = "", indent: bool = True) -> None:
        """A body paragraph, optionally led by a bold label (当事人：…)."""
        p = self.doc.add_paragraph()
        if indent:
            p.paragraph_format.first_line_indent = Pt(28)
        if label:
            _font(p.add_run(label), BODY_FONT, 14, bold=True)
        _font(p.add_run(text), BODY_FONT, 14)

    def heading(self, text: str) -> None:
        """A bold section heading inside the body."""
        p = self.doc.add_paragraph()
        _font(p.add_run(text), BODY_FONT, 14, bold=True)

    def table(self, rows: list[tuple[str, str]]) -> None:
        """A two-column form table (the 审批表, the 送达回证)."""
        grid = self.doc.add_table(rows=0, cols=2)
        grid.style = "Table Grid"
        for label, value in rows:
            cells = grid.add_row().cells
            cells[0].text = label
            cells[1].text = value or ""

    def signature(self, organ: str, day: dt.date | None, lines: tuple[str, ...] = ()) -> None:
        """Signature lines, then the organ's name with its seal and the date, on the right."""
        self.doc.add_paragraph()
        for line in lines:
            self.para(f"{line}____________________", indent=False)
        for text in (f"{organ}（印章）", cn_date(day)):
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(p.add_run(text), BODY_FONT, 14)

    def to_bytes(self, day: dt.date) -> bytes:
        """The .docx, byte-for-byte the same for the same content and date."""
        stamp = dt.datetime(day.year, day.month, day.day)
        props = self.doc.core_properties
        props.title = self.title
        props.author = props.last_modified_by = "wurao"
        props.created = props.modified = stamp
        props.revision = 1
        raw = io.BytesIO()
        self.doc.save(raw)
        out = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
        ):
            for info in src.infolist():
                entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
                entry.compress_type = zipfile.ZIP_DEFLATED
                dst.writestr(entry, src.read(info.filename))
        return out.getvalue()
