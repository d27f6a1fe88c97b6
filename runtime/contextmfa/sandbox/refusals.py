"""What a compile-time refusal says: the thing refused and what to write instead.

Every refusal names an alternative an Action can use (actions-api.md: "every refusal is a
located compile-time error that names the alternative"), including the JavaScript and Auth0
spellings a ported Action is likely to carry.
"""

from __future__ import annotations

import re

FORBIDDEN_BUILTINS: dict[str, str] = {
    "eval": "Actions cannot run code built at run time; write the code itself (json.loads reads "
    "data)",
    "exec": "Actions cannot run code built at run time; write the code itself",
    "compile": "Actions cannot run code built at run time; write the code itself (re.compile for "
    "patterns)",
    "open": "Actions cannot read files; put data in the config's secrets or the user's metadata",
    "globals": "use a dict of your own",
    "locals": "use a dict of your own",
    "vars": "use a dict of your own",
    "dir": "use x.keys() for a dict or event object",
    "getattr": "use x.name, or x.get(name) or a dict for a name known only at run time",
    "setattr": "assign x.name = value, or use a dict",
    "delattr": "use a dict and del d[key]",
    "hasattr": 'use "name in x" for a dict or event object, or x.get(name) is not None',
    "object": "write class C: without a base",
    "super": "write super().method(...) or super().__init__(...) in a method instead",
    "breakpoint": "use print(...): each line goes to the decision's logs",
    "input": "an Action reads only event and api: read event.user, event.request, ... instead",
    "help": "see the README's Actions API section",
    "memoryview": "use bytes",
    "bytearray": "use bytes, or a list of ints",
    "iter": "use `for` loops (or a generator expression with next(...))",
    "id": 'use "is" to compare identity',
    "exit": "return from on_execute_post_login",
    "quit": "return from on_execute_post_login",
    "aiter": "drop async: Actions are synchronous",
    "anext": "drop async: Actions are synchronous",
}
"""Builtins an Action cannot have, with what to write instead."""

JAVASCRIPT_NAMES: dict[str, str] = {
    "true": "True",
    "false": "False",
    "null": "None",
    "undefined": "None",
    "console": "print(...)",
    "exports": "def on_execute_post_login(event, api): (Python, no exports)",
    "require": "import (math, re, json, datetime, ipaddress); fetch(url, ...) for HTTP calls",
    "this": "self",
    "axios": "fetch(url, method=..., headers=..., json=...) for HTTP calls",
    "XMLHttpRequest": "fetch(url, ...) for HTTP calls",
    "await": "nothing: drop await, Actions are synchronous",
}
"""Names a ported Auth0 (JavaScript) Action may still use, and the Python to write instead."""

DUNDER_ALTERNATIVES: dict[str, str] = {
    "__repr__": "use repr(x)",
    "__str__": "use str(x)",
    "__len__": "use len(x)",
    "__class__": "use type(x) or isinstance(x, T)",
    "__dict__": "use a dict, or x.keys() for an event object",
    "__name__": "use a string of your own",
    "__doc__": "use a string of your own",
    "__eq__": "use ==",
    "__ne__": "use !=",
    "__lt__": "use <",
    "__le__": "use <=",
    "__gt__": "use >",
    "__ge__": "use >=",
    "__contains__": "use the in operator",
    "__getitem__": "use x[key]",
    "__setitem__": "use x[key] = value",
    "__iter__": "use `for` loops",
    "__next__": "use next(x)",
    "__hash__": "use hash(x)",
    "__init__": "call super().__init__(...) in the subclass's own __init__",
    "__call__": "define and call an ordinary method",
    "__bool__": "define and call an ordinary method",
    "__format__": "use format(x, spec)",
}
"""Special names an Action may reach for, and the ordinary spelling that does the same."""

_UNDERSCORE = re.compile(r'^"(?P<name>[^"]+)" is an invalid (?P<kind>attribute|variable) name')
_RESTRICTED = re.compile(r'^"(?P<name>[^"]+)" is a restricted name, that is forbidden to access')
_ROLES = re.compile(
    r'^"(?P<name>[^"]+)" is an invalid (?P<kind>attribute|variable) name because it ends'
)
_RESERVED = re.compile(r'^"(?P<name>[^"]+)" is a reserved name\.$')
REPLACED = frozenset(
    {"Exec calls are not allowed.", "Eval calls are not allowed.", '"*" imports are not allowed.'}
)
"""RestrictedPython's words for what the policy refuses in its own words on the same node."""


def forbidden_builtin(name: str) -> str:
    """The message for naming a builtin that Actions do not have."""
    if name == "super":
        return "super is not available in Actions but as a call; " + FORBIDDEN_BUILTINS[name]
    return f"{name}() is not available in Actions: {FORBIDDEN_BUILTINS[name]}"


def underscore(name: str, what: str = "name") -> str:
    """The message for a name or attribute that starts with ``_``."""
    alternative = DUNDER_ALTERNATIVES.get(name)
    if alternative is None:
        if what == "attribute":
            alternative = f"use x.get({name!r}) or x[{name!r}] for a key of a dict or event object"
        else:
            alternative = f"rename it (e.g. {name.lstrip('_') or 'x'!r})"
    return (
        f'{what} "{name}" is not allowed: names starting with "_" belong to the sandbox; '
        f"{alternative}"
    )


def special_method(name: str) -> str:
    """The message for a class that defines a special method Actions cannot have."""
    alternative = DUNDER_ALTERNATIVES.get(name, "define and call an ordinary method")
    if name in ("__repr__", "__str__", "__format__"):
        alternative = "define an ordinary method (e.g. describe(self)) and call it"
    return (
        f'method "{name}" is not available in Actions (only __init__ and the comparison '
        f"methods can be defined): {alternative}"
    )


def translate(message: str) -> str:
    """RestrictedPython's wording of an ``_`` refusal, in ours; other messages as they are."""
    found = _UNDERSCORE.match(message)
    if found is None or "ends with" in message:
        return message
    what = "attribute" if found["kind"] == "attribute" else "name"
    return underscore(found["name"], what)


def restricted_attribute(name: str) -> str:
    """The message for an attribute of frames, code objects or generators (``gi_frame``)."""
    return (
        f'attribute "{name}" is not available in Actions (frames, code objects and generator '
        "internals are out of reach); write next(g) or a for loop instead"
    )


def reword(message: str) -> str:
    """RestrictedPython's other refusals, in ours: what is refused and what to write instead."""
    found = _RESTRICTED.match(message)
    if found is not None:
        return restricted_attribute(found["name"])
    found = _ROLES.match(message)
    if found is not None:
        what = "attribute" if found["kind"] == "attribute" else "name"
        return (
            f'{what} "{found["name"]}" is not available in Actions (names ending in "__roles__" '
            f"belong to the sandbox); rename it instead"
        )
    found = _RESERVED.match(message)
    if found is not None:
        return f'name "{found["name"]}" is reserved in Actions; rename it instead'
    return message
