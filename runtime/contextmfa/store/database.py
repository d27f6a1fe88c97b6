"""One SQL database: the engine, tuned per backend, and the connection every store call runs on.

Store calls run prebuilt SQLAlchemy Core statements on a connection: :meth:`Database.write` (one
transaction, committed on success) or :meth:`Database.read` (nothing to commit). Core rather than
ORM sessions, and statements built once rather than per call: measured here, about 150 µs per
indexed lookup on SQLite instead of 1.2 ms.

* ``sqlite:///path``: WAL journal (readers never wait for the writer), a 10 s busy timeout (a
  writer waits for another instead of failing), foreign keys on, ``synchronous=FULL``: a commit
  survives a power cut, so a spent code or a claimed OTP step stays spent (``NORMAL`` would halve
  the cost of a write here, about 0.25 ms, and could forget the last commits). The log is
  copied back into the database by a thread of the store's, not inside a commit
  (:mod:`~contextmfa.store.wal_checkpoints`).
* ``sqlite://`` (in memory): one connection shared by every thread (``StaticPool``), so all see
  the same database; since threads would otherwise interleave statements inside each other's
  transactions, every transaction holds a process lock.
* ``postgresql+psycopg://``: a connection pool, without pre-ping (a ping per call would double
  the round trips, measured at 0.5 ms each here); reads in autocommit (a read that opened and
  rolled back a transaction cost about 350 µs here, one in autocommit about 195 µs). After a
  database restart the calls in flight fail with :class:`StoreUnavailable`; SQLAlchemy then
  drops the whole stale pool, so the next calls reconnect.

SQL parameters are hidden from SQLAlchemy's exception messages and logs (``hide_parameters``),
and the rows SQLAlchemy logs at DEBUG are dropped (the engine logs as
``sqlalchemy.engine.Engine.contextmfa``, with a filter): turning on SQL debugging must not print
a code hash, token hash or ciphertext. Connection failures become :class:`StoreUnavailable`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.pool import StaticPool

from contextmfa.errors import ConfigError, InputError
from contextmfa.store.errors import StoreUnavailable
from contextmfa.store.wal_checkpoints import SAFETY_PAGES, WalCheckpointer

__all__ = ["Database", "StoreUnavailable", "translated_errors"]


class Database:
    """An engine plus the rule for running one transaction on it."""

    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise ConfigError("the store URL is not a valid database URL") from None
        backend = parsed.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise ConfigError(
                f"unsupported store backend {backend!r} (use sqlite:// or postgresql+psycopg://)"
            )
        self.dialect = backend
        self.in_memory = backend == "sqlite" and parsed.database in (None, "", ":memory:")
        self._lock: threading.RLock | None = threading.RLock() if self.in_memory else None
        self.engine = _make_engine(url, backend, self.in_memory)
        self._reader = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT")
            if backend == "postgresql"
            else self.engine
        )
        self._file = str(parsed.database) if backend == "sqlite" and not self.in_memory else None
        self._checkpointer: WalCheckpointer | None = None
        self._starting = threading.Lock()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: committed on success, rolled back on any exception."""
        if self._file is not None and self._checkpointer is None:
            self._start_checkpoints()
        with self._guard(), translated_errors(), self.engine.begin() as connection:
            yield connection

    def _start_checkpoints(self) -> None:
        """A file store's WAL checkpoints, from its first write on (:mod:`wal_checkpoints`)."""
        with self._starting:
            if self._checkpointer is None and self._file is not None:
                self._checkpointer = WalCheckpointer(self._file)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads only (each statement sees committed data). On PostgreSQL it
        runs in autocommit: no BEGIN before and no ROLLBACK after, two round trips fewer."""
        with self._guard(), translated_errors(), self._reader.connect() as connection:
            yield connection

    def _guard(self) -> AbstractContextManager[Any]:
        return self._lock if self._lock is not None else nullcontext()

    def dispose(self) -> None:
        with self._starting:
            if self._checkpointer is not None:
                self._checkpointer.stop()
                self._checkpointer = None
            self._file = None  # no checkpoints are started again
        self.engine.dispose()


@contextmanager
def translated_errors() -> Iterator[None]:
    """Turn "cannot reach / database busy" driver errors into :class:`StoreUnavailable`, and a
    value too long for its column (PostgreSQL enforces lengths) into :class:`InputError`.

    A full disk is unavailable too: the transaction was rolled back, nothing half-written stays,
    and the same call succeeds once there is room. Other operational errors (a missing table, a
    broken statement) are bugs or a schema that was not migrated, and propagate as they are.
    """
    try:
        yield
    except DataError:
        raise InputError(
            "a value is too long for the store (tenant ids up to 128 characters; user ids, "
            "names, keys and addresses up to 255)"
        ) from None
    except (OperationalError, InterfaceError) as exc:
        if exc.connection_invalidated or _is_unavailable(exc):
            raise StoreUnavailable("the store database is unreachable or busy") from exc
        raise


_UNAVAILABLE = (
    "locked",
    "busy",
    "connect",
    "connection",
    "terminat",
    "timeout",
    "timed out",
    # a full disk (SQLite's SQLITE_FULL, PostgreSQL's "could not extend file ... No space left"
    # and its I/O errors): the write did not happen, and it will once an operator frees space
    "disk is full",
    "no space left",
    "disk i/o error",
)


def _is_unavailable(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return any(word in text for word in _UNAVAILABLE)


LOGGING_NAME = "contextmfa"
CONNECT_TIMEOUT = 5
"""Seconds to wait for a PostgreSQL connection (libpq's connect_timeout)."""


class _NoRows(logging.Filter):
    """Drop SQLAlchemy's DEBUG records (result rows); keep the statements (INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


logging.getLogger(f"sqlalchemy.engine.Engine.{LOGGING_NAME}").addFilter(_NoRows())


def _make_engine(url: str, backend: str, in_memory: bool) -> Engine:
    common: dict[str, Any] = {"hide_parameters": True, "logging_name": LOGGING_NAME}
    if backend == "postgresql":
        # a host that accepts connections and never answers must not stall a login or a start
        # The history check relies on READ COMMITTED (each statement sees what committed before
        # it began): stated, so a database whose default is stricter does not change it.
        return create_engine(
            url,
            connect_args={"connect_timeout": CONNECT_TIMEOUT},
            isolation_level="READ COMMITTED",
            **common,
        )
    options: dict[str, Any] = dict(common)
    if in_memory:
        options |= {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    else:
        options["connect_args"] = {"check_same_thread": False, "timeout": 10}
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=FULL")
                cursor.execute(f"PRAGMA wal_autocheckpoint={SAFETY_PAGES}")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    return engine
