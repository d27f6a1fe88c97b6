"""SMS and voice: E.164 numbers, hashed 6-digit codes, 5 minutes, 5 tries, send limits."""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from factor_helpers import TENANT, code_in, outbox, wrong

from contextmfa.delivery import (
    Delivery,
    DeliveryError,
    OutboxProvider,
    WebhookProvider,
    WebhookSettings,
)
from contextmfa.factors import (
    Answer,
    AssociationRequired,
    EnrollRequest,
    ExpiredToken,
    InvalidGrant,
    InvalidRequest,
    TooManyAttempts,
    build_factors,
)

NUMBER = "+31612345678"


@pytest.mark.parametrize(
    "number",
    ["0612345678", "+3161234", "+1 555 0100", "phone", "", None, "+999123456789"],
)
def test_numbers_must_be_valid_international(factors, subject, clock, number) -> None:
    with pytest.raises(InvalidRequest) as refused:
        factors["sms"].enroll(subject, EnrollRequest(phone_number=number), now=clock.now)
    if number and any(c.isdigit() for c in number):
        assert number not in refused.value.description


def test_enrollment_confirmed_by_code_sent(factors, subject, clock, store) -> None:
    started = factors["sms"].enroll(
        subject, EnrollRequest(phone_number="+31 6 1234 5678"), now=clock.now
    )
    assert started.sent_to == "+3******5678"
    message = outbox(store, "sms")[0]
    assert message.to == NUMBER
    code = code_in(message.body)
    assert message.body.endswith(f"@acme.test #{code}")
    with pytest.raises(InvalidGrant, match="4 tries left"):
        factors["sms"].confirm_enrollment(
            subject, Answer(oob_code=started.oob_code, binding_code=wrong(code)), now=clock.now
        )
    enrolled = factors["sms"].confirm_enrollment(
        subject, Answer(oob_code=started.oob_code, binding_code=code), now=clock.now
    )
    assert enrolled.authenticator_id == started.authenticator_id
    assert enrolled.recovery_code
    with pytest.raises(InvalidRequest, match="already enrolled"):
        factors["sms"].enroll(subject, EnrollRequest(phone_number=NUMBER), now=clock.now)


def _enrolled(factors, subject, clock, store, factor="sms"):
    started = factors[factor].enroll(subject, EnrollRequest(phone_number=NUMBER), now=clock.now)
    code = code_in(outbox(store, factor)[0].body)
    factors[factor].confirm_enrollment(
        subject, Answer(oob_code=started.oob_code, binding_code=code), now=clock.now
    )
    return started.authenticator_id


def test_challenge_and_verify_once(factors, subject, clock, store) -> None:
    authenticator_id = _enrolled(factors, subject, clock, store)
    issued = factors["sms"].challenge(subject, now=clock.now)
    assert issued.challenge_type == "oob" and issued.authenticator_id == authenticator_id
    assert issued.expires_at == clock.now + timedelta(minutes=5)
    code = code_in(outbox(store, "sms")[0].body)
    answer = Answer(oob_code=issued.oob_code, binding_code=code)
    verified = factors["sms"].verify(subject, answer, now=clock.now)
    assert verified.authenticator_id == authenticator_id
    with pytest.raises(InvalidGrant, match="already used"):
        factors["sms"].verify(subject, answer, now=clock.now)


def test_code_stored_hashed(factors, subject, clock, store) -> None:
    _enrolled(factors, subject, clock, store)
    issued = factors["sms"].challenge(subject, now=clock.now)
    code = code_in(outbox(store, "sms")[0].body)
    challenge = store.challenges.get(TENANT, issued.oob_code)
    assert challenge.code_hash and code not in challenge.code_hash
    assert code not in repr(challenge) and code not in str(challenge.data)


def test_code_expires_after_five_minutes(factors, subject, clock, store) -> None:
    _enrolled(factors, subject, clock, store)
    issued = factors["sms"].challenge(subject, now=clock.now)
    code = code_in(outbox(store, "sms")[0].body)
    clock.advance(300)
    with pytest.raises(ExpiredToken) as refused:
        factors["sms"].verify(
            subject, Answer(oob_code=issued.oob_code, binding_code=code), now=clock.now
        )
    assert refused.value.code == "expired_token"


def test_five_tries_per_code(factors, subject, clock, store) -> None:
    _enrolled(factors, subject, clock, store)
    issued = factors["sms"].challenge(subject, now=clock.now)
    code = code_in(outbox(store, "sms")[0].body)
    for _ in range(5):
        with pytest.raises(InvalidGrant):
            factors["sms"].verify(
                subject, Answer(oob_code=issued.oob_code, binding_code=wrong(code)), now=clock.now
            )
    with pytest.raises(TooManyAttempts):
        factors["sms"].verify(
            subject, Answer(oob_code=issued.oob_code, binding_code=code), now=clock.now
        )


def test_ten_wrong_codes_an_hour_whatever_the_number_of_codes(factors, subject, clock, store):
    """New codes buy no more guesses: wrong codes count per user and factor, before comparing."""
    _enrolled(factors, subject, clock, store)
    for _ in range(2):
        issued = factors["sms"].challenge(subject, now=clock.now)
        code = code_in(outbox(store, "sms")[0].body)
        for _ in range(5):
            with pytest.raises(InvalidGrant):
                factors["sms"].verify(
                    subject,
                    Answer(oob_code=issued.oob_code, binding_code=wrong(code)),
                    now=clock.now,
                )
    issued = factors["sms"].challenge(subject, now=clock.now)
    code = code_in(outbox(store, "sms")[0].body)
    with pytest.raises(TooManyAttempts):
        factors["sms"].verify(
            subject, Answer(oob_code=issued.oob_code, binding_code=code), now=clock.now
        )
    clock.advance(360)  # one attempt back; a right code gives its own back
    issued = factors["sms"].challenge(subject, now=clock.now)
    code = code_in(outbox(store, "sms")[0].body)
    right = Answer(oob_code=issued.oob_code, binding_code=code)
    assert factors["sms"].verify(subject, right, now=clock.now).factor == "sms"
    issued = factors["sms"].challenge(subject, now=clock.now)
    guess = Answer(
        oob_code=issued.oob_code, binding_code=wrong(code_in(outbox(store, "sms")[0].body))
    )
    with pytest.raises(InvalidGrant):
        factors["sms"].verify(subject, guess, now=clock.now)
    with pytest.raises(TooManyAttempts):
        factors["sms"].verify(subject, guess, now=clock.now)


def test_send_limit_ten_then_one_per_hour(factors, subject, clock, store) -> None:
    _enrolled(factors, subject, clock, store)  # the enrollment was send 1
    for _ in range(9):
        factors["sms"].challenge(subject, now=clock.now)
    sent = len(outbox(store, "sms"))
    with pytest.raises(TooManyAttempts) as refused:
        factors["sms"].challenge(subject, now=clock.now)
    assert refused.value.retry_after == 3600
    assert len(outbox(store, "sms")) == sent
    clock.advance(3600)
    factors["sms"].challenge(subject, now=clock.now)
    assert len(outbox(store, "sms")) == sent + 1


def test_code_of_another_user_or_factor_is_unknown(factors, subject, clock, store) -> None:
    _enrolled(factors, subject, clock, store)
    issued = factors["sms"].challenge(subject, now=clock.now)
    code = code_in(outbox(store, "sms")[0].body)
    other = type(subject)(TENANT, "auth0|someone-else")
    with pytest.raises(InvalidGrant, match="unknown"):
        factors["sms"].verify(
            other, Answer(oob_code=issued.oob_code, binding_code=code), now=clock.now
        )
    with pytest.raises(AssociationRequired):
        factors["voice"].challenge(subject, now=clock.now)


def test_voice_reads_the_code_digit_by_digit(factors, subject, clock, store) -> None:
    started = factors["voice"].enroll(subject, EnrollRequest(phone_number=NUMBER), now=clock.now)
    body = outbox(store, "voice")[0].body
    assert "verification code is" in body
    code = "".join(body.split("code is ")[1].split(".")[0].split(", "))
    enrolled = factors["voice"].confirm_enrollment(
        subject, Answer(oob_code=started.oob_code, binding_code=code), now=clock.now
    )
    assert enrolled.factor == "voice"


def test_delivery_failure_is_an_error_never_a_pass(services, subject, clock, store) -> None:
    broken = WebhookProvider(WebhookSettings(url="http://127.0.0.1:9/hook", timeout_seconds=2))
    delivery = Delivery(sms=broken, voice=broken, email=OutboxProvider(store.outbox))
    failing = dataclasses.replace(services, delivery=delivery)
    factors = build_factors(failing)
    with pytest.raises(DeliveryError) as failed:
        factors["sms"].enroll(subject, EnrollRequest(phone_number=NUMBER), now=clock.now)
    assert failed.value.code == "mfa_factor_unavailable" and failed.value.status == 503
    assert not store.authenticators.for_user(TENANT, subject.user_id, confirmed_only=False)


def test_concurrent_uses_of_one_code_pass_once(factors, subject, clock, store) -> None:
    _enrolled(factors, subject, clock, store)
    issued = factors["sms"].challenge(subject, now=clock.now)
    answer = Answer(oob_code=issued.oob_code, binding_code=code_in(outbox(store, "sms")[0].body))
    barrier = threading.Barrier(8)

    def use() -> bool:
        barrier.wait()
        try:
            factors["sms"].verify(subject, answer, now=clock.now)
        except InvalidGrant:
            return False
        return True

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: use(), range(8)))
    assert results.count(True) == 1
