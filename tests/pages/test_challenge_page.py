"""The challenge page in Chromium: a code from the authenticator app (wrong, then right, with
remember-browser), push with number matching answered by a software phone, a recovery code that
hands out its successor, and the identity provider's POST entry."""

from __future__ import annotations

import html
import re

from browser_helpers import html_page
from page_flows import returned_claims, start_login
from service_helpers import bearer, fresh_code_window


def _enroll_otp(live_service) -> tuple[str, str, str]:
    """A user with an authenticator app, through the API: (user id, seed, recovery code)."""
    user_id = live_service.login_event()["user"]["user_id"]
    token = live_service.api_login(live_service.login_event(user_id))["mfa_token"]
    seed = live_service.http.post(
        "/v1/mfa/enroll", json={"factor": "otp"}, headers=bearer(token)
    ).json()["secret"]
    fresh_code_window()
    done = live_service.http.post(
        "/v1/mfa/enroll/confirm",
        json={"factor": "otp", "otp": live_service.totp(seed)},
        headers=bearer(token),
    )
    assert done.status_code == 200, done.text
    live_service.clock.advance(seconds=30)  # that code's time step is spent
    return user_id, seed, done.json()["recovery_code"]


def _pair_phone(live_service, push_phone) -> str:
    token = live_service.api_login()["mfa_token"]
    ticket = live_service.http.post(
        "/v1/mfa/enroll", json={"factor": "push-notification"}, headers=bearer(token)
    ).json()
    push_phone.register(ticket["ticket_uri"])
    confirm = {"factor": "push-notification", "oob_code": ticket["oob_code"]}
    done = live_service.http.post("/v1/mfa/enroll/confirm", json=confirm, headers=bearer(token))
    assert done.json()["status"] == "passed", done.text
    device = live_service.tenant.store.authenticators.get(
        live_service.tenant.id, push_phone.device_id
    )
    assert device is not None
    return device.user_id


def test_a_code_from_the_app_wrong_then_right_and_remembered(page, live_service, check_page):
    user_id, seed, _ = _enroll_otp(live_service)
    _, state = start_login(live_service, page, user_id)
    page.wait_for_url("**/u/mfa")
    assert "mfa_token" not in page.url
    check_page(page, "choose-method")
    page.get_by_role("button", name=re.compile("Authenticator app")).click()
    code_field = page.get_by_label("Code from your authenticator app")
    assert code_field.get_attribute("inputmode") == "numeric"
    assert code_field.get_attribute("autocomplete") == "one-time-code"
    check_page(page, "enter-code")

    fresh_code_window()
    right = live_service.totp(seed)
    code_field.fill(f"{(int(right) + 1) % 10**6:06d}")
    page.get_by_role("button", name="Verify").click()
    alert = page.get_by_role("alert")
    assert alert.inner_text() == "That code is not right. Check it and try again."
    check_page(page, "wrong-code")

    page.get_by_label("Code from your authenticator app").fill(right)
    page.get_by_label(re.compile("Remember this browser")).check()
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(live_service.return_url)
    claims = returned_claims(live_service, state)
    assert claims["sub"] == user_id and claims["amr"] == ["otp"]
    assert len(claims["_form"]["remember_token"]) >= 32


def test_push_with_the_number_read_off_the_page(page, live_service, push_phone, check_page):
    user_id = _pair_phone(live_service, push_phone)
    _, state = start_login(live_service, page, user_id)
    page.get_by_role("button", name=re.compile("Push notification")).click()
    number = page.locator("#push-number").inner_text()
    assert re.fullmatch(r"[1-9][0-9]", number)
    check_page(page, "number-to-match")
    assert push_phone.approve(number) == "approved"
    page.wait_for_url(live_service.return_url, timeout=20_000)
    claims = returned_claims(live_service, state)
    assert claims["sub"] == user_id and claims["amr"] == ["push-notification"]


def test_a_push_denied_on_the_phone_is_said_on_the_page(page, live_service, push_phone):
    user_id = _pair_phone(live_service, push_phone)
    start_login(live_service, page, user_id)
    page.get_by_role("button", name=re.compile("Push notification")).click()
    number = page.locator("#push-number").inner_text()
    assert push_phone.answer(number, "deny").status_code == 200
    alert = page.locator("#poll-error")
    alert.wait_for(state="visible", timeout=20_000)
    assert alert.inner_text() == "The sign-in was rejected on your device."
    assert page.url.endswith("/u/mfa")


def test_a_recovery_code_passes_and_a_new_one_is_shown_once(page, live_service, check_page):
    user_id, _, recovery = _enroll_otp(live_service)
    _, state = start_login(live_service, page, user_id)
    page.get_by_role("button", name=re.compile("Recovery code")).click()
    page.get_by_label("Recovery code").fill(recovery)
    check_page(page, "enter-recovery-code")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/u/mfa/done")
    fresh = page.locator("#recovery-code").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z0-9]{24}", fresh) and fresh != recovery
    check_page(page, "new-recovery-code")
    page.get_by_label("I have saved my recovery code somewhere safe").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(live_service.return_url)
    assert returned_claims(live_service, state)["amr"] == ["recovery-code"]


def test_the_identity_provider_posts_the_user_to_the_page(page, live_service, check_page):
    decision = live_service.api_login()
    fields = {
        "mfa_token": decision["mfa_token"],
        "return_to": live_service.return_url,
        "state": "s-posted",
    }
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
        for name, value in fields.items()
    )
    button = '<button type="submit">Go on</button>'
    form = f'<form method="post" action="/u/mfa">{hidden}{button}</form>'
    page.goto(live_service.serve_test_page("idp", html_page("Identity provider", form)))
    page.get_by_role("button", name="Go on").click()
    page.wait_for_url("**/u/enroll")
    assert page.get_by_role("heading", level=1).inner_text() == "Set up a sign-in method"
    check_page(page, "posted-entry")
