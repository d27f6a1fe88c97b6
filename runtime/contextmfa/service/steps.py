"""Walking a login's MFA steps: which factor may act now, and what passing a step gives.

The mfa_token names the current step (:mod:`service.tokens`). A factor may be enrolled only in an
``enroll`` step and challenged or verified only in a ``challenge`` step, and only if the step
offers it. Challenges and enrollments that hand out an ``oob_code`` are bound to the token that
started them (:func:`bind_oob` / :func:`check_oob`): an ``oob_code`` from another login of the
same user cannot complete this one.

Passing a step (:func:`complete_step`) is claimed once per token and step. With steps left, the
caller gets a new mfa_token for the next; after the last, the assertion, and a remember-browser
token when the decision allowed it and the client asked.
"""

from __future__ import annotations

import hashlib
from typing import Any

from contextmfa.factors import InvalidGrant, InvalidRequest, UnsupportedChallengeType
from contextmfa.service.auth import MfaSession
from contextmfa.service.logs import audit
from contextmfa.service.tokens import MfaTransaction
from contextmfa.store.clock import from_posix

__all__ = ["bind_oob", "check_oob", "check_step", "complete_step", "step_out"]

_ENDPOINT = {"enroll": "/v1/mfa/enroll", "challenge": "/v1/mfa/challenge and /v1/mfa/verify"}


def step_out(txn: MfaTransaction) -> dict[str, Any]:
    return {"kind": txn.step.kind, "factors": list(txn.step.factors)}


def check_step(txn: MfaTransaction, kind: str, factor: str) -> None:
    """Refuse unless the current step is of ``kind`` and offers ``factor``."""
    step = txn.step
    if step.kind != kind:
        raise InvalidRequest(
            f"the current step is {'an enrollment' if step.kind == 'enroll' else 'a challenge'}; "
            f"use {_ENDPOINT[step.kind]}"
        )
    if factor not in step.factors:
        offered = ", ".join(step.factors)
        raise UnsupportedChallengeType(
            f"{factor} is not offered for this step (offered: {offered})"
        )


def _oob_key(txn: MfaTransaction, oob_code: str) -> str:
    return hashlib.sha256(f"{txn.token_id}\x00{oob_code}".encode()).hexdigest()


def bind_oob(session: MfaSession, oob_code: str | None) -> None:
    """Remember that ``oob_code`` was started with this token."""
    if oob_code:
        txn = session.txn
        session.tenant.store.single_use.claim(
            txn.tenant_id,
            "mfa-oob",
            _oob_key(txn, oob_code),
            now=session.now,
            expires_at=from_posix(txn.expires_at),
        )


def check_oob(session: MfaSession, oob_code: str | None) -> None:
    """Refuse an ``oob_code`` that this token did not start.

    A bound code's claim exists, so claiming it again fails; a claim that succeeds means the
    code was never bound to this token (the new claim is harmless: nothing else uses it).
    """
    if not oob_code:
        return
    txn = session.txn
    if session.tenant.store.single_use.claim(
        txn.tenant_id,
        "mfa-oob",
        _oob_key(txn, oob_code),
        now=session.now,
        expires_at=from_posix(txn.expires_at),
    ):
        raise InvalidGrant("this oob_code was not issued for this mfa_token")


def complete_step(
    session: MfaSession,
    factor: str,
    *,
    remember_requested: bool,
    recovery_code: str | None = None,
    authenticator_id: str | None = None,
) -> dict[str, Any]:
    """The current step passed with ``factor``: the next step's token, or the assertion."""
    tenant, txn, now, state = session.tenant, session.txn, session.now, session.state
    store = tenant.store
    if not state.tenants.tokens.claim_step(store.single_use, txn, now=now):
        raise InvalidGrant("this step was already completed with this mfa_token")
    out: dict[str, Any] = {}
    if authenticator_id:
        out["authenticator_id"] = authenticator_id
    if recovery_code:
        out["recovery_code"] = recovery_code
    following = txn.passed(factor)
    if following is not None:
        audit(tenant.id, "mfa.step_passed", txn.user_id, login_id=txn.login_id, factor=factor)
        return {
            "status": "next_step",
            "mfa_token": state.tenants.tokens.issue(following),
            "expires_in": max(0, following.expires_at - int(now.timestamp())),
            "step": step_out(following),
            **out,
        }
    amr = txn.amr_with(factor)
    out["assertion"] = tenant.signer.sign(
        audience=txn.audience, subject=txn.user_id, login_id=txn.login_id, amr=amr, now=now
    )
    days = tenant.config.policy.remember_browser_days
    if remember_requested and txn.remember and days > 0:
        out["remember_token"] = store.remember.issue(tenant.id, txn.user_id, now=now, days=days)
    detail = {"login_id": txn.login_id, "amr": list(amr), "remembered": "remember_token" in out}
    store.audit.record(tenant.id, "mfa.passed", user_id=txn.user_id, detail=detail, now=now)
    audit(tenant.id, "mfa.passed", txn.user_id, **detail)
    state.metrics.assertions.inc()
    return {"status": "passed", **out}
