"""Disk full under a single-node SQLite store: a small tmpfs filled until writes fail.

The store lives on its own tmpfs (``mount -t tmpfs -o size=...``, which needs root or
CAP_SYS_ADMIN); a filler file then takes all but a little of the space, and journeys (login,
enroll, confirm) run until the store refuses writes. Every answer must be a normal one or a 503
with ``Retry-After`` (never a 500); every enrollment confirmed and every login acknowledged must
be in the store; once the filler is deleted, the worker must answer normally again without a
restart (recovery measured). Where mounting is not permitted the fault is skipped with a note.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from chaos_deps import Worker
from chaos_journeys import Cluster, Journeys, User
from chaos_rules import RECOVERY_BOUND_SECONDS, Tally
from chaos_run import write_tenant

from contextmfa.store import Store

__all__ = ["TMPFS_MB", "disk_full", "mount_tmpfs"]

TMPFS_MB = 16
LEFT_FREE_KB = 96


def mount_tmpfs(size_mb: int) -> Path | None:
    """A fresh tmpfs of ``size_mb`` MiB, or None where mounting is not permitted."""
    where = Path(tempfile.mkdtemp(prefix="chaos-disk-"))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0755", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        where.rmdir()
        return None
    return where


def _fill(directory: Path, leave_kb: int) -> Path:
    """A file taking all the free space but ``leave_kb``."""
    filler = directory / "filler"
    stat = os.statvfs(directory)
    size = stat.f_bavail * stat.f_frsize - leave_kb * 1024
    with open(filler, "wb") as out:
        chunk = b"\0" * (1 << 20)
        while size > 0:
            out.write(chunk[: min(size, len(chunk))])
            size -= len(chunk)
    return filler


def disk_full(tally: Tally, seconds: float = 20.0) -> None:
    where = mount_tmpfs(TMPFS_MB)
    if where is None:
        tally.note("disk-full skipped: mounting a tmpfs is not permitted here")
        return
    worker = None
    try:
        config, env = write_tenant(where, "sqlite:///chaos.db")
        worker = Worker(config, env)
        worker.wait_ready()
        store = Store.open(
            f"sqlite:///{where / 'chaos.db'}", secret_key=env["CONTEXTMFA_SECRET_KEY"]
        )
        journeys = Journeys(
            Cluster([worker.url, worker.url]),
            tally,
            env["CHAOS_API_KEY"],
            "http://chaos.test",
            store,
            "chaos",
        )
        journeys.retry_for = 2.0
        filler = _fill(where, LEFT_FREE_KB)
        tally.enter("disk-full")
        drivers = _until_refused(journeys, tally, seconds)
        pid = worker.pid
        filler.unlink()
        tally.enter("disk-freed")
        freed = time.monotonic()
        while time.monotonic() - freed < RECOVERY_BOUND_SECONDS * 2:
            if journeys.enroll(User(f"auth0|d-{time.monotonic_ns()}"), 0):
                break
            time.sleep(0.1)
        took = time.monotonic() - freed
        for thread in drivers:  # journeys cut off by the full disk finish now (or fail a rule)
            thread.join()
        tally.recovery["disk-full"] = round(took, 2)
        tally.checked(
            "recovery",
            took <= RECOVERY_BOUND_SECONDS and worker.alive() and worker.pid == pid,
            f"disk-full: not answering normally {took:.1f} s after space was freed",
        )
        for authenticator_id, user_id in journeys.confirmed.items():
            found = store.authenticators.get("chaos", authenticator_id)
            tally.checked(
                "nothing_lost",
                found is not None and found.confirmed,
                f"disk-full: confirmed authenticator of {user_id} missing",
            )
        stored = {r.login_id for r in store.logins.export("chaos")}
        for login_id in journeys.acked_logins:
            tally.checked("nothing_lost", login_id in stored, f"disk-full: login {login_id} lost")
        store.close()
        tally.enter("steady")
    finally:
        if worker is not None:
            worker.stop()
        with contextlib.suppress(OSError):
            subprocess.run(["umount", str(where)], check=False, capture_output=True)
            where.rmdir()


def _until_refused(journeys: Journeys, tally: Tally, seconds: float) -> list[threading.Thread]:
    """Enroll new users on two threads until a few journeys have failed (writes refused); the
    threads are returned still finishing their last journey, which the freed disk completes."""
    refused = 0
    stop = threading.Event()
    ends = time.monotonic() + seconds

    def drive() -> None:
        nonlocal refused
        while not stop.is_set() and time.monotonic() < ends:
            tally.journey("attempted")
            if journeys.enroll(User(f"auth0|d-{time.monotonic_ns()}"), 0):
                tally.journey("completed")
            else:
                tally.journey("not_completed")
                refused += 1
                if refused >= 4:
                    stop.set()

    threads = [threading.Thread(target=drive) for _ in range(2)]
    for thread in threads:
        thread.start()
    stop.wait(seconds)
    stop.set()
    tally.note(f"disk-full: {refused} journeys refused before the space was freed")
    return threads
