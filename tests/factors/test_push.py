"""Push with number matching, end to end with a software device holding a real P-256 key."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from factor_helpers import TENANT, PushDevice, outbox, received_push

from contextmfa.factors import (
    AccessDenied,
    Answer,
    AuthorizationPending,
    EnrollmentStarted,
    EnrollRequest,
    ExpiredToken,
    InvalidGrant,
    InvalidRequest,
    SlowDown,
    TooManyAttempts,
)
from contextmfa.factors import push_protocol as protocol


@pytest.fixture
def push(factors):
    return factors["push-notification"]


@pytest.fixture
def device() -> PushDevice:
    return PushDevice()


def _enroll(push, subject, clock, device) -> str:
    started = push.enroll(subject, EnrollRequest(name="Pixel"), now=clock.now)
    push.register_device(
        TENANT, started.oob_code, now=clock.now, **device.enrollment(TENANT, started.oob_code)
    )
    clock.advance(5)
    return push.confirm_enrollment(subject, Answer(oob_code=started.oob_code), now=clock.now)


def _sign_in(push, subject, clock, store):
    issued = push.challenge(subject, now=clock.now, context={"ip": "203.0.113.7"})
    return issued, received_push(store)


def test_enrollment_ticket_qr_and_polling(push, subject, clock, device, store) -> None:
    started = push.enroll(subject, EnrollRequest(), now=clock.now)
    assert isinstance(started, EnrollmentStarted)
    assert started.ticket_uri.startswith("contextmfa://push/enroll?")
    assert started.oob_code in started.ticket_uri and "<svg" in started.qr_svg
    assert (started.expires_at - clock.now).total_seconds() == 300
    with pytest.raises(AuthorizationPending):
        push.confirm_enrollment(subject, Answer(oob_code=started.oob_code), now=clock.now)
    with pytest.raises(SlowDown) as slow:
        push.confirm_enrollment(subject, Answer(oob_code=started.oob_code), now=clock.now)
    assert slow.value.interval == 5
    registered = push.register_device(
        TENANT, started.oob_code, now=clock.now, **device.enrollment(TENANT, started.oob_code)
    )
    clock.advance(5)
    enrolled = push.confirm_enrollment(subject, Answer(oob_code=started.oob_code), now=clock.now)
    assert enrolled.authenticator_id == registered.authenticator_id
    assert enrolled.recovery_code
    stored = store.authenticators.get(TENANT, enrolled.authenticator_id)
    assert stored.public["public_key"] == device.public_key and stored.secret is None


def test_ticket_is_single_use_and_expires(push, subject, clock, device) -> None:
    started = push.enroll(subject, EnrollRequest(), now=clock.now)
    push.register_device(
        TENANT, started.oob_code, now=clock.now, **device.enrollment(TENANT, started.oob_code)
    )
    thief = PushDevice("fcm:attacker")
    with pytest.raises(InvalidGrant, match="already used"):
        push.register_device(
            TENANT, started.oob_code, now=clock.now, **thief.enrollment(TENANT, started.oob_code)
        )
    late = push.enroll(subject, EnrollRequest(), now=clock.now)
    clock.advance(300)
    with pytest.raises(ExpiredToken):
        push.register_device(
            TENANT, late.oob_code, now=clock.now, **device.enrollment(TENANT, late.oob_code)
        )


def test_enrollment_needs_a_p256_key_and_its_signature(push, subject, clock, device) -> None:
    started = push.enroll(subject, EnrollRequest(), now=clock.now)
    ticket = started.oob_code
    forged = device.enrollment(TENANT, ticket) | {"push_target": "fcm:other"}
    with pytest.raises(InvalidGrant, match="signature"):
        push.register_device(TENANT, ticket, now=clock.now, **forged)
    p384 = ec.generate_private_key(ec.SECP384R1())
    text = protocol.public_key_text(p384.public_key())
    message = protocol.enrollment_message(TENANT, ticket, text, "fcm:x")
    with pytest.raises(InvalidRequest, match="P-256"):
        push.register_device(
            TENANT,
            ticket,
            public_key=text,
            push_target="fcm:x",
            signature=protocol.sign(p384, message),
            now=clock.now,
        )
    with pytest.raises(InvalidGrant, match="unknown"):
        push.register_device(
            "other-tenant", ticket, now=clock.now, **device.enrollment("other-tenant", ticket)
        )


def test_approve_with_the_right_number(push, subject, clock, device, store) -> None:
    enrolled = _enroll(push, subject, clock, device)
    issued, received = _sign_in(push, subject, clock, store)
    assert issued.challenge_type == "oob" and len(issued.binding_code) == 2
    assert 10 <= int(issued.binding_code) <= 99
    # Number matching: the device learns the number only from the login screen.
    assert "number" not in received and issued.binding_code not in received.values()
    assert received["transaction"] == issued.oob_code
    assert received["context"] == {"ip": "203.0.113.7"}
    assert outbox(store, "push")[0].to == device.push_target
    with pytest.raises(AuthorizationPending):
        push.verify(subject, Answer(oob_code=issued.oob_code), now=clock.now)
    answered = push.respond(
        TENANT, issued.oob_code, now=clock.now, **device.answer(received, issued.binding_code)
    )
    assert answered.state == "approved"
    clock.advance(5)
    verified = push.verify(subject, Answer(oob_code=issued.oob_code), now=clock.now)
    assert verified.authenticator_id == enrolled.authenticator_id
    with pytest.raises(InvalidGrant, match="already used"):
        push.verify(subject, Answer(oob_code=issued.oob_code), now=clock.now)


def test_deny(push, subject, clock, device, store) -> None:
    _enroll(push, subject, clock, device)
    issued, received = _sign_in(push, subject, clock, store)
    answer = device.answer(received, issued.binding_code, decision="deny")
    assert push.respond(TENANT, issued.oob_code, now=clock.now, **answer).state == "rejected"
    with pytest.raises(AccessDenied) as denied:
        push.verify(subject, Answer(oob_code=issued.oob_code), now=clock.now)
    assert denied.value.code == "access_denied" and denied.value.status == 403


def test_wrong_number_rejects_the_sign_in(push, subject, clock, device, store) -> None:
    _enroll(push, subject, clock, device)
    issued, received = _sign_in(push, subject, clock, store)
    guess = str(10 + (int(issued.binding_code) - 10 + 1) % 90)
    with pytest.raises(InvalidGrant, match="does not match"):
        push.respond(TENANT, issued.oob_code, now=clock.now, **device.answer(received, guess))
    with pytest.raises(AccessDenied):
        push.verify(subject, Answer(oob_code=issued.oob_code), now=clock.now)
    with pytest.raises(InvalidGrant, match="already answered"):
        push.respond(
            TENANT, issued.oob_code, now=clock.now, **device.answer(received, issued.binding_code)
        )


def test_replayed_approval_is_refused(push, subject, clock, device, store) -> None:
    _enroll(push, subject, clock, device)
    first, received = _sign_in(push, subject, clock, store)
    approval = device.answer(received, first.binding_code)
    push.respond(TENANT, first.oob_code, now=clock.now, **approval)
    with pytest.raises(InvalidGrant, match="already"):
        push.respond(TENANT, first.oob_code, now=clock.now, **approval)
    # The same signed approval sent for a new sign-in does not verify there.
    second, _ = _sign_in(push, subject, clock, store)
    with pytest.raises(InvalidGrant):
        push.respond(TENANT, second.oob_code, now=clock.now, **approval)
    with pytest.raises(AuthorizationPending):
        push.verify(subject, Answer(oob_code=second.oob_code), now=clock.now)


def test_stolen_push_target_alone_approves_nothing(push, subject, clock, device, store) -> None:
    _enroll(push, subject, clock, device)
    issued, received = _sign_in(push, subject, clock, store)
    thief = PushDevice(device.push_target)  # receives the pushes, lacks the device's key
    with pytest.raises(InvalidGrant, match="signature"):
        push.respond(
            TENANT, issued.oob_code, now=clock.now, **thief.answer(received, issued.binding_code)
        )
    unsigned = device.answer(received, issued.binding_code) | {"signature": ""}
    with pytest.raises(InvalidGrant, match="signature"):
        push.respond(TENANT, issued.oob_code, now=clock.now, **unsigned)
    with pytest.raises(AuthorizationPending):
        push.verify(subject, Answer(oob_code=issued.oob_code), now=clock.now)
    # The genuine device can still answer: a forged answer changes nothing.
    push.respond(
        TENANT, issued.oob_code, now=clock.now, **device.answer(received, issued.binding_code)
    )
    clock.advance(5)
    assert push.verify(subject, Answer(oob_code=issued.oob_code), now=clock.now)


def test_expiry(push, subject, clock, device, store) -> None:
    _enroll(push, subject, clock, device)
    issued, received = _sign_in(push, subject, clock, store)
    clock.advance(300)
    with pytest.raises(ExpiredToken):
        push.respond(
            TENANT, issued.oob_code, now=clock.now, **device.answer(received, issued.binding_code)
        )
    with pytest.raises(ExpiredToken) as expired:
        push.verify(subject, Answer(oob_code=issued.oob_code), now=clock.now)
    assert expired.value.code == "expired_token"


def test_slow_down_when_polling_faster_than_five_seconds(
    push, subject, clock, device, store
) -> None:
    _enroll(push, subject, clock, device)
    issued, _ = _sign_in(push, subject, clock, store)
    answer = Answer(oob_code=issued.oob_code)
    with pytest.raises(AuthorizationPending) as pending:
        push.verify(subject, answer, now=clock.now)
    assert pending.value.code == "authorization_pending"
    clock.advance(4.9)
    with pytest.raises(SlowDown) as slow:
        push.verify(subject, answer, now=clock.now)
    assert slow.value.code == "slow_down"
    clock.advance(5)
    with pytest.raises(AuthorizationPending):
        push.verify(subject, answer, now=clock.now)


def test_push_sends_limited_to_five_per_minute(push, subject, clock, device, store) -> None:
    _enroll(push, subject, clock, device)
    for _ in range(5):
        push.challenge(subject, now=clock.now)
    with pytest.raises(TooManyAttempts) as refused:
        push.challenge(subject, now=clock.now)
    assert refused.value.retry_after == 12
    assert len(outbox(store, "push")) == 5
