"""The Alembic migrations build exactly the models' schema, once, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from contextmfa.errors import ConfigError
from contextmfa.store import Store, migrate
from contextmfa.store.database import Database
from contextmfa.store.models import Base
from contextmfa.store.schema import (
    VERSION_TABLE,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)

TABLES = {
    "action_cache",
    "audit_log",
    "authenticators",
    "challenges",
    "login_history",
    "outbox",
    "rate_buckets",
    "remember_tokens",
    "single_use",
}


def schema_diff(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"version_table": VERSION_TABLE, "compare_type": True},
        )
        return compare_metadata(context, Base.metadata)


@pytest.fixture(params=["sqlite-file", "postgresql"])
def migrated_url(request, sqlite_file_url):
    if request.param == "sqlite-file":
        url = sqlite_file_url
    else:
        url = request.getfixturevalue("postgres_url")
    migrate(url)
    return url


def test_migrations_produce_the_models_schema(migrated_url):
    db = Database(migrated_url)
    try:
        assert schema_diff(db.engine) == []
        assert TABLES | {VERSION_TABLE} <= set(inspect(db.engine).get_table_names())
        assert current_revision(db.engine) == head_revision()
    finally:
        db.dispose()


def test_every_table_is_keyed_by_tenant():
    for table in Base.metadata.tables.values():
        assert "tenant_id" in table.c, table.name
        for index in table.indexes:
            if table.name not in ("single_use", "challenges", "rate_buckets"):
                assert index.columns.keys()[0] == "tenant_id", index.name
        for constraint in table.constraints:
            names = [c.name for c in getattr(constraint, "columns", [])]
            if names and names != ["seq"] and names != ["id"]:
                assert names[0] == "tenant_id", (table.name, names)


def test_upgrading_twice_is_a_no_op(sqlite_file_url):
    migrate(sqlite_file_url)
    migrate(sqlite_file_url)
    db = Database(sqlite_file_url)
    try:
        assert current_revision(db.engine) == head_revision()
    finally:
        db.dispose()


def test_downgrade_to_base_and_back(sqlite_file_url):
    migrate(sqlite_file_url)
    db = Database(sqlite_file_url)
    try:
        downgrade(db.engine, "base")
        assert not TABLES & set(inspect(db.engine).get_table_names())
        upgrade(db.engine)
        assert schema_diff(db.engine) == []
    finally:
        db.dispose()


def test_open_migrates_a_new_database(sqlite_file_url):
    with Store.open(sqlite_file_url, development=True) as store:
        assert current_revision(store.database.engine) == head_revision()


def test_in_memory_sqlite_keeps_one_database():
    with Store.open("sqlite://", development=True) as store, store.database.read() as s:
        assert s.execute(text("SELECT count(*) FROM authenticators")).scalar() == 0


def test_the_version_table_is_our_own(sqlite_file_url):
    migrate(sqlite_file_url)
    engine = create_engine(sqlite_file_url)
    try:
        assert "alembic_version" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["mysql://x/y", "not a url", "redis://localhost"])
def test_unsupported_urls_are_config_errors(url):
    with pytest.raises(ConfigError):
        Database(url)
