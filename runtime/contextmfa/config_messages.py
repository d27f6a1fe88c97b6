"""Config validation errors in words a tenant's administrator understands.

pydantic says ``Input should be a valid tuple`` or ``String should match pattern
'^[A-Za-z0-9][A-Za-z0-9._-]*$'``; a person editing ``tenant.toml`` needs ``expected a list`` and
``expected letters, digits, '.', '_' and '-'``. :func:`describe` turns one pydantic error into
``(key, problem)``: the key as written in the file (``flow.actions[0]``), and the problem with a
"did you mean" for a misspelt key or choice. A value is shown only where it helps and cannot be
a secret: never for secret fields (``repr=False``) nor under ``[secrets]``.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Sequence
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from contextmfa.spelling import did_you_mean

__all__ = ["describe", "key_of"]

_PATTERNS = {
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$": (
        "expected letters, digits, '.', '_' and '-', starting with a letter or digit"
    ),
    r"^https?://": "expected an http:// or https:// URL",
}
"""Every pattern a config field declares, as words (a pattern not listed here gets a generic
message: a raw regular expression is never shown)."""

_EXPECTED = {
    "string_type": "a string",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}


def key_of(loc: Sequence[int | str]) -> str:
    """``("flow", "actions", 0)`` -> ``flow.actions[0]``: a key as the file writes it."""
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key


def _kind(value: object) -> str:
    """What a TOML value is, in words (never the value itself)."""
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date or time" if value is not None else "nothing"


def _unwrap(annotation: Any) -> Any:
    """``X | None`` -> X; ``tuple[X, ...]`` -> tuple; anything else as it is."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _model(annotation: Any) -> type[BaseModel] | None:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _place(root: type[BaseModel], loc: Sequence[int | str]) -> tuple[type[BaseModel] | None, Any]:
    """The model holding the last key of ``loc`` (None outside models) and that key's field."""
    model: type[BaseModel] | None = root
    info: FieldInfo | None = None
    for index, part in enumerate(loc):
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return (model if index == len(loc) - 1 else None), None
        info = model.model_fields[part]
        if index < len(loc) - 1:
            model = _model(info.annotation)
    return model, info


def _secret(root: type[BaseModel], loc: Sequence[int | str]) -> bool:
    """Whether the value at ``loc`` may be a secret (``repr=False`` or under ``[secrets]``)."""
    if loc and loc[0] == "secrets":
        return True
    model: type[BaseModel] | None = root
    for part in loc:
        if model is None or not isinstance(part, str) or part not in model.model_fields:
            return False
        info = model.model_fields[part]
        if info.repr is False:
            return True
        model = _model(info.annotation)
    return False


def _number(value: object) -> str:
    """``5``, ``1.5``, ``1000000``, ``inf``: a number as the file would write it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _bounds(info: FieldInfo | None) -> str:
    """``from 1 to 60000``, ``above 0 and at most 1000000``: a field's range in words."""
    found: dict[str, object] = {}
    for item in info.metadata if info is not None else ():
        for name in ("ge", "gt", "le", "lt"):
            if isinstance(item, getattr(annotated_types, name.capitalize())):
                found[name] = getattr(item, name)
    if "ge" in found and "le" in found:
        return f"from {_number(found['ge'])} to {_number(found['le'])}"
    words = {"ge": "of at least", "gt": "above", "le": "at most", "lt": "below"}
    return " and ".join(f"{words[name]} {_number(value)}" for name, value in found.items())


def _number_kind(info: FieldInfo | None) -> str:
    return "a whole number" if info is not None and _unwrap(info.annotation) is int else "a number"


def _unknown_key(root: type[BaseModel], loc: Sequence[int | str]) -> str:
    name = str(loc[-1])
    model, _ = _place(root, loc)
    siblings = list(model.model_fields) if model is not None else []
    hint = did_you_mean(name, siblings)
    if hint:
        return f"unknown key{hint}"
    for section, info in root.model_fields.items():  # the right key in the wrong table
        inner = _model(info.annotation)
        if inner is not None and name in inner.model_fields and section != (loc[0] if loc else ""):
            return f"unknown key here; {name} belongs in [{section}]"
    if model is not None and siblings:
        return f"unknown key (keys here: {', '.join(siblings)})"
    return "unknown key"


def _choice(error: ErrorDetails, secret: bool) -> str:
    expected = str(error.get("ctx", {}).get("expected", ""))
    message = f"expected one of {expected}"
    given = error["input"]
    if secret:
        return message
    message += f", got {given!r}"
    if isinstance(given, str):
        message += did_you_mean(given, re.findall(r"'([^']*)'", expected))
    return message


def describe(error: ErrorDetails, root: type[BaseModel]) -> tuple[str, str]:
    """``(key, problem)`` for one validation error of the model ``root``."""
    loc, kind, ctx = error["loc"], error["type"], error.get("ctx", {})
    key = key_of(loc)
    secret = _secret(root, loc)
    _, info = _place(root, loc)
    given = error.get("input")
    if kind == "extra_forbidden":
        return key, _unknown_key(root, loc)
    if kind == "missing":
        return key, "required key is missing"
    if kind == "literal_error":
        return key, _choice(error, secret)
    if kind in _EXPECTED:
        problem = f"expected {_EXPECTED[kind]}, got {_kind(given)}"
        if kind == "tuple_type" and isinstance(given, str) and not secret:
            problem += f" (write {loc[-1]} = [{json.dumps(given)}])"
        return key, problem
    shown = "" if secret else f", got {_number(given)}"
    if kind == "int_from_float":
        return key, f"expected a whole number{shown}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return key, f"expected {_number_kind(info)} {_bounds(info)}{shown}"
    if kind == "finite_number":
        return key, f"expected a finite number{shown}"
    if kind == "string_too_short":
        least = int(ctx.get("min_length", 1))
        if least <= 1:
            return key, "expected a non-empty string"
        return key, f"expected a string of at least {least} characters"
    if kind == "string_too_long":
        return key, f"expected a string of at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return key, _PATTERNS.get(str(ctx.get("pattern")), "is not written in the expected form")
    if kind == "too_short":
        least = int(ctx.get("min_length", 1))
        return key, f"expected at least {least} entr{'y' if least == 1 else 'ies'}"
    if kind == "too_long":
        return key, f"expected at most {ctx.get('max_length')} entries"
    if kind == "value_error":
        return key, str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    return key, _fallback(error["msg"])


def _fallback(message: str) -> str:
    """pydantic's wording made plain, for an error type not named above."""
    message = message.rstrip(".").replace("Input should be", "expected")
    message = message.replace("a valid tuple", "a list").replace("a valid list", "a list")
    message = message.replace("a valid dictionary", "a table").replace("valid ", "")
    message = re.sub(r"pattern '[^']*'", "the expected form", message)
    return message[:1].lower() + message[1:]
