"""The enrollment page in Chromium, as a person uses it: an authenticator app from the QR page's
key, a security key through the virtual authenticator, a phone paired by its QR ticket; the
recovery code shown once; the assertion handed back to the identity provider."""

from __future__ import annotations

import re

import pytest
from page_flows import returned_claims, start_login
from service_helpers import fresh_code_window


def _save_recovery_code_and_continue(page, live_service) -> str:
    code = page.locator("#recovery-code").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z0-9]{24}", code)
    page.get_by_label("I have saved my recovery code somewhere safe").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(live_service.return_url)
    return code


def test_enroll_an_authenticator_app_from_the_key_on_the_page(page, live_service, check_page):
    user_id, state = start_login(live_service, page)
    page.wait_for_url("**/u/enroll")
    assert "mfa_token" not in page.url
    check_page(page, "choose-method")

    page.get_by_role("button", name=re.compile("Authenticator app")).click()
    check_page(page, "authenticator-app")
    secret = page.locator("#otp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    qr = page.get_by_role("img", name=re.compile("QR code"))
    assert qr.get_attribute("src").startswith("data:image/svg+xml;base64,")
    assert qr.evaluate("img => img.naturalWidth") > 0

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy setup key").click()
    assert page.get_by_role("status").filter(has_text="Copied").inner_text() == (
        "Copied to the clipboard."
    )
    assert page.evaluate("navigator.clipboard.readText()") == secret

    fresh_code_window()
    page.get_by_label("Code from your authenticator app").fill(live_service.totp(secret))
    page.get_by_role("button", name="Verify and finish").click()
    page.wait_for_url("**/u/mfa/done")
    check_page(page, "recovery-code")
    page.get_by_role("button", name="Copy your recovery code").click()
    shown = page.locator("#recovery-code").inner_text().replace(" ", "")
    assert page.evaluate("navigator.clipboard.readText()") == shown
    _save_recovery_code_and_continue(page, live_service)

    claims = returned_claims(live_service, state)
    assert claims["sub"] == user_id
    assert claims["amr"] == ["otp"]


def test_a_wrong_code_is_explained_and_the_right_one_then_passes(page, live_service, check_page):
    _, state = start_login(live_service, page)
    page.get_by_role("button", name=re.compile("Authenticator app")).click()
    secret = page.locator("#otp-secret").inner_text().replace(" ", "")
    fresh_code_window()
    right = live_service.totp(secret)
    page.get_by_label("Code from your authenticator app").fill(f"{(int(right) + 1) % 10**6:06d}")
    page.get_by_role("button", name="Verify and finish").click()
    alert = page.get_by_role("alert")
    assert alert.inner_text() == "That code is not right. Check it and try again."
    check_page(page, "wrong-code")
    page.get_by_label("Code from your authenticator app").fill(right)
    page.get_by_role("button", name="Verify and finish").click()
    page.wait_for_url("**/u/mfa/done")
    _save_recovery_code_and_continue(page, live_service)
    assert returned_claims(live_service, state)["amr"] == ["otp"]


@pytest.mark.parametrize(
    ("platform", "factor", "choice"),
    [(False, "webauthn-roaming", "Security key"), (True, "webauthn-platform", "This device")],
    ids=["security-key", "this-device"],
)
def test_register_an_authenticator_then_sign_in_with_it(
    page, live_service, virtual_authenticator, check_page, platform, factor, choice
):
    key = virtual_authenticator(page, platform=platform)
    user_id, state = start_login(live_service, page)
    page.get_by_role("button", name=re.compile(choice)).click()
    page.wait_for_url("**/u/enroll/start")
    check_page(page, "register")
    page.get_by_role("button", name=f"Register {choice.lower()}").click()
    page.wait_for_url("**/u/mfa/done")
    _save_recovery_code_and_continue(page, live_service)
    assert returned_claims(live_service, state)["amr"] == [factor]
    (credential,) = key.credentials()
    assert credential["rpId"] == "localhost"

    _, state = start_login(live_service, page, user_id)
    page.wait_for_url("**/u/mfa")
    check_page(page, "sign-in-choose")
    page.get_by_role("button", name=re.compile(choice)).click()
    page.wait_for_url(live_service.return_url)
    check_page(page, "signed-in")
    claims = returned_claims(live_service, state)
    assert claims["sub"] == user_id
    assert claims["amr"] == [factor]
    assert key.credentials()[0]["signCount"] >= 1


def test_pair_a_phone_by_its_qr_ticket(page, live_service, push_phone, check_page):
    user_id, state = start_login(live_service, page)
    page.get_by_role("button", name=re.compile("Push notification")).click()
    page.wait_for_url("**/u/enroll")
    qr = page.get_by_role("img", name=re.compile("QR code to pair"))
    assert qr.evaluate("img => img.naturalWidth") > 0
    check_page(page, "pair-phone")
    device_id = push_phone.register(qr.get_attribute("data-ticket"))
    page.wait_for_url("**/u/mfa/done", timeout=20_000)
    _save_recovery_code_and_continue(page, live_service)
    claims = returned_claims(live_service, state)
    assert claims["sub"] == user_id and claims["amr"] == ["push-notification"]
    device = live_service.tenant.store.authenticators.get(live_service.tenant.id, device_id)
    assert device is not None and device.confirmed and device.user_id == user_id
