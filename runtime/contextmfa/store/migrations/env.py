"""Alembic environment for the store: always run programmatically, on a connection handed in.

``contextmfa.store.schema`` opens the connection (and on PostgreSQL takes an advisory lock so
that workers starting together migrate once) and passes it as ``config.attributes["connection"]``.
There is no ``alembic.ini`` and no offline mode: the schema ships inside the package.
"""

from __future__ import annotations

from alembic import context

from contextmfa.store.models import Base
from contextmfa.store.schema import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
