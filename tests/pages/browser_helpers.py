"""The browser side of the hosted-page tests: the live service, page checks, authenticators.

The service runs for real (uvicorn on 127.0.0.1, one tenant, a SQLite file store) and Chromium
browses it as ``http://localhost:<port>``: WebAuthn needs a secure context and an RP id that is a
domain, and ``localhost`` is both over plain HTTP.

axe-core (bundled by ``axe-playwright-python``) runs through ``page.evaluate``, which goes over
CDP (``Runtime.evaluate``) and is not subject to the page's Content-Security-Policy, so pages are
checked under their real ``script-src 'self'`` with no ``bypass_csp``. Injecting a ``<script>``
element (``add_script_tag``) would be blocked by that policy, and the block logged as a console
error. CSP violations of the pages themselves stay console errors and fail the checks.
"""

from __future__ import annotations

import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
import pyotp
import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from page_helpers import FACTORS, add_page_settings
from service_helpers import (
    SECRET_KEY,
    SoftwareDevice,
    TenantFiles,
    bearer,
    login_event,
    write_tenant,
)

from contextmfa.service import Tenant, create_app, load_tenants

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]
VIEWPORT = {"width": 1280, "height": 900}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]
BLOCKING_IMPACTS = ("serious", "critical")
TEST_PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
TEST_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" fill="#235"/></svg>'
)


class LiveClock:
    """The service's clock: real time, plus whatever the tests skip ahead with :meth:`advance`."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@dataclass
class LiveService:
    """The real app serving one tenant ("acme") on ``base_url``, with two test-only routes.

    ``/test-return`` receives the form a page hands back to the identity provider (kept in
    :attr:`returned`); ``/test-pages/<name>`` serves what :meth:`serve_test_page` registered,
    under a strict CSP like the hosted pages'.
    """

    base_url: str
    tenant: Tenant
    clock: LiveClock
    api_key: str
    admin_key: str
    http: httpx.Client
    returned: list[dict[str, str]] = field(default_factory=list)
    test_pages: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    @property
    def api(self) -> dict[str, str]:
        return bearer(self.api_key)

    @property
    def admin(self) -> dict[str, str]:
        return bearer(self.admin_key)

    @property
    def return_url(self) -> str:
        return f"{self.base_url}/test-return"

    def login_event(self, user_id: str | None = None, **changes: Any) -> dict[str, Any]:
        """A valid login event; a fresh user unless ``user_id`` is given (the store is shared
        by every test of a module)."""
        return login_event(user_id or f"auth0|user-{secrets.token_hex(6)}", **changes)

    def api_login(self, event: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
        """``POST /v1/logins`` with the API key; the decision (with its ``mfa_token``)."""
        answer = self.http.post(
            "/v1/logins", json=event or self.login_event(**changes), headers=self.api
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    def totp(self, secret: str, *, offset: float = 0) -> str:
        """The code for ``secret`` at the service's time (``offset`` seconds away)."""
        return pyotp.TOTP(secret).at(self.clock() + timedelta(seconds=offset))

    def serve_test_page(
        self, name: str, body: str, content_type: str = "text/html", *, csp: str = TEST_PAGE_CSP
    ) -> str:
        """Serve ``body`` at ``/test-pages/<name>`` under ``csp``; returns its URL."""
        self.test_pages[name] = (content_type, body, csp)
        return f"{self.base_url}/test-pages/{name}"


def html_page(title: str, body: str, *, script: str = "") -> str:
    """A complete, valid page for :meth:`LiveService.serve_test_page` (``script``: a same-origin
    script's test-page name)."""
    tag = f'<script src="/test-pages/{script}" defer></script>' if script else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<link rel="icon" href="/test-pages/icon.svg" type="image/svg+xml">'
        f"<title>{title}</title>{tag}</head><body><main><h1>{title}</h1>{body}</main></body></html>"
    )


def _add_test_routes(app: FastAPI, live: LiveService) -> None:
    async def test_return(request: Request) -> HTMLResponse:
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        live.returned.append(form)
        return HTMLResponse(html_page("Returned", "<p>The sign-in came back.</p>"))

    def test_page(name: str) -> Response:
        if name not in live.test_pages:
            return Response(status_code=404)
        content_type, body, csp = live.test_pages[name]
        headers = {"Content-Security-Policy": csp} if csp else {}
        return Response(body, media_type=content_type, headers=headers)

    app.add_api_route("/test-return", test_return, methods=["POST"], include_in_schema=False)
    app.add_api_route("/test-pages/{name}", test_page, methods=["GET"], include_in_schema=False)
    live.serve_test_page("icon.svg", TEST_ICON, "image/svg+xml")


class _ServerThread:
    """uvicorn in a background thread on an already bound socket."""

    def __init__(self, app: FastAPI, sock: socket.socket) -> None:
        config = uvicorn.Config(
            app, log_config=None, access_log=False, lifespan="on", timeout_graceful_shutdown=5
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the live service did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        if self.thread.is_alive():
            raise RuntimeError("the live service did not shut down")


def bind_local() -> tuple[socket.socket, str]:
    """A socket bound to a free port of 127.0.0.1, and the service's URL there: tenant configs
    name their origins, so the port comes first."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock, f"http://localhost:{sock.getsockname()[1]}"


def serve_live(
    sock: socket.socket, base_url: str, files: TenantFiles
) -> tuple[LiveService, _ServerThread]:
    """The real app for the tenant ``files`` (with the test routes), started on ``sock``."""
    tenants = load_tenants([files.path], environ={"CONTEXTMFA_SECRET_KEY": SECRET_KEY, **files.env})
    clock = LiveClock()
    tenant = tenants.get("acme")
    assert tenant is not None
    port = sock.getsockname()[1]
    live = LiveService(
        base_url=base_url,
        tenant=tenant,
        clock=clock,
        api_key=files.api_key,
        admin_key=files.admin_key,
        http=httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30),
    )
    app = create_app(tenants, clock=clock, owns_tenants=True)
    _add_test_routes(app, live)
    server = _ServerThread(app, sock)
    try:
        server.start()
    except BaseException:
        sock.close()
        live.http.close()
        tenants.close()
        raise
    return live, server


def start_live_service(directory: Path) -> tuple[LiveService, _ServerThread]:
    """The live service with the tenant "acme" of every factor, a SQLite file store."""
    sock, base_url = bind_local()
    files = write_tenant(
        directory,
        "acme",
        store=f"sqlite:///{directory / 'store.db'}",
        issuer=base_url,
        factors=FACTORS,
    )
    add_page_settings(
        files,
        webauthn_rp_id="localhost",
        webauthn_origins=[base_url],
        return_urls=[f"{base_url}/test-return"],
    )
    return serve_live(sock, base_url, files)


@contextmanager
def watched_page(browser: Any, base_url: str, **options: Any) -> Iterator[Any]:
    """A page in a fresh context (``options``: more of the context's), relative URLs against
    ``base_url``, problems watched. Problems nobody looked at fail the test at the end: a test
    that provokes one on purpose clears ``page.problems`` after asserting it."""
    context = browser.new_context(viewport=VIEWPORT, base_url=base_url, locale="en-US", **options)
    opened = context.new_page()
    watch(opened, base_url)
    try:
        yield opened
    finally:
        left = list(problems_of(opened))
        context.close()
    if left:
        pytest.fail("the page reported problems:\n  " + "\n  ".join(left))


# Page problems ----------------------------------------------------------------------------


class PageProblems(AssertionError):
    """The page logged a console error or warning, threw, or asked for a third-party asset."""


class AccessibilityViolations(AssertionError):
    """axe-core found violations of serious or critical impact."""

    def __init__(self, message: str, violations: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.violations = violations


def watch(page: Any, origin: str) -> list[str]:
    """Record on ``page.problems`` every console error or warning, page error, and request
    away from ``origin`` (aborted: pages must work without third-party assets)."""
    problems: list[str] = []
    page.problems = problems

    def console(message: Any) -> None:
        if message.type in ("error", "warning"):
            where = message.location
            place = f"{where.get('url', '')}:{where.get('lineNumber', 0) + 1}"
            problems.append(f"console {message.type}: {message.text} ({place})")

    def foreign(url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return False
        return f"{parts.scheme}://{parts.netloc}" != origin

    def refuse(route: Any) -> None:
        problems.append(f"third-party request: {route.request.url}")
        route.abort("blockedbyclient")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.route(foreign, refuse)
    return problems


def problems_of(page: Any) -> list[str]:
    try:
        return page.problems
    except AttributeError:
        raise TypeError("this page is not watched: use the `page` fixture") from None


def assert_no_problems(page: Any) -> None:
    found = problems_of(page)
    if found:
        raise PageProblems("the page reported problems:\n  " + "\n  ".join(found))


def accessibility_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (every impact)."""
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return Axe().run(page, options=options).response["violations"]


def assert_accessible(page: Any) -> None:
    """Raise :class:`AccessibilityViolations` for serious or critical violations."""
    blocking = [v for v in accessibility_violations(page) if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = []
        for v in blocking:
            targets = ", ".join(" ".join(map(str, node["target"])) for node in v["nodes"])
            lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{targets}] {v['helpUrl']}")
        raise AccessibilityViolations(
            f"{page.url}: accessibility violations:\n  " + "\n  ".join(lines), blocking
        )


def screenshot_path(test_name: str, name: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{test_name}-{name}").strip("_")
    return SCREENSHOTS / f"{safe}.png"


def check_page(page: Any, test_name: str, name: str) -> Path:
    """Screenshot the page (full length), then require it accessible and free of problems."""
    path = screenshot_path(test_name, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    assert_accessible(page)
    assert_no_problems(page)
    return path


# Authenticators ----------------------------------------------------------------------------


class VirtualAuthenticator:
    """A CTAP2 authenticator inside Chromium (CDP WebAuthn domain) that says yes on its own."""

    def __init__(self, page: Any, *, platform: bool = False) -> None:
        self.session = page.context.new_cdp_session(page)
        self.session.send("WebAuthn.enable", {"enableUI": False})
        options = {
            "protocol": "ctap2",
            "transport": "internal" if platform else "usb",
            "hasResidentKey": True,
            "hasUserVerification": True,
            "isUserVerified": True,
            "automaticPresenceSimulation": True,
        }
        added = self.session.send("WebAuthn.addVirtualAuthenticator", {"options": options})
        self.authenticator_id: str = added["authenticatorId"]

    def credentials(self) -> list[dict[str, Any]]:
        answer = self.session.send(
            "WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id}
        )
        return answer["credentials"]

    def remove(self) -> None:
        self.session.send(
            "WebAuthn.removeVirtualAuthenticator", {"authenticatorId": self.authenticator_id}
        )


class PushPhone:
    """A push authenticator app talking to the live service's ``/v1/push`` endpoints."""

    def __init__(self, live: LiveService) -> None:
        self.live = live
        self.device = SoftwareDevice(live.tenant.id)

    @property
    def device_id(self) -> str | None:
        return self.device.device_id

    def register(self, ticket: str) -> str:
        """Pair with a ticket: the ``contextmfa://push/enroll?...`` URI of the QR code, or the
        bare ticket id. The URI must name this tenant and this service."""
        if ticket.startswith("contextmfa://"):
            query = {k: v[0] for k, v in parse_qs(urlsplit(ticket).query).items()}
            assert query.get("tenant") == self.live.tenant.id, ticket
            assert query.get("url") == self.live.base_url, ticket
            ticket = query["ticket"]
        answer = self.live.http.post("/v1/push/devices", json=self.device.registration(ticket))
        assert answer.status_code == 200, answer.text
        self.device.device_id = answer.json()["authenticator_id"]
        return self.device.device_id

    def pending(self) -> list[dict[str, Any]]:
        body = self.device.pending_query(self.live.clock())
        answer = self.live.http.post("/v1/push/pending", json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()["transactions"]

    def wait_for_push(self, timeout: float = 15) -> dict[str, Any]:
        """The one pending sign-in, once it has arrived."""
        deadline = time.monotonic() + timeout
        while not (found := self.pending()):
            if time.monotonic() > deadline:
                raise AssertionError(f"no push arrived within {timeout} s")
            time.sleep(0.2)
        assert len(found) == 1, found
        return found[0]

    def answer(self, number: str, decision: str = "approve") -> httpx.Response:
        """Answer the pending sign-in with the number read off the login page."""
        push = self.wait_for_push()
        body = self.device.answer(push["transaction"], push["nonce"], number, decision)
        return self.live.http.post(f"/v1/push/transactions/{push['transaction']}", json=body)

    def approve(self, number: str) -> str:
        answer = self.answer(number)
        assert answer.status_code == 200, answer.text
        return answer.json()["state"]
