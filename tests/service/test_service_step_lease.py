"""A worker killed inside an MFA call leaves the token's step claimed and never gives it back.
The claim is a lease: the token works again (on any worker) once it lapses, while a step that
passed stays passed until the token expires."""

from __future__ import annotations

from contextlib import AbstractContextManager

import pytest
from service_helpers import login_event

from contextmfa.factors import InvalidGrant
from contextmfa.service.auth import MfaSession
from contextmfa.service.steps import STEP_LEASE, holding_step


def _killed_inside_a_call(service, token: str) -> AbstractContextManager[None]:
    """What a worker SIGKILLed while holding the step leaves behind: the claim, and no release
    (the held context is returned so that nothing runs its exit)."""
    tenants = service.tenants
    txn = tenants.tokens.read(token, now=service.clock.now)
    session = MfaSession(
        tenants.get(txn.tenant_id), txn, service.clock.now, service.client.app.state.contextmfa
    )
    held = holding_step(session, passes=False)
    held.__enter__()
    return held


def test_a_step_held_by_a_killed_worker_is_usable_again_after_its_lease(service):
    token = service.login(login_event("auth0|lease")).json()["mfa_token"]
    held = _killed_inside_a_call(service, token)
    refused = service.mfa("enroll", token, {"factor": "otp"})
    assert refused.status_code == 403
    assert "under way" in refused.json()["error_description"]
    service.clock.advance(seconds=STEP_LEASE.total_seconds() - 1)
    assert service.mfa("enroll", token, {"factor": "otp"}).status_code == 403
    service.clock.advance(seconds=2)
    started = service.mfa("enroll", token, {"factor": "otp"})
    assert started.status_code == 200, started.text
    confirm = {"factor": "otp", "otp": service.code(started.json()["secret"])}
    assert service.mfa("enroll/confirm", token, confirm).status_code == 200
    assert held is not None


def test_a_passed_step_stays_passed_long_after_the_lease(service):
    secret, _ = service.enroll_otp("auth0|kept")
    token = service.login(login_event("auth0|kept")).json()["mfa_token"]
    passed = service.mfa("verify", token, {"factor": "otp", "otp": service.code(secret)})
    assert passed.status_code == 200, passed.text
    service.clock.advance(seconds=STEP_LEASE.total_seconds() * 3)
    again = service.mfa("verify", token, {"factor": "otp", "otp": service.code(secret)})
    assert again.status_code == 403
    assert "already completed" in again.json()["error_description"]


def test_a_call_that_outlived_its_lease_neither_passes_nor_frees_the_step_taken_over(service):
    """A slow call (its worker stalled past the lease) must not pass a step another request
    has taken over since, nor give that request's claim back when it ends."""
    secret, _ = service.enroll_otp("auth0|slow")
    token = service.login(login_event("auth0|slow")).json()["mfa_token"]
    tenants = service.tenants
    txn = tenants.tokens.read(token, now=service.clock.now)
    state = service.client.app.state.contextmfa
    stalled = MfaSession(tenants.get(txn.tenant_id), txn, service.clock.now, state)
    slow = holding_step(stalled, passes=True)
    slow.__enter__()
    service.clock.advance(seconds=STEP_LEASE.total_seconds() + 1)
    taken_over = MfaSession(tenants.get(txn.tenant_id), txn, service.clock.now, state)
    with holding_step(taken_over, passes=False):  # another request holds the step now
        with pytest.raises(InvalidGrant, match="took longer than its hold"):
            slow.__exit__(None, None, None)
        refused = service.mfa("verify", token, {"factor": "otp", "otp": service.code(secret)})
        assert refused.status_code == 403
        assert "under way" in refused.json()["error_description"]
    passed = service.mfa("verify", token, {"factor": "otp", "otp": service.code(secret)})
    assert passed.status_code == 200, passed.text


def test_a_call_that_waited_for_a_thread_still_holds_the_step_for_a_whole_lease(service):
    """The session's time is read when the request arrives; a call that then waited (threads
    busy) must take its lease from the clock, or another request could run beside it."""
    token = service.login(login_event("auth0|queued")).json()["mfa_token"]
    tenants = service.tenants
    txn = tenants.tokens.read(token, now=service.clock.now)
    arrived = MfaSession(
        tenants.get(txn.tenant_id), txn, service.clock.now, service.client.app.state.contextmfa
    )
    service.clock.advance(seconds=STEP_LEASE.total_seconds() + 10)
    with holding_step(arrived, passes=False):
        beside = service.mfa("enroll", token, {"factor": "otp"})
        assert beside.status_code == 403
        assert "under way" in beside.json()["error_description"]
