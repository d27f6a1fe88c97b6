"""Which attributes Action code may read on host objects: an allowlist per type, deny by default.

RestrictedPython refuses ``_`` names at compile time, but a public attribute can hand back a host
object just as well (``AttributeError.obj``, CVE-2024-47532; a generator's ``gi_frame``; a bound
method's owner). So the attribute guard (guards.py) serves a host object only when its exact
type is listed here, and only the names listed for it:

- plain values (``str``, ``int``, ``list``, ``dict``, ...), datetimes and IP addresses: their
  public names, of which the ones that build, walk or read the host clock are swapped for guarded
  versions (methods.py, clock.py);
- generators: ``send``, ``throw`` and ``close`` (never ``gi_frame``, ``gi_code``, ...);
- exceptions: ``args`` and the plain-data fields of their class (``KeyError.args``,
  ``UnicodeError.reason``, ``JSONDecodeError.pos``), never ``obj``, ``path``, ``filename`` or
  the traceback chain;
- the ``api`` objects: exactly the calls of spec/actions-api.md;
- ``fetch``'s response and its headers: what fetch.py documents;
- host classes reachable from builtins and allowlisted modules: their public names.

Functions, methods, iterators, descriptors, frames, code objects, tracebacks and every type not
listed here have no readable attribute at all. Objects of the Action's own classes are served
apart (guards.py): what the Action defined, then its host base's allowlist.
"""

from __future__ import annotations

import builtins
import datetime
import ipaddress
import json
from functools import cache

import regex

from contextmfa.sandbox.api import (
    AccessApi,
    AccessTokenApi,
    Api,
    AuthenticationApi,
    CacheApi,
    IdTokenApi,
    MultifactorApi,
    TransactionApi,
    UserApi,
)
from contextmfa.sandbox.fetch import Headers, Response
from contextmfa.sandbox.stable import ADDRESS_TYPES

DENIED = frozenset({"mro"})


def public_names(cls: type) -> frozenset[str]:
    """The public names of a host type: everything ``dir`` lists that does not start with ``_``."""
    return frozenset(n for n in dir(cls) if not n.startswith("_")) - DENIED


_PLAIN_TYPES = (
    str,
    bytes,
    int,
    float,
    complex,
    bool,
    list,
    tuple,
    dict,
    set,
    frozenset,
    range,
    slice,
    type(None),
    datetime.date,
    datetime.datetime,
    datetime.time,
    datetime.timedelta,
    datetime.timezone,
    *ADDRESS_TYPES,
)
_GENERATOR = type(x for x in ())
_DICT_VIEWS = (type({}.keys()), type({}.values()), type({}.items()))

INSTANCE_ATTRIBUTES: dict[type, frozenset[str]] = {cls: public_names(cls) for cls in _PLAIN_TYPES}
for _interface in (ipaddress.IPv4Interface, ipaddress.IPv6Interface):
    # set on the instance by __init__, so dir() of the class does not list them
    INSTANCE_ATTRIBUTES[_interface] |= {"network", "netmask"}
INSTANCE_ATTRIBUTES.update(
    {
        _GENERATOR: frozenset({"send", "throw", "close"}),
        property: frozenset({"getter", "setter", "deleter", "fget", "fset", "fdel"}),
        **{view: frozenset({"isdisjoint"}) for view in _DICT_VIEWS},
        Api: frozenset(
            {
                "access",
                "multifactor",
                "authentication",
                "user",
                "id_token",
                "access_token",
                "transaction",
                "cache",
            }
        ),
        AccessApi: frozenset({"deny"}),
        MultifactorApi: frozenset({"enable"}),
        AuthenticationApi: frozenset(
            {"challenge_with", "challenge_with_any", "enroll_with", "enroll_with_any"}
        ),
        UserApi: frozenset({"set_app_metadata", "set_user_metadata"}),
        IdTokenApi: frozenset({"set_custom_claim"}),
        AccessTokenApi: frozenset({"set_custom_claim"}),
        TransactionApi: frozenset({"set_metadata"}),
        CacheApi: frozenset({"get", "set", "delete"}),
        Response: frozenset({"status", "ok", "headers", "text", "json"}),
        Headers: frozenset({"get", "keys", "values", "items"}),
    }
)
"""Readable attributes of host objects, by exact type."""
API_TYPES = (
    Api,
    AccessApi,
    MultifactorApi,
    AuthenticationApi,
    UserApi,
    IdTokenApi,
    AccessTokenApi,
    TransactionApi,
    CacheApi,
)

EXCEPTION_FIELDS: dict[type, frozenset[str]] = {
    BaseException: frozenset({"args"}),
    StopIteration: frozenset({"value"}),
    NameError: frozenset({"name"}),
    AttributeError: frozenset({"name"}),
    ImportError: frozenset({"msg", "name"}),
    OSError: frozenset({"errno", "strerror"}),
    UnicodeError: frozenset({"encoding", "object", "start", "end", "reason"}),
    json.JSONDecodeError: frozenset({"msg", "doc", "pos", "lineno", "colno"}),
    regex.error: frozenset({"msg", "pattern", "pos", "lineno", "colno"}),
}
"""Plain-data fields of exceptions, inherited along the class's bases."""


@cache
def exception_fields(cls: type) -> frozenset[str]:
    names: frozenset[str] = frozenset()
    for base in cls.__mro__:
        names |= EXCEPTION_FIELDS.get(base, frozenset())
    return names


def instance_attributes(cls: type) -> frozenset[str] | None:
    """The readable attributes of a host object of type ``cls``; None: it has none."""
    names = INSTANCE_ATTRIBUTES.get(cls)
    if names is not None:
        return names
    if issubclass(cls, BaseException):
        return exception_fields(cls)
    return None


def _module_classes() -> set[type]:
    from contextmfa.sandbox.modules import MODULES

    found: set[type] = set()
    for spec in MODULES.values():
        found.update(v for v in spec.values.values() if isinstance(v, type))
    return found


@cache
def known_classes() -> frozenset[type]:
    """Host classes an Action can name: builtins, the sandbox's safe types, module classes."""
    from contextmfa.sandbox.safe_builtins import STATIC_BUILTINS, TYPE_NAMES

    found = {v for v in STATIC_BUILTINS.values() if isinstance(v, type)}
    found.update(getattr(builtins, name) for name in TYPE_NAMES)
    found.update(_module_classes())
    found.update(cls for cls in _PLAIN_TYPES)
    return frozenset(found)


@cache
def class_attributes(cls: type) -> frozenset[str] | None:
    """The readable attributes of host class ``cls`` itself; None: it is not a known class."""
    if cls not in known_classes():
        return None
    return public_names(cls)
