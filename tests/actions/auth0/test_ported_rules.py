"""The ported Auth0 rules as a whole: each names its source and documents itself, `contextmfa
check` accepts every one of them, and the README lists them.

A port's docstring names the rule it ports (auth0/rules, src/rules/<name>.js), says how the
rule's `context`/`callback` map onto `event`/`api` and where the port differs, documents every
secret it reads, and, when it reads any, ends with an example `[secrets.<stem>]` block that is
valid TOML, sets exactly those secrets and runs (inline and in a worker, as every case here).
"""

import re
from pathlib import Path

import pytest
from action_docstrings import docstring, example, secrets_read
from auth0_ports import PORTS_DIR, Case
from risk_ports import SCENARIOS
from typer.testing import CliRunner

from contextmfa.cli.main import app

ROOT = Path(__file__).resolve().parents[3]
PATHS = sorted(PORTS_DIR.glob("*.py"))
STEMS = [path.stem for path in PATHS]
SECTIONS = ("Source", "What it does", "Port", "Differences from the original", "Secrets")
GEO = ROOT / "samples" / "geo" / "test-city.mmdb"
RISK_SERVICES = (
    "https://minfraud.maxmind.com",
    "https://signals.api.auth0.com",
    "https://acme.mynonemployee.com",
    "https://api.us.incognia.com",
    "https://api.signifyd.com",
)
"""Where the risk ports call out, as a tenant that uses them all lists it."""


EXAMPLES = [
    Case(
        path.stem,
        "its example secrets run",
        expect=None,
        secrets={name: str(value) for name, value in example(path).items()},
    )
    for path in PATHS
    if secrets_read(path)
]


def test_the_ports_cover_the_rules_the_issue_names():
    named = {
        "adaptive_mfa",
        "adaptive_mfa_custom_confidence",
        "guardian_multifactor",
        "guardian_multifactor_ip_range",
        "guardian_multifactor_stepup_authentication",
        "mfa",
        "mfa_require_enrollment",
        "require_mfa_once_per_session",
        "access_on_weekdays_only_for_an_app",
        "ip_address_allowlist",
        "ip_address_blocklist",
        "duo_multifactor",
        "google_multifactor",
        "email_verified",
        "simple_domain_whitelist",
        "check_last_password_reset",
    }
    assert named <= set(STEMS)


def test_the_ports_cover_the_risk_rules_that_call_a_service():
    named = {
        "fraud_prevention_with_minfraud",
        "signals_ip_blacklisted",
        "signals_ip_info",
        "seczetta_get_risk_score",
        "seczetta_grab_risk_score",
        "incognia_authentication",
        "alt_risk_score",
        "signifyd_score",
    }
    assert named <= set(STEMS)
    calling = {path.stem for path in PATHS if "fetch(" in path.read_text(encoding="utf-8")}
    assert calling == named == set(SCENARIOS), "a port that calls out needs a replay scenario"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_docstring_names_the_source_rule(path):
    text = docstring(path)
    assert "auth0/rules" in text
    assert f"src/rules/{path.stem.replace('_', '-')}.js" in text


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_docstring_has_every_section_in_order(path):
    text = docstring(path)
    positions = [text.find(f"\n{section}") for section in SECTIONS]
    assert -1 not in positions, f"{path.name} lacks one of {SECTIONS}"
    assert positions == sorted(positions)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_docstring_documents_every_secret_read(path):
    text = docstring(path)
    read = secrets_read(path)
    for name in read:
        assert re.search(rf"^\s+{name}\s", text, re.MULTILINE), f"{name} is not documented"
    if not read:
        assert re.search(r"^Secrets\n\s+none\.$", text, re.MULTILINE)


@pytest.mark.parametrize("path", [p for p in PATHS if secrets_read(p)], ids=lambda p: p.stem)
def test_example_sets_exactly_the_secrets_read_as_strings(path):
    values = example(path)
    assert set(values) == secrets_read(path)
    assert all(isinstance(value, str) for value in values.values())


@pytest.mark.parametrize("case", EXAMPLES, ids=lambda c: c.stem)
def test_example_secrets_run(decide, case):
    decide(case)


def test_contextmfa_check_accepts_every_port(tmp_path):
    listed = ", ".join(f'"{path}"' for path in PATHS)
    config = tmp_path / "tenant.toml"
    egress = ", ".join(f'"{url}"' for url in RISK_SERVICES)
    config.write_text(
        f'[tenant]\nid = "acme"\n[flow]\nactions = [{listed}]\n[geoip]\ncity_database = "{GEO}"\n'
        f"[sandbox]\ntimeout_ms = 5000\negress = [{egress}]\n"
    )
    result = CliRunner().invoke(app, ["check", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert f"ok: {len(PATHS)} Actions, 0 rule files, 0 warnings" in result.output


def test_the_readme_lists_every_port_once():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Ported Auth0 rules", 1)[1].split("\n#", 1)[0]
    listed = re.findall(r"^\| \[`(\w+)`\]\(actions/auth0/(\w+)\.py\) \|", section, re.MULTILINE)
    assert [name for name, _ in listed] == [file for _, file in listed]
    assert sorted(name for name, _ in listed) == STEMS
