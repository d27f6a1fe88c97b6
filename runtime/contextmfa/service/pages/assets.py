"""The pages' static files (CSS, scripts, icon), read once at import from ``pages/static/``.

:mod:`.files` serves them at ``/u/static/<name>`` by looking the name up in :data:`ASSETS`, never
by joining it to a path. :func:`static_url` adds a digest of the content (``?v=...``) so the files
can be cached for long and still change with a release.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources

__all__ = ["ASSETS", "CACHE", "STATIC_PREFIX", "Asset", "static_url"]

STATIC_PREFIX = "/u/static"
_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
}
CACHE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    version: str


def _load() -> dict[str, Asset]:
    found: dict[str, Asset] = {}
    for entry in resources.files(__package__).joinpath("static").iterdir():
        suffix = "." + entry.name.rpartition(".")[2]
        if entry.is_file() and suffix in _TYPES:
            body = entry.read_bytes()
            version = hashlib.sha256(body).hexdigest()[:12]
            found[entry.name] = Asset(body, _TYPES[suffix], version)
    return found


ASSETS = _load()


def static_url(name: str) -> str:
    """The URL of a shipped static file; a missing one is a bug in a template."""
    asset = ASSETS[name]
    return f"{STATIC_PREFIX}/{name}?v={asset.version}"
