"""actions/auth0/incognia_authentication.py against an Incognia stand-in: every branch of
auth0/rules incognia-authentication.js, and the MFA_ON_ASSESSMENT decision the port adds."""

import json

import pytest
from auth0_ports import ALLOW, deny, mfa
from risk_stand_ins import IncogniaApi, basic, running

STEM = "incognia_authentication"
CLIENT_ID = "acme-incognia-client"
CLIENT_SECRET = "inc-secret-2b7c9d"
CLAIM = "https://www.incognia.com/assessment"
FAILED = deny("Error calling Incognia API for a new login.")


@pytest.fixture
def incognia():
    with running(IncogniaApi(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)) as stand_in:
        yield stand_in


def secrets(stand_in, **more):
    return {
        "INCOGNIA_CLIENT_ID": CLIENT_ID,
        "INCOGNIA_CLIENT_SECRET": CLIENT_SECRET,
        "INCOGNIA_API": f"{stand_in.url}/api",
        **more,
    }


def test_gets_a_token_then_registers_the_login(online, incognia):
    online(STEM, incognia, secrets=secrets(incognia))
    token, login = incognia.seen
    assert (token.method, token.path) == ("POST", "/api/v1/token")
    assert token.headers["authorization"] == basic(CLIENT_ID, CLIENT_SECRET)
    assert token.headers["content-type"] == "application/x-www-form-urlencoded"
    assert token.form() == {"grant_type": "client_credentials"}
    assert (login.method, login.path) == ("POST", "/api/v2/authentication/transactions")
    assert login.headers["authorization"] == f"Bearer {incognia.service.token}"
    assert login.json() == {
        "type": "login",
        "installation_id": "dvc-3b9e61d2c8a74f05",
        "account_id": "auth0|65a1f0c2e4b0d1a2b3c4d5e6",
    }


@pytest.mark.parametrize("assessment", ["low_risk", "high_risk", "unknown_risk"])
def test_the_assessment_goes_in_the_id_token(online, incognia, assessment):
    incognia.service.assessment = assessment
    result = online(STEM, incognia, secrets=secrets(incognia))
    assert result.decision == ALLOW
    assert result.run.id_token_claims == {CLAIM: assessment}


@pytest.mark.parametrize(
    ("assessment", "expect"),
    [("high_risk", mfa("any")), ("unknown_risk", mfa("any")), ("low_risk", ALLOW)],
)
def test_mfa_on_assessment_requires_mfa(online, incognia, assessment, expect):
    incognia.service.assessment = assessment
    more = {"MFA_ON_ASSESSMENT": "high_risk, unknown_risk"}
    result = online(STEM, incognia, secrets=secrets(incognia, **more))
    assert result.decision == expect
    assert result.run.id_token_claims == {CLAIM: assessment}


def test_a_refused_token_request_denies(online, incognia):
    result = online(STEM, incognia, secrets=secrets(incognia, INCOGNIA_CLIENT_SECRET="stale"))
    assert result.decision == FAILED
    assert len(incognia.seen) == 1 and result.run.id_token_claims == {}
    assert (
        "Error calling Incognia API for a new login: Incognia token endpoint answered status 401"
        in result.logs
    )


@pytest.mark.parametrize("status", [400, 500, 503])
def test_another_status_denies(online, incognia, status):
    incognia.status = status
    assert online(STEM, incognia, secrets=secrets(incognia)).decision == FAILED


def test_a_timeout_denies(online, incognia):
    incognia.delay = 0.5
    result = online(STEM, incognia, secrets=secrets(incognia, TIMEOUT_MS="100"))
    assert result.decision == FAILED and result.run.error is None


def test_an_answer_without_an_assessment_denies(online, incognia):
    incognia.service.assessment = None
    result = online(STEM, incognia, secrets=secrets(incognia))
    assert result.decision == FAILED and result.run.id_token_claims == {}


@pytest.mark.parametrize("missing", ["INCOGNIA_CLIENT_ID", "INCOGNIA_CLIENT_SECRET"])
def test_missing_credentials_skip(online, incognia, missing):
    given = secrets(incognia)
    del given[missing]
    result = online(STEM, incognia, secrets=given)
    assert result.decision == ALLOW and incognia.seen == []
    assert result.logs == ["Missing required configuration. Skipping."]


def test_a_login_without_an_installation_id_skips(online, incognia):
    result = online(STEM, incognia, {"device": {"id": None}}, secrets(incognia))
    assert result.decision == ALLOW and incognia.seen == []
    assert result.logs == ["Missing installation_id. Skipping."]


def test_the_client_secret_and_token_are_never_recorded(online, incognia):
    incognia.service.assessment = "high_risk"
    result = online(STEM, incognia, secrets=secrets(incognia, MFA_ON_ASSESSMENT="high_risk"))
    recorded = json.dumps(result.exchanges) + json.dumps(result.outcome())
    assert CLIENT_SECRET not in recorded
    assert basic(CLIENT_ID, CLIENT_SECRET).split()[1] not in recorded
    assert incognia.service.token not in recorded  # the bearer token the token endpoint issued
