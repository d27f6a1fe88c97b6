"""``/readyz``: ready only while every tenant's store, and Redis where configured, answers.

A dependency goes down by cutting a loopback forwarder (``tcp_proxy``) in front of the machine's
PostgreSQL or Redis, never by stopping them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from service_helpers import SECRET_KEY, write_tenant
from service_process import PG_HOST, PG_PORT, postgres_database, redis_reachable
from tcp_proxy import TcpProxy

from contextmfa.service import create_app, load_tenants
from contextmfa.service.readiness import Readiness, reason_of, shown_url

PG_SKIP = "PostgreSQL is not reachable at 127.0.0.1:5432; the store probe needs one"
REDIS_SKIP = "Redis is not reachable at 127.0.0.1:6379; the Redis probe needs one"
PASSWORD = "s3cret-never-shown"


def test_ready_when_every_store_answers(service):
    answer = service.client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready", "down": []}
    assert answer.headers["cache-control"] == "no-store"


def test_readyz_is_in_the_openapi_like_healthz(service):
    paths = service.client.get("/openapi.json").json()["paths"]
    assert set(paths["/readyz"]["get"]["responses"]) == {"200", "503"}
    assert paths["/readyz"]["get"]["tags"] == paths["/healthz"]["get"]["tags"]


def test_shown_urls_carry_no_password_or_query():
    assert shown_url(f"postgresql+psycopg://mfa:{PASSWORD}@db:5432/mfa?password=x") == (
        "postgresql+psycopg://mfa@db:5432/mfa"
    )
    assert shown_url(f"redis://:{PASSWORD}@cache:6379/0") == "redis://cache:6379/0"
    assert shown_url("sqlite:////var/lib/mfa.db") == "sqlite:////var/lib/mfa.db"


def test_reasons_come_from_a_fixed_list_not_the_driver_text():
    try:
        try:
            raise OSError(f"[Errno 111] Connection refused by pg for user mfa:{PASSWORD}")
        except OSError as inner:
            raise RuntimeError("the store database is unreachable or busy") from inner
    except RuntimeError as exc:
        assert reason_of(exc) == "connection refused"
    assert reason_of(RuntimeError(PASSWORD)) == "unreachable"


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_database() as url:
        if url is None:
            pytest.skip(PG_SKIP)
        yield url


def _via(url: str, proxy: TcpProxy) -> str:
    """``url`` through ``proxy``, with a password that trust authentication ignores."""
    user, rest = url.removeprefix("postgresql+psycopg://").split("@", 1)
    database = rest.split("/", 1)[1]
    return f"postgresql+psycopg://{user}:{PASSWORD}@127.0.0.1:{proxy.port}/{database}"


def _client(tmp_path: Path, **stores: dict[str, str]) -> tuple[TestClient, Any]:
    env = {"CONTEXTMFA_SECRET_KEY": SECRET_KEY}
    paths = []
    for tenant, options in stores.items():
        files = write_tenant(tmp_path, tenant, **options)
        env.update(files.env)
        paths.append(files.path)
    tenants = load_tenants(paths, environ=env)
    return TestClient(create_app(tenants, owns_tenants=True)), tenants


def test_a_store_down_is_named_by_tenant_and_comes_back_without_a_restart(tmp_path, pg_url):
    proxy = TcpProxy((PG_HOST, PG_PORT))
    client, _ = _client(
        tmp_path, acme={"store": _via(pg_url, proxy)}, globex={"store": "sqlite:///globex.db"}
    )
    try:
        with client:
            assert client.get("/readyz").status_code == 200
            proxy.cut()
            down = client.get("/readyz")
            assert down.status_code == 503
            assert down.headers["retry-after"] == "1"
            body = down.json()
            assert body["status"] == "unavailable"
            assert [(d["tenant"], d["dependency"]) for d in body["down"]] == [("acme", "store")]
            assert PASSWORD not in down.text and str(proxy.port) not in down.text
            # the stale pooled connection is dropped; the next probe finds the port refusing
            again = client.get("/readyz").json()["down"]
            assert again == [
                {"tenant": "acme", "dependency": "store", "reason": "connection refused"}
            ]
            assert client.get("/healthz").status_code == 200  # still live
            proxy.restore()
            assert client.get("/readyz").json() == {"status": "ready", "down": []}
    finally:
        proxy.cut()


def test_redis_down_is_named_for_each_tenant_that_uses_it(tmp_path):
    if not redis_reachable():
        pytest.skip(REDIS_SKIP)
    proxy = TcpProxy(("127.0.0.1", 6379))
    redis = f"redis://127.0.0.1:{proxy.port}/0"
    client, _ = _client(
        tmp_path,
        acme={"store": "sqlite:///shared.db", "redis": redis},
        globex={"store": "sqlite:///shared.db", "redis": redis},
    )
    try:
        with client:
            assert client.get("/readyz").status_code == 200
            proxy.cut()
            down = client.get("/readyz")
            assert down.status_code == 503
            assert [(d["tenant"], d["dependency"]) for d in down.json()["down"]] == [
                ("acme", "redis"),
                ("globex", "redis"),
            ]
            proxy.restore()
            assert client.get("/readyz").status_code == 200
    finally:
        proxy.cut()


def _probes() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "readyz-probe")


def test_a_store_that_hangs_times_out_and_is_not_probed_twice_at_once(tmp_path, pg_url):
    proxy = TcpProxy((PG_HOST, PG_PORT))
    _, tenants = _client(tmp_path, acme={"store": _via(pg_url, proxy)})
    try:
        readiness = Readiness(tenants, timeout=0.2)
        assert readiness.check() == []
        proxy.hang()
        tenants.get("acme").store.database.dispose()  # the next probe opens a connection
        before = _probes()
        first = readiness.check()
        assert [(d.tenant, d.dependency, d.reason) for d in first] == [
            ("acme", "store", "timed out")
        ]
        assert readiness.check() == first
        assert _probes() == before + 1  # the hanging probe is waited for, not started again
    finally:
        proxy.cut()  # the hanging connection fails, its probe thread ends
        tenants.close()
