"""Opening the tenant's store from the command line: which database, which key, which tenant.

The store commands (``outbox``, ``authenticators``, ``remember-browser``) take the tenant id and
the store URL from the tenant config, so they read and write exactly what ``contextmfa serve``
does for that tenant. A relative ``sqlite:///`` path in the config is relative to the config
file (like every path in it); one given with ``--store`` is relative to the current directory
(like every path typed on a command line).

The key comes from ``CONTEXTMFA_SECRET_KEY`` only; the fixed development key is used only when
the environment says ``CONTEXTMFA_DEVELOPMENT=1``, never as a silent fallback.

``[service] redis`` is not connected: everything these commands touch (authenticators, remember
tokens, outbox, audit) lives in SQL, so Redis would only add a way to fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from contextmfa.config import TenantConfig, load_config
from contextmfa.errors import ConfigError, InputError
from contextmfa.store import Store
from contextmfa.store.keys import ENV_VAR

__all__ = [
    "DEVELOPMENT_ENV_VAR",
    "FormatOption",
    "ListFormat",
    "StoreOption",
    "TenantStore",
    "check_user_id",
    "iso_time",
    "open_store",
    "open_tenant_store",
    "secret_key_from",
    "store_url",
]

DEVELOPMENT_ENV_VAR = "CONTEXTMFA_DEVELOPMENT"
MAX_IDENT = 255
"""User ids and authenticator names: the store's limit (PostgreSQL enforces it)."""

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="URL",
        help=(
            "The store to open. Default: the config's [service] store, where a relative "
            "sqlite:///path.db is relative to the config file's directory (sqlite:////abs/path.db "
            "is absolute). Given here, a relative path is relative to the current directory; "
            "postgresql+psycopg://user@host/db works too. The key is read from "
            "CONTEXTMFA_SECRET_KEY (`contextmfa keygen` makes one); CONTEXTMFA_DEVELOPMENT=1 "
            "uses the public development key instead."
        ),
        show_default=False,
    ),
]


class ListFormat(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[
    ListFormat,
    typer.Option("--format", "-f", help="table for people; json for scripts."),
]


@dataclass(frozen=True)
class TenantStore:
    """A loaded tenant config and its open store; every store call passes ``tenant_id``."""

    tenant: TenantConfig
    store: Store

    @property
    def tenant_id(self) -> str:
        return self.tenant.tenant_id


def store_url(tenant: TenantConfig, override: str | None = None) -> str:
    """The store URL to open, a relative SQLite path anchored where the spec says.

    A store in memory is refused: nothing written to it would outlast the command.
    """
    if override is not None:
        return _anchored(override, Path.cwd(), "--store")
    where = f"{tenant.path}: error: service.store"
    return _anchored(tenant.service.store, tenant.base_dir, where)


def _anchored(url: str, base: Path, where: str) -> str:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(f"{where}: not a database URL") from None
    if parsed.get_backend_name() != "sqlite":
        return url
    database = parsed.database or ""
    if database in ("", ":memory:"):
        raise ConfigError(
            f"{where}: the store is in memory (sqlite://), so nothing would outlast this "
            "command; use a database file (sqlite:///contextmfa.db) or server"
        )
    if database.startswith("file:"):
        return url
    path = Path(database)
    if not path.is_absolute():
        path = base.resolve() / path
    return parsed.set(database=str(path)).render_as_string(hide_password=False)


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or (parsed.database or "").startswith("file:"):
        return None
    return Path(parsed.database or "")


def secret_key_from(environ: Mapping[str, str]) -> tuple[str | None, bool]:
    """``(key, development)`` from the environment, or a ConfigError saying what to set."""
    key = environ.get(ENV_VAR, "")
    if key:
        return key, False
    if environ.get(DEVELOPMENT_ENV_VAR) == "1":
        return None, True
    raise ConfigError(
        f"{ENV_VAR} is not set: the store encrypts secrets with it (create one with "
        f"`contextmfa keygen` and export it; for a throwaway development store only, "
        f"set {DEVELOPMENT_ENV_VAR}=1 to use the public development key)"
    )


@contextmanager
def open_tenant_store(
    config: Path | None,
    override: str | None = None,
    *,
    create: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Iterator[TenantStore]:
    """Load the config and open its store (see :func:`open_store`); closed on exit."""
    tenant = load_config(config)
    with open_store(tenant, override, create=create, environ=environ) as opened:
        yield opened


@contextmanager
def open_store(
    tenant: TenantConfig,
    override: str | None = None,
    *,
    create: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Iterator[TenantStore]:
    """Open the tenant's store (migrating it to the newest schema); closed on exit.

    Without ``create``, a SQLite file that does not exist is an error rather than a new, empty
    store: a mistyped path must not look like a tenant with no data.
    """
    env = os.environ if environ is None else environ
    url = store_url(tenant, override)
    key, development = secret_key_from(env)
    database = _sqlite_file(url)
    if not create and database is not None and not database.is_file():
        raise ConfigError(
            f"{database}: error: the store database does not exist "
            "(`contextmfa serve` or `contextmfa authenticators add` creates it)"
        )
    store = Store.open(url, secret_key=key, development=development, environ=env)
    try:
        yield TenantStore(tenant, store)
    finally:
        store.close()


def check_user_id(user_id: str) -> str:
    """USER_ID as given (ids are exact), refused when empty or longer than the store keeps."""
    if not user_id:
        raise InputError("USER_ID must not be empty")
    if len(user_id) > MAX_IDENT:
        raise InputError(f"USER_ID is longer than {MAX_IDENT} characters")
    return user_id


def iso_time(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC to the second (``2026-11-27T10:00:00Z``), or None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
