"""What a settings session or a remembered browser is worth once the account changes hands.

A settings ticket minted without proof stands for a user with no factor (first enrollment wins);
it must not outlive the owner's first enrollment. A browser remembered by an enrollment that an
admin then removes must not keep skipping MFA.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from service_helpers import login_event
from test_service_settings import (
    USER,
    add_otp,
    authenticators,
    csrf_of,
    mint,
    open_settings,
    recovery_verifies,
)

SECURED = "This account has a sign-in method now"


def _open_without_proof(service) -> None:
    """What the app does for a user with no factor: a ticket with no assertion, redeemed."""
    answer = mint(service, assertion=None, email="v@acme.test", email_verified=False)
    assert answer.status_code == 200, answer.text
    url = urlsplit(answer.json()["ticket_url"])
    opened = service.client.get(f"{url.path}?{url.query}", follow_redirects=False)
    assert opened.status_code == 303


def test_a_session_opened_without_proof_ends_when_the_owner_enrolls_first(service):
    _open_without_proof(service)
    page = service.client.get("/u/settings").text
    csrf = csrf_of(page)
    _, confirmed = service.enroll_otp(USER)  # the owner's first factor, through a login
    owner = {a.id for a in authenticators(service)}

    listed = service.client.get("/u/settings")
    assert SECURED in listed.text
    regenerated = service.client.post(
        "/u/settings/recovery-code", data={"csrf": csrf}, follow_redirects=False
    )
    assert regenerated.status_code != 303
    added = service.client.post("/u/settings/add", data={"csrf": csrf, "factor": "otp"})
    assert SECURED in added.text
    assert {a.id for a in authenticators(service)} == owner
    assert recovery_verifies(service, confirmed["recovery_code"])


def test_an_addition_begun_before_the_owner_enrolled_is_not_confirmed_after(service):
    _open_without_proof(service)
    page = service.client.get("/u/settings").text
    service.client.post("/u/settings/add", data={"csrf": csrf_of(page), "factor": "otp"})
    step = service.client.get("/u/settings/add").text
    seed = re.search(r'data-secret="([A-Z2-7]+)"', step).group(1)
    service.enroll_otp(USER)
    owner = {a.id for a in authenticators(service)}
    confirmed = service.client.post(
        "/u/settings/add/confirm", data={"csrf": csrf_of(step), "code": service.code(seed)}
    )
    assert SECURED in confirmed.text
    assert {a.id for a in authenticators(service) if a.confirmed} == owner


def test_a_session_that_added_the_first_factor_goes_on_as_the_owners(service):
    html = open_settings(service)  # opened without proof: no factor yet
    service.client.post("/u/settings/add", data={"csrf": csrf_of(html), "factor": "otp"})
    step = service.client.get("/u/settings/add").text
    seed = re.search(r'data-secret="([A-Z2-7]+)"', step).group(1)
    first = service.client.post(
        "/u/settings/add/confirm", data={"csrf": csrf_of(step), "code": service.code(seed)}
    )
    assert re.search(r'data-secret="[A-Z0-9]{24}"', first.text)  # its recovery code, shown
    second = add_otp(service, service.client.get("/u/settings").text)
    assert SECURED not in second
    assert [a.type for a in authenticators(service)].count("otp") == 2


def test_removing_a_rogue_enrollment_forgets_the_browsers_it_remembered(service):
    user = "auth0|rogue"
    token = service.login(login_event(user)).json()["mfa_token"]
    secret = service.mfa("enroll", token, {"factor": "otp"}).json()["secret"]
    body = {"factor": "otp", "otp": service.code(secret), "remember_browser": True}
    remember = service.mfa("enroll/confirm", token, body).json()["remember_token"]
    assert (
        service.login(login_event(user), **{"X-Remember-Token": remember}).json()["outcome"]
        == "allow"
    )

    for found in service.tenant().store.authenticators.for_user("acme", user):
        removed = service.client.delete(
            f"/v1/users/{user}/authenticators/{found.id}", headers=service.admin()
        )
        assert removed.status_code == 204
    service.clock.advance(seconds=60)
    service.enroll_otp(user)  # the owner's own factor
    again = service.login(login_event(user), **{"X-Remember-Token": remember}).json()
    assert again["outcome"] != "allow"
