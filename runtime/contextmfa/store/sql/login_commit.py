"""One decided login in one transaction: its history entry, its record and its audit entry.

They are one unit: an answered login is either entirely on disk or not at all.

The history entry carries the version of the user's history its evaluation read
(:data:`~contextmfa.store.sql.history.VERSION`). A login of the same user decided meanwhile by
another worker makes the version larger, and the commit refuses with :class:`HistoryConflict`
instead of writing a history that the evaluation never saw; the caller evaluates again. The
check and the insert are atomic per user: PostgreSQL takes a transaction-scoped advisory lock on
the user before checking; a SQLite file store checks inside ``BEGIN IMMEDIATE`` (its write lock).

A caller whose commits keep being refused evaluates once more inside :meth:`SqlLoginCommit.
holding`: the user's history is held still across workers from the version read to the commit
(the same advisory lock, held by the transaction that will commit; on SQLite, the user's byte of
the lock file, :mod:`~contextmfa.store.sql.file_locks`), so a flood of one user's logins is
ordered rather than refused.

On a SQLite file store the commits of concurrent logins are grouped
(:mod:`~contextmfa.store.sql.group_commit`): one transaction and one fsync for all the logins
that reached their commit while the previous one was being written, each still checked against
its own history version. The workers take turns through the lock file's commit gate, woken by
the kernel, rather than polling SQLite's busy handler. PostgreSQL groups the WAL flushes of
concurrent commits itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from contextmfa.enrich.history import LoginRecord
from contextmfa.store.database import Database
from contextmfa.store.errors import HistoryConflict
from contextmfa.store.ports import RecordedLogin
from contextmfa.store.sql import audit, history, recorded_logins
from contextmfa.store.sql.common import p
from contextmfa.store.sql.file_locks import FileLocks, lock_file_of
from contextmfa.store.sql.group_commit import GroupCommit
from contextmfa.store.sql.login_view import LOGIN_VIEW
from contextmfa.store.sql.prepared import Prepared

__all__ = ["HeldHistory", "HistoryRead", "LoginWrite", "SqlLoginCommit", "user_lock_key"]

_USER_LOCK = select(func.pg_advisory_xact_lock(p("key")))
_LOGIN_VIEW = Prepared(LOGIN_VIEW)
_VERSION = Prepared(history.VERSION)
_INSERT_RECORDED = Prepared(recorded_logins.INSERT)
_INSERT_AUDIT = Prepared(audit.INSERT)
_INSERT_HISTORY = Prepared(history.INSERT)
_LOCK = Prepared(_USER_LOCK)
_INSERT_HISTORY_IF_UNCHANGED = Prepared(history.INSERT_IF_UNCHANGED)


def user_lock_key(tenant_id: str, user_id: str) -> int:
    """A signed 64-bit advisory lock key for one user of one tenant."""
    digest = hashlib.sha256(f"contextmfa/history\0{tenant_id}\0{user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@dataclass(frozen=True, slots=True)
class LoginWrite:
    """What one login's commit writes, and the history version its evaluation read."""

    login: RecordedLogin
    history_entry: LoginRecord | None
    seen_version: int
    audit_detail: Mapping[str, Any]
    now: datetime


@dataclass(frozen=True, slots=True)
class HistoryRead:
    """What a login reads of its user before the evaluation, in one statement
    (:meth:`SqlLoginCommit.read`, :mod:`~contextmfa.store.sql.login_view`): the history version,
    the last-seen times of this login's device and user agent, the last login, and the types of
    the user's confirmed factors."""

    version: int
    device_id: str | None
    device_seen: datetime | None
    user_agent: str | None
    agent_seen: datetime | None
    last: LoginRecord | None
    factor_types: frozenset[str]


class HeldHistory:
    """A user's history held still (:meth:`SqlLoginCommit.holding`): its version, and the commit
    of the login evaluated while holding it."""

    def __init__(self, version: int, write: Callable[[LoginWrite], None]) -> None:
        self.version = version
        self._write = write

    def commit(
        self,
        login: RecordedLogin,
        *,
        history_entry: LoginRecord | None,
        audit_detail: Mapping[str, Any],
        now: datetime,
    ) -> None:
        self._write(LoginWrite(login, history_entry, self.version, audit_detail, now))


def _version(connection: Connection, values: Mapping[str, str]) -> int:
    """The user's history version (:data:`~contextmfa.store.sql.history.VERSION`)."""
    row = _VERSION.first(connection, values)
    assert row is not None  # an aggregate: always one row
    return int(row[0])


def _user_values(write: LoginWrite) -> dict[str, str]:
    return {"p_tenant_id": write.login.tenant_id, "p_user_id": write.login.user_id}


def _audit_entry(write: LoginWrite) -> dict[str, Any]:
    login = write.login
    return audit.audit_values(
        login.tenant_id,
        "login.decision",
        user_id=login.user_id,
        detail=write.audit_detail,
        now=write.now,
    )


def _write(connection: Connection, write: LoginWrite) -> None:
    """The login's rows, on a connection whose transaction already holds the user's history
    still; :class:`HistoryConflict` (nothing written) when it moved past the version seen."""
    login = write.login
    seen = write.seen_version
    if write.history_entry is not None and _version(connection, _user_values(write)) != seen:
        raise HistoryConflict("the user's history changed during the evaluation")
    entry = _audit_entry(write)
    _INSERT_RECORDED.insert(connection, recorded_logins.recorded_values(login))
    _INSERT_AUDIT.insert(connection, entry)
    if write.history_entry is not None:
        values = history.history_values(login.tenant_id, login.user_id, write.history_entry)
        _INSERT_HISTORY.insert(connection, values)


def _write_pipelined(connection: Connection, write: LoginWrite) -> None:
    """:func:`_write` on PostgreSQL, taking the user's lock first, in one round trip: the
    statements are pipelined, and the history entry is inserted only if the version is still
    the one seen (checked by the INSERT itself, after the lock: each statement of a READ
    COMMITTED transaction sees what committed before it started). :class:`HistoryConflict`
    otherwise, and the transaction, with the other rows, is rolled back."""
    login = write.login
    entry = _audit_entry(write)
    driver = connection.connection.driver_connection
    try:
        with driver.pipeline():  # type: ignore[union-attr]
            if write.history_entry is not None:
                key = user_lock_key(login.tenant_id, login.user_id)
                _LOCK.send(connection, {"p_key": key})
                values = history.history_values(login.tenant_id, login.user_id, write.history_entry)
                values |= {f"p_{name}": value for name, value in values.items()}
                values["p_seen"] = write.seen_version
                added = _INSERT_HISTORY_IF_UNCHANGED.send(connection, values)
            _INSERT_RECORDED.send(connection, recorded_logins.recorded_values(login), insert=True)
            _INSERT_AUDIT.send(connection, entry, insert=True)
    except Exception as exc:  # raised at the pipeline's sync: the same handling as any statement
        connection._handle_dbapi_exception(exc, None, None, None, None)
    if write.history_entry is not None and added.rowcount != 1:
        raise HistoryConflict("the user's history changed during the evaluation")


class SqlLoginCommit:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._files: FileLocks | None = None
        self._group: GroupCommit[LoginWrite] | None = None
        if db.dialect == "sqlite" and not db.in_memory:
            self._files = FileLocks(lock_file_of(str(db.engine.url.database)))
            self._group = GroupCommit(self._write_batch)

    def version(self, tenant_id: str, user_id: str) -> int:
        """The user's history version, read before an evaluation reads the history."""
        values = {"p_tenant_id": tenant_id, "p_user_id": user_id}
        with self._db.read() as connection:
            return _version(connection, values)

    def read(
        self, tenant_id: str, user_id: str, *, device_id: str | None, user_agent: str | None
    ) -> HistoryRead:
        """:meth:`version`, what the evaluation will ask of the history about this login and
        the user's factor types: one round trip instead of five."""
        values = {
            "p_tenant_id": tenant_id,
            "p_user_id": user_id,
            "p_device_hash": history.digest(device_id),
            "p_agent_hash": history.digest(user_agent),
        }
        with self._db.read() as connection:
            row = _LOGIN_VIEW.first(connection, values)
        assert row is not None  # one row, whatever the user has
        version, device_seen, agent_seen, types, *last = row
        return HistoryRead(
            version=int(version),
            device_id=device_id,
            device_seen=device_seen,
            user_agent=user_agent,
            agent_seen=agent_seen,
            last=None if last[0] is None else LoginRecord(*last),
            factor_types=frozenset(types or ()),
        )

    def commit(
        self,
        login: RecordedLogin,
        *,
        history_entry: LoginRecord | None,
        seen_version: int,
        audit_detail: Mapping[str, Any],
        now: datetime,
    ) -> None:
        """Write the login's record, audit entry and (unless denied) history entry at once;
        :class:`HistoryConflict` (nothing written) when the user's history moved past
        ``seen_version``. Returns once the commit is durable."""
        write = LoginWrite(login, history_entry, seen_version, audit_detail, now)
        if self._group is not None:
            self._group.submit(write)
            return
        self._write_one(write)

    @contextmanager
    def holding(self, tenant_id: str, user_id: str) -> Iterator[HeldHistory]:
        """The user's history held still across workers, from its version to the commit made
        through the :class:`HeldHistory` (module docstring). Other users are not held up."""
        key = user_lock_key(tenant_id, user_id)
        if self._db.dialect == "postgresql":
            with self._db.write() as connection:
                _LOCK.first(connection, {"p_key": key})
                found = _version(connection, {"p_tenant_id": tenant_id, "p_user_id": user_id})
                yield HeldHistory(found, lambda write: _write(connection, write))
            return
        if self._files is not None:
            with self._files.users([key]):
                yield HeldHistory(self.version(tenant_id, user_id), self._write_held)
            return
        # An in-memory store lives in one process, whose per-user lock already orders the logins.
        yield HeldHistory(self.version(tenant_id, user_id), self._write_one)

    def _write_one(self, write: LoginWrite) -> None:
        """One login in a transaction of its own (PostgreSQL: holding the user's lock)."""
        with self._db.write() as connection:
            if self._db.dialect != "postgresql":
                _write(connection, write)
            elif hasattr(connection.connection.driver_connection, "pipeline"):  # psycopg 3
                _write_pipelined(connection, write)
            else:
                if write.history_entry is not None:
                    key = user_lock_key(write.login.tenant_id, write.login.user_id)
                    _LOCK.first(connection, {"p_key": key})
                _write(connection, write)

    @contextmanager
    def _immediate(self) -> Iterator[Connection]:
        """A SQLite file store's transaction, begun holding the write lock, reached through the
        commit gate (module docstring)."""
        assert self._files is not None
        with self._files.commit_gate(), self._db.write() as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield connection

    def _write_held(self, write: LoginWrite) -> None:
        """A SQLite commit whose user's byte is held already: alone, not in a group whose
        leader would take the bytes of other users after it (out of order)."""
        with self._immediate() as connection:
            _write(connection, write)

    def _write_batch(self, writes: Sequence[LoginWrite]) -> list[BaseException | None]:
        """One SQLite transaction for a group of logins (see :class:`GroupCommit`)."""
        assert self._files is not None
        keys = [
            user_lock_key(w.login.tenant_id, w.login.user_id)
            for w in writes
            if w.history_entry is not None
        ]
        errors: list[BaseException | None] = []
        with self._files.users(keys), self._immediate() as connection:
            for write in writes:
                try:
                    _write(connection, write)
                except HistoryConflict as conflict:  # checked before any of its rows
                    errors.append(conflict)
                else:
                    errors.append(None)
        return errors

    def close(self) -> None:
        if self._files is not None:
            self._files.close()
