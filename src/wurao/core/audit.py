"""Append-only, hash-chained audit log (全过程记录、可回溯).

Every write made through the service layer appends an entry: who (user, role, region),
what (action, object), and the SHA-256 digests of the object's state before and after.
Each entry's hash covers the previous entry's hash, so editing or deleting any entry breaks
the chain at that point; ``wurao audit verify`` finds it. A commit-time guard refuses a
transaction that changed an audited table without writing the entry (a write and its audit
entry commit together or not at all). ``wurao audit verify --rows`` checks the business rows
against the after-digests the entries carry (docs/operations.md). Hashing and verification
live in ``core/audit_verify.py``; their names are re-exported here.

There is one chain, and its position is given at commit (#18). ``record()`` builds the entry
and keeps it, unsettled, with the session; just before the transaction commits, ``settle()``
locks the single ``audit_head`` row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's writers
are serialised already), gives the transaction's entries their ``seq``, ``prev_hash`` and
``hash`` in the order they were recorded, inserts them and moves the head. The lock is thus
held from there to ``COMMIT`` (milliseconds), not from a transaction's first entry through
all its work: write transactions of the province no longer queue behind one another.
Consequences:

- An entry's ``at`` is the time of its ``record()`` call, while its place in the chain is
  the order in which transactions commit: a transaction that recorded first but committed
  later follows in the chain with an earlier ``at``, typically a few milliseconds apart
  (the rest of the work of the transaction). The chain's order, not ``at``, is what
  verification checks.
- An entry recorded inside a savepoint (``session.begin_nested()``) that is rolled back is
  dropped with it; one inside a released savepoint stays; a rollback of the transaction
  drops them all (``_savepoint_rolled_back``, ``_transaction_ended``).
- A transaction that reads ``audit_entry`` or ``audit_head`` through its session before
  committing (a test, the demo's idempotency marker, ``verify_chain`` in a write) sees its
  own entries as autoflush shows its own rows: such a query settles the entries recorded so
  far first, and the transaction holds the head lock from then on — only that transaction
  (``_settle_before_reading``). The check looks at a query's first ORM entity only (a walk
  of every statement cost 50–100 µs); reads through a bare ``Connection``, ``text()`` or a
  query of another table that joins the chain tables are not seen: call ``settle(session)``
  before them. The entry ``record()`` returns has its ``seq``
  once settled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any, Protocol

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, make_transient
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.util import find_tables

from wurao.core.audit_verify import (
    GENESIS_HASH,
    RowFinding,
    RowsResult,
    VerifyResult,
    canonical_json,
    count_entries,
    digest,
    entry_hash,
    iter_entries,
    sha256_hex,
    snapshot,
    verify_chain,
    verify_rows,
)
from wurao.core.db import Base
from wurao.core.models import AuditEntry, AuditHead
from wurao.core.time import utcnow

__all__ = [
    "GENESIS_HASH",
    "SYSTEM",
    "AuditActor",
    "AuditEntry",
    "AuditMissing",
    "RowFinding",
    "RowsResult",
    "SystemActor",
    "VerifyResult",
    "canonical_json",
    "count_entries",
    "digest",
    "entry_hash",
    "iter_entries",
    "record",
    "settle",
    "sha256_hex",
    "snapshot",
    "verify_chain",
    "verify_rows",
]

_PENDING = "wurao_audit_pending"
_DONE = "wurao_audit_done"
_ENTRIES = "wurao_audit_entries"  # the transaction's entries, in the order recorded
_SETTLING = "wurao_audit_settling"
_CHAIN_TABLES = frozenset({AuditEntry.__tablename__, AuditHead.__tablename__})
_CHAIN_CLASSES = (AuditEntry, AuditHead)


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


def _object_key(obj: Base) -> tuple[str, str]:
    mapper = inspect(obj).mapper
    ident = mapper.primary_key_from_instance(obj)
    return (str(mapper.class_.__tablename__), ":".join(str(i) for i in ident))


@dataclass
class _Recorded:
    """An entry of the open transaction: where it was recorded and where it was settled."""

    entry: AuditEntry
    recorded_in: SessionTransaction
    settled_in: SessionTransaction | None = None  # None: not yet in the chain


def _innermost(session: Session) -> SessionTransaction:
    """The transaction (or savepoint) the session is in now, begun if none is."""
    current = session.get_nested_transaction() or session.get_transaction()
    return current if current is not None else session.begin()


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    """Whether ``transaction`` is ``outer`` or a savepoint opened inside it."""
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def _recorded(session: Session) -> list[_Recorded]:
    entries: list[_Recorded] = session.info.setdefault(_ENTRIES, [])
    return entries


def _unsettled(session: Session) -> bool:
    # Settled entries always precede unsettled ones, so the last one tells.
    entries: list[_Recorded] | None = session.info.get(_ENTRIES)
    return entries is not None and len(entries) > 0 and entries[-1].settled_in is None


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
    The entry takes its place in the chain (``seq``, ``prev_hash``, ``hash``) when the
    transaction settles: at commit, or earlier through ``settle()``.
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
    entry = AuditEntry(
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
    )
    _recorded(session).append(_Recorded(entry, _innermost(session)))
    return entry


def _lock_head(session: Session) -> AuditHead:
    # populate_existing: a head read earlier in this transaction, before the lock, may be
    # stale by now (PostgreSQL's READ COMMITTED returns the newest row once locked).
    head = session.execute(
        select(AuditHead)
        .where(AuditHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    return head


def settle(session: Session) -> None:
    """Give the transaction's unsettled entries their place in the chain and insert them.

    Runs by itself just before the commit; call it earlier only where the entries must be in
    the database before then. It locks the chain's head for the rest of the transaction.
    """
    if not _unsettled(session) or session.info.get(_SETTLING):
        return
    session.info[_SETTLING] = True
    try:
        head = _lock_head(session)
        here = _innermost(session)
        for item in _recorded(session):
            if item.settled_in is not None:
                continue
            entry = item.entry
            entry.seq = head.last_seq + 1
            entry.prev_hash = head.last_hash
            entry.hash = entry_hash(entry)
            head.last_seq, head.last_hash = entry.seq, entry.hash
            item.settled_in = here
            session.add(entry)
        session.flush()
    finally:
        session.info.pop(_SETTLING, None)


@event.listens_for(Session, "do_orm_execute")
def _settle_before_reading(state: ORMExecuteState) -> None:
    """A query on the chain's tables sees the transaction's own entries (see the docstring)."""
    session = state.session
    if not _unsettled(session) or session.info.get(_SETTLING):
        return
    subject = state.bind_mapper  # the statement's first ORM entity: no walk of the statement
    if subject is not None:
        if subject.class_ in _CHAIN_CLASSES:
            settle(session)
        return  # another table's query (one that joins the chain tables: settle() first)
    statement = state.statement  # no ORM entity: count(*) FROM audit_entry and the like
    if not isinstance(statement, ClauseElement):
        return
    tables = find_tables(statement, include_crud=True, include_joins=True)
    if any(getattr(t, "name", None) in _CHAIN_TABLES for t in tables):
        settle(session)


@event.listens_for(Session, "after_soft_rollback")
def _savepoint_rolled_back(session: Session, previous: SessionTransaction) -> None:
    """Drop the entries recorded inside a rolled-back savepoint; put back in line the ones
    recorded outside it but settled (inserted) inside it, which its rollback undid."""
    entries: list[_Recorded] | None = session.info.get(_ENTRIES)
    if not entries:
        return
    kept: list[_Recorded] = []
    for item in entries:
        if _within(item.recorded_in, previous):
            continue
        if _within(item.settled_in, previous):
            if not inspect(item.entry).transient:
                make_transient(item.entry)
            item.entry.seq = None  # type: ignore[assignment]
            item.entry.prev_hash = item.entry.hash = None  # type: ignore[assignment]
            item.settled_in = None
        kept.append(item)
    entries[:] = kept


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed, rolled back or closed: nothing is left
        session.info.pop(_ENTRIES, None)


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
    # before_commit also runs when a savepoint is released (SQLAlchemy 2.1); the entries go
    # into the chain only as the transaction itself commits.
    if not session.in_nested_transaction():
        settle(session)


@event.listens_for(Session, "after_rollback")
def _reset(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_DONE, None)
