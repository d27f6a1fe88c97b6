"""actions/auth0/fraud_prevention_with_minfraud.py against a minFraud legacy stand-in: every
branch of auth0/rules fraud-prevention-with-minfraud.js."""

import hashlib
import json
import re

import pytest
from auth0_ports import ALLOW, deny, user
from risk_ports import live
from risk_stand_ins import MinFraudLegacy, running

from contextmfa.sandbox import SandboxLimits

STEM = "fraud_prevention_with_minfraud"
KEY = "mf-license-0b1c2d3e"
DENIED = deny("Fraud prevention!")


@pytest.fixture
def minfraud():
    with running(MinFraudLegacy(license_key=KEY)) as stand_in:
        yield stand_in


def secrets(stand_in, **more):
    return {"MINFRAUD_LICENSE_KEY": KEY, "MINFRAUD_API": f"{stand_in.url}/app/ccv2r", **more}


def test_posts_the_address_agent_and_md5s_as_a_form(online, minfraud):
    online(STEM, minfraud, secrets=secrets(minfraud))
    [seen] = minfraud.seen
    assert (seen.method, seen.path) == ("POST", "/app/ccv2r")
    assert seen.headers["content-type"] == "application/x-www-form-urlencoded"
    assert seen.form() == {
        "i": "77.161.34.157",
        "user_agent": (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
            "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
        ),
        "license_key": KEY,
        "emailMD5": hashlib.md5(b"sanne.devries@acme.test").hexdigest(),
        "usernameMD5": hashlib.md5(b"sdevries").hexdigest(),
    }


def test_a_user_without_email_or_username_sends_empty_digests(online, minfraud):
    online(STEM, minfraud, user(email=None, username=None), secrets(minfraud))
    form = minfraud.seen[0].form()
    assert form["emailMD5"] == form["usernameMD5"] == ""


def test_a_score_above_the_original_threshold_denies(online, minfraud):
    minfraud.service.risk_score = "0.25"
    result = online(STEM, minfraud, secrets=secrets(minfraud))
    assert result.decision == DENIED
    assert "Fraud response: riskScore=0.25 err=" in result.logs


def test_a_score_at_the_threshold_passes(online, minfraud):
    minfraud.service.risk_score = "0.20"
    assert online(STEM, minfraud, secrets=secrets(minfraud)).decision == ALLOW


@pytest.mark.parametrize(("score", "expect"), [("35.5", ALLOW), ("50.01", DENIED)])
def test_max_risk_score_sets_the_threshold_in_percent(online, minfraud, score, expect):
    minfraud.service.risk_score = score
    result = online(STEM, minfraud, secrets=secrets(minfraud, MAX_RISK_SCORE="50"))
    assert result.decision == expect


def test_a_refusal_without_a_score_lets_the_login_go_on(online, minfraud):
    result = online(STEM, minfraud, secrets=secrets(minfraud, MINFRAUD_LICENSE_KEY="wrong"))
    assert result.decision == ALLOW
    assert "Fraud response: riskScore=None err=INVALID_LICENSE_KEY" in result.logs


def test_a_score_that_is_not_a_number_lets_the_login_go_on(online, minfraud):
    minfraud.service.risk_score = "high"
    result = online(STEM, minfraud, secrets=secrets(minfraud))
    assert result.decision == ALLOW and result.run.error is None


def test_another_status_lets_the_login_go_on(online, minfraud):
    minfraud.status = 503
    result = online(STEM, minfraud, secrets=secrets(minfraud))
    assert result.decision == ALLOW and result.run.error is None
    assert "Unexpected error while attempting fraud check: status 503" in result.logs


def test_a_timeout_lets_the_login_go_on(online, minfraud):
    minfraud.service.risk_score = "99"
    minfraud.delay = 0.5
    result = online(STEM, minfraud, secrets=secrets(minfraud, TIMEOUT_MS="100"))
    assert result.decision == ALLOW and result.run.error is None
    assert any(line.startswith("Error while attempting fraud check:") for line in result.logs)
    assert result.exchanges[0]["error"] == "timeout"


def test_the_call_never_outlives_the_action_deadline(port, make_event, minfraud):
    """The docstring's warning: with [sandbox] timeout_ms under TIMEOUT_MS, the call is cut at
    the Action's deadline, which can then end the Action (the login follows on_error)."""
    minfraud.delay = 0.5
    short = SandboxLimits(timeout_ms=150)
    result = live(port(STEM), make_event(), secrets(minfraud), minfraud, short)
    [exchange] = result.exchanges
    waited = int(re.fullmatch(r"timed out after (\d+) ms", exchange["message"]).group(1))
    assert exchange["error"] == "timeout" and waited <= 150
    assert result.run.error is None or result.run.error.kind == "timeout"
    assert result.decision == ALLOW


def test_an_unreachable_service_lets_the_login_go_on(online, minfraud):
    minfraud.stop()
    result = online(STEM, minfraud, secrets=secrets(minfraud))
    assert result.decision == ALLOW and result.run.error is None


def test_without_a_license_key_no_call_is_made(online, minfraud):
    result = online(STEM, minfraud, secrets={"MINFRAUD_API": f"{minfraud.url}/app/ccv2r"})
    assert result.decision == ALLOW
    assert minfraud.seen == [] and result.exchanges == []
    assert "Missing MINFRAUD_LICENSE_KEY. Skipping fraud check." in result.logs


def test_the_license_key_is_never_recorded(online, minfraud):
    minfraud.service.risk_score = "80"
    result = online(STEM, minfraud, secrets=secrets(minfraud))
    assert KEY not in json.dumps(result.exchanges) + json.dumps(result.outcome())
