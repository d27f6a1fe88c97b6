"""actions/auth0/seczetta_get_risk_score.py and seczetta_grab_risk_score.py against a SecZetta
stand-in: every branch of auth0/rules seczetta-get-risk-score.js and seczetta-grab-risk-score.js
(the same rule, with its own messages in each file)."""

import json

import pytest
from auth0_ports import ALLOW, deny, mfa, user
from risk_stand_ins import SecZettaApi, running

KEY = "sz-token-7a8b9c"
PROFILE = "4b1d0c9e-1f2a-4e3b-8c7d-6a5b4c3d2e1f"
ATTRIBUTE = "c1a4b0e2-personal-email"
PROFILE_TYPE = "9f8e7d6c-contractor"
STEMS = ["seczetta_get_risk_score", "seczetta_grab_risk_score"]
MESSAGES = {
    "seczetta_get_risk_score": {
        "error": "Error retrieving SecZetta Risk Score.",
        "too_high": "A {} risk score is too high. Maximum acceptable risk is {}.",
        "profile_error": "Error while calling SecZetta Profile API: ",
        "risk_error": "Error while calling SecZetta Risk Score API: ",
    },
    "seczetta_grab_risk_score": {
        "error": "Error retrieving Risk Score.",
        "too_high": "A {} Risk score is too high. Maximum acceptable risk is {}",
        "profile_error": "Error while calling Profile API: ",
        "risk_error": "Error while calling Risk Score API: ",
    },
}
REQUIRED = (
    "SECZETTA_API_KEY",
    "SECZETTA_BASE_URL",
    "SECZETTA_ATTRIBUTE_ID",
    "SECZETTA_PROFILE_TYPE_ID",
    "SECZETTA_ALLOWABLE_RISK",
    "SECZETTA_MAXIMUM_ALLOWED_RISK",
)


@pytest.fixture(params=STEMS)
def stem(request):
    return request.param


@pytest.fixture
def seczetta():
    service = SecZettaApi(api_key=KEY, profiles={"sdevries": PROFILE}, scores={PROFILE: 30})
    with running(service) as stand_in:
        yield stand_in


def secrets(stand_in, **more):
    return {
        "SECZETTA_API_KEY": KEY,
        "SECZETTA_BASE_URL": stand_in.url,
        "SECZETTA_ATTRIBUTE_ID": ATTRIBUTE,
        "SECZETTA_PROFILE_TYPE_ID": PROFILE_TYPE,
        "SECZETTA_ALLOWABLE_RISK": "40",
        "SECZETTA_MAXIMUM_ALLOWED_RISK": "80",
        **more,
    }


def scored(stand_in, score):
    stand_in.service.scores[PROFILE] = score


def test_searches_the_profile_then_reads_its_score(online, seczetta, stem):
    online(stem, seczetta, secrets=secrets(seczetta))
    search, score = seczetta.seen
    assert (search.method, search.path) == ("POST", "/api/advanced_search/run")
    assert search.headers["authorization"] == f"Token token={KEY}"
    assert search.headers["accept"] == "application/json"
    assert search.json() == {
        "advanced_search": {
            "label": "All Contractors",
            "condition_rules_attributes": [
                {"type": "ProfileTypeRule", "comparison_operator": "==", "value": PROFILE_TYPE},
                {
                    "type": "ProfileAttributeRule",
                    "condition_object_id": ATTRIBUTE,
                    "object_type": "NeAttribute",
                    "comparison_operator": "==",
                    "value": "sdevries",
                },
            ],
        }
    }
    assert (score.method, score.path, score.query) == (
        "GET",
        "/api/risk_scores",
        {"object_id": PROFILE},
    )
    assert score.headers["authorization"] == f"Token token={KEY}"


def test_a_user_without_username_is_searched_by_email(online, seczetta, stem):
    seczetta.service.profiles = {"sanne.devries@acme.test": PROFILE}
    result = online(stem, seczetta, user(username=None), secrets(seczetta))
    rules = seczetta.seen[0].json()["advanced_search"]["condition_rules_attributes"]
    assert rules[1]["value"] == "sanne.devries@acme.test"
    assert result.decision == ALLOW


def test_a_low_score_passes_with_the_score_in_the_claims(online, seczetta, stem):
    risk_key = "https://acme.test/risk_score"
    result = online(stem, seczetta, secrets=secrets(seczetta, SECZETTA_RISK_KEY=risk_key))
    assert result.decision == ALLOW
    assert result.run.id_token_claims == result.run.access_token_claims == {risk_key: 30}


def test_a_low_score_without_a_risk_key_sets_no_claim(online, seczetta, stem):
    result = online(stem, seczetta, secrets=secrets(seczetta))
    assert result.decision == ALLOW and result.run.id_token_claims == {}


@pytest.mark.parametrize("score", [40, 40.0])
def test_a_score_at_the_allowable_risk_passes(online, seczetta, stem, score):
    scored(seczetta, score)
    assert online(stem, seczetta, secrets=secrets(seczetta)).decision == ALLOW


@pytest.mark.parametrize("score", [41, 79.5])
def test_a_score_between_the_thresholds_requires_mfa(online, seczetta, stem, score):
    scored(seczetta, score)
    result = online(stem, seczetta, secrets=secrets(seczetta, SECZETTA_RISK_KEY="risk"))
    assert result.decision == mfa("any")
    assert result.run.id_token_claims == {}


@pytest.mark.parametrize(("score", "shown"), [(80, "80"), (92.5, "92.5"), (95.0, "95")])
def test_a_score_at_or_above_the_maximum_denies(online, seczetta, stem, score, shown):
    scored(seczetta, score)
    result = online(stem, seczetta, secrets=secrets(seczetta))
    assert result.decision == deny(MESSAGES[stem]["too_high"].format(shown, 80))


def test_allowable_risk_zero_requires_mfa_for_any_score(online, seczetta, stem):
    scored(seczetta, 0)
    result = online(stem, seczetta, secrets=secrets(seczetta, SECZETTA_ALLOWABLE_RISK="0"))
    assert result.decision == mfa("any")


def test_allowable_risk_zero_still_denies_at_the_maximum(online, seczetta, stem):
    scored(seczetta, 85)
    result = online(stem, seczetta, secrets=secrets(seczetta, SECZETTA_ALLOWABLE_RISK="0"))
    assert result.decision == deny(MESSAGES[stem]["too_high"].format(85, 80))


def test_maximum_zero_never_denies(online, seczetta, stem):
    scored(seczetta, 99)
    result = online(stem, seczetta, secrets=secrets(seczetta, SECZETTA_MAXIMUM_ALLOWED_RISK="0"))
    assert result.decision == ALLOW


FAILURES = {
    "no profile": lambda s: setattr(s.service, "profiles", {}),
    "no score": lambda s: setattr(s.service, "scores", {}),
    "a refusal": lambda s: setattr(s, "status", 500),
    "a timeout": lambda s: setattr(s, "delay", 0.5),
}


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failure_denies(online, seczetta, stem, failure):
    FAILURES[failure](seczetta)
    result = online(stem, seczetta, secrets=secrets(seczetta, TIMEOUT_MS="100"))
    assert result.decision == deny(MESSAGES[stem]["error"])
    assert result.run.error is None


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failure_passes_when_authenticate_on_error_is_true(online, seczetta, stem, failure):
    FAILURES[failure](seczetta)
    more = {"TIMEOUT_MS": "100", "SECZETTA_AUTHENTICATE_ON_ERROR": "true"}
    result = online(stem, seczetta, secrets=secrets(seczetta, **more))
    assert result.decision == ALLOW and result.run.error is None


def test_the_failure_is_logged_with_the_call_that_failed(online, seczetta, stem):
    seczetta.service.scores = {}
    result = online(stem, seczetta, secrets=secrets(seczetta))
    assert any(line.startswith(MESSAGES[stem]["risk_error"]) for line in result.logs)
    seczetta.status = 503
    result = online(stem, seczetta, secrets=secrets(seczetta))
    assert f"{MESSAGES[stem]['profile_error']}status 503" in result.logs


def test_a_profile_not_found_is_logged(online, seczetta, stem):
    seczetta.service.profiles = {}
    result = online(stem, seczetta, secrets=secrets(seczetta))
    assert "Profile not found. Empty Array sent back!" in result.logs
    assert len(seczetta.seen) == 1


def test_a_wrong_key_is_refused_and_denies(online, seczetta, stem):
    result = online(stem, seczetta, secrets=secrets(seczetta, SECZETTA_API_KEY="stale"))
    assert result.decision == deny(MESSAGES[stem]["error"])


@pytest.mark.parametrize("missing", REQUIRED)
def test_a_missing_required_secret_skips(online, seczetta, stem, missing):
    given = secrets(seczetta)
    del given[missing]
    result = online(stem, seczetta, secrets=given)
    assert result.decision == ALLOW and seczetta.seen == []
    assert result.logs == ["Missing required configuration. Skipping."]


def test_a_threshold_that_is_not_an_integer_is_an_error(online, seczetta, stem):
    result = online(stem, seczetta, secrets=secrets(seczetta, SECZETTA_ALLOWABLE_RISK="forty"))
    assert result.run.error is not None and seczetta.seen == []


def test_the_key_is_never_recorded(online, seczetta, stem):
    scored(seczetta, 90)
    result = online(stem, seczetta, secrets=secrets(seczetta))
    assert KEY not in json.dumps(result.exchanges) + json.dumps(result.outcome())


def test_the_profile_id_is_encoded_into_the_score_query(online, seczetta, stem):
    odd = "p 1&object_id=other/é"
    seczetta.service.profiles = {"sdevries": odd}
    seczetta.service.scores = {odd: 60}
    result = online(stem, seczetta, secrets=secrets(seczetta))
    assert seczetta.seen[1].query == {"object_id": odd}
    assert result.decision == mfa("any")
