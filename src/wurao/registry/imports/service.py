"""Importing registries from .xlsx and exporting them: validate every row first, report each
rejected row (row, column, value, reason), then import the valid rows or none, as the user
chose. Rows are upserted by their natural key, so re-importing a file changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor, region_filter
from wurao.core import audit
from wurao.core.errors import Forbidden, InvalidInput
from wurao.core.text import MAX_TEXT, has_control, visible
from wurao.core.time import utcnow
from wurao.core.xlsx import append_row, csv_text, set_cell
from wurao.registry.imports.sheets import SPECS
from wurao.registry.imports.specs import Context, Problem, Spec
from wurao.registry.models import ChecklistLine, EnforcementSubject, Enterprise, Officer
from wurao.registry.monitors.models import EnterpriseContactPoint

MANAGE = {
    "regions": Permission.USERS_MANAGE,  # the division table belongs to the system administrator
    "subjects": Permission.SUBJECTS_MANAGE,
    "officers": Permission.OFFICERS_MANAGE,
    "enterprises": Permission.ENTERPRISES_MANAGE,
    "items": Permission.ITEMS_MANAGE,
    "monitors": Permission.MONITORS_MANAGE,
    "contact_points": Permission.MONITORS_MANAGE,
}
BATCH = 1000
MAX_PROBLEMS_KEPT = 5000


@dataclass(frozen=True)
class RowProblem:
    """One reason a row was rejected."""

    row: int
    column: str
    value: str
    reason: str


@dataclass
class Report:
    """The outcome of validating (and possibly applying) one file."""

    kind: str
    digest: str
    total: int = 0
    valid: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    rejected_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    applied: bool = False


def spec_for(kind: str) -> Spec:
    """The sheet spec of a registry, or a Chinese error naming the allowed kinds."""
    spec = SPECS.get(kind)
    if spec is None:
        raise InvalidInput(f"未知的名录类型“{kind}”，可选：" + "、".join(SPECS), field="kind")
    return spec


def _require(actor: Actor, kind: str) -> None:
    if not actor.can(MANAGE[kind]):
        raise Forbidden(f"“{actor.role.label}”无权导入{SPECS[kind].title}。")


def _csv_rows(data: bytes) -> Iterator[tuple[Any, ...]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel and WPS save either
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput("CSV 文件应为 UTF-8 或 GBK 编码。", field="file")
    return (tuple(r) for r in csv.reader(io.StringIO(text)))


def read_rows(data: bytes, spec: Spec) -> Iterator[tuple[int, dict[str, str]]]:
    """Stream the first sheet's rows (or a CSV file's) as {header: text}, numbered as Excel
    shows them. An .xlsx file is a zip archive; anything else is read as CSV."""
    if not data.startswith(b"PK"):
        try:
            yield from _table_rows(_csv_rows(data), spec)
        except InvalidInput as exc:  # say what the file was taken for
            raise InvalidInput(
                f"文件不是 .xlsx 表格，按 CSV 读取：{exc.message}", field="file"
            ) from exc
        return
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a non-xlsx file
        raise InvalidInput("文件不是有效的 .xlsx 表格。", field="file") from exc
    ws = wb.worksheets[0]
    yield from _table_rows(ws.iter_rows(values_only=True), spec)
    wb.close()


def _table_rows(
    rows: Iterator[tuple[Any, ...]], spec: Spec
) -> Iterator[tuple[int, dict[str, str]]]:
    header_row = next(rows, None)
    headers = [str(h).strip() if h is not None else "" for h in (header_row or ())]
    missing = [h for h in spec.required if h not in headers]
    if missing:
        raise InvalidInput(
            "表头缺少必填列：" + "、".join(sorted(missing)) + "。请使用下载的模板。", field="file"
        )
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        row = {}
        for header, value in zip(headers, values, strict=False):
            if not header:
                continue
            if value is None:
                text = ""
            elif hasattr(value, "date") and callable(value.date):
                text = value.date().isoformat()  # Excel date cells
            elif isinstance(value, float) and value.is_integer():
                text = str(int(value))
            else:
                text = str(value)
            row[header] = text
        yield number, row


def validate(
    session: Session,
    *,
    actor: Actor,
    kind: str,
    data: bytes,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Check every row; nothing is written."""
    spec = spec_for(kind)
    _require(actor, kind)
    report = Report(kind=kind, digest=hashlib.sha256(data).hexdigest())
    ctx = Context.load(session, actor)
    seen: dict[str, int] = {}
    for number, row in read_rows(data, spec):
        report.total += 1
        refused = _cell_problems(row)
        values, problems = (None, refused) if refused else spec.parse(row, ctx)
        too_long = _length_problems(spec, values, row) if values is not None else []
        if too_long:
            values, problems = None, too_long
        if values is not None:
            key = str(values[spec.key])
            if key in seen:
                problems = [(_key_header(spec), key, f"与第{seen[key]}行重复")]
                values = None
            else:
                seen[key] = number
        if values is None:
            report.rejected_rows += 1
            _keep(report, number, problems)
        else:
            report.valid.append((number, values))
        if progress is not None:
            progress(report.total)
    return report


def _cell_problems(row: dict[str, str]) -> list[Problem]:
    """Cells refused before parsing: a control character (it would break search and every
    export) or a text over the largest documented maximum."""
    found: list[Problem] = []
    for header, text in row.items():
        if has_control(text):
            found.append((header, visible(text), "含有不可见的控制字符，请删除后重试"))
        elif len(text) > MAX_TEXT:
            found.append((header, text[:50] + "…", f"最多{MAX_TEXT}个字"))
    return found


def _length_problems(spec: Spec, values: dict[str, Any], row: dict[str, str]) -> list[Problem]:
    """Parsed texts longer than their column (String(n)); named by the cell they came from."""
    columns = spec.model.__table__.columns
    found: list[Problem] = []
    for key, value in values.items():
        limit = getattr(columns[key].type, "length", None) if key in columns else None
        if isinstance(value, str) and limit is not None and len(value) > limit:
            header = next((h for h, text in row.items() if text.strip() == value), key)
            found.append((header, value[:50] + "…", f"最多{limit}个字"))
    return found


def _key_header(spec: Spec) -> str:
    return {
        "code": spec.headers[0],
        "uscc": "统一社会信用代码",
        "ric": "居民身份证号",
        "enterprise_id": "企业统一社会信用代码",
    }.get(spec.key, spec.key)


def _keep(report: Report, number: int, problems: list[Problem]) -> None:
    for column, value, reason in problems:
        if len(report.problems) < MAX_PROBLEMS_KEPT:
            report.problems.append(RowProblem(number, column, value, reason))


def apply(
    session: Session,
    *,
    actor: Actor,
    report: Report,
    accept_valid: bool,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Write the valid rows (upsert by natural key), or nothing when rows were rejected and the
    user did not accept importing the valid ones. One audit entry records the whole import."""
    _require(actor, report.kind)
    if report.rejected_rows and not accept_valid:
        return report
    spec = spec_for(report.kind)
    model = spec.model
    key_col = getattr(model, spec.key)
    columns = [c.key for c in model.__table__.columns if c.key != "id"]
    now = utcnow()
    done = 0
    for start in range(0, len(report.valid), BATCH):
        chunk = [v for _, v in report.valid[start : start + BATCH]]
        keys = [v[spec.key] for v in chunk]
        existing = {
            getattr(obj, spec.key): obj
            for obj in session.scalars(select(model).where(key_col.in_(keys)))
        }
        inserts = []
        for values in chunk:
            lines = values.pop("_lines", None)
            row = {k: v for k, v in values.items() if k in columns}
            obj = existing.get(values[spec.key])
            if obj is None:
                if "created_at" in columns:
                    row["created_at"] = now
                if "updated_at" in columns:
                    row["updated_at"] = now
                inserts.append((row, lines))
                continue
            changed = {k: v for k, v in row.items() if getattr(obj, k) != v}
            if changed:
                if "updated_at" in columns:
                    changed["updated_at"] = now
                session.execute(update(model).where(key_col == values[spec.key]).values(**changed))
                report.updated += 1
            else:
                report.unchanged += 1
        if inserts:
            session.execute(insert(model), [r for r, _ in inserts])
            report.created += len(inserts)
            _insert_lines(session, [(r["code"], lines) for r, lines in inserts if lines])
        done += len(chunk)
        if progress is not None:
            progress(done)
    session.expire_all()
    report.applied = True
    audit.record(
        session,
        actor=actor,
        action=f"import.{report.kind}",
        object_type=model.__tablename__,
        object_id=f"file:{report.digest[:16]}",
        summary=(
            f"导入{spec.title}：共{report.total}行，新增{report.created}，更新{report.updated}，"
            f"未变{report.unchanged}，拒绝{report.rejected_rows}；文件SHA-256 {report.digest}"
        ),
    )
    return report


def _insert_lines(session: Session, items: list[tuple[str, list[str]]]) -> None:
    if not items:
        return
    from wurao.registry.models import InspectionItem

    ids = dict(
        session.execute(
            select(InspectionItem.code, InspectionItem.id).where(
                InspectionItem.code.in_([c for c, _ in items])
            )
        ).all()
    )
    rows = [
        {"item_id": ids[code], "seq": n, "text": text, "basis": ""}
        for code, lines in items
        for n, text in enumerate(lines, start=1)
    ]
    if rows:
        session.execute(insert(ChecklistLine), rows)


def _header_style(ws: Any, headers: tuple[str, ...], required: frozenset[str]) -> None:
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF4E0")
    for col, header in enumerate(headers, start=1):
        cell = set_cell(ws, 1, col, header)
        cell.font = bold
        if header in required:
            cell.fill = fill
        ws.column_dimensions[cell.column_letter].width = max(12, len(header) * 2 + 4)
    ws.freeze_panes = "A2"


def template(kind: str) -> bytes:
    """An .xlsx template with the Chinese headers, an example row and the instructions."""
    spec = spec_for(kind)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = spec.title[:31]
    _header_style(ws, spec.headers, spec.required)
    for col, value in enumerate(spec.example, start=1):
        set_cell(ws, 2, col, value).alignment = Alignment(wrap_text=True)
    notes = wb.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 100
    lines = [
        f"{spec.title}导入模板",
        "第一张工作表第一行为表头，请勿修改；第二行是示例，导入前请删除或改为真实数据。",
        "黄色表头为必填列。",
        "导入时先逐行校验；有问题的行会列出行号、列名、填写值和原因，您可选择只导入校验通过的行，或全部不导入。",
        "按自然键（代码/统一社会信用代码/身份证号/事项编码）更新已有记录：同一文件重复导入不会产生变化。",
        spec.note,
    ]
    for i, text in enumerate(lines, start=1):
        set_cell(notes, i, 1, text)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_rows(
    session: Session, *, actor: Actor, kind: str, q: str = "", limit: int = 200_000
) -> Iterator[tuple[Any, ...]]:
    """The actor's visible rows of a registry in the import layout, header row first."""
    spec = spec_for(kind)
    actor.require(Permission.REGISTRY_VIEW)
    model = spec.model
    stmt = select(model)
    if hasattr(model, "region_code"):
        stmt = stmt.where(region_filter(actor, model.region_code))
    if model is Officer:
        stmt = stmt.join(EnforcementSubject, EnforcementSubject.id == Officer.subject_id).where(
            region_filter(actor, EnforcementSubject.region_code)
        )
        if actor.subject_id is not None:
            stmt = stmt.where(Officer.subject_id == actor.subject_id)
    if q and hasattr(model, "name"):
        stmt = stmt.where(model.name.contains(q))
    yield spec.headers
    if model is EnterpriseContactPoint:  # each row shows its enterprise's code and name
        joined = (
            select(EnterpriseContactPoint, Enterprise)
            .join(Enterprise, Enterprise.id == EnterpriseContactPoint.enterprise_id)
            .where(region_filter(actor, EnterpriseContactPoint.region_code))
            .order_by(EnterpriseContactPoint.id)
            .limit(limit)
        )
        for point, enterprise in session.execute(joined):
            yield spec.export_row((point, enterprise))
        return
    for obj in session.scalars(stmt.order_by(getattr(model, spec.key)).limit(limit)).yield_per(
        2000
    ):
        yield spec.export_row(obj)


def export(
    session: Session, *, actor: Actor, kind: str, q: str = "", limit: int = 200_000
) -> bytes:
    """The actor's visible rows of a registry as .xlsx, in the import layout (re-importable)."""
    rows = export_rows(session, actor=actor, kind=kind, q=q, limit=limit)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(spec_for(kind).title[:31])
    for row in rows:
        append_row(ws, row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_csv(
    session: Session, *, actor: Actor, kind: str, q: str = "", limit: int = 200_000
) -> bytes:
    """The same rows as CSV (UTF-8 with BOM, for Excel and WPS); a text a spreadsheet would
    read as a formula is written with a leading apostrophe (OWASP "CSV injection")."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in export_rows(session, actor=actor, kind=kind, q=q, limit=limit):
        writer.writerow([_csv_text(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _csv_text(value: Any) -> str:
    return csv_text(value)
