"""Hotline imports write in chunks (imports.CHUNK): the statements sent grow with the chunks,
not with the rows, one audit entry per chunk keeps the chain verifiable, and the row-level
report (created, merged) is unchanged."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Personas
from tests.web.test_query_counts import counting
from wurao.core import audit
from wurao.core.models import AuditEntry
from wurao.oversight.clues import imports
from wurao.oversight.models import Clue, ClueEvent

MAPPING = {"work_order_no": "工单号", "description": "来电内容", "received_at": "登记时间"}


def _csv(numbers: range, text: str = "反映检查过多") -> bytes:
    lines = ["工单号,来电内容,登记时间"]
    lines += [f"GD{n:06d},{text}{n},2026-03-02 09:30" for n in numbers]
    return "\r\n".join(lines).encode("utf-8")


def _import(db: Session, personas: Personas, data: bytes) -> tuple[imports.ImportReport, int]:
    report = imports.check(
        db, actor=personas.supervisor, source="hotline_12345", data=data,
        filename="工单.csv", mapping=MAPPING,
    )  # fmt: skip
    with counting(db) as n:
        imports.apply(db, actor=personas.supervisor, report=report)
        db.flush()
        return report, n()


def _entries(db: Session) -> int:
    stmt = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "clue.import")
    return int(db.scalar(stmt) or 0)


def test_statements_grow_per_chunk_not_per_row(db: Session, personas: Personas) -> None:
    small, one_chunk = _import(db, personas, _csv(range(1, 101)))
    assert (small.created, small.merged) == (100, 0)
    entries = _entries(db)
    big, three_chunks = _import(db, personas, _csv(range(101, 2601)))
    assert (big.created, big.merged) == (2500, 0)
    assert _entries(db) - entries == 3  # one audit entry per chunk of 1 000 rows
    # per row it would be thousands; per chunk it is a few statements each
    assert three_chunks <= 3 * one_chunk + 5, (one_chunk, three_chunks)
    # a re-import of known work orders merges them, still per chunk
    again, merges = _import(db, personas, _csv(range(1, 2601), "来电人再次催办"))
    assert (again.created, again.merged) == (0, 2600)
    assert merges <= 3 * one_chunk + 10, (one_chunk, merges)
    clues = int(db.scalar(select(func.count()).select_from(Clue)) or 0)
    assert clues >= 2600
    merged = db.scalar(
        select(func.count()).select_from(ClueEvent).where(ClueEvent.action == "merge")
    )
    assert merged == 2600
    clue = db.scalar(select(Clue).where(Clue.work_order_no == "GD002000"))
    assert clue is not None and "来电人再次催办2000" in clue.description
    assert audit.verify_chain(db).ok
    db.commit()  # the commit-time guard finds every written row covered by an entry
