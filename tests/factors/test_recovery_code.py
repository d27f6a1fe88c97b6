"""Recovery codes: issued once with the first enrollment, hashed, single use, renewed on use."""

from __future__ import annotations

import pytest
from factor_helpers import TENANT, code_in, outbox

from contextmfa.factors import (
    Answer,
    AssociationRequired,
    EnrollRequest,
    InvalidGrant,
    InvalidRequest,
    TooManyAttempts,
)
from contextmfa.factors.codes import RECOVERY_ALPHABET


def _first_code(factors, subject, clock, store) -> str:
    """The code that comes with a first enrollment (an address confirmed by its code)."""
    started = factors["email"].enroll(subject, EnrollRequest(), now=clock.now)
    code = code_in(outbox(store, "email")[0].body)
    answer = Answer(oob_code=started.oob_code, binding_code=code)
    enrolled = factors["email"].confirm_enrollment(subject, answer, now=clock.now)
    assert enrolled.recovery_code is not None
    return enrolled.recovery_code


def test_code_shape(factors, subject, clock, store) -> None:
    code = _first_code(factors, subject, clock, store)
    assert len(code) == 24 and all(c in RECOVERY_ALPHABET for c in code)


def test_stored_only_as_hash(factors, subject, clock, store) -> None:
    code = _first_code(factors, subject, clock, store)
    rows = store.authenticators.for_user(TENANT, subject.user_id)
    stored = [a for a in rows if a.type == "recovery-code"]
    assert len(stored) == 1
    assert code.encode() not in (stored[0].secret or b"")
    assert code not in repr(stored[0]) and code not in str(stored[0].public)


def test_use_returns_fresh_code_and_spends_old(factors, subject, clock, store) -> None:
    code = _first_code(factors, subject, clock, store)
    verified = factors["recovery-code"].verify(subject, Answer(recovery_code=code), now=clock.now)
    assert verified.factor == "recovery-code"
    assert verified.recovery_code and verified.recovery_code != code
    with pytest.raises(InvalidGrant):
        factors["recovery-code"].verify(subject, Answer(recovery_code=code), now=clock.now)
    fresh = verified.recovery_code
    spaced = "-".join(fresh[i : i + 4] for i in range(0, 24, 4)).lower()
    again = factors["recovery-code"].verify(subject, Answer(recovery_code=spaced), now=clock.now)
    assert again.recovery_code not in (code, fresh)


def test_same_code_cannot_pass_twice_even_if_row_survives(factors, subject, clock, store) -> None:
    code = _first_code(factors, subject, clock, store)
    row = next(
        a
        for a in store.authenticators.for_user(TENANT, subject.user_id)
        if a.type == "recovery-code"
    )
    digest = row.secret.decode()
    assert store.single_use.claim(TENANT, "recovery-code", digest, now=clock.now)
    with pytest.raises(InvalidGrant, match="already used"):
        factors["recovery-code"].verify(subject, Answer(recovery_code=code), now=clock.now)


def test_failures_are_rate_limited_without_checking(factors, subject, clock, store) -> None:
    code = _first_code(factors, subject, clock, store)
    for _ in range(10):
        with pytest.raises(InvalidGrant):
            factors["recovery-code"].verify(subject, Answer(recovery_code="A" * 24), now=clock.now)
    with pytest.raises(TooManyAttempts) as refused:
        factors["recovery-code"].verify(subject, Answer(recovery_code=code), now=clock.now)
    assert refused.value.retry_after == 360
    clock.advance(360)
    assert factors["recovery-code"].verify(subject, Answer(recovery_code=code), now=clock.now)


def test_not_enrollable_and_needs_a_code(factors, subject, clock, store) -> None:
    with pytest.raises(InvalidRequest):
        factors["recovery-code"].enroll(subject, EnrollRequest(), now=clock.now)
    with pytest.raises(AssociationRequired):
        factors["recovery-code"].verify(subject, Answer(recovery_code="A" * 24), now=clock.now)
