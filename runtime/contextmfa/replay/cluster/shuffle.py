"""The first stage of a cluster replay: each block's records, sorted out by user partition.

A task reads one block, finds each record's partition (the CRC-32 of ``user.user_id`` that the
local parallel replay routes by, modulo the number of partitions) and its timestamp, and writes
the block's records grouped by partition into one scratch file, with the byte range of each
partition. The task returns only that index, so the data never passes through the scheduler or
the client, and a partition task later reads just its ranges: memory per task is one block or
one partition, whatever the size of the input.

A scratch record is one line, ``LINE TIMESTAMP RECORD``: the line number within the block, the
timestamp as seconds (``-inf`` when it cannot be read: such a record fails validation, so where
it is evaluated does not matter) and the record's bytes, empty for a line over the size limit.
Plain text, so reading scratch space back never unpickles anything.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from contextmfa.errors import InputError
from contextmfa.events import Timestamp, bounded_lines, decode_record
from contextmfa.replay.cluster.source import Block, open_block, storage
from contextmfa.replay.parallel import owner

__all__ = ["ScratchRecord", "Split", "publish", "read_partition", "split_block"]

_timestamp = TypeAdapter(Timestamp)

ScratchRecord = tuple[float, int, bytes | None]
"""``(timestamp, line number in the whole input, record)``; None: over the size limit."""


@dataclass(frozen=True, slots=True)
class Split:
    """One block, split: its line count and where each partition's records are."""

    lines: int
    url: str
    offsets: tuple[int, ...]
    """Byte offsets into ``url``: partition ``p`` is ``offsets[p]:offsets[p + 1]``."""


def sort_key(data: Any) -> float:
    """The record's timestamp in seconds, read as the event model reads it."""
    value = data.get("timestamp") if isinstance(data, dict) else None
    try:
        return _timestamp.validate_python(value).timestamp()
    except (ValidationError, ValueError, TypeError, OverflowError):
        return -math.inf


def split_block(block: Block, partitions: int, url: str) -> Split:
    """Read ``block``, group its records by partition into the scratch file ``url``."""
    buckets = [bytearray() for _ in range(partitions)]
    lines = 0
    with storage(block.url, "read"), open_block(block) as handle:
        for number, raw in enumerate(bounded_lines(handle), start=1):
            lines = number
            if raw is None:
                buckets[0] += b"%d -inf \n" % number
                continue
            text = raw.strip()
            if not text or text.startswith(b"#"):
                continue
            try:
                data = decode_record(text, "-")
            except InputError:
                data = None  # partition 0 evaluates it and words the error
            key = repr(sort_key(data)).encode()
            buckets[owner(data, partitions)] += b"%d %s %s\n" % (number, key, text)
    offsets = [0]
    for bucket in buckets:
        offsets.append(offsets[-1] + len(bucket))
    with storage(url, "write"):
        publish(url, b"".join(buckets))
    return Split(lines, url, tuple(offsets))


def publish(url: str, data: bytes) -> None:
    """Write ``url`` whole or not at all: a task rerun after its worker died rewrites the file
    while another task may be reading it, so the new copy is written aside and moved in place
    (same bytes: tasks are deterministic)."""
    from fsspec.core import url_to_fs

    fs, path = url_to_fs(url)
    aside = f"{path}.{uuid.uuid4().hex}.partial"
    with fs.open(aside, "wb") as out:
        out.write(data)
    fs.mv(aside, path)


def read_partition(number: int, splits: list[Split]) -> list[ScratchRecord]:
    """Partition ``number``'s records from every block, line numbers made global (blocks are
    in input order), sorted by timestamp and then by line: each user's logins in time order,
    ties in input order."""
    from fsspec.core import url_to_fs

    starts, wanted = [], []
    start = 0
    for split in splits:
        if split.offsets[number + 1] > split.offsets[number]:
            starts.append(start)
            wanted.append(split)
        start += split.lines
    if not wanted:
        return []
    fs, _ = url_to_fs(wanted[0].url)
    with storage(wanted[0].url.rsplit("/", 1)[0], "read"):
        datas = fs.cat_ranges(  # at once: an object store answers the ranges concurrently
            [url_to_fs(split.url)[1] for split in wanted],
            [split.offsets[number] for split in wanted],
            [split.offsets[number + 1] for split in wanted],
            on_error="raise",
        )
    records: list[ScratchRecord] = []
    for first, data in zip(starts, datas, strict=True):
        for entry in data.split(b"\n")[:-1]:
            line, key, raw = entry.split(b" ", 2)
            records.append((float(key), first + int(line), raw or None))
    records.sort(key=lambda r: (r[0], r[1]))
    return records
