"""Reading the pages' form posts: bounded, url-encoded, each field once, CSRF and origin checked.

Forms are ``application/x-www-form-urlencoded`` (the pages post nothing else), read whole within
:data:`MAX_FORM_BYTES` and parsed with the standard library: no multipart parser is needed or
exposed. :func:`checked` is the gate of every POST but the identity provider's entry into the
challenge page: the session must exist and be of the right kind, the form's ``csrf`` field must
match the session's token, and a browser-sent ``Origin`` (or ``Referer``) must be this service.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import Depends
from starlette.requests import Request

from contextmfa.service.pages.errors import BadForm, CsrfRefused
from contextmfa.service.pages.security import same_origin
from contextmfa.service.pages.session import PageSession, PageSessions

__all__ = [
    "CSRF_FIELD",
    "MAX_CREDENTIAL_CHARS",
    "MAX_FORM_BYTES",
    "Form",
    "checked",
    "credential_of",
    "read_form",
]

CSRF_FIELD = "csrf"
MAX_FORM_BYTES = 64 * 1024
"""Enough for a WebAuthn registration with its attestation; far below the service's limit."""
MAX_FIELDS = 32
MAX_CREDENTIAL_CHARS = 32 * 1024
_FORM_TYPE = "application/x-www-form-urlencoded"


async def read_form(request: Request) -> dict[str, str]:
    """The posted fields; :class:`BadForm` for another content type, a too large body, a field
    given twice or text that is not UTF-8."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != _FORM_TYPE:
        raise BadForm("The page sent something other than a form.")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise BadForm("The form is too large.")
    try:
        pairs = parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeError, ValueError):
        raise BadForm("The form could not be read.") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            raise BadForm("The form has a field twice.")
        fields[name] = value
    return fields


Form = Annotated[dict[str, str], Depends(read_form)]


def checked(
    request: Request,
    sessions: PageSessions,
    session: PageSession,
    form: Mapping[str, str],
    *,
    origins: Iterable[str] = (),
) -> None:
    """Refuse (:class:`CsrfRefused`) unless the form's token is the session's and the browser
    does not name another origin; ``origins`` are more origins that are this service."""
    if not same_origin(request, origins):
        raise CsrfRefused(
            "This form was sent from another website, so it was refused. "
            "If you did not mean to do this, you can close this page."
        )
    if not sessions.csrf_matches(session, form.get(CSRF_FIELD)):
        raise CsrfRefused()


def credential_of(form: Mapping[str, str]) -> dict[str, Any]:
    """The PublicKeyCredential that webauthn.js put in the form, as JSON."""
    text = form.get("credential", "")
    if not text or len(text) > MAX_CREDENTIAL_CHARS:
        raise BadForm("The security key's answer is missing.")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # malformed, a number too long, nested too deeply
        raise BadForm("The security key's answer could not be read.") from None
    if not isinstance(value, dict):
        raise BadForm("The security key's answer could not be read.")
    return value
