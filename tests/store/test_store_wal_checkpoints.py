"""A SQLite file store's WAL is checkpointed by its own thread, not inside the commits; the
thread ends with the store, and durability is unchanged (synchronous=FULL on every commit)."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from conftest import KEY

from contextmfa.store import Store
from contextmfa.store.wal_checkpoints import SAFETY_PAGES, WalCheckpointer

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
PAD = {"pad": "x" * 2000}


def _threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name == "wal-checkpoints"]


def _uncheckpointed_frames(path: Path) -> int:
    with sqlite3.connect(path) as probe:
        _busy, log, done = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return log - done


def _write(store: Store, count: int) -> None:
    for i in range(count):
        store.audit.record("acme", "login.decision", user_id=f"u{i}", detail=PAD, now=NOW)


def test_commits_leave_the_checkpoint_to_the_stores_thread(tmp_path):
    path = tmp_path / "store.db"
    before = len(_threads())
    store = Store.open(f"sqlite:///{path}", secret_key=KEY)
    try:
        with store.database.read() as connection:
            pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
        assert pages == SAFETY_PAGES
        _write(store, 300)
        assert len(_threads()) == before + 1
        checkpointer = store.database._checkpointer
        assert checkpointer is not None
        seen = checkpointer.checkpoints
        deadline = time.monotonic() + 10
        while checkpointer.checkpoints < seen + 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert checkpointer.checkpoints >= seen + 2
    finally:
        store.close()
    assert len(_threads()) == before
    assert _uncheckpointed_frames(path) == 0


def test_a_checkpointer_whose_file_is_gone_ends(tmp_path):
    path = tmp_path / "gone.db"
    sqlite3.connect(path).close()
    checkpointer = WalCheckpointer(str(path), interval=0.01)
    path.unlink()
    checkpointer._thread.join(timeout=5)
    assert not checkpointer._thread.is_alive()
