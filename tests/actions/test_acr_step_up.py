"""actions/acr_step_up.py run in the sandbox."""

import json

import pytest

from contextmfa.directives import Require, Step

STEM = "acr_step_up"
SOURCE = f"action:{STEM}"
PAPE = "http://schemas.openid.net/pape/policies/2007/06/"
PHISHING_RESISTANT = PAPE + "phishing-resistant"
WEBAUTHN = frozenset({"webauthn-roaming", "webauthn-platform"})
ACME_LEVELS = json.dumps({"urn:acme:loa:2": ["otp", "push-notification"], "urn:acme:loa:1": "any"})


def asking(make_event, acr_values):
    return make_event(transaction={"acr_values": acr_values})


def test_no_acr_values_needs_nothing(run, make_event):
    result = run(STEM, make_event())
    assert result.error is None
    assert result.directives == ()
    assert result.transaction_metadata == {}


def test_phishing_resistant_is_challenged_with_webauthn(run, make_event):
    result = run(STEM, asking(make_event, [PHISHING_RESISTANT]))
    assert result.error is None
    assert result.directives == (Step("challenge", WEBAUTHN, SOURCE),)
    assert result.transaction_metadata == {"requested_acr": PHISHING_RESISTANT}


def test_space_separated_values_pick_the_first_known_one(run, make_event):
    event = asking(make_event, f"urn:example:unknown {PHISHING_RESISTANT} {PAPE}multi-factor")
    result = run(STEM, event)
    assert result.directives == (Step("challenge", WEBAUTHN, SOURCE),)


def test_multi_factor_value_is_left_to_the_runtime(run, make_event):
    result = run(STEM, asking(make_event, [PAPE + "multi-factor"]))
    assert result.error is None
    assert result.directives == ()


def test_missing_transaction_needs_nothing(run, make_event):
    event = make_event()
    event["transaction"] = None
    assert run(STEM, event).directives == ()


def test_acr_factors_secret_replaces_the_mapping(run, make_event):
    secrets = {"ACR_FACTORS": ACME_LEVELS}
    loa2 = run(STEM, asking(make_event, ["urn:acme:loa:2"]), secrets)
    assert loa2.directives == (Step("challenge", frozenset({"otp", "push-notification"}), SOURCE),)
    loa1_first = run(STEM, asking(make_event, ["urn:acme:loa:1", "urn:acme:loa:2"]), secrets)
    assert loa1_first.directives == (Require(None, False, SOURCE),)
    assert loa1_first.transaction_metadata == {"requested_acr": "urn:acme:loa:1"}
    default_gone = run(STEM, asking(make_event, [PHISHING_RESISTANT]), secrets)
    assert default_gone.directives == ()


@pytest.mark.parametrize(
    "value",
    ["not json", "[]", '{"urn:x": ["otp", "totp"]}', '{"urn:x": []}', '{"urn:x": "some"}'],
)
def test_bad_acr_factors_fail(run, make_event, value):
    result = run(STEM, make_event(), {"ACR_FACTORS": value})
    assert result.error is not None
    assert "ACR_FACTORS" in result.error.message
    assert "urn:x" not in result.error.message
