"""actions/auth0/signifyd_score.py against a Signifyd stand-in: every branch of auth0/rules
signifyd-score.js, and the MFA_BELOW_SCORE decision the port adds."""

import json

import pytest
from auth0_ports import ALLOW, mfa, user
from risk_stand_ins import SignifydApi, basic, running

STEM = "signifyd_score"
KEY = "sig-key-4d5e6f"
CASE = "19418"
WITH_CASE = user(app_metadata={"caseId": CASE})
OPEN_CASE = {"status": "OPEN", "score": 785.0, "guaranteeEligible": True, "orderId": "19418"}


@pytest.fixture
def signifyd():
    with running(SignifydApi(api_key=KEY, cases={CASE: dict(OPEN_CASE)})) as stand_in:
        yield stand_in


def secrets(stand_in, **more):
    return {"SIGNIFYD_API_KEY": KEY, "SIGNIFYD_API": stand_in.url, **more}


def test_reads_the_case_with_the_key_as_basic_user(online, signifyd):
    online(STEM, signifyd, WITH_CASE, secrets(signifyd))
    [seen] = signifyd.seen
    assert (seen.method, seen.path) == ("GET", f"/v2/cases/{CASE}")
    assert seen.headers["authorization"] == basic(KEY, "")


def test_the_case_goes_in_app_metadata_and_the_id_token(online, signifyd):
    result = online(STEM, signifyd, WITH_CASE, secrets(signifyd))
    assert result.decision == ALLOW
    assert result.run.app_metadata == {
        "guaranteeEligible": True,
        "signifyd": 785.0,
        "signifyd_status": "OPEN",
    }
    assert result.run.id_token_claims == {
        "https://example.com/signifyd_status": "OPEN",
        "https://example.com/signifyd_score": 785.0,
    }


@pytest.mark.parametrize(("score", "expect"), [(120.0, mfa("any")), (300, ALLOW), (785.0, ALLOW)])
def test_mfa_below_score_requires_mfa(online, signifyd, score, expect):
    signifyd.service.cases[CASE]["score"] = score
    more = {"MFA_BELOW_SCORE": "300", "CLAIM_NAMESPACE": "https://acme.test/"}
    result = online(STEM, signifyd, WITH_CASE, secrets(signifyd, **more))
    assert result.decision == expect
    assert result.run.id_token_claims["https://acme.test/signifyd_score"] == score


def test_a_user_without_a_case_is_skipped(online, signifyd):
    result = online(STEM, signifyd, secrets=secrets(signifyd, MFA_BELOW_SCORE="1000"))
    assert result.decision == ALLOW and signifyd.seen == [] and result.logs == []


def test_a_user_without_email_is_skipped(online, signifyd):
    login = user(app_metadata={"caseId": CASE}, email=None)
    result = online(STEM, signifyd, login, secrets(signifyd, MFA_BELOW_SCORE="1000"))
    assert result.decision == ALLOW and signifyd.seen == []


def test_without_a_key_no_call_is_made(online, signifyd):
    result = online(STEM, signifyd, WITH_CASE, {"SIGNIFYD_API": signifyd.url})
    assert result.decision == ALLOW and signifyd.seen == []
    assert result.logs == ["Missing SIGNIFYD_API_KEY. Skipping."]


def test_an_unknown_case_changes_nothing(online, signifyd):
    login = user(app_metadata={"caseId": "404404"})
    result = online(STEM, signifyd, login, secrets(signifyd, MFA_BELOW_SCORE="1000"))
    assert result.decision == ALLOW and result.run.app_metadata == {}
    assert "Signifyd not returning 200: 404" in result.logs


@pytest.mark.parametrize("status", [401, 500])
def test_another_status_changes_nothing(online, signifyd, status):
    signifyd.status = status
    result = online(STEM, signifyd, WITH_CASE, secrets(signifyd, MFA_BELOW_SCORE="1000"))
    assert result.decision == ALLOW and result.run.app_metadata == {}


def test_a_case_without_a_score_changes_nothing(online, signifyd):
    del signifyd.service.cases[CASE]["score"]
    result = online(STEM, signifyd, WITH_CASE, secrets(signifyd, MFA_BELOW_SCORE="1000"))
    assert result.decision == ALLOW and result.run.app_metadata == {}
    assert "Signifyd answered no score. Skipping." in result.logs


def test_a_timeout_changes_nothing(online, signifyd):
    signifyd.delay = 0.5
    more = {"MFA_BELOW_SCORE": "1000", "TIMEOUT_MS": "100"}
    result = online(STEM, signifyd, WITH_CASE, secrets(signifyd, **more))
    assert result.decision == ALLOW and result.run.error is None
    assert any(line.startswith("Error calling Signifyd:") for line in result.logs)


def test_the_key_is_never_recorded(online, signifyd):
    result = online(STEM, signifyd, WITH_CASE, secrets(signifyd))
    recorded = json.dumps(result.exchanges) + json.dumps(result.outcome())
    assert KEY not in recorded and basic(KEY, "").split()[1] not in recorded


def test_the_case_id_is_encoded_into_one_path_segment(online, signifyd):
    login = user(app_metadata={"caseId": "7 a?x=1&y"})
    result = online(STEM, signifyd, login, secrets(signifyd))
    assert signifyd.seen[0].path == "/v2/cases/7%20a%3Fx%3D1%26y" and signifyd.seen[0].query == {}
    assert result.decision == ALLOW and result.run.error is None


def test_a_case_id_with_a_slash_is_refused_before_any_call(online, signifyd):
    result = online(STEM, signifyd, user(app_metadata={"caseId": "7/../teams"}), secrets(signifyd))
    assert result.run.error is not None and result.run.error.kind == "forbidden"
    assert signifyd.seen == []
