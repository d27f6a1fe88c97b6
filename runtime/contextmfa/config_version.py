"""The version of a tenant config: one short digest of everything that decides a login.

A recorded login carries the version of the config that decided it, so a tester can tell which
recorded decisions a replay should reproduce. The digest covers the bytes of ``tenant.toml``, of
every rule file, Action (the deployed version, when the service runs one) and deny list, each
under the name it has in the config, in order. GeoIP databases (60 MB for the bundled one) count
by path, size and modification time: reading them whole would cost the first login after every
start and deployment about 80 ms. Secret *values* are not part of it (they live in the
environment; ``env:NAME`` spellings are): the version never leaks a secret.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from contextmfa.config import TenantConfig
from contextmfa.enrich.geoip import DEFAULT, bundled_city_database

__all__ = ["config_version"]

_CHUNK = 1 << 20


def config_version(config: TenantConfig) -> str:
    """``cfg-`` and 16 hex digits of a SHA-256 over the config's files (module docstring)."""
    digest = hashlib.sha256()

    def add(label: str, path: Path) -> None:
        digest.update(label.encode() + b"\x00")
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        digest.update(b"\x00")

    def identify(label: str, path: Path) -> None:
        stat = path.stat()
        digest.update(
            f"{label}\x00{path.resolve()}\x00{stat.st_size}\x00{stat.st_mtime_ns}\x00".encode()
        )

    add("tenant.toml", config.path)
    for path in config.rule_files:
        add(f"rule:{path.name}", path)
    for path in config.action_files:
        add(f"action:{path.stem}", path)
    for name, path in sorted(config.deny_lists.items()):
        add(f"list:{name}", path)
    for label, value in (
        ("geoip.city", config.geoip.city_database),
        ("geoip.asn", config.geoip.asn_database),
    ):
        if value == DEFAULT and label == "geoip.city":
            identify(label, bundled_city_database())
        elif value:
            identify(label, config.base_dir / value)
    return "cfg-" + digest.hexdigest()[:16]
