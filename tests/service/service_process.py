"""Real ``contextmfa serve`` processes on loopback ports, and databases for them.

A server is started as a user would start it (the ``contextmfa`` command line, here through
``python -c`` so that the tests also run where ``serve`` is not yet in the main command list),
waited for on ``/healthz``, and stopped with SIGTERM; its stderr (JSON log lines) is kept for
the tests to read. PostgreSQL databases are created per test module and dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_URL = "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One ``contextmfa serve`` process."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = cwd / f"serve-{self.port}.log"
        command = [sys.executable, "-m", "contextmfa", "serve", *args, "--port", str(self.port)]
        self._log_handle = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, **env},
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.client = httpx.Client(base_url=self.url, timeout=30)

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}:\n{self.logs()}")
            try:
                if self.client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"serve did not answer within {seconds} s:\n{self.logs()}")

    def logs(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        self.client.close()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log_handle.close()


@contextmanager
def serving(args: list[str], env: dict[str, str], cwd: Path) -> Iterator[Server]:
    server = Server(args, env, cwd)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


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


@contextmanager
def postgres_database() -> Iterator[str | None]:
    """A fresh database's URL, dropped afterwards; None when PostgreSQL is unreachable."""
    try:
        admin = _pg_admin()
    except (ConnectionError, ImportError):
        yield None
        return
    name = f"cmfa_service_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{admin.info.user}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def redis_reachable() -> bool:
    try:
        import redis
    except ImportError:
        return False
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        return bool(client.ping())
    except redis.exceptions.RedisError:
        return False
    finally:
        client.close()
