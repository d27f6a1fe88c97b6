"""The processes a chaos run owns: its own PostgreSQL, its own Redis, its ``serve`` workers.

Nothing here touches the machine's shared PostgreSQL (5432) or Redis (6379): PostgreSQL is a
fresh cluster (``initdb``) in a temporary directory on a free loopback port, Redis a fresh
``redis-server`` without persistence on another, so both can be stopped, restarted and emptied
at will. Run as root, PostgreSQL runs as the ``postgres`` OS user (``runuser``), which owns its
directory. Every process is stopped by its own id.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from load_logins import free_port

__all__ = [
    "INITDB",
    "PG_CTL",
    "OwnPostgres",
    "OwnRedis",
    "Worker",
    "missing_tools",
]

INITDB = shutil.which("initdb") or "/usr/local/bin/initdb"
PG_CTL = shutil.which("pg_ctl") or "/usr/local/bin/pg_ctl"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def missing_tools() -> list[str]:
    """The binaries a chaos run needs that this machine lacks."""
    return [tool for tool in (INITDB, PG_CTL, REDIS_SERVER) if not os.access(tool, os.X_OK)]


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class OwnPostgres:
    """A PostgreSQL cluster of this run only: ``initdb`` once, then start, stop, restart."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="chaos-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._as: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run(INITDB, "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self._as, *args], check=True, capture_output=True, cwd=self.root, timeout=120
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c max_connections=100"
        )
        log = str(self.root / "postgres.log")
        self._run(PG_CTL, "-D", str(self.data), "-l", log, "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends sessions, exits cleanly; ``immediate`` is a crash (recovers at start)."""
        self._run(PG_CTL, "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self) -> None:
        self.stop("fast")
        self.start()

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class OwnRedis:
    """A ``redis-server`` of this run only, without persistence: a restart starts it empty."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 20
        while not _port_open(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGKILL: whatever it held is gone, as after a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def close(self) -> None:
        self.stop()


class Worker:
    """One ``contextmfa serve`` process on its own port, started as a user would start it."""

    def __init__(self, config: Path, env: dict[str, str], port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = config.parent / f"serve-{self.port}-{time.monotonic_ns()}.log"
        command = [sys.executable, "-m", "contextmfa", "serve", "--config", str(config)]
        command += ["--port", str(self.port), "--log-level", "warning", "--shutdown-timeout", "5"]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=config.parent,
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid = self.process.pid

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}: {self.logs()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"serve did not answer within {seconds} s: {self.logs()}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def logs(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL, whatever it is doing: no drain, no cleanup."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
