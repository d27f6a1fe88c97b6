"""Small pieces every SQL port uses: tables, bind parameters, the dialect's upsert, row counts.

Statements are built once, at import, with named bind parameters (``p(...)``), and executed with
a dict of values: building a SQLAlchemy expression costs more than running the query.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["insert_for", "p", "rowcount", "table"]


def table(model: Any) -> Table:
    """The Core table behind a mapped model."""
    return model.__table__  # type: ignore[no-any-return]


def p(name: str) -> BindParameter[Any]:
    """A named bind parameter (prefixed, so it never collides with a column's own)."""
    return bindparam("p_" + name)


def insert_for(dialect: str, target: Table) -> Any:
    """The dialect's ``insert(target)``, which has ``on_conflict_do_*`` and ``excluded``.

    SQLite and PostgreSQL spell ``INSERT ... ON CONFLICT ... RETURNING`` the same way.
    """
    if dialect == "postgresql":
        return postgresql.insert(target)
    return sqlite.insert(target)


def rowcount(result: Any) -> int:
    """Rows matched by an UPDATE / DELETE (what decides a compare-and-set)."""
    return int(result.rowcount)
