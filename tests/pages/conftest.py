"""Fixtures for the hosted pages: the live service and Chromium (once per module), a fresh
watched page per test, and the checks every page must pass.

Skipped when Playwright for Python or Debian's Chromium (``apt-get install chromium``) is
missing; Playwright's own browser download is never used.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

SERVICE_TESTS = Path(__file__).resolve().parents[1] / "service"
if str(SERVICE_TESTS) not in sys.path:
    sys.path.append(str(SERVICE_TESTS))  # service_helpers: tenant configs, the push device

# The TestClient's deprecation note about httpx, once for every module here that imports it.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright for Python missing")
pytest.importorskip("axe_playwright_python", reason="axe-playwright-python missing")

from browser_helpers import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveService,
    PushPhone,
    VirtualAuthenticator,
    start_live_service,
    watched_page,
)
from browser_helpers import check_page as check  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one module: a sync Playwright left running would refuse any other test
    module's own ``sync_playwright()`` ("Sync API inside the asyncio loop"), as the report tests
    in tests/replay start theirs."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium missing at {CHROMIUM} (apt-get install chromium)")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def live_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    live, server = start_live_service(tmp_path_factory.mktemp("live"))
    try:
        yield live
    finally:
        server.stop()
        live.http.close()


@pytest.fixture
def page(browser: Any, live_service: LiveService) -> Iterator[Any]:
    """A page in a fresh context, relative URLs against the live service, problems watched.

    Problems nobody looked at fail the test at teardown: a test that provokes one on purpose
    clears ``page.problems`` after asserting it.
    """
    with watched_page(browser, live_service.base_url) as opened:
        yield opened


@pytest.fixture
def check_page(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """``check_page(page, "name")``: screenshot to artifacts/screenshots/<test>-<name>.png,
    then no serious accessibility violation and no console problem; returns the screenshot."""
    return lambda page, name: check(page, request.node.name, name)


@pytest.fixture
def virtual_authenticator() -> Callable[..., VirtualAuthenticator]:
    """``virtual_authenticator(page, platform=False)``: a security key (or, with ``platform``,
    this device's built-in authenticator) in the page's browser context."""
    return lambda page, *, platform=False: VirtualAuthenticator(page, platform=platform)


@pytest.fixture
def push_phone(live_service: LiveService) -> PushPhone:
    """A push app of its own (fresh key), not yet paired."""
    return PushPhone(live_service)
