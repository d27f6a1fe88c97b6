"""No secret, code or key in a log line, an error, a repr or the audit log, across every factor."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from factor_helpers import (
    TENANT,
    PushDevice,
    SoftAuthenticator,
    code_in,
    outbox,
    received_push,
    wrong,
)

from contextmfa.factors import Answer, EnrollRequest, FactorError
from contextmfa.factors.otp import time_step, totp_code


def test_nothing_secret_leaks(factors, subject, clock, store, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    secrets: list[str] = []
    shown: list[object] = []

    def attempt(call, *args, **kwargs):
        try:
            result = call(*args, **kwargs)
        except FactorError as error:
            shown.extend([error, str(error), error.description])
            return None
        shown.append(result)
        return result

    # otp: the seed, its codes, a failure and a replay
    started = attempt(factors["otp"].enroll, subject, EnrollRequest(), now=clock.now)
    code = totp_code(started.secret, time_step(clock.now))
    secrets += [started.secret, code]
    enrolled = attempt(factors["otp"].confirm_enrollment, subject, Answer(otp=code), now=clock.now)
    secrets.append(enrolled.recovery_code)
    attempt(factors["otp"].verify, subject, Answer(otp=code), now=clock.now)
    attempt(factors["otp"].verify, subject, Answer(otp=wrong(code)), now=clock.now)
    secrets.append(wrong(code))

    # sms: the code sent, a wrong try, the right one
    started = attempt(
        factors["sms"].enroll, subject, EnrollRequest(phone_number="+31612345678"), now=clock.now
    )
    sms = code_in(outbox(store, "sms")[0].body)
    secrets.append(sms)
    for typed in (wrong(sms), sms):
        attempt(
            factors["sms"].confirm_enrollment,
            subject,
            Answer(oob_code=started.oob_code, binding_code=typed),
            now=clock.now,
        )

    # push: the ticket, the nonce, a forged and a wrong-number answer
    device = PushDevice()
    ticket = attempt(factors["push-notification"].enroll, subject, EnrollRequest(), now=clock.now)
    secrets.append(ticket.oob_code)
    factors["push-notification"].register_device(
        TENANT, ticket.oob_code, now=clock.now, **device.enrollment(TENANT, ticket.oob_code)
    )
    attempt(
        factors["push-notification"].confirm_enrollment,
        subject,
        Answer(oob_code=ticket.oob_code),
        now=clock.now,
    )
    issued = attempt(factors["push-notification"].challenge, subject, now=clock.now)
    push = received_push(store)
    secrets.append(push["nonce"])
    thief = PushDevice(device.push_target)
    for answering, number in ((thief, issued.binding_code), (device, "00")):
        attempt(
            factors["push-notification"].respond,
            TENANT,
            issued.oob_code,
            now=clock.now,
            **answering.answer(push, number),
        )

    # recovery code: a wrong one, the right one, the fresh one
    recovery = enrolled.recovery_code
    attempt(factors["recovery-code"].verify, subject, Answer(recovery_code="Z" * 24), now=clock.now)
    fresh = attempt(
        factors["recovery-code"].verify, subject, Answer(recovery_code=recovery), now=clock.now
    )
    secrets.append(fresh.recovery_code)

    # webauthn: a refused assertion
    key = SoftAuthenticator()
    reg = attempt(factors["webauthn-roaming"].enroll, subject, EnrollRequest(), now=clock.now)
    attempt(
        factors["webauthn-roaming"].confirm_enrollment,
        subject,
        Answer(oob_code=reg.oob_code, credential=key.register(reg.options)),
        now=clock.now,
    )
    challenge = attempt(factors["webauthn-roaming"].challenge, subject, now=clock.now)
    attempt(
        factors["webauthn-roaming"].verify,
        subject,
        Answer(
            oob_code=challenge.oob_code,
            credential=key.assertion(challenge.options, origin="https://evil.example"),
        ),
        now=clock.now,
    )

    assert len(shown) > 15 and any(isinstance(s, FactorError) for s in shown)
    visible = "\n".join(
        [caplog.text]
        + [repr(s) for s in shown]
        + [repr(e) for e in store.audit.list(TENANT, limit=1000)]
        + [repr(m) for m in store.outbox.list(TENANT, limit=1000)]
        + [repr(a) for a in store.authenticators.for_user(TENANT, subject.user_id)]
        + [repr(Answer(otp=code, binding_code=sms, recovery_code=recovery, oob_code="x"))]
    )
    assert caplog.records, "the factors log what they do"
    for secret in secrets:
        assert secret and secret not in visible


@pytest.mark.parametrize(
    "value",
    ["secret", "otpauth_uri", "qr_svg", "oob_code", "ticket_uri", "options"],
)
def test_enrollment_result_hides_its_secrets(value) -> None:
    from contextmfa.factors.results import EnrollmentStarted

    field = {f.name: f for f in dataclasses.fields(EnrollmentStarted)}[value]
    assert field.repr is False
