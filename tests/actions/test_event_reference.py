"""samples/events/README.md, the event reference shipped with the code, names what exists."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from contextmfa import events
from contextmfa.sandbox.surface import NOT_OFFERED, api_shape, event_shape, walk

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "samples" / "events" / "README.md").read_text()
README = (ROOT / "README.md").read_text()
ROW = re.compile(r"^\| `(event[^`]*)` \|([^|]+)\|([^|]*)\|", re.M)


def rows() -> dict[str, tuple[str, str]]:
    return {m[1]: (m[2].strip(), m[3].strip()) for m in ROW.finditer(REFERENCE)}


def test_every_field_an_action_reads_has_one_row_with_its_type():
    documented = rows()
    shapes = {s.path: s for s in walk(event_shape()) if s.path != "event"}
    assert sorted(documented) == sorted(shapes)
    for path, shape in shapes.items():
        assert documented[path][0] == shape.type_name, path


def test_optional_fields_are_marked_optional():
    documented = rows()
    for shape in walk(event_shape()):
        if shape.optional and shape.path != "event.tenant.id":
            assert documented[shape.path][1] == "optional", shape.path


def test_every_pydantic_field_of_the_event_models_is_named():
    models = [
        value
        for value in vars(events).values()
        if isinstance(value, type) and issubclass(value, BaseModel) and value is not BaseModel
    ]
    assert events.LoginEvent in models
    for model in models:
        for name in model.model_fields:
            assert f"`{name}`" in REFERENCE or f".{name}`" in REFERENCE, f"{model.__name__}.{name}"


def test_the_readme_links_the_reference_in_the_repository():
    assert "](samples/events/README.md)" in README
    assert "../shared/" not in README


def test_the_readme_maps_every_api_call_and_says_what_is_not_offered():
    section = README.split("## The Actions API", 1)[1].split("\n## ", 1)[0]
    for shape in walk(api_shape()):
        if shape.kind == "value":
            part, call = shape.path.split(".")[1:]
            assert f"`api.{part}.{call}" in section or f"`{call}(" in section, shape.path
    for name in NOT_OFFERED:
        if name.startswith("api.") and name.count(".") == 1:
            assert f"`{camel_case(name)}`" in section, name


def camel_case(name: str) -> str:
    """``api.saml_response`` -> ``api.samlResponse``: how Auth0 spells it."""
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)
