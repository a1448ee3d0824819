"""A region's own Word templates for the generated documents, installed without code.

A template is a .docx written in Word with docxtpl (Jinja2) tags, saved as
``<var_dir>/templates/<region_code>/<kind>.docx``. A document of a region uses the nearest
template up the region hierarchy (330802 柯城区 → 330800 衢州市 → 330000 浙江省), then
``<var_dir>/templates/default/<kind>.docx``, then the built-in layout (core/docx_layout.py).
The variables a template may use are listed in docs/documents.md; ``wurao documents
template-example <kind>`` writes a starting point. A variable the template uses but the document
does not provide stops the rendering with the template's path and the names missing, instead of
printing an empty line into a legal document.

The bytes are fixed as the built-in layout's are (core properties and zip times set from the
document's date), so a document rendered from a template also renders the same bytes again.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

from docx.document import Document as DocxDocument
from docxtpl import DocxTemplate  # type: ignore[import-untyped]  # no stubs
from jinja2 import Environment, StrictUndefined, TemplateError, UndefinedError

from wurao.core.config import get_settings
from wurao.core.errors import DomainError
from wurao.core.ids import region_parent

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
DEFAULT_FOLDER = "default"

# Every kind of document that consults a region's template: file name → title. A test checks
# this against the domains' own kinds (core may not import them).
KINDS: dict[str, str] = {
    "case-filing": "立案审批表",
    "case-notice": "行政处罚事先告知书",
    "case-hearing-notice": "听证通知书",
    "case-review": "法制审核意见书",
    "case-decision": "行政处罚决定书",
    "case-service": "送达回证",
    "case-no-penalty": "不予行政处罚决定书",
    "case-on-spot": "当场行政处罚决定书",
    "supervision-opinion": "行政执法监督意见书",
    "supervision-suggestion": "行政执法监督建议书",
    "supervision-supervise": "督办通知",
    "supervision-review-report": "案卷评查通报",
    "risk-notice": "风险提示函",
    "inspection-record": "现场检查笔录",
}


class DocumentTemplateError(DomainError):
    """A region's template cannot be rendered: the administrator must correct the file."""

    status_code = 500
    code = "document_template"


def kind_key(prefix: str, value: str) -> str:
    """The template name of a domain's kind: ``case-hearing-notice`` for ``hearing_notice``."""
    return f"{prefix}-{value.replace('_', '-')}"


def templates_dir() -> Path:
    """Where the regions' templates live."""
    return get_settings().var_dir / "templates"


def _chain(region_code: str) -> list[str]:
    chain: list[str] = []
    code: str | None = region_code
    while code:
        chain.append(code)
        try:
            code = region_parent(code)
        except ValueError:  # not a structured code (IdentifierError): no parents to walk
            code = None
    return [*chain, DEFAULT_FOLDER]


def find_template(region_code: str, kind: str) -> Path | None:
    """The template a document of ``kind`` in the region uses, nearest first; None if none."""
    root = templates_dir()
    if not root.is_dir():
        return None
    for folder in _chain(region_code):
        path = root / folder / f"{kind}.docx"
        if path.is_file():
            return path
    return None


def fixed_bytes(doc: DocxDocument, *, title: str, day: dt.date) -> bytes:
    """The .docx, byte-for-byte the same for the same content, title and date."""
    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = "wurao"
    props.created = props.modified = dt.datetime(day.year, day.month, day.day)
    props.revision = 1
    raw = io.BytesIO()
    doc.save(raw)
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


def render_template(path: Path, context: dict[str, Any], *, title: str, day: dt.date) -> bytes:
    """The document laid out by a region's template; a clear error when it cannot be."""
    env = Environment(undefined=StrictUndefined, autoescape=True)
    try:
        template = DocxTemplate(str(path))
        missing = sorted(set(template.get_undeclared_template_variables(env)) - set(context))
        if missing:
            raise DocumentTemplateError(
                f"文书模板 {path} 使用了本文书没有的变量：{'、'.join(missing)}。"
                "可用的变量见 docs/documents.md，请修改模板后重试。"
            )
        template.render(context, jinja_env=env)
    except UndefinedError as exc:
        raise DocumentTemplateError(
            f"文书模板 {path} 使用了本文书没有的内容（{exc.message}）。"
            "可用的变量见 docs/documents.md，请修改模板后重试。"
        ) from exc
    except TemplateError as exc:
        raise DocumentTemplateError(
            f"文书模板 {path} 的标记有误（{exc.message}），请修改模板后重试。"
        ) from exc
    return fixed_bytes(template.docx, title=title, day=day)
