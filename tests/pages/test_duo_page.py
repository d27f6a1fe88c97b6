"""Duo on the hosted pages: off to the Universal Prompt and back through the callback.

A tenant with ``[duo]`` pointing at the local Duo stand-in (tests/duo_stand_in.py, real TLS) and
its ``redirect_uri`` at the service's ``/u/mfa/duo/callback``. Over HTTP (FastAPI's TestClient,
the real app, a real SQLite store) the test plays Duo's prompt and follows its redirect back; in
Chromium the stand-in's authorize endpoint redirects the browser itself. duo_universal pins Duo's
own CAs, so the tenant's ``[duo] ca_certs`` names the stand-in's certificate, as a deployment
behind a private TLS proxy would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from browser_helpers import LiveService, bind_local, serve_live, watched_page
from duo_stand_in import CLIENT_ID, CLIENT_SECRET, DuoStandIn, serve_duo_stand_in
from fastapi.testclient import TestClient
from page_flows import entry_url, returned_claims
from page_helpers import (
    ORIGIN,
    RETURN_TO,
    PageSite,
    add_page_settings,
    alert_of,
    assertion_claims,
    choice_of,
    csrf_of,
    hidden_fields,
    serve_over_testclient,
)
from service_helpers import TenantFiles, bearer, login_event, write_tenant

from contextmfa.service import Tenant

# Duo issues 40-character client secrets; PyJWT warns that this is short for HS512.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

CALLBACK = "/u/mfa/duo/callback"
FACTORS = ("otp", "sms", "email", "duo", "recovery-code")
DUO_FIRST = '''"""The payroll app asks for Duo, then for a code from the app."""


def on_execute_post_login(event, api):
    if event.client and event.client.client_id == "payroll":
        api.authentication.challenge_with("duo")
        api.authentication.challenge_with("otp")
'''
PAYROLL = {"client_id": "payroll", "name": "Payroll", "metadata": {}}


def duo_tenant(directory: Path, origin: str, duo: DuoStandIn, **options: Any) -> TenantFiles:
    """A tenant with Duo enabled and configured for ``duo``; payroll logins ask Duo first."""
    files = write_tenant(directory, "acme", issuer=origin, factors=FACTORS, **options)
    (directory / "actions-acme" / "step_up.py").write_text(DUO_FIRST)
    add_page_settings(
        files, return_urls=[RETURN_TO, f"{origin}/test-return"], webauthn_origins=[origin]
    )
    with files.path.open("a") as config:
        config.write(
            f'\n[duo]\nclient_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n'
            f'api_host = "{duo.host}"\nredirect_uri = "{origin}{CALLBACK}"\n'
            f'ca_certs = "{duo.cert}"\n'
        )
    return files


@dataclass
class Site(PageSite):
    """The service at ``ORIGIN`` with a Duo tenant, and the stand-in Duo."""

    duo: DuoStandIn

    def login(self, user_id: str, **changes: Any) -> str:
        return str(self.decision(user_id, **changes)["mfa_token"])

    def open(self, token: str, *, state: str = "st-1") -> Any:
        query = urlencode({"mfa_token": token, "return_to": RETURN_TO, "state": state})
        return self.client.get(f"/u/mfa?{query}")

    def post(self, path: str, page: Any, *, follow_redirects: bool = False, **fields: str) -> Any:
        """As :meth:`PageSite.post`, but the redirect (to Duo, or on) is the test's to follow."""
        return super().post(path, page, follow_redirects=follow_redirects, **fields)

    def with_duo(self, user_id: str) -> str:
        """``user_id`` with an authenticator app (through the API) and Duo; returns the seed."""
        seed = self.enroll_otp(user_id)
        add_duo(self.tenant, user_id, self.clock.now)
        return seed

    def back_from_duo(self, **query: str) -> Any:
        """Duo's redirect to the callback, not followed."""
        return self.client.get(f"{CALLBACK}?{urlencode(query)}", follow_redirects=False)

    def claims(self, page: Any, audience: str = "portal-web") -> dict[str, Any]:
        """The assertion of the hand-back page, checked with the service's JWKS."""
        fields = hidden_fields(page.text)
        claims = assertion_claims(
            self.client, fields["assertion"], issuer=ORIGIN, audience=audience
        )
        return {**claims, "_state": fields["state"]}


def add_duo(tenant: Tenant, user_id: str, now: datetime) -> None:
    """Duo enrolled for ``user_id`` (Duo enrolls its users itself; the store records that)."""
    tenant.store.authenticators.add(
        "acme", user_id, "duo", name="Duo", public={}, secret=None, confirmed=True, now=now
    )


def form_action(response: Any) -> str:
    policy = response.headers["content-security-policy"]
    return next(p for p in policy.split("; ") if p.startswith("form-action"))


@pytest.fixture(scope="module")
def duo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuoStandIn]:
    with serve_duo_stand_in(tmp_path_factory.mktemp("duo-tls"), ORIGIN + CALLBACK) as server:
        yield server


@pytest.fixture
def site(tmp_path: Path, duo: DuoStandIn) -> Iterator[Site]:
    duo.healthy, duo.browser_result = True, "allow"
    files = duo_tenant(tmp_path, ORIGIN, duo)
    with serve_over_testclient(files) as (client, clock, tenant):
        yield Site(client, clock, files, tenant, duo)


def to_duo(site: Site, picker: Any) -> str:
    """Choose Duo on the challenge picker; the prompt's URL the browser is sent to."""
    assert form_action(picker) == f"form-action 'self' https://{site.duo.host}"
    gone = site.post("/u/mfa/start", picker, choice=choice_of(picker.text, "duo"))
    assert gone.status_code == 303, gone.text
    return gone.headers["location"]


# Off to Duo and back ----------------------------------------------------------------------


def test_duo_on_the_challenge_page_hands_back_an_assertion(site):
    site.with_duo("auth0|duo")
    picker = site.open(site.login("auth0|duo"), state="idp-state-7")
    assert 'data-factor="otp"' in picker.text and 'data-factor="duo"' in picker.text
    prompt = to_duo(site, picker)
    assert prompt.startswith(f"https://{site.duo.host}/oauth/v1/authorize?")

    back = site.duo.prompt(prompt)
    returned = site.back_from_duo(**back)
    assert returned.status_code == 303 and returned.headers["location"] == "/u/mfa/done"
    done = site.client.get("/u/mfa/done")
    claims = site.claims(done)
    assert claims["sub"] == "auth0|duo" and claims["amr"] == ["duo"]
    assert claims["_state"] == "idp-state-7"
    assert f'action="{RETURN_TO}"' in done.text and "data-autosubmit" in done.text


def test_duo_then_the_next_step_on_the_page(site):
    seed = site.with_duo("auth0|payroll")
    picker = site.open(site.login("auth0|payroll", client=PAYROLL))
    assert 'data-factor="otp"' not in picker.text, "the first step is Duo alone"
    back = site.duo.prompt(to_duo(site, picker))
    returned = site.back_from_duo(**back)
    assert returned.headers["location"] == "/u/mfa"
    second = site.client.get("/u/mfa")
    assert 'data-factor="duo"' not in second.text
    otp = choice_of(second.text, "otp")
    code_page = site.post("/u/mfa/start", second, follow_redirects=True, choice=otp)
    done = site.post("/u/mfa/verify", code_page, follow_redirects=True, code=site.code(seed))
    assert str(done.url).endswith("/u/mfa/done")
    assert site.claims(done, audience="payroll")["amr"] == ["duo", "otp"]


def test_duo_in_an_enroll_step_goes_to_duo_and_hands_back(site):
    picker = site.open(site.login("auth0|new"))
    assert str(picker.url).endswith("/u/enroll")
    assert 'name="factor" value="duo"' in picker.text
    assert form_action(picker) == f"form-action 'self' https://{site.duo.host}"
    gone = site.post("/u/enroll/start", picker, factor="duo")
    assert gone.status_code == 303
    assert gone.headers["location"].startswith(f"https://{site.duo.host}/oauth/v1/authorize?")
    returned = site.back_from_duo(**site.duo.prompt(gone.headers["location"]))
    assert returned.headers["location"] == "/u/mfa/done"
    done = site.client.get("/u/mfa/done")
    claims = site.claims(done)
    assert claims["sub"] == "auth0|new" and claims["amr"] == ["duo"]
    # Duo allowed the sign-in, so Duo knows the user: recorded, with the first recovery code.
    assert "recovery code" in done.text.lower()
    kinds = {a.type for a in site.tenant.store.authenticators.for_user("acme", "auth0|new")}
    assert kinds == {"duo", "recovery-code"}
    again = site.client.post(
        "/v1/logins", json=login_event("auth0|new"), headers=bearer(site.files.api_key)
    )
    assert again.json()["outcome"] == "challenge"


def test_coming_back_without_an_answer_offers_duo_again_or_another_method(site):
    site.with_duo("auth0|wander")
    picker = site.open(site.login("auth0|wander"))
    first = to_duo(site, picker)
    again = site.client.get("/u/mfa")
    assert "Continue with Duo" in again.text and "Use another method" in again.text
    assert form_action(again) == f"form-action 'self' https://{site.duo.host}"
    not_here = site.post("/u/mfa/verify", again, code="123456")
    assert not_here.headers["location"] == "/u/mfa", "Duo answers through its callback only"
    second = site.post("/u/mfa/start", again, choice="f:duo").headers["location"]
    assert second != first
    stale = site.back_from_duo(**site.duo.prompt(first))
    assert stale.headers["location"] == "/u/mfa"
    assert alert_of(site.client.get("/u/mfa").text)[0] == "invalid_request"
    passed = site.back_from_duo(**site.duo.prompt(second))
    assert passed.headers["location"] == "/u/mfa/done"


# The state -----------------------------------------------------------------------------------


def test_a_wrong_or_missing_state_is_refused_and_the_right_one_still_works(site):
    site.with_duo("auth0|state")
    prompt = to_duo(site, site.open(site.login("auth0|state")))
    back = site.duo.prompt(prompt)
    last = "y" if back["state"].endswith("x") else "x"  # one character off, never the same
    forged = [
        {"duo_code": back["duo_code"], "state": back["state"][:-1] + last},
        {"duo_code": back["duo_code"], "state": "é" * 24},
        {"duo_code": back["duo_code"]},
        {"duo_code": back["duo_code"], "state": "s" * 5000},
    ]
    for query in forged:
        refused = site.back_from_duo(**query)
        assert refused.headers["location"] == "/u/mfa", query
        code, text = alert_of(site.client.get("/u/mfa").text)
        assert code == "invalid_request" and "does not belong to this sign-in" in text
    state, duo_code = back["state"], back["duo_code"]
    twice = site.client.get(f"{CALLBACK}?state={state}&state={state}&duo_code={duo_code}")
    assert twice.status_code == 400
    assert alert_of(twice.text) == ("invalid_request", "Duo's answer has a field twice.")
    assert site.duo.codes.get(back["duo_code"]), "a refused answer never reaches Duo"
    passed = site.back_from_duo(**back)
    assert passed.headers["location"] == "/u/mfa/done"


def test_a_state_from_another_login_is_refused(site):
    site.with_duo("auth0|victim")
    site.with_duo("auth0|mallory")
    victim = to_duo(site, site.open(site.login("auth0|victim")))
    other = TestClient(site.client.app, base_url=ORIGIN)
    query = urlencode({"mfa_token": site.login("auth0|mallory"), "return_to": RETURN_TO})
    picker = other.get(f"/u/mfa?{query}")
    gone = other.post(
        "/u/mfa/start",
        data={"csrf": csrf_of(picker.text), "choice": "f:duo"},
        headers={"Origin": ORIGIN},
        follow_redirects=False,
    )
    mallory = site.duo.prompt(gone.headers["location"])
    refused = site.back_from_duo(**mallory)
    assert refused.headers["location"] == "/u/mfa"
    assert alert_of(site.client.get("/u/mfa").text)[0] == "invalid_request"
    assert site.back_from_duo(**site.duo.prompt(victim)).headers["location"] == "/u/mfa/done"
    assert site.claims(site.client.get("/u/mfa/done"))["sub"] == "auth0|victim"


def test_a_replayed_answer_is_refused(site):
    site.with_duo("auth0|replay")
    back = site.duo.prompt(to_duo(site, site.open(site.login("auth0|replay"))))
    cookie_then = site.client.cookies.get("contextmfa_page")
    assert site.back_from_duo(**back).headers["location"] == "/u/mfa/done"
    site.client.get("/u/mfa/done")

    ended = site.back_from_duo(**back)
    assert ended.status_code == 401, "the session ended with the hand-back"

    site.client.cookies.set("contextmfa_page", cookie_then, domain="mfa.acme.test", path="/u")
    replayed = site.back_from_duo(**back)
    assert replayed.headers["location"] == "/u/mfa"
    code, text = alert_of(site.client.get("/u/mfa").text)
    assert code == "invalid_grant" and "could not be confirmed" in text
    assert site.client.get("/u/mfa/done", follow_redirects=False).headers["location"] == "/u/mfa"


def test_a_callback_with_no_duo_sign_in_under_way_is_refused(site):
    fresh = TestClient(site.client.app, base_url=ORIGIN)
    no_session = fresh.get(f"{CALLBACK}?state=abc&duo_code=def")
    assert no_session.status_code == 401
    assert alert_of(no_session.text)[0] == "expired_token"

    site.with_duo("auth0|idle")
    site.open(site.login("auth0|idle"))
    idle = site.back_from_duo(state="s" * 24, duo_code="c" * 24)
    assert idle.status_code == 403
    code, text = alert_of(idle.text)
    assert code == "access_denied" and "does not match a Duo sign-in" in text


# Refusals ------------------------------------------------------------------------------------


def test_denied_by_duo_says_so_and_offers_duo_again_or_another_method(site):
    site.with_duo("auth0|denied")
    back = site.duo.prompt(to_duo(site, site.open(site.login("auth0|denied"))), result="deny")
    refused = site.back_from_duo(**back)
    assert refused.headers["location"] == "/u/mfa"
    page = site.client.get("/u/mfa")
    assert alert_of(page.text) == (
        "access_denied",
        "Duo did not approve this sign-in. Try again, or choose another method.",
    )
    assert 'value="f:duo"' in page.text and "Use another method" in page.text
    assert site.back_from_duo(**back).status_code == 403, "the spent state is gone"

    cancelled = site.duo.prompt(site.post("/u/mfa/start", page, choice="f:duo").headers["location"])
    site.back_from_duo(state=cancelled["state"], error="access_denied", error_description="x")
    assert alert_of(site.client.get("/u/mfa").text)[0] == "access_denied"

    other = site.post("/u/mfa/back", page)
    picker = site.client.get(other.headers["location"])
    assert 'data-factor="otp"' in picker.text and "page-error" not in picker.text


def test_duo_down_says_so_and_the_other_methods_stay(site):
    seed = site.with_duo("auth0|down")
    site.duo.healthy = False
    picker = site.open(site.login("auth0|down"))
    shown = site.post("/u/mfa/start", picker, choice="f:duo")
    assert shown.status_code == 200
    assert alert_of(shown.text) == (
        "mfa_factor_unavailable",
        "Duo is not available right now. Choose another method, or try again later.",
    )
    assert 'data-factor="otp"' in shown.text and 'data-factor="duo"' in shown.text
    otp = choice_of(shown.text, "otp")
    code_page = site.post("/u/mfa/start", shown, follow_redirects=True, choice=otp)
    done = site.post("/u/mfa/verify", code_page, follow_redirects=True, code=site.code(seed))
    assert site.claims(done)["amr"] == ["otp"]


def test_duo_down_in_an_enroll_step_keeps_the_other_methods(site):
    site.duo.healthy = False
    picker = site.open(site.login("auth0|new-down"))
    shown = site.post("/u/enroll/start", picker, factor="duo")
    assert alert_of(shown.text)[0] == "mfa_factor_unavailable"
    assert 'name="factor" value="otp"' in shown.text


# In Chromium ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def duo_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveService, DuoStandIn]]:
    """The live service (uvicorn, SQLite file store) with the Duo tenant, and its stand-in."""
    directory = tmp_path_factory.mktemp("duo-live")
    sock, base_url = bind_local()
    with sock, serve_duo_stand_in(directory, base_url + CALLBACK) as duo:
        files = duo_tenant(directory, base_url, duo, store=f"sqlite:///{directory / 'store.db'}")
        live, server = serve_live(sock, base_url, files)
        try:
            yield live, duo
        finally:
            server.stop()
            live.http.close()


@pytest.fixture
def duo_page(browser: Any, duo_live: tuple[LiveService, DuoStandIn]) -> Iterator[Any]:
    """A watched page that may also reach the stand-in Duo (self-signed: HTTPS errors ignored)."""
    live, duo = duo_live
    with watched_page(browser, live.base_url, ignore_https_errors=True) as opened:
        duo_origin = f"https://{duo.host}"
        opened.route(lambda url: url.startswith(duo_origin + "/"), lambda route: route.continue_())
        yield opened


def test_in_chromium_duo_redirects_the_browser_there_and_back(
    duo_page, duo_live, check_page
) -> None:
    live, duo = duo_live
    duo.healthy, duo.browser_result = True, "deny"
    user_id = "auth0|chromium-duo"
    add_duo(live.tenant, user_id, live.clock())
    token = live.api_login(live.login_event(user_id))["mfa_token"]
    duo_page.goto(entry_url(live, token, "st-chromium"))
    duo_page.get_by_role("button", name=re.compile("^Duo")).wait_for()
    check_page(duo_page, "picker")

    duo_page.get_by_role("button", name=re.compile("^Duo")).click()
    duo_page.wait_for_url(re.compile(r"/u/mfa$"))
    alert = duo_page.get_by_role("alert")
    assert alert.inner_text().startswith("Duo did not approve this sign-in.")
    check_page(duo_page, "denied")

    duo.browser_result = "allow"
    duo_page.get_by_role("button", name="Continue with Duo").click()
    duo_page.wait_for_url(f"{live.base_url}/test-return")
    claims = returned_claims(live, "st-chromium")
    assert claims["sub"] == user_id and claims["amr"] == ["duo"]
    assert duo.requests.count("/oauth/v1/authorize") >= 2, "the browser went to Duo twice"
