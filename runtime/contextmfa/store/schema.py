"""Versioned schema migrations (Alembic), shipped inside the package and run from code.

``Store.open`` calls :func:`upgrade`; ``migrate(url)`` (in ``facade``) does the same for a URL;
:func:`downgrade` exists for tests and for rolling a release back.
The revision table is ``contextmfa_version`` rather than Alembic's default, so the store can share
a database with an application that has its own Alembic history.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

__all__ = ["VERSION_TABLE", "current_revision", "downgrade", "head_revision", "upgrade"]

VERSION_TABLE = "contextmfa_version"
_LOCATION = Path(__file__).with_name("migrations")
# pg_advisory_xact_lock key: "cmfa" as a 32-bit integer; released when the transaction ends.
_PG_LOCK = 0x636D6661


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_LOCATION))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; a no-op when it is there already."""
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` (``"base"``: drop every table of the store)."""
    _run(engine, command.downgrade, revision)


def _run(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    config = _config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})
        config.attributes["connection"] = connection
        step(config, revision)
