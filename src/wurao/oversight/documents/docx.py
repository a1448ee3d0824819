"""A supervision document as .docx: a pure function from the issued row to bytes.

The layout is the shared GB/T 9704 letter (core/docx_layout.py: A4, the 发文机关标志 in red, the
文号 and the red line, the addressee, the body, the organ and date in the seal space), or the
region's own template; the bytes are fixed by the document's date, so the same document renders
the same bytes and its stored SHA-256 checks the subject's copy.
"""

from __future__ import annotations

from dataclasses import dataclass

from wurao.core.docx_layout import Writer
from wurao.core.docx_templates import kind_key
from wurao.oversight.documents.models import SupervisionDocument
from wurao.oversight.documents.statuses import WORDS, DocumentKind

TEMPLATE_VERSION = "2026.12-1"


@dataclass(frozen=True)
class Organ:
    """The issuing 执法监督机构: its full name and the short form its numbers start with."""

    name: str  # 柯城区司法局
    short: str  # 柯司


def number_text(organ: Organ, kind: DocumentKind, year: int, n: int) -> str:
    """A document number: 柯司监意〔2026〕3号."""
    return f"{organ.short}{WORDS[kind]}〔{year}〕{n}号"


def render(document: SupervisionDocument, organ: Organ, addressee: str) -> bytes:
    """The document's .docx: organ, title, number, addressee, body, organ and date."""
    kind = DocumentKind(document.kind)
    writer = Writer(
        organ.name,
        kind.label,
        document.number,
        kind=kind_key("supervision", kind.value),
        region_code=document.region_code,
        letterhead=True,
        addressee=addressee,
    )
    writer.fields.update(matter=document.title)
    for line in document.body.splitlines():
        if line.strip():
            writer.para(line.strip())
    writer.signature(organ.name, document.dated)
    return writer.to_bytes(document.dated)
