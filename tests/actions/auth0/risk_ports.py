"""Runs the ported risk rules (the Auth0 rules that call a scoring service) against a loopback
stand-in of that service (tests/risk_stand_ins.py), as a tenant whose ``[sandbox] egress`` list
names the stand-in and nothing else.

``online(stem, stand_in, login, secrets)`` runs the port live: its ``fetch`` calls reach the
stand-in through the host's HTTP session (the egress policy, the bounds, the recording), and the
result keeps the run and the exchanges the session recorded. ``replayed(stem, login, secrets,
exchanges)`` runs it again answering from those exchanges only, the way a replay with
``--http recorded`` does: no connection is opened. ``SCENARIOS`` holds one login per port that
its service scores, with what the port decides then and when the service fails.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auth0_ports import ALLOW, LIMITS, TENANT, client, decision_of, deny, mfa, moment_of, user
from risk_stand_ins import (
    IncogniaApi,
    MinFraudLegacy,
    MinFraudScore,
    SecZettaApi,
    SignalsApi,
    SignifydApi,
    StandIn,
)

from contextmfa.sandbox import (
    ActionRun,
    CompiledAction,
    InMemoryActionCache,
    SandboxLimits,
    run_action,
)
from contextmfa.sandbox.http_modes import HttpCalls, HttpMode
from contextmfa.sandbox.http_session import HttpLimits, HttpSession


@dataclass(frozen=True)
class Online:
    """One run of a port and the exchanges its session recorded."""

    run: ActionRun
    exchanges: list[dict[str, Any]]

    @property
    def decision(self) -> tuple[tuple[Any, ...], ...]:
        return decision_of(self.run.directives)

    @property
    def logs(self) -> list[str]:
        return [line.line for line in self.run.logs]

    def outcome(self) -> dict[str, Any]:
        """Everything the run decided and wrote, for comparing a replay with the original."""
        run = self.run
        return {
            "decision": self.decision,
            "error": None if run.error is None else (run.error.kind, run.error.message),
            "logs": self.logs,
            "app_metadata": run.app_metadata,
            "user_metadata": run.user_metadata,
            "id_token": run.id_token_claims,
            "access_token": run.access_token_claims,
        }


def session_for(
    action: CompiledAction,
    egress: Sequence[str],
    secrets: Mapping[str, str],
    mode: HttpMode = "live",
    exchanges: Sequence[Mapping[str, Any]] = (),
) -> HttpSession:
    """A login's session as a tenant listing ``egress`` builds it (http_modes.HttpCalls):
    ``live`` calls out, ``recorded`` answers from ``exchanges`` alone."""
    calls = HttpCalls(
        HttpLimits(egress=tuple(egress)), lambda _: dict(secrets), frozenset({action.name}), mode
    )
    return calls.session({"http": list(exchanges)} if mode == "recorded" else None)


def run_with(
    action: CompiledAction,
    event: dict[str, Any],
    secrets: Mapping[str, str],
    session: HttpSession,
    limits: SandboxLimits = LIMITS,
) -> Online:
    run = run_action(
        action,
        event,
        secrets=dict(secrets),
        now=moment_of(event),
        cache=InMemoryActionCache(),
        tenant_id=TENANT,
        limits=limits,
        http=session,
    )
    return Online(run, list(session.exchanges))


def live(
    action: CompiledAction,
    event: dict[str, Any],
    secrets: Mapping[str, str],
    stand_in: StandIn,
    limits: SandboxLimits = LIMITS,
) -> Online:
    """A run whose calls go to ``stand_in`` (the only egress entry)."""
    session = session_for(action, [stand_in.url], secrets)
    return run_with(action, event, secrets, session, limits)


def recorded(
    action: CompiledAction,
    event: dict[str, Any],
    secrets: Mapping[str, str],
    egress: Sequence[str],
    exchanges: Sequence[Mapping[str, Any]],
) -> Online:
    """A run answered from ``exchanges`` alone, as ``--http recorded`` answers."""
    session = session_for(action, egress, secrets, "recorded", exchanges)
    return run_with(action, event, secrets, session)


@dataclass(frozen=True)
class Scenario:
    service: Callable[[], Any]
    secrets: Callable[[str], dict[str, str]]
    login: dict[str, Any]
    scored: Any
    """What the port decides when the service answers."""
    failed: Any
    """What it decides when the service answers 503."""


def seczetta_secrets(url: str) -> dict[str, str]:
    return {
        "SECZETTA_API_KEY": "sz-key",
        "SECZETTA_BASE_URL": url,
        "SECZETTA_ATTRIBUTE_ID": "attr",
        "SECZETTA_PROFILE_TYPE_ID": "type",
        "SECZETTA_ALLOWABLE_RISK": "40",
        "SECZETTA_MAXIMUM_ALLOWED_RISK": "80",
    }


SCENARIOS = {
    "fraud_prevention_with_minfraud": Scenario(
        lambda: MinFraudLegacy(license_key="mf-key", risk_score="35.5"),
        lambda url: {"MINFRAUD_LICENSE_KEY": "mf-key", "MINFRAUD_API": f"{url}/app/ccv2r"},
        {},
        deny("Fraud prevention!"),
        ALLOW,
    ),
    "signals_ip_blacklisted": Scenario(
        lambda: SignalsApi(api_key="sig-key", blacklists={"77.161.34.157": ["TOR_EXIT"]}),
        lambda url: {"AUTH0SIGNALS_API_KEY": "sig-key", "SIGNALS_API": url, "ON_LISTED": "mfa"},
        {},
        mfa("any"),
        ALLOW,
    ),
    "signals_ip_info": Scenario(
        lambda: SignalsApi(api_key="sig-key", geo={"77.161.34.157": {"country": "NL"}}),
        lambda url: {"AUTH0SIGNALS_API_KEY": "sig-key", "SIGNALS_API": url},
        {},
        ALLOW,
        ALLOW,
    ),
    "seczetta_get_risk_score": Scenario(
        lambda: SecZettaApi(api_key="sz-key", profiles={"sdevries": "p-1"}, scores={"p-1": 60}),
        seczetta_secrets,
        {},
        mfa("any"),
        deny("Error retrieving SecZetta Risk Score."),
    ),
    "seczetta_grab_risk_score": Scenario(
        lambda: SecZettaApi(api_key="sz-key", profiles={"sdevries": "p-1"}, scores={"p-1": 90}),
        seczetta_secrets,
        {},
        deny("A 90 Risk score is too high. Maximum acceptable risk is 80"),
        deny("Error retrieving Risk Score."),
    ),
    "incognia_authentication": Scenario(
        lambda: IncogniaApi(client_id="inc-id", client_secret="inc-secret", assessment="high_risk"),
        lambda url: {
            "INCOGNIA_CLIENT_ID": "inc-id",
            "INCOGNIA_CLIENT_SECRET": "inc-secret",
            "INCOGNIA_API": f"{url}/api",
            "MFA_ON_ASSESSMENT": "high_risk",
        },
        {},
        mfa("any"),
        deny("Error calling Incognia API for a new login."),
    ),
    "alt_risk_score": Scenario(
        lambda: MinFraudScore(account_id="42", license_key="mf-key", risk_score=35.0),
        lambda url: {
            "MINFRAUD_ACCOUNT_ID": "42",
            "MINFRAUD_LICENSE_KEY": "mf-key",
            "MINFRAUD_SCORE_API": f"{url}/minfraud/v2.0/score",
            "MFA_ABOVE_RISK_SCORE": "20",
        },
        client(metadata={"userApp": "true"}),
        mfa("any"),
        ALLOW,
    ),
    "signifyd_score": Scenario(
        lambda: SignifydApi(api_key="sf-key", cases={"7": {"status": "OPEN", "score": 120.0}}),
        lambda url: {"SIGNIFYD_API_KEY": "sf-key", "SIGNIFYD_API": url, "MFA_BELOW_SCORE": "300"},
        user(app_metadata={"caseId": "7"}),
        mfa("any"),
        ALLOW,
    ),
}
