"""SQLite writers of one process wait their turn in line (core/db.py ``WriterQueue``), and
the turn passes on however a write transaction ends (#18)."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from wurao.core.db import WriterQueue, make_engine, session_scope, writer_queue


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    return engine


def _queue(engine: Engine) -> WriterQueue:
    queue = writer_queue(engine)
    assert queue is not None
    return queue


def test_writers_get_the_lock_in_the_order_they_asked() -> None:
    queue = WriterQueue()
    assert queue.acquire(timeout=0)
    order: list[int] = []
    threads = []
    for n in range(5):

        def writer(n: int = n) -> None:
            assert queue.acquire(timeout=30)
            order.append(n)
            queue.release()

        thread = threading.Thread(target=writer)
        thread.start()
        threads.append(thread)
        while len(queue._waiting) < n + 1:  # wait until this one stands in line
            threading.Event().wait(0.001)
    queue.release()
    for thread in threads:
        thread.join()
    assert order == [0, 1, 2, 3, 4]
    assert not queue.held


def test_a_writer_that_may_not_wait_is_told_so_and_leaves_no_place_in_line() -> None:
    queue = WriterQueue()
    assert queue.acquire(timeout=0)
    assert not queue.acquire(timeout=0)
    assert not queue.acquire(timeout=0.01)
    assert not queue._waiting
    queue.release()
    assert not queue.held
    assert queue.acquire(timeout=0)


def test_a_write_session_holds_the_turn_until_it_commits(sqlite_engine: Engine) -> None:
    queue = _queue(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        assert queue.held
    assert not queue.held

    def failing_write() -> None:
        with session_scope(sqlite_engine) as session:
            session.execute(text("INSERT INTO t VALUES (2)"))
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        failing_write()
    assert not queue.held
    with session_scope(sqlite_engine, write=False) as session:
        assert session.scalar(text("SELECT count(*) FROM t")) == 1
        assert not queue.held  # a read does not queue


def test_an_invalidated_connection_gives_up_its_turn(sqlite_engine: Engine) -> None:
    queue = _queue(sqlite_engine)
    conn = sqlite_engine.connect().execution_options(sqlite_begin="IMMEDIATE")
    conn.begin()
    assert queue.held
    conn.invalidate()
    assert not queue.held
    conn.close()


def test_the_second_writer_waits_for_the_first_and_then_writes(sqlite_engine: Engine) -> None:
    queue = _queue(sqlite_engine)
    first_in = threading.Event()
    go_on = threading.Event()
    done: list[str] = []

    def first() -> None:
        with session_scope(sqlite_engine) as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
            first_in.set()
            go_on.wait(30)
            done.append("first")

    def second() -> None:
        with session_scope(sqlite_engine) as session:
            session.execute(text("INSERT INTO t VALUES (2)"))
            done.append("second")

    a = threading.Thread(target=first)
    a.start()
    assert first_in.wait(30)
    b = threading.Thread(target=second)
    b.start()
    while not queue._waiting:  # the second stands in line behind the first
        threading.Event().wait(0.001)
    assert done == []
    go_on.set()
    a.join()
    b.join()
    assert done == ["first", "second"]
    assert not queue.held
    with sqlite_engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM t")) == 2


def test_a_nested_write_that_must_not_wait_goes_straight_to_sqlite(sqlite_engine: Engine) -> None:
    """A token's use is marked by a write with busy_timeout 0: the queue does not hold it up;
    SQLite's own lock refuses it while another writer holds that."""
    queue = _queue(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        with sqlite_engine.connect() as conn:
            raw = conn.connection.driver_connection
            raw.execute("PRAGMA busy_timeout=0")  # type: ignore[union-attr]
            with pytest.raises(Exception, match="locked"):
                conn.execution_options(sqlite_begin="IMMEDIATE").begin()
            raw.execute("PRAGMA busy_timeout=30000")  # type: ignore[union-attr]
        assert queue.held
    assert not queue.held


def test_other_processes_wait_on_the_lock_file_while_a_write_is_open(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """Another process's writer (here: another open file description) finds the lock file
    taken for as long as a write transaction is open, and free once it committed."""
    lock_file = tmp_path / "queue.sqlite3-writers"

    def other_process_may_write() -> bool:
        fd = os.open(lock_file, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(fd)

    with session_scope(sqlite_engine) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        assert not other_process_may_write()
    assert other_process_may_write()


def test_a_second_engine_on_the_same_file_writes_after_the_first(tmp_path: Path) -> None:
    """Two engines stand for two worker processes: the second's writer waits for the first's
    transaction, then writes."""
    url = f"sqlite:///{tmp_path / 'two.sqlite3'}"
    one, two = make_engine(url), make_engine(url)
    with one.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    first_in, go_on = threading.Event(), threading.Event()
    done: list[str] = []

    def first() -> None:
        with session_scope(one) as session:
            session.execute(text("INSERT INTO t VALUES (1)"))
            first_in.set()
            go_on.wait(30)
            done.append("first")

    def second() -> None:
        with session_scope(two) as session:
            session.execute(text("INSERT INTO t VALUES (2)"))
            done.append("second")

    a = threading.Thread(target=first)
    a.start()
    assert first_in.wait(30)
    b = threading.Thread(target=second)
    b.start()
    b.join(timeout=0.2)  # it cannot finish while the first holds the lock
    assert done == []
    go_on.set()
    a.join()
    b.join()
    assert done == ["first", "second"]
    with two.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM t")) == 2
