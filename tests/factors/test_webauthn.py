"""WebAuthn: real recorded browser payloads, and a software authenticator for every refusal."""

from __future__ import annotations

import dataclasses

import pytest
from factor_helpers import RP_ID, TENANT, SoftAuthenticator
from webauthn.helpers import base64url_to_bytes

from contextmfa.factors import (
    Answer,
    AssociationRequired,
    EnrollRequest,
    InvalidGrant,
    InvalidRequest,
    TooManyAttempts,
    WebAuthnSettings,
    build_factors,
)


def _register(factor, subject, clock, authenticator: SoftAuthenticator):
    started = factor.enroll(subject, EnrollRequest(), now=clock.now)
    credential = authenticator.register(started.options)
    return factor.confirm_enrollment(
        subject, Answer(oob_code=started.oob_code, credential=credential), now=clock.now
    )


def _sign_in(factor, subject, clock, authenticator, **forge):
    issued = factor.challenge(subject, now=clock.now)
    credential = authenticator.assertion(issued.options, **forge)
    return factor.verify(
        subject, Answer(oob_code=issued.oob_code, credential=credential), now=clock.now
    )


@pytest.mark.parametrize(
    ("factor_name", "attachment", "platform", "fmt"),
    [
        ("webauthn-roaming", "cross-platform", False, "packed"),
        ("webauthn-platform", "platform", True, "none"),
    ],
)
def test_register_and_authenticate(
    factors, subject, clock, store, factor_name, attachment, platform, fmt
) -> None:
    factor = factors[factor_name]
    key = SoftAuthenticator(platform=platform, fmt=fmt)
    started = factor.enroll(subject, EnrollRequest(), now=clock.now)
    options = started.options
    assert options["rp"] == {"name": "Acme", "id": RP_ID}
    assert options["authenticatorSelection"]["authenticatorAttachment"] == attachment
    assert {p["alg"] for p in options["pubKeyCredParams"]} >= {-7, -257}
    enrolled = factor.confirm_enrollment(
        subject,
        Answer(oob_code=started.oob_code, credential=key.register(options)),
        now=clock.now,
    )
    assert enrolled.recovery_code
    stored = store.authenticators.get(TENANT, enrolled.authenticator_id)
    assert stored.type == factor_name and stored.confirmed
    assert stored.public["fmt"] == fmt and stored.public["transports"] == ["usb", "nfc"]
    assert stored.sign_count == (0 if platform else 1)

    for _ in range(2):
        verified = _sign_in(factor, subject, clock, key)
        assert verified.authenticator_id == enrolled.authenticator_id and verified.user_verified
    assert store.authenticators.get(TENANT, stored.id).sign_count == (0 if platform else 3)


def test_options_exclude_registered_credentials(factors, subject, clock) -> None:
    key = SoftAuthenticator()
    _register(factors["webauthn-roaming"], subject, clock, key)
    started = factors["webauthn-platform"].enroll(subject, EnrollRequest(), now=clock.now)
    excluded = [c["id"] for c in started.options["excludeCredentials"]]
    assert excluded == [key.register(started.options)["id"]]
    again = factors["webauthn-roaming"].enroll(subject, EnrollRequest(), now=clock.now)
    answer = Answer(oob_code=again.oob_code, credential=key.register(again.options))
    with pytest.raises(InvalidRequest, match="already registered"):
        factors["webauthn-roaming"].confirm_enrollment(subject, answer, now=clock.now)


def test_sign_count_regression_refused(factors, subject, clock, store) -> None:
    factor = factors["webauthn-roaming"]
    key = SoftAuthenticator()
    enrolled = _register(factor, subject, clock, key)
    _sign_in(factor, subject, clock, key)  # count 2
    for replayed in (2, 1):
        with pytest.raises(InvalidGrant, match="sign count"):
            _sign_in(factor, subject, clock, key, counter=replayed)
    assert store.authenticators.get(TENANT, enrolled.authenticator_id).sign_count == 2
    assert _sign_in(factor, subject, clock, key, counter=40)


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        ({"origin": "https://acme.test.evil.example"}, "origin"),
        ({"rp_id": "evil.example"}, "RP ID"),
        ({"challenge": "c3RhbGUtY2hhbGxlbmdl"}, "challenge"),
    ],
)
def test_phished_assertions_refused(factors, subject, clock, forge, reason) -> None:
    factor = factors["webauthn-roaming"]
    key = SoftAuthenticator()
    _register(factor, subject, clock, key)
    with pytest.raises(InvalidGrant, match=reason):
        _sign_in(factor, subject, clock, key, **forge)


def test_registration_from_wrong_origin_or_rp_refused(factors, subject, clock) -> None:
    factor = factors["webauthn-platform"]
    started = factor.enroll(subject, EnrollRequest(), now=clock.now)
    key = SoftAuthenticator(platform=True)
    for credential in (
        key.register(started.options, origin="https://evil.example"),
        key.register(started.options, rp_id="evil.example"),
    ):
        with pytest.raises(InvalidGrant, match="registration refused"):
            factor.confirm_enrollment(
                subject, Answer(oob_code=started.oob_code, credential=credential), now=clock.now
            )


def test_ceremony_is_single_use(factors, subject, clock) -> None:
    factor = factors["webauthn-roaming"]
    key = SoftAuthenticator()
    _register(factor, subject, clock, key)
    issued = factor.challenge(subject, now=clock.now)
    credential = key.assertion(issued.options)
    answer = Answer(oob_code=issued.oob_code, credential=credential)
    factor.verify(subject, answer, now=clock.now)
    with pytest.raises(InvalidGrant, match="already used"):
        factor.verify(subject, answer, now=clock.now)


def test_unknown_credential_and_no_enrollment(factors, subject, clock) -> None:
    factor = factors["webauthn-roaming"]
    with pytest.raises(AssociationRequired):
        factor.challenge(subject, now=clock.now)
    _register(factor, subject, clock, SoftAuthenticator())
    with pytest.raises(InvalidGrant, match="unknown credential"):
        _sign_in(factor, subject, clock, SoftAuthenticator())
    with pytest.raises(AssociationRequired):
        factors["webauthn-platform"].challenge(subject, now=clock.now)


def test_failures_limited_to_fifteen_per_minute(factors, subject, clock) -> None:
    factor = factors["webauthn-roaming"]
    key = SoftAuthenticator()
    _register(factor, subject, clock, key)
    for _ in range(15):
        with pytest.raises(InvalidGrant):
            _sign_in(factor, subject, clock, key, origin="https://evil.example")
    with pytest.raises(TooManyAttempts) as refused:
        _sign_in(factor, subject, clock, key)
    assert refused.value.retry_after == 4
    clock.advance(4)
    assert _sign_in(factor, subject, clock, key)


# Recorded browser payloads published with py_webauthn's test suite (BSD-3-Clause), for the RP
# "localhost" at http://localhost:5000: a security key's registration (attestation "none",
# counter 23) and an assertion by an EC2 credential whose stored counter is 77.

REAL_KEY_ID = (
    "9y1xA8Tmg1FEmT-c7_fvWZ_uoTuoih3OvR45_oAK-cwHWhAbXrl2q62iLVTjiyEZ7O7n-CROOY494k7Q3xrs_w"
)
REAL_REGISTRATION = {
    "id": REAL_KEY_ID,
    "rawId": REAL_KEY_ID,
    "response": {
        "attestationObject": (
            "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVjESZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2NF"
            "AAAAFwAAAAAAAAAAAAAAAAAAAAAAQPctcQPE5oNRRJk_nO_371mf7qE7qIodzr0eOf6ACvnMB1oQG165dqut"
            "oi1U44shGezu5_gkTjmOPeJO0N8a7P-lAQIDJiABIVggSFbUJF-42Ug3pdM8rDRFu_N5oiVEysPDB6n66r_7"
            "dZAiWCDUVnB39FlGypL-qAoIO9xWHtJygo2jfDmHl-_eKFRLDA"
        ),
        "clientDataJSON": (
            "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiVHdON240V1R5R0tMYzRaWS1xR3NGcUtu"
            "SE00bmdscXN5VjBJQ0psTjJUTzlYaVJ5RnRya2FEd1V2c3FsLWdrTEpYUDZmbkYxTWxyWjUzTW00UjdDdnci"
            "LCJvcmlnaW4iOiJodHRwOi8vbG9jYWxob3N0OjUwMDAiLCJjcm9zc09yaWdpbiI6ZmFsc2V9"
        ),
        "transports": ["nfc", "usb"],
    },
    "type": "public-key",
    "clientExtensionResults": {},
}
REAL_REGISTRATION_CHALLENGE = (
    "TwN7n4WTyGKLc4ZY-qGsFqKnHM4nglqsyV0ICJlN2TO9XiRyFtrkaDwUvsql-gkLJXP6fnF1MlrZ53Mm4R7Cvw"
)
REAL_ASSERTION_ID = (
    "EDx9FfAbp4obx6oll2oC4-CZuDidRVV4gZhxC529ytlnqHyqCStDUwfNdm1SNHAe3X5KvueWQdAX3x9R1a2b9Q"
)
REAL_ASSERTION = {
    "id": REAL_ASSERTION_ID,
    "rawId": REAL_ASSERTION_ID,
    "response": {
        "authenticatorData": "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MBAAAATg",
        "clientDataJSON": (
            "eyJjaGFsbGVuZ2UiOiJ4aTMwR1BHQUZZUnhWRHBZMXNNMTBEYUx6VlFHNjZudi1fN1JVYXpIMHZJMll2RzhM"
            "WWdERW52TjVmWlpOVnV2RUR1TWk5dGUzVkxxYjQyTjBma0xHQSIsImNsaWVudEV4dGVuc2lvbnMiOnt9LCJo"
            "YXNoQWxnb3JpdGhtIjoiU0hBLTI1NiIsIm9yaWdpbiI6Imh0dHA6Ly9sb2NhbGhvc3Q6NTAwMCIsInR5cGUi"
            "OiJ3ZWJhdXRobi5nZXQifQ"
        ),
        "signature": (
            "MEUCIGisVZOBapCWbnJJvjelIzwpixxIwkjCCb5aCHafQu68AiEA88v-2pJNNApPFwAKFiNuf82-2hBxYW5k"
            "GwVweeoxCwo"
        ),
    },
    "type": "public-key",
    "clientExtensionResults": {},
}
REAL_ASSERTION_CHALLENGE = (
    "xi30GPGAFYRxVDpY1sM10DaLzVQG66nv-_7RUazH0vI2YvG8LYgDEnvN5fZZNVuvEDuMi9te3VLqb42N0fkLGA"
)
REAL_ASSERTION_KEY = (
    "pQECAyYgASFYIIeDTe-gN8A-zQclHoRnGFWN8ehM1b7yAsa8I8KIvmplIlgg4nFGT5px8o6gpPZZhO01wdy9crDSA_Ng"
    "tkx0vGpvPHI"
)


@pytest.fixture
def localhost_factors(services):
    rp = WebAuthnSettings(rp_id="localhost", rp_name="Local", origins=("http://localhost:5000",))
    settings = dataclasses.replace(services.settings, webauthn=rp)
    return build_factors(dataclasses.replace(services, settings=settings))


def test_real_security_key_registration(localhost_factors, subject, clock, store, entropy) -> None:
    factor = localhost_factors["webauthn-roaming"]
    entropy.queued.append(base64url_to_bytes(REAL_REGISTRATION_CHALLENGE))
    started = factor.enroll(subject, EnrollRequest(name="YubiKey"), now=clock.now)
    assert started.options["challenge"] == REAL_REGISTRATION_CHALLENGE
    enrolled = factor.confirm_enrollment(
        subject, Answer(oob_code=started.oob_code, credential=REAL_REGISTRATION), now=clock.now
    )
    stored = store.authenticators.get(TENANT, enrolled.authenticator_id)
    assert stored.name == "YubiKey" and stored.sign_count == 23
    assert stored.public["credential_id"] == REAL_REGISTRATION["id"]
    assert stored.public["aaguid"] == "00000000-0000-0000-0000-000000000000"


def test_real_assertion_moves_the_counter(
    localhost_factors, subject, clock, store, entropy
) -> None:
    factor = localhost_factors["webauthn-roaming"]
    added = store.authenticators.add(
        TENANT,
        subject.user_id,
        "webauthn-roaming",
        name="Security key",
        public={"credential_id": REAL_ASSERTION["id"], "public_key": REAL_ASSERTION_KEY},
        secret=None,
        confirmed=True,
        now=clock.now,
    )
    assert store.authenticators.compare_and_set_sign_count(TENANT, added.id, 0, 77)
    entropy.queued.append(base64url_to_bytes(REAL_ASSERTION_CHALLENGE))
    issued = factor.challenge(subject, now=clock.now)
    answer = Answer(oob_code=issued.oob_code, credential=REAL_ASSERTION)
    assert factor.verify(subject, answer, now=clock.now).authenticator_id == added.id
    assert store.authenticators.get(TENANT, added.id).sign_count == 78
    # Replaying the recorded assertion in a new ceremony with the same challenge: counter 78 is
    # not above the stored 78, so it is refused even though the signature is genuine.
    entropy.queued.append(base64url_to_bytes(REAL_ASSERTION_CHALLENGE))
    again = factor.challenge(subject, now=clock.now)
    with pytest.raises(InvalidGrant, match="sign count"):
        factor.verify(
            subject, Answer(oob_code=again.oob_code, credential=REAL_ASSERTION), now=clock.now
        )
