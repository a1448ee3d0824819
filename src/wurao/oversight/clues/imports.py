"""Importing hotline work orders (12345, 12348) from .xlsx or CSV exports.

Each hotline's export names its columns its own way; a clerk maps them once per region and
source (``clue_import_mapping``) and later imports reuse the mapping. Every row is checked
first and each refused row reported with its number and a Chinese reason; a work order
already held (same source and 工单编号) is merged into its clue with a note, never created
twice. An unreadable file writes nothing. The cell checks are the registry imports' own.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from openpyxl import load_workbook
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.db import Base
from wurao.core.errors import InvalidInput
from wurao.core.text import MAX_TEXT, has_control
from wurao.core.time import local_today, utcnow
from wurao.oversight.clues import routing
from wurao.oversight.clues.statuses import HOTLINES, ClueSource, ClueStatus
from wurao.oversight.models import Clue, ClueEvent, ClueImportMapping
from wurao.registry.imports.service import RowProblem

# field → (Chinese name, required, column width in the model)
FIELDS: dict[str, tuple[str, bool, int]] = {
    "work_order_no": ("工单编号", True, 60),
    "description": ("诉求内容", True, 4000),
    "subject_text": ("被反映单位", False, 200),
    "reporter_name": ("反映人", False, 50),
    "reporter_contact": ("联系电话", False, 100),
    "received_at": ("受理时间", False, 30),
    "enterprise_name": ("涉及企业", False, 200),
    "problem_type": ("问题类型", False, 20),
}
MAX_ROWS = 100_000
CHUNK = 1_000  # rows written per flush and audit entry (bench/clues.py)
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d")


@dataclass
class ImportReport:
    """The outcome of checking (and possibly applying) one work-order file."""

    source: str
    digest: str
    total: int = 0
    valid: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    created: int = 0
    merged: int = 0
    applied: bool = False

    @property
    def rejected(self) -> int:
        """Rows refused (a row may carry several problems)."""
        return len({p.row for p in self.problems})


def _source(source: str) -> ClueSource:
    if source not in {s.value for s in HOTLINES}:
        raise InvalidInput("请选择12345或12348热线。", field="source")
    return ClueSource(source)


def read_table(data: bytes, filename: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and the rows (numbered as the file shows them) of an .xlsx or CSV file."""
    if filename.lower().endswith(".csv"):
        return _read_csv(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
    except Exception as exc:  # openpyxl raises several types for a file that is not .xlsx
        raise InvalidInput(
            "文件无法读取：请上传 .xlsx 或 .csv 格式的工单导出表。", field="file"
        ) from exc
    if not rows:
        raise InvalidInput("文件是空的。", field="file")
    header = [_cell(v) for v in rows[0]]
    return header, ((n, [_cell(v) for v in r]) for n, r in enumerate(rows[1:], start=2))


def _read_csv(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    for encoding in ("utf-8-sig", "gb18030"):  # hotline systems export either
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidInput("文件无法读取：CSV 应为 UTF-8 或 GBK 编码。", field="file")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise InvalidInput("文件是空的。", field="file")
    header = [h.strip() for h in rows[0]]
    return header, ((n, r) for n, r in enumerate(rows[1:], start=2))


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def saved_mapping(session: Session, *, actor: Actor, source: str) -> dict[str, str]:
    """The region's saved mapping for a hotline (``{field: header}``), empty if none yet."""
    actor.require(Permission.CLUES_VIEW)
    row = session.scalar(
        select(ClueImportMapping).where(
            ClueImportMapping.region_code == actor.region_code,
            ClueImportMapping.source == _source(source).value,
        )
    )
    return dict(json.loads(row.mapping)) if row is not None else {}


def suggest(header: list[str], saved: dict[str, str]) -> dict[str, str]:
    """The saved mapping where its headers are in the file, else the same-named columns."""
    out = {f: h for f, h in saved.items() if h in header}
    for name, (label, _req, _n) in FIELDS.items():
        if name not in out and label in header:
            out[name] = label
    return out


def save_mapping(
    session: Session, *, actor: Actor, source: str, mapping: dict[str, str], header: list[str]
) -> dict[str, str]:
    """Check and keep the mapping for the region and hotline (later imports reuse it)."""
    actor.require(Permission.CLUES_VIEW)
    src = _source(source)
    clean = {f: h.strip() for f, h in mapping.items() if f in FIELDS and h.strip()}
    for name, (label, required, _n) in FIELDS.items():
        if required and name not in clean:
            raise InvalidInput(f"请为“{label}”选择文件中的列。", field=f"map_{name}")
        if name in clean and clean[name] not in header:
            raise InvalidInput(f"文件中没有“{clean[name]}”列。", field=f"map_{name}")
    row = session.scalar(
        select(ClueImportMapping).where(
            ClueImportMapping.region_code == actor.region_code,
            ClueImportMapping.source == src.value,
        )
    )
    text = json.dumps(clean, ensure_ascii=False, sort_keys=True)
    if row is not None and row.mapping == text:
        return clean
    before = audit.snapshot(row) if row is not None else None
    if row is None:
        row = ClueImportMapping(region_code=actor.region_code, source=src.value, mapping=text)
        session.add(row)
    row.mapping = text
    row.updated_at = utcnow()
    row.updated_by_id = actor.user_id
    audit.record(
        session,
        actor=actor,
        action="clue.import_mapping",
        obj=row,
        before=before,
        summary=f"保存{src.label}工单导入列对应关系",
    )
    return clean


def check(
    session: Session,
    *,
    actor: Actor,
    source: str,
    data: bytes,
    filename: str,
    mapping: dict[str, str],
) -> ImportReport:
    """Check every row against the mapping; nothing is written."""
    actor.require(Permission.CLUES_VIEW)
    src = _source(source)
    report = ImportReport(source=src.value, digest=hashlib.sha256(data).hexdigest())
    header, rows = read_table(data, filename)
    index = {f: header.index(h) for f, h in mapping.items() if h in header}
    missing = [FIELDS[f][0] for f, (_l, req, _n) in FIELDS.items() if req and f not in index]
    if missing:
        raise InvalidInput("尚未对应必填列：" + "、".join(missing) + "。", field="file")
    types = routing.problem_types(actor.region_code, local_today())
    by_label = {label: code for code, label in types.items()}
    seen: dict[str, int] = {}
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        report.total += 1
        if report.total > MAX_ROWS:
            raise InvalidInput(f"一次最多导入{MAX_ROWS}行，请分批导入。", field="file")
        values = {f: (cells[i].strip() if i < len(cells) else "") for f, i in index.items()}
        problems = _row_problems(values, by_label)
        key = values.get("work_order_no", "")
        if not problems and key in seen:
            problems = [("工单编号", key, f"与第{seen[key]}行的工单编号重复")]
        for column, value, reason in problems:
            report.problems.append(RowProblem(number, column, value[:50], reason))
        if not problems:
            seen[key] = number
            if values.get("problem_type"):
                values["problem_type"] = by_label[values["problem_type"]]
            report.valid.append((number, values))
    return report


def _row_problems(values: dict[str, str], by_label: dict[str, str]) -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    for name, value in values.items():
        label, required, limit = FIELDS[name]
        if has_control(value):
            found.append((label, value, "含有不可见的控制字符，请删除后重试"))
        elif required and not value:
            found.append((label, value, f"{label}不能为空"))
        elif len(value) > min(limit, MAX_TEXT):
            found.append((label, value, f"最多{limit}个字"))
    when = values.get("received_at", "")
    if when and _parse_time(when) is None:
        found.append(("受理时间", when, "时间格式应为 YYYY-MM-DD 或 YYYY-MM-DD HH:MM"))
    kind = values.get("problem_type", "")
    if kind and kind not in by_label:
        found.append(("问题类型", kind, "应为：" + "、".join(by_label)))
    return found


def _parse_time(text: str) -> dt.datetime | None:
    for fmt in _DATE_FORMATS:
        try:
            local = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return local.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))).astimezone(dt.UTC)
    return None


def apply(session: Session, *, actor: Actor, report: ImportReport) -> ImportReport:
    """Write the valid rows: new work orders become clues, known ones are merged (noted).

    The rows go in chunks of ``CHUNK`` (one lookup of the known work orders, one bulk insert
    for the new clues and one for the history rows, one audit entry covering the chunk), so the
    statements grow with the chunks, not with the rows; the report is the same row by row.
    """
    actor.require(Permission.CLUES_VIEW)
    src = _source(report.source)
    chunks = range(0, len(report.valid), CHUNK)
    for part, start in enumerate(chunks, start=1):
        rows = report.valid[start : start + CHUNK]
        label = (
            f"第{part}/{len(chunks)}批（第{rows[0][0]}–{rows[-1][0]}行）" if len(chunks) > 1 else ""
        )
        _apply_chunk(session, actor=actor, src=src, rows=rows, report=report, label=label)
    report.applied = True
    if not chunks:  # nothing valid: the refused file is still on the record
        _audit_chunk(session, actor=actor, src=src, report=report, written=[], label="")
    return report


def _apply_chunk(
    session: Session,
    *,
    actor: Actor,
    src: ClueSource,
    rows: list[tuple[int, dict[str, str]]],
    report: ImportReport,
    label: str,
) -> None:
    # Looked up by the work-order key alone (ix_clue_source_work_order), the region scope then
    # applied to the rows found: with a range on region_code in the statement, PostgreSQL
    # planned a scan of the county's clues per chunk while the import's own rows (not yet
    # analysed, same transaction) made the statistics stale — seconds per chunk at 100 000.
    stmt = select(Clue).where(
        Clue.source == src.value,
        Clue.work_order_no.in_({v["work_order_no"] for _, v in rows}),
    )
    existing = {
        c.work_order_no: c for c in session.scalars(stmt) if actor.covers_region(c.region_code)
    }
    now = utcnow()
    fresh: dict[str, dict[str, object]] = {}
    steps: list[tuple[str, str, str]] = []  # (work order, action, note) in the file's order
    for number, values in rows:
        key = values["work_order_no"]
        clue = existing.get(key)
        if clue is not None or key in fresh:  # (check() already refuses repeats in a file)
            note = f"第{number}行：重复工单{key}已合并，未新建线索。"
            held = clue.description if clue is not None else str(fresh[key]["description"])
            if values["description"] not in held:
                held = f"{held}\n【重复工单补充】{values['description']}"
                if clue is not None:
                    clue.description = held
                else:
                    fresh[key]["description"] = held
            steps.append((key, "merge", note))
            continue
        fresh[key] = {
            "source": src.value,
            "region_code": actor.region_code,
            "status": ClueStatus.NEW.value,
            "created_at": now,
            "work_order_no": key,
            "description": values["description"],
            "subject_text": values.get("subject_text", ""),
            "reporter_name": values.get("reporter_name", ""),
            "reporter_contact": values.get("reporter_contact", ""),
            "enterprise_name": values.get("enterprise_name", ""),
            "problem_type": values.get("problem_type", ""),
            "received_at": _parse_time(values.get("received_at", "")),
        }
        steps.append((key, "receive", ""))
    # Bulk INSERT … RETURNING: one statement per chunk on PostgreSQL and SQLite alike (the
    # unit of work would insert row by row on SQLite to keep RETURNING in parameter order).
    new = list(session.scalars(insert(Clue).returning(Clue), list(fresh.values()))) if fresh else []
    merged = list(existing.values())  # every clue found is one a row of the chunk merges into
    session.flush()  # the merged clues' descriptions
    by_key = {c.work_order_no: c for c in (*merged, *new)}
    params = [
        {
            "clue_id": by_key[key].id,
            "at": now,
            "actor_id": actor.user_id,
            "actor_name": actor.display_name,
            "action": action,
            "status": by_key[key].status,
            "note": note,
            "due_on": by_key[key].due_on,
        }
        for key, action, note in steps
    ]
    events = list(session.scalars(insert(ClueEvent).returning(ClueEvent), params))
    written: list[Base] = [*new, *merged, *events]
    report.created += len(new)
    report.merged += len(steps) - len(new)
    _audit_chunk(session, actor=actor, src=src, report=report, written=written, label=label)


def _audit_chunk(
    session: Session,
    *,
    actor: Actor,
    src: ClueSource,
    report: ImportReport,
    written: list[Base],
    label: str,
) -> None:
    """One entry per chunk; it covers the chunk's clues and history rows (audit ``covers``)."""
    tag = f"file:{report.digest[:16]}" + (f":{label[: label.index('批') + 1]}" if label else "")
    so_far = "（累计）" if label else ""
    audit.record(
        session,
        actor=actor,
        action="clue.import",
        object_type="clue",
        object_id=tag,
        summary=(
            f"导入{src.label}工单{label}：共{report.total}行，新建线索{report.created}{so_far}，"
            f"合并重复工单{report.merged}{so_far}，拒绝{report.rejected}行；"
            f"文件SHA-256 {report.digest}"
        ),
        covers=written,
    )
