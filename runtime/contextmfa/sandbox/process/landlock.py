"""Landlock: a worker takes away its own access to every file, TCP port, signal and socket name.

Landlock (Linux 5.13+) lets an unprivileged process restrict itself, for good: a ruleset names
the access rights it *handles*, rules grant some of them back beneath given paths or ports, and
``landlock_restrict_self`` enforces it on the process and everything it would start. A worker
handles every right its kernel's ABI knows and adds no rule, so it keeps only the descriptors it
already holds (its socket and its result board, opened before): no path can be opened, created,
removed, renamed, linked, truncated or executed, no TCP port bound or connected (ABI 4), no
signal sent and no abstract Unix socket reached outside its own domain (ABI 6).

The system calls are made through ``ctypes`` (they have the same numbers on every architecture
Linux added them to after 5.x); the kernel is asked which ABI it speaks first, and a kernel
without Landlock (or a container that filters it) answers ``ENOSYS`` or ``EOPNOTSUPP``: then
:func:`abi` is 0 and the caller decides whether that is acceptable.
"""

from __future__ import annotations

import ctypes
import os

__all__ = ["KNOWN_ABI", "abi", "handled_rights", "restrict_self"]

SYS_CREATE_RULESET, SYS_RESTRICT_SELF = 444, 446
CREATE_RULESET_VERSION = 1 << 0

KNOWN_ABI = 7
"""The newest ABI whose rights are listed here; a newer kernel is used at this level."""

_FS_RIGHTS_BY_ABI = {
    1: (1 << 13) - 1,  # execute, write/read file, read dir, remove dir/file, make char/dir/reg/
    # sock/fifo/block/sym
    2: 1 << 13,  # refer: link or rename a file into another directory
    3: 1 << 14,  # truncate
    5: 1 << 15,  # ioctl on device files
}
_NET_RIGHTS_BY_ABI = {4: (1 << 0) | (1 << 1)}  # bind and connect TCP ports
_SCOPES_BY_ABI = {6: (1 << 0) | (1 << 1)}  # abstract Unix sockets, signals outside the domain


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


_libc = ctypes.CDLL(None, use_errno=True)
_syscall = _libc.syscall
_syscall.restype = ctypes.c_long


def abi() -> int:
    """The Landlock ABI version the running kernel enforces (0: none)."""
    version = _syscall(
        ctypes.c_long(SYS_CREATE_RULESET),
        None,
        ctypes.c_size_t(0),
        ctypes.c_uint32(CREATE_RULESET_VERSION),
    )
    return max(int(version), 0)


def _rights(table: dict[int, int], version: int) -> int:
    rights = 0
    for since, bits in table.items():
        if version >= since:
            rights |= bits
    return rights


def handled_rights(version: int) -> tuple[int, int, int]:
    """Every filesystem right, network right and scope that ABI ``version`` knows."""
    version = min(version, KNOWN_ABI)
    return (
        _rights(_FS_RIGHTS_BY_ABI, version),
        _rights(_NET_RIGHTS_BY_ABI, version),
        _rights(_SCOPES_BY_ABI, version),
    )


def _size_for(version: int) -> int:
    """The ruleset attribute as the kernel of ``version`` knows it (older ones refuse more)."""
    if version >= 6:
        return ctypes.sizeof(_RulesetAttr)
    if version >= 4:
        return 16
    return 8


def restrict_self() -> int:
    """Enforce a ruleset that handles every known right and grants none; the ABI used.

    Needs ``no_new_privs`` (or CAP_SYS_ADMIN). OSError when the kernel has no Landlock or
    refuses; nothing is enforced then."""
    version = abi()
    if version < 1:
        raise OSError(ctypes.get_errno() or 38, "Landlock is not available")
    fs, net, scoped = handled_rights(version)
    attr = _RulesetAttr(fs, net, scoped)
    fd = _syscall(
        ctypes.c_long(SYS_CREATE_RULESET),
        ctypes.byref(attr),
        ctypes.c_size_t(_size_for(version)),
        ctypes.c_uint32(0),
    )
    if fd < 0:
        number = ctypes.get_errno()
        raise OSError(number, f"landlock_create_ruleset: {os.strerror(number)}")
    try:
        if _syscall(ctypes.c_long(SYS_RESTRICT_SELF), ctypes.c_int(fd), ctypes.c_uint32(0)) < 0:
            number = ctypes.get_errno()
            raise OSError(number, f"landlock_restrict_self: {os.strerror(number)}")
    finally:
        os.close(fd)
    return min(version, KNOWN_ABI)
