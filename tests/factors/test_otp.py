"""TOTP: RFC 6238 vectors, oathtool interop, the previous-step window, replay and rate limits."""

from __future__ import annotations

import base64
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from factor_helpers import TENANT

from contextmfa.factors import (
    Answer,
    AssociationRequired,
    EnrollRequest,
    InvalidGrant,
    InvalidRequest,
    TooManyAttempts,
)
from contextmfa.factors.otp import time_step, totp_code
from contextmfa.store.clock import from_posix

RFC_SEED = base64.b32encode(b"12345678901234567890").decode()
# RFC 6238 Appendix B, SHA1 column: (Unix time, TOTP with 8 digits).
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]


@pytest.mark.parametrize(("unix", "expected"), RFC_VECTORS)
def test_rfc6238_vectors_eight_digits(unix: int, expected: str) -> None:
    step = time_step(from_posix(unix))
    assert totp_code(RFC_SEED, step, digits=8) == expected
    assert pyotp.TOTP(RFC_SEED, digits=8).at(unix) == expected


@pytest.mark.parametrize(("unix", "expected"), RFC_VECTORS)
def test_rfc6238_vectors_six_digits_are_the_product_codes(unix: int, expected: str) -> None:
    assert totp_code(RFC_SEED, time_step(from_posix(unix))) == expected[-6:]


def _enroll(factors, subject, clock):
    started = factors["otp"].enroll(subject, EnrollRequest(), now=clock.now)
    code = totp_code(started.secret, time_step(clock.now))
    enrolled = factors["otp"].confirm_enrollment(subject, Answer(otp=code), now=clock.now)
    return started, enrolled


def test_enrollment_gives_seed_uri_and_qr(factors, subject, clock) -> None:
    started = factors["otp"].enroll(subject, EnrollRequest(), now=clock.now)
    assert len(base64.b32decode(started.secret + "=" * (-len(started.secret) % 8))) == 20
    uri = urlsplit(started.otpauth_uri)
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    query = parse_qs(uri.query)
    assert query["secret"] == [started.secret]
    assert query["issuer"] == ["acme.test"]
    assert pyotp.parse_uri(started.otpauth_uri).digits == 6
    assert pyotp.parse_uri(started.otpauth_uri).interval == 30
    assert started.qr_svg.startswith("<svg") and "http://www.w3.org/2000/svg" in started.qr_svg


def test_first_valid_code_confirms_and_issues_recovery_code(factors, subject, clock) -> None:
    started, enrolled = _enroll(factors, subject, clock)
    assert enrolled.authenticator_id == started.authenticator_id
    assert enrolled.recovery_code is not None and len(enrolled.recovery_code) == 24
    assert enrolled.recovery_code.isupper() or enrolled.recovery_code.isdigit()
    second = factors["otp"].enroll(subject, EnrollRequest(name="Backup"), now=clock.now)
    code = totp_code(second.secret, time_step(clock.now))
    again = factors["otp"].confirm_enrollment(subject, Answer(otp=code), now=clock.now)
    assert again.recovery_code is None


def test_wrong_first_code_does_not_confirm(factors, subject, clock) -> None:
    started = factors["otp"].enroll(subject, EnrollRequest(), now=clock.now)
    bad = str((int(totp_code(started.secret, time_step(clock.now))) + 1) % 10**6).zfill(6)
    with pytest.raises(InvalidGrant):
        factors["otp"].confirm_enrollment(subject, Answer(otp=bad), now=clock.now)
    with pytest.raises(AssociationRequired):
        factors["otp"].verify(subject, Answer(otp=bad), now=clock.now)


def test_confirm_without_enrollment_is_invalid_request(factors, subject, clock) -> None:
    with pytest.raises(InvalidRequest):
        factors["otp"].confirm_enrollment(subject, Answer(otp="123456"), now=clock.now)


needs_oathtool = pytest.mark.skipif(
    shutil.which("oathtool") is None,
    reason="oathtool not installed (Debian package oathtool; .ci/run installs it)",
)


@needs_oathtool
def test_oathtool_codes_are_accepted_now(factors, subject) -> None:
    now = datetime.now(UTC)
    started = factors["otp"].enroll(subject, EnrollRequest(), now=now)
    code = subprocess.run(
        ["oathtool", "--totp", "-b", started.secret],
        check=True,
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout.strip()
    assert len(code) == 6 and code.isdigit()
    enrolled = factors["otp"].confirm_enrollment(subject, Answer(otp=code), now=datetime.now(UTC))
    assert enrolled.authenticator_id == started.authenticator_id


@needs_oathtool
def test_oathtool_agrees_at_fixed_times(factors, subject, clock) -> None:
    started = factors["otp"].enroll(subject, EnrollRequest(), now=clock.now)
    for unix in (59, 1111111109, 1234567890, int(clock.now.timestamp())):
        stamp = from_posix(unix).strftime("%Y-%m-%d %H:%M:%S UTC")
        out = subprocess.run(
            ["oathtool", "--totp", "-b", "-N", stamp, started.secret],
            check=True,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        assert out == totp_code(started.secret, time_step(from_posix(unix)))


def test_previous_step_accepted_step_before_refused(factors, subject, clock) -> None:
    started, _ = _enroll(factors, subject, clock)
    clock.advance(30)
    previous = totp_code(started.secret, time_step(clock.now) - 1)
    # The step used for enrollment is the previous step now, so it stays refused as a replay.
    with pytest.raises(InvalidGrant, match="already used"):
        factors["otp"].verify(subject, Answer(otp=previous), now=clock.now)
    clock.advance(30)
    previous = totp_code(started.secret, time_step(clock.now) - 1)
    assert factors["otp"].verify(subject, Answer(otp=previous), now=clock.now).factor == "otp"
    before = totp_code(started.secret, time_step(clock.now) - 2)
    with pytest.raises(InvalidGrant, match="invalid otp code"):
        factors["otp"].verify(subject, Answer(otp=before), now=clock.now)
    future = totp_code(started.secret, time_step(clock.now) + 1)
    with pytest.raises(InvalidGrant):
        factors["otp"].verify(subject, Answer(otp=future), now=clock.now)


def test_replayed_time_step_refused(factors, subject, clock) -> None:
    started, _ = _enroll(factors, subject, clock)
    clock.advance(60)
    code = totp_code(started.secret, time_step(clock.now))
    factors["otp"].verify(subject, Answer(otp=code), now=clock.now)
    with pytest.raises(InvalidGrant, match="already used"):
        factors["otp"].verify(subject, Answer(otp=code), now=clock.now)
    clock.advance(10)
    with pytest.raises(InvalidGrant, match="already used"):
        factors["otp"].verify(subject, Answer(otp=f"{code[:3]} {code[3:]}"), now=clock.now)


def test_eleventh_failure_refused_without_checking_then_refills(
    factors, subject, clock, store
) -> None:
    started, _ = _enroll(factors, subject, clock)
    clock.advance(60)
    for _ in range(10):
        with pytest.raises(InvalidGrant):
            factors["otp"].verify(subject, Answer(otp="000000"), now=clock.now)
    step = time_step(clock.now)
    right = totp_code(started.secret, step)
    with pytest.raises(TooManyAttempts) as refused:
        factors["otp"].verify(subject, Answer(otp=right), now=clock.now)
    assert refused.value.code == "too_many_attempts" and refused.value.status == 429
    assert refused.value.retry_after == 360
    # The code was not looked at: its time step was not claimed by the refused attempt.
    scope = f"otp:{started.authenticator_id}"
    assert store.single_use.claim(TENANT, scope, str(step), now=clock.now) is True

    clock.advance(359)
    with pytest.raises(TooManyAttempts):
        factors["otp"].verify(
            subject, Answer(otp=totp_code(started.secret, time_step(clock.now))), now=clock.now
        )
    clock.advance(1)
    code = totp_code(started.secret, time_step(clock.now))
    assert factors["otp"].verify(subject, Answer(otp=code), now=clock.now).factor == "otp"


def test_malformed_codes_count_as_failures(factors, subject, clock) -> None:
    _enroll(factors, subject, clock)
    for typed in ("12345", "1234567", "abcdef", "", None, "１２３４５６"):
        with pytest.raises(InvalidGrant):
            factors["otp"].verify(subject, Answer(otp=typed), now=clock.now)
    for _ in range(4):
        with pytest.raises(InvalidGrant):
            factors["otp"].verify(subject, Answer(otp="000000"), now=clock.now)
    with pytest.raises(TooManyAttempts):
        factors["otp"].verify(subject, Answer(otp="000000"), now=clock.now)


def test_verify_without_enrollment_needs_association(factors, subject, clock) -> None:
    with pytest.raises(AssociationRequired) as refused:
        factors["otp"].verify(subject, Answer(otp="123456"), now=clock.now)
    assert refused.value.code == "association_required"
    with pytest.raises(AssociationRequired):
        factors["otp"].challenge(subject, now=clock.now)


def test_challenge_names_the_authenticator(factors, subject, clock) -> None:
    started, _ = _enroll(factors, subject, clock)
    issued = factors["otp"].challenge(subject, now=clock.now)
    assert (issued.challenge_type, issued.authenticator_id) == ("otp", started.authenticator_id)


def test_concurrent_uses_of_one_code_pass_once(factors, subject, clock) -> None:
    started, _ = _enroll(factors, subject, clock)
    clock.advance(60)
    code = totp_code(started.secret, time_step(clock.now))
    barrier = threading.Barrier(8)

    def use() -> bool:
        barrier.wait()
        try:
            factors["otp"].verify(subject, Answer(otp=code), now=clock.now)
        except InvalidGrant:
            return False
        return True

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: use(), range(8)))
    assert results.count(True) == 1
