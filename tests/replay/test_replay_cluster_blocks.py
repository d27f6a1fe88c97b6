"""The cluster replay's input: blocks cut at line ends lose and repeat no line, and partitions
are sized to keep every worker thread busy to the end."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

pytest.importorskip("fsspec", reason="the cluster extra (fsspec) is not installed")

from contextmfa.errors import InputError
from contextmfa.replay.cluster.client import PARTITION_BYTES, partition_count
from contextmfa.replay.cluster.source import list_blocks, open_block


def lines_of(source: str, block_bytes: int) -> list[bytes]:
    blocks, _ = list_blocks(source, block_bytes)
    found = []
    for block in blocks:
        with open_block(block) as handle:
            found.extend(handle.read().splitlines())
    return found


@pytest.mark.parametrize("block_bytes", [1, 7, 10, 11, 64, 1000])
def test_blocks_cut_at_line_ends_keep_every_line_once(tmp_path: Path, block_bytes: int):
    lines = [b"", b"a", b"bb", b"ccc" * 9, b"#comment", b"d" * 30, b"e"]
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert lines_of(str(path), block_bytes) == lines
    assert lines_of(f"file://{path}", block_bytes) == lines


def test_files_in_name_order_compressed_whole_hidden_left_out(tmp_path: Path):
    (tmp_path / "b.jsonl").write_bytes(b"3\n4\n")
    with gzip.open(tmp_path / "a.jsonl.gz", "wb") as out:
        out.write(b"1\n2\n")
    (tmp_path / "_SUCCESS").write_bytes(b"x\n")
    (tmp_path / ".a.jsonl.crc").write_bytes(b"x\n")
    blocks, total = list_blocks(str(tmp_path), 1)
    assert [b.url.rsplit("/", 1)[-1] for b in blocks] == ["a.jsonl.gz"] + ["b.jsonl"] * 4
    assert blocks[0].compression == "gzip" and blocks[0].length is None
    assert lines_of(str(tmp_path), 1) == [b"1", b"2", b"3", b"4"]
    assert lines_of(str(tmp_path / "*.jsonl*"), 3) == [b"1", b"2", b"3", b"4"]
    assert total > 0


def test_a_source_with_no_file_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError, match="no file to replay"):
        list_blocks(str(tmp_path / "missing-*.jsonl"))


def test_partitions_are_bounded_and_a_multiple_of_the_threads():
    assert partition_count(0, 2) == 8
    assert partition_count(100 * PARTITION_BYTES, 3) % 3 == 0
    assert partition_count(100 * PARTITION_BYTES, 3) >= 100
    assert partition_count(100 * PARTITION_BYTES, 3) <= 102
