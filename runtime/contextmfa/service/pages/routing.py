"""The route class of every page: refusals become pages, bugs a 500 page, headers always.

The JSON API answers errors as ``{"error", "error_description"}``; a person at a browser gets an
HTML page instead: a :class:`~pages.errors.PageError` or a service/factor error that escaped a
handler is rendered as ``error.html`` with friendly words and its status; anything else is logged
as the API logs a bug (type and frames under a reference id, never the message) and answered
with a plain 500 page quoting the reference. Every response of a page route, redirects and JSON
included, leaves with the page headers (:func:`pages.security.protect`).
"""

from __future__ import annotations

import logging
import secrets
import traceback
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from contextmfa.delivery.errors import DeliveryError
from contextmfa.factors.errors import FactorError
from contextmfa.service.errors import ServiceError
from contextmfa.service.pages.errors import BadForm, PageError, friendly
from contextmfa.service.pages.rendering import render
from contextmfa.service.pages.security import protect
from contextmfa.store.errors import StoreUnavailable

__all__ = ["PageRoute", "error_page"]

_log = logging.getLogger("contextmfa.service")
_SHOWN = (PageError, ServiceError, FactorError, DeliveryError, StoreUnavailable)


def error_page(exc: Exception) -> Response:
    """The whole-page answer to a refusal."""
    words = friendly(exc)
    title = exc.title if isinstance(exc, PageError) else "This did not work"
    response = render(
        "error.html", status=words.status, title=title, message=words.message, code=words.code
    )
    if words.retry_after:
        response.headers["Retry-After"] = str(words.retry_after)
    return response


def _bug(request: Request, exc: BaseException) -> Response:
    reference = secrets.token_hex(6)
    frames = "\n".join(
        f"  {frame.filename}:{frame.lineno} in {frame.name}"
        for frame in traceback.extract_tb(exc.__traceback__)
    )
    _log.error(
        "unexpected %s on %s %s (reference %s)\n%s",
        type(exc).__name__,
        request.method,
        request.url.path,
        reference,
        frames,
    )
    return render(
        "error.html",
        status=500,
        title="Something went wrong",
        message=f"An internal error occurred (reference {reference}). Try again in a moment.",
        code="server_error",
    )


class PageRoute(APIRoute):
    """An APIRoute whose errors are pages and whose responses carry the page headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                response = await handle(request)
            except _SHOWN as exc:
                return error_page(exc)
            except (RequestValidationError, ValidationError):
                return error_page(BadForm("The request is missing a field or has a wrong one."))
            except Exception as exc:
                return _bug(request, exc)
            if "content-security-policy" not in response.headers:
                protect(response)
            return response

        return page_handler
