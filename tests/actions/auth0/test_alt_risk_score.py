"""actions/auth0/alt_risk_score.py against a minFraud Score stand-in: every branch of
auth0/rules alt-risk-score.js, and the MFA_ABOVE_RISK_SCORE decision the port adds."""

import json

import pytest
from auth0_ports import ALLOW, client, mfa, user
from risk_stand_ins import MinFraudScore, basic, running

STEM = "alt_risk_score"
ACCOUNT = "123456"
KEY = "mf-license-0b1c2d3e"
CLAIM = "https://travel0.net/risk"
USER_APP = client(metadata={"userApp": "true"})


@pytest.fixture
def minfraud():
    with running(MinFraudScore(account_id=ACCOUNT, license_key=KEY)) as stand_in:
        yield stand_in


def secrets(stand_in, **more):
    return {
        "MINFRAUD_ACCOUNT_ID": ACCOUNT,
        "MINFRAUD_LICENSE_KEY": KEY,
        "MINFRAUD_SCORE_API": f"{stand_in.url}/minfraud/v2.0/score",
        **more,
    }


def test_posts_the_login_as_json_with_basic_credentials(online, minfraud):
    online(STEM, minfraud, USER_APP, secrets(minfraud))
    [seen] = minfraud.seen
    assert (seen.method, seen.path) == ("POST", "/minfraud/v2.0/score")
    assert seen.headers["authorization"] == basic(ACCOUNT, KEY)
    assert seen.headers["content-type"] == "application/json"
    assert seen.json() == {
        "device": {
            "ip_address": "77.161.34.157",
            "user_agent": (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
                "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
            ),
        },
        "account": {"user_id": "auth0|65a1f0c2e4b0d1a2b3c4d5e6"},
        "email": {"address": "sanne.devries@acme.test"},
    }


def test_a_login_without_email_or_agent_sends_only_what_it_has(online, minfraud):
    login = {**USER_APP, **user(email=None), "request": {"user_agent": None}}
    online(STEM, minfraud, login, secrets(minfraud))
    body = minfraud.seen[0].json()
    assert body == {
        "device": {"ip_address": "77.161.34.157"},
        "account": {"user_id": "auth0|65a1f0c2e4b0d1a2b3c4d5e6"},
    }


def test_the_score_goes_in_both_tokens(online, minfraud):
    minfraud.service.risk_score = 12.5
    result = online(STEM, minfraud, USER_APP, secrets(minfraud))
    risk = {"score": 12.5, "ip_address": {"risk": 25.0}}
    assert result.decision == ALLOW
    assert result.run.id_token_claims == result.run.access_token_claims == {CLAIM: risk}
    response_line = "Fraud response for user sanne.devries@acme.test (auth0|65a1f0c2"
    assert any(line.startswith(response_line) for line in result.logs)


@pytest.mark.parametrize(("score", "expect"), [(35.0, mfa("any")), (20.0, ALLOW), (0.5, ALLOW)])
def test_mfa_above_risk_score_requires_mfa(online, minfraud, score, expect):
    minfraud.service.risk_score = score
    more = {"MFA_ABOVE_RISK_SCORE": "20", "CLAIM": "https://acme.test/risk"}
    result = online(STEM, minfraud, USER_APP, secrets(minfraud, **more))
    assert result.decision == expect
    assert result.run.id_token_claims["https://acme.test/risk"]["score"] == score


@pytest.mark.parametrize("metadata", [{}, {"userApp": "false"}, {"userApp": True}])
def test_other_applications_are_skipped(online, minfraud, metadata):
    result = online(STEM, minfraud, client(metadata=metadata), secrets(minfraud))
    assert result.decision == ALLOW and minfraud.seen == []
    assert result.logs == ["Skipping risk check as not enabled for app Acme Intranet"]


def test_a_login_without_an_application_is_skipped(online, minfraud):
    result = online(STEM, minfraud, {"client": None}, secrets(minfraud))
    assert result.decision == ALLOW and minfraud.seen == []
    assert result.logs == ["Skipping risk check as not enabled for app None"]


def test_a_refusal_changes_nothing(online, minfraud):
    more = {"MINFRAUD_LICENSE_KEY": "stale", "MFA_ABOVE_RISK_SCORE": "0"}
    result = online(STEM, minfraud, USER_APP, secrets(minfraud, **more))
    assert result.decision == ALLOW and result.run.id_token_claims == {}
    assert "Error while attempting fraud check: status 401" in result.logs


@pytest.mark.parametrize("status", [400, 500])
def test_another_status_changes_nothing(online, minfraud, status):
    minfraud.status = status
    result = online(STEM, minfraud, USER_APP, secrets(minfraud, MFA_ABOVE_RISK_SCORE="0"))
    assert result.decision == ALLOW and result.run.id_token_claims == {}


def test_a_timeout_changes_nothing(online, minfraud):
    minfraud.delay = 0.5
    more = {"TIMEOUT_MS": "100", "MFA_ABOVE_RISK_SCORE": "0"}
    result = online(STEM, minfraud, USER_APP, secrets(minfraud, **more))
    assert result.decision == ALLOW and result.run.error is None
    assert result.run.id_token_claims == {}


@pytest.mark.parametrize("missing", ["MINFRAUD_ACCOUNT_ID", "MINFRAUD_LICENSE_KEY"])
def test_missing_credentials_skip(online, minfraud, missing):
    given = secrets(minfraud)
    del given[missing]
    result = online(STEM, minfraud, USER_APP, given)
    assert result.decision == ALLOW and minfraud.seen == []


def test_the_credentials_are_never_recorded(online, minfraud):
    result = online(STEM, minfraud, USER_APP, secrets(minfraud))
    recorded = json.dumps(result.exchanges) + json.dumps(result.outcome())
    assert KEY not in recorded and basic(ACCOUNT, KEY).split()[1] not in recorded
