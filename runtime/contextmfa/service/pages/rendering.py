"""Jinja2 templates of the pages, rendered into responses that carry the page headers.

Autoescaping is on for every template and undefined names are errors (a typo in a template is a
bug, not an empty string). Templates reach static files through ``static('name')``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.responses import HTMLResponse

from contextmfa.factors.qr import qr_svg
from contextmfa.service.pages.assets import static_url
from contextmfa.service.pages.errors import Friendly
from contextmfa.service.pages.security import protect

__all__ = ["BRAND", "grouped", "qr_data_uri", "render", "render_text"]

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
    template: str,
    *,
    status: int = 200,
    words: Friendly | None = None,
    form_targets: Iterable[str] = (),
    **context: Any,
) -> HTMLResponse:
    """``template`` with ``context`` as a protected page.

    ``words``: a refusal to show in the page's alert, its code in the alert's ``data-code``. The
    page stays a 200: it is the form again, to correct and resend (browsers report a 4xx page
    as a failed load). Whole-page refusals have their own status (:mod:`.routing`).
    """
    context.setdefault("error", None)
    context.setdefault("error_code", None)
    context.setdefault("csrf", None)
    if words is not None:
        context["error"], context["error_code"] = words.message, words.code
    response = HTMLResponse(render_text(template, **context), status_code=status)
    if words is not None and words.retry_after:
        response.headers["Retry-After"] = str(words.retry_after)
    protect(response, form_targets=form_targets)
    return response


def grouped(text: str, size: int = 4) -> str:
    """``ABCDEFGH`` -> ``ABCD EFGH``: a secret or code easier to read out and type."""
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def qr_data_uri(text: str) -> str:
    """The QR code of ``text`` as a ``data:`` image (allowed by ``img-src data:``; an inline
    SVG would be markup for the policy to weigh)."""
    encoded = base64.b64encode(qr_svg(text).encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
