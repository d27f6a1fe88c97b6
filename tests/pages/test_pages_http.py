"""The hosted pages over HTTP (FastAPI's TestClient, the real app and a real SQLite store): the
entry and its token, return_to, the page session cookie, CSRF and origin checks, the headers of
every page, and the words shown for wrong, spent, expired and rate-limited answers."""

from __future__ import annotations

import base64
import logging
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from page_helpers import (
    FACTORS,
    ORIGIN,
    RETURN_TO,
    PageSite,
    add_page_settings,
    alert_of,
    choice_of,
    csrf_of,
    serve_over_testclient,
)
from service_helpers import START, login_event, write_tenant
from starlette.requests import Request
from starlette.responses import Response

from contextmfa.service.pages.errors import SessionTooLarge
from contextmfa.service.pages.session import PageSessions

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HANDBACK_CSP = CSP.replace("form-action 'self'", "form-action 'self' https://idp.acme.test")
"""The hand-back page may post its form to the identity provider's origin, and only there."""


@dataclass
class Site(PageSite):
    """The service at ``ORIGIN`` with one tenant whose return URL is ``RETURN_TO``."""

    def login(self, user_id: str | None = None, **changes: Any) -> dict[str, Any]:
        return self.decision(
            user_id or f"auth0|u-{id(changes)}-{self.clock.now.timestamp()}", **changes
        )

    def enter(self, token: str, *, state: str = "st-1", return_to: str = RETURN_TO) -> Any:
        """The identity provider's GET entry, not followed."""
        query = urlencode({"mfa_token": token, "return_to": return_to, "state": state})
        return self.client.get(f"/u/mfa?{query}", follow_redirects=False)

    def open(self, token: str, **options: Any) -> Any:
        """Enter and follow to the first page."""
        entered = self.enter(token, **options)
        assert entered.status_code == 303, entered.text
        return self.client.get(entered.headers["location"])


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    files = write_tenant(tmp_path, "acme", issuer=ORIGIN, factors=FACTORS)
    add_page_settings(files, return_urls=[RETURN_TO], webauthn_origins=[ORIGIN])
    with serve_over_testclient(files) as (client, clock, tenant):
        yield Site(client, clock, files, tenant)


def assert_page_headers(response: Any, *, csp: str = CSP, cache: str = "no-store") -> None:
    headers = response.headers
    assert headers["content-security-policy"] == csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cache-control"] == cache
    assert headers["x-frame-options"] == "DENY"


def assert_no_inline_code(text: str) -> None:
    """Nothing a strict CSP would block: no inline script, style element or style attribute."""
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) is None
    assert "<style" not in text
    assert re.search(r"\sstyle=", text) is None
    assert re.search(r"\son[a-z]+=", text) is None


# Entry --------------------------------------------------------------------------------------


def test_a_get_entry_redirects_at_once_and_the_token_stays_out_of_urls(site):
    token = site.login()["mfa_token"]
    entered = site.enter(token)
    assert entered.status_code == 303
    assert entered.headers["location"] == "/u/enroll"
    assert_page_headers(entered)
    cookie = entered.headers["set-cookie"]
    assert cookie.startswith("contextmfa_page=")
    for attribute in ("HttpOnly", "Path=/u", "SameSite=lax", "Secure", "Max-Age=600"):
        assert attribute in cookie
    sealed = cookie.split(";")[0].removeprefix("contextmfa_page=")
    assert token not in sealed and token.split(".")[1][:20] not in sealed

    page = site.client.get("/u/enroll")
    assert page.status_code == 200
    assert token not in page.text
    assert "mfa_token" not in str(page.url)


def test_a_posted_entry_needs_no_csrf_token_and_no_secure_flag_over_http(site):
    token = site.login()["mfa_token"]
    plain = TestClient(site.client.app, base_url="http://mfa.acme.test")
    fields = {"mfa_token": token, "return_to": RETURN_TO, "state": "xyz"}
    headers = {"Origin": "https://idp.acme.test"}
    entered = plain.post("/u/mfa", data=fields, headers=headers, follow_redirects=False)
    assert entered.status_code == 303 and entered.headers["location"] == "/u/enroll"
    assert "Secure" not in entered.headers["set-cookie"]


def test_the_access_log_never_holds_the_token(site, caplog):
    token = site.login()["mfa_token"]
    with caplog.at_level(logging.INFO, logger="contextmfa.access"):
        assert site.enter(token).status_code == 303
    lines = [r for r in caplog.records if r.name == "contextmfa.access"]
    assert lines, "the request was logged"
    for record in lines:
        assert token not in record.getMessage()
        assert token not in repr(getattr(record, "fields", {}))
        assert record.fields["route"] == "/u/mfa"


@pytest.mark.parametrize(
    "return_to",
    [
        "https://evil.test/login/callback",
        RETURN_TO + "/more",
        RETURN_TO + "?next=https://evil.test",
        RETURN_TO.replace("https:", "http:"),
        "",
    ],
)
def test_return_to_must_be_one_of_the_allowed_urls(site, return_to):
    token = site.login()["mfa_token"]
    refused = site.enter(token, return_to=return_to)
    assert refused.status_code == 400
    assert "set-cookie" not in refused.headers
    assert_page_headers(refused)
    code, text = alert_of(refused.text)
    assert code == "invalid_request"
    assert "return_to" in text


def test_a_forged_or_expired_token_and_an_ended_session_get_clear_pages(site):
    token = site.login()["mfa_token"]
    head, body, signature = token.split(".")
    forged = site.enter(f"{head}.{body}.{signature[::-1]}")
    assert forged.status_code == 401
    assert alert_of(forged.text) == (
        "invalid_grant",
        "This sign-in link is not valid. Go back to the application you were signing in to "
        "and start again.",
    )

    site.open(token)
    site.clock.advance(minutes=11)
    ended = site.client.get("/u/enroll")
    assert ended.status_code == 401
    assert alert_of(ended.text)[0] == "expired_token"
    assert "no longer active" in alert_of(ended.text)[1]

    expired = site.enter(token)
    assert expired.status_code == 401
    assert alert_of(expired.text) == (
        "expired_token",
        "This sign-in has expired. Go back to the application you were signing in to and "
        "start again.",
    )
    assert_page_headers(expired)


def test_a_tampered_session_cookie_is_no_session(site):
    site.open(site.login()["mfa_token"])
    sealed = site.client.cookies.get("contextmfa_page")
    flipped = sealed[:-5] + ("A" if sealed[-5] != "A" else "B") + sealed[-4:]
    site.client.cookies.set("contextmfa_page", flipped, domain="mfa.acme.test", path="/u")
    assert site.client.get("/u/enroll").status_code == 401


# CSRF and origin --------------------------------------------------------------------------


def test_posts_without_the_right_csrf_token_or_from_another_origin_are_refused(site):
    page = site.open(site.login()["mfa_token"])
    good = csrf_of(page.text)
    another_browser = TestClient(site.client.app, base_url=ORIGIN)
    query = urlencode({"mfa_token": site.login()["mfa_token"], "return_to": RETURN_TO})
    other = csrf_of(another_browser.get(f"/u/mfa?{query}").text)
    wrong = good[:-2] + ("yy" if good.endswith("xx") else "xx")
    attempts = [
        ({"factor": "otp"}, {"Origin": ORIGIN}),
        ({"factor": "otp", "csrf": wrong}, {"Origin": ORIGIN}),
        ({"factor": "otp", "csrf": other}, {"Origin": ORIGIN}),
        ({"factor": "otp", "csrf": good}, {"Origin": "https://evil.test"}),
        ({"factor": "otp", "csrf": good}, {"Origin": "null"}),
        ({"factor": "otp", "csrf": good}, {"Referer": "https://evil.test/page"}),
    ]
    for data, headers in attempts:
        refused = site.client.post("/u/enroll/start", data=data, headers=headers)
        assert refused.status_code == 403, (data, headers)
        assert alert_of(refused.text)[0] == "access_denied"
        assert_page_headers(refused)
    assert site.tenant.store.authenticators.for_user("acme", "auth0|nobody") == []

    accepted = site.client.post(
        "/u/enroll/start", data={"factor": "otp", "csrf": good}, headers={"Origin": ORIGIN}
    )
    assert accepted.status_code == 200 and "Setup key" in accepted.text
    referred = site.client.post(
        "/u/enroll/back", data={"csrf": good}, headers={"Referer": f"{ORIGIN}/u/enroll"}
    )
    assert referred.status_code == 200 and "Choose a method" in referred.text


def test_a_post_that_is_not_a_form_is_refused(site):
    page = site.open(site.login()["mfa_token"])
    as_json = site.client.post(
        "/u/enroll/start", json={"csrf": csrf_of(page.text), "factor": "otp"}
    )
    assert as_json.status_code == 400
    twice = site.client.post(
        "/u/enroll/start",
        content=f"csrf={csrf_of(page.text)}&factor=otp&factor=sms",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert twice.status_code == 400
    assert alert_of(twice.text) == ("invalid_request", "The form has a field twice.")


# Headers and pages --------------------------------------------------------------------------


def test_every_page_has_the_headers_and_no_inline_code(site):
    token = site.login()["mfa_token"]
    entered = site.enter(token)
    picker = site.client.get("/u/enroll")
    enroll = site.post("/u/enroll/start", picker, factor="otp")
    wrong = site.post("/u/enroll/confirm", enroll, code="000000")
    seed = re.search(r'data-secret="([A-Z2-7]+)"', enroll.text).group(1)
    done = site.post("/u/enroll/confirm", enroll, code=site.code(seed))
    shown_once = site.client.get("/u/mfa/done")
    missing = site.client.get("/u/nope")
    for response in (entered, picker, enroll, wrong, shown_once, missing):
        assert_page_headers(response)
    assert_page_headers(done, csp=HANDBACK_CSP)
    for response in (picker, enroll, wrong, done, shown_once):
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert_no_inline_code(response.text)
    assert shown_once.status_code == 401, "the hand-back page is shown once"

    static = site.client.get("/u/static/pages.css")
    assert static.headers["content-type"] == "text/css; charset=utf-8"
    assert_page_headers(static, cache="public, max-age=31536000, immutable")
    assert site.client.get("/u/static/..%2Fsession.py").status_code == 404


def test_the_qr_code_is_an_image_without_inline_style(site):
    picker = site.open(site.login()["mfa_token"])
    enroll = site.post("/u/enroll/start", picker, factor="otp")
    (src,) = re.findall(r'<img class="qr" src="data:image/svg\+xml;base64,([^"]+)"', enroll.text)
    svg = base64.b64decode(src).decode()
    assert svg.startswith("<svg") and "style" not in svg and "<script" not in svg


def test_the_hand_back_posts_to_return_to_with_the_assertion_and_state(site):
    token = site.login("auth0|back")["mfa_token"]
    picker = site.open(token, state="opaque-state-42")
    enroll = site.post("/u/enroll/start", picker, factor="otp")
    seed = re.search(r'data-secret="([A-Z2-7]+)"', enroll.text).group(1)
    done = site.post("/u/enroll/confirm", enroll, code=site.code(seed), remember="1")
    assert str(done.url).endswith("/u/mfa/done")
    assert done.headers["content-security-policy"] == HANDBACK_CSP
    assert f'action="{RETURN_TO}"' in done.text
    fields = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', done.text))
    assert fields["state"] == "opaque-state-42"
    assert fields["assertion"].count(".") == 2
    assert len(fields["remember_token"]) >= 32
    assert "Save your recovery code" in done.text, "the first enrollment brings one"
    assert "data-autosubmit" not in done.text, "not while a recovery code is to be saved"
    assert "Max-Age=0" in done.headers["set-cookie"]

    again = site.login("auth0|back")["mfa_token"]
    site.clock.advance(seconds=30)
    picker = site.open(again)
    code_page = site.post("/u/mfa/start", picker, choice=choice_of(picker.text, "otp"))
    passed = site.post("/u/mfa/verify", code_page, code=site.code(seed))
    assert "data-autosubmit" in passed.text and "recovery-code" not in passed.text


# Refusals in words --------------------------------------------------------------------------


def test_wrong_codes_then_too_many_attempts_with_when_to_retry(site):
    seed = site.enroll_otp("auth0|guess")
    picker = site.open(site.login("auth0|guess")["mfa_token"])
    code_page = site.post("/u/mfa/start", picker, choice=choice_of(picker.text, "otp"))
    assert (
        'inputmode="numeric"' in code_page.text and 'autocomplete="one-time-code"' in code_page.text
    )
    right = site.code(seed)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(10):
        answer = site.post("/u/mfa/verify", code_page, code=wrong)
        assert answer.status_code == 200
        assert alert_of(answer.text) == (
            "invalid_grant",
            "That code is not right. Check it and try again.",
        )
    limited = site.post("/u/mfa/verify", code_page, code=right)
    code, text = alert_of(limited.text)
    assert code == "too_many_attempts"
    assert re.fullmatch(r"Too many attempts\. For your security, try again in \d+ minutes\.", text)
    assert int(limited.headers["retry-after"]) > 0
    assert right not in limited.text and seed not in limited.text


def test_an_expired_code_says_so_and_a_new_one_can_be_sent(site):
    site.enroll_otp("auth0|mail")
    event_user = login_event("auth0|mail")["user"]
    event_user["email_verified"] = True
    picker = site.open(site.login("auth0|mail", user=event_user)["mfa_token"])
    choice = choice_of(picker.text, "email")
    sent = site.post("/u/mfa/start", picker, choice=choice)
    assert "a***@acme.test" in sent.text
    site.clock.advance(minutes=6)
    late = site.post("/u/mfa/verify", sent, code="123456")
    assert alert_of(late.text) == (
        "expired_token",
        "This has expired. Ask for a new code, or choose another method.",
    )
    resent = site.post("/u/mfa/start", late, choice=choice)
    assert resent.status_code == 200
    outbox = site.tenant.store.outbox.list("acme", channel="email", limit=1)[0].body
    code = re.search(r"\b(\d{6})\b", outbox).group(1)
    passed = site.post("/u/mfa/verify", resent, code=code)
    assert str(passed.url).endswith("/u/mfa/done")


def test_an_empty_code_is_asked_for_without_counting_a_failure(site):
    site.enroll_otp("auth0|empty")
    picker = site.open(site.login("auth0|empty")["mfa_token"])
    code_page = site.post("/u/mfa/start", picker, choice=choice_of(picker.text, "otp"))
    for _ in range(12):
        answer = site.post("/u/mfa/verify", code_page, code="  ")
        assert alert_of(answer.text) == ("invalid_request", "Enter the code.")


def test_two_steps_continue_on_the_page_with_the_next_token(site):
    seed = site.enroll_otp("auth0|steps")
    site.tenant.store.authenticators.add(
        "acme",
        "auth0|steps",
        "sms",
        name="Phone",
        public={"phone_number": "+31612345678"},
        secret=None,
        confirmed=True,
        now=site.clock.now,
    )
    client = {"client_id": "payroll", "name": "Payroll", "metadata": {}}
    picker = site.open(site.login("auth0|steps", client=client)["mfa_token"])
    assert 'data-factor="sms"' not in picker.text, "the first step is the app's code"
    code_page = site.post("/u/mfa/start", picker, choice=choice_of(picker.text, "otp"))
    second = site.post("/u/mfa/verify", code_page, code=site.code(seed))
    assert str(second.url).endswith("/u/mfa")
    sent = site.post("/u/mfa/start", second, choice=choice_of(second.text, "sms"))
    assert re.search(r"\+3\*+5678", sent.text), "the number, masked"
    body = site.tenant.store.outbox.list("acme", channel="sms", limit=1)[0].body
    done = site.post("/u/mfa/verify", sent, code=re.search(r"\d{6}", body).group(0))
    assert str(done.url).endswith("/u/mfa/done")
    assert "data-autosubmit" in done.text


@pytest.mark.parametrize(
    "credential",
    ["{not json", "[" * 5000 + "]" * 5000, '{"id": ' + "9" * 5000 + "}"],
    ids=["malformed", "nested-too-deep", "number-too-long"],
)
def test_a_malformed_security_key_answer_is_refused_as_a_page(site, credential):
    picker = site.open(site.login()["mfa_token"])
    started = site.post("/u/enroll/start", picker, factor="webauthn-roaming")
    assert 'data-webauthn="create"' in started.text
    refused = site.post("/u/enroll/confirm", started, credential=credential)
    assert refused.status_code == 400
    assert alert_of(refused.text) == (
        "invalid_request",
        "The security key's answer could not be read.",
    )


def test_continuing_before_the_phone_is_paired_says_to_wait(site):
    picker = site.open(site.login()["mfa_token"])
    started = site.post("/u/enroll/start", picker, factor="push-notification")
    assert "QR code to pair" in started.text
    early = site.post("/u/enroll/confirm", started)
    assert alert_of(early.text) == ("authorization_pending", "Still waiting for your answer.")
    polled = site.post("/u/enroll/poll", started)
    assert polled.json() == {"status": "pending", "interval": 5}
    refused = site.client.post(
        "/u/enroll/poll", data={"csrf": "forged"}, headers={"Origin": ORIGIN}
    )
    assert refused.status_code == 200
    assert refused.json()["status"] == "error" and refused.json()["code"] == "access_denied"
    assert_page_headers(refused)


def test_enroll_a_phone_asking_for_the_number_then_the_code(site):
    picker = site.open(site.login("auth0|phone")["mfa_token"])
    asked = site.post("/u/enroll/start", picker, factor="sms")
    assert 'type="tel"' in asked.text and 'autocomplete="tel"' in asked.text
    local = site.post("/u/enroll/start", asked, factor="sms", phone_number="0612345678")
    code, text = alert_of(local.text)
    assert code == "invalid_request" and text.startswith("Enter the phone number in international")
    assert 'value="0612345678"' in local.text, "what was typed stays to be corrected"
    sent = site.post("/u/enroll/start", local, factor="sms", phone_number="+31 6 12345678")
    assert re.search(r"\+3\*+5678", sent.text)
    body = site.tenant.store.outbox.list("acme", channel="sms", limit=1)[0].body
    code_sent = re.search(r"\d{6}", body).group(0)
    wrong = site.post("/u/enroll/confirm", sent, code=f"{(int(code_sent) + 1) % 10**6:06d}")
    assert alert_of(wrong.text) == (
        "invalid_grant",
        "That code is not right. Check it and try again.",
    )
    done = site.post("/u/enroll/confirm", sent, code=code_sent)
    assert str(done.url).endswith("/u/mfa/done")
    (phone,) = [
        a
        for a in site.tenant.store.authenticators.for_user("acme", "auth0|phone")
        if a.type == "sms"
    ]
    assert phone.public["phone_number"] == "+31612345678"


def test_a_state_too_long_is_refused(site):
    refused = site.enter(site.login()["mfa_token"], state="s" * 1025)
    assert refused.status_code == 400 and "set-cookie" not in refused.headers
    assert alert_of(refused.text)[1] == "The application sent a state value that is too long."


def test_a_session_too_large_for_a_cookie_is_refused_not_cut():
    sessions = PageSessions(secrets.token_bytes(32))
    scope = {"type": "http", "scheme": "https", "server": ("mfa.acme.test", 443), "path": "/u"}
    request = Request({**scope, "headers": [], "method": "GET", "query_string": b""})
    small = sessions.new("mfa", {"token": "t" * 100}, expires_at=int(START.timestamp()) + 600)
    response = Response()
    sessions.attach(response, small, request=request, now=START)
    value = response.headers["set-cookie"].split(";")[0].removeprefix("contextmfa_page=")
    assert sessions.open(value, now=START) == small
    assert sessions.open(value, now=START + timedelta(minutes=10)) is None, "expired"
    assert PageSessions(secrets.token_bytes(32)).open(value, now=START) is None, "another key"
    large = sessions.new("mfa", {"token": "t" * 3000}, expires_at=int(START.timestamp()) + 600)
    with pytest.raises(SessionTooLarge):
        sessions.attach(Response(), large, request=request, now=START)
