"""The ``mfa_token``: one login's MFA transaction, signed, expiring, readable by every worker.

A login that needs MFA gets a token carrying everything the MFA endpoints need between calls:
the tenant, login and user, the user's contact data (for enrollment by email, WebAuthn labels,
Duo), the remaining steps and which one is current, the factors passed so far (``amr``),
whether remember-browser may be offered, the client (the assertion's audience) and what to show
on a push device. Nothing is kept per token in any worker's memory: the token is an HS256 JWT
whose key is derived from ``CONTEXTMFA_SECRET_KEY`` (``MasterKey.derive("service/mfa-token")``),
so any worker with the key checks any worker's token.

A token is good for :data:`TOKEN_TTL` from the login; passing a step hands out a new token for
the next step with the same id (``jti``) and the same expiry. Each step is claimed in the store
before anything happens in it (:func:`contextmfa.service.steps.holding_step`), so replaying a
request cannot pass a step, mint an assertion, send a code or spend one, twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import jwt

from contextmfa.factors import Subject
from contextmfa.service.errors import ExpiredMfaToken, InvalidMfaToken
from contextmfa.store.tokens import new_id

__all__ = ["TOKEN_TTL", "MfaStep", "MfaTokens", "MfaTransaction", "contact_of"]

TOKEN_TTL = timedelta(minutes=10)
TOKEN_TYPE = "contextmfa-mfa+jwt"
MAX_TOKEN_CHARS = 8192
_ALGORITHM = "HS256"
_CONTACT = ("email", "email_verified", "phone_number", "username", "name")


@dataclass(frozen=True, slots=True)
class MfaStep:
    kind: str
    """``challenge`` or ``enroll``."""
    factors: tuple[str, ...]


@dataclass(frozen=True)
class MfaTransaction:
    """What an mfa_token says; ``index`` points at the current step."""

    tenant_id: str
    login_id: str
    user_id: str
    steps: tuple[MfaStep, ...]
    audience: str
    issued_at: int
    expires_at: int
    token_id: str = field(default_factory=new_id)
    index: int = 0
    amr: tuple[str, ...] = ()
    remember: bool = False
    user: Mapping[str, Any] = field(default_factory=dict)
    context: Mapping[str, Any] = field(default_factory=dict)
    history: Mapping[str, Any] = field(default_factory=dict)
    """The login's history entry, written when the last step passes (pending_history)."""

    @property
    def step(self) -> MfaStep:
        return self.steps[self.index]

    @property
    def subject(self) -> Subject:
        u = self.user
        return Subject(
            tenant_id=self.tenant_id,
            user_id=self.user_id,
            email=u.get("email"),
            email_verified=bool(u.get("email_verified")),
            phone_number=u.get("phone_number"),
            username=u.get("username"),
            name=u.get("name"),
        )

    def passed(self, factor: str) -> MfaTransaction | None:
        """The transaction after ``factor`` met the current step; None when no step is left.

        Later steps that a factor passed in this transaction already meets are skipped, as
        resolution drops steps met by the session's ``mfa`` methods (decisions.md, step 5).
        """
        amr = self.amr_with(factor)
        index = self.index + 1
        while index < len(self.steps) and set(self.steps[index].factors) & set(amr):
            index += 1
        if index >= len(self.steps):
            return None
        return replace(self, index=index, amr=amr)

    def amr_with(self, factor: str) -> tuple[str, ...]:
        """The factors passed, ``factor`` included (once)."""
        return self.amr if factor in self.amr else (*self.amr, factor)


def contact_of(user: Any) -> dict[str, Any]:
    """The user fields a factor may need, from the event's ``user``; nothing else."""
    return {name: getattr(user, name) for name in _CONTACT if getattr(user, name) is not None}


class MfaTokens:
    """Issues and reads mfa_tokens with one HMAC key; see the module docstring."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "MfaTokens(<key hidden>)"

    def start(
        self,
        *,
        tenant_id: str,
        login_id: str,
        user_id: str,
        steps: tuple[MfaStep, ...],
        audience: str,
        remember: bool,
        user: Mapping[str, Any],
        context: Mapping[str, Any],
        now: datetime,
        history: Mapping[str, Any] | None = None,
    ) -> MfaTransaction:
        issued = int(now.timestamp())
        return MfaTransaction(
            tenant_id=tenant_id,
            login_id=login_id,
            user_id=user_id,
            steps=steps,
            audience=audience,
            issued_at=issued,
            expires_at=issued + int(TOKEN_TTL.total_seconds()),
            remember=remember,
            user=dict(user),
            context=dict(context),
            history=dict(history or {}),
        )

    def issue(self, txn: MfaTransaction) -> str:
        claims = {
            "tid": txn.tenant_id,
            "lid": txn.login_id,
            "sub": txn.user_id,
            "aud": txn.audience,
            "stp": [[s.kind, list(s.factors)] for s in txn.steps],
            "idx": txn.index,
            "amr": list(txn.amr),
            "rem": txn.remember,
            "usr": dict(txn.user),
            "ctx": dict(txn.context),
            "hst": dict(txn.history),
            "iat": txn.issued_at,
            "exp": txn.expires_at,
            "jti": txn.token_id,
        }
        return jwt.encode(claims, self._key, algorithm=_ALGORITHM, headers={"typ": TOKEN_TYPE})

    def read(self, token: str, *, now: datetime) -> MfaTransaction:
        """The transaction of a genuine, unexpired token; otherwise a 401 error."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise InvalidMfaToken()
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[_ALGORITHM],
                options={"verify_exp": False, "verify_aud": False, "verify_iat": False},
            )
        except jwt.PyJWTError:
            raise InvalidMfaToken() from None
        if header.get("typ") != TOKEN_TYPE:
            raise InvalidMfaToken()
        try:
            txn = _transaction(claims)
        except (KeyError, TypeError, ValueError, IndexError):
            raise InvalidMfaToken() from None
        if now.timestamp() >= txn.expires_at:
            raise ExpiredMfaToken()
        return txn


def _transaction(claims: Mapping[str, Any]) -> MfaTransaction:
    steps = tuple(
        MfaStep(str(kind), tuple(str(f) for f in factors)) for kind, factors in claims["stp"]
    )
    index = int(claims["idx"])
    if not steps or not 0 <= index < len(steps):
        raise ValueError("no current step")
    return MfaTransaction(
        tenant_id=str(claims["tid"]),
        login_id=str(claims["lid"]),
        user_id=str(claims["sub"]),
        steps=steps,
        audience=str(claims["aud"]),
        issued_at=int(claims["iat"]),
        expires_at=int(claims["exp"]),
        token_id=str(claims["jti"]),
        index=index,
        amr=tuple(str(f) for f in claims["amr"]),
        remember=bool(claims["rem"]),
        user=dict(claims["usr"]),
        context=dict(claims["ctx"]),
        history=dict(claims.get("hst") or {}),
    )
