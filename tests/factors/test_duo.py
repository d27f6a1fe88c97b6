"""Duo Universal Prompt through duo_universal, against a local stand-in for Duo over real TLS.

The stand-in (tests/duo_stand_in.py) checks what Duo checks (HS512 client assertions with the
right audience, the authorization code, the redirect URI) and answers as Duo does (an HS512 ID
token with the username, nonce and auth_result). The test plays the browser and the prompt in
between.
"""

from __future__ import annotations

import dataclasses

import pytest
from duo_stand_in import CLIENT_ID, CLIENT_SECRET, serve_duo_stand_in

from contextmfa.factors import (
    AccessDenied,
    Answer,
    DuoSettings,
    EnrollRequest,
    FactorUnavailable,
    InvalidGrant,
    InvalidRequest,
    build_factors,
)

# Duo issues 40-character client secrets; PyJWT warns that this is short for HS512.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

REDIRECT = "https://acme.test/duo/callback"


@pytest.fixture(scope="module")
def duo(tmp_path_factory):
    with serve_duo_stand_in(tmp_path_factory.mktemp("duo-tls"), REDIRECT) as server:
        yield server


@pytest.fixture
def duo_factor(services, duo):
    duo.healthy = True
    settings = DuoSettings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        api_host=duo.host,
        redirect_uri=REDIRECT,
        ca_certs=str(duo.cert),
    )
    configured = dataclasses.replace(services.settings, duo=settings)
    return build_factors(dataclasses.replace(services, settings=configured))["duo"]


def test_health_check(duo_factor, clock) -> None:
    assert duo_factor.health_check(now=clock.now).timestamp > 0


def test_unhealthy_duo_is_unavailable_not_a_pass(duo_factor, duo, subject, clock) -> None:
    duo.healthy = False
    with pytest.raises(FactorUnavailable) as refused:
        duo_factor.challenge(subject, now=clock.now)
    assert refused.value.code == "mfa_factor_unavailable" and refused.value.status == 503


def test_untrusted_certificate_is_unavailable(services, duo, subject, clock) -> None:
    settings = DuoSettings(CLIENT_ID, CLIENT_SECRET, duo.host, REDIRECT)  # Duo's pinned CAs
    configured = dataclasses.replace(services.settings, duo=settings)
    factor = build_factors(dataclasses.replace(services, settings=configured))["duo"]
    with pytest.raises(FactorUnavailable):
        factor.health_check(now=clock.now)


def test_unconfigured(factors, subject, clock) -> None:
    with pytest.raises(FactorUnavailable, match="not configured"):
        factors["duo"].challenge(subject, now=clock.now)
    with pytest.raises(InvalidRequest):
        factors["duo"].enroll(subject, EnrollRequest(), now=clock.now)


def test_redirect_and_code_exchange(duo_factor, duo, subject, clock) -> None:
    issued = duo_factor.challenge(subject, now=clock.now)
    assert issued.challenge_type == "redirect"
    assert issued.redirect_url.startswith(f"https://{duo.host}/oauth/v1/authorize?")
    back = duo.prompt(issued.redirect_url)
    assert back["state"] == issued.oob_code
    answer = Answer(oob_code=back["state"], binding_code=back["duo_code"])
    assert duo_factor.verify(subject, answer, now=clock.now).factor == "duo"
    with pytest.raises(InvalidGrant, match="already used"):
        duo_factor.verify(subject, answer, now=clock.now)


def test_denied_by_duo(duo_factor, duo, subject, clock) -> None:
    issued = duo_factor.challenge(subject, now=clock.now)
    back = duo.prompt(issued.redirect_url, result="deny")
    with pytest.raises(AccessDenied):
        duo_factor.verify(
            subject, Answer(oob_code=back["state"], binding_code=back["duo_code"]), now=clock.now
        )


def test_forged_code_or_state(duo_factor, duo, subject, clock) -> None:
    issued = duo_factor.challenge(subject, now=clock.now)
    with pytest.raises(InvalidGrant, match="did not accept"):
        duo_factor.verify(
            subject, Answer(oob_code=issued.oob_code, binding_code="forged"), now=clock.now
        )
    other = duo_factor.challenge(subject, now=clock.now)
    back = duo.prompt(other.redirect_url)
    with pytest.raises(InvalidGrant, match="unknown"):
        duo_factor.verify(
            subject, Answer(oob_code="not-a-state", binding_code=back["duo_code"]), now=clock.now
        )


def test_code_for_another_user_is_refused(duo_factor, duo, subject, clock) -> None:
    issued = duo_factor.challenge(subject, now=clock.now)
    back = duo.prompt(issued.redirect_url)
    duo.codes[back["duo_code"]]["username"] = "mallory"
    with pytest.raises(InvalidGrant):
        duo_factor.verify(
            subject, Answer(oob_code=back["state"], binding_code=back["duo_code"]), now=clock.now
        )
