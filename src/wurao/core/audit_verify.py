"""The audit chain's hashing, and its verification (``wurao audit verify [--rows]``).

How an entry's hash and a row's digest are computed, and the two checks built on them: the
chain recomputed entry by entry (``verify_chain``), and every audited row compared with the
after-digest of the entry that last vouched for it (``verify_rows``). Split off
``core/audit.py``, which re-exports every public name here.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import ColumnProperty, Mapper, Session

from wurao.core.db import Base
from wurao.core.models import AuditEntry, AuditHead
from wurao.core.models_registry import import_all_models

GENESIS_HASH = "0" * 64


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


def canonical_json(data: Any) -> str:
    """Deterministic JSON (sorted keys, no spaces) used for every digest."""
    return json.dumps(_jsonable(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_hex(text: str) -> str:
    """SHA-256 of UTF-8 text, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _state_columns(mapper: Mapper[Any]) -> list[ColumnProperty[Any]]:
    """The columns whose values make up an audited row's state (bookkeeping ones left out)."""
    ignored: frozenset[str] = getattr(mapper.class_, "__audit_ignore_columns__", frozenset())
    return [attr for attr in mapper.column_attrs if attr.key not in ignored]


def snapshot(obj: Base) -> dict[str, Any]:
    """The column values of an ORM object, as a plain dict (for before/after digests).

    Columns a class lists in ``__audit_ignore_columns__`` change without an entry, so they are
    left out: the after-digest then still vouches for the row (``verify_rows``).
    """
    return {attr.key: getattr(obj, attr.key) for attr in _state_columns(inspect(obj).mapper)}


def digest(data: dict[str, Any] | None) -> str | None:
    """SHA-256 of a snapshot's canonical JSON, or None for "no object"."""
    return None if data is None else sha256_hex(canonical_json(data))


def _entry_payload(entry: AuditEntry) -> str:
    return canonical_json(
        {
            "seq": entry.seq,
            "at": entry.at,
            "actor_id": entry.actor_id,
            "actor_name": entry.actor_name,
            "actor_role": entry.actor_role,
            "region_code": entry.region_code,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "summary": entry.summary,
            "before_digest": entry.before_digest,
            "after_digest": entry.after_digest,
            "prev_hash": entry.prev_hash,
        }
    )


def entry_hash(entry: AuditEntry) -> str:
    """The hash an entry must carry: SHA-256 over its fields and the previous hash."""
    return sha256_hex(_entry_payload(entry))


# --- the chain ----------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a chain verification."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def iter_entries(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    """Every entry in sequence order, read in batches."""
    last = 0
    while True:
        rows = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.seq > last)
                .order_by(AuditEntry.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify_chain(session: Session) -> VerifyResult:
    """Recompute the chain; report the first entry that was edited, removed or reordered."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in iter_entries(session):
        if entry.seq != expected_seq:
            return VerifyResult(
                False, checked, expected_seq, f"缺少第 {expected_seq} 条记录（已被删除）"
            )
        if entry.prev_hash != prev_hash:
            return VerifyResult(False, checked, entry.seq, "前一条记录的哈希不符（链被改动）")
        if entry_hash(entry) != entry.hash:
            return VerifyResult(False, checked, entry.seq, "记录内容与其哈希不符（记录被修改）")
        prev_hash = entry.hash
        expected_seq += 1
        checked += 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_seq != checked or head.last_hash != prev_hash):
        return VerifyResult(False, checked, checked + 1, "链尾记录缺失（末尾记录被删除）")
    return VerifyResult(True, checked)


# --- the business rows --------------------------------------------------------------------


@dataclass(frozen=True)
class RowFinding:
    """An audited row whose current state is not the one its last audit entry vouches for."""

    table: str
    object_id: str
    kind: str  # "changed" | "deleted"
    seq: int  # the entry whose after-state the row no longer matches

    @property
    def message(self) -> str:
        """What was found, in Chinese."""
        if self.kind == "deleted":
            return (
                f"{self.table} #{self.object_id}：该行已不存在，"
                f"但第 {self.seq} 条审计记录之后没有删除它的记录（在平台之外被删除）"
            )
        return (
            f"{self.table} #{self.object_id}：当前内容与第 {self.seq} 条审计记录的写后摘要不符"
            f"（在平台之外被改动）"
        )


@dataclass
class RowsResult:
    """Outcome of checking the audited rows against the chain."""

    checked: int = 0  # rows whose state an entry vouches for, compared
    unvouched: int = 0  # rows written only in bulk or as part of another object's entry
    findings: list[RowFinding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every compared row is as the platform last wrote it."""
        return not self.findings


@dataclass
class _Vouched:
    digest: str | None  # None: deleted through the platform
    seq: int


def _audited_mappers() -> list[Mapper[Any]]:
    import_all_models()
    return sorted(
        (m for m in Base.registry.mappers if not getattr(m.class_, "__audit_exempt__", False)),
        key=lambda m: str(m.class_.__tablename__),
    )


def _is_row_key(mapper: Mapper[Any], object_id: str) -> bool:
    """Whether an entry's object id names one row (not ``*``, ``file:…``, ``sweep:…``)."""
    parts = object_id.split(":")
    if object_id == "*" or len(parts) != len(mapper.primary_key):
        return False
    for part, column in zip(parts, mapper.primary_key, strict=True):
        try:
            is_int = column.type.python_type is int
        except NotImplementedError:
            is_int = False
        if is_int and not part.lstrip("-").isdigit():
            return False
    return True


def _vouched_states(
    session: Session, mappers: dict[str, Mapper[Any]], batch: int = 20000
) -> tuple[dict[str, dict[str, _Vouched]], dict[str, int]]:
    """Per table: each row's state as the chain last left it, and the last bulk write's seq.

    One pass over the entries in order. An entry with an after-digest vouches for its row's
    state, unless its before-digest contradicts the state vouched for so far: then it is an
    entry about something else of that object (the item's checklist) or a write over a row
    changed outside the platform; either way the earlier state stays, and a row that no
    longer matches it is reported.
    """
    states: dict[str, dict[str, _Vouched]] = {t: {} for t in mappers}
    bulk: dict[str, int] = {}
    columns = (
        AuditEntry.seq,
        AuditEntry.object_type,
        AuditEntry.object_id,
        AuditEntry.before_digest,
        AuditEntry.after_digest,
    )
    last = 0
    while True:
        rows = session.execute(
            select(*columns).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            break
        for seq, table, object_id, before, after in rows:
            mapper = mappers.get(table)
            if mapper is None:
                continue
            if not _is_row_key(mapper, object_id):
                bulk[table] = seq
                continue
            known = states[table].get(object_id)
            if after is None:
                states[table][object_id] = _Vouched(None, seq)
            elif known is None or known.digest is None or before in (None, known.digest):
                states[table][object_id] = _Vouched(after, seq)
        last = rows[-1][0]
    return states, bulk


def verify_rows(session: Session, batch: int = 2000) -> RowsResult:
    """Compare every audited row with the after-digest of the entry that last vouched for it.

    Reports rows changed or deleted outside the platform. Rows that no entry of their own
    vouches for (written in bulk by an import or as part of another object's entry, e.g. the
    lines of a checklist) are counted, not compared: the entries carry no state for them.
    """
    mappers = {str(m.class_.__tablename__): m for m in _audited_mappers()}
    states, bulk = _vouched_states(session, mappers)
    result = RowsResult()
    for table, mapper in mappers.items():
        vouched = states[table]
        since_bulk = bulk.get(table, 0)
        attrs = _state_columns(mapper)
        keys = [attrs.index(a) for pk in mapper.primary_key for a in attrs if pk in a.columns]
        stmt = select(*(a.columns[0] for a in attrs)).execution_options(yield_per=batch)
        seen: set[str] = set()
        for row in session.execute(stmt):
            ident = ":".join(str(row[i]) for i in keys)
            seen.add(ident)
            state = vouched.get(ident)
            if state is None or state.digest is None or state.seq < since_bulk:
                result.unvouched += 1
                continue
            result.checked += 1
            current = digest({a.key: row[i] for i, a in enumerate(attrs)})
            if current != state.digest:
                result.findings.append(RowFinding(table, ident, "changed", state.seq))
        for ident, state in vouched.items():
            if state.digest is not None and ident not in seen and state.seq > since_bulk:
                result.findings.append(RowFinding(table, ident, "deleted", state.seq))
    return result


def count_entries(session: Session) -> int:
    """Number of entries in the log."""
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
