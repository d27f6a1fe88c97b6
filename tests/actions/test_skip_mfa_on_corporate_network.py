"""actions/skip_mfa_on_corporate_network.py run in the sandbox."""

import pytest

from contextmfa.directives import Skip

STEM = "skip_mfa_on_corporate_network"
SKIP = (Skip(f"action:{STEM}"),)


def from_ip(make_event, with_risk, ip, confidence="high"):
    # Private addresses have no GeoIP entry; the travel assessment then says missing_geoip.
    event = make_event(request={"ip": ip, "geoip": None, "asn": None})
    return with_risk(event, confidence, impossible_travel="missing_geoip")


def test_public_address_is_not_skipped(run, make_event):
    result = run(STEM, make_event())
    assert result.error is None
    assert result.directives == ()


@pytest.mark.parametrize("ip", ["10.1.2.3", "172.31.255.1", "192.168.0.5", "fd12:3456::1"])
def test_private_ranges_skip_by_default(run, make_event, with_risk, ip):
    result = run(STEM, from_ip(make_event, with_risk, ip))
    assert result.error is None
    assert result.directives == SKIP


@pytest.mark.parametrize("ip", ["172.32.0.1", "100.64.0.1", "2001:db8::1"])
def test_addresses_outside_the_default_ranges_are_not_skipped(run, make_event, with_risk, ip):
    assert run(STEM, from_ip(make_event, with_risk, ip)).directives == ()


def test_low_confidence_is_never_skipped(run, make_event, with_risk):
    result = run(STEM, from_ip(make_event, with_risk, "10.1.2.3", "low"))
    assert result.error is None
    assert result.directives == ()
    assert any("low" in log.line for log in result.logs)


def test_medium_confidence_skips_unless_high_is_required(run, make_event, with_risk):
    event = from_ip(make_event, with_risk, "10.1.2.3", "medium")
    assert run(STEM, event).directives == SKIP
    assert run(STEM, event, {"MIN_CONFIDENCE": "high"}).directives == ()
    high = from_ip(make_event, with_risk, "10.1.2.3", "high")
    assert run(STEM, high, {"MIN_CONFIDENCE": "High"}).directives == SKIP


def test_missing_risk_assessment_is_not_skipped(run, make_event):
    event = make_event(request={"ip": "10.1.2.3", "geoip": None})
    event["authentication"]["risk_assessment"] = None
    result = run(STEM, event)
    assert result.error is None
    assert result.directives == ()


def test_corporate_cidrs_replace_the_defaults(run, make_event, with_risk):
    secrets = {"CORPORATE_CIDRS": "203.0.113.0/24, 2001:db8:1200::/40, 198.51.100.7"}
    for ip in ("203.0.113.77", "2001:db8:1234::1", "198.51.100.7"):
        assert run(STEM, from_ip(make_event, with_risk, ip), secrets).directives == SKIP
    for ip in ("10.0.0.1", "198.51.100.8", "2001:db8:1300::1"):
        assert run(STEM, from_ip(make_event, with_risk, ip), secrets).directives == ()


def test_empty_cidrs_never_skip(run, make_event, with_risk):
    result = run(STEM, from_ip(make_event, with_risk, "10.1.2.3"), {"CORPORATE_CIDRS": ""})
    assert result.error is None
    assert result.directives == ()


def test_bad_cidr_fails_naming_its_position_not_its_value(run, make_event):
    result = run(STEM, make_event(), {"CORPORATE_CIDRS": "10.0.0.0/8, 10.300.0.0/16"})
    assert result.error is not None
    assert "CORPORATE_CIDRS entry 2" in result.error.message
    assert "10.300" not in result.error.message


@pytest.mark.parametrize("value", ["low", "", "very high"])
def test_bad_min_confidence_fails(run, make_event, value):
    result = run(STEM, make_event(), {"MIN_CONFIDENCE": value})
    assert result.error is not None
    assert "MIN_CONFIDENCE" in result.error.message
