"""SQLite writers wait their turn on a lock file (``<database>.writers``) instead of SQLite's busy polling,
whose sleeps grow to 100 ms: the lock is held from a transaction's first write to its commit or rollback,
never by a reader or by autocommit, and many threads writing at once all get through."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from filelock import FileLock, Timeout
from sqlalchemy import text

from pathways.store.database import make_engine


def _held(path: Path) -> bool:
    probe = FileLock(path, thread_local=False)
    try:
        probe.acquire(timeout=0.05)
    except Timeout:
        return True
    probe.release()
    return False


@pytest.fixture()
def store(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"))
    yield engine, tmp_path / "store.db.writers"
    engine.dispose()


def test_the_lock_is_held_from_the_first_write_to_commit_or_rollback_and_never_by_a_reader(store):
    engine, lock = store
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM t")).scalar_one()
        assert not _held(lock)  # reading takes no turn
        conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert _held(lock)
        conn.execute(text("UPDATE t SET v = 'b'"))  # the same turn: no second acquire
        conn.commit()
        assert not _held(lock)
        conn.execute(text("DELETE FROM t"))
        assert _held(lock)
        conn.rollback()
        assert not _held(lock)
        assert conn.execute(text("SELECT v FROM t")).scalars().all() == ["b"]
    with engine.connect() as conn:  # given back to the pool mid-transaction: the turn ends with it
        conn.execute(text("INSERT INTO t (v) VALUES ('c')"))
        assert _held(lock)
    assert not _held(lock)


def test_autocommit_writes_statement_by_statement_without_the_lock(store):
    engine, lock = store
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("INSERT INTO t (v) VALUES ('x')"))
        assert not _held(lock)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 1


def test_many_threads_writing_at_once_all_get_through_in_turn(store):
    engine, lock = store
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(25):
                with engine.begin() as conn:
                    conn.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": f"{n}-{i}"})
                    before = conn.execute(text("SELECT count(*) FROM t")).scalar_one()
                    conn.execute(text("UPDATE t SET v = v || '.' WHERE id = (SELECT max(id) FROM t)"))
                    assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == before
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 200
        assert conn.execute(text("SELECT count(*) FROM t WHERE v LIKE '%.'")).scalar_one() == 200
    assert not _held(lock)
