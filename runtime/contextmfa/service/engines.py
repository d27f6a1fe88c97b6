"""A tenant's engine in the service: built once, rebuilt when an Action is deployed or rolled back.

:func:`make_engine` is the one place where ``serve`` decides how Actions run. :class:`EngineSlot`
holds the current engine of a tenant: each login borrows it (:meth:`EngineSlot.use`); when the
tenant's deployments change (:meth:`ActionVersions.stamp`, checked on each borrow: one ``stat``),
the next login builds a new engine from the config with the deployed versions in place, and the
old one is closed once the last login using it is done.

Deployed Actions take the place of the flow's Action of the same name (file stem); Actions
deployed under a new name run after the config's, in the order they were first deployed.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from contextmfa.config import TenantConfig
from contextmfa.engine import Engine
from contextmfa.errors import CompileError, ConfigError
from contextmfa.sandbox import ActionCache
from contextmfa.service.deployments import ActionVersions

__all__ = ["EngineSlot", "deployed_config", "isolation_of", "make_engine"]

_log = logging.getLogger("contextmfa.service")


def isolation_of(config: TenantConfig) -> str:
    """``[sandbox] isolation``; unset means ``process`` for the service (config.py)."""
    return config.sandbox.isolation or "process"


def make_engine(config: TenantConfig, *, cache: ActionCache) -> Engine:
    """The engine ``serve`` evaluates logins with: Actions in confined worker processes unless
    the tenant's ``[sandbox] isolation`` says ``inline``; two workers so that concurrent logins
    of one tenant do not queue behind each other."""
    return Engine(config, cache=cache, isolation=isolation_of(config), workers=2, http_mode="live")


def deployed_config(config: TenantConfig, deployed: Mapping[str, Path]) -> TenantConfig:
    """``config`` with each deployed Action's current file in its flow (see module docstring)."""
    files = [deployed.get(path.stem, path) for path in config.action_files]
    stems = {path.stem for path in config.action_files}
    files.extend(path for name, path in deployed.items() if name not in stems)
    return dataclasses.replace(config, action_files=tuple(files))


@dataclasses.dataclass
class _Live:
    engine: Engine
    users: int = 0
    retired: bool = False


class EngineSlot:
    """The current engine of one tenant, swapped on deployment, closed when unused."""

    def __init__(self, config: TenantConfig, *, cache: ActionCache, versions: ActionVersions):
        self._config = config
        self._cache = cache
        self._versions = versions
        self._lock = threading.Lock()
        self._unreadable = False
        self._stamp = versions.stamp()
        self._live = _Live(self._build())

    def _build(self) -> Engine:
        config = self._config
        if self._stamp is not None:
            config = deployed_config(config, self._versions.current_files())
        return make_engine(config, cache=self._cache)

    def _refresh(self) -> None:
        try:
            stamp = self._versions.stamp()
        except OSError as exc:
            # Unreadable deployments: keep the engine we have rather than drop deployed Actions.
            if not self._unreadable:
                _log.error("tenant %s: deployments unreadable: %s", self._config.tenant_id, exc)
            self._unreadable = True
            return
        self._unreadable = False
        if stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            fresh = self._build()
        except (CompileError, ConfigError, OSError) as exc:
            _log.error(
                "tenant %s: deployed Actions not loaded, keeping the previous engine: %s",
                self._config.tenant_id,
                exc,
            )
            return
        old, self._live = self._live, _Live(fresh)
        old.retired = True
        if old.users == 0:
            old.engine.close()
        _log.info("tenant %s: engine rebuilt with the deployed Actions", self._config.tenant_id)

    @contextmanager
    def use(self) -> Iterator[Engine]:
        """Borrow the current engine for one evaluation."""
        with self._lock:
            self._refresh()
            live = self._live
            live.users += 1
        try:
            yield live.engine
        finally:
            with self._lock:
                live.users -= 1
                if live.retired and live.users == 0:
                    live.engine.close()

    @property
    def config(self) -> TenantConfig:
        """The config the current engine was built from (deployed Actions in place)."""
        return self._live.engine.config

    def close(self) -> None:
        with self._lock:
            self._live.retired = True
            if self._live.users == 0:
                self._live.engine.close()
