"""The operating-system layers under the sandbox (process/confine.py), met as an attacker who
already escaped RestrictedPython would meet them: a child is forked, applies the very confine()
a worker applies, then runs unrestricted Python. Every attempt must fail, and the parent must
see the child either die (seccomp kills it: SIGSYS) or report a clean failure.

A child reports over a socket pair made before it is confined (``sendto`` is one of the calls
a worker keeps). Hosts without Landlock are played by a seccomp filter that answers its system
calls with ENOSYS, as an old kernel or a filtering container does.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import mmap
import os
import signal
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from contextmfa.sandbox import InMemoryActionCache, SandboxLimits, compile_action
from contextmfa.sandbox.process import ProcessFlow, SandboxUnavailable, landlock
from contextmfa.sandbox.process.confine import ConfinementUnavailable, Layers, confine, prepare

MEMORY_MB = 64
_libc = ctypes.CDLL(None, use_errno=True)
PTRACE_ATTACH = 16


def in_child(run: Callable[[], bytes]) -> tuple[bytes, int]:
    """Fork; the child runs ``run`` and sends back what it returns, or how it failed.
    Returns the report (b"" when the child died without a word) and its wait status."""
    prepare()  # as the fork server does, before forking
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            ours.close()
            try:
                message = run()
            except BaseException as exc:  # reported to the parent
                message = f"failed {type(exc).__name__} {getattr(exc, 'errno', None)}".encode()
            theirs.sendall(message)
        finally:
            os._exit(0)
    theirs.close()
    ours.settimeout(30)
    try:
        report = ours.recv(4096)
    finally:
        ours.close()
        _, status = os.waitpid(pid, 0)
    return report, status


def confined(attempt: Callable[[], object]) -> Callable[[], bytes]:
    """The worker's confine(), then ``attempt`` as unrestricted Python."""

    def run() -> bytes:
        try:
            confine(MEMORY_MB)
        except ConfinementUnavailable:
            return b"unconfined"
        result = attempt()
        return f"succeeded {result!r}"[:200].encode()

    return run


def assert_stopped(report: bytes, status: int) -> None:
    """Killed by seccomp with nothing said, or a clean failure; never a success."""
    assert report != b"unconfined", "confine() refused on this host"
    assert not report.startswith(b"succeeded"), report
    if report:
        assert report.startswith(b"failed "), report
    else:
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGSYS, status


@contextlib.contextmanager
def usr1_received() -> Iterator[list[int]]:
    """SIGUSR1 as received by this process (the child's parent) while the block runs."""
    received: list[int] = []
    previous = signal.signal(signal.SIGUSR1, lambda number, frame: received.append(number))
    try:
        yield received
    finally:
        signal.signal(signal.SIGUSR1, previous)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.05)
    yield server
    server.close()


def _read(path: str | Path) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def _create(path: Path) -> None:
    with open(path, "x") as file:
        file.write("pwned")


def _checked(result: int) -> int:
    if result == -1:
        number = ctypes.get_errno()
        raise OSError(number, os.strerror(number))
    return result


# -- every layer, as the worker applies them ---------------------------------------------------


def test_a_child_gets_every_layer_on_this_host():
    report, _ = in_child(lambda: confine(MEMORY_MB).to_json())
    layers = Layers.from_json(report)
    assert layers.missing == [], layers
    assert layers.landlock_abi >= 1
    assert layers.describe().startswith("no_new_privs, no capabilities, Landlock ABI ")


ATTEMPTS: dict[str, Callable[[], object]] = {
    "open /etc/passwd": lambda: _read("/etc/passwd"),
    "read /proc/self/environ": lambda: _read("/proc/self/environ"),
    "socket()": lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM),
    "a Unix socket": lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM),
    "execve /bin/sh": lambda: os.execv("/bin/sh", ["sh", "-c", "exit 0"]),
    "fork": lambda: os.fork(),
    "a thread": lambda: __import__("threading").Thread(target=lambda: None).start(),
    "mmap PROT_EXEC": lambda: mmap.mmap(
        -1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC
    ),
    "raise a resource limit": lambda: __import__("resource").setrlimit(
        __import__("resource").RLIMIT_NOFILE, (4096, 4096)
    ),
}


@pytest.mark.parametrize("name", list(ATTEMPTS))
def test_an_escaped_attacker_is_stopped(name):
    assert_stopped(*in_child(confined(ATTEMPTS[name])))


def test_creating_a_file_fails(tmp_path: Path):
    target = tmp_path / "created"
    assert_stopped(*in_child(confined(lambda: _create(target))))
    assert not target.exists()


def test_connecting_to_a_loopback_listener_fails(listener: socket.socket):
    client = socket.socket()  # made before confinement: an attacker cannot even make one
    try:
        address = listener.getsockname()
        assert_stopped(*in_child(confined(lambda: client.connect(address))))
    finally:
        client.close()
    with pytest.raises(TimeoutError):
        listener.accept()


def test_signalling_the_parent_fails():
    parent = os.getpid()
    with usr1_received() as received:
        assert_stopped(*in_child(confined(lambda: os.kill(parent, signal.SIGUSR1))))
    assert received == []


def test_ptrace_attach_to_the_parent_fails():
    parent = os.getpid()
    attach = lambda: _checked(_libc.ptrace(PTRACE_ATTACH, parent, None, None))  # noqa: E731
    assert_stopped(*in_child(confined(attach)))


def test_making_existing_memory_executable_fails():
    page = mmap.mmap(-1, mmap.PAGESIZE)
    address = ctypes.addressof(ctypes.c_char.from_buffer(page))
    protect = lambda: _checked(_libc.mprotect(ctypes.c_void_p(address), mmap.PAGESIZE, 7))  # noqa: E731
    report, status = in_child(confined(protect))
    assert_stopped(report, status)
    assert report == f"failed PermissionError {errno.EPERM}".encode()


def test_what_a_running_worker_does_still_works():
    """The confined child keeps its memory, clock, CPU cap and the socket it was given."""

    def work() -> object:
        import resource
        import time

        data = [str(i) * 10 for i in range(200_000)]  # brk, mmap, mremap
        del data
        resource.setrlimit(resource.RLIMIT_CPU, resource.getrlimit(resource.RLIMIT_CPU))
        return (time.monotonic() > 0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0)

    report, status = in_child(confined(work))
    assert report == b"succeeded (True, True)"
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


# -- Landlock on its own ------------------------------------------------------------------------


def _landlock_only() -> int:
    _libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS, as confine() does first
    return landlock.restrict_self()


def test_landlock_alone_refuses_every_path_and_tcp(tmp_path: Path, listener: socket.socket):
    """Under seccomp a path lookup fails with EPERM; Landlock, beneath it, answers EACCES."""
    target = tmp_path / "created"
    address = listener.getsockname()
    parent = os.getpid()

    def attempts() -> bytes:
        abi = _landlock_only()
        outcomes = []
        for attempt in (
            lambda: _read("/etc/passwd"),
            lambda: _create(target),
            lambda: os.listdir("/"),
            lambda: socket.create_connection(address, timeout=1),
            lambda: os.kill(parent, signal.SIGUSR1),
        ):
            try:
                attempt()
                outcomes.append("succeeded")
            except OSError as exc:
                outcomes.append(errno.errorcode[exc.errno])
        return f"{abi} {' '.join(outcomes)}".encode()

    with usr1_received() as received:
        report, _ = in_child(attempts)
    abi, *outcomes = report.decode().split()
    assert outcomes[:3] == ["EACCES"] * 3, report
    if int(abi) >= 4:
        assert outcomes[3] == "EACCES", report
    if int(abi) >= 6:
        assert outcomes[4] == "EPERM" and received == [], report
    assert not target.exists()


def test_landlock_handles_every_right_of_each_abi():
    assert landlock.handled_rights(1) == ((1 << 13) - 1, 0, 0)
    assert landlock.handled_rights(3) == ((1 << 15) - 1, 0, 0)
    assert landlock.handled_rights(6) == ((1 << 16) - 1, 3, 3)
    assert landlock.handled_rights(99) == landlock.handled_rights(landlock.KNOWN_ABI)


# -- a host without Landlock ---------------------------------------------------------------------


def _without_landlock() -> None:
    """Play a kernel without Landlock: its system calls answer ENOSYS from here on."""
    import pyseccomp as seccomp

    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    for name in ("landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self"):
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), name)
    rules.load()


def test_required_refuses_a_host_without_landlock():
    def run() -> bytes:
        _without_landlock()
        try:
            confine(MEMORY_MB, "required")
        except ConfinementUnavailable as exc:
            return b"refused " + exc.to_json()
        return b"confined"

    report, _ = in_child(run)
    assert report == b'refused ["Landlock"]'  # and nothing more is applied


def test_best_effort_applies_the_other_layers_and_says_what_is_missing():
    def run() -> bytes:
        _without_landlock()
        return confine(MEMORY_MB, "best-effort").to_json()

    layers = Layers.from_json(in_child(run)[0])
    assert layers == Layers(True, True, 0, True)
    assert layers.missing == ["Landlock"]


COUNTER = "def on_execute_post_login(event, api):\n    print('ran')\n"


def _flow_report(confinement: str) -> bytes:
    _without_landlock()  # inherited by the fork server and its workers
    action = compile_action(COUNTER, "/tenant/actions/counter.py")
    options = dict(secrets_for=lambda _: {}, cache=InMemoryActionCache(), on_error="deny")
    try:
        flow = ProcessFlow([action], limits=SandboxLimits(), confinement=confinement, **options)
    except SandboxUnavailable as exc:
        return f"unavailable: {exc}".encode()
    try:
        from datetime import UTC, datetime

        event = {"user": {"user_id": "u"}, "request": {"ip": "10.0.0.1"}}
        outcome = flow.run(event, now=datetime(2026, 3, 14, tzinfo=UTC), tenant_id="acme")
        return f"{flow.layers.describe()} | {outcome.logs} {outcome.errors}".encode()
    finally:
        flow.close()


def test_a_required_flow_does_not_start_on_a_host_without_landlock():
    report, _ = in_child(lambda: _flow_report("required"))
    assert report.decode() == (
        "unavailable: Action sandbox workers refuse to start: Landlock not available on this "
        'host, and [sandbox] confinement is "required" (set it to "best-effort" to run '
        "Actions with what the host offers)"
    )


def test_a_best_effort_flow_runs_without_landlock():
    report, _ = in_child(lambda: _flow_report("best-effort"))
    assert report.decode() == (
        "no_new_privs, no capabilities, seccomp | [{'action': 'counter', 'line': 'ran'}] []"
    )


def test_confinement_holds_in_a_process_with_many_descriptors_open():
    """Landlock's ruleset is a new descriptor: made before RLIMIT_NOFILE is lowered, it cannot
    be refused because the process already holds more descriptors than the limit."""
    pipes = [os.pipe() for _ in range(20)]
    try:
        report, _ = in_child(confined(lambda: "confined"))
    finally:
        for read, write in pipes:
            os.close(read)
            os.close(write)
    assert report == b"succeeded 'confined'"
