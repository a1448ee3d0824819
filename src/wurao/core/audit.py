"""Append-only, hash-chained audit log (全过程记录、可回溯).

Every write made through the service layer appends an entry: who (user, role, region),
what (action, object), and the SHA-256 digests of the object's state before and after.
Each entry's hash covers the previous entry's hash, so editing or deleting any entry breaks
the chain at that point; ``wurao audit verify`` finds it. A commit-time guard refuses a
transaction that changed an audited table without writing the entry (the STYLE.md habit
"a write and its audit entry commit together or not at all").
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any, Protocol

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from wurao.core.db import Base
from wurao.core.models import AuditEntry, AuditHead
from wurao.core.time import utcnow

GENESIS_HASH = "0" * 64
_PENDING = "wurao_audit_pending"
_DONE = "wurao_audit_done"


class AuditActor(Protocol):
    """Who performs a change; implemented by ``wurao.auth.scope.Actor``."""

    @property
    def user_id(self) -> int | None: ...
    @property
    def display_name(self) -> str: ...
    @property
    def role_name(self) -> str: ...
    @property
    def region_code(self) -> str: ...


@dataclass(frozen=True)
class SystemActor:
    """The platform itself (CLI maintenance, scheduled sweeps, data loads)."""

    display_name: str = "系统"
    role_name: str = "system"
    region_code: str = "000000"
    user_id: int | None = None


SYSTEM = SystemActor()


class AuditMissing(RuntimeError):
    """A transaction changed audited rows without an audit entry for them."""


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


def snapshot(obj: Base) -> dict[str, Any]:
    """The column values of an ORM object, as a plain dict (for before/after digests)."""
    mapper = inspect(obj).mapper
    return {attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs}


def digest(data: dict[str, Any] | None) -> str | None:
    """SHA-256 of a snapshot's canonical JSON, or None for "no object"."""
    return None if data is None else sha256_hex(canonical_json(data))


def _object_key(obj: Base) -> tuple[str, str]:
    mapper = inspect(obj).mapper
    ident = mapper.primary_key_from_instance(obj)
    return (str(mapper.class_.__tablename__), ":".join(str(i) for i in ident))


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


def _lock_head(session: Session) -> AuditHead:
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    return head


def record(
    session: Session,
    *,
    actor: AuditActor,
    action: str,
    obj: Base | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    deleted: bool = False,
    summary: str = "",
    region_code: str | None = None,
    covers: Iterable[Base] = (),
) -> AuditEntry:
    """Append one entry for a change; call it after changing ``obj`` (it flushes first).

    ``before`` is the snapshot taken before the change (None for a creation); ``after``
    defaults to the object's current state (None when ``deleted``). ``covers`` lists further
    objects written by the same action (the rows of one import), recorded by this one entry.
    """
    session.flush()
    done: set[tuple[str, str]] = session.info.setdefault(_DONE, set())
    done.update(_object_key(o) for o in covers)
    if obj is not None:
        table, ident = _object_key(obj)
        object_type = object_type or table
        object_id = object_id or ident
        if after is None and not deleted:
            after = snapshot(obj)
        done.add((table, ident))
    if object_type is None or object_id is None:
        raise ValueError("an audit entry needs an object or object_type and object_id")
    head = _lock_head(session)
    entry = AuditEntry(
        seq=head.last_seq + 1,
        at=utcnow(),
        actor_id=actor.user_id,
        actor_name=actor.display_name,
        actor_role=actor.role_name,
        region_code=region_code or actor.region_code,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        before_digest=digest(before),
        after_digest=digest(after),
        prev_hash=head.last_hash,
    )
    entry.hash = entry_hash(entry)
    head.last_seq = entry.seq
    head.last_hash = entry.hash
    session.add(entry)
    session.flush()
    return entry


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


def count_entries(session: Session) -> int:
    """Number of entries in the log."""
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


# --- commit-time guard -------------------------------------------------------------------


def _audited(obj: object) -> bool:
    return isinstance(obj, Base) and not getattr(type(obj), "__audit_exempt__", False)


def _has_audited_changes(obj: Base) -> bool:
    ignored: frozenset[str] = getattr(type(obj), "__audit_ignore_columns__", frozenset())
    state = inspect(obj)
    return any(attr.history.has_changes() for attr in state.attrs if attr.key not in ignored)


@event.listens_for(Session, "after_flush")
def _collect_changes(session: Session, _ctx: Any) -> None:
    pending: set[tuple[str, str]] = session.info.setdefault(_PENDING, set())
    for obj in chain(session.new, session.dirty, session.deleted):
        if not _audited(obj):
            continue
        if obj in session.dirty and not _has_audited_changes(obj):
            continue
        pending.add(_object_key(obj))


@event.listens_for(Session, "before_commit")
def _check_audited(session: Session) -> None:
    session.flush()
    pending: set[tuple[str, str]] = session.info.pop(_PENDING, set())
    done: set[tuple[str, str]] = session.info.pop(_DONE, set())
    missing = pending - done
    if missing:
        raise AuditMissing(f"changes without an audit entry: {sorted(missing)[:5]}")


@event.listens_for(Session, "after_rollback")
def _reset(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_DONE, None)
