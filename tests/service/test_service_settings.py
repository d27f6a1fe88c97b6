"""``/u/settings``: the settings ticket (minted with the admin key, redeemed once) and what the
user does on the page - remove a method, regenerate the recovery code, add a method - through
the real app, store and factor modules."""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from fastapi.testclient import TestClient
from service_helpers import SECRET_KEY, SoftwareDevice, bearer, login_event, write_tenant

from contextmfa.factors import Answer, EnrollRequest, InvalidGrant, Subject
from contextmfa.service import create_app, load_tenants
from contextmfa.service.pages.session import COOKIE

FACTOR_TESTS = Path(__file__).resolve().parents[1] / "factors"
if str(FACTOR_TESTS) not in sys.path:
    sys.path.append(str(FACTOR_TESTS))  # factor_helpers: a software WebAuthn authenticator

from factor_helpers import SoftAuthenticator, b64u  # noqa: E402

USER = "auth0|settings-user"


def proof(service: Any, user_id: str = USER, tenant_id: str = "acme", **changes: Any) -> str:
    """The assertion an app holds after ``user_id`` passed MFA just now (the tenant's signer)."""
    now = changes.pop("now", service.clock.now)
    claims = {"audience": "portal-web", "subject": user_id, "login_id": "l-mfa", "amr": ["otp"]}
    return service.tenant(tenant_id).signer.sign(**{**claims, **changes}, now=now)


def mint(service: Any, user_id: str = USER, tenant_id: str = "acme", **body: Any) -> Any:
    """Ask for a ticket, with a fresh MFA proof of the user unless ``assertion`` is given."""
    body.setdefault("assertion", proof(service, user_id, tenant_id))
    body = {k: v for k, v in body.items() if v is not None}
    return service.client.post(
        f"/v1/users/{user_id}/settings-ticket", json=body or None, headers=service.admin(tenant_id)
    )


def ticket_path(service: Any, user_id: str = USER, **body: Any) -> str:
    answer = mint(service, user_id, **body)
    assert answer.status_code == 200, answer.text
    url = urlsplit(answer.json()["ticket_url"])
    return f"{url.path}?{url.query}"


def open_settings(service: Any, user_id: str = USER) -> str:
    """Redeem a fresh ticket in the client; the settings page's HTML."""
    redeemed = service.client.get(ticket_path(service, user_id), follow_redirects=False)
    assert redeemed.status_code == 303, redeemed.text
    assert redeemed.headers["location"] == "/u/settings"
    page = service.client.get("/u/settings")
    assert page.status_code == 200, page.text
    return page.text


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def method_ids(html: str) -> dict[str, str]:
    """authenticator id -> factor, as the list on the page shows them."""
    found = re.findall(r'data-factor="([^"]+)" data-id="([^"]+)"', html)
    return {id_: factor for factor, id_ in found}


def authenticators(service: Any, user_id: str = USER) -> list[Any]:
    return service.tenant().store.authenticators.for_user("acme", user_id)


def audit_kinds(service: Any, user_id: str = USER) -> list[str]:
    return [e.kind for e in service.tenant().store.audit.list("acme", user_id=user_id)]


# The ticket ----------------------------------------------------------------------------------


def test_a_ticket_needs_the_admin_key(service):
    for headers in ({}, service.api(), bearer("admin-0000000000000000")):
        answer = service.client.post(f"/v1/users/{USER}/settings-ticket", headers=headers)
        assert answer.status_code == 401
        assert answer.json()["error"] == "access_denied"
    answer = mint(service)
    assert answer.status_code == 200
    body = answer.json()
    assert body["expires_in"] == 300
    assert body["ticket_url"].startswith("http://127.0.0.1:8000/u/settings/start?ticket=")
    assert "admin.settings_ticket_issued" in audit_kinds(service)


def test_a_user_with_a_factor_gets_a_ticket_only_with_a_fresh_mfa_of_their_own(service):
    """Invariant 2 on the settings page: a password alone never adds a factor there either."""
    service.enroll_otp(USER)

    def refused(answer: Any, why: str) -> None:
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"] == "access_denied"
        assert why in answer.json()["error_description"]

    refused(mint(service, assertion=None), "send the assertion")
    refused(mint(service, assertion="not-a-jwt"), "not an assertion of this tenant")
    refused(mint(service, assertion=proof(service, "auth0|someone-else")), "not this user's")
    refused(mint(service, assertion=proof(service, tenant_id="globex")), "not an assertion")
    stale = proof(service, now=service.clock.now - timedelta(minutes=5))
    refused(mint(service, assertion=stale), "expired")
    fresh = proof(service)
    assert mint(service, assertion=fresh).status_code == 200
    refused(mint(service, assertion=fresh), "already used")


def test_the_assertion_of_a_real_mfa_opens_a_ticket(service):
    secret, _ = service.enroll_otp(USER)
    token = service.login(login_event(USER)).json()["mfa_token"]
    passed = service.mfa("verify", token, {"factor": "otp", "otp": service.code(secret)}).json()
    assert mint(service, assertion=passed["assertion"]).status_code == 200


def test_a_user_with_no_factor_needs_no_proof_but_an_email_is_one(service):
    """The store cannot tell whether the user's email is verified: only an explicit false
    from the app lets a user without an authenticator in without proof (fail closed)."""
    unverified = {"email": "n@acme.test", "email_verified": False}
    assert mint(service, "auth0|nobody", assertion=None, **unverified).status_code == 200
    assert mint(service, "auth0|unsaid", assertion=None, email="u@acme.test").status_code == 403
    verified = {"email": "m@acme.test", "email_verified": True}
    assert mint(service, "auth0|mailer", assertion=None, **verified).status_code == 403
    assert mint(service, "auth0|mailer", **verified).status_code == 200


def test_a_ticket_body_refuses_unknown_fields(service):
    answer = mint(service, email="alice@acme.test", password="hunter2")
    assert answer.status_code == 400


def test_a_ticket_opens_the_settings_once(service):
    service.enroll_otp(USER)
    path = ticket_path(service)
    first = service.client.get(path, follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/u/settings"
    assert COOKIE in first.cookies
    page = service.client.get("/u/settings")
    assert "Authenticator app" in page.text
    assert "Recovery code" in page.text

    service.client.cookies.clear()
    again = service.client.get(path, follow_redirects=False)
    assert again.status_code == 410
    assert COOKIE not in again.cookies
    assert service.client.get("/u/settings").status_code == 401


def test_an_expired_ticket_is_refused(service):
    path = ticket_path(service)
    service.clock.advance(seconds=300)
    answer = service.client.get(path, follow_redirects=False)
    assert answer.status_code == 410
    assert "expired" in answer.text
    assert COOKIE not in answer.cookies


def test_a_forged_ticket_is_refused(service):
    path = ticket_path(service)
    ticket = path.split("ticket=", 1)[1]
    claims = jwt.decode(ticket, options={"verify_signature": False})
    header = jwt.get_unverified_header(ticket)
    other_user = jwt.encode(
        {**claims, "sub": "auth0|someone-else"}, "x" * 32, algorithm="HS256", headers=header
    )
    mfa_token = service.login(login_event("auth0|forger")).json()["mfa_token"]
    # One character inside the signature: its last base64 character may carry only padding bits.
    at = len(ticket) - 10
    tampered = ticket[:at] + ("A" if ticket[at] != "A" else "B") + ticket[at + 1 :]
    for forged in (tampered, other_user, mfa_token):
        answer = service.client.get(
            "/u/settings/start", params={"ticket": forged}, follow_redirects=False
        )
        assert answer.status_code == 403, forged
        assert COOKIE not in answer.cookies
    assert service.client.get("/u/settings/start").status_code == 403
    # the genuine ticket was never spent by the forgeries
    assert service.client.get(path, follow_redirects=False).status_code == 303


def test_the_session_ends_after_fifteen_minutes(service):
    open_settings(service)
    service.clock.advance(minutes=15)
    answer = service.client.get("/u/settings")
    assert answer.status_code == 401
    assert "Open your security settings again" in answer.text


def test_a_ticket_of_one_tenant_shows_nothing_of_another(service):
    service.enroll_otp(USER)
    answer = mint(service, tenant_id="globex")
    url = urlsplit(answer.json()["ticket_url"])
    service.client.get(f"{url.path}?{url.query}")
    page = service.client.get("/u/settings")
    assert page.status_code == 200
    assert method_ids(page.text) == {}
    assert "You have no sign-in methods set up" in page.text


# Removing ------------------------------------------------------------------------------------


def test_removing_a_method_asks_first_then_removes_and_says_so(service):
    service.enroll_otp(USER)
    html = open_settings(service)
    (otp_id,) = [i for i, f in method_ids(html).items() if f == "otp"]
    csrf = csrf_of(html)

    asked = service.client.post(
        "/u/settings/remove", data={"csrf": csrf, "authenticator_id": otp_id}
    )
    assert asked.status_code == 200
    assert "Yes, remove it" in asked.text
    assert "last sign-in method" in asked.text
    assert any(a.id == otp_id for a in authenticators(service))  # asking changes nothing

    done = service.client.post(
        "/u/settings/remove/confirm",
        data={"csrf": csrf, "authenticator_id": otp_id},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = service.client.get("/u/settings")
    assert 'role="status"' in page.text
    assert "was removed" in page.text
    assert authenticators(service) == []  # the recovery code went with the last method
    entries = service.tenant().store.audit.list("acme", user_id=USER)
    removed = [e for e in entries if e.kind == "user.authenticator_removed"]
    assert removed and removed[0].detail["authenticator_id"] == otp_id
    assert removed[0].detail["via"] == "settings"
    assert removed[0].detail["recovery_code_removed"] is True
    again = service.client.get("/u/settings")
    assert "was removed" not in again.text  # the status is shown once


def test_removing_one_of_two_methods_keeps_the_recovery_code(service):
    service.enroll_otp(USER)
    html = open_settings(service)
    html = add_otp(service, html)
    ids = [i for i, f in method_ids(html).items() if f == "otp"]
    assert len(ids) == 2
    answer = service.client.post(
        "/u/settings/remove/confirm", data={"csrf": csrf_of(html), "authenticator_id": ids[0]}
    )
    assert answer.status_code == 200
    left = {a.type for a in authenticators(service)}
    assert left == {"otp", "recovery-code"}


def test_remove_needs_the_pages_csrf_token(service):
    service.enroll_otp(USER)
    html = open_settings(service)
    (otp_id,) = [i for i, f in method_ids(html).items() if f == "otp"]
    for data in ({"authenticator_id": otp_id}, {"csrf": "nope", "authenticator_id": otp_id}):
        answer = service.client.post("/u/settings/remove/confirm", data=data)
        assert answer.status_code == 403
    foreign = service.client.post(
        "/u/settings/remove/confirm",
        data={"csrf": csrf_of(html), "authenticator_id": otp_id},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    assert any(a.id == otp_id for a in authenticators(service))
    assert "user.authenticator_removed" not in audit_kinds(service)


def test_another_users_method_or_the_recovery_code_cannot_be_removed(service):
    service.enroll_otp("auth0|victim")
    victim = {a.type: a.id for a in authenticators(service, "auth0|victim")}
    service.enroll_otp(USER)
    html = open_settings(service)
    csrf = csrf_of(html)
    mine = {a.type: a.id for a in authenticators(service)}
    for target in (victim["otp"], victim["recovery-code"], mine["recovery-code"], "x" * 300):
        for path in ("/u/settings/remove", "/u/settings/remove/confirm"):
            answer = service.client.post(path, data={"csrf": csrf, "authenticator_id": target})
            assert answer.status_code == 404, (path, target)
    assert {a.type for a in authenticators(service, "auth0|victim")} == {"otp", "recovery-code"}
    assert {a.type for a in authenticators(service)} == {"otp", "recovery-code"}


# The recovery code ---------------------------------------------------------------------------


def recovery_verifies(service: Any, code: str) -> bool:
    factor = service.tenant().factors.factor("recovery-code")
    try:
        factor.verify(Subject("acme", USER), Answer(recovery_code=code), now=service.clock.now)
    except InvalidGrant:
        return False
    return True


def test_regenerating_the_recovery_code_invalidates_the_old_one(service):
    _, confirmed = service.enroll_otp(USER)
    old = confirmed["recovery_code"]
    html = open_settings(service)
    answer = service.client.post(
        "/u/settings/recovery-code", data={"csrf": csrf_of(html)}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/u/settings/recovery-code"
    shown = service.client.get("/u/settings/recovery-code")
    new = re.search(r'data-secret="([A-Z0-9]{24})"', shown.text)
    assert new and new.group(1) != old
    assert "will not be shown again" in shown.text
    reload = service.client.get("/u/settings/recovery-code", follow_redirects=False)
    assert reload.status_code == 303  # shown once
    assert new.group(1) not in reload.text
    assert "user.recovery_code_regenerated" in audit_kinds(service)

    assert not recovery_verifies(service, old)
    assert recovery_verifies(service, new.group(1))


def test_regenerating_needs_the_csrf_token(service):
    _, confirmed = service.enroll_otp(USER)
    open_settings(service)
    answer = service.client.post("/u/settings/recovery-code", data={"csrf": "x"})
    assert answer.status_code == 403
    assert recovery_verifies(service, confirmed["recovery_code"])


# Adding --------------------------------------------------------------------------------------


def add_otp(service: Any, html: str) -> str:
    """Add an authenticator app through the pages; the settings page afterwards."""
    started = service.client.post(
        "/u/settings/add", data={"csrf": csrf_of(html), "factor": "otp"}, follow_redirects=False
    )
    assert started.status_code == 303
    step = service.client.get("/u/settings/add")
    secret = re.search(r'data-secret="([A-Z2-7]+)"', step.text)
    assert secret, step.text
    wrong = service.client.post(
        "/u/settings/add/confirm", data={"csrf": csrf_of(step.text), "code": "000000"}
    )
    if service.code(secret.group(1)) != "000000":
        assert "That code is not right" in wrong.text
    done = service.client.post(
        "/u/settings/add/confirm",
        data={"csrf": csrf_of(step.text), "code": service.code(secret.group(1))},
    )
    assert done.status_code == 200
    assert "was added" in done.text
    return done.text


def test_adding_an_authenticator_app(service):
    html = open_settings(service)
    assert "Add a sign-in method" in html
    added = service.client.post(
        "/u/settings/add", data={"csrf": csrf_of(html), "factor": "otp"}, follow_redirects=False
    )
    assert added.status_code == 303
    step = service.client.get("/u/settings/add")
    secret = re.search(r'data-secret="([A-Z2-7]+)"', step.text).group(1)
    assert 'src="data:image/svg+xml;base64,' in step.text
    done = service.client.post(
        "/u/settings/add/confirm",
        data={"csrf": csrf_of(step.text), "code": service.code(secret)},
        follow_redirects=False,
    )
    # the user's first method comes with a recovery code, shown once
    assert done.headers["location"] == "/u/settings/recovery-code"
    shown = service.client.get("/u/settings/recovery-code")
    assert re.search(r'data-secret="[A-Z0-9]{24}"', shown.text)
    assert {a.type for a in authenticators(service)} == {"otp", "recovery-code"}
    assert all(a.confirmed for a in authenticators(service))
    assert "user.authenticator_added" in audit_kinds(service)


def test_adding_a_text_message_number(service):
    service.enroll_otp(USER)
    html = open_settings(service)
    service.client.post("/u/settings/add", data={"csrf": csrf_of(html), "factor": "sms"})
    step = service.client.get("/u/settings/add")
    assert 'type="tel"' in step.text
    bad = service.client.post(
        "/u/settings/add/send", data={"csrf": csrf_of(step.text), "phone_number": "12"}
    )
    assert "international form" in bad.text
    sent = service.client.post(
        "/u/settings/add/send", data={"csrf": csrf_of(step.text), "phone_number": "+31612345678"}
    )
    assert "We sent a 6-digit code" in sent.text
    body = service.tenant().store.outbox.list("acme", channel="sms", limit=1)[0].body
    code = re.search(r"\b(\d{6})\b", body).group(1)
    done = service.client.post(
        "/u/settings/add/confirm", data={"csrf": csrf_of(sent.text), "code": code}
    )
    assert "was added" in done.text
    sms = [a for a in authenticators(service) if a.type == "sms"]
    assert len(sms) == 1 and sms[0].public["phone_number"] == "+31612345678"
    assert "+31612345678" not in done.text  # the list shows the number masked


def test_cancelling_an_addition_leaves_nothing_behind(service):
    service.enroll_otp(USER)
    html = open_settings(service)
    service.client.post("/u/settings/add", data={"csrf": csrf_of(html), "factor": "otp"})
    pending = service.tenant().store.authenticators.for_user("acme", USER, confirmed_only=False)
    assert any(not a.confirmed for a in pending)
    service.client.post("/u/settings/add/cancel", data={"csrf": csrf_of(html)})
    after = service.tenant().store.authenticators.for_user("acme", USER, confirmed_only=False)
    assert all(a.confirmed for a in after)


@pytest.mark.parametrize("factor", ["duo", "recovery-code", "webauthn-roaming", "nope"])
def test_only_the_offered_methods_can_be_added(service, factor):
    html = open_settings(service)
    answer = service.client.post("/u/settings/add", data={"csrf": csrf_of(html), "factor": factor})
    assert answer.status_code == 400


# Adding a device: a security key, this device's passkey, a push phone ------------------------

DEVICE_FACTORS = ("otp", "push-notification", "webauthn-roaming", "webauthn-platform")
ORIGIN = "http://localhost:8000"  # the tenant's default WebAuthn origin (rp id "localhost")


@pytest.fixture
def device_service(service: Any, tmp_path: Path) -> Iterator[Any]:
    """A service made as ``service`` is (its classes: conftest is not importable by name when
    another directory's conftest loaded last), over tenants with WebAuthn enabled too."""
    files = {
        t: write_tenant(tmp_path / "devices", t, factors=(*DEVICE_FACTORS, "recovery-code"))
        for t in ("acme", "globex")
    }
    env = {"CONTEXTMFA_SECRET_KEY": SECRET_KEY}
    for f in files.values():
        env.update(f.env)
    tenants = load_tenants([f.path for f in files.values()], environ=env)
    clock = type(service.clock)()
    with TestClient(create_app(tenants, clock=clock, owns_tenants=True)) as client:
        yield type(service)(client, clock, tenants, files)


def other_browser(service: Any) -> TestClient:
    """A second browser on the same service: its own cookies, its own page session."""
    return TestClient(service.client.app)


def open_in(client: TestClient, service: Any, user_id: str = USER) -> str:
    redeemed = client.get(ticket_path(service, user_id), follow_redirects=False)
    assert redeemed.status_code == 303, redeemed.text
    return client.get("/u/settings").text


def registration_options(page: str) -> dict[str, Any]:
    found = re.search(r'data-options="([^"]+)"', page)
    assert found, "the page has no registration options"
    return json.loads(html.unescape(found.group(1)))


def start_registration(client: TestClient, settings_page: str, factor: str) -> str:
    answer = client.post("/u/settings/add", data={"csrf": csrf_of(settings_page), "factor": factor})
    assert answer.status_code == 200, answer.text
    assert 'data-webauthn="create"' in answer.text
    return answer.text


def post_credential(client: TestClient, page: str, credential: dict[str, Any], **headers: str):
    return client.post(
        "/u/settings/add/register",
        data={"csrf": csrf_of(page), "credential": json.dumps(credential)},
        headers=headers,
        follow_redirects=False,
    )


def device_types(service: Any) -> list[str]:
    return sorted(a.type for a in authenticators(service) if a.type != "recovery-code")


@pytest.mark.parametrize("factor", ["webauthn-roaming", "webauthn-platform"])
def test_adding_a_security_key_or_passkey(device_service, factor):
    service = device_service
    service.enroll_otp(USER)
    settings = open_settings(service)
    assert f'value="{factor}"' in settings
    page = start_registration(service.client, settings, factor)
    options = registration_options(page)
    attachment = "platform" if factor == "webauthn-platform" else "cross-platform"
    assert options["authenticatorSelection"]["authenticatorAttachment"] == attachment
    key = SoftAuthenticator(platform=factor == "webauthn-platform")

    done = post_credential(service.client, page, key.register(options, origin=ORIGIN))
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/u/settings"
    listed = service.client.get("/u/settings").text
    assert "was added" in listed
    assert factor in method_ids(listed).values()
    (added,) = [a for a in authenticators(service) if a.type == factor]
    assert added.confirmed and added.public["credential_id"] == b64u(key.credential_id)
    entries = service.tenant().store.audit.list("acme", user_id=USER)
    (entry,) = [e for e in entries if e.kind == "user.authenticator_added"]
    assert entry.detail == {"authenticator_id": added.id, "factor": factor, "via": "settings"}

    # the ceremony is spent: the same answer cannot add the key twice
    again = post_credential(service.client, page, key.register(options, origin=ORIGIN))
    assert again.status_code == 409
    assert device_types(service) == sorted(["otp", factor])


def ceremony_elsewhere(service: Any, factor: str = "webauthn-roaming") -> dict[str, Any]:
    """Registration options of a ceremony this settings session did not start (the factor's
    own, as a sign-in's enrollment would start it)."""
    started = (
        service.tenant()
        .factors.factor(factor)
        .enroll(Subject("acme", USER), EnrollRequest(), now=service.clock.now)
    )
    return dict(started.options)


def test_a_registration_without_a_started_ceremony_is_refused(device_service):
    service = device_service
    service.enroll_otp(USER)
    settings = open_settings(service)
    credential = SoftAuthenticator().register(ceremony_elsewhere(service), origin=ORIGIN)
    answer = post_credential(service.client, settings, credential)
    assert answer.status_code == 409
    assert "Nothing is being added on this page" in answer.text
    # an authenticator app being added is no WebAuthn ceremony either
    service.client.post("/u/settings/add", data={"csrf": csrf_of(settings), "factor": "otp"})
    assert post_credential(service.client, settings, credential).status_code == 409
    assert device_types(service) == ["otp"]
    assert "user.authenticator_added" not in audit_kinds(service)


def test_a_registration_answers_only_the_challenge_this_session_started(device_service):
    service = device_service
    service.enroll_otp(USER)
    mine = start_registration(service.client, open_settings(service), "webauthn-roaming")
    other = other_browser(service)
    theirs = start_registration(other, open_in(other, service), "webauthn-roaming")
    key = SoftAuthenticator()
    for options in (registration_options(theirs), ceremony_elsewhere(service)):
        refused = post_credential(service.client, mine, key.register(options, origin=ORIGIN))
        assert refused.status_code == 200
        assert 'role="alert"' in refused.text and "Try again" in refused.text
    assert device_types(service) == ["otp"]
    # the key's answer to this session's own challenge is taken
    done = post_credential(
        service.client, mine, key.register(registration_options(mine), origin=ORIGIN)
    )
    assert done.status_code == 303
    assert device_types(service) == ["otp", "webauthn-roaming"]


def test_a_registration_needs_the_csrf_token_and_this_origin(device_service):
    service = device_service
    service.enroll_otp(USER)
    page = start_registration(service.client, open_settings(service), "webauthn-roaming")
    credential = SoftAuthenticator().register(registration_options(page), origin=ORIGIN)
    data = {"credential": json.dumps(credential)}
    for fields in (data, {**data, "csrf": "forged"}):
        answer = service.client.post("/u/settings/add/register", data=fields)
        assert answer.status_code == 403
    foreign = post_credential(service.client, page, credential, Origin="https://evil.example")
    assert foreign.status_code == 403
    assert device_types(service) == ["otp"]
    assert "user.authenticator_added" not in audit_kinds(service)
    assert post_credential(service.client, page, credential).status_code == 303


def poll(client: TestClient, page: str, path: str = "/u/settings/add/poll") -> dict[str, Any]:
    answer = client.post(path, data={"csrf": csrf_of(page)})
    assert answer.status_code == 200
    return answer.json()


def test_pairing_a_phone_polls_this_sessions_ticket_only(device_service):
    service = device_service
    service.enroll_otp(USER)
    settings = open_settings(service)
    other = other_browser(service)
    other_page = open_in(other, service)
    assert poll(other, other_page)["code"] == "invalid_request"  # nothing is being paired there

    started = service.client.post(
        "/u/settings/add",
        data={"csrf": csrf_of(settings), "factor": "push-notification"},
        follow_redirects=False,
    )
    assert started.headers["location"] == "/u/settings/add"
    page = service.client.get("/u/settings/add").text
    ticket = html.unescape(re.search(r'data-ticket="([^"]+)"', page).group(1))
    assert 'data-poll="/u/settings/add/poll"' in page
    assert poll(service.client, page) == {"status": "pending", "interval": 5}
    not_yet = service.client.post("/u/settings/add/paired", data={"csrf": csrf_of(page)})
    assert "Your phone is not paired yet" in not_yet.text

    phone = SoftwareDevice("acme")
    ticket_id = parse_qs(urlsplit(ticket).query)["ticket"][0]
    registered = service.client.post("/v1/push/devices", json=phone.registration(ticket_id))
    assert registered.status_code == 200, registered.text
    forged = service.client.post("/u/settings/add/poll", data={"csrf": "forged"}).json()
    assert forged["status"] == "error" and forged["code"] == "access_denied"
    assert poll(other, other_page)["status"] == "error"  # another session cannot finish it
    assert "push-notification" not in device_types(service)

    service.clock.advance(seconds=5)
    assert poll(service.client, page) == {"status": "done", "location": "/u/settings"}
    listed = service.client.get("/u/settings").text
    assert "Push notification “Phone” was added." in listed
    (device,) = [a for a in authenticators(service) if a.type == "push-notification"]
    assert device.confirmed and device.id == registered.json()["authenticator_id"]
    assert method_ids(listed)[device.id] == "push-notification"


def test_cancelling_a_pairing_spends_the_ticket(device_service):
    service = device_service
    service.enroll_otp(USER)
    settings = open_settings(service)
    service.client.post(
        "/u/settings/add", data={"csrf": csrf_of(settings), "factor": "push-notification"}
    )
    page = service.client.get("/u/settings/add").text
    ticket = html.unescape(re.search(r'data-ticket="([^"]+)"', page).group(1))
    service.client.post("/u/settings/add/cancel", data={"csrf": csrf_of(page)})
    ticket_id = parse_qs(urlsplit(ticket).query)["ticket"][0]
    late = service.client.post(
        "/v1/push/devices", json=SoftwareDevice("acme").registration(ticket_id)
    )
    assert late.status_code == 403
    assert late.json()["error"] == "invalid_grant"
    assert device_types(service) == ["otp"]
