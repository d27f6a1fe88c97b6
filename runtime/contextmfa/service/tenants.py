"""The tenants one ``serve`` process answers for, and everything each needs at run time.

One process serves one tenant config (``--config``) or every ``*.toml`` of a directory
(``--tenants``). Each tenant gets its engine (rebuilt on Action deployments), its factors bound
to its store and delivery providers, its assertion signer and its deployed Action versions.
Tenants whose configs name the same store share one connection pool; every store call carries
the tenant id, so nothing of one tenant is visible through another's keys or tokens.

The API key on ``POST /v1/logins`` identifies the tenant: :meth:`Tenants.by_api_key` compares the
presented key with *every* tenant's key in constant time (SHA-256 digests, ``compare_digest``),
so neither timing nor order tells which tenants exist. ``[service] api_key`` and ``admin_key``
may be written ``env:NAME``; they are read from the environment here, when serving starts.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from contextmfa.cli.store_options import secret_key_from, store_url
from contextmfa.config import TenantConfig, load_config
from contextmfa.delivery import build_delivery
from contextmfa.errors import ConfigError
from contextmfa.factors import FactorServices, FactorSet, FactorSettings, build_factors
from contextmfa.service.assertion import AssertionSigner
from contextmfa.service.deployments import ActionVersions
from contextmfa.service.engines import EngineSlot
from contextmfa.service.readiness import reason_of, shown_url
from contextmfa.service.tokens import MfaTokens
from contextmfa.service.user_locks import UserLocks
from contextmfa.store import Store
from contextmfa.store.errors import StoreUnavailable
from contextmfa.store.keys import MasterKey, load_master_key

__all__ = ["MIN_KEY_CHARS", "Tenant", "Tenants", "config_paths", "load_tenants"]

MIN_KEY_CHARS = 16
"""API and admin keys shorter than this are refused: they are the tenant's only credential."""

_log = logging.getLogger("contextmfa.service")


@dataclass(eq=False)
class Tenant:
    config: TenantConfig
    store: Store
    factors: FactorSet
    signer: AssertionSigner
    engines: EngineSlot
    actions: ActionVersions
    api_key_digest: bytes = field(repr=False)
    admin_key_digest: bytes | None = field(repr=False)
    login_locks: UserLocks = field(default_factory=UserLocks, repr=False)
    """One user's logins run one at a time in this process; other users' never wait."""
    secret_values: tuple[str, ...] = field(default=(), repr=False)
    """The keys and Action secrets: redacted from anything recorded."""

    @property
    def id(self) -> str:
        return self.config.tenant_id


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


class Tenants:
    """The registry: find a tenant by key or id; owns the stores and engines."""

    def __init__(
        self,
        tenants: Sequence[Tenant],
        tokens: MfaTokens,
        stores: Sequence[Store],
        *,
        page_key: bytes,
        settings_key: bytes,
    ) -> None:
        self._by_id = {t.id: t for t in tenants}
        self.tokens = tokens
        self.page_key = page_key
        """Seals the hosted pages' session cookies (``MasterKey.derive("service/pages")``)."""
        self.settings_key = settings_key
        """Signs settings-page tickets (``MasterKey.derive("service/settings-ticket")``)."""
        self._stores = list(stores)

    def __iter__(self) -> Iterator[Tenant]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, tenant_id: str) -> Tenant | None:
        return self._by_id.get(tenant_id) if isinstance(tenant_id, str) else None

    def by_api_key(self, key: str) -> Tenant | None:
        return self._match(key, lambda t: t.api_key_digest)

    def by_admin_key(self, key: str) -> Tenant | None:
        return self._match(key, lambda t: t.admin_key_digest)

    def _match(self, key: str, digest_of: Callable[[Tenant], bytes | None]) -> Tenant | None:
        presented = _digest(key)
        found = None
        for tenant in self._by_id.values():
            expected = digest_of(tenant)
            if expected is not None and hmac.compare_digest(presented, expected):
                found = tenant
        return found

    def close(self) -> None:
        for tenant in self._by_id.values():
            tenant.engines.close()
        for store in self._stores:
            store.close()


def config_paths(config: Path | None, tenants_dir: Path | None) -> list[Path]:
    """The tenant configs to serve: ``--tenants DIR`` (every ``*.toml``) or ``--config``."""
    if config is not None and tenants_dir is not None:
        raise ConfigError("give --config or --tenants, not both")
    if tenants_dir is None:
        return [config if config is not None else Path("tenant.toml")]
    if not tenants_dir.is_dir():
        raise ConfigError(f"{tenants_dir}: error: --tenants must be a directory")
    paths = sorted(p for p in tenants_dir.glob("*.toml") if p.is_file())
    if not paths:
        raise ConfigError(f"{tenants_dir}: error: no *.toml tenant config in this directory")
    return paths


def _key(value: str, what: str, config: TenantConfig, env: Mapping[str, str]) -> str:
    where = f"{config.path}: error: service.{what}"
    if value.startswith("env:"):
        name = value[4:]
        if name not in env:
            raise ConfigError(f"{where}: environment variable {name} is not set")
        value = env[name]
    if len(value) < MIN_KEY_CHARS:
        raise ConfigError(f"{where}: a key needs at least {MIN_KEY_CHARS} characters")
    return value


def _in_memory(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def _url(config: TenantConfig) -> str:
    """The config's store, a relative SQLite path anchored at the config file (as the CLI's)."""
    url = config.service.store
    try:
        if _in_memory(url):
            return url
    except ArgumentError:
        pass  # not a URL at all: store_url says so, naming the file and key
    return store_url(config)


def _state_dir(config: TenantConfig) -> Path:
    return config.base_dir / ".contextmfa" / "actions" / config.tenant_id


class _Opener:
    """Opens each distinct (store URL, Redis URL) once."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._key, self._development = secret_key_from(env)
        self._env = env
        self.master: MasterKey = load_master_key(
            self._key, development=self._development, environ=env
        )
        self.stores: dict[tuple[str, str], Store] = {}

    def store_for(self, config: TenantConfig) -> Store:
        where = (_url(config), config.service.redis)
        if where not in self.stores:
            try:
                self.stores[where] = Store.open(
                    where[0],
                    secret_key=self._key,
                    redis_url=where[1] or None,
                    development=self._development,
                    environ=self._env,
                )
            except (StoreUnavailable, OperationalError) as exc:
                raise _unreachable(config, where, exc) from None
        return self.stores[where]


def _unreachable(config: TenantConfig, where: tuple[str, str], exc: Exception) -> ConfigError:
    """One located line naming the dependency that did not answer, its URL without password."""
    cause = exc.__cause__
    in_redis = cause is not None and type(cause).__module__.split(".")[0] == "redis"
    key, url = ("redis", where[1]) if in_redis else ("store", where[0])
    return ConfigError(
        f"{config.path}: error: service.{key}: cannot reach {shown_url(url)} ({reason_of(exc)})"
    )


def _tenant(config: TenantConfig, opener: _Opener, env: Mapping[str, str]) -> Tenant:
    api_key = _key(config.service.api_key, "api_key", config, env)
    admin = None
    if config.service.admin_key:
        admin = _key(config.service.admin_key, "admin_key", config, env)
    if admin is not None and hmac.compare_digest(_digest(admin), _digest(api_key)):
        raise ConfigError(f"{config.path}: error: service.admin_key must differ from api_key")
    store = opener.store_for(config)
    services = FactorServices.from_store(
        store, build_delivery(config.delivery, store.outbox), FactorSettings.from_config(config)
    )
    versions = ActionVersions(_state_dir(config))
    return Tenant(
        config=config,
        store=store,
        factors=build_factors(services, config.policy.factors),
        signer=AssertionSigner(opener.master, config.tenant_id, config.service.issuer),
        engines=EngineSlot(config, cache=store.action_cache, versions=versions),
        actions=versions,
        api_key_digest=_digest(api_key),
        admin_key_digest=_digest(admin) if admin is not None else None,
        secret_values=(
            api_key,
            *([admin] if admin else []),
            *(v for values in config.secrets.values() for v in values.values()),
        ),
    )


def load_tenants(paths: Sequence[Path], *, environ: Mapping[str, str] | None = None) -> Tenants:
    """Load, check and open every tenant; a ConfigError names the file and key at fault."""
    env = os.environ if environ is None else environ
    configs = [load_config(path, environ=env) for path in paths]
    seen: dict[str, Path] = {}
    for config in configs:
        if config.tenant_id in seen:
            raise ConfigError(
                f"{config.path}: error: tenant.id {config.tenant_id!r} is also served "
                f"from {seen[config.tenant_id]}"
            )
        seen[config.tenant_id] = config.path
    opener = _Opener(env)
    tenants: list[Tenant] = []
    try:
        for config in configs:
            tenants.append(_tenant(config, opener, env))
        digests = [t.api_key_digest for t in tenants]
        if len(set(digests)) != len(digests):
            raise ConfigError("two tenants have the same service.api_key; each needs its own")
    except BaseException:
        for tenant in tenants:
            tenant.engines.close()
        for store in opener.stores.values():
            store.close()
        raise
    key = opener.master.derive("service/mfa-token")
    return Tenants(
        tenants,
        MfaTokens(key),
        list(opener.stores.values()),
        page_key=opener.master.derive("service/pages"),
        settings_key=opener.master.derive("service/settings-ticket"),
    )
