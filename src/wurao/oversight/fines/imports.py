"""Importing the finance side's 罚没收入 per subject and month from .xlsx, and exporting the
monthly table.

Every row is checked first and reported (row number, accepted or the Chinese reasons); the
valid rows are written only when none was rejected or the user chose to import the valid ones.
A row names its subject by 统一社会信用代码; a subject outside the importer's region is refused
row by row. Re-importing is idempotent: a subject's month holds one figure, replaced when the
sheet's differs and left alone (no audit entry) when it is the same.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from wurao.auth.permissions import Permission
from wurao.auth.scope import Actor
from wurao.core import audit
from wurao.core.text import has_control
from wurao.core.time import utcnow
from wurao.core.xlsx import append_row, set_cell
from wurao.oversight.fines.models import FineRevenueMonth
from wurao.oversight.fines.queries import Table
from wurao.registry.imports.service import read_rows
from wurao.registry.imports.specs import Spec
from wurao.registry.models import EnforcementSubject

IMPORT = Permission.ALERTS_MANAGE  # the supervisor keeps the finance side's figures
HEADERS = ("执法主体统一社会信用代码", "执法主体名称", "年月", "罚没收入（元）", "备注")
REQUIRED = frozenset({"执法主体统一社会信用代码", "年月", "罚没收入（元）"})
EXAMPLE = ("11330802MB0000000X", "衢州市柯城区市场监督管理局", "2025-03", "125000.00", "")
MONTH_RE = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})|(\d{2}))(?:\D.*)?$")
NOTE_MAX = 200

SPEC = Spec(
    kind="fine_revenue",
    title="罚没收入",
    model=FineRevenueMonth,
    key="",
    headers=HEADERS,
    required=REQUIRED,
    example=EXAMPLE,
    parse=lambda _row, _ctx: (None, []),  # rows are checked here (validate)
    export_row=lambda _obj: (),
)


@dataclass
class RowOutcome:
    """One row of the sheet: accepted, or the reasons it was rejected."""

    line: int
    label: str
    reasons: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        """No reason to reject it."""
        return not self.reasons


@dataclass
class ImportReport:
    """Every row's outcome, the accepted values and what writing them did."""

    outcomes: list[RowOutcome] = field(default_factory=list)
    values: list[tuple[EnforcementSubject, dt.date, int, str]] = field(default_factory=list)
    added: int = 0
    changed: int = 0
    unchanged: int = 0

    @property
    def rejected(self) -> int:
        """How many rows were refused."""
        return sum(1 for o in self.outcomes if not o.accepted)

    @property
    def written(self) -> int:
        """Rows added or changed."""
        return self.added + self.changed


def template() -> bytes:
    """The .xlsx template: headers, one example row and the instructions."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "罚没收入"
    for col, (header, value) in enumerate(zip(HEADERS, EXAMPLE, strict=True), start=1):
        set_cell(ws, 1, col, header)
        set_cell(ws, 2, col, value)
    notes = wb.create_sheet("填写说明")
    lines = [
        "第一行为表头，请勿修改；第二行是示例，导入前请删除或改为真实数据。",
        "每行为一个执法主体一个月的罚没收入（财政非税收入入库数），以元为单位，最多两位小数。",
        "年月填写如 2025-03 或 2025年3月；同一主体同一月份只能有一行。",
        "再次导入同一主体同一月份的，以新数据替换原数据；数据相同的不重复写入。",
        "只能导入本辖区执法主体的数据。",
    ]
    for i, text in enumerate(lines, start=1):
        set_cell(notes, i, 1, text)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parse_month(raw: str) -> dt.date | None:
    """ "2025-03", "2025/3", "2025年3月", "202503" or an Excel date → the first of the month."""
    m = MONTH_RE.match(raw.strip())
    if not m:
        return None
    month = int(m.group(2) or m.group(3))
    if not 1 <= month <= 12:
        return None
    return dt.date(int(m.group(1)), month, 1)


def parse_fen(raw: str, reasons: list[str]) -> int | None:
    """An amount in yuan with at most two decimals, as fen."""
    try:
        amount = Decimal(raw.replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        reasons.append(f"罚没收入“{raw}”不是数字")
        return None
    if not amount.is_finite() or amount < 0:
        reasons.append("罚没收入不能为负数")
        return None
    if amount != amount.quantize(Decimal("0.01")):
        reasons.append("罚没收入最多保留两位小数")
        return None
    if amount >= Decimal("1e13"):
        reasons.append("罚没收入金额过大")
        return None
    return int(amount * 100)


def validate(session: Session, *, actor: Actor, data: bytes, today: dt.date) -> ImportReport:
    """Check every row of the sheet; nothing is written."""
    actor.require(IMPORT)
    rows = list(read_rows(data, SPEC))
    usccs = sorted({(r.get("执法主体统一社会信用代码") or "").strip().upper() for _l, r in rows})
    subjects = {
        s.uscc: s
        for s in session.scalars(
            select(EnforcementSubject).where(EnforcementSubject.uscc.in_(usccs))
        )
    }
    this_month = today.replace(day=1)
    report = ImportReport()
    seen: dict[tuple[int, dt.date], int] = {}
    for line, raw in rows:
        reasons: list[str] = []
        row = {k: (v or "").strip() for k, v in raw.items()}
        if any(has_control(v) for v in row.values()):
            reasons.append("含有不可见的控制字符")
        uscc = row.get("执法主体统一社会信用代码", "").upper()
        subject = subjects.get(uscc)
        if not uscc:
            reasons.append("执法主体统一社会信用代码未填写")
        elif subject is None:
            reasons.append(f"未找到统一社会信用代码为“{uscc}”的执法主体")
        elif not actor.covers_region(subject.region_code):
            reasons.append(f"执法主体“{subject.name}”不在您的管辖范围内")
            subject = None
        name = row.get("执法主体名称", "")
        if subject is not None and name and name != subject.name:
            reasons.append(f"执法主体名称“{name}”与登记的“{subject.name}”不一致")
        month = parse_month(row.get("年月", ""))
        if month is None:
            reasons.append(f"年月“{row.get('年月', '')}”应写作如 2025-03")
        elif month > this_month:
            reasons.append("年月晚于本月")
        amount = parse_fen(row.get("罚没收入（元）", ""), reasons)
        note = row.get("备注", "")
        if len(note) > NOTE_MAX:
            reasons.append(f"备注最多{NOTE_MAX}个字")
        if not reasons and subject is not None and month is not None:
            key = (subject.id, month)
            if key in seen:
                reasons.append(f"与第{seen[key]}行重复（同一执法主体、同一月份）")
            else:
                seen[key] = line
        label = f"{subject.name if subject else uscc} {month:%Y-%m}" if month else uscc
        report.outcomes.append(RowOutcome(line, label[:80], reasons))
        if not reasons:
            assert subject is not None and month is not None and amount is not None
            report.values.append((subject, month, amount, note))
    return report


def apply(
    session: Session, *, actor: Actor, report: ImportReport, accept_valid: bool
) -> ImportReport:
    """Write the accepted rows (or nothing): add new months, replace changed ones."""
    actor.require(IMPORT)
    if (report.rejected and not accept_valid) or not report.values:
        return report
    f = FineRevenueMonth
    keys = [(s.id, month) for s, month, _a, _n in report.values]
    existing = {
        (r.subject_id, r.month): r
        for r in session.scalars(select(f).where(tuple_(f.subject_id, f.month).in_(keys)))
    }
    now = utcnow()
    written: list[FineRevenueMonth] = []
    for subject, month, amount, note in report.values:
        row = existing.get((subject.id, month))
        if row is None:
            row = f(
                subject_id=subject.id,
                region_code=subject.region_code,
                month=month,
                amount_fen=amount,
                note=note,
                imported_by_id=actor.user_id,
                imported_at=now,
            )
            session.add(row)
            report.added += 1
        elif (row.amount_fen, row.note) == (amount, note):
            report.unchanged += 1
            continue
        else:
            row.amount_fen, row.note = amount, note
            row.imported_by_id, row.imported_at = actor.user_id, now
            report.changed += 1
        written.append(row)
    if written:
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="fines.import",
            object_type="fine_revenue_month",
            object_id=f"import:{now.isoformat()}",
            summary=f"导入罚没收入：新增{report.added}条，更新{report.changed}条，"
            f"未变{report.unchanged}条（拒绝{report.rejected}行）",
            covers=written,
        )
    return report


def workbook(found: Table) -> bytes:
    """The monthly table as .xlsx (names are user text: written as text)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"罚没收入{found.year}"
    head = "执法主体" if found.by == "subject" else "地区"
    append_row(
        ws,
        [head, "年度", *[f"{m}月" for m in range(1, 13)], f"1–{found.compared}月合计", "同比"],
    )
    for r in [*found.rows, found.total]:
        for year, months in ((found.year, r.now), (found.year - 1, r.last)):
            g = r.growth if year == found.year else None
            append_row(
                ws,
                [
                    r.label,
                    year,
                    *[fen / 100 for fen in months.months],
                    months.upto(found.compared) / 100,
                    "" if g is None else round(g, 4),
                ],
            )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
