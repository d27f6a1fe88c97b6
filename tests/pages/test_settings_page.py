""" "My MFA settings" in Chromium: the app mints a ticket for its signed-in user, the browser
opens it, and the user removes a method with the keyboard, gets a new recovery code, and adds
an authenticator app, a security key, this device's passkey and a push phone."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from page_flows import returned_claims, start_login
from service_helpers import fresh_code_window

from contextmfa.factors import Answer, EnrollRequest, InvalidGrant, Subject

PHONE = "+31612345678"


def _user_with_two_methods(live: Any) -> tuple[str, str]:
    """An authenticator app enrolled through the JSON API (which also issues the recovery code)
    and a text-message number through the factor module; returns the user id and that code."""
    user_id = f"auth0|settings-{secrets.token_hex(6)}"
    token = live.api_login(live.login_event(user_id))["mfa_token"]
    started = live.http.post(
        "/v1/mfa/enroll", json={"factor": "otp"}, headers={"Authorization": f"Bearer {token}"}
    ).json()
    fresh_code_window()
    confirmed = live.http.post(
        "/v1/mfa/enroll/confirm",
        json={"factor": "otp", "otp": live.totp(started["secret"])},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert confirmed.status_code == 200, confirmed.text
    sms = live.tenant.factors.factor("sms")
    subject = Subject(live.tenant.id, user_id)
    sent = sms.enroll(
        subject, EnrollRequest(phone_number=PHONE, name="Work phone"), now=live.clock()
    )
    body = live.tenant.store.outbox.list(live.tenant.id, channel="sms", limit=1)[0].body
    code = re.search(r"\b(\d{6})\b", body).group(1)
    sms.confirm_enrollment(
        subject, Answer(oob_code=sent.oob_code, binding_code=code), now=live.clock()
    )
    return user_id, confirmed.json()["recovery_code"]


def _types(live: Any, user_id: str) -> set[str]:
    return {a.type for a in live.tenant.store.authenticators.for_user(live.tenant.id, user_id)}


def _recovery_code_works(live: Any, user_id: str, code: str) -> bool:
    factor = live.tenant.factors.factor("recovery-code")
    try:
        factor.verify(
            Subject(live.tenant.id, user_id), Answer(recovery_code=code), now=live.clock()
        )
    except InvalidGrant:
        return False
    return True


def _mint(live: Any, user_id: str, **body: Any) -> Any:
    """A settings ticket, with the assertion the app got when the user passed MFA just now."""
    proof = live.tenant.signer.sign(
        audience="portal-web", subject=user_id, login_id="l-mfa", amr=["otp"], now=live.clock()
    )
    return live.http.post(
        f"/v1/users/{user_id}/settings-ticket",
        json={"assertion": proof, **body},
        headers=live.admin,
    )


def _open_settings(live: Any, page: Any, user_id: str) -> None:
    minted = _mint(live, user_id)
    assert minted.status_code == 200, minted.text
    page.goto(minted.json()["ticket_url"])
    page.wait_for_url("**/u/settings")


def _listed(page: Any) -> list[str]:
    return (
        page.get_by_role("list", name="Sign-in methods").get_by_role("listitem").all_inner_texts()
    )


def _press(page: Any, name: str | re.Pattern[str]) -> None:
    """Reach a button with the keyboard's focus and press Enter on it."""
    button = page.get_by_role("button", name=name)
    button.focus()
    assert button.evaluate("b => document.activeElement === b")
    page.keyboard.press("Enter")


def test_remove_a_method_and_regenerate_the_recovery_code(page, live_service, check_page):
    user_id, old_recovery = _user_with_two_methods(live_service)
    minted = _mint(live_service, user_id, name="Alice")
    assert minted.status_code == 200, minted.text

    page.goto(minted.json()["ticket_url"])
    page.wait_for_url("**/u/settings")
    assert "ticket" not in page.url
    methods = page.get_by_role("list", name="Sign-in methods").get_by_role("listitem")
    assert methods.count() == 2
    texts = methods.all_inner_texts()
    assert any("Authenticator app" in t and "Last used" in t for t in texts)
    (sms_row,) = [t for t in texts if "Text message" in t]
    assert "Work phone" in sms_row and PHONE not in sms_row  # the number is masked
    assert page.locator("li.method time[datetime]").count() >= 2
    check_page(page, "list")

    _press(page, re.compile(r"Remove Text message"))
    page.wait_for_url("**/u/settings/remove")
    assert page.get_by_role("heading", level=1).inner_text() == "Remove Text message?"
    check_page(page, "confirm-remove")
    _press(page, "Yes, remove it")
    page.wait_for_url("**/u/settings")
    assert "Work phone" in page.get_by_role("status").inner_text()
    assert methods.count() == 1
    assert "Text message" not in methods.first.inner_text()
    assert _types(live_service, user_id) == {"otp", "recovery-code"}
    check_page(page, "removed")

    _press(page, "Regenerate recovery code")
    page.wait_for_url("**/u/settings/recovery-code")
    new_recovery = page.locator("#recovery-code").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z0-9]{24}", new_recovery)
    assert new_recovery != old_recovery
    assert page.get_by_role("button", name=re.compile("Copy")).is_visible()
    check_page(page, "new-recovery-code")
    assert not _recovery_code_works(live_service, user_id, old_recovery)
    assert _recovery_code_works(live_service, user_id, new_recovery)

    page.get_by_role("link", name=re.compile("I have saved it")).click()
    page.wait_for_url("**/u/settings")
    assert page.get_by_role("heading", name="Recovery code").is_visible()
    check_page(page, "back-to-list")
    kinds = [e.kind for e in live_service.tenant.store.audit.list("acme", user_id=user_id)]
    assert "user.authenticator_removed" in kinds
    assert "user.recovery_code_regenerated" in kinds


def test_add_an_authenticator_app_from_the_settings(page, live_service, check_page):
    user_id, _ = _user_with_two_methods(live_service)
    minted = _mint(live_service, user_id)
    page.goto(minted.json()["ticket_url"])
    page.wait_for_url("**/u/settings")
    page.get_by_role("button", name=re.compile("^Authenticator app")).click()
    page.wait_for_url("**/u/settings/add")
    check_page(page, "add-authenticator-app")
    secret = page.locator("#otp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    fresh_code_window()
    page.get_by_label("Code from your authenticator app").fill(live_service.totp(secret))
    page.get_by_role("button", name="Verify and add").click()
    page.wait_for_url("**/u/settings")
    assert "was added" in page.get_by_role("status").inner_text()
    otp = [
        a
        for a in live_service.tenant.store.authenticators.for_user(live_service.tenant.id, user_id)
        if a.type == "otp"
    ]
    assert len(otp) == 2
    check_page(page, "added")


@pytest.mark.parametrize(
    ("platform", "factor", "choice"),
    [(False, "webauthn-roaming", "Security key"), (True, "webauthn-platform", "This device")],
    ids=["security-key", "this-device"],
)
def test_add_a_security_key_or_passkey_then_sign_in_with_it(
    page, live_service, virtual_authenticator, check_page, platform, factor, choice
):
    user_id, _ = _user_with_two_methods(live_service)
    key = virtual_authenticator(page, platform=platform)
    _open_settings(live_service, page, user_id)
    page.get_by_role("button", name=re.compile(f"^{choice}")).click()
    page.wait_for_url("**/u/settings/add")
    check_page(page, "register")

    # a reload cannot replay the ceremony's options: it offers to start again
    page.goto("/u/settings/add")
    assert page.get_by_role("heading", level=1).inner_text() == f"Add a sign-in method: {choice}"
    check_page(page, "register-again")
    page.get_by_role("button", name="Try again").click()
    page.get_by_role("button", name=f"Register {choice.lower()}").click()
    page.wait_for_url("**/u/settings")
    assert f"{choice}" in page.get_by_role("status").inner_text()
    assert any(t.startswith(choice) for t in _listed(page))
    check_page(page, "added")
    (credential,) = key.credentials()
    assert credential["rpId"] == "localhost"
    (added,) = [
        a
        for a in live_service.tenant.store.authenticators.for_user(live_service.tenant.id, user_id)
        if a.type == factor
    ]
    assert added.confirmed

    _, state = start_login(live_service, page, user_id)
    page.wait_for_url("**/u/mfa")
    page.locator(f'button[data-factor="{factor}"]').click()
    page.wait_for_url(live_service.return_url)
    claims = returned_claims(live_service, state)
    assert claims["sub"] == user_id
    assert claims["amr"] == [factor]
    assert key.credentials()[0]["signCount"] >= 1
    kinds = [e.kind for e in live_service.tenant.store.audit.list("acme", user_id=user_id)]
    assert "user.authenticator_added" in kinds


def test_pair_a_push_phone_from_the_settings(page, live_service, push_phone, check_page):
    user_id, _ = _user_with_two_methods(live_service)
    _open_settings(live_service, page, user_id)
    page.get_by_role("button", name=re.compile("^Push notification")).click()
    page.wait_for_url("**/u/settings/add")
    qr = page.get_by_role("img", name=re.compile("QR code to pair"))
    assert qr.evaluate("img => img.naturalWidth") > 0
    check_page(page, "pair-phone")

    page.get_by_role("button", name="My phone is set up, continue").click()
    assert page.locator("#page-error").inner_text() == (
        "Your phone is not paired yet. Scan the QR code with the app, then continue."
    )
    check_page(page, "not-paired-yet")

    ticket = page.get_by_role("img", name=re.compile("QR code to pair")).get_attribute(
        "data-ticket"
    )
    device_id = push_phone.register(ticket)
    page.wait_for_url("**/u/settings", timeout=20_000)
    assert page.get_by_role("status").inner_text() == "Push notification “Phone” was added."
    (row,) = [t for t in _listed(page) if t.startswith("Push notification")]
    assert "Phone" in row
    check_page(page, "paired")
    device = live_service.tenant.store.authenticators.get(live_service.tenant.id, device_id)
    assert device is not None and device.confirmed and device.user_id == user_id
