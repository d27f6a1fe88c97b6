"""The harness itself, on pages of its own: every check can fail, and the plumbing the hosted
pages rely on (live service, strict CSP, WebAuthn in Chromium, the push app) works."""

from __future__ import annotations

import base64

import pytest
from browser_helpers import (
    AccessibilityViolations,
    PageProblems,
    html_page,
    problems_of,
    screenshot_path,
)
from service_helpers import bearer
from webauthn import verify_registration_response

LABELLED_FORM = """
<form method="post" action="/test-return">
  <label for="code">Code from your app</label>
  <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code">
  <input type="hidden" name="state" value="s-1">
  <button type="submit">Verify</button>
</form>
<p id="status">waiting</p>
"""
MARK_READY = 'document.getElementById("status").textContent = "script ran";\n'


def test_the_live_service_answers_and_challenges(live_service):
    assert live_service.http.get("/healthz").json() == {"status": "ok"}
    decision = live_service.api_login()
    assert decision["mfa_token"]
    enroll = live_service.http.post(
        "/v1/mfa/enroll", json={"factor": "otp"}, headers=bearer(decision["mfa_token"])
    )
    assert enroll.status_code == 200, enroll.text
    confirmed = live_service.http.post(
        "/v1/mfa/enroll/confirm",
        json={"factor": "otp", "otp": live_service.totp(enroll.json()["secret"])},
        headers=bearer(decision["mfa_token"]),
    )
    assert confirmed.status_code == 200, confirmed.text


def test_a_labelled_page_under_strict_csp_passes(page, live_service, check_page):
    live_service.serve_test_page("ready.js", MARK_READY, "text/javascript")
    url = live_service.serve_test_page("form", html_page("Form", LABELLED_FORM, script="ready.js"))
    page.goto(url)
    assert page.locator("#status").inner_text() == "script ran"
    shot = check_page(page, "form")
    assert shot == screenshot_path("test_a_labelled_page_under_strict_csp_passes", "form")
    assert shot.stat().st_size > 1000


def test_an_unlabelled_input_fails_the_accessibility_check(page, live_service, check_page):
    body = '<form><input id="nameless" name="code"><button type="submit">Go</button></form>'
    page.goto(live_service.serve_test_page("unlabelled", html_page("Unlabelled", body)))
    with pytest.raises(AccessibilityViolations) as failed:
        check_page(page, "unlabelled")
    assert [v["id"] for v in failed.value.violations] == ["label"]
    assert "#nameless" in str(failed.value)


def test_a_console_error_fails_the_check(page, live_service, check_page):
    live_service.serve_test_page("noisy.js", 'console.error("token refused");\n', "text/javascript")
    page.goto(live_service.serve_test_page("noisy", html_page("Noisy", "", script="noisy.js")))
    with pytest.raises(PageProblems, match="console error: token refused"):
        check_page(page, "noisy")
    problems_of(page).clear()


def test_an_inline_script_is_blocked_by_csp_and_reported(page, live_service):
    body = '<p id="status">untouched</p><script>document.body.dataset.ran = "yes"</script>'
    page.goto(live_service.serve_test_page("inline", html_page("Inline", body)))
    assert page.locator("body").get_attribute("data-ran") is None
    (problem,) = problems_of(page)
    assert "Content Security Policy" in problem
    problems_of(page).clear()


def test_a_third_party_asset_is_refused_and_reported(page, live_service):
    body = '<img src="https://cdn.example.test/logo.png" alt="Logo">'
    page.goto(live_service.serve_test_page("cdn", html_page("CDN", body), csp=""))
    found = problems_of(page)
    assert "third-party request: https://cdn.example.test/logo.png" in found
    found.clear()


def test_a_form_posted_to_the_return_url_is_received(page, live_service, check_page):
    page.goto(live_service.serve_test_page("handback", html_page("Hand back", LABELLED_FORM)))
    page.get_by_label("Code from your app").fill("123456")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(live_service.return_url)
    assert live_service.returned[-1] == {"code": "123456", "state": "s-1"}
    check_page(page, "returned")


CREATE_CREDENTIAL = """async ([challenge, attachment]) => {
  const credential = await navigator.credentials.create({publicKey: {
    challenge: Uint8Array.from(atob(challenge), c => c.charCodeAt(0)),
    rp: {id: "localhost", name: "Acme"},
    user: {id: new Uint8Array([1, 2, 3, 4]), name: "alice@acme.test", displayName: "Alice"},
    pubKeyCredParams: [{type: "public-key", alg: -7}, {type: "public-key", alg: -257}],
    authenticatorSelection: {
      authenticatorAttachment: attachment, residentKey: "required", userVerification: "required"
    },
  }});
  return credential.toJSON();
}"""


@pytest.mark.parametrize("platform", [False, True], ids=["security-key", "this-device"])
def test_a_virtual_authenticator_registers_a_credential(
    page, live_service, virtual_authenticator, platform
):
    page.goto(live_service.serve_test_page("blank", html_page("Blank", "<p>Nothing here.</p>")))
    authenticator = virtual_authenticator(page, platform=platform)
    assert authenticator.credentials() == []
    challenge = b"fixed challenge of 32 bytes here"
    attachment = "platform" if platform else "cross-platform"
    created = page.evaluate(CREATE_CREDENTIAL, [base64.b64encode(challenge).decode(), attachment])
    verified = verify_registration_response(
        credential=created,
        expected_challenge=challenge,
        expected_rp_id="localhost",
        expected_origin=live_service.base_url,
        require_user_verification=True,
    )
    (stored,) = authenticator.credentials()
    assert base64.b64decode(stored["credentialId"]) == verified.credential_id
    assert stored["rpId"] == "localhost" and stored["isResidentCredential"]


def test_the_push_phone_pairs_and_approves_with_the_number(live_service, push_phone):
    token = live_service.api_login()["mfa_token"]
    ticket = live_service.http.post(
        "/v1/mfa/enroll", json={"factor": "push-notification"}, headers=bearer(token)
    ).json()
    push_phone.register(ticket["ticket_uri"])
    live_service.clock.advance(seconds=6)  # past the confirm poll interval
    confirm = {"factor": "push-notification", "oob_code": ticket["oob_code"]}
    done = live_service.http.post("/v1/mfa/enroll/confirm", json=confirm, headers=bearer(token))
    assert done.json()["status"] == "passed", done.text

    user = live_service.tenant.store.authenticators.get(
        live_service.tenant.id, push_phone.device_id
    )
    assert user is not None and user.confirmed
    token = live_service.api_login(user_id=user.user_id)["mfa_token"]
    sent = live_service.http.post(
        "/v1/mfa/challenge", json={"factor": "push-notification"}, headers=bearer(token)
    ).json()
    assert push_phone.approve(sent["binding_code"]) == "approved"
    assert push_phone.pending() == []
