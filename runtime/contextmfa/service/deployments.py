"""Deployed Actions: immutable versions kept as files beside the tenant config.

The store has no table for Action sources, and an Action is configuration (like the rule files
and the Actions that ``tenant.toml`` names), so deployments live next to the config::

    <config dir>/.contextmfa/actions/<tenant id>/
        manifest.json                   which version of each Action is current, and every version
        <name>/v0001/<name>.py          one file per version, written once (O_EXCL, then read-only)
        .lock                           held (flock) while deploying or rolling back

Each version file keeps the Action's name as its stem, so sources, logs and errors say
``action:<name>`` whatever the version. ``manifest.json`` is replaced atomically (write, fsync,
rename): readers see the old or the new one, never half. Several workers on one host (or on
hosts sharing the config directory) see a deployment at their next login, by the manifest's
modification stamp (:meth:`ActionVersions.stamp`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from contextmfa.errors import InputError

__all__ = ["ACTION_NAME", "MAX_SOURCE_BYTES", "ActionVersions", "VersionInfo"]

ACTION_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
MAX_SOURCE_BYTES = 256 * 1024
_NAME = re.compile(ACTION_NAME)


@dataclass(frozen=True, slots=True)
class VersionInfo:
    name: str
    version: int
    created_at: str
    sha256: str
    current: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "created_at": self.created_at,
            "sha256": self.sha256,
            "current": self.current,
        }


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InputError("an Action name is 1-64 letters, digits, '_' or '-'")
    return name


class ActionVersions:
    """One tenant's deployed Actions under ``root``; see the module docstring."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._manifest = root / "manifest.json"

    def __repr__(self) -> str:
        return f"ActionVersions({str(self.root)!r})"

    # Reading ------------------------------------------------------------------------------

    def stamp(self) -> tuple[int, int] | None:
        """Changes whenever a deployment or rollback is saved (None: nothing deployed yet)."""
        try:
            found = self._manifest.stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return found.st_mtime_ns, found.st_ino

    def current_files(self) -> dict[str, Path]:
        """Each deployed Action's current version file, in first-deployment order."""
        manifest = self._read()
        return {
            name: self._file(name, manifest["actions"][name]["current"])
            for name in manifest["order"]
        }

    def versions(self, name: str) -> list[VersionInfo]:
        entry = self._read()["actions"].get(check_name(name))
        if entry is None:
            return []
        return [self._info(name, entry, v) for v in entry["versions"]]

    def current(self, name: str) -> tuple[VersionInfo, str] | None:
        entry = self._read()["actions"].get(check_name(name))
        if entry is None:
            return None
        return self.version(name, entry["current"])

    def version(self, name: str, version: int) -> tuple[VersionInfo, str] | None:
        entry = self._read()["actions"].get(check_name(name))
        found = [v for v in entry["versions"] if v["version"] == version] if entry else []
        if not entry or not found:
            return None
        source = self._file(name, version).read_text(encoding="utf-8")
        return self._info(name, entry, found[0]), source

    # Writing ------------------------------------------------------------------------------

    def deploy(self, name: str, source: str, *, now: datetime) -> tuple[VersionInfo, bool]:
        """Save ``source`` (already compiled by the caller) as the new current version.

        Returns the version and whether it is new: deploying the current source again is a no-op.
        """
        check_name(name)
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
        with self._locked():
            manifest = self._read()
            entry = manifest["actions"].get(name)
            if entry is not None:
                current = next(v for v in entry["versions"] if v["version"] == entry["current"])
                if current["sha256"] == digest:
                    return self._info(name, entry, current), False
            number = 1 + max((v["version"] for v in entry["versions"]), default=0) if entry else 1
            self._write_version(name, number, source)
            record = {"version": number, "created_at": _iso(now), "sha256": digest}
            if entry is None:
                entry = manifest["actions"][name] = {"current": number, "versions": []}
                manifest["order"].append(name)
            entry["versions"].append(record)
            entry["current"] = number
            self._save(manifest)
            return self._info(name, entry, record), True

    def rollback(self, name: str, version: int | None) -> VersionInfo | None:
        """Make ``version`` (default: the one below the current) current; None if no such one."""
        check_name(name)
        with self._locked():
            manifest = self._read()
            entry = manifest["actions"].get(name)
            if entry is None:
                return None
            numbers = [v["version"] for v in entry["versions"]]
            if version is None:
                older = [n for n in numbers if n < entry["current"]]
                version = max(older) if older else None
            if version is None or version not in numbers:
                return None
            entry["current"] = version
            self._save(manifest)
            record = next(v for v in entry["versions"] if v["version"] == version)
            return self._info(name, entry, record)

    # Files --------------------------------------------------------------------------------

    def _file(self, name: str, version: int) -> Path:
        return self.root / name / f"v{version:04d}" / f"{name}.py"

    def _write_version(self, name: str, version: int, source: str) -> None:
        path = self._file(name, version)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(source)
            handle.flush()
            os.fsync(handle.fileno())
        path.chmod(0o444)

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self._manifest.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"actions": {}, "order": []}
        return data if isinstance(data, dict) else {"actions": {}, "order": []}

    def _save(self, manifest: dict[str, Any]) -> None:
        temporary = self._manifest.with_suffix(".tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(manifest, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self._manifest)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @staticmethod
    def _info(name: str, entry: dict[str, Any], record: dict[str, Any]) -> VersionInfo:
        return VersionInfo(
            name=name,
            version=int(record["version"]),
            created_at=str(record["created_at"]),
            sha256=str(record["sha256"]),
            current=record["version"] == entry["current"],
        )


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
