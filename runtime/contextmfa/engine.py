"""The engine: compile a tenant config once, then turn each login into a decision.

It is pure: given a compiled config, an event and the user's history it returns a decision, with
the clock taken from the event. Storage, HTTP and the CLI are adapters around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from time import perf_counter_ns
from typing import Any

from contextmfa.config import TenantConfig
from contextmfa.config_version import config_version
from contextmfa.decision import Decision, PolicySettings, UserContext, resolve
from contextmfa.directives import Deny, Directive, Require, Step
from contextmfa.enrich.geoip import GeoIP
from contextmfa.enrich.history import History, LoginRecord
from contextmfa.enrich.iplists import DenyLists
from contextmfa.enrich.risk import RiskSettings, assess
from contextmfa.errors import CompileError, ConfigError, InputError, Problem
from contextmfa.events import LoginEvent
from contextmfa.flow import ActionFlow, FlowOutcome, InlineFlow
from contextmfa.frozen import fill, slot_fillers
from contextmfa.rules import RuleContext, RuleSet, compile_rule_files
from contextmfa.sandbox import (
    ActionCache,
    CompiledAction,
    InMemoryActionCache,
    SandboxLimits,
    compile_action,
)
from contextmfa.sandbox.http_modes import FixtureAnswerer, HttpCalls, HttpMode
from contextmfa.sandbox.http_session import HttpLimits, HttpSession
from contextmfa.sandbox.process import ProcessFlow

__all__ = ["MFA_ACR", "Engine", "compile_actions"]

MFA_ACR = "http://schemas.openid.net/pape/policies/2007/06/multi-factor"
_NONE: frozenset[str] = frozenset()
_NO_GEOIP: dict[str, Any] = {}
_RECORD_FILLERS = slot_fillers(
    LoginRecord, "timestamp device_id user_agent latitude longitude country_code"
)


def compile_actions(config: TenantConfig) -> tuple[list[CompiledAction], list[Problem]]:
    """Compile every Action of the flow, collecting every problem rather than the first."""
    compiled, problems = [], []
    for path in config.action_files:
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(path), 0, 0, f"cannot read Action: {exc}"))
            continue
        try:
            compiled.append(compile_action(source, str(path)))
        except CompileError as exc:
            problems.extend(exc.problems)
    return compiled, problems


def _located(exc: ConfigError, config: TenantConfig) -> ConfigError:
    """A resource error (GeoIP database, deny list) named after the config that asked for it."""
    message = str(exc)
    if ": error: " in message:  # already located (a deny list's file:line)
        return exc
    return ConfigError(f"{config.path}: error: {message}")


def _compile_rules(config: TenantConfig) -> tuple[RuleSet, list[Problem]]:
    """Every rule file of the flow as one rule set; rule names are unique across files."""
    try:
        rules = compile_rule_files(config.rule_files)
    except CompileError as exc:
        return RuleSet(()), list(exc.problems)
    return rules, []


def sandbox_limits(config: TenantConfig) -> SandboxLimits:
    s = config.sandbox
    return SandboxLimits(
        timeout_ms=s.timeout_ms,
        memory_mb=s.memory_mb,
        max_steps=s.max_steps,
        max_recursion=s.max_recursion,
        max_string=s.max_string,
        max_sequence=s.max_sequence,
        max_output_lines=s.max_output_lines,
    )


def http_limits(config: TenantConfig) -> HttpLimits:
    s = config.sandbox
    return HttpLimits(
        egress=s.egress,
        timeout_ms=s.http_timeout_ms,
        max_timeout_ms=s.http_max_timeout_ms,
        max_calls=s.http_max_calls,
        max_request_bytes=s.http_max_request_bytes,
        max_response_bytes=s.http_max_response_bytes,
        record_body_bytes=s.http_record_body_bytes,
    )


@dataclass(frozen=True, slots=True)
class Enrichment:
    tenant_id: str
    geoip: dict[str, Any] | None
    asn: dict[str, Any] | None
    risk: dict[str, Any]


_ENRICHMENT_FILLERS = slot_fillers(Enrichment, "tenant_id geoip asn risk")


class Engine:
    """A tenant config compiled once: GeoIP open, deny lists loaded, Actions compiled."""

    def __init__(
        self,
        config: TenantConfig,
        *,
        cache: ActionCache | None = None,
        isolation: str | None = None,
        workers: int = 1,
        http_mode: HttpMode = "live",
        http_fixture: FixtureAnswerer | None = None,
    ) -> None:
        """``isolation`` is the command's default when ``[sandbox] isolation`` is not set:
        ``serve`` passes ``"process"``, the other commands leave it ``"inline"``. ``http_mode``
        and ``http_fixture`` say who answers ``fetch`` (sandbox/http_modes.py): ``live`` by
        default, as the service must (a login it is sent never answers its own calls)."""
        self.config = config
        rules, problems = _compile_rules(config)
        actions, action_problems = compile_actions(config)
        problems.extend(action_problems)
        if any(p.severity == "error" for p in problems):
            raise CompileError(problems)
        self.rules = rules
        self.actions: tuple[CompiledAction, ...] = tuple(actions)
        self.warnings: tuple[Problem, ...] = rules.warnings
        try:
            self.geoip = GeoIP.open(
                config.geoip.city_database, config.geoip.asn_database, base_dir=config.base_dir
            )
            self.deny_lists = DenyLists.load(config.risk.deny_lists, base_dir=config.base_dir)
        except ConfigError as exc:
            raise _located(exc, config) from None
        self.cache = cache if cache is not None else InMemoryActionCache()
        self.limits = sandbox_limits(config)
        self.http: HttpCalls | None = None
        if any(action.fetches for action in self.actions):
            names = frozenset(action.name for action in self.actions)
            limits = http_limits(config)
            self.http = HttpCalls(
                limits, config.secrets_for, names, http_mode, http_fixture, config.tenant_id
            )
        options = {
            "secrets_for": config.secrets_for,
            "cache": self.cache,
            "limits": self.limits,
            "on_error": config.flow.on_error,
        }
        self.isolation = config.sandbox.isolation or isolation or "inline"
        self.flow: ActionFlow = (
            ProcessFlow(
                self.actions, workers=workers, confinement=config.sandbox.confinement, **options
            )
            if self.isolation == "process"
            else InlineFlow(self.actions, **options)
        )
        self.policy = PolicySettings(
            mfa=config.policy.mfa,
            factors=frozenset(config.policy.factors),
            remember_browser_days=config.policy.remember_browser_days,
        )
        self.risk_settings = RiskSettings(
            device_trust_days=config.policy.device_trust_days,
            impossible_speed_kmh=config.risk.impossible_speed_kmh,
        )

    @cached_property
    def version(self) -> str:
        """The config's version (:func:`config_version`), computed on first use."""
        return config_version(self.config)

    def close(self) -> None:
        self.flow.close()
        self.geoip.close()

    def enrich(self, event: LoginEvent, history: History) -> Enrichment:
        """GeoIP, ASN, deny lists and the three risk assessments, before any tenant logic."""
        tenant_id = self._tenant_of(event)
        request = event.request
        ip = request.ip
        geoip = request.geoip.model_dump() if request.geoip is not None else self.geoip.city(ip)
        asn = request.asn.model_dump() if request.asn is not None else self.geoip.asn(ip)
        risk = assess(
            now=event.timestamp,
            device_id=event.device.id,
            user_agent=request.user_agent,
            geoip=geoip,
            tenant_id=tenant_id,
            user_id=event.user.user_id,
            history=history,
            deny_list_match=self.deny_lists.match(ip),
            deny_lists_configured=self.deny_lists.configured,
            settings=self.risk_settings,
        )
        return fill(Enrichment, _ENRICHMENT_FILLERS, (tenant_id, geoip, asn, risk))

    def evaluate(self, event: LoginEvent, history: History) -> Decision:
        """Enrich, run the flow, resolve; record the login in ``history`` unless denied."""
        started = perf_counter_ns()
        enrichment = self.enrich(event, history)
        tenant_id, geoip, risk = enrichment.tenant_id, enrichment.geoip, enrichment.risk
        enriched = perf_counter_ns()

        directives: list[Directive] = []
        if event.transaction is not None and MFA_ACR in event.transaction.acr_values:
            directives.append(Require(None, False, "acr"))
        if self.rules.rules:
            ctx = RuleContext.build(event, geoip=geoip, asn=enrichment.asn, risk=risk)
            directives.extend(self.rules.evaluate(ctx))
        ruled = perf_counter_ns()

        session: HttpSession | None = None
        denied = bool(directives) and isinstance(directives[-1], Deny)
        if self.actions and not denied:
            steps = sum(1 for d in directives if isinstance(d, Step)) if directives else 0
            view = self.event_view(event, enrichment)
            if self.http is not None:
                recorded = event.recorded.decision if event.recorded is not None else None
                session = self.http.session(recorded)
            flow = self.flow.run(
                view, now=event.timestamp, tenant_id=tenant_id, steps_so_far=steps, http=session
            )
            directives.extend(flow.directives)
        else:
            flow = FlowOutcome()
        acted = perf_counter_ns()

        resolution = resolve(directives, self.policy, self._user_context(event, risk))
        finished = perf_counter_ns()
        if resolution.outcome != "deny":
            history.add(tenant_id, event.user.user_id, self._record(event, geoip))
        return Decision.build(
            login_id=event.id,
            resolution=resolution,
            risk=risk,
            geoip=geoip,
            logs=flow.logs,
            errors=flow.errors,
            metadata_updates={
                "app_metadata": flow.app_metadata,
                "user_metadata": flow.user_metadata,
            },
            custom_claims={"id_token": flow.id_token, "access_token": flow.access_token},
            transaction_metadata=flow.transaction,
            timing_us={
                "enrich": (enriched - started) // 1000,
                "rules": (ruled - enriched) // 1000,
                "actions": (acted - ruled) // 1000,
                "total": (finished - started) // 1000,
            },
            http=session.exchanges if session is not None else (),
        )

    def _tenant_of(self, event: LoginEvent) -> str:
        given = event.tenant.id
        if given is not None and given != self.config.tenant_id:
            raise InputError(
                f"tenant.id: {given!r} is not the config's tenant {self.config.tenant_id!r}"
            )
        return self.config.tenant_id

    @staticmethod
    def event_view(event: LoginEvent, enrichment: Enrichment) -> dict[str, Any]:
        """The enriched event as the plain dict an Action reads (through a read-only view)."""
        data = event.model_dump(mode="json", exclude={"expect", "recorded"})
        data["tenant"]["id"] = enrichment.tenant_id
        data["request"]["geoip"] = enrichment.geoip
        data["request"]["asn"] = enrichment.asn
        data["authentication"]["risk_assessment"] = enrichment.risk
        return data

    @staticmethod
    def _user_context(event: LoginEvent, risk: dict[str, Any]) -> UserContext:
        user = event.user
        factors = user.enrolled_factors
        mfa = [m for m in event.authentication.methods if m.name == "mfa"]
        return UserContext(
            frozenset([f.type for f in factors]) if factors else _NONE,
            bool(user.email_verified),
            frozenset([m.type for m in mfa if m.type]) if mfa else _NONE,
            bool(mfa),
            event.device.remembered,
            risk["confidence"],
        )

    @staticmethod
    def _record(event: LoginEvent, geoip: dict[str, Any] | None) -> LoginRecord:
        geo = geoip or _NO_GEOIP
        values = (
            event.timestamp,
            event.device.id,
            event.request.user_agent,
            geo.get("latitude"),
            geo.get("longitude"),
            geo.get("country_code"),
        )
        return fill(LoginRecord, _RECORD_FILLERS, values)
