"""actions/deny_on_deny_list.py run in the sandbox."""

from contextmfa.directives import Deny, Require

STEM = "deny_on_deny_list"
SOURCE = f"action:{STEM}"
TOR_EXIT = "185.220.101.45"


def listed(make_event, with_risk, source):
    event = make_event(request={"ip": TOR_EXIT})
    return with_risk(event, "low", untrusted_ip=("found_on_deny_list", {"source": source}))


def test_address_not_on_a_list_needs_nothing(run, make_event):
    result = run(STEM, make_event())
    assert result.error is None
    assert result.directives == ()


def test_address_on_any_list_is_denied_by_default(run, make_event, with_risk):
    result = run(STEM, listed(make_event, with_risk, "tor"))
    assert result.error is None
    assert result.directives == (Deny("ip_on_deny_list", SOURCE),)
    assert any("tor" in log.line for log in result.logs)


def test_lists_outside_deny_lists_only_challenge(run, make_event, with_risk):
    secrets = {"DENY_LISTS": "tor, threat_feed"}
    tor = run(STEM, listed(make_event, with_risk, "tor"), secrets)
    assert tor.directives == (Deny("ip_on_deny_list", SOURCE),)
    hosting = run(STEM, listed(make_event, with_risk, "hosting"), secrets)
    assert hosting.directives == (Require(None, False, SOURCE),)


def test_without_configured_lists_nothing_happens(run, make_event, with_risk):
    event = with_risk(make_event(), untrusted_ip="assessment_not_available")
    result = run(STEM, event)
    assert result.error is None
    assert result.directives == ()
    assert any("[risk] deny_lists" in log.line for log in result.logs)


def test_missing_assessment_fails_closed(run, make_event):
    result = run(STEM, make_event(authentication={"risk_assessment": None}))
    assert result.error is None
    assert result.directives == (Require(None, False, SOURCE),)


def test_unknown_code_fails_closed(run, make_event, with_risk):
    event = with_risk(make_event(), untrusted_ip="found_on_allow_list")
    assert run(STEM, event).directives == (Require(None, False, SOURCE),)


def test_listed_address_without_source_is_denied_only_by_the_wildcard(run, make_event, with_risk):
    event = with_risk(make_event(), "low", untrusted_ip="found_on_deny_list")
    assert run(STEM, event).directives == (Deny("ip_on_deny_list", SOURCE),)
    assert run(STEM, event, {"DENY_LISTS": "tor"}).directives == (Require(None, False, SOURCE),)
