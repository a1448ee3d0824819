"""风险提示函 as .docx (python-docx): written once when issued, kept under var/notices/.

The file's SHA-256 is stored on the RiskNotice so that a copy can be checked later; the
text itself is also kept in ``RiskNotice.body`` so that nothing depends on the file alone.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from docx import Document
from docx.shared import Pt

from wurao.core.config import get_settings
from wurao.core.time import format_local
from wurao.oversight.models import Alert, RiskNotice
from wurao.registry.models import EnforcementSubject


def body_text(alert: Alert, subject: EnforcementSubject, note: str = "") -> str:
    """The notice's text: the finding, its source, the evidence and what is asked."""
    evidence = json.loads(alert.evidence or "[]")
    lines = [
        f"{subject.name}：",
        f"经涉企行政检查监督规则监测，发现你单位存在以下风险：{alert.title}。",
        f"具体情况：{alert.detail}",
        f"依据：{alert.source}",
        "相关记录：" + "、".join(str(e.get("label", "")) for e in evidence if isinstance(e, dict)),
    ]
    if note.strip():
        lines.append(f"监督意见：{note.strip()}")
    lines.append("请你单位核查上述情况，及时整改，并在平台中书面答复整改情况。")
    return "\n".join(lines)


def _path(notice: RiskNotice) -> Path:
    return get_settings().var_dir / "notices" / f"{notice.id}.docx"


def render_docx(notice: RiskNotice, subject: EnforcementSubject) -> bytes:
    """The notice as a .docx document."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(14)
    doc.add_heading("风险提示函", level=0)
    doc.add_paragraph(notice.number)
    for line in notice.body.splitlines():
        doc.add_paragraph(line)
    doc.add_paragraph(f"签发时间：{format_local(notice.issued_at)}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_docx(notice: RiskNotice, subject: EnforcementSubject) -> str:
    """Write the notice's .docx and return its SHA-256."""
    data = render_docx(notice, subject)
    path = _path(notice)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def read_docx(notice: RiskNotice, subject: EnforcementSubject) -> bytes:
    """The issued file, or (if the var dir was lost) a fresh rendering of the same text."""
    path = _path(notice)
    if path.exists():
        return path.read_bytes()
    return render_docx(notice, subject)
