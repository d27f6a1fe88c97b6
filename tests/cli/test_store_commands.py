"""The store commands against a real SQLite file: keygen, outbox, authenticators, remember-browser.

What an administrator adds through the CLI is checked by the real factors (OTP codes from pyotp,
SMS/voice/email codes read back through ``contextmfa outbox``): the admin path and the factor
module must agree on every stored shape.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from typer.testing import CliRunner

from contextmfa.cli.authenticators import ADDERS, AUDIT_ADDED, USER_ENROLLED
from contextmfa.cli.main import app
from contextmfa.config import load_config
from contextmfa.delivery import DeliverySection, build_delivery
from contextmfa.directives import FACTORS
from contextmfa.factors import Answer, FactorServices, FactorSettings, Subject, build_factors
from contextmfa.store import Store, keygen
from contextmfa.store.keys import MasterKey

TENANT = "acme"
USER = "auth0|alice"
PHONE = "+31612345678"


@dataclass
class StoreTenant:
    config: Path
    key: str

    @property
    def database(self) -> Path:
        return self.config.parent / "mfa.db"

    def open(self) -> Store:
        return Store.open(f"sqlite:///{self.database}", secret_key=self.key)

    def factors(self, store: Store):
        settings = FactorSettings.from_config(load_config(self.config))
        delivery = build_delivery(DeliverySection(), store.outbox)
        return build_factors(FactorServices.from_store(store, delivery, settings))


@pytest.fixture
def st(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StoreTenant:
    """A tenant whose store is ``sqlite:///mfa.db`` next to its config, run from elsewhere."""
    home = tmp_path / "tenant"
    home.mkdir()
    config = home / "tenant.toml"
    config.write_text(
        f'[tenant]\nid = "{TENANT}"\n'
        '[policy]\nfactors = ["otp", "sms", "voice", "email"]\n'
        '[service]\nstore = "sqlite:///mfa.db"\nissuer = "https://mfa.acme.test"\n'
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    key = keygen()
    monkeypatch.setenv("CONTEXTMFA_SECRET_KEY", key)
    monkeypatch.delenv("CONTEXTMFA_DEVELOPMENT", raising=False)
    return StoreTenant(config, key)


def run(*args: object, input: str | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input)


def one_line_error(result) -> str:
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def add(st: StoreTenant, *args: object) -> dict[str, str]:
    result = run("authenticators", "add", USER, *args, "--config", st.config)
    assert result.exit_code == 0, result.output
    return dict(line.split(": ", 1) for line in result.stdout.splitlines())


# keygen --------------------------------------------------------------------------------------


def test_keygen_prints_a_valid_key_on_stdout_alone() -> None:
    first, second = run("keygen"), run("keygen")
    assert first.exit_code == 0
    key = first.stdout.strip()
    assert first.stdout == key + "\n"
    assert len(base64.urlsafe_b64decode(key)) == 32
    MasterKey(key)
    assert second.stdout.strip() != key
    assert "CONTEXTMFA_SECRET_KEY" in one_line_error(first)


# opening the store ---------------------------------------------------------------------------


def test_relative_sqlite_path_is_relative_to_the_config(st: StoreTenant) -> None:
    add(st, "--factor", "sms", "--phone", PHONE)
    assert st.database.is_file()
    assert not (Path.cwd() / "mfa.db").exists()


def test_missing_key_names_the_variable_and_keygen(st, monkeypatch) -> None:
    monkeypatch.delenv("CONTEXTMFA_SECRET_KEY")
    result = run("authenticators", "add", USER, "--factor", "otp", "--config", st.config)
    assert result.exit_code == 2
    message = one_line_error(result)
    assert "CONTEXTMFA_SECRET_KEY is not set" in message
    assert "contextmfa keygen" in message and "CONTEXTMFA_DEVELOPMENT=1" in message
    assert result.stdout == ""
    assert not st.database.exists()


@pytest.mark.parametrize("value", ["0", "true", ""])
def test_only_development_1_turns_development_mode_on(st, monkeypatch, value) -> None:
    monkeypatch.delenv("CONTEXTMFA_SECRET_KEY")
    monkeypatch.setenv("CONTEXTMFA_DEVELOPMENT", value)
    result = run("authenticators", "add", USER, "--factor", "otp", "--config", st.config)
    assert result.exit_code == 2


def test_development_mode_uses_the_public_key_with_a_warning(st, monkeypatch, caplog) -> None:
    monkeypatch.delenv("CONTEXTMFA_SECRET_KEY")
    monkeypatch.setenv("CONTEXTMFA_DEVELOPMENT", "1")
    with caplog.at_level(logging.WARNING, logger="contextmfa.store"):
        printed = add(st, "--factor", "otp")
    assert "development secret key" in caplog.text
    with Store.open(f"sqlite:///{st.database}", development=True) as store:
        found = store.authenticators.get(TENANT, printed["id"])
        assert found is not None and found.secret == printed["secret"].encode()


def test_wrong_key_fails_closed_in_one_line(st, monkeypatch) -> None:
    add(st, "--factor", "otp")
    monkeypatch.setenv("CONTEXTMFA_SECRET_KEY", keygen())
    result = run("authenticators", "list", USER, "--config", st.config)
    assert result.exit_code == 2
    assert "cannot be decrypted with this CONTEXTMFA_SECRET_KEY" in one_line_error(result)


def test_read_commands_do_not_create_a_missing_database(st) -> None:
    for args in (
        ["outbox"],
        ["authenticators", "list", USER],
        ["remember-browser", "invalidate", USER],
    ):
        result = run(*args, "--config", st.config)
        assert result.exit_code == 2
        assert "the store database does not exist" in one_line_error(result)
    assert not st.database.exists()


def test_in_memory_store_is_refused(st) -> None:
    st.config.write_text(f'[tenant]\nid = "{TENANT}"\n[service]\nstore = "sqlite://"\n')
    result = run("outbox", "--config", st.config)
    assert result.exit_code == 2
    assert "service.store: the store is in memory" in one_line_error(result)


def test_store_flag_overrides_the_config_relative_to_the_current_directory(st) -> None:
    result = run(
        "authenticators",
        "add",
        USER,
        "--factor",
        "otp",
        "--config",
        st.config,
        "--store",
        "sqlite:///override.db",
    )
    assert result.exit_code == 0, result.output
    assert (Path.cwd() / "override.db").is_file() and not st.database.exists()


def test_every_call_is_scoped_to_the_config_tenant(st) -> None:
    add(st, "--factor", "sms", "--phone", PHONE)
    other = st.config.parent / "other.toml"
    other.write_text('[tenant]\nid = "globex"\n[service]\nstore = "sqlite:///mfa.db"\n')
    result = run("authenticators", "list", USER, "--config", other, "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []


# outbox --------------------------------------------------------------------------------------


def test_outbox_shows_messages_newest_first_with_masked_recipients(st, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    now = datetime.now(UTC)
    with st.open() as store:
        store.outbox.put(TENANT, "sms", PHONE, "482913 is your code", now=now - timedelta(1))
        store.outbox.put(TENANT, "email", "alice@acme.test", "Subject: hi\n\n771204", now=now)
        store.outbox.put("globex", "sms", PHONE, "999999 not ours", now=now)
    table = run("outbox", "--config", st.config)
    assert table.exit_code == 0, table.output
    assert "482913 is your code" in table.stdout and "771204" in table.stdout
    assert "+3******5678" in table.stdout and "a***@acme.test" in table.stdout
    assert PHONE not in table.stdout and "999999" not in table.stdout
    assert "482913" not in caplog.text and "771204" not in caplog.text
    listed = json.loads(run("outbox", "--config", st.config, "--format", "json").stdout)
    assert [m["channel"] for m in listed] == ["email", "sms"]
    assert listed[1] | {"id": ""} == {
        "id": "",
        "time": listed[1]["time"],
        "channel": "sms",
        "to": "+3******5678",
        "body": "482913 is your code",
    }
    only_sms = run("outbox", "--config", st.config, "-f", "json", "--channel", "sms")
    assert [m["body"] for m in json.loads(only_sms.stdout)] == ["482913 is your code"]
    newest = run("outbox", "--config", st.config, "-f", "json", "--limit", "1")
    assert [m["channel"] for m in json.loads(newest.stdout)] == ["email"]


def test_empty_outbox_says_so_on_stderr(st) -> None:
    st.open().close()
    result = run("outbox", "--config", st.config, "--channel", "voice")
    assert result.exit_code == 0 and result.stdout == ""
    assert "no voice messages in the outbox" in result.stderr


# authenticators add --------------------------------------------------------------------------


def test_added_otp_secret_verifies_through_the_real_otp_factor(st) -> None:
    result = run("authenticators", "add", USER, "--factor", "otp", "--config", st.config)
    assert result.exit_code == 0, result.output
    printed = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    assert "shown only this once" in one_line_error(result)
    secret, uri = printed["secret"], urlsplit(printed["otpauth_uri"])
    assert len(base64.b32decode(secret)) == 20
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert parse_qs(uri.query) == {"secret": [secret], "issuer": ["mfa.acme.test"]}
    now = datetime.now(UTC)
    with st.open() as store:
        otp = st.factors(store)["otp"]
        verified = otp.verify(
            Subject(TENANT, USER), Answer(otp=pyotp.TOTP(secret).at(now)), now=now
        )
        assert verified.authenticator_id == printed["id"]
        audit = store.audit.list(TENANT, user_id=USER)
    assert [e.kind for e in audit if e.kind.startswith("admin.")] == [AUDIT_ADDED]
    added = next(e for e in audit if e.kind == AUDIT_ADDED)
    assert added.detail == {"authenticator_id": printed["id"], "factor": "otp", "via": "cli"}
    stored = b"".join(p.read_bytes() for p in st.database.parent.glob("mfa.db*"))
    assert secret.encode() not in stored


@pytest.mark.parametrize(
    ("factor", "contact"),
    [
        ("sms", ["--phone", PHONE]),
        ("voice", ["--phone", PHONE]),
        ("email", ["--email", "a@acme.test"]),
    ],
)
def test_added_contact_gets_codes_through_the_real_factor(st, factor, contact) -> None:
    printed = add(st, "--factor", factor, *contact)
    now = datetime.now(UTC)
    subject = Subject(TENANT, USER)
    with st.open() as store:
        code_factor = st.factors(store)[factor]
        issued = code_factor.challenge(subject, now=now)
        assert issued.authenticator_id == printed["id"]
        listed = run("outbox", "--config", st.config, "-f", "json", "--channel", factor)
        code = "".join(re.findall(r"\d", json.loads(listed.stdout)[0]["body"]))[:6]
        answer = Answer(oob_code=issued.oob_code, binding_code=code)
        assert code_factor.verify(subject, answer, now=now).authenticator_id == printed["id"]


@pytest.mark.parametrize("number", ["0612345678", "+999123", "+31 6 not a number", ""])
def test_add_sms_with_a_bad_number_exits_2_and_stores_nothing(st, number) -> None:
    result = run(
        "authenticators", "add", USER, "--factor", "sms", "--phone", number, "--config", st.config
    )
    assert result.exit_code == 2
    assert one_line_error(result).startswith("--phone: ")
    assert not st.database.exists()


def test_add_email_with_a_bad_address_exits_2(st) -> None:
    result = run(
        "authenticators", "add", USER, "--factor", "email", "--email", "a@b", "-c", st.config
    )
    assert result.exit_code == 2
    assert one_line_error(result) == "--email: email is not an email address"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--factor", "sms"], "--phone is required"),
        (["--factor", "otp", "--phone", PHONE], "--phone does not apply to --factor otp"),
        (["--factor", "sms", "--phone", PHONE, "--email", "a@acme.test"], "--email does not"),
        (["--factor", "webauthn-roaming"], "the user must enroll it"),
        (["--factor", "push-notification"], "the user must enroll it"),
        (["--factor", "duo"], "Duo enrolls its users itself"),
        (["--factor", "fido"], "unknown factor 'fido'"),
    ],
)
def test_add_refuses_bad_requests(st, args, message) -> None:
    result = run("authenticators", "add", USER, *args, "--config", st.config)
    assert result.exit_code == 2
    assert message in one_line_error(result)


def test_every_factor_is_either_addable_or_explained() -> None:
    assert set(ADDERS) | set(USER_ENROLLED) == set(FACTORS)
    assert not set(ADDERS) & set(USER_ENROLLED)


def test_add_refuses_a_number_the_user_already_has(st) -> None:
    add(st, "--factor", "sms", "--phone", PHONE)
    result = run(
        "authenticators", "add", USER, "--factor", "sms", "--phone", PHONE, "-c", st.config
    )
    assert result.exit_code == 2
    assert "already has this phone number for sms" in one_line_error(result)
    add(st, "--factor", "voice", "--phone", PHONE)


# authenticators list / remove ----------------------------------------------------------------


def test_list_shows_no_secret_and_masks_contacts_in_the_table(st) -> None:
    secret = add(st, "--factor", "otp", "--name", "Work phone app")["secret"]
    add(st, "--factor", "sms", "--phone", PHONE)
    table = run("authenticators", "list", USER, "--config", st.config)
    assert table.exit_code == 0, table.output
    assert "Work phone app" in table.stdout and "+3******5678" in table.stdout
    assert secret not in table.stdout and PHONE not in table.stdout
    as_json = run("authenticators", "list", USER, "--config", st.config, "--format", "json")
    assert secret not in as_json.stdout
    listed = json.loads(as_json.stdout)
    assert [(a["type"], a["confirmed"], a["details"]) for a in listed] == [
        ("otp", True, {}),
        ("sms", True, {"phone_number": PHONE}),
    ]
    assert set(listed[0]) == {
        "id",
        "type",
        "name",
        "confirmed",
        "created_at",
        "last_used_at",
        "details",
    }


def test_remove_by_id_and_unknown_or_foreign_ids_exit_1(st) -> None:
    otp = add(st, "--factor", "otp")["id"]
    sms = add(st, "--factor", "sms", "--phone", PHONE)["id"]
    foreign = run("authenticators", "remove", "someone-else", otp, "--config", st.config)
    assert foreign.exit_code == 1
    assert one_line_error(foreign) == f"user someone-else has no authenticator {otp}"
    removed = run("authenticators", "remove", USER, otp, "--config", st.config)
    assert removed.exit_code == 0 and otp in removed.stdout
    again = run("authenticators", "remove", USER, otp, "--config", st.config)
    assert again.exit_code == 1
    with st.open() as store:
        assert [a.id for a in store.authenticators.for_user(TENANT, USER)] == [sms]
        kinds = [e.kind for e in store.audit.list(TENANT, user_id=USER)]
    assert kinds.count("admin.authenticator_removed") == 1


def test_remove_all_asks_unless_yes(st) -> None:
    add(st, "--factor", "otp")
    add(st, "--factor", "sms", "--phone", PHONE)
    declined = run("authenticators", "remove", USER, "--all", "-c", st.config, input="n\n")
    assert declined.exit_code == 1 and "nothing removed" in declined.stderr
    removed = run("authenticators", "remove", USER, "--all", "--yes", "-c", st.config)
    assert removed.exit_code == 0, removed.output
    assert removed.stdout.strip() == (
        f"removed 2 authenticators of user {USER}; remembered browsers forgotten"
    )
    with st.open() as store:
        assert store.authenticators.for_user(TENANT, USER, confirmed_only=False) == []


@pytest.mark.parametrize("args", [[], ["some-id", "--all"]])
def test_remove_needs_an_id_or_all_but_not_both(st, args) -> None:
    result = run("authenticators", "remove", USER, *args, "--config", st.config)
    assert result.exit_code == 2
    assert "either an AUTHENTICATOR_ID or --all" in one_line_error(result)


# remember-browser ----------------------------------------------------------------------------


def test_remember_browser_invalidate_revokes_the_users_tokens(st) -> None:
    now = datetime.now(UTC)
    with st.open() as store:
        tokens = [store.remember.issue(TENANT, USER, now=now, days=30) for _ in range(2)]
        other = store.remember.issue(TENANT, "bob", now=now, days=30)
    result = run("remember-browser", "invalidate", USER, "--config", st.config)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"invalidated 2 remembered browsers of user {USER}"
    with st.open() as store:
        assert not any(store.remember.check(TENANT, USER, t, now=now) for t in tokens)
        assert store.remember.check(TENANT, "bob", other, now=now)
        kinds = [e.kind for e in store.audit.list(TENANT, user_id=USER)]
    assert kinds == ["admin.remember_browser_invalidated"]
