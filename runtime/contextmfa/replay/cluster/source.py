"""The input of a cluster replay: the files an fsspec URL or glob names, cut into blocks.

A plain file, a glob (``logs/2026-11-*.jsonl.gz``), a directory (every file in it) or a URL
(``file://``, ``s3://``, ``gs://``...) all become a list of files in name order, read as one
input, as ``cat`` would join them: line numbers run on from one file to the next. Files whose
names start with ``.`` or ``_`` (``.crc``, ``_SUCCESS``) are left out of a directory or glob. An
uncompressed file is cut into blocks of about ``BLOCK_BYTES`` at line ends, so workers read a
large file in parallel; a compressed one (gzip, bz2, xz: by its suffix) is one block, read as a
stream. Nothing here reads a whole file into memory.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from contextmfa.errors import InputError

__all__ = ["BLOCK_BYTES", "Block", "list_blocks", "open_block", "storage"]

BLOCK_BYTES = 32 << 20
COMPRESSION_RATIO = 6
"""How much larger than on disk a compressed file is assumed to be, to size partitions."""


@dataclass(frozen=True, slots=True)
class Block:
    """Part of one input file: ``length`` bytes from ``offset`` (cut at line ends when read),
    or the whole file when ``length`` is None."""

    url: str
    offset: int = 0
    length: int | None = None
    compression: str | None = None


def list_blocks(source: str, block_bytes: int = BLOCK_BYTES) -> tuple[list[Block], int]:
    """The blocks of every file ``source`` names, in input order, and the estimated bytes of
    records in them (to size partitions)."""
    from fsspec.core import url_to_fs
    from fsspec.utils import infer_compression

    try:
        fs, path = url_to_fs(source)
        if fs.isdir(path):
            paths = [p for p in fs.find(path) if not _hidden(p)]
        elif any(ch in path for ch in "*?["):
            paths = [p for p in fs.glob(path) if not _hidden(p) and fs.isfile(p)]
        else:
            paths = [path] if fs.isfile(path) else []
    except (OSError, ValueError) as exc:
        raise InputError(f"{source}: error: cannot list: {exc}") from None
    if not paths:
        raise InputError(f"{source}: error: no file to replay (not found, or no file matches)")
    blocks: list[Block] = []
    total = 0
    for path in sorted(paths):
        url = fs.unstrip_protocol(path)
        size = int(fs.size(path) or 0)
        compression = infer_compression(path)
        if compression is not None:
            blocks.append(Block(url, compression=compression))
            total += size * COMPRESSION_RATIO
            continue
        total += size
        offsets = range(0, max(size, 1), block_bytes)
        blocks.extend(Block(url, offset, block_bytes) for offset in offsets)
    return blocks, total


def _hidden(path: str) -> bool:
    """Files a directory of logs holds beside them: ``.crc``, ``_SUCCESS`` and the like."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return name.startswith((".", "_"))


@contextmanager
def open_block(block: Block) -> Iterator[BinaryIO]:
    """The block's bytes: a stream for a whole (compressed) file, the block's lines otherwise."""
    import fsspec
    from fsspec.core import url_to_fs

    if block.length is None:
        with fsspec.open(block.url, "rb", compression=block.compression) as handle:
            yield handle
        return
    fs, path = url_to_fs(block.url)
    data = fs.read_block(path, block.offset, block.length, delimiter=b"\n")
    yield io.BytesIO(data)


@contextmanager
def storage(url: str, doing: str) -> Iterator[None]:
    """A worker that cannot read or write ``url`` says so (a path only the client has, missing
    credentials) instead of failing with an internal error."""
    try:
        yield
    except OSError as exc:
        why = exc.strerror or str(exc) or type(exc).__name__
        raise InputError(f"{url}: error: cannot {doing} it on a worker: {why}") from None
