"""A tenant config shipped to cluster workers as bytes, and rebuilt there once per worker thread.

Workers do not share the client's disk, so the client sends the config itself: every file of the
config's directory (sub-directories included, hidden ones and files over ``MAX_FILE_BYTES``
left out), so rule files find the list files they name relative to themselves, plus each file
the config names outside that directory (Actions in ``../actions``, an absolute path), renamed
into the shipped tree; and the values of the ``env:NAME`` secrets it uses (a worker's own
environment is not the client's). A worker writes the tree into a temporary directory and
compiles an Engine from it the first time a task needs it, then reuses it for every partition it
replays (each partition gets a fresh history). File *names* are kept, so rule and Action names,
sources and traces read exactly as they do on the client.

GeoIP databases: ``default`` is the database each worker's own contextmfa installs; one inside
the config's directory ships with it when it is small (a test database); any other is read on
each worker at the absolute path the client resolves, so it must be present there (a shared
volume, or the same image).
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import tempfile
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contextmfa.config import TenantConfig, config_from_mapping
from contextmfa.engine import Engine
from contextmfa.enrich.geoip import DEFAULT

__all__ = ["ConfigBundle", "engine_for"]

SHIPPED = ".shipped"
"""Where files the config names outside its directory go in the shipped tree (a hidden name:
never one of the directory's own files)."""
MAX_FILE_BYTES = 8 << 20
"""Files of the config's directory larger than this (recorded logins, a full GeoIP database)
are not shipped."""


def _directory(base: Path) -> dict[str, bytes]:
    """The config directory's files, by relative path (see the module docstring)."""
    files: dict[str, bytes] = {}
    for path in sorted(base.rglob("*")):
        relative = path.relative_to(base)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if path.stat().st_size <= MAX_FILE_BYTES:
            files[relative.as_posix()] = path.read_bytes()
    return files


@dataclass(frozen=True)
class ConfigBundle:
    """What a worker needs to compile the config (see the module docstring)."""

    digest: str
    mapping: dict[str, Any]
    files: dict[str, bytes]
    environ: dict[str, str]
    name: str
    """The config file's name (``tenant.toml``)."""

    @classmethod
    def of(cls, config: TenantConfig) -> ConfigBundle:
        base = config.base_dir.resolve()
        files = _directory(base)
        raw = tomllib.loads(config.path.read_text(encoding="utf-8"))

        def ship(kind: str, index: int, path: Path) -> str:
            path = path.resolve()
            if path.is_relative_to(base) and path.relative_to(base).as_posix() in files:
                return path.relative_to(base).as_posix()
            name = f"{SHIPPED}/{kind}/{index}/{path.name}"
            files[name] = path.read_bytes()
            return name

        flow = dict(raw.get("flow", {}))
        flow["rules"] = [ship("rules", i, p) for i, p in enumerate(config.rule_files)]
        flow["actions"] = [ship("actions", i, p) for i, p in enumerate(config.action_files)]
        raw["flow"] = flow
        risk = dict(raw.get("risk", {}))
        lists = sorted(config.deny_lists.items())
        risk["deny_lists"] = {name: ship("lists", i, p) for i, (name, p) in enumerate(lists)}
        raw["risk"] = risk
        geoip = dict(raw.get("geoip", {}))
        for key in ("city_database", "asn_database"):
            value = geoip.get(key)
            if value and value != DEFAULT:
                path = (base / value).resolve()
                inside = path.is_relative_to(base) and path.relative_to(base).as_posix() in files
                geoip[key] = path.relative_to(base).as_posix() if inside else str(path)
        raw["geoip"] = geoip
        environ = _secret_environ(raw.get("secrets", {}))
        digest = hashlib.sha256(json.dumps([raw, sorted(environ)], sort_keys=True).encode())
        for name in sorted(files):
            digest.update(name.encode() + b"\x00" + files[name] + b"\x00")
        return cls(digest.hexdigest(), raw, files, environ, config.path.name)

    def materialize(self) -> TenantConfig:
        """Write the files into a new temporary directory (removed at exit) and load the
        config from there."""
        root = Path(tempfile.mkdtemp(prefix="contextmfa-config-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        for name, data in self.files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return config_from_mapping(self.mapping, root / self.name, environ=self.environ)


def _secret_environ(secrets: Any) -> dict[str, str]:
    """The environment variables the config's ``env:NAME`` secrets read (checked on the client
    by ``load_config``, so each is set)."""
    names = {
        value[4:]
        for values in (secrets.values() if isinstance(secrets, dict) else ())
        if isinstance(values, dict)
        for value in values.values()
        if isinstance(value, str) and value.startswith("env:")
    }
    return {name: os.environ[name] for name in sorted(names) if name in os.environ}


_engines: dict[tuple[str, str, int], Engine] = {}
_lock = threading.Lock()


def engine_for(bundle: ConfigBundle, http_mode: str) -> Engine:
    """This worker thread's Engine for the bundle, compiled on first use. One per thread:
    an Engine's Action runtime is not shared between threads. ``http_mode`` says who answers
    the Actions' ``fetch`` calls, as ``replay --http`` does."""
    key = (bundle.digest, http_mode, threading.get_ident())
    with _lock:
        engine = _engines.get(key)
    if engine is None:
        mode: Any = http_mode
        engine = Engine(bundle.materialize(), http_mode=mode)
        with _lock:
            _engines[key] = engine
    return engine
