"""The page layout of the case documents: the shared GB/T 9704 layout (core/docx_layout.py).

A case document is a 执法文书: the organ and the title head the page in black, the number stands
on the right, and the organ's name and the date sit in the seal space at the end. The bytes are
fixed by the document's date, so the stored SHA-256 checks the copy the party holds.
"""

from __future__ import annotations

from wurao.core.docx_layout import BODY, TITLE, Writer, cn_date

BODY_FONT = BODY.name
TITLE_FONT = TITLE.name

__all__ = ["BODY_FONT", "TITLE_FONT", "Writer", "cn_date"]
