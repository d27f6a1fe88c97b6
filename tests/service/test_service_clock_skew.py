"""The test-only clock skew (``CONTEXTMFA_CLOCK_SKEW_SECONDS``): refused unless enabled, and
when enabled it moves the time every token and code check reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from conftest import open_service, serve_cli
from fastapi.testclient import TestClient
from service_helpers import bearer, login_event
from typer.testing import CliRunner

from contextmfa.errors import ConfigError
from contextmfa.service import create_app
from contextmfa.service.clock_skew import clock_from_environment

SKEW = "CONTEXTMFA_CLOCK_SKEW_SECONDS"


pytestmark = pytest.mark.usefixtures("logging_restored")


def test_no_skew_asked_means_the_system_clock():
    assert clock_from_environment({}) is None
    assert clock_from_environment({SKEW: " "}) is None


def test_a_skew_without_the_test_switch_is_refused():
    with pytest.raises(ConfigError, match="CONTEXTMFA_TEST_CLOCK=1"):
        clock_from_environment({SKEW: "90"})
    with pytest.raises(ConfigError, match="CONTEXTMFA_TEST_CLOCK=1"):
        clock_from_environment({SKEW: "90", "CONTEXTMFA_TEST_CLOCK": "yes"})


@pytest.mark.parametrize("raw", ["ninety", "nan", "inf", "90000"])
def test_a_skew_must_be_a_bounded_number(raw):
    with pytest.raises(ConfigError, match=SKEW):
        clock_from_environment({SKEW: raw, "CONTEXTMFA_TEST_CLOCK": "1"})


@pytest.mark.parametrize("seconds", [90, -90])
def test_an_enabled_skew_moves_the_clock(seconds):
    clock = clock_from_environment({SKEW: str(seconds), "CONTEXTMFA_TEST_CLOCK": "1"})
    assert clock is not None
    drift = (clock() - datetime.now(UTC)).total_seconds()
    assert abs(drift - seconds) < 2


def test_serve_refuses_a_stray_skew_in_one_line(tmp_path, monkeypatch):
    from service_helpers import SECRET_KEY, write_tenant

    files = write_tenant(tmp_path, "acme")
    monkeypatch.setenv("CONTEXTMFA_SECRET_KEY", SECRET_KEY)
    for name, value in files.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(SKEW, "90")
    monkeypatch.delenv("CONTEXTMFA_TEST_CLOCK", raising=False)
    result = CliRunner().invoke(serve_cli(), ["serve", "--config", str(files.path)])
    assert result.exit_code == 2
    assert "fault-injection tests only" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_worker_ahead_by_90_s_refuses_the_real_code_and_gives_the_step_back(tmp_path):
    """A TOTP code of the real time is three steps outside the window of a worker 90 s ahead:
    refused (fail closed), and the refusal neither spends the code nor burns the step."""
    tenants, files = open_service(tmp_path)
    ahead = clock_from_environment({SKEW: "90", "CONTEXTMFA_TEST_CLOCK": "1"})
    right = create_app(tenants)
    skewed = create_app(tenants, clock=ahead)
    api = bearer(files["acme"].api_key)
    with TestClient(right) as good, TestClient(skewed) as bad:
        token = good.post("/v1/logins", json=login_event("auth0|sk"), headers=api).json()
        token = token["mfa_token"]
        secret = good.post("/v1/mfa/enroll", json={"factor": "otp"}, headers=bearer(token)).json()[
            "secret"
        ]
        code = pyotp.TOTP(secret).now()
        body = {"factor": "otp", "otp": code}
        refused = bad.post("/v1/mfa/enroll/confirm", json=body, headers=bearer(token))
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"] == "invalid_grant"
        passed = good.post("/v1/mfa/enroll/confirm", json=body, headers=bearer(token))
        assert passed.status_code == 200, passed.text
        # the skewed worker's own code (what a phone on its clock shows) for the same token's
        # next login is accepted there once, and never by the other worker afterwards
        later = bad.post("/v1/logins", json=login_event("auth0|sk"), headers=api).json()
        skewed_code = pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=90))
        body = {"factor": "otp", "otp": skewed_code}
        assert bad.post("/v1/mfa/verify", json=body, headers=bearer(later["mfa_token"])).is_success
        again = good.post("/v1/logins", json=login_event("auth0|sk"), headers=api).json()
        replay = good.post("/v1/mfa/verify", json=body, headers=bearer(again["mfa_token"]))
        assert replay.status_code == 403
    tenants.close()
