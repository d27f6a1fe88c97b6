"""Email: every address proven by a code before it is confirmed; codes through real SMTP."""

from __future__ import annotations

import dataclasses

import pytest
from aiosmtpd.controller import Controller
from factor_helpers import TENANT, code_in, outbox, wrong
from local_servers import MailSink, free_port

from contextmfa.delivery import Delivery, SmtpProvider, SmtpSettings
from contextmfa.factors import (
    Answer,
    AssociationRequired,
    Enrolled,
    EnrollmentStarted,
    EnrollRequest,
    InvalidGrant,
    InvalidRequest,
    TooManyAttempts,
    build_factors,
)


@pytest.fixture
def smtp_server():
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield sink, controller.port
    finally:
        controller.stop()


def test_a_verified_email_is_challenged_and_confirmed_only_by_its_code(
    factors, subject, clock, store
) -> None:
    """The IdP's "verified" alone confirms nothing and issues no recovery code."""
    issued = factors["email"].challenge(subject, now=clock.now)
    assert issued.sent_to == "s***@acme.test"
    (pending,) = store.authenticators.for_user(TENANT, subject.user_id, confirmed_only=False)
    assert (pending.type, pending.confirmed) == ("email", False)
    assert store.authenticators.for_user(TENANT, subject.user_id) == []
    code = code_in(outbox(store, "email")[0].body)
    with pytest.raises(InvalidGrant):
        factors["email"].verify(
            subject, Answer(oob_code=issued.oob_code, binding_code=wrong(code)), now=clock.now
        )
    assert store.authenticators.for_user(TENANT, subject.user_id) == []
    verified = factors["email"].verify(
        subject, Answer(oob_code=issued.oob_code, binding_code=code), now=clock.now
    )
    assert (verified.authenticator_id, verified.recovery_code) == (pending.id, None)
    (confirmed,) = store.authenticators.for_user(TENANT, subject.user_id)
    assert confirmed.id == pending.id and confirmed.public["implicit"] is True


def test_a_second_challenge_reuses_the_pending_address(factors, subject, clock, store) -> None:
    factors["email"].challenge(subject, now=clock.now)
    factors["email"].challenge(subject, now=clock.now)
    rows = store.authenticators.for_user(TENANT, subject.user_id, confirmed_only=False)
    assert len(rows) == 1


def test_enrolling_the_verified_address_sends_a_code(factors, subject, clock, store) -> None:
    started = factors["email"].enroll(subject, EnrollRequest(), now=clock.now)
    assert isinstance(started, EnrollmentStarted) and started.sent_to == "s***@acme.test"
    assert store.authenticators.for_user(TENANT, subject.user_id) == []
    code = code_in(outbox(store, "email")[0].body)
    enrolled = factors["email"].confirm_enrollment(
        subject, Answer(oob_code=started.oob_code, binding_code=code), now=clock.now
    )
    assert isinstance(enrolled, Enrolled) and enrolled.recovery_code


def test_an_unverified_address_cannot_be_challenged_without_enrolling(
    factors, subject, clock
) -> None:
    unverified = dataclasses.replace(subject, email_verified=False)
    with pytest.raises(AssociationRequired):
        factors["email"].challenge(unverified, now=clock.now)


def test_unverified_or_other_address_is_confirmed_by_code(factors, subject, clock, store) -> None:
    unverified = dataclasses.replace(subject, email_verified=False)
    started = factors["email"].enroll(unverified, EnrollRequest(), now=clock.now)
    assert isinstance(started, EnrollmentStarted) and started.sent_to == "s***@acme.test"
    code = code_in(outbox(store, "email")[0].body)
    with pytest.raises(InvalidGrant):
        factors["email"].confirm_enrollment(
            unverified, Answer(oob_code=started.oob_code, binding_code=wrong(code)), now=clock.now
        )
    enrolled = factors["email"].confirm_enrollment(
        unverified, Answer(oob_code=started.oob_code, binding_code=code), now=clock.now
    )
    assert enrolled.authenticator_id == started.authenticator_id
    other = factors["email"].enroll(
        subject, EnrollRequest(email="s@private.example"), now=clock.now
    )
    assert isinstance(other, EnrollmentStarted)
    assert outbox(store, "email")[0].to == "s@private.example"


@pytest.mark.parametrize("address", ["no-at-sign", "a@b", "two@@at.example", "sp ace@x.example"])
def test_bad_addresses(factors, subject, clock, address) -> None:
    with pytest.raises(InvalidRequest):
        factors["email"].enroll(subject, EnrollRequest(email=address), now=clock.now)


def test_code_through_a_real_smtp_server(services, subject, clock, smtp_server) -> None:
    sink, port = smtp_server
    provider = SmtpProvider(
        SmtpSettings(host="127.0.0.1", port=port, security="none", sender="mfa@acme.test")
    )
    factors = build_factors(dataclasses.replace(services, delivery=Delivery(email=provider)))
    issued = factors["email"].challenge(subject, now=clock.now)
    assert issued.sent_to == "s***@acme.test"
    recipients, mail = sink.messages[-1]
    assert recipients == ["sanne.devries@acme.test"]
    assert mail["Subject"] == "Your acme.test verification code"
    assert mail["From"] == "mfa@acme.test"
    code = code_in(mail.get_content())
    verified = factors["email"].verify(
        subject, Answer(oob_code=issued.oob_code, binding_code=code), now=clock.now
    )
    assert verified.authenticator_id == issued.authenticator_id


def test_email_send_limit(factors, subject, clock, store) -> None:
    for _ in range(20):
        factors["email"].challenge(subject, now=clock.now)
    with pytest.raises(TooManyAttempts) as refused:
        factors["email"].challenge(subject, now=clock.now)
    assert refused.value.retry_after == 60
    assert len(store.outbox.list(TENANT, channel="email")) == 20
