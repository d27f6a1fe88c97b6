"""Where the commands read from and write to: ``-``, pipes such as /dev/stdin, byte order marks,
text that is not UTF-8, paths that cannot be read, a reader that goes away. Each mistake is one
located line with its documented exit code, never "internal error" (exit 3)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from contextmfa.cli.main import app

IMPORTS = Path(__file__).resolve().parents[1] / "importers" / "data"
BOM = b"\xef\xbb\xbf"


@pytest.fixture
def logins(tmp_path: Path, sample_event: dict) -> Path:
    """Three logins of one user, small enough for a pipe's buffer."""
    records = [dict(sample_event, id=f"l-{n}") for n in range(3)]
    path = tmp_path / "logins.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


@pytest.fixture
def pipe_of() -> Iterator:
    """``pipe_of(data)``: a path to the read end of a pipe holding ``data``, as /dev/stdin is
    when a shell pipes into a command: it can be read once, and not rewound."""
    opened: list[int] = []

    def make(data: bytes) -> str:
        assert len(data) < 60_000, "more than a pipe's buffer would need a writer thread"
        read, write = os.pipe()
        opened.append(read)
        os.write(write, data)
        os.close(write)
        return f"/proc/self/fd/{read}"

    yield make
    for fd in opened:
        os.close(fd)


def _stdin(cli, data: bytes, *args: object):
    return cli.runner.invoke(app, [str(a) for a in args], input=data)


# standard input and pipes -------------------------------------------------------------------------


def test_replay_reads_a_pipe_once_and_replays_every_login(cli, tenant, logins, pipe_of):
    """The automatic worker choice used to count the lines first and leave nothing to replay."""
    result = cli("replay", pipe_of(logins.read_bytes()), "--config", tenant, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["login_id"] for line in result.stdout.splitlines()] == [
        "l-0",
        "l-1",
        "l-2",
    ]
    assert "replayed 3 logins" in result.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_replay_dash_reads_standard_input(cli, tenant, logins, workers):
    data = logins.read_bytes() + b"{broken\n"
    result = _stdin(cli, data, "replay", "-", "--config", tenant, "-f", "jsonl", "-w", workers)
    assert result.exit_code == 2
    assert len(result.stdout.splitlines()) == 3
    assert "<stdin>:4: error: invalid JSON" in result.stderr
    assert "replayed 3 logins" in result.stderr


def test_evaluate_and_test_read_the_event_from_standard_input(cli, samples, sample_event):
    data = json.dumps(sample_event).encode()
    decided = _stdin(cli, data, "evaluate", "-", "--config", samples / "tenant.toml")
    assert decided.exit_code == 0, decided.output
    assert json.loads(decided.stdout)["login_id"] == sample_event["id"]

    action = samples.parent / "actions/block_embargoed_countries.py"
    tested = _stdin(cli, data, "test", action, "--event", "-", "--format", "json")
    assert tested.exit_code == 0, tested.output
    assert json.loads(tested.stdout)["action"] == "block_embargoed_countries"


def test_evaluate_names_standard_input_in_its_errors(cli, tenant, sample_event):
    sample_event["request"]["ip"] = "999.1.1.1"
    result = _stdin(cli, json.dumps(sample_event).encode(), "evaluate", "-", "--config", tenant)
    assert result.exit_code == 2
    assert result.stderr == "<stdin>: error: request.ip: '999.1.1.1' is not an IP address\n"


def test_import_reads_a_pipe_and_standard_input(cli, pipe_of, tmp_path):
    """An export was told apart by reading its start and rewinding: a pipe cannot rewind."""
    export = (IMPORTS / "auth0-logs.json").read_bytes()
    expected = cli("import", "auth0-logs", IMPORTS / "auth0-logs.json")
    assert expected.exit_code == 0, expected.output
    piped = cli("import", "auth0-logs", pipe_of(export))
    dashed = _stdin(cli, export, "import", "auth0-logs", "-")
    stream = _stdin(
        cli, (IMPORTS / "auth0-eventbridge.jsonl").read_bytes(), "import", "auth0-logs", "-"
    )
    for result in (piped, dashed, stream):
        assert result.exit_code == 0, result.output
        assert result.stdout == expected.stdout


# byte order marks and encodings -------------------------------------------------------------------


def test_a_utf8_byte_order_mark_is_accepted(cli, tenant, logins, tmp_path, sample_event):
    marked = tmp_path / "marked.jsonl"
    marked.write_bytes(BOM + logins.read_bytes())
    replayed = cli("replay", marked, "--config", tenant)
    assert replayed.exit_code == 0, replayed.output
    assert "replayed 3 logins" in replayed.stdout

    event = tmp_path / "marked.json"
    event.write_bytes(BOM + json.dumps(sample_event).encode())
    assert cli("evaluate", event, "--config", tenant).exit_code == 0


def test_text_that_is_not_utf8_is_a_located_input_error(cli, tenant, tmp_path, sample_event):
    latin1 = json.dumps(dict(sample_event, id="l-\u00e9"), ensure_ascii=False).encode("latin-1")
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(latin1 + b"\n")
    replayed = cli("replay", path, "--config", tenant)
    assert replayed.exit_code == 2
    column = latin1.index(b"\xe9") + 1
    assert f"{path}:1: error: invalid JSON: not UTF-8: byte 0xe9 at column {column}" in (
        replayed.stderr
    )

    utf16 = tmp_path / "utf16.json"
    utf16.write_bytes(json.dumps(sample_event).encode("utf-16"))
    evaluated = cli("evaluate", utf16, "--config", tenant)
    assert evaluated.exit_code == 2
    assert (
        evaluated.stderr == f"{utf16}: error: invalid JSON: the file is UTF-16; save it as UTF-8\n"
    )


def test_an_action_file_that_is_not_utf8_or_not_a_file(cli, samples, tmp_path):
    event = samples / "events/admin-office.json"
    action = tmp_path / "latin1.py"
    action.write_bytes(b"def on_execute_post_login(event, api):\n    print('caf\xe9')\n")
    result = cli("test", action, "--event", event)
    assert result.exit_code == 2
    assert result.stderr == f"{action}:2: error: not UTF-8 (byte 0xe9); save the file as UTF-8\n"
    directory = cli("test", tmp_path, "--event", event)
    assert directory.exit_code == 2
    assert directory.stderr == f"{tmp_path}: error: is a directory, not a file\n"


def test_an_export_that_is_not_utf8_is_a_located_input_error(cli, tmp_path):
    export = tmp_path / "export.json"
    export.write_bytes(b'[{"type": "s", "user_name": "J\xe9r\xf4me"}]')
    result = cli("import", "auth0-logs", export)
    assert result.exit_code == 2
    assert (
        result.stderr == f"{export}: error: invalid JSON: not UTF-8 (invalid continuation byte)\n"
    )


# paths that cannot be read ------------------------------------------------------------------------


def test_a_directory_is_not_a_file_for_any_command(cli, tenant, samples, tmp_path):
    action = samples.parent / "actions/block_embargoed_countries.py"
    for args in (
        ("replay", tmp_path, "--config", tenant),
        ("evaluate", tmp_path, "--config", tenant),
        ("test", action, "--event", tmp_path),
        ("import", "auth0-logs", tmp_path),
    ):
        result = cli(*args)
        assert result.exit_code == 2, args
        assert result.stderr == f"{tmp_path}: error: is a directory, not a file\n", args


def test_a_missing_file_for_any_command(cli, tenant, samples, tmp_path):
    missing = tmp_path / "missing.json"
    action = samples.parent / "actions/block_embargoed_countries.py"
    for args in (
        ("replay", missing, "--config", tenant),
        ("evaluate", missing, "--config", tenant),
        ("test", action, "--event", missing),
        ("import", "auth0-logs", missing),
    ):
        result = cli(*args)
        assert result.exit_code == 2, args
        assert result.stderr == f"{missing}: error: no such file\n", args


# a reader that goes away --------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["jsonl", "table"])
def test_a_reader_gone_ends_the_replay_quietly_with_141(
    cli, tenant, tmp_path, sample_event, output_format
):
    """As ``| head`` does: nothing on stderr, the status a shell gives any tool SIGPIPE ended."""
    records = [json.dumps(dict(sample_event, id=f"l-{n}")) for n in range(40)]
    path = tmp_path / "logins.jsonl"
    path.write_text("\n".join(records) + "\n")
    read, write = os.pipe()
    os.close(read)
    try:
        result = cli(
            "replay", path, "--config", tenant, "-f", output_format, "-o", f"/proc/self/fd/{write}"
        )
    finally:
        os.close(write)
    assert result.exit_code == 141
    assert result.stderr == ""


def test_replay_into_head_exits_quietly(samples):
    """The real thing, once: ``contextmfa replay ... | head -1`` in a process of its own."""
    command = [
        sys.executable,
        "-m",
        "contextmfa",
        "replay",
        str(samples / "logins.jsonl"),
        "--config",
        str(samples / "tenant.toml"),
        "--format",
        "jsonl",
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        errors = process.stderr.read()
        status = process.wait(timeout=60)
    assert json.loads(first)["login_id"] == "l-0001"
    assert (status, errors) == (141, b"")
