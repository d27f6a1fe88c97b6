"""Walking a login's MFA steps: the one place the invariants of an MFA transaction are kept.

The mfa_token names the current step (:mod:`service.tokens`). A factor may be enrolled only in an
``enroll`` step and challenged or verified only in a ``challenge`` step, and only if the step
offers it (:func:`check_step`). Challenges and enrollments that hand out an ``oob_code`` are bound
to the token that started them (:func:`bind_oob` / :func:`check_oob`): an ``oob_code`` from
another login of the same user cannot complete this one.

The invariants (factors-and-service.md, "Invariants of an MFA transaction"), each kept here for
the API and the hosted pages alike:

* Every call that may have a side effect holds the step (:func:`holding_step`): the token's step
  is claimed atomically in the store *before* anything is sent, spent or changed. A call that
  only starts something (a code sent, a ceremony begun) gives the step back when it is done; a
  call that passes the step keeps it forever, so a completed, superseded or concurrently used
  token causes nothing at all. A call that fails gives it back, so a typo can be retried.
* An enrollment is checked against the store at the moment of the call
  (:func:`check_may_enroll`): a user who has any confirmed authenticator, or a verified email
  the tenant accepts, adds another only in a transaction that has already passed a step. The
  check and the commit of the new authenticator run under a per-user lock, so two first
  enrollments cannot both see an empty account.
* The authenticator is confirmed, and the recovery code issued, only by the call that proved it
  while holding its step.

Passing a step (:func:`complete_step`) gives, with steps left, a new mfa_token for the next;
after the last, the assertion, and a remember-browser token when the decision allowed it and the
client asked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from contextmfa.factors import AccessDenied, InvalidGrant, InvalidRequest, UnsupportedChallengeType
from contextmfa.service.auth import MfaSession
from contextmfa.service.errors import ExpiredMfaToken
from contextmfa.service.logs import audit
from contextmfa.service.pending_history import entry_of_claim
from contextmfa.service.tenants import Tenant
from contextmfa.service.tokens import MfaTransaction
from contextmfa.store.clock import from_posix

__all__ = [
    "STEP_LEASE",
    "bind_oob",
    "check_may_enroll",
    "check_oob",
    "check_step",
    "complete_step",
    "enrollment_lock",
    "holding_step",
    "step_out",
    "user_enrollment_lock",
]

STEP_SCOPE = "mfa-step"
ENROLL_LOCK_SCOPE = "mfa-enroll-lock"
ENROLL_LOCK_TTL = timedelta(seconds=30)
"""How long a crashed worker's enrollment lock can block the user's next enrollment."""
STEP_LEASE = timedelta(seconds=30)
"""How long one call may hold a token's step. A worker killed inside a call (or a store lost
under it) never gives the step back; the claim lapses after this, so the token works again on
any worker instead of being refused until it expires. Longer than a call holds a step: store
calls give up within 10 s, a delivery within its timeout (10 s by default)."""

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
    """Refuse an ``oob_code`` that this token did not start. Reads only: a refused request must
    leave nothing behind that would let the same request through on a second try."""
    if not oob_code:
        return
    txn = session.txn
    if not session.tenant.store.single_use.is_claimed(
        txn.tenant_id, "mfa-oob", _oob_key(txn, oob_code), now=session.now
    ):
        raise InvalidGrant("this oob_code was not issued for this mfa_token")


def _step_key(txn: MfaTransaction) -> str:
    return hashlib.sha256(f"{txn.token_id}:{txn.index}".encode()).hexdigest()


@contextmanager
def holding_step(session: MfaSession, *, passes: bool) -> Iterator[None]:
    """Hold the token's current step for one call; see the module docstring.

    ``passes``: the call completes the step when it returns normally (verify, confirm), so the
    claim is kept until the token expires; otherwise (challenge, enroll) it is given back when
    the call is done. While the call runs the claim is a lease of :data:`STEP_LEASE`: a call cut
    off by a killed worker leaves the token unusable for at most that long.
    """
    txn, single_use = session.txn, session.tenant.store.single_use
    key = _step_key(txn)
    expires = from_posix(txn.expires_at)
    # The clock now, not the request's arrival: a call that waited for a thread must not start
    # with a lease that is already (partly) over, nor on a token that expired meanwhile.
    now = session.state.clock()
    if now >= expires:
        raise ExpiredMfaToken()
    lease = min(now + STEP_LEASE, expires)
    if not single_use.claim(txn.tenant_id, STEP_SCOPE, key, now=now, expires_at=lease):
        raise InvalidGrant(
            "this step was already completed with this mfa_token, or another request for it "
            "is under way"
        )
    try:
        yield
        # Passed: the step stays claimed for as long as the token lives. Only our own lease is
        # made lasting or given back (fenced by its expiry): a call that outlived its lease
        # while another took the step must neither pass it a second time nor free it.
        if passes and not single_use.extend(
            txn.tenant_id, STEP_SCOPE, key, expires_at=expires, held_until=lease
        ):
            raise InvalidGrant(
                "this call took longer than its hold on the step and another request took the "
                "step over; start again with the current state of the mfa_token"
            )
    except BaseException:
        single_use.release(txn.tenant_id, STEP_SCOPE, key, held_until=lease)
        raise
    if not passes:
        single_use.release(txn.tenant_id, STEP_SCOPE, key, held_until=lease)


def check_may_enroll(session: MfaSession) -> None:
    """Refuse to add an authenticator to a user who has one, unless this login proved one.

    "Has one" is read from the store now, not from the login: an enroll step given to a user
    with no factor stops being usable the moment any other login enrolls one. A verified email
    counts when the tenant accepts email (decisions.md counts it as enrolled). "Proved one" is
    any step this transaction has passed (``amr``): a challenge with an existing authenticator,
    or an enrollment that was itself the user's first.
    """
    txn, tenant = session.txn, session.tenant
    if txn.amr:
        return
    confirmed = tenant.store.authenticators.for_user(tenant.id, txn.user_id)
    subject = txn.subject
    verified_email = subject.email_verified and bool(subject.email) and "email" in tenant.factors
    if confirmed or verified_email:
        audit(tenant.id, "mfa.enroll_refused", txn.user_id, login_id=txn.login_id)
        raise AccessDenied(
            "the user already has an authenticator: sign in again and pass a challenge with it "
            "before adding another"
        )


@contextmanager
def enrollment_lock(session: MfaSession) -> Iterator[None]:
    """One enrollment of a user at a time, so the check and the commit see the same account."""
    with user_enrollment_lock(session.tenant, session.txn.user_id, session.state.clock()):
        yield


@contextmanager
def user_enrollment_lock(tenant: Tenant, user_id: str, now: datetime) -> Iterator[None]:
    """The per-user enrollment lock, shared by the API and the settings pages; ``now`` is the
    clock at the claim, not the request's arrival (see holding_step)."""
    single_use = tenant.store.single_use
    key = hashlib.sha256(user_id.encode()).hexdigest()
    until = now + ENROLL_LOCK_TTL
    if not single_use.claim(tenant.id, ENROLL_LOCK_SCOPE, key, now=now, expires_at=until):
        raise InvalidGrant("another enrollment of this user is under way; try again")
    try:
        yield
    finally:  # only our own lock: one that lapsed and was taken by another enrollment stays
        single_use.release(tenant.id, ENROLL_LOCK_SCOPE, key, held_until=until)


def complete_step(
    session: MfaSession,
    factor: str,
    *,
    remember_requested: bool,
    recovery_code: str | None = None,
    authenticator_id: str | None = None,
) -> dict[str, Any]:
    """The current step passed with ``factor`` (its caller holds the step, :func:`holding_step`):
    the next step's token, or the assertion."""
    tenant, txn, now, state = session.tenant, session.txn, session.now, session.state
    store = tenant.store
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
    entry = entry_of_claim(txn.history)
    if entry is not None:  # the login joins the user's history only now that it passed
        store.history.add(tenant.id, txn.user_id, entry)
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
