"""Request and response bodies of the HTTP API, as pydantic models (they make the OpenAPI).

Requests refuse unknown keys (a typo is an error, as in login events) and bound every string.
Responses are documented here and built as plain dicts by the routes; optional fields are left
out when they do not apply. Secrets a response carries once (an OTP seed, a recovery code, an
assertion) exist only in the response body.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from contextmfa.events import FactorName
from contextmfa.service.deployments import ACTION_NAME, MAX_SOURCE_BYTES

__all__ = [
    "ACTION_NAME",
    "ActionSource",
    "ActionTestBody",
    "ActionTestResult",
    "ActionVersion",
    "ActionVersions",
    "AuthenticatorOut",
    "ChallengeBody",
    "ChallengeOut",
    "ConfirmBody",
    "CountOut",
    "DeployBody",
    "DeviceRegistration",
    "DownOut",
    "EnrollBody",
    "EnrollStarted",
    "ErrorOut",
    "Health",
    "Jwks",
    "LoginOut",
    "PendingOut",
    "PendingQuery",
    "PushAnswer",
    "PushAnswered",
    "ReadyOut",
    "RegisteredOut",
    "RollbackBody",
    "StepOut",
    "StepResult",
    "VerifyBody",
]

Code = str
_ID = 255
_CODE = 64
_SIGNATURE = 4096


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Errors and small answers ----------------------------------------------------------------


class ErrorOut(BaseModel):
    error: str = Field(examples=["invalid_grant"])
    error_description: str
    problems: list[str] | None = Field(
        default=None, description="Compile problems, each `path:line:col: error: message`."
    )


class CountOut(BaseModel):
    count: int = Field(ge=0)


class Health(BaseModel):
    status: Literal["ok"]


class DownOut(BaseModel):
    tenant: str
    dependency: Literal["store", "redis"] = Field(description="The `[service]` key at fault.")
    reason: str = Field(examples=["connection refused", "timed out"])


class ReadyOut(BaseModel):
    status: Literal["ready", "unavailable"]
    down: list[DownOut] = Field(
        default_factory=list, description="Each tenant's dependency that did not answer."
    )


class Jwks(BaseModel):
    keys: list[dict[str, Any]]


# Logins --------------------------------------------------------------------------------------


class StepOut(BaseModel):
    kind: Literal["challenge", "enroll"]
    factors: list[str]
    source: str | None = None


class LoginOut(BaseModel):
    """The decision (decisions.md) plus, for challenge and enroll, the ``mfa_token``."""

    model_config = ConfigDict(extra="allow")

    login_id: str
    outcome: Literal["allow", "challenge", "enroll", "deny"]
    factors: list[str]
    steps: list[StepOut]
    allow_remember_browser: bool
    deny_reason: str | None
    source: str
    risk: dict[str, Any] | None
    geoip: dict[str, Any] | None
    trace: list[dict[str, Any]]
    logs: list[dict[str, Any]]
    errors: list[dict[str, Any]]
    metadata_updates: dict[str, Any]
    custom_claims: dict[str, Any]
    transaction_metadata: dict[str, Any]
    timing_us: dict[str, int]
    mfa_token: str | None = Field(default=None, description="Only for challenge and enroll.")
    expires_in: int | None = Field(default=None, description="Seconds the mfa_token is good for.")


# MFA steps -----------------------------------------------------------------------------------


class AuthenticatorOut(BaseModel):
    id: str
    factor: str
    name: str
    confirmed: bool
    created_at: str | None
    last_used_at: str | None
    details: dict[str, Any]


class EnrollBody(_Body):
    factor: FactorName
    phone_number: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=320)
    name: str | None = Field(default=None, max_length=100, description="A name for the device.")


class _Answer(_Body):
    factor: FactorName
    otp: str | None = Field(default=None, max_length=_CODE)
    oob_code: str | None = Field(default=None, max_length=_ID)
    binding_code: str | None = Field(default=None, max_length=_SIGNATURE)
    credential: dict[str, Any] | None = None
    authenticator_id: str | None = Field(default=None, max_length=_ID)
    remember_browser: bool = Field(
        default=False, description="Ask for a remember_token when this completes the last step."
    )


class ConfirmBody(_Answer):
    pass


class VerifyBody(_Answer):
    recovery_code: str | None = Field(default=None, max_length=_CODE)


class ChallengeBody(_Body):
    factor: FactorName | None = None
    authenticator_id: str | None = Field(default=None, max_length=_ID)


class EnrollStarted(BaseModel):
    factor: str
    status: Literal["pending"] = "pending"
    authenticator_id: str | None = None
    oob_code: str | None = None
    expires_at: str | None = None
    sent_to: str | None = None
    secret: str | None = None
    otpauth_uri: str | None = None
    ticket_uri: str | None = None
    qr_svg: str | None = None
    options: dict[str, Any] | None = None
    redirect_url: str | None = Field(default=None, description="Duo: its Universal Prompt.")


class ChallengeOut(BaseModel):
    factor: str
    challenge_type: Literal["otp", "oob", "webauthn", "redirect", "recovery-code"]
    authenticator_id: str | None = None
    oob_code: str | None = None
    expires_at: str | None = None
    sent_to: str | None = None
    binding_code: str | None = Field(default=None, description="Push: the number to show.")
    options: dict[str, Any] | None = None
    redirect_url: str | None = None


class StepResult(BaseModel):
    """``passed``: the last step passed; ``next_step``: use the new mfa_token for the next one."""

    status: Literal["passed", "next_step"]
    assertion: str | None = None
    remember_token: str | None = None
    recovery_code: str | None = Field(default=None, description="Shown once.")
    mfa_token: str | None = None
    expires_in: int | None = None
    step: StepOut | None = None
    authenticator_id: str | None = None


# Push devices --------------------------------------------------------------------------------


class DeviceRegistration(_Body):
    tenant: str = Field(max_length=128)
    ticket: str = Field(max_length=_ID)
    public_key: str = Field(max_length=_SIGNATURE)
    push_target: str = Field(max_length=_SIGNATURE)
    signature: str = Field(max_length=_SIGNATURE)


class RegisteredOut(BaseModel):
    authenticator_id: str


class PushAnswer(_Body):
    tenant: str = Field(max_length=128)
    decision: Literal["approve", "deny"]
    number: str = Field(max_length=8)
    nonce: str = Field(max_length=_ID)
    signature: str = Field(max_length=_SIGNATURE)


class PushAnswered(BaseModel):
    state: Literal["approved", "rejected"]


class PendingQuery(_Body):
    tenant: str = Field(max_length=128)
    device_id: str = Field(max_length=_ID, description="The authenticator id of the device.")
    timestamp: int = Field(description="POSIX seconds; within 60 s of the server's clock.")
    signature: str = Field(max_length=_SIGNATURE)


class PendingOut(BaseModel):
    transactions: list[dict[str, Any]]


# Actions -------------------------------------------------------------------------------------


class DeployBody(_Body):
    source: str = Field(min_length=1, max_length=MAX_SOURCE_BYTES)


class RollbackBody(_Body):
    version: int | None = Field(default=None, ge=1, description="Default: the one before.")


class ActionTestBody(_Body):
    event: dict[str, Any]
    secrets: dict[str, str] = Field(default_factory=dict)
    version: int | None = Field(default=None, ge=1, description="Default: the current one.")
    source: str | None = Field(
        default=None, max_length=MAX_SOURCE_BYTES, description="Test a draft instead."
    )


class ActionVersion(BaseModel):
    name: str
    version: int
    created_at: str
    sha256: str
    current: bool


class ActionSource(ActionVersion):
    source: str


class ActionVersions(BaseModel):
    name: str
    versions: list[ActionVersion]


class ActionTestResult(BaseModel):
    action: str
    directives: list[dict[str, Any]]
    logs: list[str]
    error: dict[str, Any] | None
    app_metadata: dict[str, Any]
    user_metadata: dict[str, Any]
    id_token_claims: dict[str, Any]
    access_token_claims: dict[str, Any]
    transaction_metadata: dict[str, Any]
    duration_us: int
