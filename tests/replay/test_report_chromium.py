"""The report as a person opens it: Debian's Chromium, driven by Playwright, no network.

Skipped when Chromium (``apt-get install chromium``) or Playwright for Python is missing;
Playwright's own browser download is never used.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
playwright = pytest.importorskip("playwright.sync_api", reason="Playwright for Python missing")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and shutil.which("chromium") is None,
    reason="Chromium missing (apt-get install chromium)",
)

BLOCK_PEGGY = """rule "block-peggy" priority 1000 {
    when user.id == "auth0|peggy"
    deny "peggy is blocked"
}
"""


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
        launched = p.chromium.launch(
            executable_path=executable, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


def _open(browser, report: Path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(("file:", "data:", "about:"))
            else problems.append(f"request: {r.url}")
        ),
    )
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    return page, problems


def test_diff_report_renders_without_console_errors(cli, tree, candidate, tmp_path, browser):
    blocked = candidate("block", rules=BLOCK_PEGGY)
    report = tmp_path / "report.html"
    result = cli(
        "replay",
        tree / "logins.jsonl",
        "-c",
        tree / "tenant.toml",
        "--against",
        blocked,
        "--report",
        report,
    )
    assert result.exit_code == 0, result.output
    page, problems = _open(browser, report)
    assert page.locator("#outcomes .card").count() == 8  # current and candidate
    assert page.locator("#transitions tr").count() == 1 + 2
    assert page.locator("#world-map circle").count() >= 10
    assert page.locator("#world-map path.land").get_attribute("d").startswith("M")
    assert page.locator("#countries tr").count() > 5
    assert page.locator("#risk table").count() == 6
    logins = page.locator("details.login")
    assert logins.count() == 6  # 5 changed, and l-0023 whose partner_contract fails on purpose
    assert page.locator("#login-shown").inner_text() == "6"

    page.fill("#login-filter", "l-0001")
    assert page.locator("#login-shown").inner_text() == "1"
    assert page.locator("details.login:not(.hidden)").count() == 1
    page.fill("#login-filter", "")
    page.click("#login-expand")
    assert page.locator("details.login[open]").count() == 6
    page.click("#login-collapse")
    page.click("a.example[href='#line-4']")
    assert page.locator("#line-4").get_attribute("open") is not None
    assert "peggy is blocked" in page.locator("#line-4").inner_text()
    box = page.locator("#world-map").bounding_box()
    assert box is not None and box["width"] > 1000
    assert problems == []


def test_plain_report_renders_without_console_errors(cli, tree, tmp_path, browser):
    report = tmp_path / "report.html"
    result = cli("replay", tree / "logins.jsonl", "-c", tree / "tenant.toml", "--report", report)
    assert result.exit_code == 0, result.output
    page, problems = _open(browser, report)
    assert page.locator("#outcomes .card").count() == 4
    assert page.locator("#changes").count() == 0
    assert page.locator("#no-logins").count() == 0
    assert page.locator("#banner.bad").inner_text().splitlines() == [
        "This replay needs attention",
        "1 Action error: partner_contract (1)",
    ]
    assert page.locator("details.login").count() == 1
    page.click("#action-errors a.example[href='#line-26']")
    assert "ValueError: Invalid isoformat string" in page.locator("#line-26").inner_text()
    assert problems == []


BREAKS = """
() => {
  const found = [];
  for (const code of document.querySelectorAll("#risk code, details.login dd")) {
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    let previous = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!rect) { continue; }
        const char = node.data[i];
        const inWord = /^[A-Za-z0-9]{2}$/;
        if (previous && rect.top > previous.top + 2 && inWord.test(previous.char + char)) {
          found.push(code.textContent);
        }
        previous = { top: rect.top, char: char };
      }
    }
  }
  return found;
}
"""


def test_risk_codes_wrap_between_words_never_inside_one(cli, tree, tmp_path, browser):
    report = tmp_path / "report.html"
    result = cli("replay", tree / "logins.jsonl", "-c", tree / "tenant.toml", "--report", report)
    assert result.exit_code == 0, result.output
    page, problems = _open(browser, report)
    page.click("#login-expand")
    wrapped = page.evaluate(
        "() => [...document.querySelectorAll('#risk code')]"
        ".filter(c => c.getClientRects().length > 1).length"
    )
    assert wrapped > 0, "the test needs codes that wrap at this width"
    assert page.evaluate(BREAKS) == []
    assert problems == []
