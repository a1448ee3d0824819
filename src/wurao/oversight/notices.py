"""风险提示函 as .docx: written once when issued, kept under var/notices/.

The letter has the shared GB/T 9704 layout (core/docx_layout.py: A4, the 执法监督机构's name in
red, the 文号 and the red line, the subject addressed, the body, the organ and date in the seal
space) or the region's own template (``risk-notice.docx``). The file's SHA-256 is stored on the
RiskNotice so that a copy can be checked later; the bytes are fixed by the issue date, so a lost
file renders again as the same bytes. The text itself is also kept in ``RiskNotice.body`` so
that nothing depends on the file alone.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy.orm import object_session

from wurao.core.config import get_settings
from wurao.core.docx_layout import Writer
from wurao.core.time import local_date
from wurao.oversight.models import Alert, RiskNotice
from wurao.registry.models import EnforcementSubject, Region

KIND = "risk-notice"
TITLE = "风险提示函"


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


def _organ(notice: RiskNotice) -> str:
    """The issuing 执法监督机构, as the supervision documents name it: 柯城区司法局."""
    session = object_session(notice)
    region = session.get(Region, notice.region_code) if session is not None else None
    return f"{region.name}司法局" if region is not None else "行政执法监督机构"


def render_docx(notice: RiskNotice, subject: EnforcementSubject) -> bytes:
    """The notice as a .docx letter (the same bytes for the same notice)."""
    day = local_date(notice.issued_at)
    organ = _organ(notice)
    lines = [line.strip() for line in notice.body.splitlines() if line.strip()]
    addressee = f"{subject.name}："
    if lines and lines[0] == addressee:  # the body opens with whom it addresses
        lines = lines[1:]
    writer = Writer(
        organ,
        TITLE,
        notice.number,
        kind=KIND,
        region_code=notice.region_code,
        letterhead=True,
        addressee=subject.name,
    )
    for line in lines:
        writer.para(line)
    writer.signature(organ, day)
    return writer.to_bytes(day)


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
