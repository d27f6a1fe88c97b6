"""The tenant config, ``tenant.toml``: every key with its default; errors name key and file.

Paths in the file are relative to the file. Secret values may be written ``env:NAME`` to read the
environment; they are resolved at load time and never appear in a repr or an error message.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from contextmfa.delivery.settings import DeliverySection
from contextmfa.directives import FACTORS
from contextmfa.errors import ConfigError

__all__ = ["DEFAULT_CONFIG", "TenantConfig", "config_from_mapping", "load_config"]

DEFAULT_CONFIG = Path("tenant.toml")
DEFAULT_FACTORS = tuple(f for f in FACTORS if f != "duo")
"""Duo needs credentials of its own, so it is the one factor not enabled by default."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TenantSection(_Section):
    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class PolicySection(_Section):
    mfa: Literal["never", "adaptive", "always"] = "adaptive"
    factors: tuple[Literal[FACTORS], ...] = Field(  # type: ignore[valid-type]
        default=DEFAULT_FACTORS, min_length=1
    )
    remember_browser_days: int = Field(default=30, ge=0, le=365)
    device_trust_days: int = Field(default=30, ge=0, le=3650)

    @field_validator("factors")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a factor is listed twice")
        return value


class FlowSection(_Section):
    rules: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    on_error: Literal["deny", "challenge"] = "deny"


class GeoIPSection(_Section):
    city_database: str = "default"
    asn_database: str = ""


class RiskSection(_Section):
    impossible_speed_kmh: float = Field(default=1000, gt=0, le=1_000_000, allow_inf_nan=False)
    deny_lists: dict[str, str] = Field(default_factory=dict)


class SandboxSection(_Section):
    isolation: Literal["inline", "process"] | None = None
    """None: ``serve`` isolates Actions in worker processes, the other commands run them inline."""
    timeout_ms: int = Field(default=100, ge=1, le=60_000)
    memory_mb: int = Field(default=64, ge=8, le=4096)
    max_steps: int = Field(default=100_000, ge=100, le=100_000_000)
    max_recursion: int = Field(default=50, ge=5, le=500)
    max_string: int = Field(default=100_000, ge=1_000, le=100_000_000)
    max_sequence: int = Field(default=10_000, ge=100, le=10_000_000)
    max_output_lines: int = Field(default=100, ge=0, le=10_000)


class ServiceSection(_Section):
    api_key: str = Field(default="", repr=False)
    admin_key: str = Field(default="", repr=False)
    store: str = Field(default="sqlite:///contextmfa.db", repr=False)
    redis: str = Field(default="", repr=False)
    issuer: str = "http://localhost:8000"
    webauthn_rp_id: str = "localhost"
    webauthn_origins: tuple[str, ...] = ("http://localhost:8000",)
    return_urls: tuple[str, ...] = ()
    """Where the hosted challenge page may hand the assertion back (exact URLs of the IdP)."""
    audit_retention_days: int = Field(default=90, ge=1, le=3650)
    """How long the store keeps recorded logins and audit records."""


class DuoSection(_Section):
    """Duo Universal Prompt credentials (the Duo admin panel's Web SDK application)."""

    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1, repr=False)
    api_host: str = Field(min_length=1)
    redirect_uri: str = Field(pattern=r"^https?://")
    ca_certs: str = ""
    """A PEM bundle (path relative to the config) to trust instead of the CAs duo_universal pins:
    for a Duo reached through a private TLS proxy."""


class _File(_Section):
    tenant: TenantSection
    policy: PolicySection = Field(default_factory=PolicySection)
    flow: FlowSection = Field(default_factory=FlowSection)
    geoip: GeoIPSection = Field(default_factory=GeoIPSection)
    risk: RiskSection = Field(default_factory=RiskSection)
    sandbox: SandboxSection = Field(default_factory=SandboxSection)
    service: ServiceSection = Field(default_factory=ServiceSection)
    delivery: DeliverySection = Field(default_factory=DeliverySection)
    duo: DuoSection | None = None
    secrets: dict[str, dict[str, str]] = Field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class TenantConfig:
    """A loaded, validated tenant config with paths made absolute."""

    path: Path
    tenant_id: str
    policy: PolicySection
    flow: FlowSection
    geoip: GeoIPSection
    risk: RiskSection
    sandbox: SandboxSection
    service: ServiceSection
    delivery: DeliverySection
    duo: DuoSection | None
    rule_files: tuple[Path, ...]
    action_files: tuple[Path, ...]
    deny_lists: Mapping[str, Path]
    secrets: Mapping[str, Mapping[str, str]] = field(repr=False)

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def secrets_for(self, action: str) -> Mapping[str, str]:
        return self.secrets.get(action, {})


def load_config(
    path: Path | str | None = None, *, environ: Mapping[str, str] | None = None
) -> TenantConfig:
    """Read and validate a tenant config; every problem is a ConfigError naming file and key."""
    given = path is not None
    path = Path(path) if given else DEFAULT_CONFIG
    if not path.is_file():
        hint = "" if given else " (pass --config PATH to use another file)"
        what = "is not a file" if path.exists() else "not found"
        raise ConfigError(f"{path}: error: config file {what}{hint}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: error: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: error: cannot read: {exc}") from None
    return config_from_mapping(raw, path, environ=environ)


def config_from_mapping(
    raw: Mapping[str, object], path: Path, *, environ: Mapping[str, str] | None = None
) -> TenantConfig:
    """Validate an already-parsed config; ``path`` anchors relative paths and error messages."""
    try:
        parsed = _File.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: error: {_describe(exc)}") from None
    base = path.parent
    actions = _actions(path, base, parsed.flow.actions)
    for stem in parsed.secrets:
        if stem not in {a.stem for a in actions}:
            raise ConfigError(f"{path}: error: secrets.{stem}: no Action {stem!r} in flow.actions")
    return TenantConfig(
        path=path,
        tenant_id=parsed.tenant.id,
        policy=parsed.policy,
        flow=parsed.flow,
        geoip=parsed.geoip,
        risk=parsed.risk,
        sandbox=parsed.sandbox,
        service=parsed.service,
        delivery=parsed.delivery,
        duo=parsed.duo,
        rule_files=_existing(path, base, "flow.rules", parsed.flow.rules),
        action_files=actions,
        deny_lists={
            name: _existing(path, base, f"risk.deny_lists.{name}", (p,))[0]
            for name, p in parsed.risk.deny_lists.items()
        },
        secrets=_resolve_secrets(parsed.secrets, path, environ),
    )


def _describe(exc: ValidationError) -> str:
    error = exc.errors()[0]
    key = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{key}: unknown key"
    if kind == "missing":
        return f"{key}: required key is missing"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{key}: expected one of {expected}, got {error['input']!r}"
    return f"{key}: {error['msg'].rstrip('.').lower()}"


def _existing(config: Path, base: Path, key: str, paths: tuple[str, ...]) -> tuple[Path, ...]:
    found = []
    for index, relative in enumerate(paths):
        full = base / relative
        if not full.is_file():
            label = f"{key}[{index}]" if key.startswith("flow.") else key
            problem = "not a file" if full.exists() else "file not found"
            raise ConfigError(f"{config}: error: {label}: {problem}: {relative}")
        found.append(full)
    return tuple(found)


def _actions(config: Path, base: Path, paths: tuple[str, ...]) -> tuple[Path, ...]:
    files = _existing(config, base, "flow.actions", paths)
    stems = [f.stem for f in files]
    for index, stem in enumerate(stems):
        if stems.index(stem) != index:
            raise ConfigError(f"{config}: error: flow.actions[{index}]: two Actions named {stem!r}")
        if not files[index].suffix == ".py":
            raise ConfigError(f"{config}: error: flow.actions[{index}]: an Action is a .py file")
    return files


def _from_env(value: str, key: str, config: Path, environ: Mapping[str, str] | None) -> str:
    if not value.startswith("env:"):
        return value
    name = value[4:]
    env = os.environ if environ is None else environ
    if name not in env:
        raise ConfigError(f"{config}: error: {key}: environment variable {name} is not set")
    return env[name]


def _resolve_secrets(
    secrets: dict[str, dict[str, str]], config: Path, environ: Mapping[str, str] | None
) -> dict[str, dict[str, str]]:
    return {
        action: {
            name: _from_env(value, f"secrets.{action}.{name}", config, environ)
            for name, value in values.items()
        }
        for action, values in secrets.items()
    }
