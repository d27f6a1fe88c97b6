"""The tenant config, ``tenant.toml``: every key with its default; errors name key and file.

Every problem is found at once and placed at its line (``tenant.toml:12: error: flow.actons:
unknown key; did you mean 'actions'?``), in words rather than pydantic's (``config_messages``).
Paths in the file are relative to the file. Secret values may be written ``env:NAME`` to read the
environment; they are resolved at load time and never appear in a repr or an error message.
"""

from __future__ import annotations

import copy
import itertools
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from contextmfa.config_lines import key_lines, line_of
from contextmfa.config_messages import describe
from contextmfa.delivery.settings import DeliverySection
from contextmfa.directives import FACTORS
from contextmfa.errors import ConfigError, Problem
from contextmfa.spelling import did_you_mean

__all__ = ["DEFAULT_CONFIG", "TenantConfig", "config_from_mapping", "inspect_config", "load_config"]

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


def _egress_entry(value: str) -> str:
    from contextmfa.sandbox.egress import EgressRefused, parse_entry

    try:
        parse_entry(value)
    except EgressRefused as exc:
        raise ValueError(f"{value!r}: {exc}") from None
    return value


EgressEntry = Annotated[str, AfterValidator(_egress_entry)]
"""``scheme://host[:port][/path-prefix]`` (sandbox/egress.py), checked where it is written."""


class SandboxSection(_Section):
    isolation: Literal["inline", "process"] | None = None
    """None: ``serve`` isolates Actions in worker processes, the other commands run them inline."""
    confinement: Literal["required", "best-effort"] = "required"
    """Process isolation's operating-system layers (no_new_privs, Landlock, seccomp): a worker
    refuses to start on a host that lacks one, unless this says ``best-effort``."""
    timeout_ms: int = Field(default=100, ge=1, le=60_000)
    memory_mb: int = Field(default=64, ge=8, le=4096)
    max_steps: int = Field(default=100_000, ge=100, le=100_000_000)
    max_recursion: int = Field(default=50, ge=5, le=500)
    max_string: int = Field(default=100_000, ge=1_000, le=100_000_000)
    max_sequence: int = Field(default=10_000, ge=100, le=10_000_000)
    max_output_lines: int = Field(default=100, ge=0, le=10_000)
    egress: tuple[EgressEntry, ...] = ()
    """Where ``fetch`` may go: ``scheme://host[:port][/path-prefix]`` (sandbox/egress.py)."""
    http_timeout_ms: int = Field(default=1_000, ge=1, le=60_000)
    """A ``fetch`` call's timeout when the Action gives none; never past the Action's own."""
    http_max_timeout_ms: int = Field(default=5_000, ge=1, le=60_000)
    http_max_calls: int = Field(default=5, ge=0, le=100)
    """``fetch`` calls per Action run."""
    http_max_request_bytes: int = Field(default=65_536, ge=0, le=16_777_216)
    http_max_response_bytes: int = Field(default=262_144, ge=1_024, le=16_777_216)
    """Decoded body bytes (a compressed body is counted as it is unpacked)."""
    http_record_body_bytes: int = Field(default=65_536, ge=0, le=16_777_216)
    """Response body bytes kept in a decision's ``http`` record (a replay answers with those)."""


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
    warnings: tuple[Problem, ...] = ()
    """What ``check`` reports without failing (``[secrets.X]`` for an Action not in the flow)."""
    key_lines: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)
    """Where each key is written in the file (``config_lines``), for :meth:`problem`."""

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def problem(self, key: str, message: str, severity: str = "error") -> Problem:
        """A problem with the value of ``key`` (a database, a list it names), at its line."""
        line = line_of(self.key_lines, key)
        return Problem(str(self.path), line, 0, f"{key}: {message}", severity)

    def secrets_for(self, action: str) -> Mapping[str, str]:
        return self.secrets.get(action, {})


def load_config(
    path: Path | str | None = None, *, environ: Mapping[str, str] | None = None
) -> TenantConfig:
    """Read and validate a tenant config; any error is a ConfigError listing every problem,
    one ``path:line: error: key: problem`` per line."""
    config, problems = inspect_config(path, environ=environ)
    return _loaded(config, problems)


def config_from_mapping(
    raw: Mapping[str, object], path: Path, *, environ: Mapping[str, str] | None = None
) -> TenantConfig:
    """Validate an already-parsed config; ``path`` anchors relative paths and error messages."""
    return _loaded(*_inspect(raw, path, environ, {}))


def inspect_config(
    path: Path | str | None = None, *, environ: Mapping[str, str] | None = None
) -> tuple[TenantConfig | None, list[Problem]]:
    """Every problem of a config at once (errors and warnings, in line order), and the config
    as far as it could be read: a key with a bad value keeps its default and a missing file is
    left out, so ``check`` can still compile the rule files and Actions that are there.

    The config is None when the file itself cannot be read as TOML.
    """
    given = path is not None
    path = Path(path) if given else DEFAULT_CONFIG
    if not path.is_file():
        hint = "" if given else " (pass --config PATH to use another file)"
        what = "is not a file" if path.exists() else "not found"
        return None, [Problem(str(path), 0, 0, f"config file {what}{hint}")]
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [_toml_problem(path, exc)]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(str(path), 0, 0, f"cannot read: {exc}")]
    return _inspect(raw, path, environ, key_lines(text))


def _loaded(config: TenantConfig | None, problems: list[Problem]) -> TenantConfig:
    errors = [p for p in problems if p.severity == "error"]
    if config is None or errors:
        raise ConfigError("\n".join(str(p) for p in errors))
    return config


_TOML_PLACE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def _toml_problem(path: Path, exc: tomllib.TOMLDecodeError) -> Problem:
    message = str(exc)
    place = _TOML_PLACE.search(message)
    if place is None:
        return Problem(str(path), 0, 0, f"invalid TOML: {message}")
    line, col = int(place[1]), int(place[2])
    return Problem(str(path), line, col, f"invalid TOML: {message[: place.start()]}")


@dataclass
class _Report:
    """The problems found in one config, each placed at the line of its key when known."""

    path: Path
    lines: Mapping[str, int]
    problems: list[Problem] = field(default_factory=list)

    def add(self, key: str, problem: str, severity: str = "error") -> None:
        line = line_of(self.lines, key)
        self.problems.append(Problem(str(self.path), line, 0, f"{key}: {problem}", severity))

    def in_order(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: p.line)  # stable: same line, found order


def _inspect(
    raw: Mapping[str, object],
    path: Path,
    environ: Mapping[str, str] | None,
    lines: Mapping[str, int],
) -> tuple[TenantConfig | None, list[Problem]]:
    report = _Report(path, lines)
    parsed = _validate(raw, report)
    if parsed is None:
        return None, report.in_order()
    base = path.parent
    actions = _actions(report, base, parsed.flow.actions)
    named = [Path(p).stem for p in parsed.flow.actions]
    for stem in parsed.secrets:
        if stem not in named:
            also = did_you_mean(stem, named)
            message = f"no Action {stem!r} in flow.actions, so these secrets are never used{also}"
            report.add(f"secrets.{stem}", message, "warning")
    config = TenantConfig(
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
        rule_files=_existing(report, base, "flow.rules", parsed.flow.rules),
        action_files=actions,
        deny_lists={
            name: full
            for name, relative in parsed.risk.deny_lists.items()
            if (full := _file(report, base, f"risk.deny_lists.{name}", relative)) is not None
        },
        secrets=_resolve_secrets(parsed.secrets, report, environ),
        warnings=tuple(p for p in report.in_order() if p.severity == "warning"),
        key_lines=lines,
    )
    return config, report.in_order()


_SALVAGE_ROUNDS = 3
_PLACEHOLDER_TENANT = {"id": "unknown"}


def _validate(raw: Mapping[str, object], report: _Report) -> _File | None:
    """The validated file; on errors, report each and validate again without the keys at fault
    (their defaults take their place), so the rest of the config can still be checked."""
    data: dict[str, Any] = copy.deepcopy(dict(raw))
    for round_ in range(_SALVAGE_ROUNDS + 1):
        try:
            return _File.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                if round_ == 0:
                    report.add(*describe(error, _File))
                _drop(data, error["loc"], error["type"])
    return None


def _drop(data: dict[str, Any], loc: tuple[int | str, ...], kind: str) -> None:
    """Remove the key an error is about (a whole list for a bad element, a whole table for a
    missing key in it); a missing or bad ``[tenant]`` gets a placeholder instead."""
    if loc and loc[0] == "tenant":
        data["tenant"] = dict(_PLACEHOLDER_TENANT)
        return
    keys = list(itertools.takewhile(lambda part: isinstance(part, str), loc))
    if kind == "missing":
        keys = keys[:-1]
    holder: Any = data
    for part in keys[:-1]:
        holder = holder.get(part) if isinstance(holder, dict) else None
    if keys and isinstance(holder, dict):
        holder.pop(keys[-1], None)


def _file(report: _Report, base: Path, key: str, relative: str) -> Path | None:
    """``base / relative`` when it is a file; otherwise reported under ``key``."""
    full = base / relative
    if full.is_file():
        return full
    problem = "not a file" if full.exists() else "file not found"
    report.add(key, f"{problem}: {relative}")
    return None


def _existing(report: _Report, base: Path, key: str, paths: tuple[str, ...]) -> tuple[Path, ...]:
    """The files of a list key (``flow.rules``) that exist, in order."""
    found = (_file(report, base, f"{key}[{index}]", p) for index, p in enumerate(paths))
    return tuple(path for path in found if path is not None)


def _actions(report: _Report, base: Path, paths: tuple[str, ...]) -> tuple[Path, ...]:
    files: list[Path] = []
    for index, relative in enumerate(paths):
        key = f"flow.actions[{index}]"
        full = _file(report, base, key, relative)
        if full is None:
            continue
        if full.suffix != ".py":
            report.add(key, "an Action is a .py file")
        elif full.stem in {f.stem for f in files}:
            report.add(key, f"two Actions named {full.stem!r}")
        else:
            files.append(full)
    return tuple(files)


def _from_env(value: str, key: str, report: _Report, environ: Mapping[str, str] | None) -> str:
    if not value.startswith("env:"):
        return value
    name = value[4:]
    env = os.environ if environ is None else environ
    if name not in env:
        report.add(key, f"environment variable {name} is not set")
        return ""
    return env[name]


def _resolve_secrets(
    secrets: dict[str, dict[str, str]], report: _Report, environ: Mapping[str, str] | None
) -> dict[str, dict[str, str]]:
    return {
        action: {
            name: _from_env(value, f"secrets.{action}.{name}", report, environ)
            for name, value in values.items()
        }
        for action, values in secrets.items()
    }
