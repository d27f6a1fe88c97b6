"""The fixed surfaces an Action reads: the shape of ``event`` and of ``api``, known before a run.

``event`` is the enriched login: the fields of :class:`contextmfa.events.LoginEvent` (less the
replay-only ``expect`` and ``recorded``) with what enrichment adds (``request.geoip`` and
``request.asn`` looked up, ``authentication.risk_assessment``) and the Action's ``secrets``.
``api`` is exactly what the attribute guard serves (attributes.py), so ``check`` and a run agree.
Metadata objects and ``secrets`` are open: any key may be there. Both ``check`` (surface_checks.py)
and the run-time message for a missing field (lookup.py) read this one description.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from contextmfa.sandbox.suggest import did_you_mean, snake_case

Kind = Literal["record", "list", "open", "api", "value"]

RECORD_METHODS = frozenset({"get", "keys", "values", "items", "copy"})
LIST_METHODS = frozenset({"index", "count", "copy"})
WRITES = frozenset(
    {"update", "pop", "popitem", "clear", "setdefault", "append", "extend", "insert", "remove"}
) | {"sort", "reverse"}
"""Methods the views have names for only to refuse them at run time: ``event`` is read-only."""


@dataclass(frozen=True, eq=False)
class Shape:
    """What a value reached from ``event`` or ``api`` is: its path, kind, fields or items."""

    path: str
    kind: Kind
    type_name: str = "object"
    optional: bool = False
    fields: dict[str, Shape] = field(default_factory=dict)
    item: Shape | None = None

    def child(self, name: str) -> Shape | None:
        return self.fields.get(name)


NOT_OFFERED: dict[str, str] = {
    "api.redirect": "contextmfa answers your identity provider with a decision; it does not "
    "send the browser elsewhere mid-login (queue a challenge or enrollment instead)",
    "api.session": "sessions belong to your identity provider; contextmfa keeps none",
    "api.prompt": "the hosted MFA pages are the only prompts; Actions render no forms",
    "api.validation": "that is a registration-form API; use api.access.deny(reason)",
    "api.saml_response": "contextmfa signs a JWT assertion, not SAML; use "
    "api.id_token.set_custom_claim",
    "api.refresh_token": "your identity provider issues and revokes refresh tokens",
    "api.rules": "there are no Auth0 Rules here; rule files run before every Action",
    "api.access_token.add_scope": "scopes are granted by your identity provider; use "
    "set_custom_claim",
    "api.access_token.remove_scope": "scopes are granted by your identity provider; use "
    "set_custom_claim",
    "api.authentication.record_method": "methods passed elsewhere are recorded by your "
    "identity provider, not by an Action",
    "api.authentication.set_primary_user": "account linking belongs to your identity provider",
    "event.request.body": "the login's request body is not recorded",
    "event.request.query": "the login's query string is not recorded",
    "event.request.method": "the HTTP method is not recorded",
    "event.user.multifactor": "use event.user.enrolled_factors",
    "event.user.identities": "linked identities belong to your identity provider",
    "event.session": "sessions belong to your identity provider",
    "event.refresh_token": "your identity provider issues refresh tokens",
    "event.resource_server": "use event.transaction.requested_scopes",
    "event.prompt": "the hosted MFA pages are the only prompts",
}
"""Auth0 names (snake_case) with no counterpart here, and why; README lists them too."""


# -- event ------------------------------------------------------------------------------------


def _strip_none(annotation: Any) -> tuple[Any, bool]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        return (args[0] if len(args) == 1 else annotation), optional
    return annotation, False


def _annotated(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _shape_of(path: str, annotation: Any, optional: bool = False) -> Shape:
    annotation, none = _strip_none(_annotated(annotation))
    annotation = _annotated(annotation)
    optional = optional or none
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _record(path, annotation, optional)
    if origin is list:
        (item,) = typing.get_args(annotation)
        inner = _shape_of(f"{path}[i]", item)
        return Shape(path, "list", f"list of {inner.type_name}", optional, item=inner)
    if origin is dict or annotation is dict:
        return Shape(path, "open", "object (free-form)", optional)
    return Shape(path, "value", _value_name(annotation), optional)


def _value_name(annotation: Any) -> str:
    if typing.get_origin(annotation) is Literal:
        return "string"
    name = getattr(annotation, "__name__", str(annotation))
    return {
        "str": "string",
        "StrictBool": "bool",
        "bool": "bool",
        "int": "int",
        "float": "float",
        "datetime": "RFC 3339 string",
        "AwareDatetime": "RFC 3339 string",
    }.get(name, "IP address string" if "IP" in name else "string")


def _record(path: str, model: type[BaseModel], optional: bool = False) -> Shape:
    fields = {}
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if info.metadata:
            annotation = typing.Annotated[annotation, *info.metadata]
        fields[name] = _shape_of(f"{path}.{name}", annotation, info.default is None)
    return Shape(path, "record", "object", optional, fields)


def _fixed(path: str, optional: bool = False, **fields: Shape) -> Shape:
    return Shape(path, "record", "object", optional, fields)


def _risk(path: str) -> Shape:
    def assessment(name: str) -> Shape:
        where = f"{path}.assessments.{name}"
        return _fixed(
            where,
            code=Shape(f"{where}.code", "value", "string"),
            details=Shape(f"{where}.details", "open", "object (free-form)"),
        )

    return _fixed(
        path,
        confidence=Shape(f"{path}.confidence", "value", "string"),
        version=Shape(f"{path}.version", "value", "string"),
        assessments=_fixed(
            f"{path}.assessments",
            new_device=assessment("new_device"),
            impossible_travel=assessment("impossible_travel"),
            untrusted_ip=assessment("untrusted_ip"),
        ),
    )


def _replaced(shape: Shape, name: str, new: Shape) -> Shape:
    return Shape(
        shape.path, shape.kind, shape.type_name, shape.optional, {**shape.fields, name: new}
    )


@cache
def event_shape() -> Shape:
    """The ``event`` an Action receives (module docstring)."""
    from contextmfa.events import LoginEvent

    root = _record("event", LoginEvent)
    fields = {k: v for k, v in root.fields.items() if k not in ("expect", "recorded")}
    request, authentication = fields["request"], fields["authentication"]
    geoip = request.fields["geoip"]
    asn = request.fields["asn"]
    fields["request"] = _replaced(
        _replaced(request, "geoip", _optional(geoip)), "asn", _optional(asn)
    )
    fields["authentication"] = _replaced(
        authentication, "risk_assessment", _risk("event.authentication.risk_assessment")
    )
    fields["secrets"] = Shape("event.secrets", "open", "object of strings")
    return Shape("event", "record", "object", False, fields)


def _optional(shape: Shape) -> Shape:
    return Shape(shape.path, shape.kind, shape.type_name, True, shape.fields, shape.item)


def walk(shape: Shape) -> typing.Iterator[Shape]:
    """``shape`` and every shape below it."""
    yield shape
    for child in shape.fields.values():
        yield from walk(child)
    if shape.item is not None:
        yield from walk(shape.item)


# -- api --------------------------------------------------------------------------------------


@cache
def api_shape() -> Shape:
    """The ``api`` an Action receives: the parts and calls the attribute guard serves."""
    from contextmfa.sandbox.api import Api
    from contextmfa.sandbox.attributes import INSTANCE_ATTRIBUTES

    parts = {}
    for name in sorted(INSTANCE_ATTRIBUTES[Api]):
        kind = typing.get_type_hints(getattr(Api, name).fget)["return"]
        calls = {
            call: Shape(f"api.{name}.{call}", "value", "call")
            for call in sorted(INSTANCE_ATTRIBUTES[kind])
        }
        parts[name] = Shape(f"api.{name}", "api", "object", False, calls)
    return Shape("api", "api", "object", False, parts)


# -- messages ---------------------------------------------------------------------------------


def missing_message(shape: Shape, name: str) -> str:
    """Why ``shape.name`` does not exist, with the name meant or what is offered instead."""
    reason = NOT_OFFERED.get(f"{shape.path}.{snake_case(name)}")
    if reason is not None:
        return f"{shape.path}.{snake_case(name)} is not offered here: {reason}"
    if shape.kind == "list":
        item = shape.item
        if item is not None and item.kind == "record" and name in item.fields:
            return f"{shape.path} is a list: take one item ({shape.path}[0].{name}) or loop over it"
        return f"{shape.path} is a list and has no attribute {name!r}"
    names = set(shape.fields)
    if shape.kind == "record":
        names |= RECORD_METHODS
    what = "field" if shape.kind == "record" else "attribute"
    hint = did_you_mean(name, names)
    if not hint and shape.fields:
        shown = ", ".join(sorted(shape.fields))
        hint = f" (it has: {shown})" if len(shape.fields) <= 12 else ""
    return f"{shape.path} has no {what} {name!r}{hint}"


def read_only_message(shape: Shape, name: str) -> str:
    copy = "list" if shape.kind == "list" else "dict"
    return (
        f"{shape.path} is read-only: {name}() ends the Action as forbidden; "
        f"change a copy instead ({copy}({shape.path}))"
    )


def allowed(shape: Shape, name: str) -> bool:
    """Whether the run has something under ``shape.name`` (writes: to refuse them)."""
    if shape.kind == "record":
        return name in shape.fields or name in RECORD_METHODS or name in WRITES
    if shape.kind == "list":
        return name in LIST_METHODS or name in WRITES
    if shape.kind == "api":
        return name in shape.fields
    return True


# -- run time ---------------------------------------------------------------------------------


@cache
def _records_by_keys() -> dict[frozenset[str], Shape]:
    found: dict[frozenset[str], list[Shape]] = {}
    for shape in walk(event_shape()):
        if shape.kind == "record" and shape.path != "event":
            found.setdefault(frozenset(shape.fields), []).append(shape)
    merged = {}
    for keys, shapes in found.items():
        parts = [s.path.split(".") for s in shapes]
        path = ".".join(p[0] if len(set(p)) == 1 else "*" for p in zip(*parts, strict=False))
        merged[keys] = Shape(path, "record", "object", False, shapes[0].fields)
    return merged


def run_time_message(data: Any, name: str, *, root: bool = False, secrets: bool = False) -> str:
    """The ``AttributeError`` for ``view.name`` missing at run time: which object, and the field
    meant; for free-form objects (metadata), how to read an optional key."""
    if secrets:
        return f"event.secrets has no {name!r} (secrets come from the config's [secrets.<Action>])"
    if isinstance(data, list):
        return f"a list has no attribute {name!r}: take one item (x[0].{name}) or loop over it"
    shape = event_shape() if root else _records_by_keys().get(frozenset(data))
    if shape is None:
        return f"object has no attribute {name!r} (use .get({name!r}) for optional keys)"
    return missing_message(shape, name)
