"""`contextmfa check` on rule files: what a rule writer sees for values that can never match,
for lists with nothing in them and for rules over data the tenant does not have."""

from __future__ import annotations

from pathlib import Path

ALPHA2 = "which holds ISO 3166-1 alpha-2 codes"


def tenant_with_rules(root: Path, rules: str, lists: dict[str, str] | None = None) -> Path:
    (root / "rules").mkdir()
    (root / "rules" / "policy.rules").write_text(rules, encoding="utf-8")
    for name, text in (lists or {}).items():
        (root / "lists").mkdir(exist_ok=True)
        (root / "lists" / name).write_text(text, encoding="utf-8")
    config = root / "tenant.toml"
    config.write_text('[tenant]\nid = "acme"\n[flow]\nrules = ["rules/policy.rules"]\n')
    return config


def test_alpha3_codes_and_country_names_fail_check_with_the_code_meant(cli, tmp_path: Path):
    config = tenant_with_rules(
        tmp_path,
        'rule "embargo" priority 100 {\n'
        '    when geo.country in ["CUB", "IRN", "PRK"] or geo.country == "Netherlands"\n'
        '    deny "Sign-in from this region is not allowed"\n'
        "}\n",
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 1, result.output
    shown = tmp_path / "rules" / "policy.rules"
    assert result.stderr.splitlines() == [
        f'{shown}:2:26: error: "CUB" is never a value of geo.country, {ALPHA2}; did you mean "CU"?',
        f'{shown}:2:33: error: "IRN" is never a value of geo.country, {ALPHA2}; did you mean "IR"?',
        f'{shown}:2:40: error: "PRK" is never a value of geo.country, {ALPHA2}; did you mean "KP"?',
        f'{shown}:2:65: error: "Netherlands" is never a value of geo.country, {ALPHA2}; '
        'did you mean "NL"?',
        "check failed: 4 errors",
    ]


def test_a_bad_entry_in_a_country_list_file_is_located_at_its_line(cli, tmp_path: Path):
    config = tenant_with_rules(
        tmp_path,
        'list embargoed = file "../lists/embargo.txt"\n'
        'rule "embargo" { when geo.country in embargoed deny "no" }\n',
        {"embargo.txt": "# embargoed countries\nCU\nIR\nNorth Korea\nSY\n"},
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 1
    assert (
        f'{tmp_path / "lists" / "embargo.txt"}:4:1: error: "North Korea" is never a value of '
        f'geo.country, {ALPHA2}; did you mean "KP"?'
    ) in result.stderr.splitlines()


def test_dates_and_times_that_do_not_exist_fail_check(cli, tmp_path: Path):
    config = tenant_with_rules(
        tmp_path,
        'rule "freeze" { when time.date between "2026-12-24" and "2026-13-01" deny "frozen" }\n'
        'rule "night" { when local.time between 22:00 and 25:00 require mfa }\n',
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 1
    shown = tmp_path / "rules" / "policy.rules"
    assert result.stderr.splitlines() == [
        f'{shown}:1:57: error: "2026-13-01" is not a date: there is no month 13',
        f"{shown}:2:50: error: bad time: 25:00 is not a time of day (00:00 to 23:59)",
        "check failed: 2 errors",
    ]


# -- rules that can never fire: warnings, the check still passes --------------------------------

SAMPLE_ASN_DATABASE = Path(__file__).resolve().parents[2] / "samples" / "geo" / "test-asn.mmdb"


def test_empty_and_comment_only_list_files_are_warnings(cli, tmp_path: Path):
    config = tenant_with_rules(
        tmp_path,
        'list tor = file "../lists/tor.txt"\nlist vpn = file "../lists/vpn.txt"\n'
        'rule "tor" { when ip in tor or ip in vpn deny "no" }\n',
        {"tor.txt": "", "vpn.txt": "# refreshed by the nightly feed job\n\n"},
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 0, result.output
    shown = tmp_path / "rules" / "policy.rules"
    only = "has no entries (only blank lines or comments), so nothing is ever in list"
    assert result.stderr.splitlines() == [
        f"{shown}:1:17: warning: list file {tmp_path / 'lists' / 'tor.txt'} {only} tor",
        f"{shown}:2:17: warning: list file {tmp_path / 'lists' / 'vpn.txt'} {only} vpn",
    ]
    assert result.stdout.strip().endswith(": ok: 0 Actions, 1 rule file, 2 warnings")


def test_asn_rules_without_an_asn_database_are_warnings(cli, tmp_path: Path):
    config = tenant_with_rules(
        tmp_path, 'rule "hosting" { when asn.number in [16509, 14618] require mfa }\n'
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'rules' / 'policy.rules'}:1:23: warning: asn.number is always missing: "
        "the tenant has no ASN database (set [geoip] asn_database)"
    ]
    config.write_text(
        config.read_text() + f'[geoip]\nasn_database = "{SAMPLE_ASN_DATABASE}"\n', encoding="utf-8"
    )
    result = cli("check", "--config", config)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
