"""What a login reads from the store before its evaluation, in one statement.

The service needs, for the user of a login: the version of their history (the commit checks it),
when this device and this user agent were last seen, their last login (where they were, for the
travel check) and the types of their confirmed factors (the event's enrolled factors come from
the store, never from the caller). Asked one by one, that was four statements; here it is one
row, so one round trip to PostgreSQL and one cursor on SQLite.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from contextmfa.store.models import AuthenticatorRow
from contextmfa.store.sql import history
from contextmfa.store.sql.common import p, table

__all__ = ["LOGIN_VIEW"]

_A = table(AuthenticatorRow)
_H = history.T

_CONFIRMED_TYPES = (
    select(_A.c.type)
    .distinct()
    .where(_A.c.tenant_id == p("tenant_id"), _A.c.user_id == p("user_id"), _A.c.confirmed == true())
    .subquery("confirmed_types")
)


class _types_array(FunctionElement[Any]):
    """The values of a column as one JSON array (an aggregate): SQLite's ``json_group_array``
    gives ``[]`` for no rows, PostgreSQL's ``json_agg`` NULL. An array keeps every value as it
    is, whatever it holds (a separator could be split, an empty name lost)."""

    type = JSON()
    inherit_cache = True


@compiles(_types_array, "sqlite")
def _json_group_array(element: _types_array, compiler: Any, **kw: Any) -> str:
    return f"json_group_array({compiler.process(element.clauses, **kw)})"


@compiles(_types_array, "postgresql")
def _json_agg(element: _types_array, compiler: Any, **kw: Any) -> str:
    return f"json_agg({compiler.process(element.clauses, **kw)})"


_FACTOR_TYPES = select(_types_array(_CONFIRMED_TYPES.c.type)).scalar_subquery()

_SEEN = history.VERSION_AND_SEEN.add_columns(_FACTOR_TYPES.label("factor_types")).subquery("seen")
_LAST = (
    select(
        _H.c.timestamp,
        _H.c.device_id,
        _H.c.user_agent,
        _H.c.latitude,
        _H.c.longitude,
        _H.c.country_code,
    )
    .where(_H.c.tenant_id == p("tenant_id"), _H.c.user_id == p("user_id"))
    .order_by(_H.c.timestamp.desc(), _H.c.id.desc())
    .limit(1)
    .subquery("last")
)

LOGIN_VIEW = select(
    _SEEN.c.version,
    _SEEN.c.device_seen,
    _SEEN.c.agent_seen,
    _SEEN.c.factor_types,
    *_LAST.c,
).select_from(_SEEN.outerjoin(_LAST, true()))
"""One row: version, device_seen, agent_seen, factor_types (a list; ``[]`` or None for
none), then the last login's timestamp, device_id,
user_agent, latitude, longitude and country_code (all NULL when there is none). Binds:
``p_tenant_id``, ``p_user_id``, ``p_device_hash``, ``p_agent_hash``."""
