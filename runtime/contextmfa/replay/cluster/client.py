"""Driving a cluster replay from the client: connect, submit both stages, collect partitions.

    blocks ──► split tasks (one a block) ──► scratch files, grouped by user partition
                                                   │
    partition tasks (one a partition) ◄────────────┘  evaluate, count ──► client merges

Only Dask's own scheduler, workers and futures are used: tasks are plain functions of this
package with deterministic keys, the config travels once to each worker (``scatter`` with
``broadcast``), and a task whose worker dies is rerun by Dask; each partition's result is
merged once, when its future completes.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import os
import shutil
import tempfile
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from contextmfa.errors import ContextMFAError
from contextmfa.replay.cluster.bundle import ConfigBundle
from contextmfa.replay.cluster.partition import Job, PartitionResult, replay_partition
from contextmfa.replay.cluster.shuffle import split_block
from contextmfa.replay.cluster.source import Block

__all__ = ["ClusterError", "connect", "require", "run_partitions", "scratch_space"]

LOCAL = "local:"
PARTITION_BYTES = 32 << 20
"""Input bytes per partition, at most: what one partition task holds (records, then rows)."""
PARTITIONS_PER_THREAD = 4
CONNECT_SECONDS = 30
MISSING = 'replay --cluster needs Dask and fsspec: pip install "contextmfa[cluster]"'


class ClusterError(ContextMFAError):
    """The cluster cannot be used as asked (missing extras, bad address, a failed task)."""

    code = "replay_cluster"

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def require() -> None:
    """Fail with the install command when the ``cluster`` extras are missing."""
    try:
        import distributed  # noqa: F401
        import fsspec  # noqa: F401
    except ImportError:
        raise ClusterError(MISSING) from None


def local_workers(address: str) -> int | None:
    """N for ``local:N``; None for a scheduler address."""
    if not address.startswith(LOCAL):
        return None
    count = address[len(LOCAL) :]
    if not count.isdigit() or not 1 <= int(count) <= 1024:
        raise ClusterError(f"--cluster {address}: error: expected local:N, N from 1 to 1024")
    return int(count)


def _loopback(address: str) -> bool:
    host = address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextmanager
def connect(address: str) -> Iterator[Any]:
    """A Client: of a new LocalCluster of N worker processes on loopback for ``local:N``
    (one thread each), else of the scheduler at ``address``."""
    require()
    from distributed import Client, LocalCluster

    workers = local_workers(address)
    if workers is not None:
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(address, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        message = f"--cluster {address}: error: cannot reach the Dask scheduler: {exc}"
        raise ClusterError(message) from None
    with client:
        yield client


@contextmanager
def scratch_space(url: str | None, address: str) -> Iterator[str]:
    """Where split tasks write and partition tasks read: a new directory under ``url``, or a
    temporary directory here when every worker runs on this machine. Removed afterwards."""
    if url is None:
        if local_workers(address) is None and not _loopback(address):
            raise ClusterError(
                f"--cluster {address}: error: needs --scratch URL, a place every worker can "
                "write and read (e.g. s3://bucket/tmp), for the records on their way to their "
                "partition"
            )
        directory = tempfile.mkdtemp(prefix="contextmfa-scratch-")
        try:
            yield "file://" + directory
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    from fsspec.core import url_to_fs

    run = f"{url.rstrip('/')}/contextmfa-replay-{uuid.uuid4().hex[:12]}"
    fs, path = url_to_fs(run)
    try:
        fs.makedirs(path, exist_ok=True)
        yield run
    finally:
        with suppress(OSError):
            fs.rm(path, recursive=True)


def partition_count(total_bytes: int, threads: int) -> int:
    """Partitions of at most about PARTITION_BYTES, a multiple of the worker threads and at
    least PARTITIONS_PER_THREAD each: the last wave of partitions keeps every thread busy."""
    threads = max(threads, 1)
    waves = max(PARTITIONS_PER_THREAD, math.ceil(total_bytes / (PARTITION_BYTES * threads)))
    return threads * waves


def run_partitions(
    client: Any,
    blocks: list[Block],
    total_bytes: int,
    bundles: tuple[ConfigBundle, ConfigBundle | None],
    job: Job,
    scratch: str,
    tick: Callable[[int], None] | None = None,
) -> Iterator[PartitionResult]:
    """Each partition's result as it completes; ``tick(total)`` after each finished task."""
    from distributed import as_completed

    threads = sum(client.nthreads().values())
    partitions = partition_count(total_bytes, threads)
    token = uuid.uuid4().hex[:12]
    shipped = client.scatter([b for b in bundles if b is not None], broadcast=True, hash=False)
    config, candidate = shipped[0], (shipped[1] if len(shipped) > 1 else None)
    splits = [
        client.submit(
            split_block,
            block,
            partitions,
            f"{scratch}/split-{index:06d}.txt",
            key=f"contextmfa-split-{token}-{index}",
        )
        for index, block in enumerate(blocks)
    ]
    parts = [
        client.submit(
            replay_partition,
            number,
            splits,
            config,
            candidate,
            job,
            key=f"contextmfa-partition-{token}-{number}",
        )
        for number in range(partitions)
    ]
    total = len(splits) + len(parts)
    pending = {future.key for future in parts}
    try:
        for future in as_completed([*splits, *parts]):
            if future.status == "error":
                raise _failure(future)
            if future.key in pending:
                pending.discard(future.key)
                yield future.result()
                future.release()
            if tick is not None:
                tick(total)
    finally:
        client.cancel([*splits, *parts])


def _failure(future: Any) -> ClusterError:
    """A task failed for good: its own message when it is one of ours (they carry no
    secrets), else only the exception's type (unless CONTEXTMFA_DEBUG=1)."""
    exc = future.exception()
    if isinstance(exc, ContextMFAError):
        return ClusterError(str(exc), exc.exit_code)
    name = type(exc).__name__
    if name == "KilledWorker":
        return ClusterError(f"replay on the cluster failed: {exc}", 3)
    if os.environ.get("CONTEXTMFA_DEBUG") == "1":
        return ClusterError("".join(traceback.format_exception(exc)), 3)
    return ClusterError(f"internal error in a cluster replay task: {name}", 3)
