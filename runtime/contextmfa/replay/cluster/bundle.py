"""A tenant config shipped to cluster workers as bytes, and rebuilt there once per worker thread.

Workers do not share the client's disk, so the client sends the config itself: ``tenant.toml``
as parsed, every file it names (rule files, Actions, deny lists) and every list file a rule file
names (``list x = file "..."``), each by its place on the client. A worker rebuilds that tree in
a temporary directory, mirrored (``/srv/acme/rules/a.rules`` becomes ``TMP/srv/acme/rules/
a.rules``), so relative references between the files hold; the config's own references are
rewritten relative to the config's place in the mirror, so absolute ones hold too. The values of
the ``env:NAME`` secrets the config uses travel with it (a worker's environment is not the
client's). A worker compiles an Engine from the tree the first time a task needs it and reuses it
for every partition it replays (each partition gets a fresh history). File names are kept, so
rule and Action names, sources and traces read as they do on the client.

GeoIP databases are not shipped (the bundled one is 60 MB): ``default`` is the database each
worker's own contextmfa installs; any other is read on each worker at the absolute path the
client resolves, so it must be present there (a shared volume, or the same image). So is a list
file a rule file names by an absolute path.
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
from contextmfa.errors import Problem
from contextmfa.rules.nodes import FileRef
from contextmfa.rules.parser import parse

__all__ = ["ConfigBundle", "engine_for"]


def _absolute(path: Path) -> Path:
    """``path`` made absolute without following links (``rules/../lists`` as written)."""
    return Path(os.path.normpath(Path(path).absolute()))


def _list_files(rule_file: Path) -> list[Path]:
    """The list files a rule file names, resolved as the rule checker resolves them."""
    tree = parse(rule_file.read_text(encoding="utf-8"), str(rule_file))
    if isinstance(tree, Problem):
        return []
    return [
        rule_file.parent / decl.value.path.value
        for decl in tree.lists
        if isinstance(decl.value, FileRef)
    ]


@dataclass(frozen=True)
class ConfigBundle:
    """What a worker needs to compile the config (see the module docstring)."""

    digest: str
    mapping: dict[str, Any]
    files: dict[str, bytes]
    environ: dict[str, str]
    name: str
    """Where the config file sits in the mirrored tree."""

    @classmethod
    def of(cls, config: TenantConfig) -> ConfigBundle:
        home = _absolute(config.path).parent
        files: dict[str, bytes] = {}

        def ship(path: Path) -> str:
            """Ship ``path``; its name relative to the config, as the mirror has it."""
            where = _absolute(path)
            files[where.as_posix().lstrip("/")] = where.read_bytes()
            return os.path.relpath(where, home)

        raw = tomllib.loads(config.path.read_text(encoding="utf-8"))
        flow = dict(raw.get("flow", {}))
        flow["rules"] = [ship(p) for p in config.rule_files]
        flow["actions"] = [ship(p) for p in config.action_files]
        raw["flow"] = flow
        for path in config.rule_files:
            for listed in _list_files(path):
                if listed.is_file():
                    ship(listed)
        risk = dict(raw.get("risk", {}))
        risk["deny_lists"] = {name: ship(p) for name, p in sorted(config.deny_lists.items())}
        raw["risk"] = risk
        geoip = dict(raw.get("geoip", {}))
        for key in ("city_database", "asn_database"):
            value = geoip.get(key)
            if value and value != DEFAULT:
                geoip[key] = str(_absolute(config.base_dir / value))
        raw["geoip"] = geoip
        environ = _secret_environ(raw.get("secrets", {}))
        digest = hashlib.sha256(json.dumps([raw, sorted(environ)], sort_keys=True).encode())
        for name in sorted(files):
            digest.update(name.encode() + b"\x00" + files[name] + b"\x00")
        where = (home / config.path.name).as_posix().lstrip("/")
        return cls(digest.hexdigest(), raw, files, environ, where)

    def materialize(self) -> TenantConfig:
        """Write the files into a new temporary directory (removed at exit) and load the
        config from there."""
        root = Path(tempfile.mkdtemp(prefix="contextmfa-config-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        for name, data in self.files.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (root / self.name).parent.mkdir(parents=True, exist_ok=True)  # "../" starts there
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
