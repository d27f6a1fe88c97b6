"""Stores to test against: in memory, SQLite (memory and file), PostgreSQL, and SQL + Redis.

PostgreSQL tests run in a database created for this session (``cmfa_test_<random>``) and dropped
after it; Redis tests use keys under this session's tenant prefix, deleted after it. Either is
skipped, with the reason, when its server is not reachable. Every test works in tenants of its
own (:func:`tenant`), so session-wide stores never leak state from one test into another.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from contextmfa.store import InMemoryStore, Store, keygen
from contextmfa.store.keys import MasterKey

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_URL = "redis://127.0.0.1:6379/0"
PG_SKIP = f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}"
REDIS_SKIP = "Redis not reachable at 127.0.0.1:6379"

SESSION = "t" + secrets.token_hex(4)
KEY = keygen()
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

SQL_BACKENDS = ["sqlite-memory", "sqlite-file", "postgresql"]
ALL_BACKENDS = ["memory", *SQL_BACKENDS, "redis"]


def new_tenant() -> str:
    return f"{SESSION}-{secrets.token_hex(4)}"


@pytest.fixture
def tenant() -> str:
    """A tenant id no other test uses."""
    return new_tenant()


def _pg_admin() -> Any:
    import psycopg

    last: Exception | None = None
    for user in ("root", "postgres"):
        try:
            return psycopg.connect(
                host=PG_HOST,
                port=PG_PORT,
                dbname="test",
                user=user,
                connect_timeout=2,
                autocommit=True,
            )
        except psycopg.Error as exc:
            last = exc
    raise ConnectionError(str(last))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this session, dropped afterwards."""
    try:
        admin = _pg_admin()
    except (ConnectionError, ImportError):
        pytest.skip(PG_SKIP)
    user = admin.info.user
    name = f"cmfa_test_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """Redis, cleaned of this session's keys afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.exceptions.RedisError:
        pytest.skip(REDIS_SKIP)
    try:
        yield REDIS_URL
    finally:
        keys = list(client.scan_iter(match="cmfa:{" + SESSION + "*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(scope="session")
def session_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Store]]:
    """Session-wide stores, opened on first use and closed at the end."""
    opened: dict[str, Store] = {}
    yield opened
    for store in opened.values():
        store.close()


def open_store(request: pytest.FixtureRequest, backend: str) -> Any:
    """The store for ``backend``; SQLite-in-memory and in-memory ones are fresh per test."""
    if backend == "memory":
        return InMemoryStore(MasterKey(KEY))
    if backend == "sqlite-memory":
        store = Store.open("sqlite://", secret_key=KEY)
        request.addfinalizer(store.close)
        return store
    opened: dict[str, Store] = request.getfixturevalue("session_stores")
    if backend not in opened:
        opened[backend] = _open_shared(request, backend)
    return opened[backend]


def _open_shared(request: pytest.FixtureRequest, backend: str) -> Store:
    factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    if backend == "sqlite-file":
        path = factory.mktemp("sqlite") / "store.db"
        return Store.open(f"sqlite:///{path}", secret_key=KEY)
    if backend == "postgresql":
        return Store.open(request.getfixturevalue("postgres_url"), secret_key=KEY)
    if backend == "redis":
        path = factory.mktemp("sqlite-redis") / "store.db"
        url = request.getfixturevalue("redis_url")
        return Store.open(f"sqlite:///{path}", secret_key=KEY, redis_url=url)
    raise ValueError(backend)


@pytest.fixture(params=ALL_BACKENDS)
def store(request: pytest.FixtureRequest) -> Any:
    """Every backend: the contract of each port holds on all of them."""
    return open_store(request, request.param)


@pytest.fixture(params=SQL_BACKENDS)
def sql_store(request: pytest.FixtureRequest) -> Store:
    return open_store(request, request.param)


@pytest.fixture
def sqlite_file_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture
def opener(request: pytest.FixtureRequest) -> Callable[[str], Any]:
    """Open any backend by name inside a test (for tests parametrised on their own)."""
    return lambda backend: open_store(request, backend)
