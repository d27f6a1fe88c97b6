"""What a worker does to itself once forked, before it reads its first login: the operating
system's layers under the sandbox's own, so that an escape from RestrictedPython reaches nothing.

In order, each one for good (nothing the worker does later can undo it):

1. ``no_new_privs``: nothing the worker could ever execute gains privileges (setuid, file
   capabilities); the kernel requires it before an unprivileged process may use 2 and 4. The
   worker also clears its capability sets, so a service started as root runs its Actions with
   no privilege at all (root's exemptions from limits such as RLIMIT_NPROC go with them).
2. Landlock (landlock.py): no filesystem access at all, no TCP, no signal or abstract socket
   outside the worker; what it needs was opened before (its socket, its board). Its ruleset is
   a new descriptor, so it comes before the descriptor limit.
3. Resource limits (rlimits.py): memory, CPU, no file written, a handful of descriptors.
4. seccomp (syscall_filter.py): only the dozen system calls a running worker makes; anything
   else (``socket``, ``execve``, ``fork``, ``ptrace``, ``kill``...) kills it.

``confinement = "required"`` (the default) refuses to run Actions in a worker that did not get
every layer: :class:`ConfinementUnavailable`, which the worker reports instead of ``ready``.
``"best-effort"`` applies what the host offers and says what it lacks (an old kernel, a
container that filters Landlock). :func:`probe` tells ``contextmfa check`` what a worker would
get here, by confining a throwaway child.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import socket
from dataclasses import asdict, dataclass
from typing import Literal

from contextmfa.sandbox.process import landlock, syscall_filter
from contextmfa.sandbox.process.rlimits import (
    CpuCap,
    address_space_bytes,
    peak_memory_bytes,
    set_limits,
)

__all__ = [
    "ConfinementUnavailable",
    "CpuCap",
    "Layers",
    "Mode",
    "confine",
    "peak_memory_bytes",
    "prepare",
    "probe",
]

Mode = Literal["required", "best-effort"]
PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS = 38, 39
_LINUX_CAPABILITY_VERSION_3 = 0x20080522


@dataclass(frozen=True)
class Layers:
    """The operating-system layers a worker is confined by."""

    no_new_privs: bool = False
    capabilities_dropped: bool = False
    landlock_abi: int = 0
    """The Landlock ABI enforced (0: none)."""
    seccomp: bool = False

    @property
    def missing(self) -> list[str]:
        names = {
            "no_new_privs": self.no_new_privs,
            "capabilities dropped": self.capabilities_dropped,
            "Landlock": self.landlock_abi > 0,
            "seccomp": self.seccomp,
        }
        return [name for name, present in names.items() if not present]

    def describe(self) -> str:
        """``no_new_privs, no capabilities, Landlock ABI 7, seccomp`` (what is active)."""
        active = [
            "no_new_privs" if self.no_new_privs else "",
            "no capabilities" if self.capabilities_dropped else "",
            f"Landlock ABI {self.landlock_abi}" if self.landlock_abi else "",
            "seccomp" if self.seccomp else "",
        ]
        return ", ".join(name for name in active if name) or "none"

    def to_json(self) -> bytes:
        return json.dumps(asdict(self)).encode("ascii")

    @classmethod
    def from_json(cls, raw: bytes) -> Layers:
        """Read a worker's report; anything malformed is ValueError."""
        data = json.loads(raw)
        if type(data) is not dict or set(data) != set(cls.__dataclass_fields__):
            raise ValueError("malformed layers")
        abi = data["landlock_abi"]
        flags = [data[k] for k in ("no_new_privs", "capabilities_dropped", "seccomp")]
        if type(abi) is not int or not 0 <= abi < 1000 or any(type(f) is not bool for f in flags):
            raise ValueError("malformed layers")
        return cls(**data)


class ConfinementUnavailable(Exception):
    """Layers ``confinement = "required"`` asks for are not available on this host."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing

    def to_json(self) -> bytes:
        return json.dumps(self.missing).encode("ascii")

    @classmethod
    def from_json(cls, raw: bytes) -> ConfinementUnavailable:
        """Read a worker's refusal; anything malformed is ValueError."""
        missing = json.loads(raw)
        known = set(Layers().missing)
        if type(missing) is not list or not missing or not set(missing) <= known:
            raise ValueError("malformed refusal")
        return cls(missing)


_libc = ctypes.CDLL(None, use_errno=True)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _no_new_privs() -> bool:
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    return bool(_libc.prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)


def _drop_capabilities() -> bool:
    """Empty the effective, permitted and inheritable sets (ambient ones follow)."""
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    return bool(_libc.capset(ctypes.byref(header), data) == 0)


def prepare() -> None:
    """What a worker needs for confinement, done once before forking: building the seccomp
    filter (libseccomp, and finding it, would otherwise cost each worker a few milliseconds).
    A missing libseccomp is reported by :func:`confine`, not here."""
    with contextlib.suppress(syscall_filter.SeccompUnavailable):
        syscall_filter.prepared()


def confine(memory_mb: int, mode: Mode = "required") -> Layers:
    """Apply every layer in the module docstring's order to the calling process; the layers in
    force. With ``mode="required"``, ConfinementUnavailable (naming what the host lacks)
    before seccomp if an earlier layer is missing, or if seccomp itself is: the caller must
    then exit without running anything."""
    size = address_space_bytes()  # from /proc, which Landlock closes
    no_new_privs = _no_new_privs()
    dropped = _drop_capabilities()
    try:  # before the limits: the ruleset is a new descriptor, which RLIMIT_NOFILE may forbid
        abi = landlock.restrict_self() if no_new_privs else 0
    except OSError:
        abi = 0
    set_limits(memory_mb, size)
    layers = Layers(no_new_privs, dropped, abi, False)
    missing = [name for name in layers.missing if name != "seccomp"]
    if mode == "required" and missing:
        raise ConfinementUnavailable(missing)
    try:
        syscall_filter.load()
    except syscall_filter.SeccompUnavailable:
        if mode == "required":
            raise ConfinementUnavailable(["seccomp"]) from None
        return layers
    return Layers(no_new_privs, dropped, abi, True)


def probe(memory_mb: int = 64) -> Layers:
    """The layers a worker gets on this host: a child is forked, confined best-effort, and
    reports back over a socket (``sendto`` is among the calls it keeps)."""
    prepare()
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            ours.close()
            layers = confine(memory_mb, "best-effort")
            theirs.sendall(layers.to_json())
        finally:
            os._exit(0)
    theirs.close()
    try:
        ours.settimeout(10)
        raw = ours.recv(4096)
    except OSError:
        raw = b""
    finally:
        ours.close()
        os.waitpid(pid, 0)
    try:
        return Layers.from_json(raw)
    except ValueError:
        return Layers()
