"""The OpenAPI document (``/openapi.json``): FastAPI's, with two corrections.

* ``POST /v1/logins`` reads its body with :func:`contextmfa.events.parse_event` (so the service
  and the CLI word input errors alike) rather than through a FastAPI body parameter; its schema,
  the login event, is added here under ``components/schemas``.
* Bodies that fail validation get 400 ``invalid_request`` (Auth0's vocabulary), not FastAPI's
  422 with its own error shape, so the generated 422 responses are removed (the Actions
  deployment keeps its own 422, a compile failure).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from contextmfa.events import LoginEvent

__all__ = ["LOGIN_EVENT_BODY", "install_openapi"]

_REF = "#/components/schemas/{model}"

LOGIN_EVENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A login event (spec: login-events.md).",
        "content": {"application/json": {"schema": {"$ref": _REF.format(model="LoginEvent")}}},
    }
}


def _event_schemas() -> dict[str, Any]:
    schema = LoginEvent.model_json_schema(ref_template=_REF, mode="validation")
    defs = schema.pop("$defs", {})
    properties = schema.get("properties", {})
    properties.pop("expect", None)  # replay expectations mean nothing to the service
    return {**defs, "LoginEvent": schema}


def _drop_validation_422(document: dict[str, Any]) -> None:
    for path in document.get("paths", {}).values():
        for operation in path.values():
            responses = operation.get("responses", {})
            answer = responses.get("422", {})
            content = answer.get("content", {}).get("application/json", {})
            if content.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
                del responses["422"]
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` return the corrected document (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in _event_schemas().items():
            if name in schemas and schemas[name] != schema:
                raise RuntimeError(f"OpenAPI component {name!r} is defined twice")
            schemas[name] = schema
        _drop_validation_422(document)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
