"""The audit chain's place given at commit (#18): no head lock before it, savepoints honoured.

``core/audit.py``: ``record()`` keeps the entry with the session; the head is locked and the
entries numbered only as the transaction commits (or is settled by a read of the chain).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress

import pytest
from sqlalchemy import Engine, create_engine, delete, func, select, text, update
from sqlalchemy.orm import Session

from wurao.core import audit
from wurao.core.models import AuditEntry, AuditHead


class _Abort(Exception):
    """Raised inside a savepoint to roll it back."""


def _note(session: Session, action: str) -> AuditEntry:
    """An entry about no business row (nothing else to write, nothing for the guard)."""
    return audit.record(
        session, actor=audit.SYSTEM, action=action, object_type="audit_test", object_id="1"
    )


def _last_seq(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(AuditEntry.seq), 0))) or 0)


def _actions_after(session: Session, seq: int) -> list[tuple[int, str]]:
    rows = session.execute(
        select(AuditEntry.seq, AuditEntry.action)
        .where(AuditEntry.seq > seq)
        .order_by(AuditEntry.seq)
    ).all()
    return [(s, a) for s, a in rows]


# --- savepoints and rollbacks (both databases, inside the test's transaction) ---------------


def test_an_entry_waits_for_the_commit_then_follows_the_head(db: Session) -> None:
    base = _last_seq(db)
    entry = _note(db, "test.wait")
    assert entry.seq is None and entry.hash is None  # not yet in the chain
    assert entry.at is not None  # the time of record()
    db.commit()
    assert entry.seq == base + 1
    head = db.get(AuditHead, 1)
    assert head is not None and (head.last_seq, head.last_hash) == (entry.seq, entry.hash)
    assert audit.verify_chain(db).ok


def test_a_rolled_back_savepoint_drops_its_entries_only(db: Session) -> None:
    base = _last_seq(db)
    _note(db, "test.before")
    with suppress(_Abort), db.begin_nested():
        _note(db, "test.dropped")
        with db.begin_nested():
            _note(db, "test.dropped_inner")
        raise _Abort
    _note(db, "test.after")
    db.commit()
    assert _actions_after(db, base) == [(base + 1, "test.before"), (base + 2, "test.after")]
    assert audit.verify_chain(db).ok


def test_a_released_savepoint_keeps_its_entries_in_order(db: Session) -> None:
    base = _last_seq(db)
    _note(db, "test.one")
    with db.begin_nested():
        _note(db, "test.two")
        with suppress(_Abort), db.begin_nested():
            _note(db, "test.gone")
            raise _Abort
        _note(db, "test.three")
    _note(db, "test.four")
    db.commit()
    assert [a for _, a in _actions_after(db, base)] == [
        "test.one",
        "test.two",
        "test.three",
        "test.four",
    ]
    assert audit.verify_chain(db).ok


def test_a_rollback_drops_every_entry(db: Session) -> None:
    base = _last_seq(db)
    _note(db, "test.rolled_back")
    with db.begin_nested():
        _note(db, "test.rolled_back_inner")
    db.rollback()
    _note(db, "test.kept")
    db.commit()
    assert _actions_after(db, base) == [(base + 1, "test.kept")]
    assert audit.verify_chain(db).ok


def test_reading_the_chain_shows_the_transactions_own_entries(db: Session) -> None:
    base = _last_seq(db)
    first = _note(db, "test.read")
    # a query on audit_entry settles first, as autoflush does for rows
    assert _actions_after(db, base) == [(base + 1, "test.read")]
    assert first.seq == base + 1
    _note(db, "test.read_more")
    assert audit.count_entries(db) == base + 2
    assert audit.verify_chain(db).ok


def test_settle_puts_entries_in_the_database_for_a_bare_connection(db: Session) -> None:
    base = _last_seq(db)
    _note(db, "test.settled")
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.seq > base)
    assert db.connection().scalar(query) == 0  # a bare connection is not seen
    audit.settle(db)
    assert db.connection().scalar(query) == 1


def test_an_entry_settled_in_a_savepoint_that_rolls_back_is_settled_again(db: Session) -> None:
    base = _last_seq(db)
    outer = _note(db, "test.outer")
    with suppress(_Abort), db.begin_nested():
        _note(db, "test.inner")
        assert len(_actions_after(db, base)) == 2  # settled inside the savepoint…
        raise _Abort  # …whose rollback undoes the insert of the outer entry too
    db.commit()
    assert _actions_after(db, base) == [(base + 1, "test.outer")]
    assert outer.seq == base + 1
    assert audit.verify_chain(db).ok


def test_the_guard_still_refuses_a_write_without_its_entry(db: Session) -> None:
    from wurao.registry.models import EnforcementSubject

    base = _last_seq(db)
    subject = db.scalar(select(EnforcementSubject).limit(1))
    assert subject is not None
    _note(db, "test.unrelated")
    subject.name = subject.name + "（改名）"
    with pytest.raises(audit.AuditMissing):
        db.commit()
    db.rollback()
    assert _last_seq(db) == base  # the guard runs before anything is settled


# --- two writers at once (PostgreSQL: the head is a row lock there) --------------------------


@pytest.fixture
def pg_engine(engine: Engine) -> Iterator[Engine]:
    """A second engine on the PostgreSQL test database whose connections give up a lock wait
    after 3 s (``lock_timeout``: a test that waits on the head fails instead of hanging); the
    entries the test commits are removed and the head restored afterwards."""
    assert engine.dialect.name == "postgresql"
    impatient = create_engine(engine.url, connect_args={"options": "-c lock_timeout=3s"})
    with Session(impatient) as s:
        head = s.get(AuditHead, 1)
        assert head is not None
        saved = (head.last_seq, head.last_hash)
    try:
        yield impatient
    finally:
        with impatient.begin() as conn:
            conn.execute(delete(AuditEntry).where(AuditEntry.seq > saved[0]))
            conn.execute(
                update(AuditHead)
                .where(AuditHead.id == 1)
                .values(last_seq=saved[0], last_hash=saved[1])
            )
        impatient.dispose()


# row locks between connections: PostgreSQL only (SQLite serialises writers)
ON_POSTGRESQL = pytest.mark.parametrize("engine", ["postgresql"], indirect=True)


@ON_POSTGRESQL
def test_an_open_transaction_with_entries_does_not_hold_up_another(pg_engine: Engine) -> None:
    # Before #18 the first record() locked audit_head until commit: the second session's
    # record() waited for the first one's commit, here for 3 s, then failed (lock_timeout).
    with Session(pg_engine) as first, Session(pg_engine) as second:
        base = _last_seq(first)
        _note(first, "test.first_a")
        with first.begin_nested():
            _note(first, "test.first_b")
        assert second.scalar(text("SHOW lock_timeout")) == "3s"
        _note(second, "test.second")
        second.commit()
        first.commit()
    with Session(pg_engine) as check:
        assert _actions_after(check, base) == [
            (base + 1, "test.second"),
            (base + 2, "test.first_a"),
            (base + 3, "test.first_b"),
        ]
        assert audit.verify_chain(check).ok


@ON_POSTGRESQL
def test_interleaved_transactions_each_keep_their_order(pg_engine: Engine) -> None:
    with Session(pg_engine) as one, Session(pg_engine) as two:
        base = _last_seq(one)
        _note(one, "test.one_1")
        _note(two, "test.two_1")
        _note(one, "test.one_2")
        with suppress(_Abort), two.begin_nested():
            _note(two, "test.two_dropped")
            raise _Abort
        _note(two, "test.two_2")
        two.commit()
        _note(one, "test.one_3")
        one.commit()
    with Session(pg_engine) as check:
        assert [a for _, a in _actions_after(check, base)] == [
            "test.two_1",
            "test.two_2",
            "test.one_1",
            "test.one_2",
            "test.one_3",
        ]
        assert audit.verify_chain(check).ok
