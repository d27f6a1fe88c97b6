"""actions/annotate_risk.py run in the sandbox."""

STEM = "annotate_risk"
CLAIM = "https://contextmfa.dev/risk_confidence"


def test_adds_the_confidence_claim_and_records_the_login(run, make_event, with_risk):
    result = run(STEM, with_risk(make_event(), "medium"))
    assert result.error is None
    assert result.directives == ()
    assert result.id_token_claims == {CLAIM: "medium"}
    assert result.access_token_claims == {CLAIM: "medium"}
    assert result.transaction_metadata == {"risk_confidence": "medium"}
    assert result.app_metadata == {"last_country": "NL", "last_login_at": "2026-11-25T10:15:00Z"}


def test_missing_risk_claims_low(run, make_event):
    result = run(STEM, make_event(authentication={"risk_assessment": None}))
    assert result.error is None
    assert result.id_token_claims == {CLAIM: "low"}
    assert any("claiming low" in log.line for log in result.logs)


def test_unknown_country_records_only_the_time(run, make_event):
    result = run(STEM, make_event(request={"ip": "10.0.0.7", "geoip": None}))
    assert result.app_metadata == {"last_login_at": "2026-11-25T10:15:00Z"}


def test_claim_namespace_secret(run, make_event):
    result = run(STEM, make_event(), {"CLAIM_NAMESPACE": "https://acme.test/claims/"})
    assert result.id_token_claims == {"https://acme.test/claims/risk_confidence": "high"}


def test_record_login_can_be_turned_off(run, make_event):
    result = run(STEM, make_event(), {"RECORD_LOGIN": "no"})
    assert result.error is None
    assert result.app_metadata == {}
    assert result.id_token_claims == {CLAIM: "high"}


def test_bad_secrets_fail(run, make_event):
    empty = run(STEM, make_event(), {"CLAIM_NAMESPACE": "  "})
    assert empty.error is not None
    assert "CLAIM_NAMESPACE" in empty.error.message
    bad_flag = run(STEM, make_event(), {"RECORD_LOGIN": "always"})
    assert bad_flag.error is not None
    assert "RECORD_LOGIN" in bad_flag.error.message
