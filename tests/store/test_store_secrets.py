"""Secrets at rest, keys, code hashes, and hygiene: nothing secret in a column, repr or log."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from contextmfa.errors import ConfigError
from contextmfa.store import (
    CodeHasher,
    InMemoryStore,
    SecretKeyMismatch,
    Store,
    codes_match,
    hash_code,
    keygen,
)
from contextmfa.store.codes import code_key
from contextmfa.store.keys import DEVELOPMENT_KEY, ENV_VAR, MasterKey, load_master_key
from contextmfa.store.tokens import token_hash

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
SEED = b"JBSWY3DPEHPK3PXP-otp-seed-material"
CODE = "482913"


def raw(store, sql, **params):
    with store.database.write() as session:
        return session.execute(text(sql), params).all()


def test_keygen_makes_32_random_bytes():
    keys = {keygen() for _ in range(20)}
    assert len(keys) == 20
    for key in keys:
        assert len(base64.urlsafe_b64decode(key)) == 32
        MasterKey(key)


def test_no_key_is_a_config_error(sqlite_file_url):
    with pytest.raises(ConfigError, match=ENV_VAR):
        Store.open(sqlite_file_url, environ={})


def test_the_key_comes_from_the_environment(sqlite_file_url):
    key = keygen()
    with Store.open(sqlite_file_url, environ={ENV_VAR: key}) as store:
        made = store.authenticators.add(
            "acme", "alice", "otp", name="app", public={}, secret=SEED, confirmed=True, now=NOW
        )
    with Store.open(sqlite_file_url, secret_key=key, environ={}) as store:
        assert store.authenticators.get("acme", made.id).secret == SEED


@pytest.mark.parametrize("bad", ["short", "!!!not base64!!!", base64.b64encode(b"x" * 31).decode()])
def test_a_malformed_key_is_refused_without_echo(bad):
    with pytest.raises(ConfigError) as info:
        load_master_key(bad, environ={})
    assert bad not in str(info.value)


def test_development_mode_is_explicit_and_loud(sqlite_file_url, caplog):
    caplog.set_level(logging.WARNING, logger="contextmfa.store")
    with Store.open(sqlite_file_url, development=True, environ={}) as store:
        assert store.development
    assert "development secret key" in caplog.text
    assert DEVELOPMENT_KEY not in caplog.text


def test_secrets_are_encrypted_at_rest(sql_store, tenant):
    made = sql_store.authenticators.add(
        tenant,
        "alice",
        "otp",
        name="app",
        public={"issuer": "Acme"},
        secret=SEED,
        confirmed=True,
        now=NOW,
    )
    [(stored,)] = raw(sql_store, "SELECT secret FROM authenticators WHERE id = :id", id=made.id)
    stored = bytes(stored)
    assert SEED not in stored and base64.b64encode(SEED) not in stored
    assert sql_store.authenticators.get(tenant, made.id).secret == SEED


def test_outbox_bodies_are_encrypted_at_rest(sql_store, tenant):
    message_id = sql_store.outbox.put(tenant, "sms", "+31612345678", f"code {CODE}", now=NOW)
    [(stored,)] = raw(sql_store, "SELECT body FROM outbox WHERE id = :id", id=message_id)
    assert CODE.encode() not in bytes(stored)
    assert sql_store.outbox.list(tenant)[0].body == f"code {CODE}"


def test_codes_and_tokens_are_stored_hashed(sql_store, tenant):
    made = sql_store.challenges.create(
        tenant,
        "alice",
        "sms",
        authenticator_id=None,
        data={},
        code_hash=sql_store.codes.hash(tenant, CODE),
        now=NOW,
        expires_at=NOW + timedelta(minutes=5),
        max_attempts=5,
    )
    token = sql_store.remember.issue(tenant, "alice", now=NOW, days=30)
    dump = repr(raw(sql_store, "SELECT * FROM challenges WHERE id = :id", id=made.id))
    dump += repr(raw(sql_store, "SELECT * FROM remember_tokens WHERE tenant_id = :t", t=tenant))
    assert CODE not in dump and token not in dump


def test_a_wrong_key_fails_loudly_without_the_secret(sqlite_file_url):
    right, wrong = keygen(), keygen()
    with Store.open(sqlite_file_url, secret_key=right) as store:
        made = store.authenticators.add(
            "acme", "alice", "otp", name="app", public={}, secret=SEED, confirmed=True, now=NOW
        )
        store.outbox.put("acme", "sms", "+31612345678", f"code {CODE}", now=NOW)
    with Store.open(sqlite_file_url, secret_key=wrong) as store:
        with pytest.raises(SecretKeyMismatch) as info:
            store.authenticators.get("acme", made.id)
        with pytest.raises(SecretKeyMismatch):
            store.outbox.list("acme")
    message = str(info.value) + repr(info.value)
    for secret in (SEED.decode(), CODE, right, wrong):
        assert secret not in message
    assert info.value.__cause__ is None and ENV_VAR in message


def test_a_ciphertext_moved_to_another_row_is_refused(sqlite_file_url):
    with Store.open(sqlite_file_url, secret_key=keygen()) as store:
        victim = store.authenticators.add(
            "acme", "alice", "otp", name="app", public={}, secret=SEED, confirmed=True, now=NOW
        )
        attacker = store.authenticators.add(
            "acme",
            "mallory",
            "otp",
            name="app",
            public={},
            secret=b"mine",
            confirmed=True,
            now=NOW,
        )
        with store.database.write() as session:
            session.execute(
                text(
                    "UPDATE authenticators SET secret = "
                    "(SELECT secret FROM authenticators WHERE id = :victim) WHERE id = :attacker"
                ),
                {"victim": victim.id, "attacker": attacker.id},
            )
        with pytest.raises(SecretKeyMismatch):
            store.authenticators.get("acme", attacker.id)


def test_code_hashes_are_keyed_and_tenant_bound():
    key_a, key_b = code_key(MasterKey(keygen())), code_key(MasterKey(keygen()))
    digest = hash_code(key_a, "acme", CODE)
    assert digest.startswith("h1:") and len(digest) == 67 and CODE not in digest
    assert digest == hash_code(key_a, "acme", CODE)
    assert digest != hash_code(key_b, "acme", CODE)
    assert digest != hash_code(key_a, "globex", CODE)
    assert digest != hash_code(key_a, "acme", "482914")
    assert hash_code(key_a, "ab", "c") != hash_code(key_a, "a", "bc")  # length-prefixed
    assert codes_match(digest, hash_code(key_a, "acme", CODE))
    assert not codes_match(digest, hash_code(key_a, "acme", "000000"))
    assert not codes_match(None, digest) and not codes_match("", digest)


def test_code_hasher():
    hasher = CodeHasher(MasterKey(keygen()))
    stored = hasher.hash("acme", CODE)
    assert hasher.matches(stored, "acme", CODE)
    assert not hasher.matches(stored, "acme", "111111")
    assert not hasher.matches(stored, "globex", CODE)


def test_reprs_hide_secrets(sql_store, tenant):
    key = keygen()
    made = sql_store.authenticators.add(
        tenant, "alice", "otp", name="app", public={}, secret=SEED, confirmed=True, now=NOW
    )
    challenge = sql_store.challenges.create(
        tenant,
        "alice",
        "sms",
        authenticator_id=None,
        data={},
        code_hash="h1:secret-hash",
        now=NOW,
        expires_at=NOW + timedelta(minutes=5),
        max_attempts=5,
    )
    sql_store.outbox.put(tenant, "sms", "+31612345678", f"code {CODE}", now=NOW)
    shown = " ".join(
        repr(x)
        for x in (
            made,
            challenge,
            sql_store.outbox.list(tenant),
            MasterKey(key),
            CodeHasher(MasterKey(key)),
            sql_store,
            sql_store.codes,
        )
    )
    for secret in (SEED.decode(), "secret-hash", CODE, key):
        assert secret not in shown


def test_a_store_repr_hides_the_database_password():
    from contextmfa.store.database import Database

    db = Database("postgresql+psycopg://mfa:hunter2@127.0.0.1:1/mfa")
    try:
        shown = repr(Store(db, MasterKey(keygen())))
    finally:
        db.dispose()
    assert "hunter2" not in shown and "127.0.0.1" in shown


def test_no_secret_reaches_a_log(sqlite_file_url, caplog):
    """Every logger at DEBUG (SQL statements included) across a whole enrol/challenge/verify."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    key = keygen()
    with Store.open(sqlite_file_url, secret_key=key) as store:
        made = store.authenticators.add(
            "acme", "alice", "otp", name="app", public={}, secret=SEED, confirmed=False, now=NOW
        )
        store.authenticators.confirm("acme", made.id, now=NOW)
        assert store.authenticators.get("acme", made.id).secret == SEED
        challenge = store.challenges.create(
            "acme",
            "alice",
            "sms",
            authenticator_id=made.id,
            data={},
            code_hash=store.codes.hash("acme", CODE),
            now=NOW,
            expires_at=NOW + timedelta(minutes=5),
            max_attempts=5,
        )
        store.outbox.put("acme", "sms", "+31612345678", f"code {CODE}", now=NOW)
        assert store.outbox.list("acme")[0].body == f"code {CODE}"
        assert store.challenges.get("acme", challenge.id) == challenge
        assert store.challenges.take_attempt("acme", challenge.id, now=NOW)
        assert store.codes.matches(challenge.code_hash, "acme", CODE)
        assert store.challenges.finish("acme", challenge.id, now=NOW)
        token = store.remember.issue("acme", "alice", now=NOW, days=30)
        assert store.remember.check("acme", "alice", token, now=NOW)
    assert "SELECT challenges" in caplog.text  # SQLAlchemy did log its statements
    for secret in (SEED.decode(), CODE, token, key, challenge.code_hash, token_hash(token)):
        assert secret not in caplog.text


def test_memory_store_hashes_codes_with_its_key():
    store = InMemoryStore(MasterKey(keygen()))
    assert store.codes.matches(store.codes.hash("acme", CODE), "acme", CODE)
    assert InMemoryStore().codes.hash("acme", CODE) != store.codes.hash("acme", CODE)
