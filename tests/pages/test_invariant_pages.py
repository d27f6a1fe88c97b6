"""The MFA invariants on the hosted pages, in Chromium: what a password alone gets a browser.

The pages call the API's step logic, so the bypasses found through the API were open here too:
choosing "Email" for a user with a verified address showed a recovery code before any code came
back, and an enroll step let a user who already had email add a factor without proving it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

from page_flows import returned_claims
from service_helpers import bearer, fresh_code_window

ACTIONS = Path(__file__).resolve().parents[2] / "actions"


def _open_verified_email_login(live, page, user_id: str) -> str:
    event = live.login_event(user_id)
    event["user"]["email_verified"] = True
    decision = live.api_login(event)
    state = f"state-{user_id[-6:]}"
    query = urlencode(
        {"mfa_token": decision["mfa_token"], "return_to": live.return_url, "state": state}
    )
    page.goto(f"{live.base_url}/u/mfa?{query}")
    page.wait_for_url("**/u/mfa")
    return state


def _last_email_code(live) -> str:
    body = live.tenant.store.outbox.list(live.tenant.id, channel="email", limit=1)[0].body
    found = re.search(r"\b(\d{6})\b", body)
    assert found is not None
    return found.group(1)


def _no_recovery_code_shown(page) -> None:
    assert page.locator("#recovery-code").count() == 0
    assert not re.search(r"\b[A-Z0-9]{4}( ?[A-Z0-9]{4}){5}\b", page.content())


def test_choosing_email_shows_no_recovery_code_and_confirms_nothing(page, live_service, check_page):
    live = live_service
    user_id = live.login_event()["user"]["user_id"]
    state = _open_verified_email_login(live, page, user_id)
    page.get_by_role("button", name=re.compile("Email")).click()
    page.get_by_label(re.compile("Code")).wait_for()
    check_page(page, "email-code-sent")
    _no_recovery_code_shown(page)
    assert live.tenant.store.authenticators.for_user(live.tenant.id, user_id) == []
    page.get_by_label(re.compile("Code")).fill(_last_email_code(live))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(live.return_url)  # nothing to show once: the hand-back goes straight on
    claims = returned_claims(live, state)
    assert claims["amr"] == ["email"]
    assert set(claims["_form"]) <= {"assertion", "state", "remember_token"}
    (email,) = live.tenant.store.authenticators.for_user(live.tenant.id, user_id)
    assert email.type == "email"


def test_an_enroll_step_for_an_email_user_starts_with_the_email(page, live_service, check_page):
    live = live_service
    source = (ACTIONS / "force_enrollment.py").read_text()
    deployed = live.http.put(
        "/v1/actions/force_enrollment", json={"source": source}, headers=live.admin
    )
    assert deployed.status_code in (200, 201), deployed.text
    try:
        user_id = live.login_event()["user"]["user_id"]
        _open_verified_email_login(live, page, user_id)
        assert page.get_by_role("button", name=re.compile("Authenticator app")).count() == 0
        page.get_by_role("button", name=re.compile("Email")).click()
        page.get_by_label(re.compile("Code")).fill(_last_email_code(live))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_url("**/u/enroll")
        check_page(page, "enroll-after-email")
        confirmed = live.tenant.store.authenticators.for_user(live.tenant.id, user_id)
        assert [a.type for a in confirmed] == ["email"]
    finally:  # the live service is the module's: leave the Action doing nothing
        idle = '"""Nothing."""\n\n\ndef on_execute_post_login(event, api):\n    return None\n'
        live.http.put("/v1/actions/force_enrollment", json={"source": idle}, headers=live.admin)


def test_an_enroll_page_opened_before_the_users_first_enrollment_adds_nothing(
    page, live_service, check_page
):
    """Two logins of a user with no factor; the owner enrolls through one; the other's enroll
    page is refused, in words, and the account keeps only the owner's app."""
    live = live_service
    user_id = live.login_event()["user"]["user_id"]
    owners = live.api_login(live.login_event(user_id))["mfa_token"]
    attackers = live.api_login(live.login_event(user_id))["mfa_token"]
    seed = live.http.post("/v1/mfa/enroll", json={"factor": "otp"}, headers=bearer(owners)).json()[
        "secret"
    ]
    fresh_code_window()
    body = {"factor": "otp", "otp": live.totp(seed)}
    done = live.http.post("/v1/mfa/enroll/confirm", json=body, headers=bearer(owners))
    assert done.json()["status"] == "passed", done.text
    query = urlencode({"mfa_token": attackers, "return_to": live.return_url, "state": "s-late"})
    page.goto(f"{live.base_url}/u/mfa?{query}")
    page.wait_for_url("**/u/enroll")
    page.get_by_role("button", name=re.compile("Authenticator app")).click()
    alert = page.get_by_role("alert")
    assert alert.inner_text() == (
        "You already have a way to sign in. Start the sign-in again and use it before adding "
        "another."
    )
    check_page(page, "enroll-refused")
    store = live.tenant.store.authenticators
    rows = store.for_user(live.tenant.id, user_id, confirmed_only=False)
    assert sorted(a.type for a in rows) == ["otp", "recovery-code"]
