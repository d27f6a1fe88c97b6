"""The service's parts on their own: mfa_tokens, the assertion key, deployments, tenant loading."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from datetime import timedelta

import jwt
import pytest
from service_helpers import SECRET_KEY, START, login_event, write_tenant

from contextmfa.enrich.history import InMemoryHistory
from contextmfa.errors import ConfigError, InputError
from contextmfa.events import parse_event
from contextmfa.service import config_paths, load_tenants
from contextmfa.service.assertion import AssertionSigner, derive_signing_key
from contextmfa.service.deployments import ActionVersions
from contextmfa.service.engines import deployed_config
from contextmfa.service.errors import ExpiredMfaToken, InvalidMfaToken
from contextmfa.service.tokens import MfaStep, MfaTokens
from contextmfa.store import keygen
from contextmfa.store.keys import MasterKey

MASTER = MasterKey(SECRET_KEY)


ONE_STEP = (MfaStep("challenge", ("otp",)),)


def _txn(tokens: MfaTokens, steps=ONE_STEP):
    return tokens.start(
        tenant_id="acme",
        login_id="l-1",
        user_id="u",
        steps=tuple(steps),
        audience="app",
        remember=True,
        user={"email": "u@acme.test"},
        context={"ip": "192.0.2.1"},
        now=START,
    )


def test_an_mfa_token_round_trips_and_expires():
    tokens = MfaTokens(MASTER.derive("service/mfa-token"))
    txn = _txn(tokens)
    token = tokens.issue(txn)
    read = tokens.read(token, now=START + timedelta(minutes=9, seconds=59))
    assert read == txn
    assert read.subject.email == "u@acme.test"
    with pytest.raises(ExpiredMfaToken):
        tokens.read(token, now=START + timedelta(minutes=10))


def test_an_mfa_token_under_another_key_or_type_is_refused():
    tokens = MfaTokens(MASTER.derive("service/mfa-token"))
    token = MfaTokens(MasterKey(keygen()).derive("service/mfa-token")).issue(_txn(tokens))
    with pytest.raises(InvalidMfaToken):
        tokens.read(token, now=START)
    claims = jwt.decode(tokens.issue(_txn(tokens)), options={"verify_signature": False})
    plain = jwt.encode(claims, MASTER.derive("service/mfa-token"), algorithm="HS256")
    with pytest.raises(InvalidMfaToken):
        tokens.read(plain, now=START)
    none = jwt.encode(claims, None, algorithm="none")
    with pytest.raises(InvalidMfaToken):
        tokens.read(none, now=START)


def test_passing_a_step_skips_later_steps_it_already_meets():
    tokens = MfaTokens(b"k" * 32)
    txn = _txn(
        tokens,
        (
            MfaStep("challenge", ("otp",)),
            MfaStep("challenge", ("otp", "sms")),
            MfaStep("challenge", ("sms",)),
        ),
    )
    following = txn.passed("otp")
    assert following is not None
    assert (following.index, following.amr) == (2, ("otp",))
    assert following.passed("sms") is None
    assert following.amr_with("sms") == ("otp", "sms")


def test_the_signing_key_is_derived_per_tenant_and_published_with_its_thumbprint():
    assert (
        derive_signing_key(MASTER, "acme").private_numbers()
        == derive_signing_key(MasterKey(SECRET_KEY), "acme").private_numbers()
    )
    assert (
        derive_signing_key(MASTER, "acme").private_numbers().private_value
        != derive_signing_key(MASTER, "globex").private_numbers().private_value
    )
    signer = AssertionSigner(MASTER, "acme", "https://mfa.acme.test")
    (jwk,) = signer.jwks()["keys"]
    members = json.dumps(
        {k: jwk[k] for k in ("crv", "kty", "x", "y")}, sort_keys=True, separators=(",", ":")
    )
    digest = base64.urlsafe_b64encode(hashlib.sha256(members.encode()).digest()).rstrip(b"=")
    assert jwk["kid"] == digest.decode()
    assertion = signer.sign(audience="app", subject="u", login_id="l", amr=["otp"], now=START)
    claims = jwt.decode(
        assertion,
        jwt.PyJWK(jwk).key,
        algorithms=["ES256"],
        audience="app",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["iss"] == "https://mfa.acme.test"
    assert claims["login_id"] == "l"


def test_versions_are_numbered_immutable_and_rolled_back(tmp_path):
    versions = ActionVersions(tmp_path / "acme")
    assert versions.stamp() is None
    first, created = versions.deploy("a", "one", now=START)
    assert (first.version, created) == (1, True)
    stamp = versions.stamp()
    second, _ = versions.deploy("a", "two", now=START)
    assert second.version == 2 and versions.stamp() != stamp
    assert versions.current("a")[1] == "two"
    assert versions.current_files()["a"].stat().st_mode & 0o222 == 0, "read-only once written"
    with pytest.raises(FileExistsError):
        versions._write_version("a", 2, "overwrite")
    assert versions.rollback("a", None).version == 1
    assert versions.current("a")[1] == "one"
    assert versions.rollback("a", None) is None
    with pytest.raises(InputError):
        versions.deploy("../escape", "x", now=START)


def test_concurrent_deployments_get_distinct_versions(tmp_path):
    versions = ActionVersions(tmp_path / "acme")
    threads = [
        threading.Thread(
            target=versions.deploy, args=("race", f"source {i}"), kwargs={"now": START}
        )
        for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = [v.version for v in versions.versions("race")]
    assert sorted(numbers) == list(range(1, 9))


def test_deployed_actions_take_their_flow_place_or_come_last(tmp_path):
    files = write_tenant(tmp_path, "acme")
    tenants = load_tenants([files.path], environ={"CONTEXTMFA_SECRET_KEY": SECRET_KEY, **files.env})
    try:
        config = tenants.get("acme").config
        deployed = {"step_up": tmp_path / "v" / "step_up.py", "new": tmp_path / "v" / "new.py"}
        merged = deployed_config(config, deployed)
        assert [p.stem for p in merged.action_files] == ["deny_blocked", "step_up", "new"]
        assert merged.action_files[1] == deployed["step_up"]
    finally:
        tenants.close()


def _env(*files):
    env = {"CONTEXTMFA_SECRET_KEY": SECRET_KEY}
    for f in files:
        env.update(f.env)
    return env


def test_keys_are_checked_when_serving_starts(tmp_path):
    files = write_tenant(tmp_path, "acme")
    with pytest.raises(ConfigError, match="ACME_API_KEY is not set"):
        load_tenants([files.path], environ={"CONTEXTMFA_SECRET_KEY": SECRET_KEY})
    short = {**_env(files), "ACME_API_KEY": "short"}
    with pytest.raises(ConfigError, match="at least 16 characters"):
        load_tenants([files.path], environ=short)
    same = {**_env(files), "ACME_ADMIN_KEY": files.api_key}
    with pytest.raises(ConfigError, match="must differ"):
        load_tenants([files.path], environ=same)
    with pytest.raises(ConfigError, match="CONTEXTMFA_SECRET_KEY"):
        load_tenants([files.path], environ=files.env)


def test_two_tenants_cannot_share_an_id_or_an_api_key(tmp_path):
    acme = write_tenant(tmp_path / "one", "acme")
    again = write_tenant(tmp_path / "two", "acme")
    with pytest.raises(ConfigError, match="also served"):
        load_tenants([acme.path, again.path], environ=_env(acme))
    globex = write_tenant(tmp_path, "globex")
    env = {**_env(acme, globex), "GLOBEX_API_KEY": acme.api_key}
    with pytest.raises(ConfigError, match=r"same service\.api_key"):
        load_tenants([acme.path, globex.path], environ=env)


def test_which_configs_are_served(tmp_path):
    write_tenant(tmp_path, "b")
    write_tenant(tmp_path, "a")
    assert [p.name for p in config_paths(None, tmp_path)] == ["a.toml", "b.toml"]
    with pytest.raises(ConfigError):
        config_paths(tmp_path / "a.toml", tmp_path)
    with pytest.raises(ConfigError, match=r"no \*\.toml"):
        config_paths(None, tmp_path / "actions-a")


def test_an_engine_in_use_survives_a_deployment(tmp_path):
    files = write_tenant(tmp_path, "acme")
    tenants = load_tenants([files.path], environ=_env(files))
    tenant = tenants.get("acme")
    deny = 'def on_execute_post_login(event, api):\n    api.access.deny("frozen")\n'
    try:
        with tenant.engines.use() as old:
            tenant.actions.deploy("freeze", deny, now=START)
            with tenant.engines.use() as new:
                assert new is not old
                event = parse_event(login_event(), where="t")
                assert new.evaluate(event, InMemoryHistory()).deny_reason == "frozen"
            assert old.evaluate(event, InMemoryHistory()).outcome == "enroll"
        with tenant.engines.use() as again:
            assert again is new
    finally:
        tenants.close()
