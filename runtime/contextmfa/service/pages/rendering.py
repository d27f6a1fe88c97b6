"""Jinja2 templates of the pages, rendered into responses that carry the page headers.

Autoescaping is on for every template and undefined names are errors (a typo in a template is a
bug, not an empty string). Templates reach static files through ``static('name')``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.responses import HTMLResponse

from contextmfa.service.pages.assets import static_url
from contextmfa.service.pages.security import protect

__all__ = ["BRAND", "render", "render_text"]

BRAND = "Account security"

_env = Environment(
    loader=PackageLoader("contextmfa.service.pages", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals.update(static=static_url, brand=BRAND)


def render_text(template: str, **context: Any) -> str:
    return _env.get_template(template).render(**context)


def render(
    template: str, *, status: int = 200, form_targets: Iterable[str] = (), **context: Any
) -> HTMLResponse:
    """``template`` with ``context`` (``error``, ``csrf`` default to none) as a protected page."""
    context.setdefault("error", None)
    context.setdefault("csrf", None)
    response = HTMLResponse(render_text(template, **context), status_code=status)
    return protect(response, form_targets=form_targets)  # type: ignore[return-value]
